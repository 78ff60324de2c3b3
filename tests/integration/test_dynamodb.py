# SPDX-License-Identifier: MIT
"""DynamoDB (AWS JSON 1.0, DynamoDB_20120810) through boto3's client and its
resource API: tables and waiters, items with every type, the expression
language and its errors, Query and Scan with paging, indexes, batches,
transactions, the legacy parameters, the seed's own code, and kill -9.

The error texts asserted are AWS's. Where each comes from: dynalite's test
suite (recorded against DynamoDB), the dynamodb-conformance suites
(nubo-db, paritysuite: captured from DynamoDB in 2026), moto's
aws_verified tests, and LocalStack's AWS-validated snapshots; the notes
name the source next to each."""
import base64
import decimal
import json
import os
import re
import threading
import time
import unittest
import urllib.request

import boto3
import botocore
import harness
from boto3.dynamodb.conditions import Attr, Key


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


class DdbTest(harness.ServerTest):
    def setUp(self):
        super().setUp()
        self.ddb = self.server.client("dynamodb")

    def table(self, name="tbl", hash_type="S", range_type=None, **kw):
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        attrs = [{"AttributeName": "pk", "AttributeType": hash_type}]
        if range_type:
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
            attrs.append({"AttributeName": "sk", "AttributeType": range_type})
        attrs += kw.pop("extra_attrs", [])
        self.ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                              BillingMode="PAY_PER_REQUEST", **kw)
        return name

    def has_member(self, op, member):
        """Whether this botocore's model knows a request member (older ones lack newer members)."""
        return member in self.ddb.meta.service_model.operation_model(op).input_shape.members

    def verr(self, fn, **kw):
        """The ValidationException message of a call."""
        return self.assertError("ValidationException", fn, **kw)


