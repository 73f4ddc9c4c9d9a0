/* transfer_internal.h - what the S3 transfer operations share: exports
 * (ops/export.c), imports (ops/import.c) and bulk puts (ops/bulk.c). Their
 * records live beside the backups (storage/backup_store.h, kinds
 * BACKUP_REC_EXPORT, _IMPORT, _BULK), keyed by an id like a backup's,
 * "<14-digit ms>-<8 hex>", which ends their ARN:
 *   arn:aws:dynamodb:<region>:<account>:table/<table>/export/<id>
 *   ...:table/<table>/import/<id>
 *   ...:table/<table>/bulk-operation/<id>   (our choice: AWS does not say)
 * Times in records are epoch seconds (JSON reals). Private to ops/. */
#ifndef DDBD_TRANSFER_INTERNAL_H
#define DDBD_TRANSFER_INTERNAL_H

#include <jansson.h>

#include "ops/ops.h"

#define TRANSFER_TOKEN_SECONDS (8 * 3600) /* ClientToken: 8 hours, as the API reference says */

/* ValidationException unless ddbd runs with --s3-dir. */
int ops_s3_ready(ddb_req_t *r);

/* The id at the end of an ARN after "/<what>/" (STR_NULL if none). */
str_t ops_transfer_id(str_t arn, const char *what);
/* The record of kind whose ARN is arn, in r's namespace (a new reference,
 * or NULL). */
int ops_transfer_find(ddb_req_t *r, store_txn_t *txn, char kind, str_t arn, const char *what, json_t **out);
/* The record of kind started with ClientToken token in the last 8 hours
 * (a new reference, or NULL). */
int ops_transfer_by_token(ddb_req_t *r, store_txn_t *txn, char kind, str_t token, json_t **out);

/* A list page of kind's records (in id order) after NextToken (an id),
 * of those whose table ARN is table_arn (NULL: all), at most max; fn writes
 * one; "NextToken" is written when more remain. */
int ops_transfer_list(ddb_req_t *r, char kind, const char *table_arn, int64_t max, const char *list_member,
                      void (*fn)(ddb_req_t *r, buf_t *b, const json_t *rec));

/* ListExports and ListImports: TableArn? (a table's ARN), page_member?
 * (at most that many; 25 by default), NextToken?; a page of kind's
 * records under list_member, fn writing each. */
req_result_t ops_transfer_list_op(ddb_req_t *r, char kind, const char *page_member, const char *list_member,
                                  void (*fn)(ddb_req_t *r, buf_t *b, const json_t *rec));

/* JSON writers for members a record may hold: nothing when absent. */
void ops_jw_str_of(buf_t *b, const char *member, const json_t *rec, const char *key);
void ops_jw_num_of(buf_t *b, const char *member, const json_t *rec, const char *key);
void ops_jw_json_of(buf_t *b, const char *member, const json_t *rec, const char *key);

/* The request body without ClientToken: what a repeated token must match. */
json_t *ops_transfer_request(ddb_req_t *r);

#endif
