/* ops/partiql_select.c - ExecuteStatement's SELECT.
 *
 * The statement's plan (partiql/select.c) is one Query per partition key
 * value, or one Scan; each runs through op_query / op_scan on a compiled
 * body, in the request's read transaction, so key conditions, indexes,
 * Limit, ExclusiveStartKey, ConsistentRead, the 1 MB page and capacity
 * are theirs. Every row they return is then tested against the whole
 * WHERE clause (parsed by the expression module) and projected. Limit
 * counts rows read, before the WHERE clause, as DynamoDB's does.
 *
 * NextToken says which Query to resume and from where (partiql/token.c);
 * the LastEvaluatedKey it carries is also returned as such. */
#include <string.h>

#include "ops/partiql_run.h"

#define PAGE_MAX_BYTES (1024 * 1024)

typedef struct page {
    ddb_req_t *r;
    const pqr_stmt_t *s;
    const key_schema_t *ks;
    pq_select_t plan;
    const char **names; /* the projection's row names (SELECT a, b) */
    expr_node_t *filter;
    int64_t limit, evaluated;
    size_t bytes;
    bool consistent;
    int capacity;
    ops_capacity_t cap;
    buf_t items; /* the Items array's members */
} page_t;

static int parse_filter(page_t *pg)
{
    ddb_req_t *r = pg->r;
    if (!pg->plan.filter)
        return 0;
    const pq_names_t *x = &pg->plan.filter_names;
    expr_ctx_t ctx;
    if (expr_ctx_init(&ctx, &r->arena, json_object_size(x->names) ? x->names : NULL,
                      json_object_size(x->values) ? x->values : NULL, &r->err) ||
        expr_parse_condition(&ctx, EXPR_FILTER, str_from_cstr(pg->plan.filter), &pg->filter, &r->err)) {
        pqr_map_error(&r->err, pg->s->stmt);
        return -1;
    }
    return 0;
}

/* The Query for the i-th partition key, or the Scan. */
static json_t *read_body(page_t *pg, uint32_t i, const value_t *esk)
{
    json_t *b = json_object();
    json_object_set_new(b, "TableName", json_string(pg->s->table->name));
    if (pg->s->index)
        json_object_set_new(b, "IndexName", json_string(pg->s->index->name));
    if (pg->plan.nkeys) {
        pq_names_t x;
        pq_names_init(&x);
        buf_t kc = BUF_INIT;
        pq_key_condition(&pg->plan, pg->ks, i, &x, &kc);
        json_object_set_new(b, "KeyConditionExpression", json_stringn(kc.data, kc.len));
        buf_free(&kc);
        pq_names_attach(&x, b);
        pq_names_free(&x);
        json_object_set_new(b, "ScanIndexForward", json_boolean(pg->plan.forward));
    }
    if (pg->limit)
        json_object_set_new(b, "Limit", json_integer(pg->limit - pg->evaluated));
    if (esk) {
        buf_t k = BUF_INIT;
        item_to_json(&k, esk);
        json_error_t je;
        json_object_set_new(b, "ExclusiveStartKey", json_loadb(k.data, k.len, 0, &je));
        buf_free(&k);
    }
    if (pg->consistent)
        json_object_set_new(b, "ConsistentRead", json_true());
    if (pg->capacity)
        json_object_set_new(b, "ReturnConsumedCapacity", json_string("INDEXES"));
    return b;
}

/* One row: the WHERE clause, then the projection. */
static int take_row(page_t *pg, const value_t *item)
{
    ddb_req_t *r = pg->r;
    pg->evaluated++;
    pg->bytes += item_size(item);
    bool keep = true;
    if (pg->filter && expr_eval(pg->filter, item, &keep, &r->err))
        return -1;
    if (!keep)
        return 0;
    if (pg->s->stmt->star) {
        item_to_json(&pg->items, item);
        return 0;
    }
    value_t row = {.type = VT_M};
    for (uint32_t i = 0; i < pg->s->stmt->nproj; i++) {
        const value_t *v = pq_path_get(pg->s->stmt->proj[i], item);
        if (v)
            row = item_with(&r->arena, &row, str_from_cstr(pg->names[i]), v);
    }
    item_to_json(&pg->items, &row);
    return 0;
}

/* Adds an operation's ConsumedCapacity (INDEXES form) to the page's. */
static void add_capacity(page_t *pg, const json_t *cc)
{
    ddb_req_t *r = pg->r;
    pg->cap.table_units += json_number_value(json_object_get(json_object_get(cc, "Table"), "CapacityUnits"));
    static const char *const maps[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int m = 0; m < 2; m++) {
        const char *name;
        json_t *v;
        json_object_foreach(json_object_get(cc, maps[m]), name, v)
        {
            ops_capacity_add_index(&pg->cap, arena_cstr(&r->arena, str_from_cstr(name)), m == 0,
                                   json_number_value(json_object_get(v, "CapacityUnits")));
        }
    }
}

