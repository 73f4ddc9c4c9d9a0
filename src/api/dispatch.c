/* dispatch.c - the operation table: one row per operation.
 *
 * Adding an operation is one row here and one handler in ops/. Whether an
 * operation writes is the handler's business (it returns REQ_WRITE). */
#include "api/dispatch.h"

#include <string.h>

#include "ops/ops.h"

static const op_def_t dynamodb_ops[] = {
    {"BatchGetItem", op_batch_get_item},
    {"BatchWriteItem", op_batch_write_item},
    {"CreateTable", op_create_table},
    {"DeleteItem", op_delete_item},
    {"DeleteTable", op_delete_table},
    {"DescribeEndpoints", op_describe_endpoints},
    {"DescribeLimits", op_describe_limits},
    {"DescribeTable", op_describe_table},
    {"DescribeTimeToLive", op_describe_time_to_live},
    {"GetItem", op_get_item},
    {"ListTables", op_list_tables},
    {"ListTagsOfResource", op_list_tags_of_resource},
    {"PutItem", op_put_item},
    {"Query", op_query},
    {"Scan", op_scan},
    {"TagResource", op_tag_resource},
    {"TransactGetItems", op_transact_get_items},
    {"TransactWriteItems", op_transact_write_items},
    {"UntagResource", op_untag_resource},
    {"UpdateItem", op_update_item},
    {"UpdateTable", op_update_table},
    {"UpdateTimeToLive", op_update_time_to_live},
};

/* DynamoDB Streams shares the port and the signing name ("dynamodb"), as
 * on AWS; only the target prefix tells its operations apart. */
static const op_def_t streams_ops[] = {
    {"DescribeStream", op_describe_stream},
    {"GetRecords", op_get_records},
    {"GetShardIterator", op_get_shard_iterator},
    {"ListStreams", op_list_streams},
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
