/* test_seed_file.c - seed and load files (api/seed_file.h): the kinds of
 * file by name and content, DynamoDB JSON and plain JSON items, describe-
 * table's output turned into CreateTable's input, and the messages of bad
 * files (file and line). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/seed_file.h"
#include "check.h"

static int parse(seed_set_t *s, const char *name, const char *table, const char *text, char *why)
{
    return seed_parse(s, name, table, text, strlen(text), why, SEED_WHY_MAX);
}

static char *dumps(const json_t *j) { return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS); }

static void check_json(const json_t *got, const char *want)
{
    char *g = dumps(got);
    CHECK_STR(g, want);
    free(g);
}

static void test_items_lines(void)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    CHECK(parse(&s, "dir/Users.items.jsonl", NULL,
                "{\"Item\":{\"id\":{\"S\":\"u1\"},\"n\":{\"N\":\"1.50\"}}}\n"
                "\n   \r\n"
                "{\"id\":\"u2\",\"age\":42,\"score\":0.1,\"ok\":true,\"nothing\":null,\"tags\":[\"a\",1],"
                "\"m\":{\"x\":{\"y\":false}}}",
                why) == 0);
    CHECK(s.n_tables == 1);
    seed_table_t *t = &s.tables[0];
    CHECK_STR(t->name, "Users");
    CHECK(t->create == NULL && t->n_items == 2);
    check_json(t->items[0].item, "{\"id\":{\"S\":\"u1\"},\"n\":{\"N\":\"1.50\"}}");
    CHECK(t->items[0].line == 1 && t->items[1].line == 4 && !t->items[1].indexed);
    check_json(t->items[1].item,
               "{\"age\":{\"N\":\"42\"},\"id\":{\"S\":\"u2\"},\"m\":{\"M\":{\"x\":{\"M\":{\"y\":{\"BOOL\":"
               "false}}}}},\"nothing\":{\"NULL\":true},\"ok\":{\"BOOL\":true},\"score\":{\"N\":\"0.1\"},"
               "\"tags\":{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}}");
    CHECK_STR(t->items[1].file, "dir/Users.items.jsonl");
    seed_set_free(&s);
}

static void test_items_array_and_table_option(void)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    /* a JSON array; --table overrides what the name says */
    CHECK(parse(&s, "export-0001.json.gz", "Orders", " [ {\"Item\":{\"k\":{\"S\":\"a\"}}}, {\"k\":\"b\"} ]", why) == 0);
    CHECK(s.n_tables == 1 && !strcmp(s.tables[0].name, "Orders") && s.tables[0].n_items == 2);
    CHECK(s.tables[0].items[1].indexed && s.tables[0].items[1].line == 2);
    /* a second file of the same table adds to it */
    CHECK(parse(&s, "Orders.items.json", NULL, "[{\"k\":\"c\"}]", why) == 0);
    CHECK(s.n_tables == 1 && s.tables[0].n_items == 3);
    seed_set_free(&s);
}

