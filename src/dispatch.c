/* dispatch.c - the operation table: one row per operation.
 *
 * Adding an operation is one row here and one handler in ops/. Whether an
 * operation writes is the handler's business (it returns REQ_WRITE). */
#include "ddbd/dispatch.h"

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

static const str_t dynamodb_prefix = STR_LIT("DynamoDB_20120810.");

const op_def_t *dispatch_find(str_t target)
{
    if (target.len <= dynamodb_prefix.len || memcmp(target.ptr, dynamodb_prefix.ptr, dynamodb_prefix.len) != 0)
        return NULL;
    str_t name = {target.ptr + dynamodb_prefix.len, target.len - dynamodb_prefix.len};
    for (size_t i = 0; i < sizeof dynamodb_ops / sizeof *dynamodb_ops; i++)
        if (str_eq_cstr(name, dynamodb_ops[i].name))
            return &dynamodb_ops[i];
    return NULL;
}
