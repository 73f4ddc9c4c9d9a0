/* test_keys.c - key schema checks (DynamoDB's messages) and the LMDB key
 * encoding: partition hashing, sort-key order, long sort keys. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/keys.h"

#include "test_items.h"

static arena_t arena;

static value_t item(const char *text) { return test_item(&arena, text); }

static const key_schema_t hash_s = {{STR_LIT("pk"), VT_S}, {STR_NULL, VT_NONE}};
static const key_schema_t hash_range = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};
static const key_schema_t bin_s = {{STR_LIT("pk"), VT_B}, {STR_LIT("sk"), VT_S}};

static const char *check_item(const key_schema_t *ks, const char *text)
{
    static err_t e;
    err_clear(&e);
    value_t v = item(text);
    if (key_check_item(ks, &v, &e) == 0)
        return "ok";
    CHECK(e.code == ERR_VALIDATION);
    return e.msg;
}

static const char *check_key(const key_schema_t *ks, const char *text)
{
    static err_t e;
    err_clear(&e);
    value_t v = item(text);
    if (key_check_key(ks, &v, &e) == 0)
        return "ok";
    CHECK(e.code == ERR_VALIDATION);
    return e.msg;
}

/* {"pk":{"<type>":"<n bytes>"}} with a string of n 'a's or n bytes of base64 */
static const char *sized(const char *attr, char type, size_t n, const char *rest)
{
    static char buf[16384];
    char *o = buf;
    o += sprintf(o, "{%s\"%s\":{\"%c\":\"", rest, attr, type);
    if (type == 'S') {
        memset(o, 'a', n);
        o += n;
    } else { /* n a multiple of 3: "YWFh" is "aaa" */
        for (size_t i = 0; i < n / 3; i++)
            o += sprintf(o, "YWFh");
    }
    sprintf(o, "\"}}");
    return buf;
}

#define INV "One or more parameter values were invalid: "
#define SCHEMA "The provided key element does not match the schema"

static void test_check_item(void)
{
    CHECK_STR(check_item(&hash_s, "{\"pk\":{\"S\":\"a\"},\"x\":{\"N\":\"1\"}}"), "ok");
    CHECK_STR(check_item(&hash_s, "{\"x\":{\"S\":\"1\"}}"), INV "Missing the key pk in the item");
    CHECK_STR(check_item(&hash_s, "{\"pk\":{\"N\":\"1\"}}"), INV "Type mismatch for key pk expected: S actual: N");
    CHECK_STR(check_item(&hash_s, "{\"pk\":{\"SS\":[\"a\"]}}"), INV "Type mismatch for key pk expected: S actual: SS");
    CHECK_STR(check_item(&hash_s, "{\"pk\":{\"S\":\"\"}}"),
              "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
              "an empty string value. Key: pk");
    CHECK_STR(check_item(&bin_s, "{\"pk\":{\"B\":\"\"},\"sk\":{\"S\":\"x\"}}"),
              "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
              "an empty binary value. Key: pk");
    CHECK_STR(check_item(&bin_s, "{\"pk\":{\"B\":\"YQ==\"},\"sk\":{\"S\":\"\"}}"),
              "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
              "an empty string value. Key: sk");
    CHECK_STR(check_item(&hash_range, "{\"pk\":{\"S\":\"a\"}}"), INV "Missing the key sk in the item");
    CHECK_STR(check_item(&hash_range, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}"),
              INV "Type mismatch for key sk expected: N actual: S");
    /* the hash key is checked first */
    CHECK_STR(check_item(&hash_range, "{\"sk\":{\"S\":\"1\"}}"), INV "Missing the key pk in the item");

    /* sizes: UTF-8 or raw bytes, limits inclusive */
    CHECK_STR(check_item(&hash_s, sized("pk", 'S', 2048, "")), "ok");
    CHECK_STR(check_item(&hash_s, sized("pk", 'S', 2049, "")),
              INV "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    CHECK_STR(check_item(&bin_s, sized("pk", 'B', 2049, "\"sk\":{\"S\":\"a\"},")),
              INV "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    CHECK_STR(check_item(&bin_s, sized("pk", 'B', 2046, "\"sk\":{\"S\":\"a\"},")), "ok");
    CHECK_STR(check_item(&bin_s, sized("sk", 'S', 1024, "\"pk\":{\"B\":\"YQ==\"},")), "ok");
    CHECK_STR(check_item(&bin_s, sized("sk", 'S', 1025, "\"pk\":{\"B\":\"YQ==\"},")),
              INV "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    /* 1025 bytes of UTF-8 in fewer characters */
    char e_acute[4096] = "{\"pk\":{\"S\":\"";
    for (int i = 0; i < 1025; i++)
        strcat(e_acute, "\xc3\xa9");
    strcat(e_acute, "\"}}");
    CHECK_STR(check_item(&hash_s, e_acute), INV "Size of hashkey has exceeded the maximum size limit of2048 bytes");
}

