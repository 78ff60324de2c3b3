/* SPDX-License-Identifier: MIT
 * EventBridge Schemas: shape inference and the OpenAPI documents AWS's schema
 * discovery writes (the test vectors are AWS's own outputs: the user guide's
 * Step Functions example, DescribeSchema/ExportSchema responses recorded by
 * AWS tooling, the CLI's get-discovered-schema example), versioning of
 * discovered schemas, every REST route, the error bytes, and state surviving
 * a restart through the store. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"
#include "schemas/infer.h"
#include "aws/rest.h"
#include "schemas/schemas.h"
#include "store/store.h"
#include "unit.h"

#define BUS "arn:aws:events:us-east-1:000000000000:event-bus/default"

/* ---- helpers --------------------------------------------------------------- */

static json_t *shape_of(const char *txt)
{
    json_t *s = NULL;
    if (schemas_infer_shape(txt, strlen(txt), NULL, &s) < 0)
        return NULL;
    return s;
}

/* Renders the discovered schema for one event. Caller frees. */
static char *doc_for(const char *event)
{
    schemas_envelope_t env;
    json_t *shape = NULL;
    if (schemas_infer_shape(event, strlen(event), &env, &shape) < 0)
        return NULL;
    char *doc = schemas_openapi_event(shape, env.source, env.detail_type);
    json_decref(shape);
    schemas_envelope_clear(&env);
    return doc;
}

/* components.schemas.<comp>.properties.<prop> of a rendered document, as compact text. */
static char *prop_of(const char *doc, const char *comp, const char *prop)
{
    json_t *d = json_loads(doc, 0, NULL);
    json_t *p = json_object_get(
        json_object_get(json_object_get(json_object_get(json_object_get(d, "components"), "schemas"), comp),
                        "properties"),
        prop);
    char *txt = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(d);
    return txt;
}

typedef struct fixture {
    uv_loop_t loop;
    rn_config_t cfg;
    rn_store_t *store;
    schemas_t *s;
    char dir[64];
} fixture_t;

static void fx_open(fixture_t *f, int durable)
{
    memset(f, 0, sizeof *f);
    uv_loop_init(&f->loop);
    rn_config_defaults(&f->cfg);
    char msg[256];
    if (durable) {
        snprintf(f->dir, sizeof f->dir, "/tmp/rn_schemas_XXXXXX");
        if (!mkdtemp(f->dir))
            abort();
    }
    if (rn_store_open(&f->loop, durable ? f->dir : NULL, RN_FSYNC_OFF, &f->store, msg, sizeof msg) < 0)
        abort();
    if (schemas_new(&f->loop, f->store, &f->cfg, &f->s) < 0)
        abort();
}

static int load_kv(void *ud, const char *ns, const char *key, const char *value)
{
    return schemas_load_kv(ud, ns, key, value);
}

/* Closes and reopens the service over the same store directory. */
static void fx_restart(fixture_t *f)
{
    char msg[256];
    schemas_free(f->s);
    rn_store_close(f->store);
    if (rn_store_open(&f->loop, f->dir, RN_FSYNC_OFF, &f->store, msg, sizeof msg) < 0)
        abort();
    if (schemas_new(&f->loop, f->store, &f->cfg, &f->s) < 0)
        abort();
    rn_store_loader_t l = {NULL, NULL, load_kv, f->s};
    if (rn_store_load(f->store, &l) < 0)
        abort();
}

static void fx_close(fixture_t *f)
{
    schemas_free(f->s);
    rn_store_close(f->store);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    uv_loop_close(&f->loop);
    if (f->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
        if (system(cmd) != 0)
            abort();
    }
}

typedef struct res {
    int rc, status;
    json_t *out;
    char msg[1024];
} res_t;

static res_t call(fixture_t *f, const char *method, const char *path, const char *query, const char *body)
{
    res_t r;
    memset(&r, 0, sizeof r);
    rn_call_t *c = rn_calloc(1, sizeof *c);
    const rn_op_t *op;
    r.rc = aws_rest_run(&schemas_service, f->s, method, path, query, body, body ? strlen(body) : 0, c, &op);
    r.status = r.rc < 0 ? rn_err_info(r.rc)->status : op->status;
    r.out = c->out;
    snprintf(r.msg, sizeof r.msg, "%s", rn_call_msg(c));
    json_decref(c->in);
    rn_call_clear_msg(c);
    rn_free(c);
    return r;
}

static const char *str_at(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void observe(fixture_t *f, const char *event)
{
    schemas_observe(f->s, BUS, event, strlen(event));
}

static const char order_v1[] =
    "{\"version\":\"0\",\"id\":\"1\",\"detail-type\":\"Order Created\",\"source\":\"ecommerce.orders\",\"account\":"
    "\"000000000000\",\"time\":\"2024-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
    "\"orderId\":\"o-1\",\"total\":19.5,\"qty\":2}}";
static const char order_same[] =
    "{\"version\":\"0\",\"id\":\"2\",\"detail-type\":\"Order Created\",\"source\":\"ecommerce.orders\",\"account\":"
    "\"000000000000\",\"time\":\"2024-01-01T00:00:01Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
    "\"qty\":7,\"orderId\":\"o-2\",\"total\":3.25}}";
static const char order_v2[] =
    "{\"version\":\"0\",\"id\":\"3\",\"detail-type\":\"Order Created\",\"source\":\"ecommerce.orders\",\"account\":"
    "\"000000000000\",\"time\":\"2024-01-01T00:00:02Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{"
    "\"orderId\":\"o-3\",\"total\":1.0,\"qty\":1,\"customer\":{\"email\":\"a@b\"}}}";

/* ---- AWS's own documents --------------------------------------------------- */

/* Recorded DescribeSchema/ExportSchema of discovered-schemas/users@UserCreated
 * (an event with empty resources and detail {"data":{"id":...}}). */
static const char aws_user_created[] =
    "{\"openapi\":\"3.0.0\",\"info\":{\"version\":\"1.0.0\",\"title\":\"UserCreated\"},\"paths\":{},\"components\":{"
    "\"schemas\":{\"AWSEvent\":{\"type\":\"object\",\"required\":[\"detail-type\",\"resources\",\"detail\",\"id\","
    "\"source\",\"time\",\"region\",\"version\",\"account\"],\"x-amazon-events-detail-type\":\"userCreated\","
    "\"x-amazon-events-source\":\"users\",\"properties\":{\"detail\":{\"$ref\":\"#/components/schemas/"
    "UserCreated\"},\"account\":{\"type\":\"string\"},\"detail-type\":{\"type\":\"string\"},\"id\":{\"type\":"
    "\"string\"},\"region\":{\"type\":\"string\"},\"resources\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\"}},\"source\":{\"type\":\"string\"},\"time\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"version\":{\"type\":\"string\"}}},\"UserCreated\":{\"type\":\"object\",\"required\":[\"data\"],"
    "\"properties\":{\"data\":{\"$ref\":\"#/components/schemas/Data\"}}},\"Data\":{\"type\":\"object\","
    "\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\"}}}}}}";
static const char aws_user_created_draft4[] =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"UserCreated\",\"definitions\":{\"Data\":{"
    "\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"],\"type\":\"object\"},\"UserCreated\":{"
    "\"properties\":{\"data\":{\"$ref\":\"#/definitions/Data\"}},\"required\":[\"data\"],\"type\":\"object\"}},"
    "\"properties\":{\"account\":{\"type\":\"string\"},\"detail\":{\"$ref\":\"#/definitions/UserCreated\"},"
    "\"detail-type\":{\"type\":\"string\"},\"id\":{\"type\":\"string\"},\"region\":{\"type\":\"string\"},"
    "\"resources\":{\"items\":{\"type\":\"object\"},\"type\":\"array\"},\"source\":{\"type\":\"string\"},\"time\":{"
    "\"format\":\"date-time\",\"type\":\"string\"},\"version\":{\"type\":\"string\"}},\"required\":[\"detail-type\","
    "\"resources\",\"detail\",\"id\",\"source\",\"time\",\"region\",\"version\",\"account\"],\"type\":\"object\","
    "\"x-amazon-events-detail-type\":\"userCreated\",\"x-amazon-events-source\":\"users\"}";
