/* SPDX-License-Identifier: MIT
 * SigV4 parsing and verification against AWS's published test suite
 * (aws-sig-v4-test-suite: both the Authorization-header and the presigned
 * forms), against requests signed by botocore for SQS (query and JSON
 * protocols, a percent-encoded queue path, a presigned URL, a Date header),
 * plus the error paths with AWS's wording and the access-key file. */
#include "aws/authfile.h"
#include "aws/sigv4.h"
#include "core/err.h"
#include "core/mem.h"
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
/* 20150830T123600Z, the time every vector was signed at. */
#define SUITE_NOW_MS 1440938160000LL
#define MIN_MS (60 * 1000LL)

struct vector {
    const char *name;
    const char *request;   /* raw HTTP request as signed */
    const char *canonical; /* expected canonical request */
    const char *signature;
};

/* Generated from the AWS SigV4 test suite (aws-sig-v4-test-suite, as
 * carried in awslabs/aws-c-auth tests/aws-signing-test-suite/v4). Only the
 * "normalize": true cases: non-S3 services normalize the path. */
static const struct vector header_vectors[] = {
    {"get-header-key-duplicate",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value2\n"
     "My-Header1:value2\n"
     "My-Header1:value1\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:value2,value2,value1\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"get-header-value-multiline",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value1\n"
     "  value2\n"
     "     value3\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1 value2 value3\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"},
    {"get-header-value-order",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value4\n"
     "My-Header1:value1\n"
     "My-Header1:value3\n"
     "My-Header1:value2\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:value4,value1,value3,value2\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
    {"get-header-value-trim",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1: value1\n"
     "My-Header2: \"a   b   c\"\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1\n"
     "my-header2:\"a b c\"\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;my-header2;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"get-relative-normalized",
     "GET /example/.. HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-relative-relative-normalized",
     "GET /example1/example2/../.. HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-slash-dot-slash-normalized",
     "GET /./ HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-slash-normalized",
     "GET // HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-slash-pointless-dot-normalized",
     "GET /./example HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5\n"
     "\n",
     "GET\n"
     "/example\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
    {"get-slashes-normalized",
     "GET //example// HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84\n"
     "\n",
     "GET\n"
     "/example/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
    {"get-space-normalized",
     "GET /example space/ HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741\n"
     "\n",
     "GET\n"
     "/example%20space/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
    {"get-unreserved",
     "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f\n"
     "\n",
     "GET\n"
     "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
    {"get-utf8",
     "GET /\xe1\x88\xb4 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85\n"
     "\n",
     "GET\n"
     "/%E1%88%B4\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
    {"get-vanilla",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-empty-query-key",
     "GET /?Param1=value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb\n"
     "\n",
     "GET\n"
     "/\n"
     "Param1=value1\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
    {"get-vanilla-query",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-encoded",
     "GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac\n"
     "\n",
     "GET\n"
     "/\n"
     "%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"},
    {"get-vanilla-query-order-key-case",
     "GET /?Param2=value2&Param1=value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n"
     "\n",
     "GET\n"
     "/\n"
     "Param1=value1&Param2=value2\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-vanilla-query-unreserved",
     "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197\n"
     "\n",
     "GET\n"
     "/\n"
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
    {"get-vanilla-utf8-query",
     "GET /?\xe1\x88\xb4=bar HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04\n"
     "\n",
     "GET\n"
     "/\n"
     "%E1%88%B4=bar\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
    {"get-vanilla-with-session-token",
     "GET / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8\n"
     "\n",
     "GET\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n"
     "\n"
     "host;x-amz-date;x-amz-security-token\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
    {"post-header-key-case",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-header-key-sort",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value1\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
    {"post-header-value-case",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:VALUE1\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "my-header1:VALUE1\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;my-header1;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
    {"post-sts-header-after",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Security-Token:AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-sts-header-before",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Security-Token:AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "x-amz-security-token:AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==\n"
     "\n"
     "host;x-amz-date;x-amz-security-token\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
    {"post-vanilla",
     "POST / HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b\n"
     "\n",
     "POST\n"
     "/\n"
     "\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"post-vanilla-empty-query-value",
     "POST /?Param1=value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11\n"
     "\n",
     "POST\n"
     "/\n"
     "Param1=value1\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-vanilla-query",
     "POST /?Param1=value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11\n"
     "\n",
     "POST\n"
     "/\n"
     "Param1=value1\n"
     "host:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "host;x-amz-date\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-x-www-form-urlencoded",
     "POST / HTTP/1.1\n"
     "Content-Type:application/x-www-form-urlencoded\n"
     "Host:example.amazonaws.com\n"
     "Content-Length:13\n"
     "X-Amz-Date:20150830T123600Z\n"
     "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b\n"
     "\n"
     "Param1=value1",
     "POST\n"
     "/\n"
     "\n"
     "content-length:13\n"
     "content-type:application/x-www-form-urlencoded\n"
     "host:example.amazonaws.com\n"
     "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
    {"post-x-www-form-urlencoded-parameters",
     "POST / HTTP/1.1\n"
     "Content-Type:application/x-www-form-urlencoded; charset=utf-8\n"
     "Host:example.amazonaws.com\n"
     "Content-Length:13\n"
     "X-Amz-Date:20150830T123600Z\n"
     "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
     "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422\n"
     "\n"
     "Param1=value1",
     "POST\n"
     "/\n"
     "\n"
     "content-length:13\n"
     "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
     "host:example.amazonaws.com\n"
     "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
     "x-amz-date:20150830T123600Z\n"
     "\n"
     "content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"},
};
static const struct vector query_vectors[] = {
    {"get-header-key-duplicate",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1&X-Amz-Expires=3600&X-Amz-Signature=3349ee0b81b4b589da0ff28a395c3591e04de515651dd74f298fa992d1507a97 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value2\n"
     "My-Header1:value2\n"
     "My-Header1:value1\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\n"
     "host:example.amazonaws.com\n"
     "my-header1:value2,value2,value1\n"
     "\n"
     "host;my-header1\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "3349ee0b81b4b589da0ff28a395c3591e04de515651dd74f298fa992d1507a97"},
    {"get-header-value-multiline",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1&X-Amz-Expires=3600&X-Amz-Signature=e6f5def831211aca02987a44b96826706278c7bc078112ae0263659c5b2f2d56 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value1\n"
     "  value2\n"
     "     value3\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1 value2 value3\n"
     "\n"
     "host;my-header1\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e6f5def831211aca02987a44b96826706278c7bc078112ae0263659c5b2f2d56"},
    {"get-header-value-order",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1&X-Amz-Expires=3600&X-Amz-Signature=313720e71ca6202fdcfa9b20f88de01a4eb0638a83c833b1c184359a4eda864e HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value4\n"
     "My-Header1:value1\n"
     "My-Header1:value3\n"
     "My-Header1:value2\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\n"
     "host:example.amazonaws.com\n"
     "my-header1:value4,value1,value3,value2\n"
     "\n"
     "host;my-header1\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "313720e71ca6202fdcfa9b20f88de01a4eb0638a83c833b1c184359a4eda864e"},
    {"get-header-value-trim",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1%3Bmy-header2&X-Amz-Expires=3600&X-Amz-Signature=e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1: value1\n"
     "My-Header2: \"a   b   c\"\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1%3Bmy-header2\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1\n"
     "my-header2:\"a b c\"\n"
     "\n"
     "host;my-header1;my-header2\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4"},
    {"get-relative-normalized",
     "GET /example/..?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-relative-relative-normalized",
     "GET /example1/example2/../..?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-slash-dot-slash-normalized",
     "GET /./?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-slash-normalized",
     "GET //?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-slash-pointless-dot-normalized",
     "GET /./example?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=35034b1a0bdd969f346975386daf8aedfd4976573b8348cf4f67eaa41c5857de HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/example\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "35034b1a0bdd969f346975386daf8aedfd4976573b8348cf4f67eaa41c5857de"},
    {"get-slashes-normalized",
     "GET //example//?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=c1834e8fb0307243711f0f907f6ab7311ed300d87f13792d7ee4da89ab93e082 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/example/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c1834e8fb0307243711f0f907f6ab7311ed300d87f13792d7ee4da89ab93e082"},
    {"get-space-normalized",
     "GET /example space/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/example%20space/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6"},
    {"get-unreserved",
     "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=95968482db1b9e0fadef6efc1bd24689f77c77d9ef56919c96a28cc92e0d6005 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "95968482db1b9e0fadef6efc1bd24689f77c77d9ef56919c96a28cc92e0d6005"},
    {"get-utf8",
     "GET /\xe1\x88\xb4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/%E1%88%B4\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44"},
    {"get-vanilla",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-vanilla-empty-query-key",
     "GET /?Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=49096700cbbaa5753443850f40df10f904fc2fdb544dc9512203cc77c471a9de HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "49096700cbbaa5753443850f40df10f904fc2fdb544dc9512203cc77c471a9de"},
    {"get-vanilla-query",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"},
    {"get-vanilla-query-order-encoded",
     "GET /?Param-3=Value3&Param=Value2&%E1%88%B4=Value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=c5f1848ceec943ac2ca68ee720460c23aaae30a2300586597ada94c4a65e4787 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "%E1%88%B4=Value1&Param=Value2&Param-3=Value3&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c5f1848ceec943ac2ca68ee720460c23aaae30a2300586597ada94c4a65e4787"},
    {"get-vanilla-query-order-key-case",
     "GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "Param1=value1&Param2=value2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5"},
    {"get-vanilla-query-unreserved",
     "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf"},
    {"get-vanilla-utf8-query",
     "GET /?\xe1\x88\xb4=bar&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "%E1%88%B4=bar&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600"},
    {"get-vanilla-with-session-token",
     "GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267&X-Amz-Signature=7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "GET\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-Token=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c"},
    {"post-header-key-case",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b"},
    {"post-header-key-sort",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1&X-Amz-Expires=3600&X-Amz-Signature=c09d07e0d55871f10f2a6d350d994acf6825a3cae70673d7def55616e6119dd7 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:value1\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\n"
     "host:example.amazonaws.com\n"
     "my-header1:value1\n"
     "\n"
     "host;my-header1\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "c09d07e0d55871f10f2a6d350d994acf6825a3cae70673d7def55616e6119dd7"},
    {"post-header-value-case",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bmy-header1&X-Amz-Expires=3600&X-Amz-Signature=0698bc9e4f7f9139065ba2909c0e99da257e8e2a42492a097bcd46d792391fed HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "My-Header1:VALUE1\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host%3Bmy-header1\n"
     "host:example.amazonaws.com\n"
     "my-header1:VALUE1\n"
     "\n"
     "host;my-header1\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "0698bc9e4f7f9139065ba2909c0e99da257e8e2a42492a097bcd46d792391fed"},
    {"post-sts-header-after",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token=AQoDYXdzEPT%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI%2FqkPpKPi%2FkMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d%2Bxo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz%2BscqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR%2FoLxBA%3D%3D&X-Amz-Signature=2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b"},
    {"post-sts-header-before",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Security-Token=AQoDYXdzEPT%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI%2FqkPpKPi%2FkMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d%2Bxo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz%2BscqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR%2FoLxBA%3D%3D&X-Amz-Signature=46c2e3c63c1dbe7d39f8ada16fe7f001c1f56c5791441565323677f96308871c HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-Token=AQoDYXdzEPT%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI%2FqkPpKPi%2FkMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d%2Bxo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz%2BscqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR%2FoLxBA%3D%3D&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "46c2e3c63c1dbe7d39f8ada16fe7f001c1f56c5791441565323677f96308871c"},
    {"post-vanilla",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "2ce6e6d2e0cf2f9d1b55fafec88cd20574c31dc2e7631979f71ba2310083e95b"},
    {"post-vanilla-empty-query-value",
     "POST /?Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=a9ef26247f293bffe40eeff86a0480ba8c14d31503b2e0c3399e3a16bf1a3682 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "a9ef26247f293bffe40eeff86a0480ba8c14d31503b2e0c3399e3a16bf1a3682"},
    {"post-vanilla-query",
     "POST /?Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=a9ef26247f293bffe40eeff86a0480ba8c14d31503b2e0c3399e3a16bf1a3682 HTTP/1.1\n"
     "Host:example.amazonaws.com\n"
     "\n",
     "POST\n"
     "/\n"
     "Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\n"
     "host:example.amazonaws.com\n"
     "\n"
     "host\n"
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
     "a9ef26247f293bffe40eeff86a0480ba8c14d31503b2e0c3399e3a16bf1a3682"},
    {"post-x-www-form-urlencoded",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&X-Amz-Expires=3600&X-Amz-Signature=89a40deed0f26f9461242825a082d2222717248abc7ab41f552ad84a94ad46e9 HTTP/1.1\n"
     "Content-Type:application/x-www-form-urlencoded\n"
     "Host:example.amazonaws.com\n"
     "Content-Length:13\n"
     "\n"
     "Param1=value1",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost\n"
     "content-length:13\n"
     "content-type:application/x-www-form-urlencoded\n"
     "host:example.amazonaws.com\n"
     "\n"
     "content-length;content-type;host\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     "89a40deed0f26f9461242825a082d2222717248abc7ab41f552ad84a94ad46e9"},
    {"post-x-www-form-urlencoded-parameters",
     "POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost&X-Amz-Expires=3600&X-Amz-Signature=0dbeb9b026c7b6675f266b8427efec9b4fa8b1f6ef1477d717aea231106eab4d HTTP/1.1\n"
     "Content-Type:application/x-www-form-urlencoded; charset=utf-8\n"
     "Host:example.amazonaws.com\n"
     "Content-Length:13\n"
     "\n"
     "Param1=value1",
     "POST\n"
     "/\n"
     "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost\n"
     "content-length:13\n"
     "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
     "host:example.amazonaws.com\n"
     "\n"
     "content-length;content-type;host\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     "0dbeb9b026c7b6675f266b8427efec9b4fa8b1f6ef1477d717aea231106eab4d"},
};

/* A request parsed out of raw HTTP text; header values point into the text
 * so folded continuation lines stay part of the value, as on the wire. */
struct treq {
    char method[16];
    aws_hdr_t h[16];
    aws_sigv4_req_t r;
};

static int treq_parse(struct treq *t, const char *raw)
{
    memset(t, 0, sizeof *t);
    const char *eol = strchr(raw, '\n');
    const char *sp = strchr(raw, ' ');
    if (!eol || !sp || sp > eol || (size_t)(sp - raw) >= sizeof t->method)
        return -1;
    memcpy(t->method, raw, (size_t)(sp - raw));
    const char *target = sp + 1, *tend = eol;
    while (tend > target && tend[-1] != ' ') /* " HTTP/1.1"; the target may hold spaces */
        tend--;
    if (tend > target)
        tend--;
    const char *qm = memchr(target, '?', (size_t)(tend - target));
    t->r.method = t->method;
    t->r.path = target;
    t->r.path_len = (size_t)((qm ? qm : tend) - target);
    t->r.query = qm ? qm + 1 : "";
    t->r.query_len = qm ? (size_t)(tend - qm - 1) : 0;
    const char *p = eol + 1;
    size_t n = 0;
    while (*p && *p != '\n') {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        if ((*p == ' ' || *p == '\t') && n) {
            t->h[n - 1].value_len = (size_t)(e - t->h[n - 1].value);
        } else {
            const char *colon = memchr(p, ':', (size_t)(e - p));
            if (!colon || n == 16)
                return -1;
            t->h[n++] = (aws_hdr_t){p, (size_t)(colon - p), colon + 1, (size_t)(e - colon - 1)};
        }
        p = *e ? e + 1 : e;
    }
    if (*p == '\n')
        p++;
    t->r.headers = t->h;
    t->r.nheaders = n;
    t->r.body = p;
    t->r.body_len = strlen(p);
    return 0;
}

/* Parses and verifies raw with secret at now_ms; msg gets the error text. */
static int check(const char *raw, const char *secret, int64_t now_ms, char *msg, size_t msglen)
{
    struct treq t;
    aws_sigv4_cred_t c;
    if (treq_parse(&t, raw) < 0)
        return -9999;
    int rc = aws_sigv4_parse(&t.r, &c, msg, msglen);
    if (rc)
        return rc;
    if (!c.present)
        return -9998;
    return aws_sigv4_verify(&t.r, &c, secret, now_ms, msg, msglen);
}

static const char MISMATCH[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.";

/* ---- AWS test suite ----------------------------------------------------- */

static int run_vector(const struct vector *v, int presigned)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[1024], sig[65];
    char *canon = NULL;
    int bad = 0;
    if (treq_parse(&t, v->request) < 0 || aws_sigv4_parse(&t.r, &c, msg, sizeof msg) != 0) {
        fprintf(stderr, "  %s: parse failed: %s\n", v->name, msg);
        return 1;
    }
    if (!c.present || c.presigned != presigned || strcmp(c.signature, v->signature) != 0) {
        fprintf(stderr, "  %s: credential not as signed\n", v->name);
        bad = 1;
    }
    if (aws_sigv4_canonical_request(&t.r, &c, &canon) != 0 || strcmp(canon, v->canonical) != 0) {
        fprintf(stderr, "  %s: canonical request\n--- got\n%s\n--- want\n%s\n", v->name, canon ? canon : "(null)",
                v->canonical);
        bad = 1;
    }
    rn_free(canon);
    if (aws_sigv4_sign(&t.r, &c, SUITE_SECRET, sig) != 0 || strcmp(sig, v->signature) != 0) {
        fprintf(stderr, "  %s: signature %s, want %s\n", v->name, sig, v->signature);
        bad = 1;
    }
    int rc = aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg);
    if (rc != 0) {
        fprintf(stderr, "  %s: verify = %d (%s)\n", v->name, rc, msg);
        bad = 1;
    }
    rc = aws_sigv4_verify(&t.r, &c, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEx", SUITE_NOW_MS, msg, sizeof msg);
    if (rc != RN_ERR_SIGNATURE_MISMATCH) {
        fprintf(stderr, "  %s: wrong secret gave %d\n", v->name, rc);
        bad = 1;
    }
    return bad;
}

TEST(test_suite_header_vectors_canonicalize_sign_and_verify)
{
    size_t n = sizeof header_vectors / sizeof header_vectors[0];
    CHECK(n >= 25);
    for (size_t i = 0; i < n; i++)
        CHECK(run_vector(&header_vectors[i], 0) == 0);
}

TEST(test_suite_presigned_vectors_canonicalize_sign_and_verify)
{
    size_t n = sizeof query_vectors / sizeof query_vectors[0];
    CHECK(n >= 25);
    for (size_t i = 0; i < n; i++) {
        /* That signer appends X-Amz-Security-Token after signing (an IoT
         * convention); a verifier cannot tell it from a tampered URL. */
        if (strcmp(query_vectors[i].name, "post-sts-header-after") == 0)
            continue;
        CHECK(run_vector(&query_vectors[i], 1) == 0);
    }
}

static const char GET_VANILLA[] =
    "GET / HTTP/1.1\n"
    "Host:example.amazonaws.com\n"
    "X-Amz-Date:20150830T123600Z\n"
    "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
    "\n";

TEST(test_parse_get_vanilla_fills_every_field)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[256];
    CHECK(treq_parse(&t, GET_VANILLA) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_INT(c.present, 1);
    CHECK_INT(c.presigned, 0);
    CHECK_INT(c.expires, 0);
    CHECK_STR(c.access_key, "AKIDEXAMPLE");
    CHECK_STR(c.date, "20150830");
    CHECK_STR(c.region, "us-east-1");
    CHECK_STR(c.service, "service");
    CHECK_STR(c.amz_date, "20150830T123600Z");
    CHECK_STR(c.signed_headers, "host;x-amz-date");
    CHECK_STR(c.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

/* The original suite's post-x-www-form-urlencoded, signing content-type
 * but no x-amz-content-sha256, so the body hash comes from the body. */
TEST(test_suite_post_x_www_form_urlencoded_hashes_the_body)
{
    char msg[512];
    static const char raw[] =
        "POST / HTTP/1.1\n"
        "Content-Type:application/x-www-form-urlencoded\n"
        "Host:example.amazonaws.com\n"
        "X-Amz-Date:20150830T123600Z\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a\n"
        "\n"
        "Param1=value1";
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

/* ---- requests signed by botocore for SQS -------------------------------- */

static const char SQS_QUERY[] =
    "POST / HTTP/1.1\n"
    "Content-Type: application/x-www-form-urlencoded; charset=utf-8\n"
    "Host: sqs.us-east-1.amazonaws.com\n"
    "X-Amz-Date: 20150830T123600Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=b11be305958e53a335f06c88b0ec5c4bada94a450a2406fc2e11cb21d5b1cfe0\n"
    "\n"
    "Action=SendMessage&MessageBody=hello%20world&QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com"
    "%2F123456789012%2Fmy-queue&Version=2012-11-05";

TEST(test_sqs_query_protocol_request_from_botocore_verifies)
{
    char msg[512];
    CHECK_INT(check(SQS_QUERY, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

TEST(test_sqs_json_protocol_request_from_botocore_verifies)
{
    char msg[512];
    static const char raw[] =
        "POST / HTTP/1.1\n"
        "Content-Type: application/x-amz-json-1.0\n"
        "X-Amz-Target: AmazonSQS.SendMessage\n"
        "Host: sqs.us-east-1.amazonaws.com\n"
        "X-Amz-Date: 20150830T123600Z\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=0cc3863cc04b2f4e2706ce28e6ad9b3fd3b86c26e769688d6a1cd90c0e2eff63\n"
        "\n"
        "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/123456789012/my-queue\",\"MessageBody\":\"hi\"}";
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

/* The path arrives encoded once; non-S3 services sign it encoded twice. */
static const char SQS_PATH[] =
    "POST /123456789012/my%20queue%3A1 HTTP/1.1\n"
    "Content-Type: application/x-www-form-urlencoded; charset=utf-8\n"
    "Host: sqs.us-east-1.amazonaws.com\n"
    "X-Amz-Date: 20150830T123600Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=ff971bc8e12dbfdbede6736f0dad6420ea17fe6f7364f77730482a35104af175\n"
    "\n"
    "Action=GetQueueAttributes&Version=2012-11-05";

TEST(test_sqs_encoded_path_is_double_encoded_like_botocore)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[512], *canon = NULL;
    CHECK(treq_parse(&t, SQS_PATH) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_INT(aws_sigv4_canonical_request(&t.r, &c, &canon), 0);
    static const char want[] = "POST\n/123456789012/my%2520queue%253A1\n\n";
    CHECK(canon && strncmp(canon, want, strlen(want)) == 0);
    rn_free(canon);
    CHECK_INT(aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

TEST(test_sqs_date_header_instead_of_x_amz_date_verifies)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[512];
    static const char raw[] =
        "POST / HTTP/1.1\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\n"
        "Host: sqs.us-east-1.amazonaws.com\n"
        "Date: Sun, 30 Aug 2015 12:36:00 -0000\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
        "SignedHeaders=content-type;date;host, "
        "Signature=5cafb66e2f01cc74f119a2fd6ad0200291b492134f5fa5638433a715922a9657\n"
        "\n"
        "Action=ListQueues&Version=2012-11-05";
    CHECK(treq_parse(&t, raw) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_STR(c.amz_date, "20150830T123600Z");
    CHECK_INT(aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

static const char SQS_PRESIGNED[] =
    "GET /?Action=ListQueues&QueueNamePrefix=a%20b%2Bc&Version=2012-11-05&X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=20150830T123600Z"
    "&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=879ce98a3bac1c54dc5bed7078629877c5c773359c6e7a4d64a578e285694b76 HTTP/1.1\n"
    "Host: sqs.us-east-1.amazonaws.com\n"
    "\n";

TEST(test_sqs_presigned_url_from_botocore_parses_and_verifies)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[512];
    CHECK(treq_parse(&t, SQS_PRESIGNED) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_INT(c.present, 1);
    CHECK_INT(c.presigned, 1);
    CHECK_INT(c.expires, 300);
    CHECK_STR(c.access_key, "AKIDEXAMPLE");
    CHECK_STR(c.service, "sqs");
    CHECK_STR(c.signed_headers, "host");
    CHECK_STR(c.amz_date, "20150830T123600Z");
    CHECK_INT(aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS + 299 * 1000LL, msg, sizeof msg), 0);
}

TEST(test_presigned_url_past_x_amz_expires_is_expired)
{
    char msg[512];
    CHECK_INT(check(SQS_PRESIGNED, SUITE_SECRET, SUITE_NOW_MS + 301 * 1000LL, msg, sizeof msg),
              RN_ERR_REQUEST_EXPIRED);
    CHECK_STR(msg, "Request has expired.");
}

TEST(test_presigned_url_with_tampered_parameter_mismatches)
{
    char raw[sizeof SQS_PRESIGNED], msg[512];
    memcpy(raw, SQS_PRESIGNED, sizeof raw);
    char *p = strstr(raw, "ListQueues");
    CHECK(p != NULL);
    if (p)
        memcpy(p, "ListQueuez", 10);
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, MISMATCH);
}

/* ---- verification failures ---------------------------------------------- */

TEST(test_wrong_secret_is_signature_mismatch_with_aws_text)
{
    char msg[512];
    CHECK_INT(check(SQS_QUERY, "not-the-secret", SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, MISMATCH);
}

TEST(test_tampered_body_is_signature_mismatch)
{
    char raw[sizeof SQS_QUERY], msg[512];
    memcpy(raw, SQS_QUERY, sizeof raw);
    char *p = strstr(raw, "hello%20world");
    CHECK(p != NULL);
    if (p)
        p[0] = 'j';
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
}

/* x-amz-content-sha256 is signed but the body is not: a body that does not
 * hash to the declared value must not ride on the old signature. */
TEST(test_declared_payload_hash_must_match_the_body)
{
    char msg[512];
    const struct vector *v = NULL;
    for (size_t i = 0; i < sizeof header_vectors / sizeof header_vectors[0]; i++)
        if (strcmp(header_vectors[i].name, "post-x-www-form-urlencoded") == 0)
            v = &header_vectors[i];
    CHECK(v != NULL);
    if (!v)
        return;
    CHECK_INT(check(v->request, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
    size_t n = strlen(v->request);
    char *raw = malloc(n + 1);
    memcpy(raw, v->request, n + 1);
    raw[n - 1] = '2'; /* Param1=value2 */
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    free(raw);
}

TEST(test_request_older_than_15_minutes_is_expired)
{
    char msg[512];
    CHECK_INT(check(GET_VANILLA, SUITE_SECRET, SUITE_NOW_MS + 15 * MIN_MS, msg, sizeof msg), 0);
    CHECK_INT(check(GET_VANILLA, SUITE_SECRET, SUITE_NOW_MS + 15 * MIN_MS + 1000, msg, sizeof msg),
              RN_ERR_REQUEST_EXPIRED);
    CHECK_STR(msg, "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
                   "(20150830T125101Z - 15 min.)");
}

TEST(test_request_more_than_15_minutes_ahead_is_not_yet_current)
{
    char msg[512];
    CHECK_INT(check(GET_VANILLA, SUITE_SECRET, SUITE_NOW_MS - 15 * MIN_MS, msg, sizeof msg), 0);
    CHECK_INT(check(GET_VANILLA, SUITE_SECRET, SUITE_NOW_MS - 15 * MIN_MS - 1000, msg, sizeof msg),
              RN_ERR_REQUEST_EXPIRED);
    CHECK_STR(msg, "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
                   "(20150830T122059Z + 15 min.)");
}

TEST(test_host_must_be_a_signed_header)
{
    char msg[512];
    static const char raw[] =
        "GET / HTTP/1.1\n"
        "Host:example.amazonaws.com\n"
        "X-Amz-Date:20150830T123600Z\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
        "\n";
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
}

TEST(test_signature_with_extra_characters_never_matches)
{
    char msg[512];
    static const char raw[] =
        "GET / HTTP/1.1\n"
        "Host:example.amazonaws.com\n"
        "X-Amz-Date:20150830T123600Z\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf3100\n"
        "\n";
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
}

TEST(test_verify_with_unknown_key_is_invalid_client_token)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[512];
    CHECK(treq_parse(&t, SQS_QUERY) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_INT(aws_sigv4_verify(&t.r, &c, NULL, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_INVALID_CLIENT_TOKEN);
    CHECK_STR(msg, "The security token included in the request is invalid.");
}

TEST(test_verify_without_credentials_is_missing_auth)
{
    aws_sigv4_cred_t c;
    struct treq t;
    char msg[256];
    CHECK(treq_parse(&t, "GET / HTTP/1.1\nHost:example.amazonaws.com\n\n") == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    CHECK_INT(aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), RN_ERR_MISSING_AUTH);
}

TEST(test_verify_survives_every_allocation_failure)
{
    struct treq t;
    aws_sigv4_cred_t c;
    char msg[512];
    CHECK(treq_parse(&t, SQS_PRESIGNED) == 0);
    CHECK_INT(aws_sigv4_parse(&t.r, &c, msg, sizeof msg), 0);
    int saw_nomem = 0, rc = -1;
    for (long n = 1; n < 64 && rc != 0; n++) {
        rn_mem_fail_after(n);
        rc = aws_sigv4_verify(&t.r, &c, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg);
        rn_mem_fail_after(0);
        CHECK(rc == 0 || rc == RN_ERR_NOMEM);
        saw_nomem |= rc == RN_ERR_NOMEM;
    }
    CHECK_INT(rc, 0);
    CHECK(saw_nomem);
}

/* ---- parsing ------------------------------------------------------------ */

static int parse_auth(const char *auth, const char *date_hdr, char *msg, size_t msglen, aws_sigv4_cred_t *c)
{
    aws_hdr_t h[3];
    size_t n = 0;
    h[n++] = (aws_hdr_t){"Host", 4, "example.amazonaws.com", 21};
    if (auth)
        h[n++] = (aws_hdr_t){"Authorization", 13, auth, strlen(auth)};
    if (date_hdr)
        h[n++] = (aws_hdr_t){"X-Amz-Date", 10, date_hdr, strlen(date_hdr)};
    aws_sigv4_req_t r = {"GET", "/", 1, "", 0, h, n, "", 0};
    return aws_sigv4_parse(&r, c, msg, msglen);
}

TEST(test_parse_without_any_auth_reports_not_present)
{
    aws_sigv4_cred_t c;
    char msg[256];
    CHECK_INT(parse_auth(NULL, "20150830T123600Z", msg, sizeof msg, &c), 0);
    CHECK_INT(c.present, 0);
    CHECK_INT(parse_auth("   ", NULL, msg, sizeof msg, &c), 0);
    CHECK_INT(c.present, 0);
}

TEST(test_parse_lists_every_missing_component_like_aws)
{
    aws_sigv4_cred_t c;
    char msg[1024];
    CHECK_INT(parse_auth("AWS4-HMAC-SHA256 Foo=Bar, Baz=Burp", NULL, msg, sizeof msg, &c),
              RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "Authorization header requires 'Credential' parameter. "
                   "Authorization header requires 'Signature' parameter. "
                   "Authorization header requires 'SignedHeaders' parameter. "
                   "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                   "Authorization=AWS4-HMAC-SHA256 Foo=Bar, Baz=Burp");
    CHECK_INT(c.present, 1);
}

TEST(test_parse_missing_signature_only)
{
    aws_sigv4_cred_t c;
    char msg[1024];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
                               "SignedHeaders=host;x-amz-date";
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
                   "Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date");
}

TEST(test_parse_component_without_equal_sign)
{
    aws_sigv4_cred_t c;
    char msg[512];
    CHECK_INT(parse_auth("AWS4-HMAC-SHA256 FooBar, BazBurp", NULL, msg, sizeof msg, &c),
              RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: "
                   "'AWS4-HMAC-SHA256 FooBar, BazBurp'");
}

TEST(test_parse_unsupported_algorithm)
{
    aws_sigv4_cred_t c;
    char msg[512];
    CHECK_INT(parse_auth("AWS5-HMAC-SHA256 Credential=a/b/c/d/e", "20150830T123600Z", msg, sizeof msg, &c),
              RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "Unsupported AWS 'algorithm': 'AWS5-HMAC-SHA256'.");
}

TEST(test_parse_tolerates_whitespace_and_missing_commas)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char a1[] = "AWS4-HMAC-SHA256   Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request,"
                             "SignedHeaders=host;x-amz-date ,  Signature=abc";
    static const char a2[] = "AWS4-HMAC-SHA256 Credential = AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request "
                             "SignedHeaders=host;x-amz-date Signature=abc";
    CHECK_INT(parse_auth(a1, "20150830T123600Z", msg, sizeof msg, &c), 0);
    CHECK_STR(c.signed_headers, "host;x-amz-date");
    CHECK_STR(c.signature, "abc");
    CHECK_INT(parse_auth(a2, "20150830T123600Z", msg, sizeof msg, &c), 0);
    CHECK_STR(c.access_key, "AKIDEXAMPLE");
    CHECK_STR(c.service, "sqs");
    CHECK_STR(c.signature, "abc");
}

TEST(test_parse_header_names_are_case_insensitive)
{
    char msg[512];
    static const char raw[] =
        "GET / HTTP/1.1\n"
        "HOST:example.amazonaws.com\n"
        "x-AMZ-date:20150830T123600Z\n"
        "AUTHORIZATION:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
        "\n";
    CHECK_INT(check(raw, SUITE_SECRET, SUITE_NOW_MS, msg, sizeof msg), 0);
}

TEST(test_parse_credential_needs_five_parts)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                   "got 'AKIDEXAMPLE/20150830/us-east-1/sqs'");
}

TEST(test_parse_credential_must_end_in_aws4_request)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws5_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.");
}

TEST(test_parse_scope_date_must_be_the_request_date)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/sqs/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                   "'20150829' != '20150830', from '20150830T123600Z'.");
}

TEST(test_parse_rejects_a_date_not_in_basic_format)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(auth, "2015/08/30T12/36/00Z", msg, sizeof msg, &c), RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "Date must be in ISO-8601 'basic format'. Got '2015/08/30T12/36/00Z'. "
                   "See http://en.wikipedia.org/wiki/ISO_8601");
    CHECK_INT(parse_auth(auth, "20150231T123600Z", msg, sizeof msg, &c), RN_ERR_INCOMPLETE_SIGNATURE);
}

TEST(test_parse_overlong_access_key_is_invalid_token)
{
    aws_sigv4_cred_t c;
    char msg[512], auth[512];
    char key[200];
    memset(key, 'A', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=a",
             key);
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), RN_ERR_INVALID_CLIENT_TOKEN);
    CHECK_STR(msg, "The security token included in the request is invalid.");
}

TEST(test_parse_presigned_lists_missing_query_parameters)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char q[] =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsqs%2Faws4_request";
    aws_hdr_t h[] = {{"Host", 4, "example.amazonaws.com", 21}};
    aws_sigv4_req_t r = {"GET", "/", 1, q, strlen(q), h, 1, "", 0};
    CHECK_INT(aws_sigv4_parse(&r, &c, msg, sizeof msg), RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "AWS query-string parameters must include 'X-Amz-Signature'. "
                   "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
                   "AWS query-string parameters must include 'X-Amz-Date'. "
                   "Re-examine the query-string parameters.");
    CHECK_INT(c.presigned, 1);
}

TEST(test_parse_presigned_expires_over_a_week_is_rejected)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char q[] =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsqs%2Faws4_request"
        "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
    aws_hdr_t h[] = {{"Host", 4, "example.amazonaws.com", 21}};
    aws_sigv4_req_t r = {"GET", "/", 1, q, strlen(q), h, 1, "", 0};
    CHECK_INT(aws_sigv4_parse(&r, &c, msg, sizeof msg), RN_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(msg, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
                   "less than 604800 seconds");
}

TEST(test_parse_bad_percent_escape_is_malformed_query)
{
    aws_sigv4_cred_t c;
    char msg[512];
    aws_hdr_t h[] = {{"Host", 4, "example.amazonaws.com", 21}};
    aws_sigv4_req_t r = {"GET", "/", 1, "a=%zz", 5, h, 1, "", 0};
    CHECK_INT(aws_sigv4_parse(&r, &c, msg, sizeof msg), RN_ERR_MALFORMED_QUERY);
    CHECK_STR(msg, "Illegal hex character in escape % pattern: %zz");
    r.query = "a=%4";
    r.query_len = 4;
    CHECK_INT(aws_sigv4_parse(&r, &c, msg, sizeof msg), RN_ERR_MALFORMED_QUERY);
    CHECK_STR(msg, "Incomplete trailing escape % sequence");
}

TEST(test_check_scope_names_wrong_region_and_service)
{
    aws_sigv4_cred_t c;
    char msg[512];
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/wrong-region/sns/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(auth, "20150830T123600Z", msg, sizeof msg, &c), 0);
    CHECK_INT(aws_sigv4_check_scope(&c, "sqs", msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "Credential should be scoped to a valid region, not 'wrong-region'. "
                   "Credential should be scoped to correct service: 'sqs'. ");
    CHECK_INT(aws_sigv4_check_scope(&c, "sns", msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "Credential should be scoped to a valid region, not 'wrong-region'. ");
    static const char good[] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-gov-west-1/sns/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    CHECK_INT(parse_auth(good, "20150830T123600Z", msg, sizeof msg, &c), 0);
    CHECK_INT(aws_sigv4_check_scope(&c, "sns", msg, sizeof msg), 0);
    CHECK_INT(aws_sigv4_check_scope(&c, NULL, msg, sizeof msg), 0);
    CHECK_INT(aws_sigv4_check_scope(&c, "sqs", msg, sizeof msg), RN_ERR_SIGNATURE_MISMATCH);
    CHECK_STR(msg, "Credential should be scoped to correct service: 'sqs'. ");
}

/* ---- access-key file ---------------------------------------------------- */

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/rn_authfile_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

TEST(test_authfile_reads_all_three_separators_comments_and_blanks)
{
    aws_authfile_t *a = NULL;
    char msg[256];
    char *path = write_tmp("# keys for tests\n"
                           "\n"
                           "AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
                           "   \t\n"
                           "AKIDCOLON:secret:with:colons\r\n"
                           "AKIDEQUALS=s3cr3t\n"
                           "  AKIDSPACED   =   spaced  \n"
                           "AKIDLAST\tlast-no-newline");
    CHECK(path != NULL);
    if (!path)
        return;
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), 0);
    CHECK_INT(aws_authfile_count(a), 5);
    CHECK_STR(aws_authfile_secret(a, "AKIDEXAMPLE"), SUITE_SECRET);
    CHECK_STR(aws_authfile_secret(a, "AKIDCOLON"), "secret:with:colons");
    CHECK_STR(aws_authfile_secret(a, "AKIDEQUALS"), "s3cr3t");
    CHECK_STR(aws_authfile_secret(a, "AKIDSPACED"), "spaced");
    CHECK_STR(aws_authfile_secret(a, "AKIDLAST"), "last-no-newline");
    CHECK(aws_authfile_secret(a, "AKIDUNKNOWN") == NULL);
    CHECK(aws_authfile_secret(a, "akidexample") == NULL);
    aws_authfile_free(a);
    unlink(path);
}

TEST(test_authfile_malformed_line_names_the_line)
{
    aws_authfile_t *a = NULL;
    char msg[256], want[128];
    char *path = write_tmp("AK1 s1\n# fine\nJUSTAKEY\nAK2 s2\n");
    CHECK(path != NULL);
    if (!path)
        return;
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    CHECK(a == NULL);
    snprintf(want, sizeof want, "%s:3:", path);
    CHECK(strncmp(msg, want, strlen(want)) == 0);
    unlink(path);

    path = write_tmp("AK1 s1 extra\n");
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    unlink(path);
    path = write_tmp("AK1:\n");
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    unlink(path);
}

TEST(test_authfile_duplicate_key_is_an_error)
{
    aws_authfile_t *a = NULL;
    char msg[256];
    char *path = write_tmp("AK1 s1\nAK2 s2\nAK1 s3\n");
    CHECK(path != NULL);
    if (!path)
        return;
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), RN_ERR_INVALID_PARAMETER);
    CHECK(strstr(msg, ":3: duplicate access key 'AK1' (also on line 1)") != NULL);
    unlink(path);
}

TEST(test_authfile_missing_file_is_not_found)
{
    aws_authfile_t *a = NULL;
    char msg[256];
    CHECK_INT(aws_authfile_load("/nonexistent/runnel-keys", &a, msg, sizeof msg), RN_ERR_NOT_FOUND);
    CHECK(a == NULL);
    CHECK(strstr(msg, "/nonexistent/runnel-keys") != NULL);
}

TEST(test_authfile_secret_verifies_a_request)
{
    aws_authfile_t *a = NULL;
    char msg[512];
    char *path = write_tmp("AKIDEXAMPLE:" SUITE_SECRET "\n");
    CHECK(path != NULL);
    if (!path)
        return;
    CHECK_INT(aws_authfile_load(path, &a, msg, sizeof msg), 0);
    const char *secret = aws_authfile_secret(a, "AKIDEXAMPLE");
    CHECK(secret != NULL);
    if (secret)
        CHECK_INT(check(SQS_QUERY, secret, SUITE_NOW_MS, msg, sizeof msg), 0);
    aws_authfile_free(a);
    unlink(path);
}

TEST(test_authfile_load_survives_allocation_failures)
{
    aws_authfile_t *a = NULL;
    char msg[256];
    char *path = write_tmp("AK1 s1\nAK2 s2\nAK3 s3\nAK4 s4\nAK5 s5\nAK6 s6\nAK7 s7\nAK8 s8\nAK9 s9\n");
    CHECK(path != NULL);
    if (!path)
        return;
    int rc = -1;
    for (long n = 1; n < 64 && rc != 0; n++) {
        rn_mem_fail_after(n);
        rc = aws_authfile_load(path, &a, msg, sizeof msg);
        rn_mem_fail_after(0);
        CHECK(rc == 0 || rc == RN_ERR_NOMEM);
    }
    CHECK_INT(rc, 0);
    CHECK_STR(aws_authfile_secret(a, "AK9"), "s9");
    aws_authfile_free(a);
    unlink(path);
}

UNIT_MAIN()
