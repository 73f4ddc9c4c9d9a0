/* itemstore.h - the one write path for items.
 *
 * Every item write goes through here so that what must change with an item
 * (index entries, the table's statistics, the TTL entry, and through the
 * change hook the stream record) changes in the same transaction, in one
 * place. */
#ifndef DDBD_ITEMSTORE_H
#define DDBD_ITEMSTORE_H

#include "base/arena.h"
#include "storage/catalog.h"
#include "model/keys.h"
#include "storage/store.h"
#include "model/value.h"

/* What one item write did besides the item itself, for ConsumedCapacity
 * (INDEXES) and ReturnItemCollectionMetrics. Writes add to it, so one
 * effect can gather a whole batch or transaction per table. */
#define ITEMSTORE_MAX_INDEXES 30 /* 20 GSIs + 5 LSIs + 5 vector indexes */
typedef struct itemstore_index_units {
    const char *name; /* the index's name (owned by the table_t) */
    bool local; /* an LSI */
    double write_units; /* a vector index: VectorWriteRequestBytes */
    bool vector; /* a vector index */
} itemstore_index_units_t;

typedef struct itemstore_effect {
    int n_index;
    itemstore_index_units_t index[ITEMSTORE_MAX_INDEXES];
} itemstore_effect_t;

/* The stored item at key, decoded into a, or *found false. */
int itemstore_get(store_txn_t *txn, arena_t *a, const table_t *t, const key_buf_t *key, value_t *out, bool *found);
/* Writes item (whose key attributes are checked) replacing old (NULL when
 * there was none); old is what itemstore_get returned in this txn. effect
 * (may be NULL) gathers the index writes this caused. */
int itemstore_put(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old, const value_t *item,
                  itemstore_effect_t *effect);
int itemstore_delete(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old,
                     itemstore_effect_t *effect);
/* Drops every item of the table (DeleteTable). */
int itemstore_drop_table(store_txn_t *txn, const table_t *t);
/* DeleteTable of a table whose items a system backup takes over: drops
 * the index entries, TTL entries and statistics but leaves the items,
 * which nothing can reach any more but the backup's copy (backup_store.h),
 * which removes them as it copies. */
int itemstore_detach_table(store_txn_t *txn, const table_t *t);

/* After-write hooks: each runs for every item write, inside its
 * transaction, after the item, its index entries, statistics and TTL entry
 * are written; key is the item's LMDB key, old/new NULL when absent. A
 * non-zero result fails the write. Streams register here to append their
 * records, the history (history.h) to keep what backups and point-in-time
 * recovery need; TTL deletions and every item of a transaction or batch
 * pass here like any other write. Register at start-up, before the writer
 * runs; they run in the order registered. */
#define ITEMSTORE_MAX_HOOKS 4
typedef int (*itemstore_change_fn)(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                                   const value_t *new_item);
void itemstore_on_change(itemstore_change_fn fn);

#endif
