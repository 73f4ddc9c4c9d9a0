/* ops.h - the operation handlers, one family per file. Private to src/. */
#ifndef DDBD_OPS_H
#define DDBD_OPS_H

#include "expr/expr.h"
#include "storage/itemstore.h"
#include "ops/request.h"

/* ops/table.c */
req_result_t op_create_table(ddb_req_t *r);
req_result_t op_describe_table(ddb_req_t *r);
req_result_t op_list_tables(ddb_req_t *r);
req_result_t op_delete_table(ddb_req_t *r);
req_result_t op_update_table(ddb_req_t *r);

/* ops/table.c: CreateTable's checks of r's body (TableName, KeySchema,
 * AttributeDefinitions, BillingMode, indexes, ...) and the new table's
 * description from it (without ddbd_id); ImportTable runs them on its
 * TableCreationParameters. */
int ops_create_table_desc(ddb_req_t *r, str_t *name, json_t **desc);

/* ops/item.c */
req_result_t op_put_item(ddb_req_t *r);
req_result_t op_get_item(ddb_req_t *r);
req_result_t op_delete_item(ddb_req_t *r);
req_result_t op_update_item(ddb_req_t *r);

/* ops/query.c */
req_result_t op_query(ddb_req_t *r);
req_result_t op_scan(ddb_req_t *r);

/* ops/batch.c */
req_result_t op_batch_get_item(ddb_req_t *r);
req_result_t op_batch_write_item(ddb_req_t *r);

/* ops/transact.c */
req_result_t op_transact_get_items(ddb_req_t *r);
req_result_t op_transact_write_items(ddb_req_t *r);

/* ops/partiql.c, partiql_batch.c, partiql_txn.c */
req_result_t op_execute_statement(ddb_req_t *r);
req_result_t op_batch_execute_statement(ddb_req_t *r);
req_result_t op_execute_transaction(ddb_req_t *r);

/* ops/index_updates.c: UpdateTable's GlobalSecondaryIndexUpdates applied
 * to desc (the table's new description) in txn. */
int ops_index_updates(ddb_req_t *r, store_txn_t *txn, const table_t *t, json_t *desc);
/* The rules of one index definition (name, key schema, an LSI's keys,
 * projection) and of a table's index names, with DynamoDB's messages:
 * shared by CreateTable and GlobalSecondaryIndexUpdates' Create. */
int ops_check_index_definition(ddb_req_t *r, const json_t *ix, bool local, const json_t *table_ks,
                               const json_t *defs);
/* A key schema's rules (one name twice, HASH then RANGE), and that each of
 * its attributes is defined, with AWS's messages. */
int ops_check_key_schema(ddb_req_t *r, const json_t *ks);
int ops_check_keys_defined(ddb_req_t *r, const json_t *ks, const json_t *defs);
int ops_check_index_names(ddb_req_t *r, const json_t *gsis, const json_t *lsis);
/* A Projection's rules (an index's or a vector index's). */
int ops_check_projection(ddb_req_t *r, const json_t *proj);

/* ops/vector_indexes.c: CreateTable's VectorIndexes (names of the search
 * schema attributes added to used), UpdateTable's VectorIndexUpdates
 * applied to desc, DescribeTable's VectorIndexes. */
int ops_check_vector_indexes(ddb_req_t *r, const json_t *list, const json_t *defs, bool on_demand, const json_t *gsis,
                             const json_t *lsis, json_t *used);
int ops_vector_index_updates(ddb_req_t *r, store_txn_t *txn, const table_t *t, json_t *desc);
int ops_describe_vector_indexes(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t);

/* ops/search_vectors.c */
req_result_t op_search_vectors(ddb_req_t *r);