static const char user_created_event[] =
    "{\"version\":\"0\",\"id\":\"6a7e8feb-b491-4cf7-a9f1-bf3703467718\",\"detail-type\":\"userCreated\","
    "\"source\":\"users\",\"account\":\"111122223333\",\"time\":\"2022-01-20T06:58:30Z\",\"region\":\"us-west-1\","
    "\"resources\":[],\"detail\":{\"data\":{\"id\":\"u-1\"}}}";

TEST(test_discovered_document_matches_aws_user_created)
{
    char *doc = doc_for(user_created_event);
    CHECK_STR(doc, aws_user_created);
    rn_free(doc);
}

TEST(test_export_draft4_matches_aws_user_created)
{
    char *out = NULL;
    CHECK_INT(schemas_draft4_export(aws_user_created, &out), 0);
    CHECK_STR(out, aws_user_created_draft4);
    rn_free(out);
}

/* A recorded DescribeSchema of discovered-schemas/order@NewOrder: a nested
 * object becomes its own component after the detail's. */
TEST(test_discovered_document_matches_aws_new_order)
{
    static const char ev[] =
        "{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"NewOrder\",\"source\":\"order\",\"account\":\"1\","
        "\"time\":\"2019-11-22T01:38:02Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{\"productId\":"
        "\"p\",\"orderId\":\"o\",\"customer\":{\"firstName\":\"a\",\"lastName\":\"b\",\"street\":\"c\",\"city\":"
        "\"d\",\"zip\":\"e\",\"country\":\"f\"}}}";
    static const char want[] =
        "{\"openapi\":\"3.0.0\",\"info\":{\"version\":\"1.0.0\",\"title\":\"NewOrder\"},\"paths\":{},\"components\":{"
        "\"schemas\":{\"AWSEvent\":{\"type\":\"object\",\"required\":[\"detail-type\",\"resources\",\"detail\","
        "\"id\",\"source\",\"time\",\"region\",\"version\",\"account\"],\"x-amazon-events-detail-type\":"
        "\"NewOrder\",\"x-amazon-events-source\":\"order\",\"properties\":{\"detail\":{\"$ref\":\"#/components/"
        "schemas/NewOrder\"},\"account\":{\"type\":\"string\"},\"detail-type\":{\"type\":\"string\"},\"id\":{"
        "\"type\":\"string\"},\"region\":{\"type\":\"string\"},\"resources\":{\"type\":\"array\",\"items\":{"
        "\"type\":\"object\"}},\"source\":{\"type\":\"string\"},\"time\":{\"type\":\"string\",\"format\":"
        "\"date-time\"},\"version\":{\"type\":\"string\"}}},\"NewOrder\":{\"type\":\"object\",\"required\":["
        "\"productId\",\"orderId\",\"customer\"],\"properties\":{\"customer\":{\"$ref\":\"#/components/schemas/"
        "Customer\"},\"orderId\":{\"type\":\"string\"},\"productId\":{\"type\":\"string\"}}},\"Customer\":{\"type\":"
        "\"object\",\"required\":[\"zip\",\"country\",\"firstName\",\"lastName\",\"city\",\"street\"],"
        "\"properties\":{\"city\":{\"type\":\"string\"},\"country\":{\"type\":\"string\"},\"firstName\":{\"type\":"
        "\"string\"},\"lastName\":{\"type\":\"string\"},\"street\":{\"type\":\"string\"},\"zip\":{\"type\":"
        "\"string\"}}}}}}";
    char *doc = doc_for(ev);
    CHECK_STR(doc, want);
    rn_free(doc);
}

/* The user guide's "Creating a schema from event JSON" example: integers
 * past int32 are int64, null is an empty schema and still required, and
 * "required" follows java.util.HashSet order. */