class TestTables(DdbTest):
    def test_create_describe_wait_list_delete(self):
        r = self.ddb.create_table(TableName="Orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
        d = r["TableDescription"]
        self.assertEqual(d["TableStatus"], "CREATING")
        self.assertEqual(d["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/Orders")
        self.assertRegex(d["TableId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.ddb.get_waiter("table_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
        t = self.ddb.describe_table(TableName="Orders")["Table"]
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertEqual(t["ProvisionedThroughput"]["WriteCapacityUnits"], 7)
        self.assertEqual((t["ItemCount"], t["TableSizeBytes"]), (0, 0))
        self.assertNotIn("BillingModeSummary", t)
        msg = self.assertError("ResourceInUseException", self.ddb.create_table, TableName="Orders",
                               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                               BillingMode="PAY_PER_REQUEST")
        self.assertEqual(msg, "Table already exists: Orders")  # LocalStack snapshot test_create_duplicate_table
        self.assertEqual(self.ddb.delete_table(TableName="Orders")["TableDescription"]["TableStatus"], "DELETING")
        self.ddb.get_waiter("table_not_exists").wait(TableName="Orders", WaiterConfig={"Delay": 1})
        msg = self.assertError("ResourceNotFoundException", self.ddb.describe_table, TableName="Orders")
        self.assertEqual(msg, "Requested resource not found: Table: Orders not found")  # LocalStack test_table_crud

    def test_list_tables_pages_in_name_order(self):
        for n in ["ccc", "aaa", "bbb", "ddd"]:
            self.table(n)
        r = self.ddb.list_tables(Limit=2)
        self.assertEqual(r["TableNames"], ["aaa", "bbb"])
        self.assertEqual(r["LastEvaluatedTableName"], "bbb")
        r = self.ddb.list_tables(ExclusiveStartTableName="bbb", Limit=2)
        self.assertEqual(r["TableNames"], ["ccc", "ddd"])
        self.assertNotIn("LastEvaluatedTableName", r)  # dynalite: only when more remain
        names = [n for page in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})
                 for n in page["TableNames"]]
        self.assertEqual(names, ["aaa", "bbb", "ccc", "ddd"])

    def test_pay_per_request_description(self):
        self.table("ppr")
        t = self.ddb.describe_table(TableName="ppr")["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertIn("LastUpdateToPayPerRequestDateTime", t["BillingModeSummary"])
        self.assertEqual(t["ProvisionedThroughput"],
                         {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0})

    def test_create_table_errors(self):
        self.ddb = self.server.client("dynamodb", validate=False)  # the names botocore would refuse itself
        ks = [{"AttributeName": "a", "KeyType": "HASH"}]
        ad = [{"AttributeName": "a", "AttributeType": "S"}]
        # dynalite createTable.js, the conformance suite's createTable
        self.assertEqual(self.verr(self.ddb.create_table, TableName="ab", KeySchema=ks, AttributeDefinitions=ad,
                                   BillingMode="PAY_PER_REQUEST"),
                         "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
                         "Member must have length greater than or equal to 3")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc;", KeySchema=ks, AttributeDefinitions=ad,
                                   BillingMode="PAY_PER_REQUEST"),
                         "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc", KeySchema=ks, AttributeDefinitions=ad),
                         "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
                         "both be specified when BillingMode is PROVISIONED")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc", KeySchema=ks, AttributeDefinitions=ad,
                                   BillingMode="PAY_PER_REQUEST",
                                   ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}),
                         "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                         "can be specified when BillingMode is PAY_PER_REQUEST")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc", KeySchema=ks,
                                   AttributeDefinitions=[{"AttributeName": "b", "AttributeType": "S"}],
                                   BillingMode="PAY_PER_REQUEST"),
                         "One or more parameter values were invalid: Some index key attributes are not defined in "
                         "AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc", KeySchema=ks,
                                   AttributeDefinitions=ad + [{"AttributeName": "b", "AttributeType": "S"}],
                                   BillingMode="PAY_PER_REQUEST"),
                         "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                         "exactly match number of attributes defined in AttributeDefinitions")
        self.assertEqual(self.verr(self.ddb.create_table, TableName="abc",
                                   KeySchema=[{"AttributeName": "a", "KeyType": "RANGE"}], AttributeDefinitions=ad,
                                   BillingMode="PAY_PER_REQUEST"),
                         "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        self.assertEqual(self.ddb.list_tables()["TableNames"], [])

    def test_deletion_protection(self):
        if not self.has_member("CreateTable", "DeletionProtectionEnabled"):
            self.skipTest("this botocore (%s) has no DeletionProtectionEnabled" % botocore.__version__)
        self.table("keep", DeletionProtectionEnabled=True)
        self.assertEqual(self.verr(self.ddb.delete_table, TableName="keep"),
                         "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
                         "protection first.")
        self.ddb.update_table(TableName="keep", DeletionProtectionEnabled=False)
        self.ddb.delete_table(TableName="keep")
        self.assertEqual(self.ddb.list_tables()["TableNames"], [])

    def test_tags_ttl_limits_endpoints(self):
        arn = self.ddb.create_table(TableName="tgs", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                    BillingMode="PAY_PER_REQUEST",
                                    Tags=[{"Key": "team", "Value": "shop"}])["TableDescription"]["TableArn"]
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        tags = {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"team": "shop", "env": "dev"})
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [{"Key": "env", "Value": "dev"}])
        self.assertEqual(self.ddb.describe_time_to_live(TableName="tgs")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})
        self.ddb.update_time_to_live(TableName="tgs", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(self.ddb.describe_time_to_live(TableName="tgs")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        lim = self.ddb.describe_limits()
        self.assertEqual((lim["AccountMaxReadCapacityUnits"], lim["TableMaxWriteCapacityUnits"]), (80000, 40000))
        ep = self.ddb.describe_endpoints()["Endpoints"]
        self.assertEqual(len(ep), 1)
        self.assertEqual(ep[0]["CachePeriodInMinutes"], 1440)

    def test_ttl_expiry_deletes_in_the_background(self):
        self.table("ttl")
        self.ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        now = int(time.time())
        self.ddb.put_item(TableName="ttl", Item={"pk": S("old"), "exp": N(now + 30)})
        self.ddb.put_item(TableName="ttl", Item={"pk": S("new"), "exp": N(now + 3600)})
        self.ddb.put_item(TableName="ttl", Item={"pk": S("none")})
        self.advance(60)  # past "old"'s expiry, and past a sweep
        left = sorted(i["pk"]["S"] for i in self.ddb.scan(TableName="ttl")["Items"])
        self.assertEqual(left, ["new", "none"])

    def test_get_root_is_healthy(self):
        with urllib.request.urlopen(self.server.endpoint + "/", timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read().decode(), "healthy: dynamodb.us-east-1.amazonaws.com ")


class TestItems(DdbTest):
    def test_every_type_round_trips_and_numbers_are_canonical(self):
        self.table()
        item = {"pk": S("a"), "s": S(""), "n": N("0042.1200"), "e": N("1.5E2"), "neg": N("-0.000"),
                "b": {"B": b"\x00\x01bin"}, "t": {"BOOL": True}, "z": {"NULL": True},
                "l": {"L": [S("x"), N(1), {"M": {"deep": {"SS": ["q", "r"]}}}]},
                "ns": {"NS": ["1", "2.50"]}, "bs": {"BS": [b"a", b"b"]}, "big": N("1E125"), "tiny": N("-1E-130")}
        self.ddb.put_item(TableName="tbl", Item=item)
        got = self.ddb.get_item(TableName="tbl", Key={"pk": S("a")}, ConsistentRead=True)["Item"]
        self.assertEqual(got["n"], N("42.12"))
        self.assertEqual(got["e"], N("150"))
        self.assertEqual(got["neg"], N("0"))
        self.assertEqual(got["big"], N("1" + "0" * 125))
        self.assertEqual(got["tiny"], N("-0." + "0" * 129 + "1"))
        self.assertEqual(got["b"], {"B": b"\x00\x01bin"})
        self.assertEqual(got["s"], S(""))
        self.assertEqual(sorted(got["ns"]["NS"]), ["1", "2.5"])
        self.assertEqual(got["l"]["L"][2]["M"]["deep"]["SS"], ["q", "r"])
        self.assertEqual(set(got), set(item))

    def test_value_errors(self):
        self.table()
        cases = [  # (value, message): dynalite putItem.js, the conformance suites
            ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
            ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
            ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
            ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
            ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
            ({"N": "abc"}, "The parameter cannot be converted to a numeric value: abc"),
            ({"N": ""}, "The parameter cannot be converted to a numeric value"),
            ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number"),
            ({"N": "1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ({"N": "1e-131"}, "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
            ({"NULL": False}, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
        ]
        for value, want in cases:
            with self.subTest(value=value):
                self.assertEqual(self.verr(self.ddb.put_item, TableName="tbl", Item={"pk": S("a"), "v": value}), want)
        self.assertNotIn("Item", self.ddb.get_item(TableName="tbl", Key={"pk": S("a")}))

    def test_key_errors(self):
        self.table("kkk", range_type="N")
        self.assertEqual(self.verr(self.ddb.put_item, TableName="kkk", Item={"pk": S("a")}),
                         "One or more parameter values were invalid: Missing the key sk in the item")
        self.assertEqual(self.verr(self.ddb.put_item, TableName="kkk", Item={"pk": S("a"), "sk": S("1")}),
                         "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S")
        self.assertEqual(self.verr(self.ddb.get_item, TableName="kkk", Key={"pk": S("a")}),
                         "The provided key element does not match the schema")
        self.assertEqual(self.verr(self.ddb.get_item, TableName="kkk", Key={"pk": S("a"), "sk": N(1), "x": S("y")}),
                         "The provided key element does not match the schema")
        self.assertEqual(self.verr(self.ddb.put_item, TableName="kkk", Item={"pk": S(""), "sk": N(1)}),
                         "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                         "contain an empty string value. Key: pk")
        # moto aws_verified test_update_item_with_long_string_hash_key_exception: no space in "of2048"
        self.assertEqual(self.verr(self.ddb.put_item, TableName="kkk", Item={"pk": S("x" * 2049), "sk": N(1)}),
                         "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
                         "limit of2048 bytes")
        self.ddb.put_item(TableName="kkk", Item={"pk": S("x" * 2048), "sk": N(1)})
        msg = self.assertError("ResourceNotFoundException", self.ddb.get_item, TableName="nope", Key={"pk": S("a")})
        self.assertEqual(msg, "Requested resource not found")

    def test_item_size_limit_counts_names_and_values(self):
        self.table()
        # 400 KB exactly is accepted (dynalite "just small enough"); a byte more is refused
        name_bytes = len("pk") + 1 + len("v")
        self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "v": S("x" * (409600 - name_bytes))})
        self.assertEqual(self.verr(self.ddb.put_item, TableName="tbl",
                                   Item={"pk": S("b"), "v": S("x" * (409601 - name_bytes))}),
                         "Item size has exceeded the maximum allowed size")
        t = self.ddb.describe_table(TableName="tbl")["Table"]
        self.assertEqual((t["ItemCount"], t["TableSizeBytes"]), (1, 409600))

    def test_nesting_depth(self):
        self.table()
        v = S("x")
        for _ in range(31):
            v = {"M": {"m": v}}
        self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "v": v})
        self.assertEqual(self.verr(self.ddb.put_item, TableName="tbl", Item={"pk": S("b"), "v": {"L": [v]}}),
                         "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
                         "beyond supported limit")

    def test_conditions_and_return_values(self):
        self.table()
        put = dict(TableName="tbl", Item={"pk": S("a"), "n": N(1)}, ConditionExpression="attribute_not_exists(pk)")
        self.assertEqual(self.ddb.put_item(ReturnValues="ALL_OLD", **put).get("Attributes"), None)
        with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException) as cm:
            self.ddb.put_item(**put)
        self.assertEqual(cm.exception.response["Error"]["Message"], "The conditional request failed")
        self.assertNotIn("Item", cm.exception.response)
        if self.has_member("PutItem", "ReturnValuesOnConditionCheckFailure"):  # botocore 1.31 and later
            with self.assertRaises(self.ddb.exceptions.ConditionalCheckFailedException) as cm:
                self.ddb.put_item(ReturnValuesOnConditionCheckFailure="ALL_OLD", **put)
            self.assertEqual(cm.exception.response["Item"], {"pk": S("a"), "n": N(1)})  # LocalStack snapshot
        old = self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "n": N(2)}, ReturnValues="ALL_OLD")
        self.assertEqual(old["Attributes"], {"pk": S("a"), "n": N(1)})
        self.assertEqual(self.verr(self.ddb.put_item, TableName="tbl", Item={"pk": S("a")}, ReturnValues="ALL_NEW"),
                         "ReturnValues can only be ALL_OLD or NONE")
        r = self.ddb.delete_item(TableName="tbl", Key={"pk": S("a")}, ConditionExpression="n = :two",
                                 ExpressionAttributeValues={":two": N(2)}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["n"], N(2))
        self.assertNotIn("Item", self.ddb.get_item(TableName="tbl", Key={"pk": S("a")}))

    def test_update_expressions(self):
        self.table()
        self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "n": N(5), "l": {"L": [N(0), N(1), N(2), N(3)]},
                                               "m": {"M": {"x": N(1)}}, "ss": {"SS": ["a", "b"]}, "ss2": {"SS": ["a", "b"]},
                                               "gone": S("x")})
        r = self.ddb.update_item(
            TableName="tbl", Key={"pk": S("a")}, ReturnValues="ALL_NEW",
            UpdateExpression="SET n = n + :one, m.y = :s, c = if_not_exists(c, :zero) - :one, "
                             "l2 = list_append(:pre, l) REMOVE gone, l[0], l[2] ADD ss :more, cnt :one DELETE ss2 :less",
            ExpressionAttributeValues={":one": N(1), ":s": S("why"), ":zero": N(0), ":pre": {"L": [S("p")]},
                                       ":more": {"SS": ["c"]}, ":less": {"SS": ["a"]}})["Attributes"]
        self.assertEqual(r["n"], N(6))
        self.assertEqual(r["m"], {"M": {"x": N(1), "y": S("why")}})
        self.assertEqual(r["c"], N(-1))
        self.assertEqual(r["l"], {"L": [N(1), N(3)]})  # indexes name the list as it was
        self.assertEqual(r["l2"], {"L": [S("p"), N(0), N(1), N(2), N(3)]})  # every clause reads the old item
        self.assertEqual(sorted(r["ss"]["SS"]), ["a", "b", "c"])
        self.assertEqual(r["ss2"]["SS"], ["b"])
        self.assertEqual(r["cnt"], N(1))
        self.assertNotIn("gone", r)
        r = self.ddb.update_item(TableName="tbl", Key={"pk": S("a")}, UpdateExpression="SET n = :v",
                                 ExpressionAttributeValues={":v": N(9)}, ReturnValues="UPDATED_OLD")
        self.assertEqual(r["Attributes"], {"n": N(6)})
        r = self.ddb.update_item(TableName="tbl", Key={"pk": S("new")}, UpdateExpression="SET v = :v",
                                 ExpressionAttributeValues={":v": S("x")}, ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"pk": S("new"), "v": S("x")})  # an update makes the item

    def test_update_errors(self):
        self.table()
        self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "s": S("x"), "m": {"M": {}}})
        upd = lambda expr, **kw: self.verr(self.ddb.update_item, TableName="tbl", Key={"pk": S("a")},
                                           UpdateExpression=expr, **kw)
        # dynalite updateItem.js and moto's aws_verified tests
        self.assertEqual(upd("SET pk = :v", ExpressionAttributeValues={":v": S("b")}),
                         "One or more parameter values were invalid: Cannot update attribute pk. This attribute is "
                         "part of the key")
        self.assertEqual(upd("SET a = :v, a.b = :v", ExpressionAttributeValues={":v": S("b")}),
                         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
                         "one of these paths; path one: [a], path two: [a, b]")
        self.assertEqual(upd("SET a.b = :v, a[1] = :v", ExpressionAttributeValues={":v": S("b")}),
                         "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
                         "rewrite one of these paths; path one: [a, b], path two: [a, [1]]")
        self.assertEqual(upd("SET x = nothere"), "The provided expression refers to an attribute that does not "
                                                 "exist in the item")
        self.assertEqual(upd("SET x = s + :one", ExpressionAttributeValues={":one": N(1)}),
                         "An operand in the update expression has an incorrect data type")
        self.assertEqual(upd("SET q.r = :one", ExpressionAttributeValues={":one": N(1)}),
                         "The document path provided in the update expression is invalid for update")
        self.assertEqual(upd("ADD s :v", ExpressionAttributeValues={":v": S("x")}),
                         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
                         "operand type: STRING")
        self.assertEqual(upd("SET a = :v SET b = :v", ExpressionAttributeValues={":v": S("x")}),
                         "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;")
        self.assertEqual(upd("SET a = :v", ExpressionAttributeValues={":v": N("9e125"), ":w": N(1)}),
                         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}")
        self.assertEqual(upd("SET a = :a + :b", ExpressionAttributeValues={":a": N("9e125"), ":b": N("9e125")}),
                         "Number overflow. Attempting to store a number with magnitude larger than supported range")
        self.assertEqual(self.ddb.get_item(TableName="tbl", Key={"pk": S("a")})["Item"],
                         {"pk": S("a"), "s": S("x"), "m": {"M": {}}})  # nothing changed


