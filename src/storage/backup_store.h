/* backup_store.h - backups and the work list of copies and restores.
 *
 * A backup is a record (what DescribeBackup shows, and the table's
 * description as it was) plus its own copy of the items, both in this
 * environment, so backups survive restarts and outlive their tables.
 *
 * Keys (store.h's databases):
 *   STORE_DB_BACKUPS      'B' . ns \0 backup id -> backup record (JSON, below)
 *                         'J' . kind . ns \0 name -> job (JSON, below)
 *   STORE_DB_BACKUP_ITEMS data id (u32 BE) . item key after its table id
 *                           -> item (value.h encoding)
 *   STORE_DB_META         "backup_next_data" -> next data id (u32, little-endian)
 * A backup id is "<14-digit creation ms>-<8 hex>", as in AWS's ARNs
 * (arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>), so the
 * records of a namespace are in creation order; system backups end in
 * "-00000000", as AWS's do. An item key keeps its length when its 4-byte
 * table id becomes a 4-byte data id, so every key fits LMDB's limit.
 *
 * The backup record: {"arn", "name", "type" (USER|SYSTEM), "status"
 * (CREATING|AVAILABLE), "created" (epoch s), "expiry" (SYSTEM only), "size",
 * "items", "data" (data id), "table" {"name", "id", "arn", "created", "size",
 * "items"}, "desc" (the table's catalog JSON at the backup), "restores"
 * (restores reading it now)}.
 *
 * Jobs are the long copies, run in small chunks by jobs/backup_jobs.c
 * between requests; each chunk commits its progress in the job row, so a
 * restart resumes where it stopped. Kinds: BACKUP_JOB_COPY (name: a backup
 * id; fills the backup) and BACKUP_JOB_RESTORE (name: the table being
 * restored). The job JSON: {"src": {"from": "table"|"backup", "id" (table id
 * or data id), "seq", "time" (the pin, history.h), "drop" (remove the
 * source items as they are copied: a deleted table's)}, "pos" {"phase",
 * "at" (hex)}, "copied", "bytes", plus the kind's own members}. */
#ifndef DDBD_BACKUP_STORE_H
#define DDBD_BACKUP_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"
#include "model/keys.h"
#include "model/value.h"
#include "storage/store.h"

#define BACKUP_ID_LEN 23 /* 14 digits, '-', 8 hex */
#define BACKUP_SYSTEM_SUFFIX "00000000"
#define BACKUP_SYSTEM_NAME_SUFFIX "$DeletedTableBackup"
#define BACKUP_SYSTEM_RETENTION_MS (35ll * 24 * 3600 * 1000)

#define BACKUP_JOB_COPY 'b'
#define BACKUP_JOB_RESTORE 'r'
#define BACKUP_JOB_EXPORT 'e' /* jobs/export_jobs.h */
#define BACKUP_JOB_IMPORT 'i' /* jobs/import_jobs.h: imports and bulk puts */

/* A new backup id for a backup created at now_ms (system: the fixed
 * suffix); out holds BACKUP_ID_LEN + 1 bytes. */
void backup_new_id(int64_t now_ms, bool system, char *out);
/* The id in a backup ARN (the part after "/backup/"), or an empty str_t
 * when arn is not one. */
str_t backup_id_of_arn(str_t arn);

/* ---- records ---- */

/* *out a new reference, or NULL when absent. */
int backup_get(store_txn_t *txn, const char *ns, str_t id, json_t **out);
int backup_put(store_txn_t *txn, const char *ns, str_t id, const json_t *rec);
/* Removes the record and the backup's items. */
int backup_delete(store_txn_t *txn, const char *ns, str_t id);
/* Calls fn with each record of ns whose id is after `after` (empty: from
 * the first), in id (creation) order, until fn returns non-zero. rec is
 * borrowed for the call. */
int backup_each(store_txn_t *txn, const char *ns, str_t after, int (*fn)(void *ud, str_t id, json_t *rec), void *ud);
/* Calls fn with every record of every namespace (the expiry of system
 * backups), until fn returns non-zero. */
int backup_each_all(store_txn_t *txn, int (*fn)(void *ud, const char *ns, str_t id, json_t *rec), void *ud);

/* ---- other records, kept beside the backups in the same shape: exports,
 * imports and bulk operations (ops/export.c, ops/import.c, ops/bulk.c say
 * what their JSON holds). Keys: kind . ns \0 id. ---- */
#define BACKUP_REC_BACKUP 'B'
#define BACKUP_REC_EXPORT 'E'
#define BACKUP_REC_IMPORT 'I'
#define BACKUP_REC_BULK 'K'

int backup_rec_get(store_txn_t *txn, char kind, const char *ns, str_t id, json_t **out);
int backup_rec_put(store_txn_t *txn, char kind, const char *ns, str_t id, const json_t *rec);
int backup_rec_delete(store_txn_t *txn, char kind, const char *ns, str_t id);
int backup_rec_each(store_txn_t *txn, char kind, const char *ns, str_t after,
                    int (*fn)(void *ud, str_t id, json_t *rec), void *ud);
/* Every record of kind in every namespace, until fn returns non-zero. */
int backup_rec_each_all(store_txn_t *txn, char kind, int (*fn)(void *ud, const char *ns, str_t id, json_t *rec),
                        void *ud);

/* ---- items ---- */

int backup_next_data_id(store_txn_t *txn, uint32_t *out);
/* Stores item under key (an item key: its table id is replaced by
 * data_id). *grew says by how many bytes and items the backup grew (an
 * item stored twice counts once). */
int backup_item_put(store_txn_t *txn, uint32_t data_id, const key_buf_t *key, const value_t *item, int64_t *bytes,
                    int64_t *items);
int backup_drop_data(store_txn_t *txn, uint32_t data_id);

/* ---- jobs ---- */

int backup_job_put(store_txn_t *txn, char kind, const char *ns, str_t name, const json_t *job);
int backup_job_get(store_txn_t *txn, char kind, const char *ns, str_t name, json_t **out);
int backup_job_delete(store_txn_t *txn, char kind, const char *ns, str_t name);
/* The first job (any kind, any namespace): *found, its kind, ns and name
 * (malloc'ed; free them) and JSON (a new reference). */
typedef struct backup_job_ref {
    char kind;
    char *ns, *name;
    json_t *job;
} backup_job_ref_t;
int backup_job_first(store_txn_t *txn, backup_job_ref_t *out, bool *found);
/* Calls fn with every job until it returns non-zero (the trimmer's pins). */
int backup_job_each(store_txn_t *txn, int (*fn)(void *ud, const backup_job_ref_t *j), void *ud);
void backup_job_ref_free(backup_job_ref_t *j);

#endif
