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
    for (int i = 0; i < 2; i++) { /* single-attribute keys: the first of each */
        ixs[i].hash[0] = ixs[i].ks.hash;
        ixs[i].range[0] = ixs[i].ks.range;
        ixs[i].n_hash = ixs[i].n_range = 1;
    }
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

/* ---- multi-attribute keys ------------------------------------------------------------------
 * A GSI on (h1 S, h2 N) / (r1 S, r2 N, r3 B): entry keys must sort as the
 * tuples do, attribute by attribute, whatever the values' lengths, zero
 * bytes or signs; equal HASH tuples share one partition prefix. */
static table_index_t multi;

static void setup_multi(void)
{
    multi = (table_index_t){.name = "multi", .projection = PROJ_KEYS_ONLY, .number = 3, .n_hash = 2, .n_range = 3};
    multi.hash[0] = (key_attr_t){STR_LIT("h1"), VT_S};
    multi.hash[1] = (key_attr_t){STR_LIT("h2"), VT_N};
    multi.range[0] = (key_attr_t){STR_LIT("r1"), VT_S};
    multi.range[1] = (key_attr_t){STR_LIT("r2"), VT_N};
    multi.range[2] = (key_attr_t){STR_LIT("r3"), VT_B};
    multi.ks = (key_schema_t){multi.hash[0], multi.range[0]};
}

static const char *const r1s[] = {"", "a", "a ", "a b", "ab", "b", "\\u00ff"}; /* zero bytes: r3 */
static const char *const r2s[] = {"-10", "-1", "-0.5", "0", "0.5", "1", "9", "10", "1E+20"};
static const char *const r3s[] = {"AA==", "AAA=", "AQ==", "YQ==", "YWI=", "/w=="}; /* 00, 0000, 01, a, ab, ff */

static value_t tuple(int i, int j, int k, int pk)
{
    char text[512];
    snprintf(
        text, sizeof text,
        "{\"pk\":{\"S\":\"p%d\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"x\"},\"h2\":{\"N\":\"2\"},\"r1\":{\"S\":\"%s\"},"
        "\"r2\":{\"N\":\"%s\"},\"r3\":{\"B\":\"%s\"}}",
        pk, r1s[i], r2s[j], r3s[k]);
    return item(text);
}

static int tuple_cmp(const value_t *a, const value_t *b)
{
    for (size_t i = 0; i < multi.n_range; i++) {
        int c = value_cmp(item_get(a, multi.range[i].name), item_get(b, multi.range[i].name));
        if (c)
            return c;
    }
    return 0;
}

static void test_multi_order(void)
{
    enum { N1 = sizeof r1s / sizeof *r1s, N2 = sizeof r2s / sizeof *r2s, N3 = sizeof r3s / sizeof *r3s };
    static value_t vals[N1 * N2 * N3];
    static key_buf_t keys[N1 * N2 * N3];
    size_t n = 0;
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++)
            for (int k = 0; k < N3; k++) {
                vals[n] = tuple(i, j, k, (int)n);
                index_key_entry(&table, &multi, &vals[n], &keys[n]);
                n++;
            }
    int bad = 0, prefix_bad = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            int want = tuple_cmp(&vals[a], &vals[b]), got = key_cmp(&keys[a], &keys[b]);
            if (want && (want < 0) != (got < 0))
                bad++;
            if (memcmp(keys[a].b, keys[b].b, INDEX_PREFIX_LEN) != 0)
                prefix_bad++;
        }
    CHECK(bad == 0);
    CHECK(prefix_bad == 0);
    /* other HASH tuples: other partitions, (x, 2) != (x2, ...) */
    value_t o = item("{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"x2\"},\"h2\":{\"N\":\"2\"},"
                     "\"r1\":{\"S\":\"a\"},\"r2\":{\"N\":\"1\"},\"r3\":{\"B\":\"AA==\"}}");
    value_t same = item("{\"pk\":{\"S\":\"q\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"x\"},\"h2\":{\"N\":\"2.0\"},"
                        "\"r1\":{\"S\":\"a\"},\"r2\":{\"N\":\"1\"},\"r3\":{\"B\":\"AA==\"}}");
    key_buf_t ko, ks;
    index_key_entry(&table, &multi, &o, &ko);
    index_key_entry(&table, &multi, &same, &ks);
    CHECK(memcmp(ko.b, keys[0].b, INDEX_PREFIX_LEN) != 0);
    CHECK(memcmp(ks.b, keys[0].b, INDEX_PREFIX_LEN) == 0); /* 2 and 2.0 are one number */
}

/* A 680-byte first sort attribute: over the inline limit, the long form is
 * exactly KEY_LMDB_MAX bytes, and still below a tuple whose first
 * component is greater. */
static void test_multi_long_keys(void)
{
    char big[400];
    memset(big, 'm', 340);
    big[340] = 0;
    char text[1400];
    snprintf(
        text, sizeof text,
        "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"x\"},\"h2\":{\"N\":\"2\"},\"r1\":{\"S\":\"%s%s\"},"
        "\"r2\":{\"N\":\"1\"},\"r3\":{\"B\":\"AA==\"}}",
        big, big);
    value_t v = item(text);
    key_buf_t k, small;
    index_key_entry(&table, &multi, &v, &k);
    CHECK(k.len == KEY_LMDB_MAX);
    value_t w = item("{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"x\"},\"h2\":{\"N\":\"2\"},"
                     "\"r1\":{\"S\":\"n\"},\"r2\":{\"N\":\"1\"},\"r3\":{\"B\":\"AA==\"}}");
    index_key_entry(&table, &multi, &w, &small);
    CHECK(small.len < KEY_LMDB_MAX && key_cmp(&k, &small) < 0);
    err_t e;
    err_clear(&e);
    CHECK(index_key_valid(&multi, &v));
    memset(big, 'm', 399); /* r1 of 2 x 399 bytes + 2 (N 1) + 300 (B): 1100 */
    big[399] = 0;
    static char text2[4096], zeros[401];
    memset(zeros, 'A', 400); /* 300 zero bytes in base64 */
    snprintf(text2, sizeof text2,
             "{\"pk\":{\"S\":\"p\"},\"sk\":{\"N\":\"1\"},\"h1\":{\"S\":\"%s\"},\"h2\":{\"N\":\"2\"},"
             "\"r1\":{\"S\":\"%s%s\"},\"r2\":{\"N\":\"1\"},\"r3\":{\"B\":\"%s\"}}",
             big, big, big, zeros);
    value_t huge = item(text2);
    CHECK(!index_key_valid(&multi, &huge));
    table_t t2 = table;
    t2.indexes = &multi;
    t2.n_indexes = 1;
    CHECK(index_check_item(&t2, &huge, &e) == -1);
    CHECK_STR(e.msg, "Aggregate size for RANGE key attributes r1, r2, r3 of index multi has exceeded limit 1024 "
                     "bytes, with actual size 1100 bytes");
}

int main(void)
{
    arena_init(&arena);
    setup();
    RUN(test_entry_order);
    RUN(test_long_entry_keys);
    RUN(test_project_and_membership);
    RUN(test_checks);
    setup_multi();
    RUN(test_multi_order);
    RUN(test_multi_long_keys);
    arena_free(&arena);
    return check_done();
}
