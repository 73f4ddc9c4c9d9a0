/* ops/partiql_batch.c - BatchExecuteStatement: up to 25 statements, all
 * reads or all writes, each answered on its own.
 *
 * A read is a SELECT of one item (its full key and nothing else), run
 * as a GetItem in the request's read transaction. A write is an INSERT,
 * UPDATE or DELETE, planned by PutItem / UpdateItem / DeleteItem's
 * handler; the planned writes run one after another in one writer
 * request, each succeeding or failing alone, as DynamoDB promises (the
 * batch commits at once, which costs nothing here). A statement that
 * fails gets an Error in its place in Responses; only a malformed request
 * as a whole (too many statements, reads mixed with writes, two
 * statements on one item) is an exception. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ops/partiql_run.h"

#define BATCH_MAX 25

static const char *const rv_on_failure[] = {"NONE", "ALL_OLD", NULL};

typedef struct bes_entry {
    pqr_stmt_t s;
    bool consistent, old_on_fail;
    bool failed; /* before running: the error is below */
    err_code_t code;
    const char *message;
    bool with_table; /* name the table in the Response (the statement got as far as its table) */
    json_t *key; /* the item's key (duplicates check) */
    pqr_sub_t sub; /* the GetItem, or the queued write */
} bes_entry_t;

typedef struct bes_plan {
    bes_entry_t *e;
    size_t n;
    int capacity;
} bes_plan_t;

/* What one statement answered: an item, or an error. */
typedef struct bes_result {
    err_code_t code; /* ERR_NONE: success */
    const char *message;
    const char *extra; /* the failed condition's "Item":{...} */
    const char *item; /* JSON */
} bes_result_t;

static const char *batch_code(err_code_t c)
{
    switch (c) {
    case ERR_CONDITIONAL_CHECK_FAILED: return "ConditionalCheckFailed";
    case ERR_DUPLICATE_ITEM: return "DuplicateItem";
    case ERR_RESOURCE_NOT_FOUND: return "ResourceNotFound";
    case ERR_ITEM_COLLECTION_SIZE: return "ItemCollectionSizeLimitExceeded";
    case ERR_TRANSACTION_CONFLICT: return "TransactionConflict";
    case ERR_INTERNAL: return "InternalServerError";
    default: return "ValidationError";
    }
}

/* Moves r->err into e's failure (the request itself goes on). */
static void entry_fail(ddb_req_t *r, bes_entry_t *e)
{
    pqr_map_error(&r->err, e->s.stmt);
    e->failed = true;
    e->code = r->err.code;
    e->message = arena_cstr(&r->arena, str_from_cstr(r->err.msg));
    err_clear(&r->err);
}

static void write_response(ddb_req_t *r, const bes_entry_t *e, const bes_result_t *res)
{
    jw_open(&r->out, '{');
    if (res->code) {
        jw_key(&r->out, "Error");
        jw_open(&r->out, '{');
        jw_key(&r->out, "Code");
        jw_cstr(&r->out, batch_code(res->code));
        jw_key(&r->out, "Message");
        jw_cstr(&r->out, res->message);
        if (res->extra) {
            jw_comma(&r->out);
            buf_puts(&r->out, res->extra);
        }
        jw_close(&r->out, '}');
    }
    if (e->with_table) {
        jw_key(&r->out, "TableName");
        jw_cstr(&r->out, e->s.table->name);
    }
    if (res->item) {
        jw_key(&r->out, "Item");
        buf_puts(&r->out, res->item);
    }
    jw_close(&r->out, '}');
}

/* Adds an operation's ConsumedCapacity (INDEXES form) to its table's. */
static void add_capacity(ddb_req_t *r, ops_capacity_t *caps, size_t *ncaps, const json_t *cc)
{
    if (!cc)
        return;
    const char *table = arena_cstr(&r->arena, str_from_cstr(json_string_value(json_object_get(cc, "TableName"))));
    ops_capacity_t *c = ops_capacity_of(caps, ncaps, table);
    c->table_units += json_number_value(json_object_get(json_object_get(cc, "Table"), "CapacityUnits"));
    static const char *const maps[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int m = 0; m < 2; m++) {
        const char *name;
        json_t *v;
        json_object_foreach(json_object_get(cc, maps[m]), name, v)
        {
            ops_capacity_add_index(c, arena_cstr(&r->arena, str_from_cstr(name)), m == 0,
                                   json_number_value(json_object_get(v, "CapacityUnits")));
        }
    }
}

/* {"Responses":[...],"ConsumedCapacity":[...]} */
static void write_reply(ddb_req_t *r, const bes_entry_t *e, const bes_result_t *res, size_t n, int capacity,
                        const ops_capacity_t *caps, size_t ncaps)
{
    buf_puts(&r->out, "{\"Responses\":[");
    for (size_t i = 0; i < n; i++)
        write_response(r, &e[i], &res[i]);
    buf_putc(&r->out, ']');
    if (capacity && ncaps) {
        buf_puts(&r->out, ",\"ConsumedCapacity\":[");
        for (size_t i = 0; i < ncaps; i++)
            ops_capacity_json(&r->out, capacity, &caps[i]);
        buf_putc(&r->out, ']');
    }
    buf_putc(&r->out, '}');
}

