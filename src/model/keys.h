/* keys.h - key schemas and the LMDB item-key encoding.
 *
 * An item's LMDB key is
 *     table id (u32 BE) . hash128(partition key) . sort key (order-preserving)
 * The 16-byte hash keeps a partition together and fits any partition key
 * (up to 2048 bytes) inside LMDB's 511-byte key limit; the full key lives
 * in the stored item. Sort keys encode by type: S and B as their bytes, N
 * as number_key_encode(); memcmp order is DynamoDB's order. A sort key
 * whose encoding is longer than KEY_SORT_INLINE_MAX keeps its first
 * KEY_SORT_INLINE_MAX bytes plus a 16-byte hash of the whole: encodings
 * stay unique (a long form is longer than any short one) and such keys
 * still sort correctly against every key that differs in the prefix. */
#ifndef DDBD_KEYS_H
#define DDBD_KEYS_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "model/value.h"

#define KEY_LMDB_MAX 511
#define KEY_PREFIX_LEN 20 /* table id + partition hash */
#define KEY_HASH_LEN 16
#define KEY_SORT_INLINE_MAX (KEY_LMDB_MAX - KEY_PREFIX_LEN - KEY_HASH_LEN)
#define KEY_PARTITION_MAX_BYTES 2048
#define KEY_SORT_MAX_BYTES 1024

typedef struct key_attr {
    str_t name; /* len 0: absent (no sort key) */
    vtype_t type; /* VT_S, VT_N or VT_B */
} key_attr_t;

typedef struct key_schema {
    key_attr_t hash;
    key_attr_t range;
} key_schema_t;

static inline bool key_schema_has_range(const key_schema_t *ks) { return ks->range.name.len > 0; }

/* Checks the key attributes of a whole item (PutItem): present, of the
 * declared type, non-empty, within the size limits; DynamoDB's messages. */
int key_check_item(const key_schema_t *ks, const value_t *item, err_t *e);
/* Checks a Key parameter (GetItem, DeleteItem, UpdateItem): exactly the
 * schema's attributes, each valid as in key_check_item. */
int key_check_key(const key_schema_t *ks, const value_t *key, err_t *e);
/* The key attributes of an item, as a new map (for Keys, LastEvaluatedKey). */
value_t key_of_item(arena_t *a, const key_schema_t *ks, const value_t *item);

typedef struct key_buf {
    uint8_t b[KEY_LMDB_MAX];
    size_t len;
} key_buf_t;

/* The LMDB key of the item (or Key) whose key attributes were checked. */
void key_encode(uint32_t table_id, const key_schema_t *ks, const value_t *item, key_buf_t *out);
/* The 20-byte prefix shared by every item of one partition. */
void key_encode_partition(uint32_t table_id, const value_t *hash_value, key_buf_t *out);
/* Appends the encoded sort-key value to out (after a partition prefix). */
void key_append_sort(key_buf_t *out, const value_t *range_value);
/* The order-preserving encoding of a key value (S, B: their bytes; N:
 * number_key_encode()), whole, for keys other than items' (index.h). */
void key_sort_encoding(const value_t *v, buf_t *out);
/* Appends bytes / the 16-byte XXH3-128 of bytes (big-endian) to out. */
void key_append_bytes(key_buf_t *out, const void *p, size_t n);
void key_append_hash(key_buf_t *out, const void *p, size_t n);
/* The 4-byte prefix shared by every item of one table. */
void key_encode_table(uint32_t table_id, key_buf_t *out);

#endif
