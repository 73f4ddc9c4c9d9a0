/* ops/common.c - what several handlers share: expressions, keys, capacity. */
#include "ops/ops.h"

#include "storage/index.h"
#include "ops/legacy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int parse_condition(ddb_req_t *r, ops_exprs_t *x, unsigned which, unsigned flag, const char *member,
                           expr_kind_t kind, expr_node_t **out)
{
    str_t text;
    if (!(which & flag))
        return 0;
    if (req_string(r, member, false, &text))
        return -1;
    return text.ptr ? expr_parse_condition(&x->ctx, kind, text, out, &r->err) : 0;
}

int ops_parse_exprs(ddb_req_t *r, unsigned which, ops_exprs_t *x)
{
    memset(x, 0, sizeof *x);
    /* Pre-expression parameters become expressions first (legacy.c). */
    if (legacy_translate(r, legacy_params_of(r->op)))
        return -1;
    const json_t *names, *values;
    if (req_object(r, "ExpressionAttributeNames", false, &names) ||
        req_object(r, "ExpressionAttributeValues", false, &values))
        return -1;
    if (expr_ctx_init(&x->ctx, &r->arena, names, values, &r->err))
        return -1;
    /* DynamoDB's order of checks: UpdateExpression before
     * ConditionExpression; for Query, the filter and projection before the
     * key condition. */
    str_t text;
    if (which & OPS_UPDATE) {
        if (req_string(r, "UpdateExpression", false, &text))
            return -1;
        if (text.ptr && expr_parse_update(&x->ctx, text, &x->update, &r->err))
            return -1;
    }
    if (parse_condition(r, x, which, OPS_CONDITION, "ConditionExpression", EXPR_CONDITION, &x->condition) ||
        parse_condition(r, x, which, OPS_FILTER, "FilterExpression", EXPR_FILTER, &x->filter))
        return -1;
    if (which & OPS_PROJECTION) {
        if (req_string(r, "ProjectionExpression", false, &text))
            return -1;
        if (text.ptr && expr_parse_projection(&x->ctx, text, &x->projection, &r->err))
            return -1;
    }
    if (parse_condition(r, x, which, OPS_KEY_CONDITION, "KeyConditionExpression", EXPR_KEY_CONDITION,
                        &x->key_condition) ||
        parse_condition(r, x, which, OPS_SEARCH_CONDITION, "SearchConditionExpression", EXPR_SEARCH_CONDITION,
                        &x->search_condition))
        return -1;
    return expr_check_unused(&x->ctx, &r->err);
}

int ops_key_param(ddb_req_t *r, const char *member, value_t *out)
{
    const json_t *key;
    if (req_object(r, member, true, &key) || req_constraints_done(r))
        return -1;
    return item_from_json(&r->arena, key, out, &r->err);
}

static const char *const capacity_modes[] = {"NONE", "TOTAL", "INDEXES", NULL};

int ops_return_capacity(ddb_req_t *r, int *out)
{
    return req_enum(r, "ReturnConsumedCapacity", capacity_modes, out, 0);
}

void ops_capacity_init(ops_capacity_t *c, const char *table)
{
    memset(c, 0, sizeof *c);
    c->table = table;
}

static void add_units(ops_capacity_t *c, const char *name, bool local, double units, bool vector)
{
    for (int i = 0; i < c->ix.n_index; i++)
        if (c->ix.index[i].vector == vector && strcmp(c->ix.index[i].name, name) == 0) {
            c->ix.index[i].write_units += units;
            return;
        }
    if (c->ix.n_index < ITEMSTORE_MAX_INDEXES)
        c->ix.index[c->ix.n_index++] = (itemstore_index_units_t){name, local, units, vector};
}

void ops_capacity_add_index(ops_capacity_t *c, const char *name, bool local, double units)
{
    add_units(c, name, local, units, false);
}

void ops_capacity_add_effect(ops_capacity_t *c, const itemstore_effect_t *e, bool transactional)
{
    /* a transaction's index writes cost double, like its items (DynamoDB
     * Local's figures, for GSIs and LSIs alike) */
    for (int i = 0; i < e->n_index; i++)
        add_units(c, e->index[i].name, e->index[i].local,
                  e->index[i].write_units * (transactional && !e->index[i].vector ? 2 : 1), e->index[i].vector);
}

