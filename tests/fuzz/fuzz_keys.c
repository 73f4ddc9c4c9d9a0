/* fuzz_keys.c - the key codec (model/keys.h) under arbitrary key values.
 *
 * Input: byte 0 picks the partition and sort key types (S, N or B each);
 * the rest is three fields separated by newlines: the partition key value
 * and two sort key values (N as number text, S and B as their bytes). A
 * key the checks accept must encode within LMDB's limit under its table's
 * prefix; two accepted sort keys must encode equal exactly when they are
 * equal, and in DynamoDB's order (value_cmp) whenever their encodings
 * differ within the inline part (keys.h: long keys keep a prefix and a
 * hash). Sort encodings, whole, always follow value_cmp. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "model/keys.h"

#include "fuzz.h"

static const vtype_t types[3] = {VT_S, VT_N, VT_B};

static int sign(int x) { return (x > 0) - (x < 0); }

/* A key value of type t from text, or false when the checks would refuse
 * it before it reached the codec (an invalid number, invalid UTF-8). */
static bool make_value(arena_t *a, vtype_t t, str_t text, value_t *out)
{
    if (t == VT_B) {
        *out = (value_t){.type = VT_B, .s = text};
        return true;
    }
    json_t *s = json_stringn(text.ptr, text.len);
    if (!s)
        return false; /* not UTF-8: the JSON front door never lets it in */
    json_t *j = json_pack("{s:o}", t == VT_S ? "S" : "N", s);
    err_t e = {0};
    int rc = value_from_json(a, j, out, &e);
    json_decref(j);
    return rc == 0;
}

static value_t key_item(arena_t *a, const value_t *h, const value_t *r)
{
    value_t item = {.type = VT_M};
    item = item_with(a, &item, STR_LIT("pk"), h);
    return item_with(a, &item, STR_LIT("sk"), r);
}

static bool encode(const key_schema_t *ks, arena_t *a, const value_t *h, const value_t *r, key_buf_t *out)
{
    value_t item = key_item(a, h, r);
    err_t e = {0};
    if (key_check_key(ks, &item, &e) != 0) {
        FUZZ_ASSERT(e.code == ERR_VALIDATION);
        return false;
    }
    key_encode(0x01020304, ks, &item, out);
    FUZZ_ASSERT(out->len <= KEY_LMDB_MAX && out->len > KEY_PREFIX_LEN);
    FUZZ_ASSERT(memcmp(out->b, "\x01\x02\x03\x04", 4) == 0);
    return true;
}

static void check_order(const value_t *x, const value_t *y, const key_buf_t *kx, const key_buf_t *ky)
{
    int want = sign(value_cmp(x, y));
    FUZZ_ASSERT(value_equal(x, y) == (want == 0));
    buf_t bx = BUF_INIT, by = BUF_INIT;
    key_sort_encoding(x, &bx);
    key_sort_encoding(y, &by);
    size_t n = bx.len < by.len ? bx.len : by.len;
    int whole = memcmp(bx.data ? bx.data : "", by.data ? by.data : "", n);
    whole = whole ? sign(whole) : sign((int)(bx.len > by.len) - (int)(bx.len < by.len));
    FUZZ_ASSERT(whole == want);
    buf_free(&bx);
    buf_free(&by);
    bool same = kx->len == ky->len && memcmp(kx->b, ky->b, kx->len) == 0;
    FUZZ_ASSERT(same == (want == 0));
    size_t m = kx->len < ky->len ? kx->len : ky->len;
    if (m > KEY_PREFIX_LEN + KEY_SORT_INLINE_MAX)
        m = KEY_PREFIX_LEN + KEY_SORT_INLINE_MAX;
    int inline_cmp = memcmp(kx->b, ky->b, m);
    if (inline_cmp)
        FUZZ_ASSERT(sign(inline_cmp) == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    key_schema_t ks = {{STR_LIT("pk"), types[data[0] % 3]}, {STR_LIT("sk"), types[(data[0] / 3) % 3]}};
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    str_t f[3];
    for (int i = 0; i < 3; i++) {
        const char *nl = i < 2 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        f[i] = (str_t){p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
    }
    arena_t a;
    arena_init(&a);
    value_t h, x, y;
    key_buf_t kx, ky;
    if (make_value(&a, ks.hash.type, f[0], &h) && make_value(&a, ks.range.type, f[1], &x) &&
        make_value(&a, ks.range.type, f[2], &y) && encode(&ks, &a, &h, &x, &kx) && encode(&ks, &a, &h, &y, &ky))
        check_order(&x, &y, &kx, &ky);
    arena_free(&a);
    return 0;
}
