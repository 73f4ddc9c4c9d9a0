/* snapstore.h - snapshots' storage: named copies of key ranges of the
 * other databases, kept in STORE_DB_SNAPSHOTS of the same environment.
 *
 *   'D' . name                     -> snapshot id (u32 BE) . JSON (what the
 *                                     caller describes it with, plus "dbs":
 *                                     the database names by number)
 *   'R' . id (u32 BE) . db (u8) . n (u64 BE) -> key length (u16 BE) . key . value
 *
 * A row is one key/value of database `db`, copied in key order (n counts
 * up), so a restore reads each database's rows back in key order and can
 * append them (store_append). Keys of the copied databases may be as long
 * as LMDB allows, so they travel in the row's value, not its key. Ids
 * come from a counter in STORE_DB_META that only grows: a new snapshot's
 * rows sort after every row stored, and are appended too.
 *
 * Why copies inside the environment (and not an mdb_env_copy file that a
 * restore swaps in): a save and a restore are each one write transaction,
 * atomic, durable with the same single fsync as any write, taken while
 * clients stay connected (readers keep their snapshot, the writer thread
 * orders the step among the writes), and work the same with --in-memory.
 * Swapping files would mean closing the environment under live readers.
 * The price is that a snapshot costs the space of the data it copies.
 *
 * The database numbers of this build are mapped through the names stored
 * with each snapshot, so a build that adds databases still reads old
 * snapshots. Functions run in a write transaction unless they say read. */
#ifndef DDBD_SNAPSTORE_H
#define DDBD_SNAPSTORE_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "storage/store.h"

/* A snapshot being written. */
typedef struct snapstore_writer {
    store_txn_t *txn;
    uint32_t id;
    uint64_t n; /* rows so far */
    uint64_t bytes; /* their keys and values */
    int last_db; /* rows come in database order: appended while they do */
    buf_t row; /* scratch */
} snapstore_writer_t;

/* Starts a new snapshot (its id); nothing is named until snapstore_finish. */
int snapstore_begin(store_txn_t *txn, snapstore_writer_t *w);
/* Copies every key of db starting with prefix (all of db when empty);
 * exact: only the key equal to prefix. */
int snapstore_copy(snapstore_writer_t *w, store_db_t db, str_t prefix, bool exact);
/* One row given by the caller (a key/value of db it built itself). Rows of
 * one database must come in key order if it is to be restored by append. */
int snapstore_add(snapstore_writer_t *w, store_db_t db, str_t key, str_t val);
/* Names the snapshot: desc (borrowed) is stored with "dbs" added. The name
 * must be free (snapstore_find). */
int snapstore_finish(snapstore_writer_t *w, const char *name, json_t *desc);
/* Frees the writer's scratch (after finish, or instead of it on failure:
 * the transaction is then aborted, which drops the rows). */
void snapstore_writer_free(snapstore_writer_t *w);

/* The snapshot named name (any txn): its id and description (a new
 * reference), or STORE_NOTFOUND. */
int snapstore_find(store_txn_t *txn, const char *name, uint32_t *id, json_t **desc);
/* Calls fn for each snapshot in name order (any txn); desc is borrowed. */
int snapstore_each(store_txn_t *txn, int (*fn)(void *ud, const char *name, uint32_t id, json_t *desc), void *ud);
/* Deletes the snapshot's rows and name. */
int snapstore_delete(store_txn_t *txn, const char *name, uint32_t id);

/* Calls fn for each row of snapshot id holding a key of db (this build's
 * number; desc maps it), in key order (any txn). key and val are valid
 * during the call. fn returns non-zero to stop (that value is returned). */
typedef int (*snapstore_row_fn)(void *ud, str_t key, str_t val);
int snapstore_rows(store_txn_t *txn, uint32_t id, const json_t *desc, store_db_t db, snapstore_row_fn fn, void *ud);

/* Puts every row of db back into db: appended when db is empty (the
 * caller cleared it), put otherwise. */
int snapstore_restore_db(store_txn_t *txn, uint32_t id, const json_t *desc, store_db_t db, bool append);

#endif
