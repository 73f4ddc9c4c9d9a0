/* test_trigger_filter.c - Lambda event filter patterns against stream records. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "streams/trigger_filter.h"

static const char record[] =
    "{\"eventID\":\"e1\",\"eventName\":\"INSERT\",\"eventSource\":\"aws:dynamodb\","
    "\"dynamodb\":{\"SizeBytes\":26,\"Keys\":{\"pk\":{\"S\":\"stream-1\"}},"
    "\"NewImage\":{\"pk\":{\"S\":\"stream-1\"},\"type\":{\"S\":\"OrderPlaced\"},\"note\":{\"S\":\"\"},"
    "\"tags\":{\"SS\":[\"a\",\"b\"]},\"n\":{\"N\":\"5\"},\"flag\":{\"BOOL\":true},\"z\":{\"NULL\":true}}}}";

/* Compiles {"Filters":[{"Pattern":p}]}; -1 when invalid. */
static int run(const char *pattern, bool *matched)
{
    json_t *crit = json_pack("{s:[{s:s}]}", "Filters", "Pattern", pattern);
    json_t *rec = json_loads(record, 0, NULL);
    tfilter_t *f;
    char why[256];
    int rc = tfilter_compile(crit, &f, why, sizeof why);
    if (rc == 0) {
        *matched = tfilter_match(f, rec);
        tfilter_free(f);
    }
    json_decref(crit);
    json_decref(rec);
    return rc;
}

static bool matches(const char *pattern)
{
    bool m = false;
    return run(pattern, &m) == 0 && m;
}

static bool rejects(const char *pattern)
{
    bool m;
    return run(pattern, &m) != 0;
}

static void test_exact(void)
{
    CHECK(matches("{\"eventName\":[\"INSERT\"]}"));
    CHECK(matches("{\"eventName\":[\"MODIFY\",\"INSERT\"]}"));
    CHECK(!matches("{\"eventName\":[\"REMOVE\"]}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[\"OrderPlaced\"]}}}}"));
    CHECK(!matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[\"OrderShipped\"]}}}}"));
    CHECK(matches("{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[\"OrderPlaced\"]}}}}"));
    CHECK(!matches("{\"eventName\":[\"REMOVE\"],\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[\"OrderPlaced\"]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"note\":{\"S\":[\"\"]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"flag\":{\"BOOL\":[true]}}}}"));
    CHECK(!matches("{\"dynamodb\":{\"NewImage\":{\"flag\":{\"BOOL\":[false]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"z\":{\"NULL\":[true]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"SizeBytes\":[26]}}"));
    /* a set matches when any member does */
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"tags\":{\"SS\":[\"b\"]}}}}"));
    /* numbers in images are strings: a number does not match them */
    CHECK(!matches("{\"dynamodb\":{\"NewImage\":{\"n\":{\"N\":[5]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"n\":{\"N\":[\"5\"]}}}}"));
}

static void test_operators(void)
{
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[{\"prefix\":\"Order\"}]}}}}"));
    CHECK(!matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[{\"prefix\":\"order\"}]}}}}"));
    CHECK(
        matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[{\"prefix\":{\"equals-ignore-case\":\"order\"}}]}}}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"type\":{\"S\":[{\"suffix\":\"Placed\"}]}}}}"));
    CHECK(matches("{\"eventName\":[{\"equals-ignore-case\":\"insert\"}]}"));
    CHECK(matches("{\"eventName\":[{\"anything-but\":[\"REMOVE\",\"MODIFY\"]}]}"));
    CHECK(!matches("{\"eventName\":[{\"anything-but\":\"INSERT\"}]}"));
    CHECK(!matches("{\"eventName\":[{\"anything-but\":{\"prefix\":\"INS\"}}]}"));
    CHECK(!matches("{\"missing\":[{\"anything-but\":\"x\"}]}"));
    CHECK(matches("{\"dynamodb\":{\"SizeBytes\":[{\"numeric\":[\">\",0,\"<=\",26]}]}}"));
    CHECK(!matches("{\"dynamodb\":{\"SizeBytes\":[{\"numeric\":[\"<\",26]}]}}"));
    CHECK(matches("{\"dynamodb\":{\"NewImage\":{\"type\":[{\"exists\":true}]}}}"));
    CHECK(!matches("{\"dynamodb\":{\"OldImage\":{\"type\":[{\"exists\":true}]}}}"));
    CHECK(matches("{\"dynamodb\":{\"OldImage\":{\"type\":[{\"exists\":false}]}}}"));
    CHECK(matches("{\"$or\":[{\"eventName\":[\"REMOVE\"]},{\"eventSource\":[\"aws:dynamodb\"]}]}"));
    CHECK(!matches("{\"$or\":[{\"eventName\":[\"REMOVE\"]},{\"eventSource\":[\"x\"]}]}"));
    CHECK(!matches("{\"missing\":[null]}"));
}

static void test_or_of_filters(void)
{
    json_t *crit = json_loads("{\"Filters\":[{\"Pattern\":\"{\\\"eventName\\\":[\\\"REMOVE\\\"]}\"},"
                              "{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"}]}",
                              0, NULL);
    json_t *rec = json_loads(record, 0, NULL);
    tfilter_t *f;
    char why[256];
    CHECK(tfilter_compile(crit, &f, why, sizeof why) == 0);
    CHECK(tfilter_match(f, rec));
    tfilter_free(f);
    CHECK(tfilter_match(NULL, rec));
    json_decref(crit);
    json_decref(rec);
}

static void test_invalid(void)
{
    CHECK(rejects("not json"));
    CHECK(rejects("[]"));
    CHECK(rejects("{}"));
    CHECK(rejects("{\"eventName\":\"INSERT\"}"));
    CHECK(rejects("{\"eventName\":[]}"));
    CHECK(rejects("{\"eventName\":[{\"regex\":\"x\"}]}"));
    CHECK(rejects("{\"eventName\":[{\"prefix\":5}]}"));
    CHECK(rejects("{\"eventName\":[{\"numeric\":[\">\"]}]}"));
    CHECK(rejects("{\"eventName\":[{\"numeric\":[\"!\",1]}]}"));
    CHECK(rejects("{\"eventName\":[{\"exists\":\"yes\"}]}"));
    CHECK(rejects("{\"eventName\":[{\"prefix\":\"a\",\"suffix\":\"b\"}]}"));
    CHECK(rejects("{\"$or\":[{\"a\":[1]}]}"));
    CHECK(rejects("{\"eventName\":[{\"anything-but\":[]}]}"));
    char deep[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "{\"a\":");
    strcat(deep, "[1]");
    for (int i = 0; i < 40; i++)
        strcat(deep, "}");
    CHECK(rejects(deep));

    char why[256];
    tfilter_t *f;
    json_t *bad = json_loads("{\"Filters\":[{\"Pattern\":1}]}", 0, NULL);
    CHECK(tfilter_compile(bad, &f, why, sizeof why) == -1 && f == NULL);
    json_decref(bad);
    bad = json_loads("{\"Filters\":{}}", 0, NULL);
    CHECK(tfilter_compile(bad, &f, why, sizeof why) == -1);
    json_decref(bad);
}

int main(void)
{
    RUN(test_exact);
    RUN(test_operators);
    RUN(test_or_of_filters);
    RUN(test_invalid);
    return check_done();
}