static void test_create_table_file(void)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    CHECK(parse(&s, "x/Users.table.json", NULL,
                "{\"TableName\":\"Users\",\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
                "\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}],"
                "\"BillingMode\":\"PAY_PER_REQUEST\","
                "\"TimeToLiveSpecification\":{\"AttributeName\":\"exp\",\"Enabled\":true},"
                "\"Items\":[{\"id\":\"u1\"}]}",
                why) == 0);
    seed_table_t *t = &s.tables[0];
    CHECK_STR(t->name, "Users");
    CHECK(json_object_get(t->create, "Items") == NULL && json_object_get(t->create, "TimeToLiveSpecification") == NULL);
    CHECK_STR(json_string_value(json_object_get(t->create, "BillingMode")), "PAY_PER_REQUEST");
    CHECK_STR(json_string_value(json_object_get(t->ttl, "AttributeName")), "exp");
    CHECK(t->n_items == 1 && t->items[0].indexed);
    /* the items of a table can come before its definition */
    CHECK(parse(&s, "x/Orders.items.jsonl", NULL, "{\"o\":\"1\"}\n", why) == 0);
    CHECK(parse(&s, "x/Orders.table.json", NULL,
                "{\"TableName\":\"Orders\",\"KeySchema\":[{\"AttributeName\":\"o\",\"KeyType\":\"HASH\"}],"
                "\"AttributeDefinitions\":[{\"AttributeName\":\"o\",\"AttributeType\":\"S\"}]}",
                why) == 0);
    CHECK(s.n_tables == 2 && s.tables[1].create && s.tables[1].n_items == 1);
    /* defined twice */
    CHECK(parse(&s, "y/Users.json", NULL, "{\"TableName\":\"Users\"}", why) == -1);
    CHECK(strstr(why, "y/Users.json: table Users is defined twice (also in x/Users.table.json)") != NULL);
    seed_set_free(&s);
}

static void test_describe_table_output(void)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    const char *described =
        "{\"Table\":{\"TableName\":\"Music\",\"TableStatus\":\"ACTIVE\",\"ItemCount\":3,\"TableSizeBytes\":10,"
        "\"TableArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/Music\",\"CreationDateTime\":1700000000.5,"
        "\"KeySchema\":[{\"AttributeName\":\"Artist\",\"KeyType\":\"HASH\"}],"
        "\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"Year\",\"AttributeType\":\"N\"}],"
        "\"ProvisionedThroughput\":{\"NumberOfDecreasesToday\":0,\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7},"
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byYear\",\"IndexStatus\":\"ACTIVE\",\"IndexSizeBytes\":0,"
        "\"KeySchema\":[{\"AttributeName\":\"Year\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":"
        "\"KEYS_ONLY\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":2,"
        "\"NumberOfDecreasesToday\":0}}],"
        "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},"
        "\"LatestStreamArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/x\","
        "\"TableClassSummary\":{\"TableClass\":\"STANDARD\"},\"DeletionProtectionEnabled\":false},"
        "\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}";
    CHECK(parse(&s, "Music.json", NULL, described, why) == 0);
    check_json(s.tables[0].create,
               "{\"AttributeDefinitions\":[{\"AttributeName\":\"Artist\",\"AttributeType\":\"S\"},{\"AttributeName\":"
               "\"Year\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"DeletionProtectionEnabled\":"
               "false,\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byYear\",\"KeySchema\":[{\"AttributeName\":\"Year\","
               "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"ProvisionedThroughput\":{"
               "\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":2}}],\"KeySchema\":[{\"AttributeName\":\"Artist\","
               "\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7},"
               "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"TableClass\":"
               "\"STANDARD\",\"TableName\":\"Music\",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"}]}");
    /* on demand: no throughput anywhere */
    CHECK(parse(&s, "Other.json", NULL,
                "{\"TableDescription\":{\"TableName\":\"Other\",\"BillingModeSummary\":{\"BillingMode\":"
                "\"PAY_PER_REQUEST\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":0,\"WriteCapacityUnits\":0},"
                "\"KeySchema\":[],\"AttributeDefinitions\":[]}}",
                why) == 0);
    check_json(s.tables[1].create,
               "{\"AttributeDefinitions\":[],\"BillingMode\":\"PAY_PER_REQUEST\",\"KeySchema\":[],\"TableName\":"
               "\"Other\"}");
    seed_set_free(&s);
}