static void test_check_key(void)
{
    CHECK_STR(check_key(&hash_range, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"), "ok");
    CHECK_STR(check_key(&hash_range, "{\"pk\":{\"S\":\"a\"}}"), SCHEMA);
    CHECK_STR(check_key(&hash_range, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"x\":{\"S\":\"1\"}}"), SCHEMA);
    CHECK_STR(check_key(&hash_range, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"S\":\"1\"}}"), SCHEMA);
    CHECK_STR(check_key(&hash_range, "{\"pk\":{\"S\":\"a\"},\"x\":{\"N\":\"1\"}}"), SCHEMA);
    CHECK_STR(check_key(&hash_s, "{}"), SCHEMA);
    CHECK_STR(check_key(&hash_s, "{\"pk\":{\"N\":\"1\"}}"), SCHEMA);
    CHECK_STR(check_key(&hash_s, "{\"pk\":{\"S\":\"\"}}"),
              "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
              "an empty string value. Key: pk");
    CHECK_STR(check_key(&hash_s, sized("pk", 'S', 2049, "")),
              INV "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    CHECK_STR(check_key(&bin_s, sized("sk", 'S', 1025, "\"pk\":{\"B\":\"YQ==\"},")),
              INV "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    err_t e = {0};
    CHECK(key_check_key(&hash_s, NULL, &e) < 0);
}

static void test_key_of_item(void)
{
    value_t it = item("{\"x\":{\"S\":\"1\"},\"sk\":{\"N\":\"5\"},\"pk\":{\"S\":\"a\"}}");
    value_t k = key_of_item(&arena, &hash_range, &it);
    CHECK(k.type == VT_M && k.m.n == 2);
    CHECK(str_eq_cstr(k.m.m[0].name, "pk") && str_eq_cstr(k.m.m[1].name, "sk"));
    k = key_of_item(&arena, &hash_s, &it);
    CHECK(k.m.n == 1 && str_eq_cstr(item_get(&k, STR_LIT("pk"))->s, "a"));
}

static key_buf_t enc(uint32_t table, const key_schema_t *ks, const char *text)
{
    value_t v = item(text);
    key_buf_t k;
    key_encode(table, ks, &v, &k);
    return k;
}

static int key_cmp(const key_buf_t *a, const key_buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static void test_partition(void)
{
    key_buf_t a = enc(0x01020304, &hash_s, "{\"pk\":{\"S\":\"a\"}}");
    CHECK(a.len == KEY_PREFIX_LEN);
    CHECK(a.b[0] == 1 && a.b[1] == 2 && a.b[2] == 3 && a.b[3] == 4);
    key_buf_t t;
    key_encode_table(0x01020304, &t);
    CHECK(t.len == 4 && memcmp(t.b, a.b, 4) == 0);
    key_buf_t p;
    value_t v = item("{\"pk\":{\"S\":\"a\"}}");
    key_encode_partition(0x01020304, item_get(&v, STR_LIT("pk")), &p);
    CHECK(p.len == KEY_PREFIX_LEN && memcmp(p.b, a.b, KEY_PREFIX_LEN) == 0);
    /* deterministic, and different tables or values give different keys */
    key_buf_t a2 = enc(0x01020304, &hash_s, "{\"pk\":{\"S\":\"a\"},\"other\":{\"S\":\"z\"}}");
    CHECK(key_cmp(&a, &a2) == 0);
    key_buf_t b = enc(0x01020305, &hash_s, "{\"pk\":{\"S\":\"a\"}}");
    CHECK(memcmp(a.b + 4, b.b + 4, 16) == 0 && key_cmp(&a, &b) < 0);
    key_buf_t c = enc(0x01020304, &hash_s, "{\"pk\":{\"S\":\"b\"}}");
    CHECK(memcmp(a.b + 4, c.b + 4, 16) != 0);

    /* 1 and 1.0 are one partition; S "1", N 1 and B "1" are three */
    key_schema_t ns = {{STR_LIT("pk"), VT_N}, {STR_NULL, VT_NONE}};
    key_schema_t bs = {{STR_LIT("pk"), VT_B}, {STR_NULL, VT_NONE}};
    key_buf_t n1 = enc(7, &ns, "{\"pk\":{\"N\":\"1\"}}"), n2 = enc(7, &ns, "{\"pk\":{\"N\":\"1.0\"}}");
    key_buf_t n3 = enc(7, &ns, "{\"pk\":{\"N\":\"0.10e1\"}}");
    CHECK(key_cmp(&n1, &n2) == 0 && key_cmp(&n1, &n3) == 0);
    key_buf_t s1 = enc(7, &hash_s, "{\"pk\":{\"S\":\"1\"}}"), b1 = enc(7, &bs, "{\"pk\":{\"B\":\"MQ==\"}}");
    CHECK(key_cmp(&n1, &s1) != 0 && key_cmp(&n1, &b1) != 0 && key_cmp(&s1, &b1) != 0);
}

static uint64_t rng = 0x2545F4914F6CDD1Du;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct sk {
    value_t v;
    key_buf_t k;
} sk_t;

/* Sort keys within one partition: memcmp of the LMDB keys is DynamoDB's order. */
static void check_sort_order(sk_t *s, size_t n, const key_schema_t *ks)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        value_t it = {.type = VT_M};
        value_t pk = {.type = VT_S, .s = STR_LIT("p")};
        it = item_with(&arena, &it, STR_LIT("pk"), &pk);
        it = item_with(&arena, &it, ks->range.name, &s[i].v);
        key_encode(42, ks, &it, &s[i].k);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) {
            int want = value_cmp(&s[i].v, &s[k].v);
            want = want < 0 ? -1 : want > 0 ? 1 : 0;
            if (key_cmp(&s[i].k, &s[k].k) != want)
                bad++;
        }
    CHECK(bad == 0);
}

