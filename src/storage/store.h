/* store.h - the LMDB environment: named databases, transactions, cursors.
 *
 * The only module that includes lmdb.h. A thin, uniform layer: every call
 * returns 0, STORE_NOTFOUND, or a negative error; results come back through
 * out-parameters. Bytes returned by get/cursor calls point into the map and
 * stay valid until the transaction ends or (in a write transaction) until
 * the next write in it.
 *
 * Threads: read transactions are made on the loop thread; the one write
 * transaction at a time belongs to the writer thread (writer.c). */
#ifndef DDBD_STORE_H
#define DDBD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define STORE_NOTFOUND 1
#define STORE_ERR_MAP_FULL (-2)
#define STORE_ERR_KEY (-3) /* key too long or empty */
#define STORE_ERR_IO (-4) /* anything else LMDB reports */
#define STORE_ERR_NOSPACE (-5) /* the disk is full (ENOSPC, EDQUOT) */
#define STORE_ERR_CORRUPTED (-6) /* the data file's pages make no sense */
#define STORE_ERR_PANIC (-7) /* an earlier fatal write error: LMDB refuses everything until restart */

typedef enum store_db {
    STORE_DB_META, /* "meta": counters (next table id), format version */
    STORE_DB_CATALOG, /* namespace \0 table name -> table description (JSON) */
    STORE_DB_ITEMS, /* keys.h encoding -> value.h encoding of the item */
    STORE_DB_STATS, /* table id -> item count and bytes */
    STORE_DB_TOKENS, /* namespace \0 ClientRequestToken -> completion time
                       * (u64 epoch ms, little-endian), 16-byte XXH3-128 of
                       * the request's parameters, response body */
    STORE_DB_STREAMS, /* stream records (stream.h) */
    STORE_DB_STREAM_META, /* stream descriptions and ARNs (stream.h) */
    STORE_DB_TTL, /* TTL expiry index (ttl.h) */
    STORE_DB_INDEX, /* index.h encoding -> projected item (value.h encoding) */
    STORE_DB_TRIGGERS, /* trigger UUID -> {"Config":{...},"Origin","StreamArn","Checkpoint"} (trigger.c) */
    STORE_DB_SNAPSHOTS, /* named copies of the other databases (snapstore.h) */
    STORE_DB_HISTORY, /* item history for backups and PITR (history.h) */
    STORE_DB_HISTORY_LOG, /* the history in commit order, for trimming (history.h) */
    STORE_DB_BACKUPS, /* backup records and the work list of copies and restores (backup_store.h) */
    STORE_DB_BACKUP_ITEMS, /* the items of backups (backup_store.h) */
    STORE_DB_COUNT_
} store_db_t;

typedef struct store store_t;
typedef struct store_txn store_txn_t;
typedef struct store_cursor store_cursor_t;

/* Who else may use the data directory at the same time (an advisory
 * flock on data.mdb, which LMDB itself does not lock): a server or a
 * command that only reads (ddbd dump) takes it shared, a command that
 * changes a stopped data dir (ddbd snapshot, load, ...) exclusive, so
 * neither runs under the other. A server (STORE_LOCK_SERVER) also holds
 * an exclusive flock on the directory itself: one ddbd server per data
 * directory. Both locks go when the process ends, however it ends. */
typedef enum store_lock { STORE_LOCK_NONE, STORE_LOCK_SHARED, STORE_LOCK_EXCLUSIVE, STORE_LOCK_SERVER } store_lock_t;

typedef struct store_opts {
    const char *dir; /* created if missing */
    size_t map_size; /* bytes of address space to reserve (sparse) */
    bool no_sync; /* skip fsync at commit: process-crash safe only */
    store_lock_t lock;
    /* When a write finds the map full, the map grows (doubling) up to
     * this many bytes before the next write transaction; 0: no limit.
     * Past it, writes fail with STORE_ERR_MAP_FULL and reads go on. */
    size_t max_size;
} store_opts_t;