static void write_index_units(buf_t *out, const ops_capacity_t *c, bool local)
{
    bool any = false;
    for (int i = 0; i < c->ix.n_index; i++) {
        if (c->ix.index[i].local != local || c->ix.index[i].vector)
            continue;
        if (!any)
            jw_key(out, local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes"), jw_open(out, '{');
        any = true;
        jw_key(out, c->ix.index[i].name);
        buf_printf(out, "{\"CapacityUnits\":%g}", c->ix.index[i].write_units);
    }
    if (any)
        jw_close(out, '}');
}

/* VectorIndexes: each vector index's VectorWriteRequestBytes (INDEXES). */
static void write_vector_bytes(buf_t *out, const ops_capacity_t *c)
{
    bool any = false;
    for (int i = 0; i < c->ix.n_index; i++) {
        if (!c->ix.index[i].vector)
            continue;
        if (!any)
            jw_key(out, "VectorIndexes"), jw_open(out, '{');
        any = true;
        jw_key(out, c->ix.index[i].name);
        buf_printf(out, "{\"VectorWriteRequestBytes\":%g}", c->ix.index[i].write_units);
    }
    if (any)
        jw_close(out, '}');
}

/* DynamoDB's shape (as DynamoDB Local returns it): TableName and the total
 * CapacityUnits; with INDEXES, Table and the index maps too. */
void ops_capacity_json(buf_t *out, int mode, const ops_capacity_t *c)
{
    double total = c->table_units;
    for (int i = 0; i < c->ix.n_index; i++)
        total += c->ix.index[i].vector ? 0 : c->ix.index[i].write_units;
    jw_open(out, '{');
    jw_key(out, "TableName");
    jw_cstr(out, c->table);
    jw_key(out, "CapacityUnits");
    buf_printf(out, "%g", total);
    if (mode == 2) {
        jw_key(out, "Table");
        buf_printf(out, "{\"CapacityUnits\":%g}", c->table_units);
        write_index_units(out, c, true);
        write_index_units(out, c, false);
        write_vector_bytes(out, c);
    }
    jw_close(out, '}');
}

void ops_capacity_reply(ddb_req_t *r, int mode, const ops_capacity_t *c)
{
    if (mode == 0)
        return;
    jw_key(&r->out, "ConsumedCapacity");
    ops_capacity_json(&r->out, mode, c);
}

ops_capacity_t *ops_capacity_of(ops_capacity_t *list, size_t *n, const char *table)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i].table, table) == 0)
            return &list[i];
    ops_capacity_init(&list[*n], table);
    return &list[(*n)++];
}

void ops_write_capacity(ddb_req_t *r, int mode, const char *table, double units)
{
    ops_capacity_t c;
    ops_capacity_init(&c, table);
    c.table_units = units;
    ops_capacity_reply(r, mode, &c);
}

/* In the service model's order, which DynamoDB's enum message follows. */
static const char *const metrics_modes[] = {"SIZE", "NONE", NULL};

int ops_return_metrics(ddb_req_t *r, int *out)
{
    int mode;
    if (req_enum(r, "ReturnItemCollectionMetrics", metrics_modes, &mode, 1))
        return -1;
    *out = mode == 0;
    return 0;
}

/* AWS gives a range of whole gigabytes around the collection's size. */
int ops_collection_metrics_json(buf_t *out, store_txn_t *txn, const table_t *t, const value_t *item)
{
    uint64_t bytes;
    int rc = index_collection_size(txn, t, item, &bytes);
    if (rc)
        return rc;
    double lo = floor((double)bytes / (1024.0 * 1024 * 1024));
    jw_open(out, '{');
    jw_key(out, "ItemCollectionKey");
    value_t key = {.type = VT_M};
    const value_t *h = item_get(item, t->ks.hash.name);
    arena_t a;
    arena_init(&a);
    if (h)
        key = item_with(&a, &key, t->ks.hash.name, h);
    item_to_json(out, &key);
    arena_free(&a);
    jw_key(out, "SizeEstimateRangeGB");
    buf_printf(out, "[%g,%g]", lo, lo + 1);
    jw_close(out, '}');
    return 0;
}

double ops_read_units(size_t bytes, bool consistent)
{
    double units = bytes == 0 ? 1 : ceil((double)bytes / 4096.0);
    return consistent ? units : units / 2;
}

double ops_write_units(size_t bytes) { return bytes == 0 ? 1 : ceil((double)bytes / 1024.0); }

int ops_parse_exprs_of(ddb_req_t *r, const json_t *obj, unsigned which, ops_exprs_t *x)
{
    json_t *whole = r->body; /* the req_* readers read r->body */
    r->body = (json_t *)obj;
    int rc = ops_parse_exprs(r, which, x);
    r->body = whole;
    return rc;
}

int ops_item_of(ddb_req_t *r, const json_t *obj, const char *member, value_t *out)
{
    const json_t *v = json_object_get(obj, member);
    if (!v || json_is_null(v)) {
        char field[64];
        snprintf(field, sizeof field, "%c%s", member[0] - 'A' + 'a', member + 1); /* "Item" -> "item" */
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                       "must not be null",
                       field);
    }
    if (!json_is_object(v))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    return item_from_json(&r->arena, v, out, &r->err);
}

void ops_write_item(ddb_req_t *r, buf_t *out, const value_t *item, const expr_projection_t *projection)
{
    if (projection && projection->n) {
        value_t v = expr_project(&r->arena, item, projection);
        item_to_json(out, &v);
    } else {
        item_to_json(out, item);
    }
}

json_t *ops_find_by(const json_t *list, const char *member, const char *value)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        const char *v = json_string_value(json_object_get(e, member));
        if (v && value && strcmp(v, value) == 0)
            return e;
    }
    return NULL;
}

int ops_collection_metrics_map(ddb_req_t *r, store_txn_t *txn, size_t n, const table_t *const *tables,
                               const value_t *const *items)
{
    bool open_map = false;
    for (size_t i = 0; i < n; i++) {
        const table_t *t = tables[i];
        bool first_of_table = true;
        for (size_t j = 0; j < i; j++)
            first_of_table = first_of_table && tables[j] != t;
        if (!index_has_lsi(t) || !first_of_table)
            continue;
        if (!open_map) {
            jw_key(&r->out, "ItemCollectionMetrics");
            jw_open(&r->out, '{');
            open_map = true;
        }
        jw_key(&r->out, t->name);
        jw_open(&r->out, '[');
        for (size_t j = i; j < n; j++) {
            if (tables[j] != t || !items[j])
                continue;
            int rc = ops_collection_metrics_json(&r->out, txn, t, items[j]);
            if (rc)
                return rc;
        }
        jw_close(&r->out, ']');
    }
    if (open_map)
        jw_close(&r->out, '}');
    return 0;
}