/* ops/control.c */
req_result_t op_tag_resource(ddb_req_t *r);
req_result_t op_untag_resource(ddb_req_t *r);
req_result_t op_list_tags_of_resource(ddb_req_t *r);
req_result_t op_update_time_to_live(ddb_req_t *r);
req_result_t op_describe_time_to_live(ddb_req_t *r);
req_result_t op_describe_limits(ddb_req_t *r);
req_result_t op_describe_endpoints(ddb_req_t *r);
/* Tags (TagResource's and CreateTable's): constraint checks, and adding
 * them to a table description's "Tags" (a key already there gets the new
 * value; more than 50 is an error). */
int ops_check_tags(ddb_req_t *r, const json_t *tags);
int ops_add_tags(ddb_req_t *r, json_t *desc, const json_t *tags);

/* ops/backup.c */
req_result_t op_create_backup(ddb_req_t *r);
req_result_t op_describe_backup(ddb_req_t *r);
req_result_t op_list_backups(ddb_req_t *r);
req_result_t op_delete_backup(ddb_req_t *r);
req_result_t op_restore_table_from_backup(ddb_req_t *r);

/* ops/pitr.c */
req_result_t op_update_continuous_backups(ddb_req_t *r);
req_result_t op_describe_continuous_backups(ddb_req_t *r);
req_result_t op_restore_table_to_point_in_time(ddb_req_t *r);

/* ops/export.c, ops/import.c, ops/bulk.c (the --s3-dir transfers) */
req_result_t op_export_table_to_point_in_time(ddb_req_t *r);
req_result_t op_describe_export(ddb_req_t *r);
req_result_t op_list_exports(ddb_req_t *r);
req_result_t op_import_table(ddb_req_t *r);
req_result_t op_describe_import(ddb_req_t *r);
req_result_t op_list_imports(ddb_req_t *r);
req_result_t op_start_bulk_put_items(ddb_req_t *r);
req_result_t op_describe_bulk_operation(ddb_req_t *r);
req_result_t op_list_bulk_operations(ddb_req_t *r);
req_result_t op_cancel_bulk_operation(ddb_req_t *r);

/* ops/backup_record.c: DeleteTable's apply, before anything is written: refuses a table being
 * restored or read by a backup copy or a restore (ResourceInUseException);
 * with point-in-time recovery on, records the system backup that takes
 * the items over (*keep_items: detach them, do not drop them). */
int ops_backup_table_deleting(ddb_req_t *r, store_txn_t *txn, const table_t *t, bool *keep_items);

/* ops/backup_record.c: DescribeTable's RestoreSummary (when t was restored). */
void ops_restore_describe(buf_t *b, const table_t *t);

/* ops/table.c: "<wrapper>":{TableDescription} of t with TableStatus status. */
int ops_table_description(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t, const char *wrapper,
                          const char *status);

/* ops/policy.c: resource-based policies (stored, not enforced) */
req_result_t op_put_resource_policy(ddb_req_t *r);
req_result_t op_get_resource_policy(ddb_req_t *r);
req_result_t op_delete_resource_policy(ddb_req_t *r);
/* A policy document checked (DynamoDB's messages) into the forms
 * GetResourcePolicy shows and a re-Put is compared by (malloc'd); and the
 * stored policy object for them, with a new RevisionId. */
int ops_policy_check(ddb_req_t *r, str_t text, char **get_form, char **compare_form);
json_t *ops_policy_new(const char *get_form, const char *compare_form);

/* ops/insights.c: Contributor Insights settings (status only) */
req_result_t op_update_contributor_insights(ddb_req_t *r);
req_result_t op_describe_contributor_insights(ddb_req_t *r);
req_result_t op_list_contributor_insights(ddb_req_t *r);

/* ops/kinesis.c: Kinesis streaming destinations (stored, not delivered) */
req_result_t op_enable_kinesis_streaming_destination(ddb_req_t *r);
req_result_t op_disable_kinesis_streaming_destination(ddb_req_t *r);
req_result_t op_update_kinesis_streaming_destination(ddb_req_t *r);
req_result_t op_describe_kinesis_streaming_destination(ddb_req_t *r);

