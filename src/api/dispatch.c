/* dispatch.c - the operation table: one row per operation.
 *
 * Adding an operation is one row here and one handler in ops/. */
#include "api/dispatch.h"

#include <string.h>

#include "ops/ops.h"

static const op_def_t dynamodb_ops[] = {
    {"BatchExecuteStatement", op_batch_execute_statement, OP_READ | OP_WRITE},
    {"BatchGetItem", op_batch_get_item, OP_READ},
    {"BatchWriteItem", op_batch_write_item, OP_WRITE},
    {"CancelBulkOperation", op_cancel_bulk_operation, OP_WRITE},
    {"CreateBackup", op_create_backup, OP_WRITE},
    {"CreateGlobalTable", op_create_global_table, 0},
    {"CreateTable", op_create_table, OP_WRITE},
    {"DeleteBackup", op_delete_backup, OP_WRITE},
    {"DeleteItem", op_delete_item, OP_WRITE},
    {"DeleteResourcePolicy", op_delete_resource_policy, OP_WRITE},
    {"DeleteTable", op_delete_table, OP_WRITE},
    {"DescribeBackup", op_describe_backup, OP_READ},
    {"DescribeBulkOperation", op_describe_bulk_operation, OP_READ},
    {"DescribeContinuousBackups", op_describe_continuous_backups, OP_READ},
    {"DescribeContributorInsights", op_describe_contributor_insights, OP_READ},
    {"DescribeEndpoints", op_describe_endpoints, 0},
    {"DescribeExport", op_describe_export, OP_READ},
    {"DescribeGlobalTable", op_describe_global_table, 0},
    {"DescribeGlobalTableSettings", op_describe_global_table_settings, 0},
    {"DescribeImport", op_describe_import, OP_READ},
    {"DescribeKinesisStreamingDestination", op_describe_kinesis_streaming_destination, OP_READ},
    {"DescribeLimits", op_describe_limits, 0},
    {"DescribeTable", op_describe_table, OP_READ},
    {"DescribeTableReplicaAutoScaling", op_describe_table_replica_auto_scaling, OP_READ},
    {"DescribeTimeToLive", op_describe_time_to_live, OP_READ},
    {"DisableKinesisStreamingDestination", op_disable_kinesis_streaming_destination, OP_WRITE},
    {"EnableKinesisStreamingDestination", op_enable_kinesis_streaming_destination, OP_WRITE},
    {"ExecuteStatement", op_execute_statement, OP_READ | OP_WRITE},
    {"ExecuteTransaction", op_execute_transaction, OP_READ | OP_WRITE},
    {"ExportTableToPointInTime", op_export_table_to_point_in_time, OP_WRITE},
    {"GetItem", op_get_item, OP_READ},
    {"GetResourcePolicy", op_get_resource_policy, OP_READ},
    {"ImportTable", op_import_table, OP_WRITE},
    {"ListBackups", op_list_backups, OP_READ},
    {"ListBulkOperations", op_list_bulk_operations, OP_READ},
    {"ListContributorInsights", op_list_contributor_insights, OP_READ},
    {"ListExports", op_list_exports, OP_READ},
    {"ListGlobalTables", op_list_global_tables, 0},
    {"ListImports", op_list_imports, OP_READ},
    {"ListTables", op_list_tables, OP_READ},
    {"ListTagsOfResource", op_list_tags_of_resource, OP_READ},
    {"PutItem", op_put_item, OP_WRITE},
    {"PutResourcePolicy", op_put_resource_policy, OP_WRITE},
    {"Query", op_query, OP_READ},
    {"RestoreTableFromBackup", op_restore_table_from_backup, OP_WRITE},
    {"RestoreTableToPointInTime", op_restore_table_to_point_in_time, OP_WRITE},
    {"Scan", op_scan, OP_READ},
    {"SearchVectors", op_search_vectors, OP_READ},
    {"StartBulkPutItems", op_start_bulk_put_items, OP_WRITE},
    {"TagResource", op_tag_resource, OP_WRITE},
    {"TransactGetItems", op_transact_get_items, OP_READ},
    {"TransactWriteItems", op_transact_write_items, OP_WRITE},
    {"UntagResource", op_untag_resource, OP_WRITE},
    {"UpdateContinuousBackups", op_update_continuous_backups, OP_WRITE},
    {"UpdateContributorInsights", op_update_contributor_insights, OP_WRITE},
    {"UpdateGlobalTable", op_update_global_table, 0},
    {"UpdateGlobalTableSettings", op_update_global_table_settings, 0},
    {"UpdateItem", op_update_item, OP_WRITE},
    {"UpdateKinesisStreamingDestination", op_update_kinesis_streaming_destination, OP_WRITE},
    {"UpdateTable", op_update_table, OP_WRITE},
    {"UpdateTableReplicaAutoScaling", op_update_table_replica_auto_scaling, OP_WRITE},
    {"UpdateTimeToLive", op_update_time_to_live, OP_WRITE},
};

/* DynamoDB Streams shares the port and the signing name ("dynamodb"), as
 * on AWS; only the target prefix tells its operations apart. */
static const op_def_t streams_ops[] = {
    {"DescribeStream", op_describe_stream, OP_READ},
    {"GetRecords", op_get_records, OP_READ},
    {"GetShardIterator", op_get_shard_iterator, OP_READ},
    {"ListStreams", op_list_streams, OP_READ},
};

static const struct {
    str_t prefix;
    const op_def_t *ops;
    size_t n;
} services[] = {
    {STR_LIT("DynamoDB_20120810."), dynamodb_ops, sizeof dynamodb_ops / sizeof *dynamodb_ops},
    {STR_LIT("DynamoDBStreams_20120810."), streams_ops, sizeof streams_ops / sizeof *streams_ops},
};

const op_def_t *dispatch_find(str_t target)
{
    for (size_t s = 0; s < sizeof services / sizeof *services; s++) {
        str_t p = services[s].prefix;
        if (target.len <= p.len || memcmp(target.ptr, p.ptr, p.len) != 0)
            continue;
        str_t name = {target.ptr + p.len, target.len - p.len};
        for (size_t i = 0; i < services[s].n; i++)
            if (str_eq_cstr(name, services[s].ops[i].name))
                return &services[s].ops[i];
    }
    return NULL;
}
