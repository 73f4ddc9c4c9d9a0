/* ops/item.c - PutItem, GetItem, DeleteItem, UpdateItem.
 *
 * Each write handler parses and validates what it can on the loop thread
 * (parameters, values, expressions) into a plan, then its apply runs on the
 * writer thread: look the table up in the write transaction, check the key
 * against the schema, read the current item, evaluate the condition, and
 * only then write through itemstore. */
#include <string.h>

#include "storage/index.h"
#include "storage/itemstore.h"
#include "ops/legacy.h"
#include "ops/ops.h"

enum { RV_NONE, RV_ALL_OLD, RV_UPDATED_OLD, RV_ALL_NEW, RV_UPDATED_NEW };
static const char *const return_values[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", NULL};
static const char *const rv_on_failure[] = {"NONE", "ALL_OLD", NULL};

typedef struct write_plan {
    ops_exprs_t x;
    value_t item; /* PutItem: the item; others: the Key */
    int return_values; /* RV_* */
    bool old_on_failure; /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    int capacity; /* ReturnConsumedCapacity */
    int metrics; /* ReturnItemCollectionMetrics */
} write_plan_t;

static int parse_write_common(ddb_req_t *r, write_plan_t *p, unsigned exprs)
{
    int fail_rv;
    if (req_enum(r, "ReturnValues", return_values, &p->return_values, RV_NONE) ||
        req_enum(r, "ReturnValuesOnConditionCheckFailure", rv_on_failure, &fail_rv, 0) ||
        ops_return_capacity(r, &p->capacity) || ops_return_metrics(r, &p->metrics) || req_constraints_done(r))
        return -1;
    p->old_on_failure = fail_rv == 1;
    return ops_parse_exprs(r, exprs, &p->x);
}

/* ConditionalCheckFailedException, with the old item when asked for. */
static int condition_failed(ddb_req_t *r, const write_plan_t *p, const value_t *old)
{
    if (p->old_on_failure && old) {
        buf_t b = BUF_INIT;
        buf_puts(&b, "\"Item\":");
        item_to_json(&b, old);
        buf_putc(&b, '\0');
        r->err.extra_json = arena_cstr(&r->arena, (str_t){b.data, b.len - 1});
        buf_free(&b);
    }
    return err_set(&r->err, ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

static int check_condition(ddb_req_t *r, const write_plan_t *p, const value_t *old)
{
    if (!p->x.condition)
        return 0;
    bool ok;
    if (expr_eval(p->x.condition, old, &ok, &r->err))
        return -1;
    return ok ? 0 : condition_failed(r, p, old);
}

static void write_attributes(ddb_req_t *r, const value_t *attrs)
{
    if (!attrs || attrs->m.n == 0)
        return;
    jw_key(&r->out, "Attributes");
    item_to_json(&r->out, attrs);
}

/* The table and the stored item under the plan's key, in the writer's txn. */
static int load_target(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const value_t *key_source,
                       bool whole_item, const table_t **t, key_buf_t *kb, value_t *old, bool *found)
{
    int rc = req_table(r, txn, cache, t);
    if (rc)
        return rc;
    rc = whole_item ? key_check_item(&(*t)->ks, key_source, &r->err) : key_check_key(&(*t)->ks, key_source, &r->err);
    if (rc)
        return rc;
    key_encode((*t)->id, &(*t)->ks, key_source, kb);
    return itemstore_get(txn, &r->arena, *t, kb, old, found);
}

static void write_return_values(ddb_req_t *r, const write_plan_t *p, const value_t *old, const value_t *new_item);

/* ItemCollectionMetrics, for tables with LSIs when asked for. */
static int write_metrics(ddb_req_t *r, const write_plan_t *p, store_txn_t *txn, const table_t *t, const value_t *item)
{
    if (!p->metrics || !index_has_lsi(t))
        return 0;
    jw_key(&r->out, "ItemCollectionMetrics");
    return ops_collection_metrics_json(&r->out, txn, t, item);
}

/* Writes the new item and the reply common to PutItem and UpdateItem:
 * the Attributes the ReturnValues ask for, then the consumed capacity. */
static int store_and_reply(ddb_req_t *r, const write_plan_t *p, store_txn_t *txn, const table_t *t, const key_buf_t *kb,
                           const value_t *old, const value_t *new_item, bool write)
{
    itemstore_effect_t effect = {0};
    int rc = write ? index_check_write(txn, t, old, new_item, &r->err) : 0;
    if (rc)
        return rc;
    if (write && (rc = itemstore_put(txn, t, kb, old, new_item, &effect)) != 0)
        return rc;
    buf_putc(&r->out, '{');
    if (write)
        write_return_values(r, p, old, new_item);
    size_t bytes = item_size(new_item), old_bytes = old ? item_size(old) : 0;
    ops_capacity_t cap;
    ops_capacity_init(&cap, t->name);
    cap.table_units = ops_write_units(bytes > old_bytes ? bytes : old_bytes);
    ops_capacity_add_effect(&cap, &effect, false);
    ops_capacity_reply(r, p->capacity, &cap);
    if ((rc = write_metrics(r, p, txn, t, new_item)) != 0)
        return rc;
    buf_putc(&r->out, '}');
    return 0;
}

/* ---- PutItem ---------------------------------------------------------------- */

static int put_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const write_plan_t *p = r->plan;
    const table_t *t;
    key_buf_t kb;
    value_t old;
    bool found;
    int rc = load_target(r, txn, cache, &p->item, true, &t, &kb, &old, &found);
    if (rc)
        return rc;
    if (item_size(&p->item) > ITEM_MAX_BYTES)
        return err_set(&r->err, ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    if (check_condition(r, p, found ? &old : NULL))
        return -1;
    return store_and_reply(r, p, txn, t, &kb, found ? &old : NULL, &p->item, true);
}

/* PutItem(TableName, Item, ConditionExpression?, ExpressionAttributeNames?,
 *         ExpressionAttributeValues?, ReturnValues?,
 *         ReturnValuesOnConditionCheckFailure?, ReturnConsumedCapacity?) */
req_result_t op_put_item(ddb_req_t *r)
{
    write_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    str_t name;
    const json_t *item;
    if (req_table_name(r, &name) || req_object(r, "Item", true, &item) || req_constraints_done(r))
        return REQ_FAILED;
    if (parse_write_common(r, p, OPS_CONDITION))
        return REQ_FAILED;
    if (p->return_values != RV_NONE && p->return_values != RV_ALL_OLD)
        return req_fail(r, ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if (item_from_json(&r->arena, item, &p->item, &r->err))
        return REQ_FAILED;
    return req_queue(r, put_apply, p, NULL);
}

/* ---- DeleteItem ------------------------------------------------------------- */

static int delete_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const write_plan_t *p = r->plan;
    const table_t *t;
    key_buf_t kb;
    value_t old;
    bool found;
    int rc = load_target(r, txn, cache, &p->item, false, &t, &kb, &old, &found);
    if (rc)
        return rc;
    if (check_condition(r, p, found ? &old : NULL))
        return -1;
    itemstore_effect_t effect = {0};
    if (found && (rc = itemstore_delete(txn, t, &kb, &old, &effect)) != 0)
        return rc;
    buf_putc(&r->out, '{');
    if (p->return_values == RV_ALL_OLD && found)
        write_attributes(r, &old);
    ops_capacity_t cap;
    ops_capacity_init(&cap, t->name);
    cap.table_units = ops_write_units(found ? item_size(&old) : 0);
    ops_capacity_add_effect(&cap, &effect, false);
    ops_capacity_reply(r, p->capacity, &cap);
    if ((rc = write_metrics(r, p, txn, t, &p->item)) != 0)
        return rc;
    buf_putc(&r->out, '}');
    return 0;
}

/* DeleteItem(TableName, Key, ConditionExpression?, ..., ReturnValues?) */
req_result_t op_delete_item(ddb_req_t *r)
{
    write_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    str_t name;
    if (req_table_name(r, &name) || ops_key_param(r, "Key", &p->item) || parse_write_common(r, p, OPS_CONDITION))
        return REQ_FAILED;
    if (p->return_values != RV_NONE && p->return_values != RV_ALL_OLD)
        return req_fail(r, ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    return req_queue(r, delete_apply, p, NULL);
}

/* ---- UpdateItem ------------------------------------------------------------- */

static int check_key_untouched(ddb_req_t *r, const table_t *t, const expr_update_t *u)
{
    const key_attr_t *keys[] = {&t->ks.hash, &t->ks.range};
    for (int i = 0; i < 2; i++)
        if (keys[i]->name.len && expr_update_touches(u, keys[i]->name))
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: Cannot update attribute %.*s. This "
                           "attribute is part of the key",
                           STR_FMT(keys[i]->name));
    return 0;
}

static void write_return_values(ddb_req_t *r, const write_plan_t *p, const value_t *old, const value_t *new_item)
{
    switch (p->return_values) {
    case RV_ALL_OLD: write_attributes(r, old); break;
    case RV_ALL_NEW: write_attributes(r, new_item); break;
    case RV_UPDATED_OLD:
    case RV_UPDATED_NEW: {
        const value_t *src = p->return_values == RV_UPDATED_OLD ? old : new_item;
        if (src && p->x.update) {
            value_t v = expr_project(&r->arena, src, expr_update_paths(p->x.update));
            write_attributes(r, &v);
        }
        break;
    }
    default: break;
    }
}

static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const write_plan_t *p = r->plan;
    const table_t *t;
    key_buf_t kb;
    value_t old, new_item;
    bool found;
    int rc = load_target(r, txn, cache, &p->item, false, &t, &kb, &old, &found);
    if (rc)
        return rc;
    if (p->x.update && check_key_untouched(r, t, p->x.update))
        return -1;
    if (check_condition(r, p, found ? &old : NULL))
        return -1;
    /* An absent item starts as its key: UpdateItem creates it. */
    const value_t *base = found ? &old : &p->item;
    if (p->x.update) {
        if (expr_update_apply(&r->arena, p->x.update, base, &new_item, &r->err))
            return legacy_update_error(r);
    } else {
        new_item = *base;
    }
    if (item_size(&new_item) > ITEM_MAX_BYTES)
        return err_set(&r->err, ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    /* An update of a missing item that leaves only the key (REMOVE or
     * DELETE alone) creates nothing; without an UpdateExpression, or with
     * legacy AttributeUpdates, the key alone is written, as DynamoDB does. */
    bool creates_nothing = !found && p->x.update && !legacy_attribute_updates(r) && new_item.m.n == p->item.m.n;
    return store_and_reply(r, p, txn, t, &kb, found ? &old : NULL, &new_item, !creates_nothing);
}

/* UpdateItem(TableName, Key, UpdateExpression?, ConditionExpression?,
 *            ExpressionAttributeNames?, ExpressionAttributeValues?,
 *            ReturnValues?, ReturnValuesOnConditionCheckFailure?) */
req_result_t op_update_item(ddb_req_t *r)
{
    write_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    str_t name;
    if (req_table_name(r, &name) || ops_key_param(r, "Key", &p->item) ||
        parse_write_common(r, p, OPS_CONDITION | OPS_UPDATE))
        return REQ_FAILED;
    return req_queue(r, update_apply, p, NULL);
}

/* ---- GetItem ---------------------------------------------------------------- */

/* GetItem(TableName, Key, ProjectionExpression?, ExpressionAttributeNames?,
 *         ConsistentRead?, ReturnConsumedCapacity?) */
req_result_t op_get_item(ddb_req_t *r)
{
    str_t name;
    value_t key;
    ops_exprs_t x;
    bool consistent;
    int capacity;
    if (req_table_name(r, &name) || ops_key_param(r, "Key", &key) || req_bool(r, "ConsistentRead", &consistent) ||
        ops_return_capacity(r, &capacity) || req_constraints_done(r) || ops_parse_exprs(r, OPS_PROJECTION, &x))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    const table_t *t;
    key_buf_t kb;
    value_t item;
    bool found = false;
    int rc = req_table(r, txn, r->env->loop_catalog, &t);
    if (!rc)
        rc = key_check_key(&t->ks, &key, &r->err);
    if (!rc) {
        key_encode(t->id, &t->ks, &key, &kb);
        rc = itemstore_get(txn, &r->arena, t, &kb, &item, &found);
    }
    if (!rc) {
        buf_putc(&r->out, '{');
        if (found) {
            jw_key(&r->out, "Item");
            ops_write_item(r, &r->out, &item, &x.projection);
        }
        ops_write_capacity(r, capacity, t->name, ops_read_units(found ? item_size(&item) : 0, consistent));
        buf_putc(&r->out, '}');
    }
    return req_result(r, rc);
}