static void test_batch_write_request(void)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX];
    CHECK(parse(&s, "batch.json", NULL,
                "{\"A\":[{\"PutRequest\":{\"Item\":{\"k\":{\"S\":\"1\"}}}}],\"B\":[{\"PutRequest\":{\"Item\":{\"k\":{"
                "\"N\":\"2\"}}}},{\"PutRequest\":{\"Item\":{\"k\":{\"N\":\"3\"}}}}]}",
                why) == 0);
    CHECK(s.n_tables == 2 && s.tables[0].n_items == 1 && s.tables[1].n_items == 2 && !s.tables[1].create);
    CHECK(parse(&s, "del.json", NULL, "{\"A\":[{\"DeleteRequest\":{\"Key\":{}}}]}", why) == -1);
    CHECK_STR(why, "del.json: A[0]: only {\"PutRequest\":{\"Item\":{...}}} entries are read");
    seed_set_free(&s);
}

static void expect_error(const char *name, const char *table, const char *text, const char *want)
{
    seed_set_t s = {0};
    char why[SEED_WHY_MAX] = "";
    CHECK(parse(&s, name, table, text, why) == -1);
    if (!strstr(why, want))
        fprintf(stderr, "  message: %s\n  wanted:  %s\n", why, want);
    CHECK(strstr(why, want) != NULL);
    seed_set_free(&s);
}

static void test_bad_files(void)
{
    expect_error("T.items.jsonl", NULL, "{\"a\":1}\n{\"a\":\n", "T.items.jsonl:2: not JSON:");
    expect_error("T.items.jsonl", NULL, "[1]\n", "T.items.json");
    expect_error("T.items.jsonl", NULL, "{\"a\":1}\n\"text\"\n", "T.items.jsonl:2: an item must be a JSON object");
    expect_error("T.items.jsonl", NULL, "{\"Item\":[1]}", "T.items.jsonl:1: \"Item\" must be an object");
    expect_error("T.items.jsonl", NULL, "{\"a\":1,\"a\":2}", "T.items.jsonl:1: not JSON: duplicate object key");
    expect_error("T.items.json", NULL, "[{\"a\":1}, 5]", "T.items.json: item 2: an item must be a JSON object");
    expect_error("T.items.jsonl", NULL, "{\"n\":123456789012345678901234567890}", "T.items.jsonl:1: not JSON:");
    expect_error("T.json", NULL, "[]", "T.json: not a JSON object");
    expect_error("T.json", NULL, "{\"TableName\":5}", "T.json: TableName must be a non-empty string");
    expect_error("T.json", NULL, "{\"TableName\":\"T\",\"Items\":{}}", "TimeToLiveSpecification must be an object");
    expect_error("T.json", NULL, "{\"Other\":1}", "T.json: neither a table");
    expect_error("T.json", NULL, "{\"TableName\":", "T.json:1: not JSON:");
    expect_error("notes.txt", NULL, "{}", "notes.txt: not a seed file");
    expect_error("Users.jsonl", NULL, "{}", "Users.jsonl: not a seed file");
    /* nesting deeper than DynamoDB allows */
    char deep[400] = "{\"a\":";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    expect_error("T.items.jsonl", NULL, deep, "T.items.jsonl:1: nested more than 32 levels");
}

static void test_numbers(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {{"0.1", "0.1"},
                 {"1e300", "1e+300"},
                 {"-2.5", "-2.5"},
                 {"3", "3"},
                 {"-9223372036854775808", "-9223372036854775808"},
                 {"0.30000000000000004", "0.30000000000000004"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[100], why[SEED_WHY_MAX];
        snprintf(text, sizeof text, "{\"n\":%s}", cases[i].in);
        json_t *j = json_loads(text, 0, NULL);
        json_t *item = seed_item_from_json(j, why, sizeof why);
        CHECK_STR(json_string_value(json_object_get(json_object_get(item, "n"), "N")), cases[i].out);
        json_decref(item);
        json_decref(j);
    }
}

int main(void)
{
    RUN(test_items_lines);
    RUN(test_items_array_and_table_option);
    RUN(test_create_table_file);
    RUN(test_describe_table_output);
    RUN(test_batch_write_request);
    RUN(test_bad_files);
    RUN(test_numbers);
    return check_done();
}
