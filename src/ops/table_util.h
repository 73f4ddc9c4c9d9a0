/* table_util.h - what the table-settings handlers share (policy.c,
 * insights.c, kinesis.c, replicas.c, global_tables.c, table_settings.c).
 * Private to ops/. */
#ifndef DDBD_TABLE_UTIL_H
#define DDBD_TABLE_UTIL_H

#include "ops/request.h"

/* The table named by r's TableName (a name or an ARN) in txn, with
 * DynamoDB's "Requested resource not found: Table: <name> not found". */
int tu_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **out);
/* The same for a name found elsewhere. */
int tu_table_named(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, str_t name, const table_t **out);
/* Stores desc (consumed) as t's new description, in t's namespace (a
 * replica's view is split by catalog_put). */
int tu_put_desc(store_txn_t *txn, const table_t *t, json_t *desc);
/* The namespace that holds r's caller's tables in region (the same one
 * with --shared-db). Arena string. */
const char *tu_region_ns(ddb_req_t *r, const char *region);
/* The region a namespace belongs to (arena string; with --shared-db, NULL). */
const char *tu_ns_region(ddb_req_t *r, const char *ns);
/* Writes the JSON value v as a member "key":v. */
void tu_write_member(buf_t *b, const char *key, const json_t *v);
/* ddbd's clock in epoch seconds, as DynamoDB's dates are. */
double tu_now(void);

#endif
