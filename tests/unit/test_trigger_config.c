/* test_trigger_config.c - trigger settings from --trigger flags and JSON:
 * Lambda's defaults, limits and names, and stable UUIDs for flags. */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "streams/trigger.h"

static void test_flag_defaults(void)
{
    trigger_cfg_t c;
    char why[512];
    CHECK(trigger_cfg_from_flag("Events=http://127.0.0.1:3000/fn", &c, why, sizeof why) == 0);
    CHECK_STR(c.table, "Events");
    CHECK_STR(c.url, "http://127.0.0.1:3000/fn");
    CHECK_STR(c.origin, "flag");
    CHECK(c.batch_size == 100 && c.window_s == 0 && !c.latest && c.max_retries == -1 && c.max_age_s == -1);
    CHECK(!c.bisect && !c.report_failures && c.filter == NULL && c.on_failure == NULL && c.timeout_s == 3);
    CHECK(strlen(c.uuid) == 36);
    char first[40];
    strcpy(first, c.uuid);
    trigger_cfg_free(&c);
    /* the same table and URL name the same trigger on every run */
    CHECK(trigger_cfg_from_flag("Events=http://127.0.0.1:3000/fn,batch=5", &c, why, sizeof why) == 0);
    CHECK_STR(c.uuid, first);
    trigger_cfg_free(&c);
    CHECK(trigger_cfg_from_flag("Events=http://127.0.0.1:3000/other", &c, why, sizeof why) == 0);
    CHECK(strcmp(c.uuid, first) != 0);
    trigger_cfg_free(&c);
}

static void test_flag_options(void)
{
    trigger_cfg_t c;
    char why[512];
    CHECK(trigger_cfg_from_flag("Events=http://localhost:3000/,batch=10,window=2,start=LATEST,retries=3,"
                                "max-age=60,bisect=true,report-failures=true,on-failure=/tmp/f.jsonl,timeout=9,id=abc",
                                &c, why, sizeof why) == 0);
    CHECK(c.batch_size == 10 && c.window_s == 2 && c.latest && c.max_retries == 3 && c.max_age_s == 60);
    CHECK(c.bisect && c.report_failures && c.timeout_s == 9);
    CHECK_STR(c.on_failure, "/tmp/f.jsonl");
    CHECK_STR(c.uuid, "abc");
    json_t *j = trigger_cfg_to_json(&c);
    CHECK_STR(json_string_value(json_object_get(j, "StartingPosition")), "LATEST");
    CHECK(json_integer_value(json_object_get(j, "BatchSize")) == 10);
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "FunctionResponseTypes"), 0)),
              "ReportBatchItemFailures");
    /* what is stored reads back the same */
    trigger_cfg_t back;
    CHECK(trigger_cfg_from_json(j, &back, why, sizeof why) == 0);
    CHECK(back.batch_size == 10 && back.latest && back.bisect && back.report_failures && back.max_age_s == 60);
    CHECK_STR(back.on_failure, "/tmp/f.jsonl");
    CHECK_STR(back.uuid, "abc");
    trigger_cfg_free(&back);
    json_decref(j);
    trigger_cfg_free(&c);
    CHECK(trigger_cfg_from_flag("Events=http://h:1/,BatchSize=7,StartingPosition=TRIM_HORIZON", &c, why, sizeof why) ==
          0);
    CHECK(c.batch_size == 7 && !c.latest);
    trigger_cfg_free(&c);
}

static void test_flag_errors(void)
{
    trigger_cfg_t c;
    char why[512];
    CHECK(trigger_cfg_from_flag("Events", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=https://h/", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h:99999/", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h/,batch=10001", &c, why, sizeof why) == -1);
    CHECK_STR(why, "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: "
                   "Member must have value less than or equal to 10000");
    CHECK(trigger_cfg_from_flag("Events=http://h/,batch=x", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h/,bisect=maybe", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h/,max-age=59", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h/,on-failure=relative", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("Events=http://h/,nokey", &c, why, sizeof why) == -1);
    CHECK(trigger_cfg_from_flag("ab=http://h/", &c, why, sizeof why) == -1);
}

static void test_json(void)
{
    trigger_cfg_t c;
    char why[512];
    json_t *j = json_loads("{\"TableName\":\"Events\",\"Url\":\"http://h/\",\"FilterCriteria\":{\"Filters\":"
                           "[{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"}]},"
                           "\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"file:///tmp/x\"}}}",
                           0, NULL);
    CHECK(trigger_cfg_from_json(j, &c, why, sizeof why) == 0);
    CHECK(c.filter != NULL);
    CHECK_STR(c.on_failure, "/tmp/x");
    CHECK_STR(c.origin, "admin");
    CHECK(strlen(c.uuid) == 36 && c.uuid[14] == '4'); /* a random (version 4) UUID */
    trigger_cfg_free(&c);
    json_decref(j);
    j = json_loads("{\"TableName\":\"Events\",\"Url\":\"http://h/\",\"BatchSize\":\"10\"}", 0, NULL);
    CHECK(trigger_cfg_from_json(j, &c, why, sizeof why) == -1);
    CHECK_STR(why, "BatchSize must be an integer");
    json_decref(j);
    j = json_loads("[]", 0, NULL);
    CHECK(trigger_cfg_from_json(j, &c, why, sizeof why) == -1);
    json_decref(j);
}

int main(void)
{
    RUN(test_flag_defaults);
    RUN(test_flag_options);
    RUN(test_flag_errors);
    RUN(test_json);
    return check_done();
}
