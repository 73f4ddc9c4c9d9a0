/* ttl_index.h - Time to Live: the expiry index, kept in each write's
 * transaction.
 *
 * STORE_DB_TTL holds, per table with TTL enabled:
 *   table id (u32 BE)                                   -> catalog key (ns \0 name)
 *   table id (u32 BE) . expiry second (u64 BE) . item key -> empty
 * The first row lets the sweeper (jobs/ttl_sweeper.c) find the table of an
 * entry; the item key is the item's own LMDB key (model/keys.h). Entries
 * are kept by itemstore.c (ttl_on_write) for tables whose catalog JSON has
 * "TimeToLiveAttribute", built for existing items when TTL is enabled and
 * dropped when it is disabled or the table deleted (ttl_set_attribute,
 * ttl_drop_table). Only Number attributes count (epoch seconds). */
#ifndef DDBD_TTL_INDEX_H
#define DDBD_TTL_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "model/keys.h"
#include "model/value.h"
#include "storage/catalog.h"
#include "storage/store.h"

#define TTL_IGNORE_OLDER_S (5ll * 365 * 24 * 3600) /* five years: AWS leaves such items alone */
#define TTL_ENTRY_PREFIX 12 /* table id + expiry second */

/* itemstore.c: keeps the expiry entry of one item write (old/new NULL
 * when absent). No-op for tables without TTL. */
int ttl_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                 const value_t *new_item);
/* UpdateTimeToLive (after the new description is stored): attr NULL drops
 * the table's index; otherwise builds it for every item under attr. */
int ttl_set_attribute(store_txn_t *txn, const table_t *t, const char *attr);
/* Removes every expiry entry of the table (DeleteTable). */
int ttl_drop_table(store_txn_t *txn, uint32_t table_id);

/* The table's TTL attribute, or NULL when TTL is off. */
const char *ttl_attr(const table_t *t);
/* The item's expiry second under attr, or false when it has none: the
 * attribute must be a Number (epoch seconds; a fraction is dropped). */
bool ttl_item_expiry(const value_t *item, const char *attr, int64_t *out);

/* ---- reading the index (the sweeper) ---- */

/* A table with TTL enabled, as its header row names it. */
typedef struct ttl_table_ref {
    uint32_t id;
    char *ns, *name;
} ttl_table_ref_t;

/* The tables with TTL enabled, malloc'ed (free with ttl_tables_free). */
int ttl_tables(store_txn_t *txn, ttl_table_ref_t **out, size_t *n);
void ttl_tables_free(ttl_table_ref_t *t, size_t n);

/* One expiry entry's key, copied out of the store. */
typedef struct ttl_entry {
    uint8_t b[TTL_ENTRY_PREFIX + KEY_LMDB_MAX];
    size_t len;
} ttl_entry_t;

/* The first entry of table id due at now_s (expiry <= now_s), if any. */
int ttl_first_due(store_txn_t *txn, uint32_t id, int64_t now_s, ttl_entry_t *e, bool *found);
int64_t ttl_entry_expiry(const ttl_entry_t *e);
void ttl_entry_item_key(const ttl_entry_t *e, key_buf_t *out);
/* Drops a stale entry (its item is gone or has another expiry). */
int ttl_entry_remove(store_txn_t *txn, const ttl_entry_t *e);

#endif