class TestExpressions(DdbTest):
    def setUp(self):
        super().setUp()
        self.table()
        self.ddb.put_item(TableName="tbl", Item={
            "pk": S("a"), "name": S("widget"), "price": N(15), "tags": {"SS": ["red", "big"]},
            "parts": {"L": [S("bolt"), N(3)]}, "dims": {"M": {"w": N(2), "h": N(4)}}, "bin": {"B": b"\x01\x02\x03"},
            "flag": {"BOOL": False}})

    def check(self, expr, values=None, names=None):
        """Whether the stored item satisfies expr (as a Scan's filter)."""
        kw = {"FilterExpression": expr}
        if values:
            kw["ExpressionAttributeValues"] = values
        if names:
            kw["ExpressionAttributeNames"] = names
        r = self.ddb.scan(TableName="tbl", **kw)
        return r["Count"] == 1 and r["Items"][0]["pk"] == S("a")

    def test_functions_and_operators(self):
        v = {":r": S("red"), ":w": S("wid"), ":ten": N(10), ":20": N(20), ":n": S("N"), ":b": {"B": b"\x01\x02"},
             ":bolt": S("bolt"), ":two": N(2), ":x": S("x"), ":15": N(15)}
        n = {"#n": "name"}
        true = ["contains(tags, :r)", "begins_with(#n, :w)", "price BETWEEN :ten AND :20", "price IN (:two, :15, :x)",
                "price > :ten AND NOT price > :20", "attribute_type(price, :n)", "size(tags) = :two",
                "size(parts) = :two", "size(#n) > :two", "begins_with(bin, :b)", "contains(parts, :bolt)",
                "dims.w = :two", "parts[1] > :two", "attribute_exists(dims.h) AND attribute_not_exists(dims.z)",
                "price <> :x", "nothere <> :x", "flag = :x OR price = :ten OR price < :20"]
        false = ["contains(tags, :x)", "price < :ten", "nothere = :x", "price IN (:two, :ten)", "NOT (price > :ten)",
                 "flag = :x OR price = :ten"]
        for e in true:
            with self.subTest(expr=e):
                used = {k: x for k, x in v.items() if re.search(re.escape(k) + r"\b", e)}
                self.assertTrue(self.check(e, used, {"#n": "name"} if "#n" in e else None))
        for e in false:
            with self.subTest(expr=e):
                used = {k: x for k, x in v.items() if re.search(re.escape(k) + r"\b", e)}
                self.assertFalse(self.check(e, used, None))

    def test_attribute_type_names_checked(self):
        # dynalite scan.js (AWS printed the ten names in varying order)
        self.assertEqual(self.verr(self.ddb.scan, TableName="tbl", FilterExpression="attribute_type(price, :r)",
                                   ExpressionAttributeValues={":r": S("red")}),
                         "Invalid FilterExpression: Invalid attribute type name found; type: red, valid types: "
                         "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}")

    def test_precedence_not_and_or(self):
        # AND binds tighter than OR: a OR b AND c is a OR (b AND c)
        vals = {":t": N(15), ":f": N(0)}
        self.assertTrue(self.check("price = :t OR price = :f AND price = :f", vals))
        self.assertFalse(self.check("(price = :t OR price = :f) AND price = :f", vals))
        self.assertTrue(self.check("NOT price = :f AND price = :t", vals))

    def test_syntax_errors_name_the_token_and_its_neighbours(self):
        def err(expr, values=None, param="ConditionExpression"):
            kw = {param: expr}
            if values:
                kw["ExpressionAttributeValues"] = values
            if param == "ConditionExpression":
                return self.verr(self.ddb.put_item, TableName="tbl", Item={"pk": S("q")}, **kw)
            if param == "UpdateExpression":
                return self.verr(self.ddb.update_item, TableName="tbl", Key={"pk": S("q")}, **kw)
            return self.verr(self.ddb.get_item, TableName="tbl", Key={"pk": S("q")}, **kw)
        # the conformance suite and GitHub reports of AWS answers (ddb notes §1.3)
        self.assertEqual(err("INVALID SYNTAX HERE", param="UpdateExpression"),
                         'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"')
        self.assertEqual(err("!!! INVALID !!!", param="ProjectionExpression"),
                         'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"')
        self.assertEqual(err("ADD hits : incr", param="UpdateExpression"),
                         'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"')
        self.assertEqual(err("SET #a = :v, #b = :w,", {":v": S("1"), ":w": S("2")}, "UpdateExpression"),
                         'Invalid UpdateExpression: An expression attribute name used in the document path is not '
                         'defined; attribute name: #a')
        self.assertEqual(err("SET a = :v, b = :w,", {":v": S("1"), ":w": S("2")}, "UpdateExpression"),
                         'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","')
        self.assertEqual(err("dummy-id", param="ProjectionExpression"),
                         'Invalid ProjectionExpression: Syntax error; token: "-", near: "dummy-id"')
        self.assertEqual(err("SET _123 = :v", {":v": S("1")}, "UpdateExpression"),
                         'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"')
        self.assertEqual(err(""), "Invalid ConditionExpression: The expression can not be empty;")
        self.assertEqual(err("status = :v", {":v": S("x")}),
                         "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status")
        self.assertEqual(err("a = :nope"),
                         "Invalid ConditionExpression: An expression attribute value used in expression is not "
                         "defined; attribute value: :nope")
        self.assertEqual(err("foo(a)"), "Invalid ConditionExpression: Invalid function name; function: foo")
        self.assertEqual(err("begins_with(a)"),
                         "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
                         "operator or function: begins_with, number of operands: 1")
        self.assertEqual(err("size(a)"), "Invalid ConditionExpression: The function is not allowed to be used this "
                                         "way in an expression; function: size")
        self.assertEqual(err("a = a"), "Invalid ConditionExpression: The first operand must be distinct from the "
                                       "remaining operands for this operator or function; operator: =, first "
                                       "operand: [a]")
        self.assertEqual(err("((a = :v))", {":v": S("1")}),
                         "Invalid ConditionExpression: The expression has redundant parentheses;")
        self.assertEqual(err("a, a", param="ProjectionExpression"),
                         "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
                         "rewrite one of these paths; path one: [a], path two: [a]")
        self.assertEqual(self.verr(self.ddb.get_item, TableName="tbl", Key={"pk": S("a")}, ProjectionExpression="#a",
                                   ExpressionAttributeNames={"#a": "x", "#b": "y"}),
                         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}")
        self.assertEqual(self.verr(self.ddb.get_item, TableName="tbl", Key={"pk": S("a")},
                                   ExpressionAttributeNames={"#a": "x"}),
                         "ExpressionAttributeNames can only be specified when using expressions")
        self.assertEqual(self.verr(self.ddb.put_item, TableName="tbl", Item={"pk": S("a")},
                                   ConditionExpression="a = :v", Expected={"a": {"Exists": False}},
                                   ExpressionAttributeValues={":v": S("1")}),
                         "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")

    def test_projection(self):
        r = self.ddb.get_item(TableName="tbl", Key={"pk": S("a")}, ProjectionExpression="#n, dims.h, parts[1]",
                              ExpressionAttributeNames={"#n": "name"})["Item"]
        self.assertEqual(r, {"name": S("widget"), "dims": {"M": {"h": N(4)}}, "parts": {"L": [N(3)]}})