static str_t random_bytes(size_t n, int alphabet)
{
    char *p = arena_alloc(&arena, n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)(alphabet ? 'a' + rnd() % (unsigned)alphabet : rnd() % 256);
    return (str_t){p, n};
}

static void test_sort_order_s_b(void)
{
    enum { N = 400 };
    sk_t *s = calloc(N, sizeof *s);
    key_schema_t ks_s = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_S}};
    for (size_t i = 0; i < N; i++)
        s[i].v = (value_t){.type = VT_S, .s = random_bytes(1 + rnd() % 6, 3)}; /* many shared prefixes */
    check_sort_order(s, N, &ks_s);
    key_schema_t ks_b = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_B}};
    for (size_t i = 0; i < N; i++)
        s[i].v = (value_t){.type = VT_B, .s = random_bytes(1 + rnd() % 4, 0)};
    check_sort_order(s, N, &ks_b);
    free(s);
}

static void test_sort_order_n(void)
{
    static const char *const nums[] = {"-1e125", "-100",   "-1.5", "-1", "-0.001",
                                       "0",      "1e-130", "0.5",  "1",  "1.0000000000000000000000000000000000001",
                                       "2",      "10",     "1e125"};
    enum { N = 300 };
    sk_t *s = calloc(N, sizeof *s);
    for (size_t i = 0; i < N; i++) {
        char text[64];
        if (i < sizeof nums / sizeof nums[0])
            snprintf(text, sizeof text, "%s", nums[i]);
        else
            snprintf(text, sizeof text, "%s%llu.%llue%d", rnd() % 2 ? "-" : "", (unsigned long long)(rnd() % 100000),
                     (unsigned long long)(rnd() % 1000), (int)(rnd() % 200) - 100);
        char json[128];
        snprintf(json, sizeof json, "{\"v\":{\"N\":\"%s\"}}", text);
        value_t it = item(json);
        s[i].v = *item_get(&it, STR_LIT("v"));
    }
    check_sort_order(s, N, &hash_range);
    free(s);
}

