#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Deploys template.yaml as a CloudFormation stack with boto3: what
`runnel deploy` and `aws cloudformation deploy` do, for machines or scripts
that have neither.

    python3 deploy.py [--endpoint-url URL] [--stack-name ecommerce] [--param K=V ...]

CloudFormation reads the template on the server, so the relative
`CodeUri: handlers/` would resolve against the server's working directory:
the template is sent with CodeUri made absolute (this directory's handlers/).
A stack that exists is updated (a change set, as `aws cloudformation deploy`
makes it). Prints each resource's progress and the outputs."""
import argparse
import os
import re
import sys
import time

import boto3
import botocore.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
DONE = re.compile(r"_(COMPLETE|FAILED)$")


class DeployFailed(Exception):
    pass


def template_body(path=os.path.join(HERE, "template.yaml")):
    """The template with every relative CodeUri made absolute (against the
    template's own directory)."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path) as f:
        text = f.read()

    def absolute(m):
        uri = m.group(2)
        return m.group(1) + (uri if os.path.isabs(uri) else os.path.join(base, uri))
    return re.sub(r"^(\s*CodeUri:\s*)(\S+)\s*$", absolute, text, flags=re.M)


def wait(cfn, stack, since, out=None, timeout=120):
    """Polls until the stack settles; prints new events to out. Returns the
    stack's description."""
    seen, deadline = set(), time.time() + timeout
    while True:
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        for e in reversed(events):
            if e["EventId"] in seen or e["Timestamp"].timestamp() < since - 1:
                continue
            seen.add(e["EventId"])
            if out:
                out.write("  %-28s %-34s %s %s\n" % (e["LogicalResourceId"][:28], e["ResourceType"][:34],
                                                      e["ResourceStatus"], e.get("ResourceStatusReason", "")))
        desc = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        status = desc["StackStatus"]
        if DONE.search(status) and not status.endswith("_IN_PROGRESS"):
            return desc
        if time.time() > deadline:
            raise DeployFailed("stack %s still %s after %d s" % (stack, status, timeout))
        time.sleep(0.1)


def deploy(cfn, stack="ecommerce", params=None, path=os.path.join(HERE, "template.yaml"), out=None):
    """Creates or updates the stack; returns its outputs as a dict. Raises
    DeployFailed with the failed resources' reasons."""
    body = template_body(path)
    parameters = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (params or {}).items()]
    since = time.time()
    exists = True
    try:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        exists = status not in ("DELETE_COMPLETE",)
    except cfn.exceptions.ClientError:
        exists = False
    if not exists:
        cfn.create_stack(StackName=stack, TemplateBody=body, Parameters=parameters, Capabilities=CAPABILITIES)
        want = "CREATE_COMPLETE"
    else:
        name = "deploy-%d" % int(since * 1000)
        cfn.create_change_set(StackName=stack, ChangeSetName=name, TemplateBody=body, Parameters=parameters,
                              Capabilities=CAPABILITIES, ChangeSetType="UPDATE")
        deadline = time.time() + 60
        while True:
            cs = cfn.describe_change_set(StackName=stack, ChangeSetName=name)
            if cs["Status"] in ("CREATE_COMPLETE", "FAILED"):
                break
            if time.time() > deadline:
                raise DeployFailed("change set %s still %s" % (name, cs["Status"]))
            time.sleep(0.1)
        if cs["Status"] == "FAILED":
            if "didn't contain changes" in cs.get("StatusReason", "") or "No updates" in cs.get("StatusReason", ""):
                cfn.delete_change_set(StackName=stack, ChangeSetName=name)
                return outputs(cfn.describe_stacks(StackName=stack)["Stacks"][0])
            raise DeployFailed("change set failed: %s" % cs.get("StatusReason"))
        cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        want = "UPDATE_COMPLETE"
    desc = wait(cfn, stack, since, out)
    if desc["StackStatus"] != want:
        reasons = ["%s: %s" % (e["LogicalResourceId"], e.get("ResourceStatusReason", ""))
                   for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
                   if e["ResourceStatus"].endswith("_FAILED") and e["Timestamp"].timestamp() >= since - 1]
        raise DeployFailed("stack %s is %s: %s" % (stack, desc["StackStatus"], "; ".join(reasons) or
                                                   desc.get("StackStatusReason", "")))
    return outputs(desc)


def outputs(desc):
    return {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    ap.add_argument("--stack-name", default="ecommerce")
    ap.add_argument("--param", action="append", default=[], metavar="K=V")
    a = ap.parse_args()
    cfn = boto3.client("cloudformation", endpoint_url=a.endpoint_url, region_name="us-east-1",
                       aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                       aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
    params = dict(p.split("=", 1) for p in a.param)
    started = time.time()
    try:
        outs = deploy(cfn, a.stack_name, params, out=sys.stdout)
    except (DeployFailed, botocore.exceptions.ClientError) as e:
        print("deploy failed: %s" % e)
        return 1
    print("stack %s deployed in %.2f s" % (a.stack_name, time.time() - started))
    for k, v in sorted(outs.items()):
        print("  %-26s %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
