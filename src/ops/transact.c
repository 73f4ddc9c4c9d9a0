/* ops/transact.c - TransactGetItems.
 *
 * Every Get reads from one LMDB read transaction: a snapshot, so the items
 * returned are consistent with each other as DynamoDB promises. */
#include <string.h>

#include "ddbd/itemstore.h"
#include "ops/ops.h"

#define TRANSACT_MAX_ITEMS 100

typedef struct transact_get {
    const table_t *table;
    value_t key;
    key_buf_t kb;
    ops_exprs_t x;
} transact_get_t;

static int parse_get(ddb_req_t *r, store_txn_t *txn, const json_t *action, transact_get_t *g)
{
    const json_t *get = json_object_get(action, "Get");
    if (!json_is_object(get))
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value null at 'transactItems.1.member.get' failed to "
                       "satisfy constraint: Member must not be null");
    const json_t *name = json_object_get(get, "TableName");
    if (!json_is_string(name))
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value null at 'transactItems.1.member.get.tableName' "
                       "failed to satisfy constraint: Member must not be null");
    if (ops_parse_exprs_of(r, get, OPS_PROJECTION, &g->x) || ops_item_of(r, get, "Key", &g->key))
        return -1;
    int rc = catalog_lookup(r->env->loop_catalog, txn, r->ns, str_from_cstr(json_string_value(name)), &g->table);
    if (rc)
        return rc;
    if (!g->table)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    if (key_check_key(&g->table->ks, &g->key, &r->err))
        return -1;
    key_encode(g->table->id, &g->table->ks, &g->key, &g->kb);
    return 0;
}

/* TransactGetItems(TransactItems: [{Get: {TableName, Key,
 *                  ProjectionExpression?, ExpressionAttributeNames?}}],
 *                  ReturnConsumedCapacity?) */
int op_transact_get_items(ddb_req_t *r)
{
    const json_t *actions;
    int capacity;
    if (req_array(r, "TransactItems", true, &actions) || ops_return_capacity(r, &capacity) ||
        req_constraints_done(r))
        return -1;
    size_t n = json_array_size(actions);
    if (n < 1 || n > TRANSACT_MAX_ITEMS)
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                       "Member must have length %s",
                       n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    transact_get_t *gets = arena_calloc(&r->arena, n, sizeof *gets);
    store_txn_t *txn;
    int rc = store_read_begin(r->env->store, &txn);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = parse_get(r, txn, json_array_get(actions, i), &gets[i]);
        for (size_t j = 0; j < i && !rc; j++)
            if (gets[j].kb.len == gets[i].kb.len && memcmp(gets[j].kb.b, gets[i].kb.b, gets[i].kb.len) == 0)
                rc = err_set(&r->err, ERR_VALIDATION,
                             "Transaction request cannot include multiple operations on one item");
    }
    double *units = arena_calloc(&r->arena, n, sizeof *units); /* by first Get of each table */
    if (!rc)
        buf_puts(&r->out, "{\"Responses\":[");
    for (size_t i = 0; i < n && !rc; i++) {
        value_t item;
        bool found;
        rc = itemstore_get(txn, &r->arena, gets[i].table, &gets[i].kb, &item, &found);
        if (rc)
            break;
        /* transactional reads cost twice a consistent read */
        size_t first = i;
        for (size_t j = 0; j < i; j++)
            if (gets[j].table == gets[i].table) {
                first = j;
                break;
            }
        units[first] += 2 * ops_read_units(found ? item_size(&item) : 0, true);
        jw_open(&r->out, '{');
        if (found) {
            jw_key(&r->out, "Item");
            ops_write_item(r, &r->out, &item, &gets[i].x.projection);
        }
        jw_close(&r->out, '}');
    }
    if (!rc) {
        buf_putc(&r->out, ']');
        if (capacity) {
            buf_puts(&r->out, ",\"ConsumedCapacity\":[");
            for (size_t i = 0; i < n; i++)
                if (units[i] > 0) {
                    jw_comma(&r->out);
                    buf_puts(&r->out, "{\"TableName\":");
                    jw_cstr(&r->out, gets[i].table->name);
                    buf_printf(&r->out, ",\"CapacityUnits\":%g,\"ReadCapacityUnits\":%g}", units[i], units[i]);
                }
            buf_putc(&r->out, ']');
        }
        buf_putc(&r->out, '}');
    }
    store_read_end(txn);
    return rc;
}
