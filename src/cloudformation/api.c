/* SPDX-License-Identifier: MIT
 * AWS CloudFormation's API (2010-05-15), the operations Runnel serves, as one
 * protocol-neutral description written from the service's model. SDKs speak
 * the query protocol (lists wrapped: Parameters.member.1.ParameterKey);
 * `runnel deploy` speaks AWS JSON 1.0 with the same members. */
#include "cloudformation/cfn.h"

#include <stddef.h>

static const rn_shape_t S_STR = {RN_T_STR}, S_INT = {RN_T_INT}, S_BOOL = {RN_T_BOOL}, S_TIME = {RN_T_TIME};
static const rn_member_t none[] = {RN_END};
static const rn_member_t parameter_m[] = {
    RN_MEMBER("ParameterKey", S_STR),
    RN_MEMBER("ParameterValue", S_STR),
    RN_MEMBER("UsePreviousValue", S_BOOL),
    RN_MEMBER("ResolvedValue", S_STR),
    RN_END,
};
static const rn_shape_t T_PARAMETER = {RN_T_STRUCT, parameter_m};
static const rn_shape_t L_PARAMETERS = {RN_T_LIST, .elem = &T_PARAMETER};
static const rn_member_t rollback_trigger_m[] = {
    RN_MEMBER("Arn", S_STR),
    RN_MEMBER("Type", S_STR),
    RN_END,
};
static const rn_shape_t T_ROLLBACK_TRIGGER = {RN_T_STRUCT, rollback_trigger_m};
static const rn_shape_t L_ROLLBACK_TRIGGERS = {RN_T_LIST, .elem = &T_ROLLBACK_TRIGGER};
static const rn_member_t rollback_configuration_m[] = {
    RN_MEMBER("RollbackTriggers", L_ROLLBACK_TRIGGERS),
    RN_MEMBER("MonitoringTimeInMinutes", S_INT),
    RN_END,
};
static const rn_shape_t T_ROLLBACK_CONFIGURATION = {RN_T_STRUCT, rollback_configuration_m};
static const rn_shape_t L_NOTIFICATION_A_R_NS = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t L_CAPABILITIES = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t L_RESOURCE_TYPES = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t tag_m[] = {
    RN_MEMBER("Key", S_STR),
    RN_MEMBER("Value", S_STR),
    RN_END,
};
static const rn_shape_t T_TAG = {RN_T_STRUCT, tag_m};
static const rn_shape_t L_TAGS = {RN_T_LIST, .elem = &T_TAG};
static const rn_member_t create_stack_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("TemplateURL", S_STR),
    RN_MEMBER("Parameters", L_PARAMETERS),
    RN_MEMBER("DisableRollback", S_BOOL),
    RN_MEMBER("RollbackConfiguration", T_ROLLBACK_CONFIGURATION),
    RN_MEMBER("TimeoutInMinutes", S_INT),
    RN_MEMBER("NotificationARNs", L_NOTIFICATION_A_R_NS),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("ResourceTypes", L_RESOURCE_TYPES),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("OnFailure", S_STR),
    RN_MEMBER("StackPolicyBody", S_STR),
    RN_MEMBER("StackPolicyURL", S_STR),
    RN_MEMBER("Tags", L_TAGS),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_MEMBER("EnableTerminationProtection", S_BOOL),
    RN_MEMBER("RetainExceptOnCreate", S_BOOL),
    RN_END,
};
static const rn_member_t create_stack_out[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("OperationId", S_STR),
    RN_END,
};
static const rn_member_t update_stack_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("TemplateURL", S_STR),
    RN_MEMBER("UsePreviousTemplate", S_BOOL),
    RN_MEMBER("StackPolicyDuringUpdateBody", S_STR),
    RN_MEMBER("StackPolicyDuringUpdateURL", S_STR),
    RN_MEMBER("Parameters", L_PARAMETERS),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("ResourceTypes", L_RESOURCE_TYPES),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("RollbackConfiguration", T_ROLLBACK_CONFIGURATION),
    RN_MEMBER("StackPolicyBody", S_STR),
    RN_MEMBER("StackPolicyURL", S_STR),
    RN_MEMBER("NotificationARNs", L_NOTIFICATION_A_R_NS),
    RN_MEMBER("Tags", L_TAGS),
    RN_MEMBER("DisableRollback", S_BOOL),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_MEMBER("RetainExceptOnCreate", S_BOOL),
    RN_END,
};
static const rn_member_t update_stack_out[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("OperationId", S_STR),
    RN_END,
};
static const rn_shape_t L_RETAIN_RESOURCES = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t delete_stack_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("RetainResources", L_RETAIN_RESOURCES),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_MEMBER("DeletionMode", S_STR),
    RN_END,
};
static const rn_member_t describe_stacks_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t output_m[] = {
    RN_MEMBER("OutputKey", S_STR),
    RN_MEMBER("OutputValue", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("ExportName", S_STR),
    RN_END,
};
static const rn_shape_t T_OUTPUT = {RN_T_STRUCT, output_m};
static const rn_shape_t L_OUTPUTS = {RN_T_LIST, .elem = &T_OUTPUT};
static const rn_member_t stack_drift_information_m[] = {
    RN_MEMBER("StackDriftStatus", S_STR),
    RN_MEMBER("LastCheckTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_STACK_DRIFT_INFORMATION = {RN_T_STRUCT, stack_drift_information_m};
static const rn_member_t operation_entry_m[] = {
    RN_MEMBER("OperationType", S_STR),
    RN_MEMBER("OperationId", S_STR),
    RN_END,
};
static const rn_shape_t T_OPERATION_ENTRY = {RN_T_STRUCT, operation_entry_m};
static const rn_shape_t L_LAST_OPERATIONS = {RN_T_LIST, .elem = &T_OPERATION_ENTRY};
static const rn_member_t stack_m[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("ChangeSetId", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("Parameters", L_PARAMETERS),
    RN_MEMBER("CreationTime", S_TIME),
    RN_MEMBER("DeletionTime", S_TIME),
    RN_MEMBER("LastUpdatedTime", S_TIME),
    RN_MEMBER("RollbackConfiguration", T_ROLLBACK_CONFIGURATION),
    RN_MEMBER("StackStatus", S_STR),
    RN_MEMBER("StackStatusReason", S_STR),
    RN_MEMBER("DisableRollback", S_BOOL),
    RN_MEMBER("NotificationARNs", L_NOTIFICATION_A_R_NS),
    RN_MEMBER("TimeoutInMinutes", S_INT),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("Outputs", L_OUTPUTS),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("Tags", L_TAGS),
    RN_MEMBER("EnableTerminationProtection", S_BOOL),
    RN_MEMBER("ParentId", S_STR),
    RN_MEMBER("RootId", S_STR),
    RN_MEMBER("DriftInformation", T_STACK_DRIFT_INFORMATION),
    RN_MEMBER("RetainExceptOnCreate", S_BOOL),
    RN_MEMBER("DeletionMode", S_STR),
    RN_MEMBER("DetailedStatus", S_STR),
    RN_MEMBER("LastOperations", L_LAST_OPERATIONS),
    RN_END,
};
static const rn_shape_t T_STACK = {RN_T_STRUCT, stack_m};
static const rn_shape_t L_STACKS = {RN_T_LIST, .elem = &T_STACK};
static const rn_member_t describe_stacks_out[] = {
    RN_MEMBER("Stacks", L_STACKS),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t describe_stack_events_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t stack_event_m[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("EventId", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("OperationId", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("Timestamp", S_TIME),
    RN_MEMBER("ResourceStatus", S_STR),
    RN_MEMBER("ResourceStatusReason", S_STR),
    RN_MEMBER("ResourceProperties", S_STR),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_MEMBER("HookType", S_STR),
    RN_MEMBER("HookStatus", S_STR),
    RN_MEMBER("HookStatusReason", S_STR),
    RN_MEMBER("HookInvocationPoint", S_STR),
    RN_MEMBER("HookInvocationId", S_STR),
    RN_MEMBER("HookFailureMode", S_STR),
    RN_MEMBER("DetailedStatus", S_STR),
    RN_END,
};
static const rn_shape_t T_STACK_EVENT = {RN_T_STRUCT, stack_event_m};
static const rn_shape_t L_STACK_EVENTS = {RN_T_LIST, .elem = &T_STACK_EVENT};
static const rn_member_t describe_stack_events_out[] = {
    RN_MEMBER("StackEvents", L_STACK_EVENTS),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t describe_stack_resource_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_END,
};
static const rn_member_t stack_resource_drift_information_m[] = {
    RN_MEMBER("StackResourceDriftStatus", S_STR),
    RN_MEMBER("LastCheckTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_STACK_RESOURCE_DRIFT_INFORMATION = {RN_T_STRUCT, stack_resource_drift_information_m};
static const rn_member_t module_info_m[] = {
    RN_MEMBER("TypeHierarchy", S_STR),
    RN_MEMBER("LogicalIdHierarchy", S_STR),
    RN_END,
};
static const rn_shape_t T_MODULE_INFO = {RN_T_STRUCT, module_info_m};
static const rn_member_t stack_resource_detail_m[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("LastUpdatedTimestamp", S_TIME),
    RN_MEMBER("ResourceStatus", S_STR),
    RN_MEMBER("ResourceStatusReason", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("Metadata", S_STR),
    RN_MEMBER("DriftInformation", T_STACK_RESOURCE_DRIFT_INFORMATION),
    RN_MEMBER("ModuleInfo", T_MODULE_INFO),
    RN_END,
};
static const rn_shape_t T_STACK_RESOURCE_DETAIL = {RN_T_STRUCT, stack_resource_detail_m};
static const rn_member_t describe_stack_resource_out[] = {
    RN_MEMBER("StackResourceDetail", T_STACK_RESOURCE_DETAIL),
    RN_END,
};
static const rn_member_t describe_stack_resources_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_END,
};
static const rn_member_t stack_resource_m[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("Timestamp", S_TIME),
    RN_MEMBER("ResourceStatus", S_STR),
    RN_MEMBER("ResourceStatusReason", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("DriftInformation", T_STACK_RESOURCE_DRIFT_INFORMATION),
    RN_MEMBER("ModuleInfo", T_MODULE_INFO),
    RN_END,
};
static const rn_shape_t T_STACK_RESOURCE = {RN_T_STRUCT, stack_resource_m};
static const rn_shape_t L_STACK_RESOURCES = {RN_T_LIST, .elem = &T_STACK_RESOURCE};
static const rn_member_t describe_stack_resources_out[] = {
    RN_MEMBER("StackResources", L_STACK_RESOURCES),
    RN_END,
};
static const rn_shape_t L_STACK_STATUS_FILTER = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t list_stacks_in[] = {
    RN_MEMBER("NextToken", S_STR),
    RN_MEMBER("StackStatusFilter", L_STACK_STATUS_FILTER),
    RN_END,
};
static const rn_member_t stack_drift_information_summary_m[] = {
    RN_MEMBER("StackDriftStatus", S_STR),
    RN_MEMBER("LastCheckTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_STACK_DRIFT_INFORMATION_SUMMARY = {RN_T_STRUCT, stack_drift_information_summary_m};
static const rn_member_t stack_summary_m[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("TemplateDescription", S_STR),
    RN_MEMBER("CreationTime", S_TIME),
    RN_MEMBER("LastUpdatedTime", S_TIME),
    RN_MEMBER("DeletionTime", S_TIME),
    RN_MEMBER("StackStatus", S_STR),
    RN_MEMBER("StackStatusReason", S_STR),
    RN_MEMBER("ParentId", S_STR),
    RN_MEMBER("RootId", S_STR),
    RN_MEMBER("DriftInformation", T_STACK_DRIFT_INFORMATION_SUMMARY),
    RN_MEMBER("LastOperations", L_LAST_OPERATIONS),
    RN_END,
};
static const rn_shape_t T_STACK_SUMMARY = {RN_T_STRUCT, stack_summary_m};
static const rn_shape_t L_STACK_SUMMARIES = {RN_T_LIST, .elem = &T_STACK_SUMMARY};
static const rn_member_t list_stacks_out[] = {
    RN_MEMBER("StackSummaries", L_STACK_SUMMARIES),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t list_stack_resources_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t stack_resource_drift_information_summary_m[] = {
    RN_MEMBER("StackResourceDriftStatus", S_STR),
    RN_MEMBER("LastCheckTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_STACK_RESOURCE_DRIFT_INFORMATION_SUMMARY = {RN_T_STRUCT, stack_resource_drift_information_summary_m};
static const rn_member_t stack_resource_summary_m[] = {
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("LastUpdatedTimestamp", S_TIME),
    RN_MEMBER("ResourceStatus", S_STR),
    RN_MEMBER("ResourceStatusReason", S_STR),
    RN_MEMBER("DriftInformation", T_STACK_RESOURCE_DRIFT_INFORMATION_SUMMARY),
    RN_MEMBER("ModuleInfo", T_MODULE_INFO),
    RN_END,
};
static const rn_shape_t T_STACK_RESOURCE_SUMMARY = {RN_T_STRUCT, stack_resource_summary_m};
static const rn_shape_t L_STACK_RESOURCE_SUMMARIES = {RN_T_LIST, .elem = &T_STACK_RESOURCE_SUMMARY};
static const rn_member_t list_stack_resources_out[] = {
    RN_MEMBER("StackResourceSummaries", L_STACK_RESOURCE_SUMMARIES),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t get_template_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("TemplateStage", S_STR),
    RN_END,
};
static const rn_shape_t L_STAGE_LIST = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t get_template_out[] = {
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("StagesAvailable", L_STAGE_LIST),
    RN_END,
};
static const rn_member_t validate_template_in[] = {
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("TemplateURL", S_STR),
    RN_END,
};
static const rn_member_t template_parameter_m[] = {
    RN_MEMBER("ParameterKey", S_STR),
    RN_MEMBER("DefaultValue", S_STR),
    RN_MEMBER("NoEcho", S_BOOL),
    RN_MEMBER("Description", S_STR),
    RN_END,
};
static const rn_shape_t T_TEMPLATE_PARAMETER = {RN_T_STRUCT, template_parameter_m};
static const rn_shape_t L_TEMPLATE_PARAMETERS = {RN_T_LIST, .elem = &T_TEMPLATE_PARAMETER};
static const rn_shape_t L_TRANSFORMS_LIST = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t validate_template_out[] = {
    RN_MEMBER("Parameters", L_TEMPLATE_PARAMETERS),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("CapabilitiesReason", S_STR),
    RN_MEMBER("DeclaredTransforms", L_TRANSFORMS_LIST),
    RN_END,
};
static const rn_member_t template_summary_config_m[] = {
    RN_MEMBER("TreatUnrecognizedResourceTypesAsWarnings", S_BOOL),
    RN_END,
};
static const rn_shape_t T_TEMPLATE_SUMMARY_CONFIG = {RN_T_STRUCT, template_summary_config_m};
static const rn_member_t get_template_summary_in[] = {
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("TemplateURL", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("StackSetName", S_STR),
    RN_MEMBER("CallAs", S_STR),
    RN_MEMBER("TemplateSummaryConfig", T_TEMPLATE_SUMMARY_CONFIG),
    RN_END,
};
static const rn_shape_t L_ALLOWED_VALUES = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t parameter_constraints_m[] = {
    RN_MEMBER("AllowedValues", L_ALLOWED_VALUES),
    RN_END,
};
static const rn_shape_t T_PARAMETER_CONSTRAINTS = {RN_T_STRUCT, parameter_constraints_m};
static const rn_member_t parameter_declaration_m[] = {
    RN_MEMBER("ParameterKey", S_STR),
    RN_MEMBER("DefaultValue", S_STR),
    RN_MEMBER("ParameterType", S_STR),
    RN_MEMBER("NoEcho", S_BOOL),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("ParameterConstraints", T_PARAMETER_CONSTRAINTS),
    RN_END,
};
static const rn_shape_t T_PARAMETER_DECLARATION = {RN_T_STRUCT, parameter_declaration_m};
static const rn_shape_t L_PARAMETER_DECLARATIONS = {RN_T_LIST, .elem = &T_PARAMETER_DECLARATION};
static const rn_shape_t L_LOGICAL_RESOURCE_IDS = {RN_T_LIST, .elem = &S_STR};
static const rn_shape_t L_RESOURCE_IDENTIFIERS = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t resource_identifier_summary_m[] = {
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("LogicalResourceIds", L_LOGICAL_RESOURCE_IDS),
    RN_MEMBER("ResourceIdentifiers", L_RESOURCE_IDENTIFIERS),
    RN_END,
};
static const rn_shape_t T_RESOURCE_IDENTIFIER_SUMMARY = {RN_T_STRUCT, resource_identifier_summary_m};
static const rn_shape_t L_RESOURCE_IDENTIFIER_SUMMARIES = {RN_T_LIST, .elem = &T_RESOURCE_IDENTIFIER_SUMMARY};
static const rn_member_t warnings_m[] = {
    RN_MEMBER("UnrecognizedResourceTypes", L_RESOURCE_TYPES),
    RN_END,
};
static const rn_shape_t T_WARNINGS = {RN_T_STRUCT, warnings_m};
static const rn_member_t get_template_summary_out[] = {
    RN_MEMBER("Parameters", L_PARAMETER_DECLARATIONS),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("CapabilitiesReason", S_STR),
    RN_MEMBER("ResourceTypes", L_RESOURCE_TYPES),
    RN_MEMBER("Version", S_STR),
    RN_MEMBER("Metadata", S_STR),
    RN_MEMBER("DeclaredTransforms", L_TRANSFORMS_LIST),
    RN_MEMBER("ResourceIdentifierSummaries", L_RESOURCE_IDENTIFIER_SUMMARIES),
    RN_MEMBER("Warnings", T_WARNINGS),
    RN_END,
};
static const rn_shape_t M_RESOURCE_IDENTIFIER_PROPERTIES = {RN_T_MAP, .elem = &S_STR, .key = "key", .value = "value"};
static const rn_member_t resource_to_import_m[] = {
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("ResourceIdentifier", M_RESOURCE_IDENTIFIER_PROPERTIES),
    RN_END,
};
static const rn_shape_t T_RESOURCE_TO_IMPORT = {RN_T_STRUCT, resource_to_import_m};
static const rn_shape_t L_RESOURCES_TO_IMPORT = {RN_T_LIST, .elem = &T_RESOURCE_TO_IMPORT};
static const rn_member_t create_change_set_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("TemplateBody", S_STR),
    RN_MEMBER("TemplateURL", S_STR),
    RN_MEMBER("UsePreviousTemplate", S_BOOL),
    RN_MEMBER("Parameters", L_PARAMETERS),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("ResourceTypes", L_RESOURCE_TYPES),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("RollbackConfiguration", T_ROLLBACK_CONFIGURATION),
    RN_MEMBER("NotificationARNs", L_NOTIFICATION_A_R_NS),
    RN_MEMBER("Tags", L_TAGS),
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("ClientToken", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("ChangeSetType", S_STR),
    RN_MEMBER("ResourcesToImport", L_RESOURCES_TO_IMPORT),
    RN_MEMBER("IncludeNestedStacks", S_BOOL),
    RN_MEMBER("OnStackFailure", S_STR),
    RN_MEMBER("ImportExistingResources", S_BOOL),
    RN_MEMBER("DeploymentMode", S_STR),
    RN_END,
};
static const rn_member_t create_change_set_out[] = {
    RN_MEMBER("Id", S_STR),
    RN_MEMBER("StackId", S_STR),
    RN_END,
};
static const rn_member_t describe_change_set_in[] = {
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_MEMBER("IncludePropertyValues", S_BOOL),
    RN_END,
};
static const rn_shape_t L_SCOPE = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t resource_drift_ignored_attribute_m[] = {
    RN_MEMBER("Path", S_STR),
    RN_MEMBER("Reason", S_STR),
    RN_END,
};
static const rn_shape_t T_RESOURCE_DRIFT_IGNORED_ATTRIBUTE = {RN_T_STRUCT, resource_drift_ignored_attribute_m};
static const rn_shape_t L_RESOURCE_DRIFT_IGNORED_ATTRIBUTES = {RN_T_LIST, .elem = &T_RESOURCE_DRIFT_IGNORED_ATTRIBUTE};
static const rn_member_t live_resource_drift_m[] = {
    RN_MEMBER("PreviousValue", S_STR),
    RN_MEMBER("ActualValue", S_STR),
    RN_MEMBER("DriftDetectionTimestamp", S_TIME),
    RN_END,
};
static const rn_shape_t T_LIVE_RESOURCE_DRIFT = {RN_T_STRUCT, live_resource_drift_m};
static const rn_member_t resource_target_definition_m[] = {
    RN_MEMBER("Attribute", S_STR),
    RN_MEMBER("Name", S_STR),
    RN_MEMBER("RequiresRecreation", S_STR),
    RN_MEMBER("Path", S_STR),
    RN_MEMBER("BeforeValue", S_STR),
    RN_MEMBER("AfterValue", S_STR),
    RN_MEMBER("BeforeValueFrom", S_STR),
    RN_MEMBER("AfterValueFrom", S_STR),
    RN_MEMBER("Drift", T_LIVE_RESOURCE_DRIFT),
    RN_MEMBER("AttributeChangeType", S_STR),
    RN_END,
};
static const rn_shape_t T_RESOURCE_TARGET_DEFINITION = {RN_T_STRUCT, resource_target_definition_m};
static const rn_member_t resource_change_detail_m[] = {
    RN_MEMBER("Target", T_RESOURCE_TARGET_DEFINITION),
    RN_MEMBER("Evaluation", S_STR),
    RN_MEMBER("ChangeSource", S_STR),
    RN_MEMBER("CausingEntity", S_STR),
    RN_END,
};
static const rn_shape_t T_RESOURCE_CHANGE_DETAIL = {RN_T_STRUCT, resource_change_detail_m};
static const rn_shape_t L_RESOURCE_CHANGE_DETAILS = {RN_T_LIST, .elem = &T_RESOURCE_CHANGE_DETAIL};
static const rn_member_t resource_change_m[] = {
    RN_MEMBER("PolicyAction", S_STR),
    RN_MEMBER("Action", S_STR),
    RN_MEMBER("LogicalResourceId", S_STR),
    RN_MEMBER("PhysicalResourceId", S_STR),
    RN_MEMBER("ResourceType", S_STR),
    RN_MEMBER("Replacement", S_STR),
    RN_MEMBER("Scope", L_SCOPE),
    RN_MEMBER("ResourceDriftStatus", S_STR),
    RN_MEMBER("ResourceDriftIgnoredAttributes", L_RESOURCE_DRIFT_IGNORED_ATTRIBUTES),
    RN_MEMBER("Details", L_RESOURCE_CHANGE_DETAILS),
    RN_MEMBER("ChangeSetId", S_STR),
    RN_MEMBER("ModuleInfo", T_MODULE_INFO),
    RN_MEMBER("BeforeContext", S_STR),
    RN_MEMBER("AfterContext", S_STR),
    RN_MEMBER("PreviousDeploymentContext", S_STR),
    RN_END,
};
static const rn_shape_t T_RESOURCE_CHANGE = {RN_T_STRUCT, resource_change_m};
static const rn_member_t change_m[] = {
    RN_MEMBER("Type", S_STR),
    RN_MEMBER("HookInvocationCount", S_INT),
    RN_MEMBER("ResourceChange", T_RESOURCE_CHANGE),
    RN_END,
};
static const rn_shape_t T_CHANGE = {RN_T_STRUCT, change_m};
static const rn_shape_t L_CHANGES = {RN_T_LIST, .elem = &T_CHANGE};
static const rn_member_t describe_change_set_out[] = {
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("ChangeSetId", S_STR),
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("Parameters", L_PARAMETERS),
    RN_MEMBER("CreationTime", S_TIME),
    RN_MEMBER("ExecutionStatus", S_STR),
    RN_MEMBER("Status", S_STR),
    RN_MEMBER("StatusReason", S_STR),
    RN_MEMBER("StackDriftStatus", S_STR),
    RN_MEMBER("NotificationARNs", L_NOTIFICATION_A_R_NS),
    RN_MEMBER("RollbackConfiguration", T_ROLLBACK_CONFIGURATION),
    RN_MEMBER("Capabilities", L_CAPABILITIES),
    RN_MEMBER("Tags", L_TAGS),
    RN_MEMBER("Changes", L_CHANGES),
    RN_MEMBER("NextToken", S_STR),
    RN_MEMBER("IncludeNestedStacks", S_BOOL),
    RN_MEMBER("ParentChangeSetId", S_STR),
    RN_MEMBER("RootChangeSetId", S_STR),
    RN_MEMBER("OnStackFailure", S_STR),
    RN_MEMBER("ImportExistingResources", S_BOOL),
    RN_MEMBER("DeploymentMode", S_STR),
    RN_END,
};
static const rn_member_t execute_change_set_in[] = {
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_MEMBER("DisableRollback", S_BOOL),
    RN_MEMBER("RetainExceptOnCreate", S_BOOL),
    RN_END,
};
static const rn_member_t execute_change_set_out[] = {

    RN_END,
};
static const rn_member_t delete_change_set_in[] = {
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_END,
};
static const rn_member_t delete_change_set_out[] = {

    RN_END,
};
static const rn_member_t list_change_sets_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t change_set_summary_m[] = {
    RN_MEMBER("StackId", S_STR),
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("ChangeSetId", S_STR),
    RN_MEMBER("ChangeSetName", S_STR),
    RN_MEMBER("ExecutionStatus", S_STR),
    RN_MEMBER("Status", S_STR),
    RN_MEMBER("StatusReason", S_STR),
    RN_MEMBER("CreationTime", S_TIME),
    RN_MEMBER("Description", S_STR),
    RN_MEMBER("IncludeNestedStacks", S_BOOL),
    RN_MEMBER("ParentChangeSetId", S_STR),
    RN_MEMBER("RootChangeSetId", S_STR),
    RN_MEMBER("ImportExistingResources", S_BOOL),
    RN_END,
};
static const rn_shape_t T_CHANGE_SET_SUMMARY = {RN_T_STRUCT, change_set_summary_m};
static const rn_shape_t L_CHANGE_SET_SUMMARIES = {RN_T_LIST, .elem = &T_CHANGE_SET_SUMMARY};
static const rn_member_t list_change_sets_out[] = {
    RN_MEMBER("Summaries", L_CHANGE_SET_SUMMARIES),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t list_exports_in[] = {
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t export_m[] = {
    RN_MEMBER("ExportingStackId", S_STR),
    RN_MEMBER("Name", S_STR),
    RN_MEMBER("Value", S_STR),
    RN_END,
};
static const rn_shape_t T_EXPORT = {RN_T_STRUCT, export_m};
static const rn_shape_t L_EXPORTS = {RN_T_LIST, .elem = &T_EXPORT};
static const rn_member_t list_exports_out[] = {
    RN_MEMBER("Exports", L_EXPORTS),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t list_imports_in[] = {
    RN_MEMBER("ExportName", S_STR),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_shape_t L_IMPORTS = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t list_imports_out[] = {
    RN_MEMBER("Imports", L_IMPORTS),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t cancel_update_stack_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_END,
};
static const rn_member_t update_termination_protection_in[] = {
    RN_MEMBER("EnableTerminationProtection", S_BOOL),
    RN_MEMBER("StackName", S_STR),
    RN_END,
};
static const rn_member_t update_termination_protection_out[] = {
    RN_MEMBER("StackId", S_STR),
    RN_END,
};
static const rn_member_t set_stack_policy_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("StackPolicyBody", S_STR),
    RN_MEMBER("StackPolicyURL", S_STR),
    RN_END,
};
static const rn_member_t get_stack_policy_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_END,
};
static const rn_member_t get_stack_policy_out[] = {
    RN_MEMBER("StackPolicyBody", S_STR),
    RN_END,
};
static const rn_member_t describe_account_limits_in[] = {
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_member_t account_limit_m[] = {
    RN_MEMBER("Name", S_STR),
    RN_MEMBER("Value", S_INT),
    RN_END,
};
static const rn_shape_t T_ACCOUNT_LIMIT = {RN_T_STRUCT, account_limit_m};
static const rn_shape_t L_ACCOUNT_LIMIT_LIST = {RN_T_LIST, .elem = &T_ACCOUNT_LIMIT};
static const rn_member_t describe_account_limits_out[] = {
    RN_MEMBER("AccountLimits", L_ACCOUNT_LIMIT_LIST),
    RN_MEMBER("NextToken", S_STR),
    RN_END,
};
static const rn_shape_t L_RESOURCES_TO_SKIP = {RN_T_LIST, .elem = &S_STR};
static const rn_member_t continue_update_rollback_in[] = {
    RN_MEMBER("StackName", S_STR),
    RN_MEMBER("RoleARN", S_STR),
    RN_MEMBER("ResourcesToSkip", L_RESOURCES_TO_SKIP),
    RN_MEMBER("ClientRequestToken", S_STR),
    RN_END,
};
static const rn_member_t continue_update_rollback_out[] = {

    RN_END,
};

static const rn_op_t ops[] = {
    {"CreateStack", create_stack_in, create_stack_out},
    {"UpdateStack", update_stack_in, update_stack_out},
    {"DeleteStack", delete_stack_in, none},
    {"DescribeStacks", describe_stacks_in, describe_stacks_out},
    {"DescribeStackEvents", describe_stack_events_in, describe_stack_events_out},
    {"DescribeStackResource", describe_stack_resource_in, describe_stack_resource_out},
    {"DescribeStackResources", describe_stack_resources_in, describe_stack_resources_out},
    {"ListStacks", list_stacks_in, list_stacks_out},
    {"ListStackResources", list_stack_resources_in, list_stack_resources_out},
    {"GetTemplate", get_template_in, get_template_out},
    {"ValidateTemplate", validate_template_in, validate_template_out},
    {"GetTemplateSummary", get_template_summary_in, get_template_summary_out},
    {"CreateChangeSet", create_change_set_in, create_change_set_out},
    {"DescribeChangeSet", describe_change_set_in, describe_change_set_out},
    {"ExecuteChangeSet", execute_change_set_in, execute_change_set_out},
    {"DeleteChangeSet", delete_change_set_in, delete_change_set_out},
    {"ListChangeSets", list_change_sets_in, list_change_sets_out},
    {"ListExports", list_exports_in, list_exports_out},
    {"ListImports", list_imports_in, list_imports_out},
    {"CancelUpdateStack", cancel_update_stack_in, none},
    {"UpdateTerminationProtection", update_termination_protection_in, update_termination_protection_out},
    {"SetStackPolicy", set_stack_policy_in, none},
    {"GetStackPolicy", get_stack_policy_in, get_stack_policy_out},
    {"DescribeAccountLimits", describe_account_limits_in, describe_account_limits_out},
    {"ContinueUpdateRollback", continue_update_rollback_in, continue_update_rollback_out},
    {NULL, NULL, NULL},
};

const rn_api_t cfn_api = {ops, "http://cloudformation.amazonaws.com/doc/2010-05-15/", NULL, NULL};
