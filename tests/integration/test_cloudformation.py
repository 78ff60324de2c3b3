# SPDX-License-Identifier: MIT
"""CloudFormation's stack engine through boto3 (the query protocol every SDK
speaks for it): stacks created in dependency order with AWS's statuses and
events, rollback when a resource fails (with the failed resource's reason),
updates that add, replace, update and remove resources and roll back on
failure, change sets as `aws cloudformation deploy` drives them, outputs,
exports, capabilities, DeletionPolicy Retain, termination protection, the
errors AWS gives, and stacks surviving kill -9. The real resources are
checked through the services' own APIs."""
import http.client
import json
import re
import unittest

import harness


def tpl(resources, outputs=None, **extra):
    t = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        t["Outputs"] = outputs
    t.update(extra)
    return json.dumps(t)


def queue(name=None, **props):
    if name:
        props["QueueName"] = name
    r = {"Type": "AWS::SQS::Queue"}
    if props:
        r["Properties"] = props
    return r


class CfnTest(harness.ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cf = cls.server.client("cloudformation")

    def stack(self, name):
        return self.cf.describe_stacks(StackName=name)["Stacks"][0]

    def events(self, name):
        """(logical id, status, reason) oldest first."""
        evs = self.cf.describe_stack_events(StackName=name)["StackEvents"][::-1]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason")) for e in evs]

    def queues(self):
        return sorted(u.rsplit("/", 1)[1] for u in self.sqs.list_queues().get("QueueUrls", []))

    def outputs(self, name):
        return {o["OutputKey"]: o["OutputValue"] for o in self.stack(name).get("Outputs", [])}


class TestCreate(CfnTest):
    def test_create_makes_the_resources_with_outputs_and_events(self):
        body = tpl({"Named": queue("orders"), "Unnamed": queue()},
                   {"Url": {"Value": {"Ref": "Named"}, "Description": "the queue"},
                    "Arn": {"Value": {"Fn::GetAtt": ["Unnamed", "Arn"]}}},
                   Description="two queues")
        sid = self.cf.create_stack(StackName="shop", TemplateBody=body)["StackId"]
        self.assertRegex(sid, r"^arn:aws:cloudformation:us-east-1:000000000000:stack/shop/[0-9a-f-]{36}$")
        st = self.stack("shop")
        self.assertEqual((st["StackStatus"], st["StackId"], st["Description"]), ("CREATE_COMPLETE", sid, "two queues"))
        out = self.outputs("shop")
        self.assertTrue(out["Url"].endswith("/000000000000/orders"), out)
        self.assertRegex(out["Arn"], r"^arn:aws:sqs:us-east-1:000000000000:shop-Unnamed-[A-Z0-9]{13}$")
        generated = out["Arn"].rsplit(":", 1)[1]
        self.assertEqual(self.queues(), sorted(["orders", generated]))
        ev = self.events("shop")
        self.assertEqual(ev[0], ("shop", "CREATE_IN_PROGRESS", "User Initiated"))
        self.assertEqual(ev[-1][:2], ("shop", "CREATE_COMPLETE"))
        for logical in ("Named", "Unnamed"):
            mine = [s for (l, s, _) in ev if l == logical]
            self.assertEqual(mine[0], "CREATE_IN_PROGRESS")
            self.assertEqual(mine[-1], "CREATE_COMPLETE")
        res = {r["LogicalResourceId"]: r for r in self.cf.describe_stack_resources(StackName="shop")["StackResources"]}
        self.assertEqual(res["Named"]["PhysicalResourceId"], out["Url"])
        self.assertEqual(res["Named"]["ResourceType"], "AWS::SQS::Queue")
        one = self.cf.describe_stack_resource(StackName="shop", LogicalResourceId="Unnamed")["StackResourceDetail"]
        self.assertEqual(one["ResourceStatus"], "CREATE_COMPLETE")
        self.assertTrue(one["PhysicalResourceId"].endswith("/" + generated))
        summ = self.cf.list_stack_resources(StackName="shop")["StackResourceSummaries"]
        self.assertEqual(sorted(s["LogicalResourceId"] for s in summ), ["Named", "Unnamed"])

    def test_dependencies_come_first(self):
        body = tpl({"B": {"Type": "AWS::SQS::Queue", "DependsOn": "A"}, "A": queue("first")})
        self.cf.create_stack(StackName="order", TemplateBody=body)
        creates = [l for (l, s, _) in self.events("order") if s == "CREATE_COMPLETE" and l != "order"]
        self.assertEqual(creates, ["A", "B"])

    def test_a_failed_resource_rolls_the_stack_back(self):
        body = tpl({"Good": queue("kept-until-rollback"), "Bad": {"Type": "AWS::S3::Bucket", "DependsOn": "Good"}})
        self.cf.create_stack(StackName="broken", TemplateBody=body)
        st = self.stack("broken")
        self.assertEqual(st["StackStatus"], "ROLLBACK_COMPLETE")
        ev = self.events("broken")
        self.assertIn(("Bad", "CREATE_FAILED", "Runnel does not support resource type AWS::S3::Bucket"), ev)
        self.assertIn(("broken", "ROLLBACK_IN_PROGRESS",
                       "The following resource(s) failed to create: [Bad]. Rollback requested by user."), ev)
        self.assertIn(("Good", "DELETE_COMPLETE", None), ev)
        self.assertEqual(self.queues(), [])
        # a rolled-back stack can only be deleted
        msg = self.assertError("ValidationError", self.cf.update_stack, StackName="broken", TemplateBody=body)
        self.assertRegex(msg, r"^Stack:arn:aws:cloudformation:.*:stack/broken/.* is in ROLLBACK_COMPLETE state and can "
                              r"not be updated\.$")
        self.assertError("AlreadyExistsException", self.cf.create_stack, StackName="broken", TemplateBody=body)
        self.cf.delete_stack(StackName="broken")
        self.assertError("ValidationError", self.cf.describe_stacks, StackName="broken")

    def test_on_failure_do_nothing_and_delete(self):
        body = tpl({"Good": queue("left-behind"), "Bad": {"Type": "AWS::S3::Bucket", "DependsOn": "Good"}})
        self.cf.create_stack(StackName="keep", TemplateBody=body, OnFailure="DO_NOTHING")
        self.assertEqual(self.stack("keep")["StackStatus"], "CREATE_FAILED")
        self.assertEqual(self.queues(), ["left-behind"])
        self.cf.delete_stack(StackName="keep")
        self.assertEqual(self.queues(), [])
        sid = self.cf.create_stack(StackName="gone", TemplateBody=body.replace("left-behind", "x2"),
                                   OnFailure="DELETE")["StackId"]
        self.assertEqual(self.cf.describe_stacks(StackName=sid)["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")
        self.assertError("ValidationError", self.cf.describe_stacks, StackName="gone")
        self.assertEqual(self.queues(), [])

    def test_a_service_error_is_the_resources_reason(self):
        self.cf.create_stack(StackName="badname", TemplateBody=tpl({"Q": queue("no spaces allowed")}))
        reason = [r for (l, s, r) in self.events("badname") if l == "Q" and s == "CREATE_FAILED"][0]
        self.assertTrue(reason.startswith('Resource handler returned message: "'), reason)
        self.assertIn("Can only include alphanumeric characters, hyphens, or underscores", reason)

    def test_request_errors(self):
        body = tpl({"Q": queue()})
        msg = self.assertError("ValidationError", self.cf.create_stack, StackName="bad_name", TemplateBody=body)
        self.assertIn("Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", msg)
        msg = self.assertError("ValidationError", self.cf.create_stack, StackName="s",
                               TemplateURL="https://bucket.s3.amazonaws.com/t.json")
        self.assertIn("Runnel has no S3", msg)
        self.assertError("ValidationError", self.cf.create_stack, StackName="s", TemplateBody="{not json")
        msg = self.assertError("ValidationError", self.cf.create_stack, StackName="s", TemplateBody="{}")
        self.assertTrue(msg.startswith("Template format error:"), msg)
        msg = self.assertError("ValidationError", self.cf.describe_stacks, StackName="nope")
        self.assertEqual(msg, "Stack with id nope does not exist")
        self.cf.delete_stack(StackName="never-existed")  # AWS answers success
        self.cf.create_stack(StackName="dup", TemplateBody=body)
        msg = self.assertError("AlreadyExistsException", self.cf.create_stack, StackName="dup", TemplateBody=body)
        self.assertEqual(msg, "Stack [dup] already exists")
        self.assertEqual([s["StackName"] for s in self.cf.describe_stacks()["Stacks"]], ["dup"])

    def test_iam_resources_need_capabilities(self):
        role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
                                                                                       "Statement": []}}}
        msg = self.assertError("InsufficientCapabilitiesException", self.cf.create_stack, StackName="iam",
                               TemplateBody=tpl({"R": role}))
        self.assertEqual(msg, "Requires capabilities : [CAPABILITY_IAM]")
        named = dict(role, Properties=dict(role["Properties"], RoleName="fixed"))
        msg = self.assertError("InsufficientCapabilitiesException", self.cf.create_stack, StackName="iam",
                               TemplateBody=tpl({"R": named}), Capabilities=["CAPABILITY_IAM"])
        self.assertEqual(msg, "Requires capabilities : [CAPABILITY_NAMED_IAM]")
        v = self.cf.validate_template(TemplateBody=tpl({"R": named}))
        self.assertEqual(v["Capabilities"], ["CAPABILITY_NAMED_IAM"])
        self.assertEqual(v["CapabilitiesReason"], "The following resource(s) require capabilities: [AWS::IAM::Role]")

    def test_retain_and_termination_protection(self):
        body = tpl({"Kept": dict(queue("survivor"), DeletionPolicy="Retain"), "Gone": queue("goner")})
        self.cf.create_stack(StackName="ret", TemplateBody=body, EnableTerminationProtection=True)
        msg = self.assertError("ValidationError", self.cf.delete_stack, StackName="ret")
        self.assertEqual(msg, "Stack [ret] cannot be deleted while TerminationProtection is enabled")
        self.cf.update_termination_protection(StackName="ret", EnableTerminationProtection=False)
        self.cf.delete_stack(StackName="ret")
        self.assertEqual(self.queues(), ["survivor"])
        sid = [s["StackId"] for s in self.cf.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]][0]
        ev = self.cf.describe_stack_events(StackName=sid)["StackEvents"]
        self.assertIn("DELETE_SKIPPED", [e["ResourceStatus"] for e in ev if e["LogicalResourceId"] == "Kept"])
        self.assertEqual(self.cf.describe_stacks(StackName=sid)["Stacks"][0]["StackStatus"], "DELETE_COMPLETE")

    def test_templates_read_back(self):
        body = tpl({"Q": queue()}, Description="read me",
                   Parameters={"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"],
                                       "Description": "where"},
                               "Secret": {"Type": "String", "NoEcho": True, "Default": "s3cr3t"}})
        self.cf.create_stack(StackName="tb", TemplateBody=body)
        self.assertEqual(json.loads(json.dumps(self.cf.get_template(StackName="tb")["TemplateBody"])),
                         json.loads(body))
        params = {p["ParameterKey"]: p["ParameterValue"] for p in self.stack("tb")["Parameters"]}
        self.assertEqual(params, {"Env": "dev", "Secret": "****"})
        s = self.cf.get_template_summary(TemplateBody=body)
        self.assertEqual(s["ResourceTypes"], ["AWS::SQS::Queue"])
        self.assertEqual(s["Description"], "read me")
        decl = {p["ParameterKey"]: p for p in s["Parameters"]}
        self.assertEqual(decl["Env"]["ParameterConstraints"]["AllowedValues"], ["dev", "prod"])
        self.assertTrue(decl["Secret"]["NoEcho"])
        v = self.cf.validate_template(TemplateBody=body)
        self.assertEqual(sorted(p["ParameterKey"] for p in v["Parameters"]), ["Env", "Secret"])

    def test_json_protocol_face(self):
        self.cf.create_stack(StackName="js", TemplateBody=tpl({"Q": queue()}))
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("POST", "/", body=json.dumps({"StackName": "js"}),
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": "CloudFormation.DescribeStacks"})
        r = conn.getresponse()
        out = json.loads(r.read())
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(out["Stacks"][0]["StackStatus"], "CREATE_COMPLETE")


class TestUpdate(CfnTest):
    def test_update_adds_replaces_and_removes(self):
        self.cf.create_stack(StackName="up", TemplateBody=tpl({"A": queue("qa"), "B": queue("qb")}))
        self.cf.update_stack(StackName="up", TemplateBody=tpl({"A": queue("qa2"), "C": queue("qc")}))
        st = self.stack("up")
        self.assertEqual(st["StackStatus"], "UPDATE_COMPLETE")
        self.assertIn("LastUpdatedTime", st)
        self.assertEqual(self.queues(), ["qa2", "qc"])
        ev = self.events("up")
        start = max(i for i, e in enumerate(ev) if e[:2] == ("up", "UPDATE_IN_PROGRESS"))
        tail = ev[start:]
        self.assertIn(("A", "UPDATE_IN_PROGRESS",
                       "Requested update requires the creation of a new physical resource; hence creating one."), tail)
        self.assertIn(("up", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None), tail)
        self.assertEqual(tail[-1][:2], ("up", "UPDATE_COMPLETE"))
        deleted = [l for (l, s, _) in tail if s == "DELETE_COMPLETE"]
        self.assertEqual(sorted(deleted), ["A", "B"])  # old A after its replacement, B removed
        res = {r["LogicalResourceId"]: r["PhysicalResourceId"]
               for r in self.cf.describe_stack_resources(StackName="up")["StackResources"]}
        self.assertTrue(res["A"].endswith("/qa2"))
        msg = self.assertError("ValidationError", self.cf.update_stack, StackName="up",
                               TemplateBody=tpl({"A": queue("qa2"), "C": queue("qc")}))
        self.assertEqual(msg, "No updates are to be performed.")
        msg = self.assertError("ValidationError", self.cf.update_stack, StackName="nothere",
                               TemplateBody=tpl({"A": queue()}))
        self.assertEqual(msg, "Stack [nothere] does not exist")

    def test_a_failed_update_rolls_back_to_what_was_there(self):
        self.cf.create_stack(StackName="rb", TemplateBody=tpl({"A": queue("stay")}))
        self.cf.update_stack(StackName="rb", TemplateBody=tpl({"A": queue("stay"), "N": queue("new-one"),
                                                               "X": {"Type": "AWS::S3::Bucket", "DependsOn": "N"}}))
        st = self.stack("rb")
        self.assertEqual(st["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        ev = self.events("rb")
        self.assertIn(("rb", "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [X]. "), ev)
        self.assertEqual(self.queues(), ["stay"])
        self.assertEqual([r["LogicalResourceId"] for r in
                          self.cf.describe_stack_resources(StackName="rb")["StackResources"]], ["A"])
        # and it can be updated again afterwards (once SQS lets the deleted
        # queue's name be used again)
        self.advance(61)
        self.cf.update_stack(StackName="rb", TemplateBody=tpl({"A": queue("stay"), "N": queue("new-one")}))
        self.assertEqual(self.stack("rb")["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.queues(), ["new-one", "stay"])

    def test_use_previous_template(self):
        body = tpl({"Q": queue()}, Parameters={"P": {"Type": "String"}})
        self.cf.create_stack(StackName="prev", TemplateBody=body, Parameters=[{"ParameterKey": "P",
                                                                              "ParameterValue": "1"}])
        msg = self.assertError("ValidationError", self.cf.update_stack, StackName="prev", UsePreviousTemplate=True,
                               Parameters=[{"ParameterKey": "P", "UsePreviousValue": True}])
        self.assertEqual(msg, "No updates are to be performed.")
        self.cf.update_stack(StackName="prev", UsePreviousTemplate=True,
                             Parameters=[{"ParameterKey": "P", "ParameterValue": "2"}])
        self.assertEqual(self.stack("prev")["Parameters"], [{"ParameterKey": "P", "ParameterValue": "2"}])


class TestChangeSets(CfnTest):
    def test_create_change_set_flow(self):
        cs = self.cf.create_change_set(StackName="cs", ChangeSetName="first", ChangeSetType="CREATE",
                                       TemplateBody=tpl({"Q": queue("from-cs")}), Description="initial")
        self.assertRegex(cs["Id"], r"^arn:aws:cloudformation:us-east-1:000000000000:changeSet/first/[0-9a-f-]{36}$")
        self.assertEqual(self.stack("cs")["StackStatus"], "REVIEW_IN_PROGRESS")
        self.assertEqual(self.queues(), [])
        self.assertError("ValidationError", self.cf.get_template_summary, StackName="cs")  # no template yet
        d = self.cf.describe_change_set(ChangeSetName="first", StackName="cs")
        self.assertEqual((d["Status"], d["ExecutionStatus"], d["Description"]),
                         ("CREATE_COMPLETE", "AVAILABLE", "initial"))
        self.assertEqual([(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
                          for c in d["Changes"]], [("Add", "Q")])
        self.cf.execute_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(self.stack("cs")["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(self.queues(), ["from-cs"])
        self.assertEqual(self.cf.describe_change_set(ChangeSetName=cs["Id"])["ExecutionStatus"], "EXECUTE_COMPLETE")
        msg = self.assertError("InvalidChangeSetStatus", self.cf.execute_change_set, ChangeSetName=cs["Id"])
        self.assertIn("EXECUTE_COMPLETE", msg)

    def test_update_change_set_lists_each_change(self):
        self.cf.create_stack(StackName="cu", TemplateBody=tpl({"Keep": queue("k"), "Swap": queue("s1"),
                                                               "Drop": queue("d")}))
        cs = self.cf.create_change_set(StackName="cu", ChangeSetName="next",
                                       TemplateBody=tpl({"Keep": queue("k"), "Swap": queue("s2"), "Add": queue("a")}))
        d = self.cf.describe_change_set(ChangeSetName=cs["Id"])
        changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in d["Changes"]}
        self.assertEqual(sorted(changes), ["Add", "Drop", "Swap"])
        self.assertEqual(changes["Add"]["Action"], "Add")
        self.assertEqual(changes["Drop"]["Action"], "Remove")
        self.assertEqual((changes["Swap"]["Action"], changes["Swap"]["Replacement"]), ("Modify", "True"))
        self.assertEqual([x["Target"]["Name"] for x in changes["Swap"]["Details"]], ["QueueName"])
        self.assertEqual(self.queues(), ["d", "k", "s1"])  # nothing happens before execution
        summaries = self.cf.list_change_sets(StackName="cu")["Summaries"]
        self.assertEqual([s["ChangeSetName"] for s in summaries], ["next"])
        self.cf.execute_change_set(ChangeSetName="next", StackName="cu")
        self.assertEqual(self.stack("cu")["StackStatus"], "UPDATE_COMPLETE")
        self.assertEqual(self.queues(), ["a", "k", "s2"])

    def test_no_changes_and_deleting(self):
        body = tpl({"Q": queue("same")})
        self.cf.create_stack(StackName="nc", TemplateBody=body)
        self.cf.create_change_set(StackName="nc", ChangeSetName="noop", TemplateBody=body)
        d = self.cf.describe_change_set(ChangeSetName="noop", StackName="nc")
        self.assertEqual((d["Status"], d["ExecutionStatus"]), ("FAILED", "UNAVAILABLE"))
        self.assertEqual(d["StatusReason"], "The submitted information didn't contain changes. Submit different "
                                            "information to create a change set.")
        self.cf.delete_change_set(ChangeSetName="noop", StackName="nc")
        msg = self.assertError("ChangeSetNotFound", self.cf.describe_change_set, ChangeSetName="noop", StackName="nc")
        self.assertEqual(msg, "ChangeSet [noop] does not exist")
        msg = self.assertError("ValidationError", self.cf.create_change_set, StackName="missing", ChangeSetName="x",
                               TemplateBody=body)
        self.assertEqual(msg, "Stack [missing] does not exist")
        msg = self.assertError("AlreadyExistsException", self.cf.create_change_set, StackName="nc",
                               ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=body)
        self.assertEqual(msg, "Stack [nc] already exists and cannot be created again with the changeSet [again].")


class TestExports(CfnTest):
    def test_export_names_are_unique_across_stacks(self):
        out = {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "shared-arn"}}}
        self.cf.create_stack(StackName="exp1", TemplateBody=tpl({"Q": queue("e1")}, out))
        ex = self.cf.list_exports()["Exports"]
        self.assertEqual([(e["Name"], e["Value"]) for e in ex],
                         [("shared-arn", "arn:aws:sqs:us-east-1:000000000000:e1")])
        self.assertEqual(ex[0]["ExportingStackId"], self.stack("exp1")["StackId"])
        self.cf.create_stack(StackName="exp2", TemplateBody=tpl({"Q": queue("e2")}, out))
        self.assertEqual(self.stack("exp2")["StackStatus"], "ROLLBACK_COMPLETE")
        self.assertIn(("exp2", "ROLLBACK_IN_PROGRESS", "Export with name shared-arn is already exported by stack exp1"),
                      self.events("exp2"))
        msg = self.assertError("ValidationError", self.cf.list_imports, ExportName="shared-arn")
        self.assertEqual(msg, "Export 'shared-arn' is not imported by any stack.")


class TestDurable(unittest.TestCase):
    def test_stacks_survive_kill_9(self):
        with harness.DataDir("runnel-cfn-") as d:
            server = d.start()
            cf = server.client("cloudformation")
            cf.create_stack(StackName="durable", TemplateBody=tpl({"Q": queue("dq")}, {"U": {"Value": {"Ref": "Q"}}}))
            cs = cf.create_change_set(StackName="durable", ChangeSetName="pending",
                                      TemplateBody=tpl({"Q": queue("dq"), "R": queue("dr")}))
            n_events = len(cf.describe_stack_events(StackName="durable")["StackEvents"])
            server.kill()
            server = d.start()
            cf = server.client("cloudformation")
            st = cf.describe_stacks(StackName="durable")["Stacks"][0]
            self.assertEqual(st["StackStatus"], "CREATE_COMPLETE")
            self.assertTrue(st["Outputs"][0]["OutputValue"].endswith("/dq"))
            self.assertEqual(len(cf.describe_stack_events(StackName="durable")["StackEvents"]), n_events)
            self.assertEqual(cf.describe_change_set(ChangeSetName=cs["Id"])["Status"], "CREATE_COMPLETE")
            cf.execute_change_set(ChangeSetName=cs["Id"])
            sqs = server.client()
            self.assertEqual(sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]), ["dq", "dr"])
            cf.delete_stack(StackName="durable")
            self.assertNotIn("QueueUrls", sqs.list_queues())
            server.stop()


if __name__ == "__main__":
    unittest.main()