static char *dump(ddb_req_t *r, const json_t *j)
{
    if (!j)
        return NULL;
    char *s = xjson_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out = arena_cstr(&r->arena, str_from_cstr(s));
    free(s);
    return out;
}

/* ---- reads ------------------------------------------------------------------------------ */

/* The GetItem a single-item SELECT is. */
static int read_sub(ddb_req_t *r, bes_entry_t *e, int capacity)
{
    pq_key_t k;
    if (pq_full_key(&e->s.ctx, &e->s.table->ks, PQ_KEY_BATCH_READ, &k))
        return -1;
    json_t *body = json_object();
    json_object_set_new(body, "TableName", json_string(e->s.table->name));
    json_object_set(body, "Key", k.key);
    e->key = k.key;
    if (pqr_projection(r, &e->s, body)) {
        json_decref(body);
        return -1;
    }
    if (e->consistent)
        json_object_set_new(body, "ConsistentRead", json_true());
    if (capacity)
        json_object_set_new(body, "ReturnConsumedCapacity", json_string("INDEXES"));
    e->sub = (pqr_sub_t){"GetItem", op_get_item, body};
    return 0;
}

static req_result_t run_reads(ddb_req_t *r, bes_entry_t *e, size_t n, int capacity)
{
    bes_result_t *res = arena_calloc(&r->arena, n, sizeof *res);
    ops_capacity_t *caps = arena_calloc(&r->arena, n, sizeof *caps);
    size_t ncaps = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].failed) {
            res[i] = (bes_result_t){e[i].code, e[i].message, NULL, NULL};
            continue;
        }
        req_result_t out = pqr_call(r, &e[i].sub);
        if (out.outcome != REQ_OUTCOME_DONE) {
            if (r->err.code == ERR_INTERNAL)
                return REQ_FAILED;
            entry_fail(r, &e[i]);
            res[i] = (bes_result_t){e[i].code, e[i].message, NULL, NULL};
            continue;
        }
        json_t *reply = pqr_reply(r);
        buf_reset(&r->out);
        res[i].item = dump(r, json_object_get(reply, "Item"));
        add_capacity(r, caps, &ncaps, json_object_get(reply, "ConsumedCapacity"));
        json_decref(reply);
    }
    write_reply(r, e, res, n, capacity, caps, ncaps);
    return REQ_DONE;
}

/* ---- writes ----------------------------------------------------------------------------------- */

static int bes_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const bes_plan_t *p = r->plan;
    bes_result_t *res = arena_calloc(&r->arena, p->n, sizeof *res);
    ops_capacity_t *caps = arena_calloc(&r->arena, p->n, sizeof *caps);
    size_t ncaps = 0;
    for (size_t i = 0; i < p->n; i++) {
        const bes_entry_t *e = &p->e[i];
        if (e->failed) {
            res[i] = (bes_result_t){e->code, e->message, NULL, NULL};
            continue;
        }
        int rc = pqr_apply(r, txn, cache, &e->sub);
        if (rc < -1)
            return rc; /* a store error: the writer retries or fails the whole request */
        json_t *reply = rc ? NULL : pqr_reply(r);
        buf_reset(&r->out);
        if (rc) {
            pqr_map_error(&r->err, e->s.stmt);
            res[i] =
                (bes_result_t){r->err.code, arena_cstr(&r->arena, str_from_cstr(r->err.msg)), r->err.extra_json, NULL};
            err_clear(&r->err);
            continue;
        }
        res[i].item = dump(
            r, json_object_size(json_object_get(reply, "Attributes")) ? json_object_get(reply, "Attributes") : NULL);
        add_capacity(r, caps, &ncaps, json_object_get(reply, "ConsumedCapacity"));
        json_decref(reply);
    }
    write_reply(r, p->e, res, p->n, p->capacity, caps, ncaps);
    return 0;
}

static void bes_release(void *plan)
{
    bes_plan_t *p = plan;
    for (size_t i = 0; i < p->n; i++) {
        pqr_sub_release(&p->e[i].sub);
        json_decref(p->e[i].key);
    }
}

static int write_sub(ddb_req_t *r, bes_entry_t *e, int capacity)
{
    if (pqr_write_sub(r, &e->s, pqr_capacity_word(capacity ? 2 : 0), e->old_on_fail, &e->sub))
        return -1;
    const json_t *b = e->sub.body;
    e->key = json_incref(json_object_get(b, "Key"));
    if (!e->key) { /* an INSERT: its key attributes */
        const table_t *t = e->s.table;
        e->key = json_object();
        const key_attr_t *ka[] = {&t->ks.hash, &t->ks.range};
        for (int i = 0; i < 2; i++)
            if (ka[i]->name.len) {
                const char *name = arena_cstr(&r->arena, ka[i]->name);
                json_object_set(e->key, name, json_object_get(json_object_get(b, "Item"), name));
            }
    }
    return 0;
}

