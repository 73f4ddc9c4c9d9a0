/* backup_internal.h - what ops/backup.c, ops/pitr.c and ops/restore.c
 * share. Private to ops/. */
#ifndef DDBD_BACKUP_INTERNAL_H
#define DDBD_BACKUP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/ops.h"

/* ---- backup_record.c ---- */

/* A name member (TableName-like: 3-255 characters of [a-zA-Z0-9_.-]),
 * with Coral's constraint messages under field; out is STR_NULL when
 * absent. */
int ops_name_param(ddb_req_t *r, const char *member, const char *field, bool required, str_t *out);
/* A timestamp member (epoch seconds, as the JSON protocol sends them) in
 * milliseconds; *present false when absent. */
int ops_timestamp_param(ddb_req_t *r, const char *member, int64_t *out_ms, bool *present);
/* The same for a value found elsewhere (a member of a nested object; NULL: absent). */
int ops_timestamp_value(ddb_req_t *r, const json_t *v, int64_t *out_ms, bool *present);

/* ---- restore.c: the new table of both restores ---- */

/* The overrides' shapes (loop thread, before queueing). */
int ops_restore_check_overrides(ddb_req_t *r);
/* Creates TargetTableName (CREATING) from src_desc (a table's catalog JSON)
 * with the request's overrides, records the restore job (taking job, to
 * which it adds the position) and the RestoreSummary (taking summary), and
 * answers with the TableDescription. Writer thread. */
int ops_restore_create(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const json_t *src_desc, json_t *summary,
                       json_t *job);

/* ---- backup_record.c ---- */

/* A new backup record for table t (CREATING, with its own data id) and
 * its copy job, reading t as of now (the copy's pin). system: the backup
 * DeleteTable makes, which takes the items over as it copies them. The
 * record is stored; *out (may be NULL) gets a new reference to it. */
int ops_backup_start(ddb_req_t *r, store_txn_t *txn, const table_t *t, const char *name, bool system, json_t **out);

#endif
