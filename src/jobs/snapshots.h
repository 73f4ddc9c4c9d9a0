/* snapshots.h - reset, snapshots and restores of the whole store or of one
 * namespace, each one write transaction (the caller's: a writer job on a
 * running ddbd, a plain transaction on a stopped data dir).
 *
 * What a namespace's data is: its catalog entries and ClientRequestTokens
 * (keys prefixed "ns\0"), every row of its tables (items, index entries,
 * statistics, TTL entries: keys prefixed by the table id), its streams
 * (the description of every stream whose "ns" is it, deleted tables'
 * included, their ARN entries and records), and the positions of the
 * triggers that follow it. The whole store is every namespace at once.
 * STORE_DB_META (the counters of table ids, stream ids, sequence numbers
 * and snapshot ids) is never reset or restored: counters only grow, so a
 * table, stream or stream record made after a restore never reuses a
 * number handed out before it (a consumer that deduplicates by sequence
 * number sees every new record as new).
 *
 * Triggers are configuration: a reset or restore keeps every trigger that
 * exists now, with its current settings, and only moves its position
 * (StreamArn, Checkpoint): a reset sends it back to waiting for its table;
 * a restore gives it the position it had in the snapshot, or (a trigger
 * made after the snapshot) none, so it starts on the restored stream as
 * its StartingPosition says. The running engine must be held around the
 * step (trigger_hold / trigger_release). */
#ifndef DDBD_SNAPSHOTS_H
#define DDBD_SNAPSHOTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/store.h"

#define SNAPSHOTS_NAME_MAX 255
#define SNAPSHOTS_NOT_FOUND 2 /* no snapshot of that name */
#define SNAPSHOTS_EXISTS 3 /* the name is taken (and replace is false) */

/* What a step covered. */
typedef struct snapshots_counts {
    uint64_t tables, items, streams, rows;
} snapshots_counts_t;

/* A snapshot's name: 1-255 of [A-Za-z0-9._-] (it is a URL path segment
 * and a command-line word). */
bool snapshots_name_ok(const char *name);

/* Empties ns (NULL: every namespace): tables, items, indexes, streams,
 * TTL entries, tokens; triggers wait for their tables again. */
int snapshots_reset(store_txn_t *txn, const char *ns, snapshots_counts_t *out);
/* Saves ns (NULL: everything) as name; SNAPSHOTS_EXISTS unless replace. */
int snapshots_save(store_txn_t *txn, const char *name, const char *ns, bool replace, int64_t now_ms,
                   snapshots_counts_t *out);
/* Replaces what snapshot name covers (its namespace, or everything) by it. */
int snapshots_restore(store_txn_t *txn, const char *name, snapshots_counts_t *out);
int snapshots_delete(store_txn_t *txn, const char *name);

/* {"Name","CreatedAt" (ISO-8601),"CreatedMs","Namespace" (null: all),
 * "Tables","Items","Streams"} of one snapshot (NULL: STORE_NOTFOUND or
 * SNAPSHOTS_NOT_FOUND) or {"Snapshots":[...]} of all: a new reference
 * (any txn). */
int snapshots_describe(store_txn_t *txn, const char *name, json_t **out);

/* The configuration check a unit test runs: every database has a scope
 * rule (a database added without one would be left out of snapshots). */
bool snapshots_rules_complete(void);

#endif
