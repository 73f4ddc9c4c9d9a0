/* history.h - what each item was before each change: the undo log that
 * backups and point-in-time recovery read the past from.
 *
 * While a table keeps history (table_t.keep_history: point-in-time
 * recovery is on, or a backup or restore is reading the table as it was),
 * every item write records, in the write's own transaction (itemstore's
 * change hook, so TTL deletions, batches and transactions alike), the item
 * as it was before the change. The table as it was at a pin is then, key
 * by key:
 *     the before-image of the first change after the pin, when there is one;
 *     the current item otherwise (nothing changed it since).
 * Later writes add later entries and never change that answer, so a
 * reader can take the past in many small transactions while the table
 * goes on changing.
 *
 * A pin is (seq, time_ms): a change is after it when its sequence number
 * is greater than seq or its time (ddbd's clock) is greater than time_ms.
 * A backup pins the sequence number of its own commit (time HISTORY_NO_TIME);
 * a point-in-time restore pins the time asked for, and the sequence
 * number at the request so that writes later in the same millisecond stay
 * out.
 *
 * Keys (store.h's databases; every key fits LMDB's 511 bytes whatever the
 * item key):
 *   STORE_DB_HISTORY      table id (u32 BE) . XXH3-128 of the item key after
 *                         its table id (16) . seq (u64 BE)
 *                           -> time ms (i64 BE) . present (1) . before-image
 *                              (value.h encoding; when absent, the item key
 *                              after its table id)
 *   STORE_DB_HISTORY_LOG  table id (u32 BE) -> catalog key (ns \0 name)
 *                         table id (u32 BE) . seq (u64 BE)
 *                           -> time ms (i64 BE) . the 16-byte hash
 *   STORE_DB_META         "history_seq" -> the last sequence number a pin read
 *                         (u64 BE); the writer counts in memory from there
 * The log keeps the entries in commit order, so the trimmer removes the
 * oldest first; its header row names the table, as the TTL index's does.
 *
 * Cost: a write to a table that keeps history adds two puts to its
 * transaction (the entry and its log row); tables that do not pay nothing. */
#ifndef DDBD_HISTORY_H
#define DDBD_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "model/keys.h"
#include "model/value.h"
#include "storage/catalog.h"
#include "storage/store.h"

#define HISTORY_HASH_LEN 16
#define HISTORY_NO_TIME INT64_MAX /* a pin by sequence number alone */

typedef struct history_pin {
    uint64_t seq;
    int64_t time_ms;
} history_pin_t;

/* The change hook (itemstore.h): records the before-image when t keeps
 * history. */
int history_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                     const value_t *new_item);
/* Start-up, before the writer runs: registers history_on_write. */
void history_attach(void);

/* The last sequence number given out (0 before the first), for a pin: a
 * write transaction (it stores the number, so that numbers after a restart
 * stay above it). Writer thread. */
int history_last_seq(store_txn_t *txn, uint64_t *out);
/* Names table t in the log's header row. Call in the transaction that
 * makes t keep history (enabling PITR, pinning it). */
int history_register(store_txn_t *txn, const table_t *t);

/* The first change to the item at key after pin: *hit, and when there is
 * one the item as it was at the pin (*present, out decoded into a). */
int history_change_after(store_txn_t *txn, arena_t *a, const key_buf_t *key, const history_pin_t *pin, bool *hit,
                         value_t *out, bool *present);
/* Adds delta to the pins of t ("ddbd_pins" in its catalog JSON) and
 * stores its new description: while pinned, a table keeps history even
 * with point-in-time recovery off. Pinning also names t in the log. */
int history_pin(store_txn_t *txn, const table_t *t, int delta);
/* Releases a pin of the table named name in ns, if it is still the table
 * with id (a job that read it is done). */
int history_unpin(store_txn_t *txn, catalog_cache_t *cache, const char *ns, const char *name, uint32_t id);

/* The item at key (an item key of its table) as of pin, into out (in a);
 * *found false when it was absent then. */
int history_item_at(store_txn_t *txn, arena_t *a, const key_buf_t *key, const history_pin_t *pin, value_t *out,
                    bool *found);

/* One key that changed after a pin, as history_changed gives it. */
typedef struct history_change {
    uint8_t hash[HISTORY_HASH_LEN];
    bool present; /* the item existed at the pin: item holds it */
    value_t item;
} history_change_t;

/* The keys of table_id that changed after pin, in hash order, starting
 * after `after` (NULL: from the first): at most max calls of fn, each with
 * the key's state at the pin (decoded into a). *more is true when keys
 * remain; *last is the hash of the last key handed over. fn returns 0 to
 * go on, or an error that stops the walk. */
int history_changed(store_txn_t *txn, arena_t *a, uint32_t table_id, const uint8_t *after, const history_pin_t *pin,
                    size_t max, int (*fn)(void *ud, const history_change_t *c), void *ud,
                    uint8_t last[HISTORY_HASH_LEN], bool *more);

/* One key an incremental export reports: the item as it was at the
 * window's start and at its end (either may be absent, not both), and
 * when it last changed in the window. */
typedef struct history_delta {
    key_buf_t key;
    bool old_present, new_present;
    value_t old_item, new_item; /* decoded into the caller's arena */
    int64_t last_ms;
} history_delta_t;

/* The keys of t changed after pin from and not after pin to (the window),
 * in hash order, starting after `after` (NULL: from the first), at most
 * max groups looked at; fn gets each one that changed in the window and
 * existed at one of its ends. *more and last as history_changed's. An
 * entry of a write that created an item holds the item key (no image
 * does), so every key can be rebuilt. */
int history_window(store_txn_t *txn, arena_t *a, const table_t *t, const uint8_t *after, const history_pin_t *from,
                   const history_pin_t *to, size_t max, int (*fn)(void *ud, const history_delta_t *d), void *ud,
                   uint8_t last[HISTORY_HASH_LEN], bool *more);

/* Removes table_id's oldest entries while their time is before before_ms
 * and their sequence number at most max_seq (what no restore can need),
 * at most max of them; *removed counts them, *more says whether another
 * call would remove more. */
int history_trim(store_txn_t *txn, uint32_t table_id, int64_t before_ms, uint64_t max_seq, size_t max,
                 uint64_t *removed, bool *more);
/* Removes every entry and the header row of table_id (its table is gone,
 * or keeps no history and no pin needs it). */
int history_drop_table(store_txn_t *txn, uint32_t table_id);

/* A table with a header row. */
typedef struct history_table_ref {
    uint32_t id;
    char *ns, *name;
    bool has_entries;
    uint64_t oldest_seq; /* the oldest entry's sequence number and time */
    int64_t oldest_ms;
} history_table_ref_t;

/* The tables with a header row, malloc'ed (free with history_tables_free). */
int history_tables(store_txn_t *txn, history_table_ref_t **out, size_t *n);
void history_tables_free(history_table_ref_t *t, size_t n);

#endif