class TestQueryAndScan(DdbTest):
    def fill(self, range_type="N", values=None):
        self.table("qry", range_type=range_type)
        for v in values:
            self.ddb.put_item(TableName="qry", Item={"pk": S("p"), "sk": {range_type: v}, "odd": {"BOOL": False}})
        self.ddb.put_item(TableName="qry", Item={"pk": S("other"), "sk": {range_type: values[0]}})

    def keys(self, **kw):
        r = self.ddb.query(TableName="qry", KeyConditionExpression=kw.pop("kce", "pk = :p"),
                           ExpressionAttributeValues=dict({":p": S("p")}, **kw.pop("vals", {})), **kw)
        return [i["sk"].get("N", i["sk"].get("S", i["sk"].get("B"))) for i in r["Items"]], r

    def test_number_keys_sort_numerically(self):
        nums = ["-1000", "-2.5", "-1", "0", "0.001", "1", "2", "10", "100.5", "1e20"]
        self.fill("N", list(reversed(nums)))
        got, _ = self.keys()
        self.assertEqual(got, ["-1000", "-2.5", "-1", "0", "0.001", "1", "2", "10", "100.5", "1" + "0" * 20])
        got, _ = self.keys(ScanIndexForward=False)
        self.assertEqual(got[0], "1" + "0" * 20)
        self.assertEqual(got[-1], "-1000")
        got, _ = self.keys(kce="pk = :p AND sk BETWEEN :a AND :b", vals={":a": N(-1), ":b": N(10)})
        self.assertEqual(got, ["-1", "0", "0.001", "1", "2", "10"])
        got, _ = self.keys(kce="pk = :p AND sk < :a", vals={":a": N(0)})
        self.assertEqual(got, ["-1000", "-2.5", "-1"])
        got, _ = self.keys(kce="pk = :p AND sk >= :a", vals={":a": N(2)})
        self.assertEqual(got, ["2", "10", "100.5", "1" + "0" * 20])
        got, _ = self.keys(kce=":a < sk AND pk = :p", vals={":a": N(10)})
        self.assertEqual(got, ["100.5", "1" + "0" * 20])

    def test_string_and_binary_keys_sort_by_bytes(self):
        words = ["b", "a", "ab", "aa", "B", "é", "a\u0001", "ä"]
        self.fill("S", words)
        got, _ = self.keys()
        self.assertEqual(got, sorted(words, key=lambda w: w.encode()))
        got, _ = self.keys(kce="pk = :p AND begins_with(sk, :a)", vals={":a": S("a")})
        self.assertEqual(got, ["a", "a\u0001", "aa", "ab"])
        self.ddb.delete_table(TableName="qry")
        blobs = [b"\xff", b"\x00", b"\x00\x00", b"\x01", b"\x7f\xff"]
        self.fill("B", blobs)
        got, _ = self.keys()
        self.assertEqual(got, sorted(blobs))

    def test_pages_by_limit_and_filter_counts(self):
        self.fill("N", [str(i) for i in range(25)])
        seen, start, pages = [], None, 0
        while True:
            kw = {"Limit": 10, "FilterExpression": "sk <> :seven", "ExpressionAttributeValues": {":p": S("p"), ":seven": N(7)}}
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.ddb.query(TableName="qry", KeyConditionExpression="pk = :p", **kw)
            pages += 1
            seen += [int(i["sk"]["N"]) for i in r["Items"]]
            self.assertEqual(r["ScannedCount"], 10 if pages < 3 else 5)
            start = r.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(seen, [i for i in range(25) if i != 7])
        self.assertEqual(pages, 3)
        r = self.ddb.query(TableName="qry", KeyConditionExpression="pk = :p", Select="COUNT",
                           ExpressionAttributeValues={":p": S("p")})
        self.assertEqual((r["Count"], r["ScannedCount"]), (25, 25))
        self.assertNotIn("Items", r)
        # the resource API's paginator-free scan: all 26 items through pages of 4
        t = boto3.resource("dynamodb", endpoint_url=self.server.endpoint, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="y").Table("qry")
        items, kw = [], {"Limit": 4}
        while True:
            r = t.scan(**kw)
            items += r["Items"]
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        self.assertEqual(len(items), 26)

    def test_parallel_scan_segments_cover_the_table_once(self):
        self.table("seg")
        with self.ddb_batch("seg") as put:
            for i in range(60):
                put({"pk": S("k%d" % i)})
        got = []
        for seg in range(4):
            got += [i["pk"]["S"] for i in self.ddb.scan(TableName="seg", Segment=seg, TotalSegments=4)["Items"]]
        self.assertEqual(sorted(got), sorted("k%d" % i for i in range(60)))
        self.assertEqual(self.verr(self.ddb.scan, TableName="seg", Segment=4, TotalSegments=4),
                         "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                         "Segment: 4 is not less than TotalSegments: 4")

    class _Batch:
        def __init__(self, ddb, table):
            self.ddb, self.table, self.items = ddb, table, []

        def __enter__(self):
            return self.items.append

        def __exit__(self, *exc):
            for i in range(0, len(self.items), 25):
                self.ddb.batch_write_item(RequestItems={self.table: [{"PutRequest": {"Item": it}}
                                                                     for it in self.items[i:i + 25]]})

    def ddb_batch(self, table):
        return self._Batch(self.ddb, table)

    def test_key_condition_errors(self):
        self.fill("N", ["1"])
        q = lambda kce, vals: self.verr(self.ddb.query, TableName="qry", KeyConditionExpression=kce,
                                        ExpressionAttributeValues=vals)
        self.assertEqual(q("sk = :v", {":v": N(1)}), "Query condition missed key schema element: pk")
        self.assertEqual(q("pk > :v", {":v": S("p")}), "Query key condition not supported")
        self.assertEqual(q("pk = :v AND sk > :n AND sk < :n", {":v": S("p"), ":n": N(1)}),
                         "Conditions can be of length 1 or 2 only")
        self.assertEqual(q("pk = :v OR sk > :n", {":v": S("p"), ":n": N(1)}),
                         "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR")
        self.assertEqual(q("pk = :v", {":v": N(1)}),
                         "One or more parameter values were invalid: Condition parameter type does not match schema "
                         "type")
        self.assertEqual(self.verr(self.ddb.query, TableName="qry", IndexName="nope", KeyConditionExpression="pk = :v",
                                   ExpressionAttributeValues={":v": S("p")}),
                         "The table does not have the specified index: nope")

    def test_consumed_capacity(self):
        self.table()
        r = self.ddb.put_item(TableName="tbl", Item={"pk": S("a"), "v": S("x" * 1500)}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"], {"TableName": "tbl", "CapacityUnits": 2.0})
        r = self.ddb.get_item(TableName="tbl", Key={"pk": S("a")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 0.5)  # eventually consistent: half
        r = self.ddb.get_item(TableName="tbl", Key={"pk": S("zz")}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)  # a miss costs a unit too


class TestIndexes(DdbTest):
    def make(self):
        self.ddb.create_table(
            TableName="ord", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "cust", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "cust", "AttributeType": "S"},
                                  {"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"},
                                  {"AttributeName": "amount", "AttributeType": "N"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-status",
                                     "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                   {"AttributeName": "amount", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            LocalSecondaryIndexes=[{"IndexName": "by-amount",
                                    "KeySchema": [{"AttributeName": "cust", "KeyType": "HASH"},
                                                  {"AttributeName": "amount", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}])
        rows = [("c1", "o1", "open", 30), ("c1", "o2", "done", 10), ("c1", "o3", "open", 20), ("c2", "o4", "open", 5)]
        for cust, oid, st, amt in rows:
            self.ddb.put_item(TableName="ord", Item={"cust": S(cust), "id": S(oid), "status": S(st), "amount": N(amt),
                                                   "note": S("n-" + oid), "other": S("x")})
        self.ddb.put_item(TableName="ord", Item={"cust": S("c3"), "id": S("o5"), "amount": N(1)})  # sparse: no status

    def test_gsi_and_lsi_queries(self):
        self.make()
        r = self.ddb.query(TableName="ord", IndexName="by-status", KeyConditionExpression="#s = :o",
                           ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":o": S("open")})
        self.assertEqual([i["amount"]["N"] for i in r["Items"]], ["5", "20", "30"])
        self.assertEqual(set(r["Items"][0]), {"cust", "id", "status", "amount"})  # KEYS_ONLY
        r = self.ddb.query(TableName="ord", IndexName="by-amount", KeyConditionExpression="cust = :c AND amount > :a",
                           ExpressionAttributeValues={":c": S("c1"), ":a": N(15)})
        self.assertEqual([(i["id"]["S"], i["note"]["S"]) for i in r["Items"]], [("o3", "n-o3"), ("o1", "n-o1")])
        self.assertNotIn("other", r["Items"][0])
        r = self.ddb.query(TableName="ord", IndexName="by-amount", KeyConditionExpression="cust = :c",
                           ExpressionAttributeValues={":c": S("c1")}, Select="ALL_ATTRIBUTES")
        self.assertEqual(r["Items"][0]["other"], S("x"))  # an LSI fetches the rest from the table
        self.assertEqual(self.verr(self.ddb.query, TableName="ord", IndexName="by-status", ConsistentRead=True,
                                   KeyConditionExpression="#s = :o", ExpressionAttributeNames={"#s": "status"},
                                   ExpressionAttributeValues={":o": S("open")}),
                         "Consistent reads are not supported on global secondary indexes")
        # updates and deletes move index entries
        self.ddb.update_item(TableName="ord", Key={"cust": S("c1"), "id": S("o1")}, UpdateExpression="SET #s = :d",
                             ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":d": S("done")})
        self.ddb.delete_item(TableName="ord", Key={"cust": S("c2"), "id": S("o4")})
        r = self.ddb.query(TableName="ord", IndexName="by-status", KeyConditionExpression="#s = :o",
                           ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":o": S("open")})
        self.assertEqual([i["id"]["S"] for i in r["Items"]], ["o3"])
        self.assertEqual(self.ddb.scan(TableName="ord", IndexName="by-status")["Count"], 3)
        self.assertEqual(self.verr(self.ddb.put_item, TableName="ord",
                                   Item={"cust": S("c9"), "id": S("z"), "status": N(1)}),
                         "One or more parameter values were invalid: Type mismatch for Index Key status Expected: S "
                         "Actual: N IndexName: by-status")

    def test_update_table_adds_and_removes_a_gsi_with_backfill(self):
        self.make()
        self.ddb.update_table(TableName="ord", AttributeDefinitions=[{"AttributeName": "note", "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[{"Create": {
                                  "IndexName": "by-note", "KeySchema": [{"AttributeName": "note", "KeyType": "HASH"}],
                                  "Projection": {"ProjectionType": "ALL"}}}])
        r = self.ddb.query(TableName="ord", IndexName="by-note", KeyConditionExpression="note = :n",
                           ExpressionAttributeValues={":n": S("n-o2")})
        self.assertEqual([i["id"]["S"] for i in r["Items"]], ["o2"])
        names = [g["IndexName"] for g in self.ddb.describe_table(TableName="ord")["Table"]["GlobalSecondaryIndexes"]]
        self.assertEqual(sorted(names), ["by-note", "by-status"])
        self.ddb.update_table(TableName="ord", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-note"}}])
        self.assertEqual(self.verr(self.ddb.query, TableName="ord", IndexName="by-note", KeyConditionExpression="note = :n",
                                   ExpressionAttributeValues={":n": S("n-o2")}),
                         "The table does not have the specified index: by-note")


class TestBatchesAndTransactions(DdbTest):
    def test_batch_write_and_get(self):
        self.table("aaa")
        self.table("bbb")
        self.ddb.batch_write_item(RequestItems={
            "aaa": [{"PutRequest": {"Item": {"pk": S("x%d" % i)}}} for i in range(20)],
            "bbb": [{"PutRequest": {"Item": {"pk": S("y"), "v": N(1)}}}]})
        self.ddb.batch_write_item(RequestItems={"aaa": [{"DeleteRequest": {"Key": {"pk": S("x0")}}}]})
        r = self.ddb.batch_get_item(RequestItems={"aaa": {"Keys": [{"pk": S("x0")}, {"pk": S("x1")}]},
                                                  "bbb": {"Keys": [{"pk": S("y")}], "ProjectionExpression": "v"}},
                                    ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["Responses"]["aaa"], [{"pk": S("x1")}])
        self.assertEqual(r["Responses"]["bbb"], [{"v": N(1)}])
        self.assertEqual(r["UnprocessedKeys"], {})
        self.assertEqual(sorted(c["TableName"] for c in r["ConsumedCapacity"]), ["aaa", "bbb"])
        self.assertEqual(self.verr(self.ddb.batch_get_item, RequestItems={"aaa": {"Keys": [{"pk": S("x")}, {"pk": S("x")}]}}),
                         "Provided list of item keys contains duplicates")
        self.assertEqual(self.verr(self.ddb.batch_write_item, RequestItems={"aaa": [
            {"PutRequest": {"Item": {"pk": S("d")}}}, {"DeleteRequest": {"Key": {"pk": S("d")}}}]}),
            "Provided list of item keys contains duplicates")
        self.assertEqual(self.verr(self.ddb.batch_write_item, RequestItems={"aaa": [
            {"PutRequest": {"Item": {"pk": N(1)}}}]}), "The provided key element does not match the schema")
        self.assertEqual(self.ddb.scan(TableName="aaa", Select="COUNT")["Count"], 19)

    def test_a_batch_of_25_large_items_fits_the_16_mb_request_limit(self):
        self.table("big")
        blob = "x" * 390000
        self.ddb.batch_write_item(RequestItems={"big": [{"PutRequest": {"Item": {"pk": S("k%d" % i), "v": S(blob)}}}
                                                        for i in range(25)]})  # a 9.75 MB request
        r = self.ddb.scan(TableName="big", Select="COUNT")
        self.assertEqual(r["Count"], 3)  # a page stops after 1 MB of items: three of 390 KB
        self.assertIn("LastEvaluatedKey", r)
        total = sum(p["Count"] for p in self.ddb.get_paginator("scan").paginate(TableName="big", Select="COUNT"))
        self.assertEqual(total, 25)

    def test_transactions_all_or_nothing(self):
        self.table("acct")
        self.ddb.put_item(TableName="acct", Item={"pk": S("alice"), "bal": N(100)})
        self.ddb.put_item(TableName="acct", Item={"pk": S("bob"), "bal": N(0)})
        move = lambda amount: [
            {"Update": {"TableName": "acct", "Key": {"pk": S("alice")}, "UpdateExpression": "SET bal = bal - :a",
                        "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": N(amount)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Update": {"TableName": "acct", "Key": {"pk": S("bob")}, "UpdateExpression": "SET bal = bal + :a",
                        "ExpressionAttributeValues": {":a": N(amount)}}},
            {"Put": {"TableName": "acct", "Item": {"pk": S("log-%d" % amount)},
                     "ConditionExpression": "attribute_not_exists(pk)"}}]
        self.ddb.transact_write_items(TransactItems=move(60))
        with self.assertRaises(self.ddb.exceptions.TransactionCanceledException) as cm:
            self.ddb.transact_write_items(TransactItems=move(60))
        e = cm.exception.response
        self.assertEqual(e["Error"]["Message"], "Transaction cancelled, please refer cancellation reasons for specific "
                                                "reasons [ConditionalCheckFailed, None, ConditionalCheckFailed]")
        self.assertEqual(e["CancellationReasons"][0]["Item"], {"pk": S("alice"), "bal": N(40)})
        self.assertEqual(e["CancellationReasons"][1], {"Code": "None"})
        r = self.ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "acct", "Key": {"pk": S(k)}}}
                                                       for k in ["alice", "bob", "nobody"]])
        self.assertEqual([x.get("Item", {}).get("bal") for x in r["Responses"]], [N(40), N(60), None])
        self.assertEqual(self.verr(self.ddb.transact_write_items, TransactItems=[
            {"Put": {"TableName": "acct", "Item": {"pk": S("x")}}},
            {"Delete": {"TableName": "acct", "Key": {"pk": S("x")}}}]),
            "Transaction request cannot include multiple operations on one item")

    def test_client_request_token_is_idempotent(self):
        self.table("ccc")
        items = [{"Update": {"TableName": "ccc", "Key": {"pk": S("n")}, "UpdateExpression": "ADD v :one",
                             "ExpressionAttributeValues": {":one": N(1)}}}]
        for _ in range(3):
            self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.ddb.get_item(TableName="ccc", Key={"pk": S("n")})["Item"]["v"], N(1))
        items[0]["Update"]["ExpressionAttributeValues"][":one"] = N(2)
        self.assertError("IdempotentParameterMismatchException", self.ddb.transact_write_items,
                         TransactItems=items, ClientRequestToken="tok-1")
        self.advance(601)  # the token is remembered for 10 minutes
        self.ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-1")
        self.assertEqual(self.ddb.get_item(TableName="ccc", Key={"pk": S("n")})["Item"]["v"], N(3))