TEST(test_discovered_document_matches_user_guide_step_functions)
{
    static const char ev[] =
        "{\"version\":\"0\",\"id\":\"315c1398-40ff-a850-213b-158f73e60175\",\"detail-type\":\"Step Functions "
        "Execution Status Change\",\"source\":\"aws.states\",\"account\":\"012345678912\",\"time\":"
        "\"2019-02-26T19:42:21Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:states:us-east-1:012345678912:"
        "execution:state-machine-name:execution-name\"],\"detail\":{\"executionArn\":\"arn:x\",\"stateMachineArn\":"
        "\"arn:y\",\"name\":\"execution-name\",\"status\":\"FAILED\",\"startDate\":1551225146847,\"stopDate\":"
        "1551225151881,\"input\":\"{}\",\"output\":null}}";
    static const char want[] =
        "{\"openapi\":\"3.0.0\",\"info\":{\"version\":\"1.0.0\",\"title\":\"StepFunctionsExecutionStatusChange\"},"
        "\"paths\":{},\"components\":{\"schemas\":{\"AWSEvent\":{\"type\":\"object\",\"required\":[\"detail-type\","
        "\"resources\",\"detail\",\"id\",\"source\",\"time\",\"region\",\"version\",\"account\"],"
        "\"x-amazon-events-detail-type\":\"Step Functions Execution Status Change\",\"x-amazon-events-source\":"
        "\"aws.states\",\"properties\":{\"detail\":{\"$ref\":\"#/components/schemas/"
        "StepFunctionsExecutionStatusChange\"},\"account\":{\"type\":\"string\"},\"detail-type\":{\"type\":"
        "\"string\"},\"id\":{\"type\":\"string\"},\"region\":{\"type\":\"string\"},\"resources\":{\"type\":"
        "\"array\",\"items\":{\"type\":\"string\"}},\"source\":{\"type\":\"string\"},\"time\":{\"type\":\"string\","
        "\"format\":\"date-time\"},\"version\":{\"type\":\"string\"}}},\"StepFunctionsExecutionStatusChange\":{"
        "\"type\":\"object\",\"required\":[\"output\",\"input\",\"executionArn\",\"name\",\"stateMachineArn\","
        "\"startDate\",\"stopDate\",\"status\"],\"properties\":{\"executionArn\":{\"type\":\"string\"},\"input\":{"
        "\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"output\":{},\"startDate\":{\"type\":\"integer\","
        "\"format\":\"int64\"},\"stateMachineArn\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},"
        "\"stopDate\":{\"type\":\"integer\",\"format\":\"int64\"}}}}}}";
    char *doc = doc_for(ev);
    CHECK_STR(doc, want);
    rn_free(doc);
}

/* ---- inference ---------------------------------------------------------------- */

TEST(test_infer_strings_booleans_and_nulls)
{
    char *doc = doc_for("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"a\":\"x\",\"b\":true,\"c\":false,"
                        "\"d\":null}}");
    char *a = prop_of(doc, "T", "a"), *b = prop_of(doc, "T", "b"), *c = prop_of(doc, "T", "c"),
         *d = prop_of(doc, "T", "d");
    CHECK_STR(a, "{\"type\":\"string\"}");
    CHECK_STR(b, "{\"type\":\"boolean\"}");
    CHECK_STR(c, "{\"type\":\"boolean\"}");
    CHECK_STR(d, "{}");
    free(a);
    free(b);
    free(c);
    free(d);
    rn_free(doc);
}

TEST(test_infer_integers_by_range_and_reals_as_double)
{
    char *doc = doc_for("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"small\":2147483647,\"neg\":"
                        "-2147483648,\"long\":2147483648,\"min64\":-9223372036854775808,\"huge\":"
                        "123456789012345678901234567890,\"real\":1.5,\"exp\":1e3,\"zero\":-0.0}}");
    const char *names[] = {"small", "neg", "long", "min64", "huge", "real", "exp", "zero"};
    const char *want[] = {"{\"type\":\"integer\",\"format\":\"int32\"}", "{\"type\":\"integer\",\"format\":\"int32\"}",
                          "{\"type\":\"integer\",\"format\":\"int64\"}", "{\"type\":\"integer\",\"format\":\"int64\"}",
                          "{\"type\":\"integer\"}",
                          "{\"type\":\"number\",\"format\":\"double\"}", "{\"type\":\"number\",\"format\":\"double\"}",
                          "{\"type\":\"number\",\"format\":\"double\"}"};
    for (int i = 0; i < 8; i++) {
        char *p = prop_of(doc, "T", names[i]);
        CHECK_STR(p, want[i]);
        free(p);
    }
    rn_free(doc);
}

TEST(test_infer_nested_objects_become_components)
{
    char *doc = doc_for("{\"source\":\"s\",\"detail-type\":\"order placed\",\"detail\":{\"customer\":{\"address\":{"
                        "\"zip\":\"1\"}},\"shipping-address\":{\"line\":\"x\"}}}");
    char *c = prop_of(doc, "OrderPlaced", "customer"), *a = prop_of(doc, "Customer", "address"),
         *z = prop_of(doc, "Address", "zip"), *s = prop_of(doc, "OrderPlaced", "shipping-address");
    CHECK_STR(c, "{\"$ref\":\"#/components/schemas/Customer\"}");
    CHECK_STR(a, "{\"$ref\":\"#/components/schemas/Address\"}");
    CHECK_STR(z, "{\"type\":\"string\"}");
    CHECK_STR(s, "{\"$ref\":\"#/components/schemas/ShippingAddress\"}");
    free(c);
    free(a);
    free(z);
    free(s);
    rn_free(doc);
}

TEST(test_infer_same_key_different_shapes_get_distinct_components)
{
    char *doc = doc_for("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"a\":{\"data\":{\"x\":1}},\"b\":{"
                        "\"data\":{\"y\":\"s\"}},\"c\":{\"data\":{\"x\":2}}}}");
    char *a = prop_of(doc, "A", "data"), *b = prop_of(doc, "B", "data"), *c = prop_of(doc, "C", "data");
    CHECK_STR(a, "{\"$ref\":\"#/components/schemas/Data\"}");
    CHECK_STR(b, "{\"$ref\":\"#/components/schemas/Data_1\"}");
    CHECK_STR(c, "{\"$ref\":\"#/components/schemas/Data\"}");
    free(a);
    free(b);
    free(c);
    rn_free(doc);
}