/* Sort keys past KEY_SORT_INLINE_MAX: one fixed length, unique, and still
 * ordered against every key that differs within the inline prefix. */
static void test_long_sort_keys(void)
{
    key_schema_t ks = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_S}};
    enum { N = 60 };
    sk_t *s = calloc(N, sizeof *s);
    char *base = arena_alloc(&arena, KEY_SORT_MAX_BYTES);
    memset(base, 'm', KEY_SORT_MAX_BYTES);
    for (size_t i = 0; i < N; i++) {
        size_t len = KEY_SORT_INLINE_MAX - 2 + i % 20 * 30; /* short and long, up to 1024 */
        if (len > KEY_SORT_MAX_BYTES)
            len = KEY_SORT_MAX_BYTES;
        char *p = arena_alloc(&arena, len);
        memcpy(p, base, len);
        if (i % 3 == 1)
            p[rnd() % 100] = (char)('a' + rnd() % 26); /* differs inside the prefix */
        else if (i % 3 == 2)
            p[len - 1] = (char)('a' + i); /* differs only past the prefix (when long) */
        s[i].v = (value_t){.type = VT_S, .s = {p, len}};
    }
    for (size_t i = 0; i < N; i++) {
        value_t pk = {.type = VT_S, .s = STR_LIT("p")}, it = {.type = VT_M};
        it = item_with(&arena, &it, STR_LIT("pk"), &pk);
        it = item_with(&arena, &it, STR_LIT("sk"), &s[i].v);
        key_encode(9, &ks, &it, &s[i].k);
        CHECK(s[i].k.len <= KEY_LMDB_MAX);
        if (s[i].v.s.len > KEY_SORT_INLINE_MAX)
            CHECK(s[i].k.len == KEY_LMDB_MAX);
        else
            CHECK(s[i].k.len == KEY_PREFIX_LEN + s[i].v.s.len);
    }
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < N; k++) {
            int want = value_cmp(&s[i].v, &s[k].v);
            want = want < 0 ? -1 : want > 0 ? 1 : 0;
            int got = key_cmp(&s[i].k, &s[k].k);
            bool both_long = s[i].v.s.len > KEY_SORT_INLINE_MAX && s[k].v.s.len > KEY_SORT_INLINE_MAX;
            bool same_prefix = both_long && memcmp(s[i].v.s.ptr, s[k].v.s.ptr, KEY_SORT_INLINE_MAX) == 0;
            if (want == 0 ? got != 0 : (got == 0 || (!same_prefix && got != want)))
                bad++; /* equal iff equal; ordered unless both long with one prefix */
        }
    CHECK(bad == 0);
    free(s);

    /* two keys that differ only in their last byte stay distinct */
    char x[KEY_SORT_MAX_BYTES], y[KEY_SORT_MAX_BYTES];
    memset(x, 'q', sizeof x);
    memcpy(y, x, sizeof y);
    y[sizeof y - 1] = 'r';
    key_buf_t kx = {.len = 0}, ky = {.len = 0};
    key_append_sort(&kx, &(value_t){.type = VT_S, .s = {x, sizeof x}});
    key_append_sort(&ky, &(value_t){.type = VT_S, .s = {y, sizeof y}});
    CHECK(kx.len == KEY_SORT_INLINE_MAX + KEY_HASH_LEN && key_cmp(&kx, &ky) != 0);
    /* a short key equal to a long key's inline prefix sorts first */
    key_buf_t kp = {.len = 0};
    key_append_sort(&kp, &(value_t){.type = VT_S, .s = {x, KEY_SORT_INLINE_MAX}});
    CHECK(key_cmp(&kp, &kx) < 0 && key_cmp(&kp, &ky) < 0);
}

int main(void)
{
    arena_init(&arena);
    RUN(test_check_item);
    RUN(test_check_key);
    RUN(test_key_of_item);
    RUN(test_partition);
    RUN(test_sort_order_s_b);
    RUN(test_sort_order_n);
    RUN(test_long_sort_keys);
    arena_free(&arena);
    return check_done();
}