/* ops/global_tables.c: the legacy 2017.11.29 API, replica auto scaling */
req_result_t op_create_global_table(ddb_req_t *r);
req_result_t op_describe_global_table(ddb_req_t *r);
req_result_t op_update_global_table(ddb_req_t *r);
req_result_t op_list_global_tables(ddb_req_t *r);
req_result_t op_describe_global_table_settings(ddb_req_t *r);
req_result_t op_update_global_table_settings(ddb_req_t *r);
req_result_t op_describe_table_replica_auto_scaling(ddb_req_t *r);
req_result_t op_update_table_replica_auto_scaling(ddb_req_t *r);

/* What an UpdateTable changed that its answer shows in passing: SSE being
 * updated (the key before), OnDemandThroughput as sent, warm throughput
 * being raised, a replica created or deleted. ops_answer_free releases. */
typedef struct ops_answer {
    bool sse_updating;
    json_t *sse_before;
    json_t *odt_echo;
    bool warm_updating;
    const char *replica_new;
    json_t *replica_gone;
} ops_answer_t;
void ops_answer_free(ops_answer_t *a);

/* ops/table_settings.c: SSE, on-demand and warm throughput, settings
 * replication mode, disassociation protection. */
/* CreateTable: checks the request's settings (and ResourcePolicy) and
 * records them in desc, the new table's description. */
int ops_settings_create(ddb_req_t *r, json_t *desc);
/* UpdateTable, loop thread: that something changes, and what must change
 * alone (AWS's messages). */
int ops_settings_check_update(ddb_req_t *r);
/* UpdateTable, writer: applies the settings to desc (t's new description,
 * billing and capacity already changed). */
int ops_settings_update(ddb_req_t *r, const table_t *t, json_t *desc, ops_answer_t *a);
/* DescribeTable's members for them (a: what an UpdateTable's answer shows,
 * or NULL); and a GSI's OnDemandThroughput and WarmThroughput. */
void ops_settings_describe(buf_t *b, const table_t *t, const char *status, const ops_answer_t *a);
void ops_settings_describe_index(buf_t *b, const table_t *t, const json_t *ix, const char *index_status);
/* GlobalSecondaryIndexUpdates' Update with OnDemandThroughput or
 * WarmThroughput, applied to ix (the index's definition in the new desc). */
int ops_settings_index_update(ddb_req_t *r, const table_t *t, json_t *ix, const json_t *up);

/* ops/replicas.c: global tables version 2019.11.21 */
/* UpdateTable's ReplicaUpdates (and MultiRegionConsistency,
 * GlobalTableWitnessUpdates) applied to desc, t's new description. */
int ops_replica_updates(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, json_t *desc,
                        ops_answer_t *a);
/* DeleteTable of a replica: the caller's region leaves the group (*left),
 * the table stays for the others. *left false: not a global table. */
int ops_replica_leave(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, bool *left);
/* DescribeTable's GlobalTableVersion, Replicas, ... while t has replicas. */
void ops_replicas_describe(ddb_req_t *r, buf_t *b, const table_t *t, const ops_answer_t *a);
bool ops_is_global(const table_t *t);

/* ops/streams.c (DynamoDBStreams_20120810) */
req_result_t op_list_streams(ddb_req_t *r);
req_result_t op_describe_stream(ddb_req_t *r);
req_result_t op_get_shard_iterator(ddb_req_t *r);
req_result_t op_get_records(ddb_req_t *r);

/* ---- shared by the handlers (ops/common.c) ---- */

/* A request's expressions, parsed on the loop thread. */
typedef struct ops_exprs {
    expr_ctx_t ctx;
    expr_node_t *condition; /* ConditionExpression (or NULL) */
    expr_node_t *filter; /* FilterExpression */
    expr_node_t *key_condition; /* KeyConditionExpression */
    expr_node_t *search_condition; /* SearchConditionExpression (SearchVectors) */
    expr_update_t *update; /* UpdateExpression */
    expr_projection_t projection; /* ProjectionExpression (n == 0: none) */
} ops_exprs_t;