TEST(test_infer_arrays_of_scalars_objects_empty_and_nested)
{
    char *doc = doc_for("{\"source\":\"s\",\"detail-type\":\"T\",\"detail\":{\"tags\":[\"a\",\"b\"],\"items\":[{"
                        "\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\"}],\"none\":[],\"grid\":[[1,2],[3.5]],\"mixed\":[1,"
                        "\"x\"]}}");
    char *t = prop_of(doc, "T", "tags"), *i = prop_of(doc, "T", "items"), *n = prop_of(doc, "T", "none"),
         *g = prop_of(doc, "T", "grid"), *m = prop_of(doc, "T", "mixed");
    CHECK_STR(t, "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
    CHECK_STR(i, "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Items\"}}");
    CHECK_STR(n, "{\"type\":\"array\",\"items\":{\"type\":\"object\"}}");
    CHECK_STR(g, "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"number\",\"format\":"
                 "\"double\"}}}");
    CHECK_STR(m, "{\"type\":\"array\",\"items\":{}}");
    /* an element key missing from one element is not required */
    json_t *d = json_loads(doc, 0, NULL);
    json_t *req = json_object_get(json_object_get(json_object_get(json_object_get(d, "components"), "schemas"),
                                                  "Items"),
                                  "required");
    CHECK_INT(json_array_size(req), 1);
    CHECK_STR(json_string_value(json_array_get(req, 0)), "sku");
    json_decref(d);
    free(t);
    free(i);
    free(n);
    free(g);
    free(m);
    rn_free(doc);
}

TEST(test_infer_escaped_keys_and_unicode)
{
    char *doc = doc_for("{\"source\":\"s\\u00e9\",\"detail-type\":\"T\",\"detail\":{\"caf\\u00e9\":\"x\",\"q\\\"k\":1,"
                        "\"emoji\\ud83d\\ude00\":true}}");
    CHECK(doc != NULL);
    char *a = prop_of(doc, "T", "caf\xc3\xa9"), *b = prop_of(doc, "T", "q\"k"),
         *c = prop_of(doc, "T", "emoji\xf0\x9f\x98\x80");
    CHECK_STR(a, "{\"type\":\"string\"}");
    CHECK_STR(b, "{\"type\":\"integer\",\"format\":\"int32\"}");
    CHECK_STR(c, "{\"type\":\"boolean\"}");
    json_t *d = json_loads(doc, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(
                  json_object_get(json_object_get(json_object_get(d, "components"), "schemas"), "AWSEvent"),
                  "x-amazon-events-source")),
              "s\xc3\xa9");
    json_decref(d);
    free(a);
    free(b);
    free(c);
    rn_free(doc);
}

TEST(test_infer_rejects_invalid_text)
{
    const char *bad[] = {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}",
                         "{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}", "{} x", "{\"a\\u0000\":1}", "{\"\xff\":1}", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *s = NULL;
        CHECK_INT(schemas_infer_shape(bad[i], strlen(bad[i]), NULL, &s), SC_ERR_BAD_REQUEST);
        CHECK(s == NULL);
    }
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    json_t *s = NULL;
    CHECK_INT(schemas_infer_shape(deep, sizeof deep, NULL, &s), SC_ERR_BAD_REQUEST);
    CHECK_INT(schemas_infer_shape(deep + 200 - 60, 120, NULL, &s), 0);
    json_decref(s);
}

TEST(test_merge_widens_numbers_and_fills_nulls)
{
    json_t *a = shape_of("{\"n\":1,\"m\":null,\"k\":\"s\",\"e\":[]}");
    json_t *b = shape_of("{\"n\":2.5,\"m\":\"x\",\"k\":3,\"e\":[true]}");
    json_t *m = schemas_shape_merge(a, b);
    char *txt = schemas_openapi_plain(m, "Event");
    char *n = prop_of(txt, "Event", "n"), *mm = prop_of(txt, "Event", "m"), *k = prop_of(txt, "Event", "k"),
         *e = prop_of(txt, "Event", "e");
    CHECK_STR(n, "{\"type\":\"number\",\"format\":\"double\"}");
    CHECK_STR(mm, "{\"type\":\"string\"}");
    CHECK_STR(k, "{}");
    CHECK_STR(e, "{\"type\":\"array\",\"items\":{\"type\":\"boolean\"}}");
    free(n);
    free(mm);
    free(k);
    free(e);
    rn_free(txt);
    json_decref(a);
    json_decref(b);
    json_decref(m);
}

TEST(test_merge_is_idempotent_so_alternating_shapes_settle)
{
    json_t *a = shape_of("{\"x\":1}"), *b = shape_of("{\"y\":\"s\"}");
    json_t *ab = schemas_shape_merge(a, b);
    json_t *aba = schemas_shape_merge(ab, a);
    json_t *abab = schemas_shape_merge(aba, b);
    CHECK(json_equal(ab, aba));
    CHECK(json_equal(ab, abab));
    json_decref(a);
    json_decref(b);
    json_decref(ab);
    json_decref(aba);
    json_decref(abab);
}

TEST(test_pascal_names_as_aws_writes_them)
{
    char out[64];
    schemas_name_pascal("EC2 Instance State-change Notification", out, sizeof out);
    CHECK_STR(out, "EC2InstanceStateChangeNotification");
    schemas_name_pascal("userCreated", out, sizeof out);
    CHECK_STR(out, "UserCreated");
    schemas_name_pascal("Order Created", out, sizeof out);
    CHECK_STR(out, "OrderCreated");
    schemas_name_pascal("--", out, sizeof out);
    CHECK_STR(out, "Event");
}

TEST(test_java_hash_matches_string_hashcode)
{
    CHECK_INT(schemas_java_hash("hello"), 99162322);
    CHECK_INT(schemas_java_hash(""), 0);
    CHECK_INT(schemas_java_hash("\xc3\xa9"), 233);
    CHECK_INT(schemas_java_hash("\xf0\x9f\x98\x80"), 1772899);
}

/* The CLI reference's get-discovered-schema example (not an event envelope). */
TEST(test_get_discovered_schema_cli_example)
{
    fixture_t f;
    fx_open(&f, 0);
    res_t r = call(&f, "POST", "/v1/discover", NULL,
                   "{\"Events\":[\"{\\\"Source\\\":\\\"com.mycompany.myapp\\\",\\\"Detail\\\":\\\"{ \\\\\\\"key1\\\\\\\": "
                   "\\\\\\\"value1\\\\\\\" }\\\",\\\"EventBusName\\\":\\\"default\\\",\\\"Resources\\\":[\\\"resource1\\\","
                   "\\\"resource2\\\"],\\\"DetailType\\\":\\\"myDetailType\\\"}\"],\"Type\":\"OpenApi3\"}");
    CHECK_INT(r.rc, 0);
    CHECK_STR(str_at(r.out, "Content"),
              "{\"openapi\":\"3.0.0\",\"info\":{\"version\":\"1.0.0\",\"title\":\"Event\"},\"paths\":{},\"components\":{"
              "\"schemas\":{\"Event\":{\"type\":\"object\",\"required\":[\"EventBusName\",\"DetailType\",\"Resources\","
              "\"Detail\",\"Source\"],\"properties\":{\"Detail\":{\"type\":\"string\"},\"DetailType\":{\"type\":"
              "\"string\"},\"EventBusName\":{\"type\":\"string\"},\"Resources\":{\"type\":\"array\",\"items\":{\"type\":"
              "\"string\"}},\"Source\":{\"type\":\"string\"}}}}}}");
    json_decref(r.out);
    r = call(&f, "POST", "/v1/discover", NULL, "{\"Events\":[\"{\\\"a\\\":1}\"],\"Type\":\"JSONSchemaDraft4\"}");
    CHECK_INT(r.rc, 0);
    CHECK(strncmp(str_at(r.out, "Content"), "{\"$schema\":\"http://json-schema.org/draft-04/schema#\"", 52) == 0);
    json_decref(r.out);
    r = call(&f, "POST", "/v1/discover", NULL, "{\"Events\":[\"not json\"],\"Type\":\"OpenApi3\"}");
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    r = call(&f, "POST", "/v1/discover", NULL, "{\"Events\":[],\"Type\":\"OpenApi3\"}");
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    fx_close(&f);
}