/* The data format this ddbd writes (STORE_DB_META "format"); a data
 * directory of a higher one is refused at open, not misread. */
#define STORE_FORMAT_VERSION 1

#define STORE_ERR_LOCKED (-8) /* store_open: the lock is held by another process */

/* On failure returns a negative error and writes a reason to why: a
 * directory that cannot be created or written, one another process has
 * locked (see store_lock_t), a data file
 * that LMDB refuses, that is shorter than its pages say, or that a newer
 * ddbd wrote. */
int store_open(const store_opts_t *o, store_t **out, char *why, size_t why_len);
/* The map's size now (it grows when writes fill it). */
size_t store_map_size(const store_t *s);
void store_close(store_t *s);

/* Read transactions are recycled: begin/end are cheap. */
int store_read_begin(store_t *s, store_txn_t **out);
void store_read_end(store_txn_t *t);

int store_write_begin(store_t *s, store_txn_t **out);
int store_write_commit(store_txn_t *t); /* the txn is gone either way */
void store_write_abort(store_txn_t *t);

/* Durability. A durable store (no no_sync) flushes a commit's pages at
 * commit but not its meta page (MDB_NOMETASYNC: integrity is kept, and a
 * crash can only undo commits after the last flush): a commit is on disk
 * once store_sync, or the next commit, has returned after it. The writer
 * (writer.c) answers no write before that. */
bool store_needs_sync(const store_t *s); /* false with no_sync */
int store_sync(store_t *s); /* flushes everything committed; any thread */
uint64_t store_last_txnid(store_t *s); /* the id of the last committed write transaction */
/* A transaction inside a write transaction: what it writes joins the
 * parent's at commit, or vanishes at abort, leaving the parent as it was
 * (a writer item that must refuse after writing, e.g. a reset whose
 * re-seeding fails). The parent must not be used until the child ends.
 * The child is freed either way. */
int store_nested_begin(store_txn_t *parent, store_txn_t **out);
int store_nested_commit(store_txn_t *child);
void store_nested_abort(store_txn_t *child);

int store_get(store_txn_t *t, store_db_t db, str_t key, str_t *val);
int store_put(store_txn_t *t, store_db_t db, str_t key, str_t val);
int store_del(store_txn_t *t, store_db_t db, str_t key);
/* Deletes every key that starts with prefix; *deleted counts them. */
int store_del_prefix(store_txn_t *t, store_db_t db, str_t prefix, uint64_t *deleted);
/* store_del_prefix for long ranges: one cursor walks the range once
 * (LMDB leaves a cursor on the next key after a delete). */
int store_del_range(store_txn_t *t, store_db_t db, str_t prefix, uint64_t *deleted);
/* Empties a whole database (its pages are freed, not visited key by key). */
int store_clear(store_txn_t *t, store_db_t db);
/* store_put for a key greater than every key in db (a copy in key order):
 * LMDB fills pages to the brim and skips the search. A key out of order
 * is STORE_ERR_IO. */
int store_append(store_txn_t *t, store_db_t db, str_t key, str_t val);
/* The databases' names ("items"), stable across versions, for data that
 * outlives one build (snapshots); store_db_by_name: -1 when unknown. */
const char *store_db_name(store_db_t db);
int store_db_by_name(str_t name, store_db_t *out);

/* Cursors: positioned with seek/last; each call returns 0 with the
 * current key/value, STORE_NOTFOUND past either end, or an error. */
int store_cursor_open(store_txn_t *t, store_db_t db, store_cursor_t **out);
void store_cursor_close(store_cursor_t *c);
int store_cursor_seek(store_cursor_t *c, str_t key, str_t *k, str_t *v); /* first >= key */
int store_cursor_seek_before(store_cursor_t *c, str_t key, str_t *k, str_t *v); /* last < key */
int store_cursor_next(store_cursor_t *c, str_t *k, str_t *v);
int store_cursor_prev(store_cursor_t *c, str_t *k, str_t *v);

const char *store_strerror(int rc);

#endif