class TestLegacyParameters(DdbTest):
    def test_expected_attribute_updates_key_conditions_filters(self):
        self.table("leg", range_type="N")
        for i in range(5):
            self.ddb.put_item(TableName="leg", Item={"pk": S("p"), "sk": N(i), "v": S("v%d" % i)},
                              Expected={"pk": {"Exists": False}})
        self.assertError("ConditionalCheckFailedException", self.ddb.put_item, TableName="leg",
                         Item={"pk": S("p"), "sk": N(1)}, Expected={"v": {"Value": S("nope")}})
        self.ddb.update_item(TableName="leg", Key={"pk": S("p"), "sk": N(1)},
                             AttributeUpdates={"v": {"Action": "DELETE"}, "n": {"Action": "ADD", "Value": N(5)}},
                             Expected={"v": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("v")]}})
        item = self.ddb.get_item(TableName="leg", Key={"pk": S("p"), "sk": N(1)}, AttributesToGet=["n", "v"])["Item"]
        self.assertEqual(item, {"n": N(5)})
        r = self.ddb.query(TableName="leg", KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), N(3)]}},
            QueryFilter={"v": {"ComparisonOperator": "NOT_NULL"}})
        self.assertEqual([i["sk"]["N"] for i in r["Items"]], ["2", "3"])
        self.assertEqual(r["ScannedCount"], 3)
        r = self.ddb.scan(TableName="leg", ScanFilter={"sk": {"ComparisonOperator": "IN", "AttributeValueList": [N(0), N(4)]}},
                          ConditionalOperator="OR")
        self.assertEqual(sorted(i["sk"]["N"] for i in r["Items"]), ["0", "4"])