/* Runs one Query (or the Scan) and takes its rows. *lek is set when it
 * stopped early (Limit or 1 MB). */
static int read_one(page_t *pg, uint32_t i, const value_t *esk, value_t *lek, bool *stopped)
{
    ddb_req_t *r = pg->r;
    pqr_sub_t sub = {pg->plan.nkeys ? "Query" : "Scan", pg->plan.nkeys ? op_query : op_scan, read_body(pg, i, esk)};
    req_result_t res = pqr_call(r, &sub);
    pqr_sub_release(&sub);
    if (res.outcome != REQ_OUTCOME_DONE) {
        pqr_map_error(&r->err, pg->s->stmt);
        return -1;
    }
    json_t *reply = pqr_reply(r);
    buf_reset(&r->out);
    size_t k;
    json_t *it;
    int rc = 0;
    json_array_foreach(json_object_get(reply, "Items"), k, it)
    {
        value_t item;
        if ((rc = item_from_json(&r->arena, it, &item, &r->err)) != 0 || (rc = take_row(pg, &item)) != 0)
            break;
    }
    if (pg->capacity)
        add_capacity(pg, json_object_get(reply, "ConsumedCapacity"));
    const json_t *last = json_object_get(reply, "LastEvaluatedKey");
    *stopped = last != NULL;
    if (!rc && last)
        rc = item_from_json(&r->arena, last, lek, &r->err);
    json_decref(reply);
    return rc;
}

static void write_page(page_t *pg, const buf_t *token, const value_t *lek)
{
    ddb_req_t *r = pg->r;
    buf_puts(&r->out, "{\"Items\":[");
    buf_append(&r->out, pg->items.data, pg->items.len);
    buf_putc(&r->out, ']');
    if (token->len) {
        jw_key(&r->out, "NextToken");
        jw_str(&r->out, token->data, token->len);
    }
    if (lek) {
        jw_key(&r->out, "LastEvaluatedKey");
        item_to_json(&r->out, lek);
    }
    ops_capacity_reply(r, pg->capacity, &pg->cap);
    buf_putc(&r->out, '}');
}

/* The Queries (or the Scan), from the token's position, until one stops
 * early, the rows reach Limit or 1 MB, or the keys run out. */
static int run(page_t *pg, str_t next_token, uint64_t fp)
{
    ddb_req_t *r = pg->r;
    uint32_t start = 0;
    value_t esk, lek;
    bool has_esk = false;
    if (next_token.ptr && pq_token_read(&r->arena, next_token, fp, &start, &esk, &has_esk, &r->err))
        return -1;
    uint32_t n = pg->plan.nkeys ? pg->plan.nkeys : 1;
    if (start >= n)
        return err_set(&r->err, ERR_VALIDATION, "Invalid NextToken");
    buf_t token = BUF_INIT;
    bool stopped = false;
    uint32_t i = start;
    int rc = 0;
    for (; i < n && !rc; i++) {
        rc = read_one(pg, i, has_esk ? &esk : NULL, &lek, &stopped);
        has_esk = false;
        if (rc || stopped)
            break;
        bool full = (pg->limit && pg->evaluated >= pg->limit) || pg->bytes >= PAGE_MAX_BYTES;
        if (full && i + 1 < n) {
            pq_token_make(&token, fp, i + 1, NULL);
            break;
        }
    }
    if (!rc && stopped)
        pq_token_make(&token, fp, i, &lek);
    if (!rc)
        write_page(pg, &token, stopped ? &lek : NULL);
    buf_free(&token);
    return rc;
}

req_result_t pqr_select(ddb_req_t *r, pqr_stmt_t *s, const pqr_read_opts_t *o)
{
    page_t pg = {.r = r, .s = s, .limit = o->limit, .consistent = o->consistent, .capacity = o->capacity};
    pg.ks = s->index ? &s->index->ks : &s->table->ks;
    ops_capacity_init(&pg.cap, s->table->name);
    int rc = -1;
    if (s->stmt->star || !pq_projection_names(&s->ctx, &pg.names))
        if (!pq_plan_select(&s->ctx, pg.ks, &pg.plan) && !parse_filter(&pg))
            rc = run(&pg, o->next_token, pq_fingerprint(s->text, s->params));
    pq_select_free(&pg.plan);
    buf_free(&pg.items);
    return req_result(r, rc);
}