/* ---- discovery and versions -------------------------------------------------- */

static json_t *versions_of(fixture_t *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/registries/name/discovered-schemas/schemas/name/%s/versions", name);
    res_t r = call(f, "GET", path, NULL, NULL);
    return r.out;
}

TEST(test_discoverer_creates_schema_named_source_at_detail_type)
{
    fixture_t f;
    fx_open(&f, 0);
    res_t r = call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}");
    CHECK_INT(r.rc, 0);
    json_decref(r.out);
    observe(&f, order_v1);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(r.rc, 0);
    json_t *first = json_array_get(json_object_get(r.out, "Schemas"), 0);
    CHECK_STR(str_at(first, "SchemaName"), "ecommerce.orders@OrderCreated");
    CHECK_STR(str_at(first, "SchemaArn"),
              "arn:aws:schemas:us-east-1:000000000000:schema/discovered-schemas/ecommerce.orders@OrderCreated");
    CHECK_INT(json_integer_value(json_object_get(first, "VersionCount")), 1);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/ecommerce.orders%40OrderCreated", NULL,
             NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(str_at(r.out, "SchemaVersion"), "1");
    CHECK_STR(str_at(r.out, "Type"), "OpenApi3");
    CHECK(str_at(r.out, "VersionCreatedDate") != NULL);
    char *qty = prop_of(str_at(r.out, "Content"), "OrderCreated", "qty");
    CHECK_STR(qty, "{\"type\":\"integer\",\"format\":\"int32\"}");
    free(qty);
    json_decref(r.out);
    fx_close(&f);
}

TEST(test_same_shape_adds_no_version)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    observe(&f, order_v1);
    observe(&f, order_same);
    observe(&f, order_v1);
    json_t *v = versions_of(&f, "ecommerce.orders@OrderCreated");
    CHECK_INT(json_array_size(json_object_get(v, "SchemaVersions")), 1);
    json_decref(v);
    fx_close(&f);
}

TEST(test_shape_change_adds_version_and_keeps_old_one)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    observe(&f, order_v1);
    observe(&f, order_v2); /* a new field: version 2, optional since v1 lacked it */
    observe(&f, order_v1); /* merged shape unchanged: none */
    observe(&f, order_v2);
    observe(&f, "{\"source\":\"ecommerce.orders\",\"detail-type\":\"Order Created\",\"resources\":[],"
                "\"detail\":{\"orderId\":\"o\",\"total\":2,\"qty\":1.5}}"); /* qty widens: version 3 */
    json_t *v = versions_of(&f, "ecommerce.orders@OrderCreated");
    json_t *list = json_object_get(v, "SchemaVersions");
    CHECK_INT(json_array_size(list), 3);
    CHECK_STR(str_at(json_array_get(list, 2), "SchemaVersion"), "3");
    CHECK_STR(str_at(json_array_get(list, 0), "Type"), "OpenApi3");
    json_decref(v);
    res_t r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/ecommerce.orders@OrderCreated",
                   "schemaVersion=1", NULL);
    CHECK_INT(r.rc, 0);
    CHECK(strstr(str_at(r.out, "Content"), "Customer") == NULL);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/ecommerce.orders@OrderCreated", NULL,
             NULL);
    CHECK_STR(str_at(r.out, "SchemaVersion"), "3");
    char *cust = prop_of(str_at(r.out, "Content"), "OrderCreated", "customer");
    CHECK_STR(cust, "{\"$ref\":\"#/components/schemas/Customer\"}");
    free(cust);
    json_t *doc = json_loads(str_at(r.out, "Content"), 0, NULL);
    json_t *req = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "OrderCreated"), "required");
    CHECK_INT(json_array_size(req), 3); /* customer is not in every event */
    json_decref(doc);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/ecommerce.orders@OrderCreated",
             "schemaVersion=9", NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    fx_close(&f);
}

TEST(test_stopped_or_other_bus_discoverer_ignores_events)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    json_decref(call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/stop", NULL, NULL).out);
    CHECK_INT(schemas_discoverers_started(f.s), 0);
    observe(&f, order_v1);
    schemas_observe(f.s, "arn:aws:events:us-east-1:000000000000:event-bus/other", order_v1, strlen(order_v1));
    res_t r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Schemas")), 0);
    json_decref(r.out);
    /* events that are not envelopes or not JSON are skipped quietly */
    json_decref(call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/start", NULL, NULL).out);
    observe(&f, "{\"source\":\"a\"}");
    observe(&f, "garbage");
    observe(&f, "{\"source\":\"a\",\"detail-type\":\"b\",\"detail\":\"str\"}");
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Schemas")), 0);
    json_decref(r.out);
    fx_close(&f);
}

/* Found by fuzz_schema_infer: a source or detail-type that is not UTF-8
 * (or holds a NUL) was taken for an out-of-memory error. Such an event names
 * no schema and is skipped quietly. */
TEST(test_non_utf8_source_or_detail_type_is_skipped)
{
    schemas_envelope_t env;
    json_t *shape = NULL;
    static const char ev[] = "{\"source\":\"a\xff\",\"detail-type\":\"b\\u0000c\",\"detail\":{}}";
    CHECK_INT(schemas_infer_shape(ev, strlen(ev), &env, &shape), 0);
    CHECK(env.source == NULL);
    CHECK(env.detail_type == NULL);
    CHECK(env.detail_is_object);
    json_decref(shape);
    schemas_envelope_clear(&env);
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    observe(&f, ev);
    res_t r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Schemas")), 0);
    json_decref(r.out);
    fx_close(&f);
}

TEST(test_cross_account_false_skips_other_accounts)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(
        call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\",\"CrossAccount\":false}").out);
    observe(&f, "{\"source\":\"a\",\"detail-type\":\"b\",\"account\":\"999999999999\",\"detail\":{}}");
    res_t r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Schemas")), 0);
    json_decref(r.out);
    observe(&f, "{\"source\":\"a\",\"detail-type\":\"b\",\"account\":\"000000000000\",\"detail\":{}}");
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Schemas")), 1);
    json_decref(r.out);
    fx_close(&f);
}