/* ---- the request ------------------------------------------------------------------------------- */

static int parse_entries(ddb_req_t *r, const json_t *list, bes_entry_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(list, i);
        if (!json_is_object(entry))
            return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        char *path = arena_printf(&r->arena, "statements.%zu.member.", i + 1);
        str_t text;
        const json_t *params;
        if (pqr_statement_params(r, entry, path, &text, &params))
            return -1;
        e[i].s.text = text;
        e[i].s.params = params;
        json_t *whole = r->body;
        r->body = (json_t *)(uintptr_t)entry;
        int rv = 0;
        int rc = req_bool(r, "ConsistentRead", &e[i].consistent) ||
                 req_enum(r, "ReturnValuesOnConditionCheckFailure", rv_on_failure, &rv, 0);
        r->body = whole;
        if (rc)
            return -1;
        e[i].old_on_fail = rv == 1;
    }
    return req_constraints_done(r);
}

/* Parses and compiles every statement; per-statement failures are kept. */
static int compile_entries(ddb_req_t *r, bes_entry_t *e, size_t n, int capacity, bool *writes)
{
    bool reads = false;
    *writes = false;
    for (size_t i = 0; i < n; i++) {
        int rc = pqr_prepare(r, e[i].s.text, e[i].s.params, true, &e[i].s);
        if (rc < -1)
            return rc;
        if (rc) {
            entry_fail(r, &e[i]);
            continue;
        }
        if (e[i].s.stmt->exists) { /* neither a read nor a write here */
            err_set(&r->err, ERR_VALIDATION, "EXISTS can only be used in ExecuteTransaction write requests.");
            entry_fail(r, &e[i]);
            continue;
        }
        bool w = pq_is_write(e[i].s.stmt);
        *writes = *writes || w;
        reads = reads || !w;
        rc = w ? write_sub(r, &e[i], capacity) : read_sub(r, &e[i], capacity);
        if (rc)
            entry_fail(r, &e[i]);
    }
    if (reads && *writes)
        return err_set(&r->err, ERR_VALIDATION, "Read and write requests together in the same batch is not supported.");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (e[i].key && e[j].key && e[i].s.table == e[j].s.table && json_equal(e[i].key, e[j].key))
                return err_set(&r->err, ERR_VALIDATION, "Provided list of item keys contains duplicates");
    return 0;
}

/* Plans every compiled write with its operation's handler. */
static req_result_t plan_writes(ddb_req_t *r, bes_plan_t *p)
{
    size_t queued = 0;
    for (size_t i = 0; i < p->n; i++) {
        bes_entry_t *e = &p->e[i];
        if (e->failed)
            continue;
        e->with_table = true;
        req_result_t res = pqr_call(r, &e->sub);
        if (res.outcome == REQ_OUTCOME_QUEUED) {
            queued++;
        } else {
            if (r->err.code == ERR_INTERNAL)
                return REQ_FAILED;
            entry_fail(r, e);
        }
    }
    if (queued)
        return req_queue(r, bes_apply, p, bes_release);
    bes_result_t *res = arena_calloc(&r->arena, p->n, sizeof *res);
    for (size_t i = 0; i < p->n; i++)
        res[i] = (bes_result_t){p->e[i].code, p->e[i].message, NULL, NULL};
    write_reply(r, p->e, res, p->n, 0, NULL, 0);
    bes_release(p);
    return REQ_DONE;
}

/* BatchExecuteStatement(Statements: [{Statement, Parameters?,
 *                       ConsistentRead?, ReturnValuesOnConditionCheckFailure?}],
 *                       ReturnConsumedCapacity?) */
req_result_t op_batch_execute_statement(ddb_req_t *r)
{
    const json_t *list;
    bes_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    if (req_array(r, "Statements", true, &list) || ops_return_capacity(r, &p->capacity))
        return REQ_FAILED;
    p->n = list ? json_array_size(list) : 0;
    if (list && p->n < 1)
        req_constraint(r, "'[]'", "statements", "Member must have length greater than or equal to 1");
    if (p->n > BATCH_MAX)
        req_constraint(r, "'[...]'", "statements", "Member must have length less than or equal to 25");
    if (req_constraints_done(r))
        return REQ_FAILED;
    p->e = arena_calloc(&r->arena, p->n, sizeof *p->e);
    bool writes;
    int rc = parse_entries(r, list, p->e, p->n);
    if (!rc)
        rc = compile_entries(r, p->e, p->n, p->capacity, &writes);
    if (rc) {
        bes_release(p);
        return req_result(r, rc);
    }
    for (size_t i = 0; i < p->n; i++)
        p->e[i].with_table = !p->e[i].failed; /* the failures so far came before the table */
    if (!writes) {
        req_result_t res = run_reads(r, p->e, p->n, p->capacity);
        bes_release(p);
        return res;
    }
    return plan_writes(r, p);
}
