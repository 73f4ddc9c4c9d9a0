/* index.h - secondary index entries: their keys, projections, upkeep and
 * statistics.
 *
 * An index entry lives in STORE_DB_INDEX under
 *     table id (u32 BE) . index number (u16 BE) . hash128(index partition key)
 *     . index sort key (escaped, see below; absent without a sort key)
 *     . hash128(the base item's LMDB key)
 * A multi-attribute GSI key (up to four HASH and four RANGE attributes)
 * hashes every HASH value, typed and length-prefixed, into the one
 * partition hash, and writes each RANGE value's escaped, terminated
 * encoding in turn: tuples then sort as DynamoDB sorts them, attribute by
 * attribute.
 * and holds the projected item (value.h encoding), which always includes
 * the base table key and the index key. The trailing hash keeps entries
 * with equal index keys distinct. Because something follows the sort key,
 * its encoding must be prefix-free: each 0x00 byte of keys.h's sort
 * encoding is written 0x00 0x01 and the key ends with 0x00 0x00, which
 * keeps memcmp order equal to DynamoDB's order. An escaped sort key longer
 * than INDEX_SORT_INLINE_MAX keeps that many bytes plus a hash of the whole
 * (keys.h's long-key scheme), so every long entry key is exactly
 * KEY_LMDB_MAX bytes and every short one is shorter.
 *
 * Statistics (entry count, projected bytes) live in STORE_DB_STATS under
 * table id . index number, beside the table's own. */
#ifndef DDBD_INDEX_H
#define DDBD_INDEX_H

#include "storage/itemstore.h"

#define INDEX_PREFIX_LEN 22 /* table id + index number + partition hash */
#define INDEX_SUFFIX_LEN KEY_HASH_LEN
#define INDEX_SORT_INLINE_MAX (KEY_LMDB_MAX - INDEX_PREFIX_LEN - KEY_HASH_LEN - INDEX_SUFFIX_LEN)

/* Checks the index key attributes an item carries (right type, not
 * empty), with DynamoDB's messages. An item lacking them is fine: it is
 * simply not in that index (sparse indexes). */
int index_check_item(const table_t *t, const value_t *item, err_t *e);

/* The checks a write of new_item (replacing old, may be NULL) must pass
 * before anything is written: index_check_item, and for a table with LSIs
 * the item collection limit (10 GB, or DDBD_ITEM_COLLECTION_LIMIT_BYTES):
 * ItemCollectionSizeLimitExceededException. */
int index_check_write(store_txn_t *txn, const table_t *t, const value_t *old, const value_t *new_item, err_t *e);

/* Item collections (tables with LSIs): the bytes of every item with the
 * partition key of item (which may be a Key) and of their LSI entries. */
bool index_has_lsi(const table_t *t);
int index_collection_size(store_txn_t *txn, const table_t *t, const value_t *item, uint64_t *out);

/* Whether item belongs in ix (has its key attributes, of their types). */
bool index_has_item(const table_index_t *ix, const value_t *item);
/* index_has_item, and the key is one a write could store (not empty,
 * within the size limits): what a backfill indexes. */
bool index_key_valid(const table_index_t *ix, const value_t *item);
/* Whether name is one of ix's key attributes. */
bool index_is_key(const table_index_t *ix, str_t name);
/* m with ix's key attributes from item added (LastEvaluatedKey). */
value_t index_key_of(arena_t *a, const table_index_t *ix, const value_t *item, value_t m);
/* The entry ix keeps for item: the base key, the index key and the
 * projected attributes (the item itself for ALL). */
value_t index_project(arena_t *a, const table_t *t, const table_index_t *ix, const value_t *item);

/* Whether ix's entries carry the top-level attribute name. */
bool index_projects(const table_t *t, const table_index_t *ix, str_t name);

/* Entry keys. */
void index_key_table(uint32_t table_id, uint16_t number, key_buf_t *out);
void index_key_partition(uint32_t table_id, uint16_t number, const value_t *hash_value, key_buf_t *out);
/* The partition prefix of n HASH values (in KeySchema order). */
void index_key_partition_of(uint32_t table_id, uint16_t number, const value_t *const *values, size_t n, key_buf_t *out);
/* The partition prefix of item's entry in ix. */
void index_key_item_partition(const table_t *t, const table_index_t *ix, const value_t *item, key_buf_t *out);
/* Appends v's escaped sort encoding to out, with its 0x00 0x00 terminator
 * when terminate (a whole component) or without (a bound: every value
 * that starts with v sorts at or after it). */
void index_escape_sort(const value_t *v, bool terminate, buf_t *out);
/* Appends escaped sort bytes as a seek key: at most INDEX_SORT_INLINE_MAX
 * of them, which lands before every entry of a long key's group. */
void index_key_append_sort_seek(key_buf_t *out, const buf_t *esc);
/* Appends the escaped sort key without its terminator: every entry whose
 * sort key is v or starts with v's encoding sorts at or after it. */
void index_key_append_sort_open(key_buf_t *out, const value_t *v);
/* The entry key of item (which belongs in ix). */
void index_key_entry(const table_t *t, const table_index_t *ix, const value_t *item, key_buf_t *out);

/* Keeps every index of t in step with a write that replaces old by
 * new_item (either may be NULL) under base_key; adds the index write
 * units to effect (may be NULL). Runs in the write's transaction. */
int index_write(store_txn_t *txn, const table_t *t, const key_buf_t *base_key, const value_t *old,
                const value_t *new_item, itemstore_effect_t *effect);
/* Adds item's entry to ix if it has none (index backfill). */
int index_backfill_item(store_txn_t *txn, const table_t *t, const table_index_t *ix, const key_buf_t *base_key,
                        const value_t *item);

/* Drops every entry and the statistics of one index, or of all of t's. */
int index_drop(store_txn_t *txn, uint32_t table_id, uint16_t number);
int index_drop_table(store_txn_t *txn, const table_t *t);

int index_stats_get(store_txn_t *txn, uint32_t table_id, uint16_t number, table_stats_t *out);

/* Numbers the indexes of a new table's description (LSIs, then GSIs, from
 * 1) and records the next free number ("ddbd_next_index"). */
void index_number_new(json_t *desc);

/* Write units of an entry of `bytes` (1 KB steps). */
double index_write_units(size_t bytes);

#endif