/* ---- routing: registries ---------------------------------------------------- */

TEST(test_route_create_describe_update_delete_registry)
{
    fixture_t f;
    fx_open(&f, 0);
    res_t r = call(&f, "POST", "/v1/registries/name/my-reg", NULL, "{\"Description\":\"d1\",\"tags\":{\"k\":\"v\"}}");
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.status, 201);
    CHECK_STR(str_at(r.out, "RegistryArn"), "arn:aws:schemas:us-east-1:000000000000:registry/my-reg");
    CHECK_STR(str_at(r.out, "RegistryName"), "my-reg");
    CHECK_STR(str_at(r.out, "Description"), "d1");
    CHECK_STR(str_at(json_object_get(r.out, "tags"), "k"), "v");
    json_decref(r.out);
    r = call(&f, "POST", "/v1/registries/name/my-reg", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_CONFLICT);
    CHECK_INT(r.status, 409);
    CHECK_STR(r.msg, "Registry with name my-reg already exists.");
    r = call(&f, "GET", "/v1/registries/name/my-reg", NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(str_at(r.out, "Description"), "d1");
    json_decref(r.out);
    r = call(&f, "PUT", "/v1/registries/name/my-reg", NULL, "{\"Description\":\"d2\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(str_at(r.out, "Description"), "d2");
    json_decref(r.out);
    r = call(&f, "DELETE", "/v1/registries/name/my-reg", NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.status, 204);
    CHECK(r.out == NULL);
    r = call(&f, "GET", "/v1/registries/name/my-reg", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    CHECK_INT(r.status, 404);
    CHECK_STR(r.msg, "Registry with name my-reg does not exist.");
    r = call(&f, "DELETE", "/v1/registries/name/discovered-schemas", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_FORBIDDEN);
    r = call(&f, "POST", "/v1/registries/name/bad%20name", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    fx_close(&f);
}

TEST(test_route_list_registries_with_scope_prefix_and_paging)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/registries/name/alpha", NULL, NULL).out);
    json_decref(call(&f, "POST", "/v1/registries/name/beta", NULL, NULL).out);
    res_t r = call(&f, "GET", "/v1/registries", NULL, NULL);
    json_t *l = json_object_get(r.out, "Registries");
    CHECK_INT(json_array_size(l), 4);
    CHECK_STR(str_at(json_array_get(l, 0), "RegistryName"), "alpha");
    CHECK_STR(str_at(json_array_get(l, 1), "RegistryName"), "aws.events");
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries", "scope=AWS", NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Registries")), 1);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries", "scope=LOCAL&registryNamePrefix=b", NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Registries")), 1);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries", "limit=3", NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Registries")), 3);
    char q[64];
    snprintf(q, sizeof q, "limit=3&nextToken=%s", str_at(r.out, "NextToken"));
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries", q, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Registries")), 1);
    CHECK(json_object_get(r.out, "NextToken") == NULL);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries", "scope=NOPE", NULL);
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    fx_close(&f);
}

/* ---- routing: schemas ---------------------------------------------------------- */

TEST(test_route_schema_crud_versions_search_and_export)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/registries/name/reg", NULL, NULL).out);
    res_t r = call(&f, "POST", "/v1/registries/name/reg/schemas/name/s1", NULL,
                   "{\"Content\":\"{\\\"openapi\\\":\\\"3.0.0\\\"}\",\"Type\":\"OpenApi3\",\"Description\":\"x\"}");
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.status, 201);
    CHECK_STR(str_at(r.out, "SchemaVersion"), "1");
    CHECK(json_object_get(r.out, "Content") == NULL);
    json_decref(r.out);
    r = call(&f, "POST", "/v1/registries/name/reg/schemas/name/s1", NULL,
             "{\"Content\":\"{}\",\"Type\":\"OpenApi3\"}");
    CHECK_INT(r.rc, SC_ERR_CONFLICT);
    CHECK_STR(r.msg, "Schema with name s1 already exists.");
    r = call(&f, "PUT", "/v1/registries/name/reg/schemas/name/s1", NULL, "{\"Content\":\"{\\\"v\\\":2}\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(str_at(r.out, "SchemaVersion"), "2");
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/reg/schemas/name/s1/versions", NULL, NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "SchemaVersions")), 2);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/reg/schemas/search", "keywords=S1", NULL);
    CHECK_INT(r.rc, 0);
    json_t *hit = json_array_get(json_object_get(r.out, "Schemas"), 0);
    CHECK_STR(str_at(hit, "RegistryName"), "reg");
    CHECK_INT(json_array_size(json_object_get(hit, "SchemaVersions")), 2);
    json_decref(r.out);
    r = call(&f, "DELETE", "/v1/registries/name/reg/schemas/name/s1/version/1", NULL, NULL);
    CHECK_INT(r.status, 204);
    r = call(&f, "GET", "/v1/registries/name/reg/schemas/name/s1", "schemaVersion=1", NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    r = call(&f, "DELETE", "/v1/registries/name/reg/schemas/name/s1", NULL, NULL);
    CHECK_INT(r.status, 204);
    r = call(&f, "GET", "/v1/registries/name/reg/schemas/name/s1", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    CHECK_STR(r.msg, "Schema with name s1 does not exist.");
    r = call(&f, "GET", "/v1/registries/name/nope/schemas", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    fx_close(&f);
}

TEST(test_route_export_discovered_schema_as_draft4)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    observe(&f, user_created_event);
    res_t r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/users@UserCreated/export",
                   "type=JSONSchemaDraft4", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(str_at(r.out, "Content"), aws_user_created_draft4);
    CHECK_STR(str_at(r.out, "Type"), "JSONSchemaDraft4");
    CHECK_STR(str_at(r.out, "SchemaVersion"), "1");
    json_decref(r.out);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/users@UserCreated/export", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    r = call(&f, "GET", "/v1/registries/name/discovered-schemas/schemas/name/users@UserCreated/export",
             "type=OpenApi3", NULL);
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    fx_close(&f);
}