/* Which of the expression members a handler accepts. */
enum {
    OPS_CONDITION = 1,
    OPS_FILTER = 2,
    OPS_KEY_CONDITION = 4,
    OPS_UPDATE = 8,
    OPS_PROJECTION = 16,
    OPS_SEARCH_CONDITION = 32,
};

/* Parses ExpressionAttributeNames/Values and the accepted expressions,
 * then rejects unused placeholders, as DynamoDB does. */
int ops_parse_exprs(ddb_req_t *r, unsigned which, ops_exprs_t *x);

/* The Key parameter as a value map (not yet checked against a schema). */
int ops_key_param(ddb_req_t *r, const char *member, value_t *out);

/* ReturnConsumedCapacity: NONE (0), TOTAL, INDEXES. */
int ops_return_capacity(ddb_req_t *r, int *out);
/* Appends "ConsumedCapacity":{...} when asked for. */
void ops_write_capacity(ddb_req_t *r, int mode, const char *table, double units);

/* The capacity one operation consumed on one table: the table's own units
 * and each index's. INDEXES mode reports them apart, TOTAL their sum. */
typedef struct ops_capacity {
    const char *table; /* the table's name (owned by its table_t) */
    double table_units;
    itemstore_effect_t ix; /* per index (write_units holds read units for reads) */
} ops_capacity_t;

void ops_capacity_init(ops_capacity_t *c, const char *table);
void ops_capacity_add_index(ops_capacity_t *c, const char *name, bool local, double units);
/* Adds the index writes an itemstore call reported (double in a
 * transaction). */
void ops_capacity_add_effect(ops_capacity_t *c, const itemstore_effect_t *e, bool transactional);
/* The ConsumedCapacity object for mode (TOTAL 1, INDEXES 2). */
void ops_capacity_json(buf_t *out, int mode, const ops_capacity_t *c);
/* Appends "ConsumedCapacity":{...} when mode asks for it. */
void ops_capacity_reply(ddb_req_t *r, int mode, const ops_capacity_t *c);
/* The entry for table in a per-table list (BatchGetItem, BatchWriteItem,
 * transactions), added when missing; list has room for n_max. */
ops_capacity_t *ops_capacity_of(ops_capacity_t *list, size_t *n, const char *table);

/* ReturnItemCollectionMetrics: NONE (0) or SIZE (1). */
int ops_return_metrics(ddb_req_t *r, int *out);
/* {"ItemCollectionKey":{...},"SizeEstimateRangeGB":[lo,hi]} for item's
 * collection (t has LSIs), as it stands in txn. */
int ops_collection_metrics_json(buf_t *out, store_txn_t *txn, const table_t *t, const value_t *item);

/* Capacity units DynamoDB charges for an item of `bytes`: reads in 4 KB
 * steps (halved when eventually consistent), writes in 1 KB steps. */
double ops_read_units(size_t bytes, bool consistent);
double ops_write_units(size_t bytes);

/* "ItemCollectionMetrics":{table:[one per item written]} for the tables
 * with LSIs among n writes (items[i] NULL: the i-th wrote nothing), each
 * collection's size as it stands in txn. */
int ops_collection_metrics_map(ddb_req_t *r, store_txn_t *txn, size_t n, const table_t *const *tables,
                               const value_t *const *items);

/* Runs ops_parse_exprs with r's parameters read from obj, a member of the
 * request such as one table's entry in BatchGetItem's RequestItems. */
int ops_parse_exprs_of(ddb_req_t *r, const json_t *obj, unsigned which, ops_exprs_t *x);

/* Item (or Key) under obj[member] as a value map. */
int ops_item_of(ddb_req_t *r, const json_t *obj, const char *member, value_t *out);

/* The element of a JSON list of objects whose string member equals value
 * (an index by IndexName, an attribute definition by AttributeName), or
 * NULL. */
json_t *ops_find_by(const json_t *list, const char *member, const char *value);

/* Writes the item, reduced to the projection when there is one. */
void ops_write_item(ddb_req_t *r, buf_t *out, const value_t *item, const expr_projection_t *projection);

#endif