class TestResourceApiAndSeed(DdbTest):
    def test_seed_process_order_and_error_handler_unmodified(self):
        """The seed's SQSProcessor.process_order and ErrorHandler.handle_error,
        as written, against tables named as the seed names them."""
        self.ddb.create_table(TableName="Orders", KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        self.ddb.create_table(TableName="ProcessingErrors", KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        from seed_code import ErrorHandler, SQSProcessor, reaching
        with reaching(self.server):
            detail = json.loads('{"orderId": "o-1", "customerId": "c-9", "amount": 129, "items": ["a", "b"]}')
            SQSProcessor().process_order(detail)
            self.assertEqual(ErrorHandler().handle_error({"id": "ev-1"}, ValueError("bad"), 1),
                             {"action": "retry", "delay": 2})
        got = self.ddb.get_item(TableName="Orders", Key={"orderId": S("o-1")})["Item"]
        self.assertEqual(got["amount"], N(129))
        self.assertEqual(got["items"], {"L": [S("a"), S("b")]})
        err = self.ddb.get_item(TableName="ProcessingErrors", Key={"eventId": S("ev-1")})["Item"]
        self.assertEqual(err, {"eventId": S("ev-1"), "error": S("bad"), "retryCount": N(1)})

    def test_resource_table_conditions(self):
        res = boto3.resource("dynamodb", endpoint_url=self.server.endpoint, region_name="us-east-1",
                             aws_access_key_id="x", aws_secret_access_key="y")
        t = res.create_table(TableName="res", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                       {"AttributeName": "sk", "KeyType": "RANGE"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                   {"AttributeName": "sk", "AttributeType": "N"}],
                             BillingMode="PAY_PER_REQUEST")
        t.wait_until_exists()
        with t.batch_writer() as bw:
            for i in range(30):
                bw.put_item(Item={"pk": "u", "sk": i, "price": decimal.Decimal("1.25") * i, "tag": "t%d" % (i % 3)})
        r = t.query(KeyConditionExpression=Key("pk").eq("u") & Key("sk").between(5, 9),
                    FilterExpression=Attr("tag").eq("t0") | Attr("price").gt(11))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [6, 9])
        self.assertEqual(r["Items"][0]["price"], decimal.Decimal("7.5"))
        t.update_item(Key={"pk": "u", "sk": 1}, UpdateExpression="ADD hits :one",
                      ExpressionAttributeValues={":one": 1})
        self.assertEqual(t.get_item(Key={"pk": "u", "sk": 1})["Item"]["hits"], 1)
        self.assertEqual(t.item_count, 30)


class TestDurability(unittest.TestCase):
    def test_items_tables_and_indexes_survive_kill_9(self):
        with harness.DataDir("runnel-ddb-") as d:
            s = d.start()
            ddb = s.client("dynamodb")
            ddb.create_table(TableName="dur", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                   {"AttributeName": "g", "AttributeType": "S"}],
                             GlobalSecondaryIndexes=[{"IndexName": "gix",
                                                      "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                      "Projection": {"ProjectionType": "ALL"}}])
            acked = []
            lock = threading.Lock()

            def writer(w):
                c = s.client("dynamodb")
                for i in range(60):
                    k = "w%d-%d" % (w, i)
                    try:
                        c.transact_write_items(TransactItems=[
                            {"Put": {"TableName": "dur", "Item": {"pk": S(k), "g": S("grp")}}},
                            {"Put": {"TableName": "dur", "Item": {"pk": S(k + "-twin"), "g": S("twin")}}}])
                    except botocore.exceptions.BotoCoreError:
                        return  # the server was killed: this write was not acknowledged
                    with lock:
                        acked.append(k)
            threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            deadline = time.time() + 20  # some acknowledged, the writers still going
            while time.time() < deadline and len(acked) < 40:
                time.sleep(0.02)
            s.proc.kill()  # kill -9 while the writers run
            s.proc.wait()
            for t in threads:
                t.join()
            s2 = d.start()
            ddb = s2.client("dynamodb")
            keys = set()
            start = None
            while True:
                kw = {"ExclusiveStartKey": start} if start else {}
                r = ddb.scan(TableName="dur", **kw)
                keys |= {i["pk"]["S"] for i in r["Items"]}
                start = r.get("LastEvaluatedKey")
                if not start:
                    break
            self.assertGreater(len(acked), 0)
            for k in acked:
                self.assertIn(k, keys)
            for k in keys:  # no half transaction: every item has its twin
                base = k[:-5] if k.endswith("-twin") else k
                self.assertIn(base, keys)
                self.assertIn(base + "-twin", keys)
            grp = ddb.query(TableName="dur", IndexName="gix", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": S("grp")}, Select="COUNT")["Count"]
            self.assertEqual(grp, len(keys) // 2)
            s2.stop()


if __name__ == "__main__":
    unittest.main()


import test_lambda  # noqa: E402  (its LambdaTest base and zip helper; a module reference, so its tests run once)


class TestStreams(test_lambda.LambdaTest):
    RECORDER = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        for r in event["Records"]:
            f.write(json.dumps(r) + "\\n")
    if any("fail" in (r["dynamodb"].get("NewImage") or {}) for r in event["Records"]):
        raise RuntimeError("batch failed")
"""

    def setUp(self):
        super().setUp()
        self.ddb = self.server.client("dynamodb")
        self.streams = self.server.client("dynamodbstreams")
        self.out = os.path.join(self.tmp, "stream-%d.log" % time.time_ns())

    def seen(self, n, timeout=20):
        return test_lambda.rows_of(self.out, n, timeout)

    def stream_table(self, name, view="NEW_AND_OLD_IMAGES"):
        return self.ddb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]["LatestStreamArn"]

    def test_get_records_in_order_with_the_view_type(self):
        arn = self.stream_table("str", "NEW_AND_OLD_IMAGES")
        self.ddb.put_item(TableName="str", Item={"pk": S("a"), "v": N(1)})
        self.ddb.update_item(TableName="str", Key={"pk": S("a")}, UpdateExpression="SET v = :two",
                             ExpressionAttributeValues={":two": N(2)})
        self.ddb.delete_item(TableName="str", Key={"pk": S("a")})
        self.assertEqual([s["StreamArn"] for s in self.streams.list_streams(TableName="str")["Streams"]], [arn])
        d = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual((d["StreamStatus"], d["StreamViewType"], d["TableName"]), ("ENABLED", "NEW_AND_OLD_IMAGES", "str"))
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=d["Shards"][0]["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        r = self.streams.get_records(ShardIterator=it)
        recs = r["Records"]
        self.assertEqual([x["eventName"] for x in recs], ["INSERT", "MODIFY", "REMOVE"])
        self.assertEqual(recs[0]["dynamodb"]["Keys"], {"pk": S("a")})
        self.assertNotIn("OldImage", recs[0]["dynamodb"])
        self.assertEqual((recs[1]["dynamodb"]["OldImage"]["v"], recs[1]["dynamodb"]["NewImage"]["v"]), (N(1), N(2)))
        self.assertEqual(recs[2]["dynamodb"]["OldImage"], {"pk": S("a"), "v": N(2)})
        self.assertEqual(recs[0]["eventSource"], "aws:dynamodb")
        seqs = [int(x["dynamodb"]["SequenceNumber"]) for x in recs]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(self.streams.get_records(ShardIterator=r["NextShardIterator"])["Records"], [])
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=d["Shards"][0]["ShardId"],
                                             ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                             SequenceNumber=recs[1]["dynamodb"]["SequenceNumber"])["ShardIterator"]
        self.assertEqual([x["eventName"] for x in self.streams.get_records(ShardIterator=it)["Records"]], ["REMOVE"])

    def test_lambda_mapping_receives_the_stream_and_sends_failures_on(self):
        arn = self.stream_table("orders-stream")
        self.create("rec", zipped=test_lambda.zip_of({"app.py": self.RECORDER}),
                    Environment={"Variables": {"OUT": self.out}})
        sqs = self.server.client("sqs")
        dlq = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        m = self.lam.create_event_source_mapping(
            FunctionName="rec", EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BatchSize=10,
            MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
        self.assertEqual((m["BatchSize"], m["StartingPosition"], m["MaximumRetryAttempts"]), (10, "TRIM_HORIZON", 1))
        self.ddb.put_item(TableName="orders-stream", Item={"pk": S("o-1"), "amount": N(10)})
        rows = self.seen(1)
        self.assertEqual([(r["eventName"], r["dynamodb"]["NewImage"]["pk"]["S"]) for r in rows], [("INSERT", "o-1")])
        self.assertEqual(rows[0]["eventSourceARN"], arn)
        # a failing batch: tried twice (MaximumRetryAttempts 1), then described to the destination and passed
        self.ddb.put_item(TableName="orders-stream", Item={"pk": S("o-2"), "fail": {"BOOL": True}})
        got = []
        deadline = time.time() + 20
        while time.time() < deadline and not got:
            got = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(len(got), 1)
        info = json.loads(got[0]["Body"])
        self.assertEqual(info["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(info["DDBStreamBatchInfo"]["batchSize"], 1)
        self.assertEqual(info["DDBStreamBatchInfo"]["streamArn"], arn)
        self.ddb.put_item(TableName="orders-stream", Item={"pk": S("o-3")})
        rows = self.seen(4)
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in rows], ["o-1", "o-2", "o-2", "o-3"])


class TestPartiQL(DdbTest):
    def setUp(self):
        super().setUp()
        self.table("pqt", range_type="N")

    def ex(self, statement, params=None, **kw):
        if params:
            kw["Parameters"] = params
        r = self.ddb.execute_statement(Statement=statement, **kw)
        r.pop("ResponseMetadata", None)
        return r

    def test_insert_select_update_delete(self):
        self.assertEqual(self.ex("INSERT INTO \"pqt\" VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x', 'y'>>, "
                                 "'m': {'n': [1, 2]}, 'ok': TRUE, 'none': NULL}"), {"Items": []})
        self.ex("INSERT INTO pqt VALUE {'pk': ?, 'sk': ?, 'amount': ?}", [S("a"), N(2), N(50)])
        got = self.ex("SELECT * FROM pqt WHERE pk = 'a'")["Items"]
        self.assertEqual([i["sk"] for i in got], [N(1), N(2)])
        self.assertEqual(got[0]["tags"], {"SS": ["x", "y"]})
        self.assertEqual(got[0]["m"], {"M": {"n": {"L": [N(1), N(2)]}}})
        self.assertEqual(got[0]["none"], {"NULL": True})
        self.assertEqual(self.ex("SELECT pk, m.n[1] FROM pqt WHERE pk = 'a' AND sk = 1")["Items"],
                         [{"pk": S("a"), "m": {"M": {"n": {"L": [N(2)]}}}}])
        self.assertEqual(self.ex("SELECT sk FROM pqt WHERE amount >= 10 OR ok = TRUE AND pk = 'a'")["Items"],
                         [{"sk": N(1)}, {"sk": N(2)}])
        self.assertEqual(self.ex("SELECT sk FROM pqt WHERE amount IS MISSING")["Items"], [{"sk": N(1)}])
        r = self.ex("UPDATE pqt SET amount = amount + 5 SET note = 'hi' REMOVE ok WHERE pk = 'a' AND sk = 2 "
                    "RETURNING ALL NEW *")
        self.assertEqual(r["Items"], [{"pk": S("a"), "sk": N(2), "amount": N(55), "note": S("hi")}])
        r = self.ex("DELETE FROM pqt WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *")
        self.assertEqual(r["Items"][0]["amount"], N(55))
        self.assertEqual(self.ex("DELETE FROM pqt WHERE pk = 'nobody' AND sk = 9"), {"Items": []})  # a no-op
        self.assertEqual(len(self.ex("SELECT * FROM pqt")["Items"]), 1)

    def test_errors_as_aws_words_them(self):
        self.ex("INSERT INTO pqt VALUE {'pk': 'a', 'sk': 1, 'v': 1}")
        # dynoxide's notes of DynamoDB's answers (PartiQL UPDATE is not an upsert; INSERT of a present key)
        self.assertError("DuplicateItemException", self.ex, "INSERT INTO pqt VALUE {'pk': 'a', 'sk': 1}")
        self.assertError("ConditionalCheckFailedException", self.ex, "UPDATE pqt SET v = 2 WHERE pk = 'z' AND sk = 1")
        self.assertError("ConditionalCheckFailedException", self.ex,
                         "DELETE FROM pqt WHERE pk = 'a' AND sk = 1 AND v > 5")
        self.assertEqual(self.verr(self.ex, statement="UPDATE pqt SET v = 2 WHERE pk = 'a'"),
                         "Where clause does not contain a mandatory equality on all key attributes")
        self.assertEqual(self.verr(self.ex, statement="SELECT * FROM pqt WHERE pk = ?"),
                         "Number of parameters in request and statement don't match.")
        self.assertTrue(self.verr(self.ex, statement="SELEC * FROM pqt").startswith(
            "Statement wasn't well formed, can't be processed: "))
        # the paritysuite conformance captures (partiqlGrammar) and the conformance suite's exact-message tests
        self.assertEqual(self.verr(self.ex, statement="SELECT * FROM pqt WHERE pk = 'a' foo"),
                         "Statement wasn't well formed, can't be processed: Unexpected token after expression")
        self.assertEqual(self.verr(self.ex, statement="SELECT * FROM pqt WHERE"),
                         "Statement wasn't well formed, can't be processed: Unexpected term")
        self.assertEqual(self.verr(self.ex, statement="DELETE FROM pqt WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED OLD *"),
                         "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in "
                         "DELETE statements.")
        self.assertEqual(self.verr(self.ddb.execute_transaction, TransactStatements=[
            {"Statement": "SELECT * FROM pqt WHERE pk = 'a'"}]),
            "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the "
            "primary key in the where clause.")
        self.assertEqual(self.verr(self.ddb.execute_transaction, TransactStatements=[
            {"Statement": "SELECT * FROM pqt WHERE pk = 'a' AND sk = 1"},
            {"Statement": "UPDATE pqt SET v = 3 WHERE pk = 'a' AND sk = 1"}]),
            "ExecuteTransaction API does not support both read and write operations in the same request.")
        r = self.ddb.execute_transaction(TransactStatements=[{"Statement": "SELECT * FROM pqt WHERE pk = 'a' AND sk = 1"}])
        self.assertEqual(r["Responses"][0]["Item"]["v"], N(1))
        self.assertEqual(self.ddb.get_item(TableName="pqt", Key={"pk": S("a"), "sk": N(1)})["Item"]["v"], N(1))

    def test_pages_batches_and_transactions(self):
        for i in range(5):
            self.ex("INSERT INTO pqt VALUE {'pk': 'p', 'sk': ?}", [N(i)])
        seen, tok = [], None
        while True:
            kw = {"Limit": 2}
            if tok:
                kw["NextToken"] = tok
            r = self.ex("SELECT sk FROM pqt WHERE pk = 'p'", **kw)
            seen += [int(i["sk"]["N"]) for i in r["Items"]]
            tok = r.get("NextToken")
            if not tok:
                break
        self.assertEqual(seen, [0, 1, 2, 3, 4])
        r = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "INSERT INTO pqt VALUE {'pk': 'b', 'sk': 1}"},
            {"Statement": "INSERT INTO pqt VALUE {'pk': 'p', 'sk': 1}"}])["Responses"]
        self.assertNotIn("Error", r[0])
        self.assertEqual(r[1]["Error"]["Code"], "DuplicateItem")
        r = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM pqt WHERE pk = 'b' AND sk = 1"},
            {"Statement": "SELECT * FROM pqt WHERE pk = 'b'"}])["Responses"]
        self.assertEqual(r[0]["Item"], {"pk": S("b"), "sk": N(1)})
        # the paritysuite conformance captures of DynamoDB's answers
        self.assertEqual(r[1]["Error"], {"Code": "ValidationError", "Message": "Select statements within "
                                         "BatchExecuteStatement must specify the primary key in the where clause."})
        self.assertEqual(self.verr(self.ddb.batch_execute_statement, Statements=[
            {"Statement": "INSERT INTO pqt VALUE {'pk': 'q', 'sk': 1}"},
            {"Statement": "SELECT * FROM pqt WHERE pk = 'b' AND sk = 1"}]),
            "Read and write requests together in the same batch is not supported.")
        self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "INSERT INTO pqt VALUE {'pk': 't', 'sk': 1}"},
            {"Statement": "UPDATE pqt SET v = 1 WHERE pk = 'b' AND sk = 1"}])
        with self.assertRaises(self.ddb.exceptions.TransactionCanceledException) as cm:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO pqt VALUE {'pk': 'u', 'sk': 1}"},
                {"Statement": "UPDATE pqt SET v = 1 WHERE pk = 'missing' AND sk = 1"}])
        self.assertEqual([x["Code"] for x in cm.exception.response["CancellationReasons"]],
                         ["None", "ConditionalCheckFailed"])
        keys = sorted(i["pk"]["S"] for i in self.ex("SELECT pk FROM pqt WHERE sk = 1")["Items"])
        self.assertEqual(keys, ["b", "p", "t"])  # no 'u': all or nothing
