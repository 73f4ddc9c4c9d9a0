/* keys.c - key schema checks and the LMDB item-key encoding (see keys.h).
 *
 * Messages are AWS's. DynamoDB Local words several of them differently
 * ("One of the required keys was not given a value", "Type mismatch for
 * key" without names, "The number of conditions on the keys is invalid",
 * "Hash primary key values must be under 2048 bytes, and range primary
 * key values must be under 1024 bytes"); the texts below are the ones AWS
 * returns, as recorded against the service (including the missing space
 * in "limit of2048"). */
#include "model/keys.h"

#include <string.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack, no malloc */
#include <xxhash.h>

#include "base/buf.h"
#include "base/endian.h"
#include "model/number.h"

#define MSG_INVALID "One or more parameter values were invalid: "
#define MSG_KEY_SCHEMA "The provided key element does not match the schema"
#define MSG_HASH_SIZE MSG_INVALID "Size of hashkey has exceeded the maximum size limit of2048 bytes"
#define MSG_RANGE_SIZE MSG_INVALID "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
/* This one is "are not valid." in both AWS and DynamoDB Local. */
#define MSG_EMPTY_KEY                                                                                                  \
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "                       \
    "contain an empty %s value. Key: %.*s"

/* Non-empty and within the size limit; the type was checked already. Key
 * numbers need no size check: 38 digits are far below either limit. */
static int key_check_value(const key_attr_t *ka, const value_t *v, bool is_hash, err_t *e)
{
    if (ka->type != VT_N && v->s.len == 0)
        return err_set(e, ERR_VALIDATION, MSG_EMPTY_KEY, ka->type == VT_S ? "string" : "binary", STR_FMT(ka->name));
    if (is_hash && v->s.len > KEY_PARTITION_MAX_BYTES)
        return err_set(e, ERR_VALIDATION, MSG_HASH_SIZE);
    if (!is_hash && v->s.len > KEY_SORT_MAX_BYTES)
        return err_set(e, ERR_VALIDATION, MSG_RANGE_SIZE);
    return 0;
}

static int key_check_item_attr(const key_attr_t *ka, const value_t *item, bool is_hash, err_t *e)
{
    const value_t *v = item_get(item, ka->name);
    if (!v)
        return err_set(e, ERR_VALIDATION, MSG_INVALID "Missing the key %.*s in the item", STR_FMT(ka->name));
    if (v->type != ka->type)
        return err_set(e, ERR_VALIDATION, MSG_INVALID "Type mismatch for key %.*s expected: %s actual: %s",
                       STR_FMT(ka->name), vtype_name(ka->type), vtype_name(v->type));
    return key_check_value(ka, v, is_hash, e);
}

int key_check_item(const key_schema_t *ks, const value_t *item, err_t *e)
{
    if (key_check_item_attr(&ks->hash, item, true, e) < 0)
        return -1;
    if (key_schema_has_range(ks) && key_check_item_attr(&ks->range, item, false, e) < 0)
        return -1;
    return 0;
}

/* A Key parameter names exactly the schema's attributes with the declared
 * types; any difference is one message in AWS. Emptiness and size are
 * checked once the shape matches. */
int key_check_key(const key_schema_t *ks, const value_t *key, err_t *e)
{
    size_t want = key_schema_has_range(ks) ? 2 : 1;
    if (!key || key->type != VT_M || key->m.n != want)
        return err_set(e, ERR_VALIDATION, MSG_KEY_SCHEMA);
    const value_t *h = item_get(key, ks->hash.name);
    const value_t *r = want == 2 ? item_get(key, ks->range.name) : NULL;
    if (!h || h->type != ks->hash.type || (want == 2 && (!r || r->type != ks->range.type)))
        return err_set(e, ERR_VALIDATION, MSG_KEY_SCHEMA);
    if (key_check_value(&ks->hash, h, true, e) < 0)
        return -1;
    if (r && key_check_value(&ks->range, r, false, e) < 0)
        return -1;
    return 0;
}

