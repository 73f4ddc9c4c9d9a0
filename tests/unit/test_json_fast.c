/* test_json_fast.c - base/json_fast: the fast reader gives jansson's
 * answer for every input of a list that covers each of its paths (read
 * itself, handed to jansson, refused), and reads the usual request bodies
 * itself. (fuzz_json checks the same promise on arbitrary input.) */
#include <stdbool.h>
#include <stdlib.h>

#include "base/json_fast.h"
#include "check.h"

static char *dump(const json_t *j) { return json_dumps(j, JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_COMPACT); }

/* Same document or same refusal as json_loadb; *own says whether the fast
 * reader read it itself. */
static void check_same(const char *in, size_t len, bool *own)
{
    json_t *fast = json_fast_loadb(in, len), *ref = json_loadb(in, len, 0, NULL);
    json_t *alone = json_fast_read(in, len);
    *own = alone != NULL;
    CHECK((fast == NULL) == (ref == NULL));
    if (fast && ref) {
        char *a = dump(fast), *b = dump(ref);
        CHECK(a && b && strcmp(a, b) == 0);
        if (alone) {
            char *c = dump(alone);
            CHECK(c && strcmp(c, b) == 0);
            free(c);
        }
        free(a);
        free(b);
    }
    json_decref(fast);
    json_decref(ref);
    json_decref(alone);
}

static void test_read_itself(void)
{
    static const char *const inputs[] = {
        "{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"item-1\"},\"sk\":{\"N\":\"1\"}}}",
        " { \"a\" : [ 1 , -0 , 0 , -12 , 123456789012345678 ] , \"b\" : [ ] , \"c\" : { } }\r\n\t",
        "{\"a\":1,\"a\":2,\"b\":{\"x\":1},\"b\":[true,false,null]}", /* the last duplicate wins, in place */
        "{\"s\":\"q\\\"uo\\\\te\\/d\\b\\f\\n\\r\\t\",\"k\\\"ey\":\"v\",\"k\\\"ey2\":{\"k\\\\\":\"\\t\"}}",
        "[]",
        "{\"\":\"\"}",
        "{\"Limit\":10,\"ScanIndexForward\":false,\"ConsistentRead\":true,\"X\":null,\"del\":\"\x7f\"}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        bool own;
        check_same(inputs[i], strlen(inputs[i]), &own);
        CHECK(own);
    }
}

static void test_handed_to_jansson(void)
{
    static const char *const inputs[] = {
        /* jansson parses these: reals, big integers, \u escapes, UTF-8, depth */
        "{\"a\":1.5,\"b\":1e3,\"c\":-2E-2,\"d\":0.0}",
        "[1234567890123456789]",
        "[-9223372036854775808]",
        "{\"u\":\"\\u00e9\\ud83d\\ude00\"}",
        "{\"a\":\"caf\xc3\xa9\"}",
        ("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
        /* and refuses these */
        "{\"a\":01}", "{\"a\":1,}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":1} x", "\"just a string\"", "1",
        "{\"a\":\"x\ty\"}", "{\"a\":-}", "{\"a\" 1}", "[1,2", "{\"a\":\"\\q\"}", "{\"z\":\"\\u0000\"}", "",
        "{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}", "[99999999999999999999]", "{\"a\":1e}", "[1.]",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        bool own;
        check_same(inputs[i], strlen(inputs[i]), &own);
        CHECK(!own);
    }
    /* a NUL byte, in a key and after the document */
    bool own;
    check_same("{\"a\0b\":1}", 9, &own);
    CHECK(!own);
    check_same("{\"a\":1}\0", 8, &own);
    CHECK(!own);
}

int main(void)
{
    RUN(test_read_itself);
    RUN(test_handed_to_jansson);
    return check_done();
}
