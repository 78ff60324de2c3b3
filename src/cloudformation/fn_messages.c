/* SPDX-License-Identifier: MIT
 * AWS's texts for the intrinsic functions' shape errors, in one place: the
 * checks (check.c) report them before anything is made and the evaluators
 * (intrinsic.c, fn_value.c, condition.c, sub.c) when a value only known at
 * run time has the wrong shape, and both must say the same words. */
#include "cloudformation/tmpl_int.h"

const char cfn_supported_functions[] =
    "[Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, "
    "Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString]";
const char cfn_msg_getatt_shape[] =
    "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the "
    "resource attribute";
const char cfn_msg_sub_shape[] =
    "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a "
    "string as first argument, and an optional second argument to specify a mapping of values to replace in "
    "the string";
const char cfn_msg_sub_name[] =
    "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, "
    "underscores, periods, and colons";
const char cfn_msg_join_shape[] =
    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of "
    "strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.";
const char cfn_msg_select_shape[] =
    "Template error: Fn::Select requires a list argument with two elements: an integer index and a list";
const char cfn_msg_split_shape[] =
    "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string "
    "to be split or a function that returns a string to be split.";
const char cfn_msg_equals_shape[] = "Template error: every Fn::Equals object requires a list of 2 string parameters.";
const char cfn_msg_not_shape[] = "Template error: Fn::Not requires a list argument with one element";
const char cfn_msg_if_first[] =
    "Template error: Fn::If requires a list argument with the first element being a condition";
const char cfn_msg_if_three[] = "Template error: Fn::If requires a list argument with three elements";
const char cfn_msg_map_shape[] =
    "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the "
    "attribute for return value";
const char cfn_msg_cidr_shape[] =
    "Template error: Fn::Cidr requires a list argument with three elements: an IP block, a count of subnets "
    "and a number of subnet bits";
const char cfn_msg_transform[] =
    "Template error: Fn::Transform (macros such as AWS::Include) is not supported by Runnel";
