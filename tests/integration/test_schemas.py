# SPDX-License-Identifier: MIT
"""EventBridge schema discovery against the real server: a discoverer on the
seed's bus infers an OpenAPI 3 schema per source and detail type from live
events, adds a version when the shape changes, and the SDK's schemas client
reads registries, schemas, versions and exports (REST-JSON protocol)."""
import json
import time

from harness import ServerTest


class TestSchemaDiscovery(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ev = cls.server.client("events")
        cls.sc = cls.server.client("schemas")

    def put(self, detail):
        r = self.ev.put_events(Entries=[{"Source": "ecommerce.orders", "DetailType": "Order Created",
                                         "EventBusName": "ecommerce-events", "Detail": json.dumps(detail)}])
        self.assertEqual(r["FailedEntryCount"], 0)

    def test_discoverer_infers_versions_from_live_events(self):
        bus_arn = self.ev.create_event_bus(Name="ecommerce-events")["EventBusArn"]
        names = [r["RegistryName"] for r in self.sc.list_registries()["Registries"]]
        self.assertEqual(names, ["aws.events", "discovered-schemas"])
        d = self.sc.create_discoverer(SourceArn=bus_arn, Description="orders")
        self.assertEqual(d["State"], "STARTED")
        self.assertEqual(self.sc.describe_discoverer(DiscovererId=d["DiscovererId"])["SourceArn"], bus_arn)
        self.put({"orderId": "o-1", "amount": 19.99, "items": [{"sku": "a", "qty": 1}]})
        self.put({"orderId": "o-2", "amount": 5, "items": []})  # same shape: no new version
        schemas = self.sc.list_schemas(RegistryName="discovered-schemas")["Schemas"]
        self.assertEqual([s["SchemaName"] for s in schemas], ["ecommerce.orders@OrderCreated"])
        s = self.sc.describe_schema(RegistryName="discovered-schemas", SchemaName="ecommerce.orders@OrderCreated")
        self.assertEqual((s["SchemaVersion"], s["Type"]), ("1", "OpenApi3"))
        doc = json.loads(s["Content"])
        self.assertEqual(doc["openapi"], "3.0.0")
        event = doc["components"]["schemas"]["AWSEvent"]
        self.assertEqual(event["x-amazon-events-source"], "ecommerce.orders")
        self.assertEqual(event["x-amazon-events-detail-type"], "Order Created")
        self.assertEqual(doc["components"]["schemas"]["OrderCreated"], {
            "type": "object", "required": ["amount", "orderId", "items"],
            "properties": {"amount": {"type": "number", "format": "double"}, "orderId": {"type": "string"},
                           "items": {"type": "array", "items": {"$ref": "#/components/schemas/Items"}}}})
        self.assertEqual(doc["components"]["schemas"]["Items"], {
            "type": "object", "required": ["qty", "sku"],
            "properties": {"qty": {"type": "integer", "format": "int32"}, "sku": {"type": "string"}}})
        # a new field changes the shape: version 2
        self.put({"orderId": "o-3", "amount": 7.5, "items": [], "coupon": "SAVE"})
        versions = self.sc.list_schema_versions(RegistryName="discovered-schemas",
                                                SchemaName="ecommerce.orders@OrderCreated")["SchemaVersions"]
        self.assertEqual(sorted(v["SchemaVersion"] for v in versions), ["1", "2"])
        latest = self.sc.describe_schema(RegistryName="discovered-schemas", SchemaName="ecommerce.orders@OrderCreated")
        self.assertEqual(latest["SchemaVersion"], "2")
        self.assertEqual(json.loads(latest["Content"])["components"]["schemas"]["OrderCreated"]["properties"]["coupon"],
                         {"type": "string"})
        exp = self.sc.export_schema(RegistryName="discovered-schemas", SchemaName="ecommerce.orders@OrderCreated",
                                    Type="JSONSchemaDraft4")
        exported = json.loads(exp["Content"])
        self.assertEqual((exported["$schema"], exported["title"]), ("http://json-schema.org/draft-04/schema#", "OrderCreated"))
        # a stopped discoverer learns nothing more
        self.sc.stop_discoverer(DiscovererId=d["DiscovererId"])
        self.ev.put_events(Entries=[{"Source": "other.app", "DetailType": "X", "EventBusName": "ecommerce-events",
                                     "Detail": "{}"}])
        names = [x["SchemaName"] for x in self.sc.list_schemas(RegistryName="discovered-schemas")["Schemas"]]
        self.assertEqual(names, ["ecommerce.orders@OrderCreated"])

    def test_registry_crud_and_errors(self):
        self.sc.create_registry(RegistryName="team-registry", Description="mine")
        self.assertEqual(self.sc.describe_registry(RegistryName="team-registry")["Description"], "mine")
        self.assertError("ConflictException", self.sc.create_registry, RegistryName="team-registry")
        self.sc.delete_registry(RegistryName="team-registry")
        self.assertError("NotFoundException", self.sc.describe_registry, RegistryName="team-registry")
        self.assertError("NotFoundException", self.sc.describe_schema, RegistryName="discovered-schemas",
                         SchemaName="nope@Nope")
