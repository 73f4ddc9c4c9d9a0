/* ops/batch.c - BatchGetItem and BatchWriteItem.
 *
 * BatchGetItem reads every key in one read transaction on the loop thread.
 * BatchWriteItem is one writer request: every put and delete of the batch
 * is checked first, then applied in the writer's transaction, so the whole
 * batch commits together (DynamoDB promises only per-item atomicity; doing
 * more costs nothing here). UnprocessedKeys/UnprocessedItems are always
 * empty: ddbd has no throughput to exceed. */
#include <string.h>

#include "storage/index.h"
#include "storage/itemstore.h"
#include "ops/ops.h"

#define BATCH_GET_MAX_KEYS 100
#define BATCH_WRITE_MAX 25
#define BATCH_GET_MAX_BYTES (16u * 1024 * 1024)

/* Whether kb equals one of the first n keys. */
static bool key_seen(const key_buf_t *keys, size_t n, const key_buf_t *kb)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i].len == kb->len && memcmp(keys[i].b, kb->b, kb->len) == 0)
            return true;
    return false;
}

static int request_items(ddb_req_t *r, const json_t **out)
{
    if (req_object(r, "RequestItems", true, out) || req_constraints_done(r))
        return -1;
    if (json_object_size(*out) == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: "
                       "Member must have length greater than or equal to 1");
    return 0;
}

/* ---- BatchGetItem ------------------------------------------------------------ */

typedef struct get_table {
    const char *name;
    const table_t *table;
    ops_exprs_t x;
    value_t *keys;
    size_t nkeys;
    bool consistent;
} get_table_t;

static int parse_get_table(ddb_req_t *r, store_txn_t *txn, const char *name, const json_t *entry, get_table_t *g,
                           key_buf_t *all, size_t *nall)
{
    str_t bare;
    const char *bad = req_table_ref(str_from_cstr(name), true, &bare);
    if (bad)
        return err_set(&r->err, ERR_VALIDATION, "%s", bad);
    g->name = arena_cstr(&r->arena, bare);
    const json_t *keys = json_object_get(entry, "Keys");
    if (!json_is_object(entry) || !json_is_array(keys))
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to "
                       "satisfy constraint: Member must not be null",
                       name);
    if (json_array_size(keys) == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to "
                       "satisfy constraint: Member must have length greater than or equal to 1",
                       name);
    if (*nall + json_array_size(keys) > BATCH_GET_MAX_KEYS)
        return err_set(&r->err, ERR_VALIDATION, "Too many items requested for the BatchGetItem call");
    g->consistent = json_is_true(json_object_get(entry, "ConsistentRead"));
    if (ops_parse_exprs_of(r, entry, OPS_PROJECTION, &g->x))
        return -1;
    int rc = req_table_named(r, txn, r->env->loop_catalog, bare, &g->table);
    if (rc)
        return rc;
    g->nkeys = json_array_size(keys);
    g->keys = arena_calloc(&r->arena, g->nkeys, sizeof *g->keys);
    size_t i;
    const json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (!json_is_object(k))
            return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        if (item_from_json(&r->arena, k, &g->keys[i], &r->err) || key_check_key(&g->table->ks, &g->keys[i], &r->err))
            return -1;
        key_buf_t *kb = &all[*nall];
        key_encode(g->table->id, &g->table->ks, &g->keys[i], kb);
        if (key_seen(all, *nall, kb))
            return err_set(&r->err, ERR_VALIDATION, "Provided list of item keys contains duplicates");
        (*nall)++;
    }
    return 0;
}

static int write_get_table(ddb_req_t *r, store_txn_t *txn, const get_table_t *g, const key_buf_t *keys, double *units)
{
    jw_key(&r->out, g->name);
    jw_open(&r->out, '[');
    for (size_t i = 0; i < g->nkeys; i++) {
        value_t item;
        bool found;
        int rc = itemstore_get(txn, &r->arena, g->table, &keys[i], &item, &found);
        if (rc)
            return rc;
        *units += ops_read_units(found ? item_size(&item) : 0, g->consistent);
        if (found)
            ops_write_item(r, &r->out, &item, &g->x.projection);
        if (r->out.len > BATCH_GET_MAX_BYTES)
            return err_set(&r->err, ERR_VALIDATION, "Too much data requested for one BatchGetItem call");
    }
    jw_close(&r->out, ']');
    return 0;
}

