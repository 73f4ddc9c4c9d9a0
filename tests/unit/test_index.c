/* test_index.c - index entry keys (order, prefix-freedom, long keys),
 * projections and the index key checks (DynamoDB's messages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "storage/index.h"

#include "test_items.h"

static arena_t arena;

static value_t item(const char *text) { return test_item(&arena, text); }

static int key_cmp(const key_buf_t *a, const key_buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* A table pk S / sk N with a GSI on g S / gs S (KEYS_ONLY) and an LSI on
 * pk / l N (INCLUDE a). */
static table_index_t ixs[2];
static table_t table;

static void setup(void)
{
    table.id = 7;
    table.name = "t";
    table.ks = (key_schema_t){{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};
    static str_t include[] = {STR_LIT("a")};
    ixs[0] = (table_index_t){
        .name = "byG", .ks = {{STR_LIT("g"), VT_S}, {STR_LIT("gs"), VT_S}}, .projection = PROJ_KEYS_ONLY, .number = 1};
    ixs[1] = (table_index_t){.name = "byL",
                             .local = true,
                             .ks = {{STR_LIT("pk"), VT_S}, {STR_LIT("l"), VT_N}},
                             .projection = PROJ_INCLUDE,
                             .include = include,
                             .n_include = 1,
                             .number = 2};
    table.indexes = ixs;
    table.n_indexes = 2;
}

static key_buf_t entry(const char *text, int ix)
{
    value_t v = item(text);
    key_buf_t k;
    index_key_entry(&table, &ixs[ix], &v, &k);
    return k;
}

static void test_entry_order(void)
{
    /* "a" < "a\0" < "ab" < "b": the terminator keeps a prefix first, and
     * the trailing base-key hash never decides between different values */
    key_buf_t a = entry("{\"pk\":{\"S\":\"z\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"a\"}}", 0);
    value_t with_nul = item("{\"pk\":{\"S\":\"y\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"}}");
    with_nul = item_with(&arena, &with_nul, STR_LIT("gs"), &(value_t){.type = VT_S, .s = {"a\0", 2}});
    key_buf_t a0;
    index_key_entry(&table, &ixs[0], &with_nul, &a0);
    key_buf_t ab = entry("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"ab\"}}", 0);
    key_buf_t b = entry("{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"b\"}}", 0);
    CHECK(key_cmp(&a, &a0) < 0);
    CHECK(key_cmp(&a0, &ab) < 0);
    CHECK(key_cmp(&ab, &b) < 0);
    /* equal index keys of different items are distinct entries */
    key_buf_t a2 = entry("{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"a\"}}", 0);
    CHECK(key_cmp(&a, &a2) != 0 && a.len == a2.len);
    /* the seek key for a lower bound sorts before every entry with that value */
    key_buf_t seek;
    index_key_partition(table.id, 1, &(value_t){.type = VT_S, .s = STR_LIT("x")}, &seek);
    index_key_append_sort_open(&seek, &(value_t){.type = VT_S, .s = STR_LIT("a")});
    CHECK(key_cmp(&seek, &a) < 0 && key_cmp(&seek, &a2) < 0);
    /* numbers in numeric order */
    key_buf_t n9 = entry("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"l\":{\"N\":\"9\"}}", 1);
    key_buf_t n10 = entry("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"2\"},\"l\":{\"N\":\"10\"}}", 1);
    key_buf_t neg = entry("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"3\"},\"l\":{\"N\":\"-100\"}}", 1);
    CHECK(key_cmp(&neg, &n9) < 0 && key_cmp(&n9, &n10) < 0);
}

static void test_long_entry_keys(void)
{
    char *big = malloc(2000);
    memset(big, 'q', 1000);
    strcpy(big + 1000, "");
    char *text = malloc(1200);
    snprintf(text, 1200, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"%s\"}}", big);
    key_buf_t k = entry(text, 0);
    CHECK(k.len == KEY_LMDB_MAX);
    key_buf_t s = entry("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"S\":\"x\"},\"gs\":{\"S\":\"q\"}}", 0);
    CHECK(s.len < KEY_LMDB_MAX && key_cmp(&s, &k) < 0);
    free(big);
    free(text);
}

static void test_project_and_membership(void)
{
    value_t it = item("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"l\":{\"N\":\"5\"},\"a\":{\"S\":\"A\"},"
                      "\"b\":{\"S\":\"B\"},\"g\":{\"S\":\"x\"}}");
    CHECK(!index_has_item(&ixs[0], &it)); /* no gs: sparse */
    CHECK(index_has_item(&ixs[1], &it));
    value_t p = index_project(&arena, &table, &ixs[1], &it);
    CHECK(p.m.n == 4 && item_get(&p, STR_LIT("a")) && !item_get(&p, STR_LIT("b")));
    CHECK(index_projects(&table, &ixs[1], STR_LIT("a")) && !index_projects(&table, &ixs[1], STR_LIT("b")));
    CHECK(index_projects(&table, &ixs[0], STR_LIT("sk")));
}

static const char *check(const char *text)
{
    static err_t e;
    err_clear(&e);
    value_t v = item(text);
    return index_check_item(&table, &v, &e) == 0 ? "ok" : e.msg;
}

static void test_checks(void)
{
    CHECK_STR(check("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"), "ok");
    CHECK_STR(check("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"g\":{\"N\":\"1\"}}"),
              "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N "
              "IndexName: byG");
    CHECK_STR(check("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"gs\":{\"S\":\"\"}}"),
              "One or more parameter values are not valid. A value specified for a secondary index key is not "
              "supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: "
              "byG, IndexKey: gs");
}

int main(void)
{
    arena_init(&arena);
    setup();
    RUN(test_entry_order);
    RUN(test_long_entry_keys);
    RUN(test_project_and_membership);
    RUN(test_checks);
    arena_free(&arena);
    return check_done();
}
