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

/* What tells exports, imports and bulk operations apart in what they share. */
typedef struct transfer_kind {
    char rec; /* BACKUP_REC_EXPORT, _IMPORT or _BULK */
    const char *what; /* the ARN's word before the id: "export" */
    const char *arn_member; /* the member naming one in a request: "ExportArn" */
    const char *description; /* the answer's member: "ExportDescription" */
    void (*describe)(buf_t *b, const json_t *rec); /* the description object */
    const char *list_member; /* the list's member: "ExportSummaries" */
    void (*summarize)(buf_t *b, const json_t *rec); /* one summary object */
    err_code_t not_found, conflict;
    const char *not_found_text[2]; /* AWS's message: before and after the ARN */
    const char *conflict_text[2]; /* before and after the ClientToken */
} transfer_kind_t;

/* The id at the end of an ARN after "/<what>/" (STR_NULL if none). */
str_t ops_transfer_id(str_t arn, const char *what);
/* The record the request's ARN member names (a new reference), or k's
 * not-found error. */
int ops_transfer_lookup(ddb_req_t *r, store_txn_t *txn, const transfer_kind_t *k, json_t **out);
/* Answers {"<description>": rec's description}. */
void ops_transfer_reply(ddb_req_t *r, const transfer_kind_t *k, const json_t *rec);
/* A ClientToken used in the last 8 hours (TRANSFER_TOKEN_SECONDS) makes
 * the start a repeat (*repeated): with the same request it answers the
 * earlier transfer; with another, k's conflict error. */
int ops_transfer_repeat(ddb_req_t *r, store_txn_t *txn, const transfer_kind_t *k, str_t token, const json_t *request,
                        bool *repeated);

/* A list page of k's records (in id order) after NextToken (an id), of
 * those whose table ARN is table_arn (NULL: all), at most max; "NextToken"
 * is written when more remain. */
int ops_transfer_list(ddb_req_t *r, const transfer_kind_t *k, const char *table_arn, int64_t max);

/* DescribeExport and the like: the record named by k's ARN member. */
req_result_t ops_transfer_describe_op(ddb_req_t *r, const transfer_kind_t *k);
/* ListExports and ListImports: TableArn? (a table's ARN), page_member?
 * (at most that many; 25 by default), NextToken?. */
req_result_t ops_transfer_list_op(ddb_req_t *r, const transfer_kind_t *k, const char *page_member);

/* JSON writers for members a record may hold: nothing when absent. */
void ops_jw_str_of(buf_t *b, const char *member, const json_t *rec, const char *key);
void ops_jw_num_of(buf_t *b, const char *member, const json_t *rec, const char *key);
void ops_jw_json_of(buf_t *b, const char *member, const json_t *rec, const char *key);

/* The request body without ClientToken: what a repeated token must match. */
json_t *ops_transfer_request(ddb_req_t *r);

#endif