/* BatchGetItem(RequestItems: {table: {Keys, ProjectionExpression?,
 *              ExpressionAttributeNames?, ConsistentRead?}},
 *              ReturnConsumedCapacity?) */
req_result_t op_batch_get_item(ddb_req_t *r)
{
    const json_t *items;
    int capacity;
    if (request_items(r, &items) || ops_return_capacity(r, &capacity) || req_constraints_done(r))
        return REQ_FAILED;
    size_t ntables = json_object_size(items), t = 0, nall = 0;
    get_table_t *gets = arena_calloc(&r->arena, ntables, sizeof *gets);
    key_buf_t *keys = arena_alloc(&r->arena, BATCH_GET_MAX_KEYS * sizeof *keys);
    store_txn_t *txn = r->txn;
    int rc = 0;
    const char *name;
    const json_t *entry;
    json_object_foreach((json_t *)items, name, entry)
    {
        if ((rc = parse_get_table(r, txn, name, entry, &gets[t++], keys, &nall)) != 0)
            break;
    }
    double *units = arena_calloc(&r->arena, ntables, sizeof *units);
    if (!rc) {
        buf_puts(&r->out, "{\"Responses\":{");
        for (size_t i = 0, off = 0; i < ntables && !rc; off += gets[i].nkeys, i++)
            rc = write_get_table(r, txn, &gets[i], keys + off, &units[i]);
        buf_puts(&r->out, "},\"UnprocessedKeys\":{}");
    }
    if (!rc && capacity) {
        buf_puts(&r->out, ",\"ConsumedCapacity\":[");
        for (size_t i = 0; i < ntables; i++) {
            ops_capacity_t cap;
            ops_capacity_init(&cap, gets[i].name);
            cap.table_units = units[i];
            ops_capacity_json(&r->out, capacity, &cap);
        }
        buf_putc(&r->out, ']');
    }
    if (!rc)
        buf_putc(&r->out, '}');
    return req_result(r, rc);
}

/* ---- BatchWriteItem ---------------------------------------------------------- */

typedef struct write_op {
    const char *table_name;
    bool is_put;
    value_t item; /* the item to put, or the key to delete */
} write_op_t;

typedef struct write_batch {
    write_op_t *ops;
    size_t n;
    int capacity; /* ReturnConsumedCapacity */
    int metrics; /* ReturnItemCollectionMetrics */
} write_batch_t;

