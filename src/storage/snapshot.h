/* snapshot.h - reading a table as it was at a pin, or a backup, in small
 * resumable chunks: what backup copies and restores are made of.
 *
 * A table source is read in two passes. The first walks the table's items
 * in key order and hands over each one's state at the pin (the item
 * itself when nothing changed it since, its before-image from the history
 * otherwise, nothing when it was created since). The second walks the keys
 * the history shows changed since the pin and hands over those that
 * existed then: the deleted ones the first pass could not see. A key can
 * come twice (in both passes), always with the same item, so a consumer
 * writes it twice to the same effect. Because the history never changes
 * the answer for a pin, the chunks can run in as many transactions as
 * needed while the table goes on changing (history.h).
 *
 * A backup source is its items (backup_store.h), which never change. */
#ifndef DDBD_SNAPSHOT_H
#define DDBD_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "model/keys.h"
#include "model/value.h"
#include "storage/history.h"
#include "storage/store.h"

typedef struct snapshot_src {
    bool from_backup; /* id is a backup's data id, not a table id */
    uint32_t id;
    history_pin_t pin; /* table sources: the moment to read */
    bool drop; /* remove each source item once handed over (a deleted table's) */
} snapshot_src_t;

/* Where a read stands: which pass, and the last key (first pass) or hash
 * (second pass) handed over. Starts zeroed. */
typedef struct snapshot_pos {
    int phase; /* 0, 1, or 2 when done */
    uint8_t at[KEY_LMDB_MAX];
    size_t at_len;
} snapshot_pos_t;

/* Receives one item as it was: key is its item key under the source's id. */
typedef int (*snapshot_fn)(void *ud, const key_buf_t *key, const value_t *item);

/* Hands the next items (at most about max) to fn, advancing pos; *done once
 * both passes are through. ks is the table's key schema (to rebuild the
 * keys of items the second pass finds). */
int snapshot_chunk(store_txn_t *txn, const snapshot_src_t *src, const key_schema_t *ks, snapshot_pos_t *pos, size_t max,
                   snapshot_fn fn, void *ud, bool *done);

/* pos as hex text for a job row, and back (0, or -1 when malformed). */
void snapshot_pos_hex(const snapshot_pos_t *pos, char *out, size_t out_len);
int snapshot_pos_parse(int phase, const char *hex, snapshot_pos_t *out);

#endif