value_t key_of_item(arena_t *a, const key_schema_t *ks, const value_t *item)
{
    value_t key = {.type = VT_M};
    const value_t *h = item_get(item, ks->hash.name);
    if (h)
        key = item_with(a, &key, ks->hash.name, h);
    const value_t *r = key_schema_has_range(ks) ? item_get(item, ks->range.name) : NULL;
    if (r)
        key = item_with(a, &key, ks->range.name, r);
    return key;
}

/* ---- LMDB keys ------------------------------------------------------------------- */

static void key_put(key_buf_t *out, const void *p, size_t n)
{
    if (n > sizeof out->b - out->len)
        n = sizeof out->b - out->len; /* unreachable for checked keys; never overrun */
    if (n == 0)
        return;
    memcpy(out->b + out->len, p, n);
    out->len += n;
}

static void key_put_hash(key_buf_t *out, XXH128_hash_t h)
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h); /* big-endian: the same bytes on every machine */
    key_put(out, c.digest, sizeof c.digest);
}

void key_encode_table(uint32_t table_id, key_buf_t *out)
{
    uint8_t id[4];
    be32_put(id, table_id);
    out->len = 0;
    key_put(out, id, sizeof id);
}

/* The hash covers a type byte and the value's bytes, so S "1" and N 1 are
 * different partitions, and N values hash their normalized text, so 1 and
 * 1.0 are one partition. */
void key_encode_partition(uint32_t table_id, const value_t *hash_value, key_buf_t *out)
{
    key_encode_table(table_id, out);
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    uint8_t type = (uint8_t)vtype_name(hash_value->type)[0];
    XXH3_128bits_update(&st, &type, 1);
    XXH3_128bits_update(&st, hash_value->s.ptr, hash_value->s.len);
    key_put_hash(out, XXH3_128bits_digest(&st));
}

/* S and B sort by their bytes, N by number_key_encode(). An encoding longer
 * than KEY_SORT_INLINE_MAX keeps that many leading bytes plus a hash of the
 * whole, so every long form is exactly KEY_SORT_INLINE_MAX + KEY_HASH_LEN
 * bytes and longer than any short form. */
void key_sort_encoding(const value_t *v, buf_t *out)
{
    if (v->type != VT_N) {
        buf_append(out, v->s.ptr, v->s.len);
        return;
    }
    number_t x;
    err_t e = {0};
    if (number_parse(v->s, &x, &e) == 0)
        number_key_encode(&x, out);
}

void key_append_bytes(key_buf_t *out, const void *p, size_t n) { key_put(out, p, n); }

void key_append_hash(key_buf_t *out, const void *p, size_t n) { key_put_hash(out, XXH3_128bits(p, n)); }

void key_append_sort(key_buf_t *out, const value_t *range_value)
{
    const uint8_t *p = (const uint8_t *)range_value->s.ptr;
    size_t n = range_value->s.len;
    uint8_t num[64];
    if (range_value->type == VT_N) {
        buf_t b = BUF_INIT;
        key_sort_encoding(range_value, &b);
        n = b.len < sizeof num ? b.len : sizeof num;
        if (n)
            memcpy(num, b.data, n);
        buf_free(&b);
        p = num;
    }
    if (n <= KEY_SORT_INLINE_MAX) {
        key_put(out, p, n);
        return;
    }
    key_put(out, p, KEY_SORT_INLINE_MAX);
    key_put_hash(out, XXH3_128bits(p, n));
}

void key_encode(uint32_t table_id, const key_schema_t *ks, const value_t *item, key_buf_t *out)
{
    const value_t *h = item_get(item, ks->hash.name);
    static const value_t none = {.type = VT_S};
    key_encode_partition(table_id, h ? h : &none, out);
    if (!key_schema_has_range(ks))
        return;
    const value_t *r = item_get(item, ks->range.name);
    if (r)
        key_append_sort(out, r);
}