static int parse_write_request(ddb_req_t *r, const char *name, const json_t *wr, write_op_t *op)
{
    const json_t *put = json_object_get(wr, "PutRequest"), *del = json_object_get(wr, "DeleteRequest");
    if (!json_is_object(wr) || (put != NULL) == (del != NULL))
        return err_set(&r->err, ERR_VALIDATION,
                       "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                       "the supported datatypes");
    str_t bare;
    const char *bad = req_table_ref(str_from_cstr(name), true, &bare);
    if (bad)
        return err_set(&r->err, ERR_VALIDATION, "%s", bad);
    op->table_name = arena_cstr(&r->arena, bare);
    op->is_put = put != NULL;
    return put ? ops_item_of(r, put, "Item", &op->item) : ops_item_of(r, del, "Key", &op->item);
}

/* Checks every request against its table before anything is written. */
static int check_batch(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const write_batch_t *b,
                       const table_t **tables, key_buf_t *keys)
{
    for (size_t i = 0; i < b->n; i++) {
        const write_op_t *op = &b->ops[i];
        int rc = catalog_lookup(cache, txn, r->ns, str_from_cstr(op->table_name), &tables[i]);
        if (rc)
            return rc;
        if (!tables[i] || tables[i]->restoring)
            return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
        const key_schema_t *ks = &tables[i]->ks;
        if (op->is_put ? key_check_item(ks, &op->item, &r->err) : key_check_key(ks, &op->item, &r->err))
            return -1;
        if (op->is_put && item_size(&op->item) > ITEM_MAX_BYTES)
            return err_set(&r->err, ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
        key_encode(tables[i]->id, ks, &op->item, &keys[i]);
        if (key_seen(keys, i, &keys[i]))
            return err_set(&r->err, ERR_VALIDATION, "Provided list of item keys contains duplicates");
    }
    return 0;
}

/* "ItemCollectionMetrics" for the tables with LSIs, each collection's
 * size after the whole batch. */
static int batch_metrics(ddb_req_t *r, store_txn_t *txn, const write_batch_t *b, const table_t **tables)
{
    const value_t **items = arena_alloc(&r->arena, (b->n ? b->n : 1) * sizeof *items);
    for (size_t i = 0; i < b->n; i++)
        items[i] = &b->ops[i].item;
    return ops_collection_metrics_map(r, txn, b->n, tables, items);
}

static int batch_write_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const write_batch_t *b = r->plan;
    const table_t **tables = arena_calloc(&r->arena, b->n, sizeof *tables);
    key_buf_t *keys = arena_alloc(&r->arena, b->n * sizeof *keys);
    int rc = check_batch(r, txn, cache, b, tables, keys);
    value_t *olds = arena_calloc(&r->arena, b->n, sizeof *olds);
    bool *found = arena_calloc(&r->arena, b->n, sizeof *found);
    /* every check before the first write: index keys, item collections */
    for (size_t i = 0; i < b->n && !rc; i++) {
        rc = itemstore_get(txn, &r->arena, tables[i], &keys[i], &olds[i], &found[i]);
        if (!rc && b->ops[i].is_put)
            rc = index_check_write(txn, tables[i], found[i] ? &olds[i] : NULL, &b->ops[i].item, &r->err);
    }
    ops_capacity_t *caps = arena_calloc(&r->arena, b->n, sizeof *caps);
    size_t ncaps = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        value_t old = olds[i];
        itemstore_effect_t effect = {0};
        if (b->ops[i].is_put)
            rc = itemstore_put(txn, tables[i], &keys[i], found[i] ? &old : NULL, &b->ops[i].item, &effect);
        else if (found[i])
            rc = itemstore_delete(txn, tables[i], &keys[i], &old, &effect);
        /* the larger of the old and the new item, in 1 KB steps */
        size_t bytes = b->ops[i].is_put ? item_size(&b->ops[i].item) : 0, old_bytes = found[i] ? item_size(&old) : 0;
        ops_capacity_t *cap = ops_capacity_of(caps, &ncaps, tables[i]->name);
        cap->table_units += ops_write_units(bytes > old_bytes ? bytes : old_bytes);
        ops_capacity_add_effect(cap, &effect, false);
    }
    if (rc)
        return rc;
    buf_puts(&r->out, "{\"UnprocessedItems\":{}");
    if (b->capacity) {
        buf_puts(&r->out, ",\"ConsumedCapacity\":[");
        for (size_t i = 0; i < ncaps; i++)
            ops_capacity_json(&r->out, b->capacity, &caps[i]);
        buf_putc(&r->out, ']');
    }
    if (b->metrics && (rc = batch_metrics(r, txn, b, tables)) != 0)
        return rc;
    buf_putc(&r->out, '}');
    return 0;
}

/* BatchWriteItem(RequestItems: {table: [{PutRequest: {Item}} |
 *                {DeleteRequest: {Key}}]}, ReturnConsumedCapacity?) */
req_result_t op_batch_write_item(ddb_req_t *r)
{
    const json_t *items;
    int capacity;
    int metrics;
    if (request_items(r, &items) || ops_return_capacity(r, &capacity) || ops_return_metrics(r, &metrics) ||
        req_constraints_done(r))
        return REQ_FAILED;
    write_batch_t *b = arena_calloc(&r->arena, 1, sizeof *b);
    const char *name;
    const json_t *list;
    size_t total = 0;
    json_object_foreach((json_t *)items, name, list)
    {
        if (!json_is_array(list) || json_array_size(list) == 0)
            return req_fail(r, ERR_VALIDATION,
                            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
                            "Map value must satisfy constraint: [Member must have length less than or equal to "
                            "25, Member must have length greater than or equal to 1]");
        total += json_array_size(list);
    }
    if (total > BATCH_WRITE_MAX)
        return req_fail(r, ERR_VALIDATION, "Too many items requested for the BatchWriteItem call");
    b->ops = arena_calloc(&r->arena, total, sizeof *b->ops);
    b->capacity = capacity;
    b->metrics = metrics;
    json_object_foreach((json_t *)items, name, list)
    {
        size_t i;
        const json_t *wr;
        json_array_foreach(list, i, wr)
        {
            if (parse_write_request(r, arena_cstr(&r->arena, str_from_cstr(name)), wr, &b->ops[b->n++]))
                return REQ_FAILED;
        }
    }
    return req_queue(r, batch_write_apply, b, NULL);
}