/* ---- routing: discoverers -------------------------------------------------------- */

TEST(test_route_discoverer_lifecycle)
{
    fixture_t f;
    fx_open(&f, 0);
    res_t r = call(&f, "POST", "/v1/discoverers", NULL,
                   "{\"SourceArn\":\"" BUS "\",\"Description\":\"d\",\"tags\":{\"a\":\"b\"}}");
    CHECK_INT(r.status, 201);
    CHECK_STR(str_at(r.out, "DiscovererId"), "events-event-bus-default");
    CHECK_STR(str_at(r.out, "DiscovererArn"),
              "arn:aws:schemas:us-east-1:000000000000:discoverer/events-event-bus-default");
    CHECK_STR(str_at(r.out, "SourceArn"), BUS);
    CHECK_STR(str_at(r.out, "State"), "STARTED");
    CHECK(json_is_true(json_object_get(r.out, "CrossAccount")));
    json_decref(r.out);
    r = call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}");
    CHECK_INT(r.rc, SC_ERR_CONFLICT);
    r = call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"arn:aws:sqs:us-east-1:0:queue\"}");
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    r = call(&f, "POST", "/v1/discoverers", NULL, "{}");
    CHECK_INT(r.rc, SC_ERR_BAD_REQUEST);
    r = call(&f, "GET", "/v1/discoverers/id/events-event-bus-default", NULL, NULL);
    CHECK_STR(str_at(r.out, "Description"), "d");
    json_decref(r.out);
    r = call(&f, "PUT", "/v1/discoverers/id/events-event-bus-default", NULL,
             "{\"Description\":\"e\",\"CrossAccount\":false}");
    CHECK_STR(str_at(r.out, "Description"), "e");
    CHECK(json_is_false(json_object_get(r.out, "CrossAccount")));
    json_decref(r.out);
    r = call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/stop", NULL, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(str_at(r.out, "State"), "STOPPED");
    json_decref(r.out);
    r = call(&f, "GET", "/v1/discoverers", "sourceArnPrefix=arn:aws:events", NULL);
    json_t *d = json_array_get(json_object_get(r.out, "Discoverers"), 0);
    CHECK_STR(str_at(d, "State"), "STOPPED");
    CHECK(json_object_get(d, "Description") == NULL);
    json_decref(r.out);
    r = call(&f, "GET", "/v1/discoverers", "discovererIdPrefix=zzz", NULL);
    CHECK_INT(json_array_size(json_object_get(r.out, "Discoverers")), 0);
    json_decref(r.out);
    r = call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/start", NULL, NULL);
    CHECK_STR(str_at(r.out, "State"), "STARTED");
    CHECK_STR(str_at(r.out, "DiscovererId"), "events-event-bus-default");
    json_decref(r.out);
    CHECK_INT(schemas_discoverers_started(f.s), 1);
    r = call(&f, "DELETE", "/v1/discoverers/id/events-event-bus-default", NULL, NULL);
    CHECK_INT(r.status, 204);
    CHECK_INT(schemas_discoverers_started(f.s), 0);
    r = call(&f, "GET", "/v1/discoverers/id/events-event-bus-default", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    CHECK_STR(r.msg, "Discoverer with id events-event-bus-default does not exist.");
    r = call(&f, "POST", "/v1/discoverers/id/nope/start", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    fx_close(&f);
}

/* ---- routing: tags, unknown routes, ownership, wire bytes -------------------------- */

TEST(test_route_tags_by_arn)
{
    fixture_t f;
    fx_open(&f, 0);
    json_decref(call(&f, "POST", "/v1/registries/name/reg", NULL, NULL).out);
    const char *path = "/tags/arn%3Aaws%3Aschemas%3Aus-east-1%3A000000000000%3Aregistry%2Freg";
    res_t r = call(&f, "POST", path, NULL, "{\"tags\":{\"a\":\"1\",\"b\":\"2\"}}");
    CHECK_INT(r.status, 204);
    r = call(&f, "DELETE", path, "tagKeys=a", NULL);
    CHECK_INT(r.status, 204);
    r = call(&f, "GET", path, NULL, NULL);
    CHECK_INT(r.status, 200);
    json_t *tags = json_object_get(r.out, "tags");
    CHECK_INT(json_object_size(tags), 1);
    CHECK_STR(str_at(tags, "b"), "2");
    json_decref(r.out);
    r = call(&f, "GET", "/tags/arn%3Aaws%3Aschemas%3Aus-east-1%3A000000000000%3Aregistry%2Fnope", NULL, NULL);
    CHECK_INT(r.rc, SC_ERR_NOT_FOUND);
    fx_close(&f);
}

TEST(test_route_unknown_paths_and_methods)
{
    fixture_t f;
    fx_open(&f, 0);
    CHECK_INT(call(&f, "PATCH", "/v1/registries", NULL, NULL).rc, RN_ERR_UNKNOWN_OPERATION);
    CHECK_INT(call(&f, "GET", "/v1/nothing", NULL, NULL).rc, RN_ERR_UNKNOWN_OPERATION);
    CHECK_INT(call(&f, "GET", "/v1/registries/name/a/b/c/d/e/f/g/h/i/j/k", NULL, NULL).rc, RN_ERR_UNKNOWN_OPERATION);
    CHECK_INT(call(&f, "POST", "/v1/registries/name/x", NULL, "[1]").rc, SC_ERR_BAD_REQUEST);
    CHECK_INT(call(&f, "POST", "/v1/registries/name/x", NULL, "{bad").rc, SC_ERR_BAD_REQUEST);
    CHECK_INT(call(&f, "GET", "/v1/registries/name/x%00y", NULL, NULL).rc, SC_ERR_BAD_REQUEST);
    fx_close(&f);
}

TEST(test_owns_path)
{
    CHECK(schemas_owns_path("/v1/registries"));
    CHECK(schemas_owns_path("/v1/registries/name/x"));
    CHECK(schemas_owns_path("/v1/discoverers/id/x/start"));
    CHECK(schemas_owns_path("/v1/discover"));
    CHECK(schemas_owns_path("/tags/arn%3Aaws%3Aschemas%3Aus-east-1%3A1%3Aregistry%2Fx"));
    CHECK(schemas_owns_path("/tags/arn:aws:schemas:us-east-1:1:registry/x"));
    CHECK(!schemas_owns_path("/tags/arn%3Aaws%3Asqs%3Aus-east-1"));
    CHECK(!schemas_owns_path("/v1/discovery"));
    CHECK(!schemas_owns_path("/"));
    CHECK(!schemas_owns_path("/000000000000/queue"));
}

TEST(test_handle_renders_rest_json_error_bytes)
{
    fixture_t f;
    fx_open(&f, 0);
    rn_rest_reply_t r;
    aws_rest_handle(&schemas_service, f.s, "GET", "/v1/registries/name/nope", "", NULL, 0, "rid-1", &r);
    CHECK_INT(r.status, 404);
    CHECK_STR(r.content_type, "application/json");
    CHECK_STR(r.head, "x-amzn-RequestId: rid-1\r\nx-amzn-ErrorType: NotFoundException\r\n");
    CHECK_STR(r.body, "{\"Code\":\"NotFoundException\",\"Message\":\"Registry with name nope does not exist.\"}");
    CHECK_INT(r.body_len, strlen(r.body));
    rn_rest_reply_free(&r);
    aws_rest_handle(&schemas_service, f.s, "POST", "/v1/registries/name/r1", "", NULL, 0, "rid-2", &r);
    CHECK_INT(r.status, 201);
    CHECK_STR(r.head, "x-amzn-RequestId: rid-2\r\n");
    CHECK(r.body && strstr(r.body, "\"RegistryName\":\"r1\""));
    rn_rest_reply_free(&r);
    aws_rest_handle(&schemas_service, f.s, "DELETE", "/v1/registries/name/r1", "", NULL, 0, "rid-3", &r);
    CHECK_INT(r.status, 204);
    CHECK(r.body == NULL);
    CHECK_INT(r.body_len, 0);
    rn_rest_reply_free(&r);
    aws_rest_handle(&schemas_service, f.s, "POST", "/v1/registries/name/r1", "", NULL, 0, "rid-4", &r);
    rn_rest_reply_free(&r);
    aws_rest_handle(&schemas_service, f.s, "POST", "/v1/registries/name/r1", "", NULL, 0, "rid-5", &r);
    CHECK_INT(r.status, 409);
    CHECK_STR(r.body, "{\"Code\":\"ConflictException\",\"Message\":\"Registry with name r1 already exists.\"}");
    rn_rest_reply_free(&r);
    fx_close(&f);
}

/* ---- persistence ------------------------------------------------------------------ */

TEST(test_state_survives_restart)
{
    fixture_t f;
    fx_open(&f, 1);
    json_decref(call(&f, "POST", "/v1/registries/name/mine", NULL, "{\"Description\":\"kept\"}").out);
    json_decref(call(&f, "POST", "/v1/discoverers", NULL, "{\"SourceArn\":\"" BUS "\"}").out);
    observe(&f, order_v1);
    observe(&f, order_v2);
    json_decref(call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/stop", NULL, NULL).out);
    fx_restart(&f);
    res_t r = call(&f, "GET", "/v1/registries/name/mine", NULL, NULL);
    CHECK_STR(str_at(r.out, "Description"), "kept");
    json_decref(r.out);
    r = call(&f, "GET", "/v1/discoverers/id/events-event-bus-default", NULL, NULL);
    CHECK_STR(str_at(r.out, "State"), "STOPPED");
    json_decref(r.out);
    json_t *v = versions_of(&f, "ecommerce.orders@OrderCreated");
    CHECK_INT(json_array_size(json_object_get(v, "SchemaVersions")), 2);
    json_decref(v);
    /* the restored shape still merges: the same event adds nothing, a new field adds version 3 */
    json_decref(call(&f, "POST", "/v1/discoverers/id/events-event-bus-default/start", NULL, NULL).out);
    observe(&f, order_v2);
    v = versions_of(&f, "ecommerce.orders@OrderCreated");
    CHECK_INT(json_array_size(json_object_get(v, "SchemaVersions")), 2);
    json_decref(v);
    observe(&f, "{\"version\":\"0\",\"id\":\"9\",\"detail-type\":\"Order Created\",\"source\":\"ecommerce.orders\","
                "\"account\":\"000000000000\",\"time\":\"t\",\"region\":\"r\",\"resources\":[],\"detail\":{\"new\":1}}");
    v = versions_of(&f, "ecommerce.orders@OrderCreated");
    json_t *list = json_object_get(v, "SchemaVersions");
    CHECK_INT(json_array_size(list), 3);
    CHECK_STR(str_at(json_array_get(list, 2), "SchemaVersion"), "3");
    json_decref(v);
    /* deletions are durable too */
    json_decref(call(&f, "DELETE", "/v1/registries/name/mine", NULL, NULL).out);
    json_decref(call(&f, "DELETE", "/v1/discoverers/id/events-event-bus-default", NULL, NULL).out);
    fx_restart(&f);
    CHECK_INT(call(&f, "GET", "/v1/registries/name/mine", NULL, NULL).rc, SC_ERR_NOT_FOUND);
    CHECK_INT(call(&f, "GET", "/v1/discoverers/id/events-event-bus-default", NULL, NULL).rc, SC_ERR_NOT_FOUND);
    fx_close(&f);
}

TEST(test_load_ignores_other_namespaces_and_bad_records)
{
    fixture_t f;
    fx_open(&f, 0);
    CHECK_INT(schemas_load_kv(f.s, "dedup", "1/x", "v"), 0);
    CHECK_INT(schemas_load_kv(f.s, "schemas.registry", "r", "not json"), 0);
    CHECK_INT(schemas_load_kv(f.s, "schemas.version", "noslash", "{}"), 0);
    CHECK_INT(schemas_load_kv(f.s, "schemas.version", "reg/s/1", "{\"c\":\"{}\",\"type\":\"OpenApi3\",\"at\":0}"), 0);
    res_t r = call(&f, "GET", "/v1/registries/name/reg/schemas/name/s", NULL, NULL);
    CHECK_INT(r.rc, 0);
    CHECK_STR(str_at(r.out, "Content"), "{}");
    json_decref(r.out);
    schemas_reset(f.s);
    CHECK_INT(call(&f, "GET", "/v1/registries/name/reg", NULL, NULL).rc, SC_ERR_NOT_FOUND);
    r = call(&f, "GET", "/v1/registries/name/aws.events", NULL, NULL);
    CHECK_INT(r.rc, 0);
    json_decref(r.out);
    fx_close(&f);
}

UNIT_MAIN()
