/* ops/partiql_txn.c - ExecuteTransaction: up to 100 statements, all reads
 * or all writes, all or nothing.
 *
 * Reads (single-item SELECTs) compile to one TransactGetItems, writes
 * (INSERT, UPDATE, DELETE, and EXISTS / NOT EXISTS as condition checks) to
 * one TransactWriteItems, run through those operations' handlers: one
 * snapshot for the reads; for the writes TransactWriteItems' own apply,
 * with its cancellation reasons and its ClientRequestToken idempotency
 * (the token is remembered with the compiled request, so a retried
 * ExecuteTransaction is answered from it, exactly as a retried
 * TransactWriteItems is). Afterwards the answer is put in PartiQL's
 * words: an INSERT's failed condition is a duplicate item. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ops/partiql_run.h"

#define TXN_MAX 100

static const char *const rv_on_failure[] = {"NONE", "ALL_OLD", NULL};

typedef struct txn_plan {
    pqr_sub_t sub; /* the TransactWriteItems */
    size_t n;
    bool *insert; /* statement i is an INSERT */
} txn_plan_t;

static int statement_failed(ddb_req_t *r, size_t i)
{
    char msg[ERR_MSG_MAX];
    pqr_map_error(&r->err, NULL);
    snprintf(msg, sizeof msg, "%s", r->err.msg);
    err_code_t code = r->err.code;
    err_clear(&r->err);
    if (code != ERR_VALIDATION)
        return err_set(&r->err, code, "%s", msg);
    return err_set(&r->err, ERR_VALIDATION, "Validation failed in TransactStatements[%zu]: %s", i, msg);
}

/* TransactWriteItems' cancellation in PartiQL's words: an INSERT whose
 * condition (that the item be new) failed found a duplicate. */
static void map_cancellation(ddb_req_t *r, const txn_plan_t *p)
{
    json_error_t je;
    char *doc = arena_printf(&r->arena, "{%s}", r->err.extra_json ? r->err.extra_json : "");
    json_t *j = json_loads(doc, 0, &je);
    const json_t *reasons = json_object_get(j, "CancellationReasons");
    if (json_array_size(reasons) != p->n) {
        json_decref(j);
        return;
    }
    cancel_reason_t *out = arena_calloc(&r->arena, p->n, sizeof *out);
    for (size_t i = 0; i < p->n; i++) {
        const json_t *x = json_array_get(reasons, i);
        const char *code = json_string_value(json_object_get(x, "Code"));
        const char *msg = json_string_value(json_object_get(x, "Message"));
        const json_t *item = json_object_get(x, "Item");
        cancel_reason_t *c = &out[i];
        c->code = code && strcmp(code, "None") ? arena_cstr(&r->arena, str_from_cstr(code)) : NULL;
        c->message = msg ? arena_cstr(&r->arena, str_from_cstr(msg)) : NULL;
        if (item) {
            char *s = xjson_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);
            c->item = arena_cstr(&r->arena, str_from_cstr(s));
            free(s);
        }
        if (p->insert[i] && c->code && !strcmp(c->code, "ConditionalCheckFailed"))
            *c = (cancel_reason_t){"ValidationError", "Duplicate primary key exists in table", NULL};
    }
    json_decref(j);
    req_cancel_transaction(r, out, p->n);
}

static int txn_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const txn_plan_t *p = r->plan;
    int rc = pqr_apply(r, txn, cache, &p->sub);
    if (rc == -1 && r->err.code == ERR_TRANSACTION_CANCELED)
        map_cancellation(r, p);
    else if (rc == -1)
        pqr_map_error(&r->err, NULL);
    if (rc)
        return rc;
    json_t *reply = pqr_reply(r);
    buf_reset(&r->out);
    buf_puts(&r->out, "{\"Responses\":[]");
    const json_t *cc = json_object_get(reply, "ConsumedCapacity");
    if (cc) {
        char *s = xjson_dumps(cc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        buf_puts(&r->out, ",\"ConsumedCapacity\":");
        buf_puts(&r->out, s);
        free(s);
    }
    buf_putc(&r->out, '}');
    json_decref(reply);
    return 0;
}

static void txn_release(void *plan) { pqr_sub_release(&((txn_plan_t *)plan)->sub); }

/* ---- compiling the statements --------------------------------------------------------------------- */

typedef struct txn_entry {
    pqr_stmt_t s;
    bool old_on_fail;
} txn_entry_t;

/* One Get of a TransactGetItems. */
static json_t *get_action(ddb_req_t *r, txn_entry_t *e)
{
    if (e->s.index) {
        err_set(&r->err, ERR_VALIDATION, "Reads on indices are not supported within transactions.");
        return NULL;
    }
    pq_key_t k;
    if (pq_full_key(&e->s.ctx, &e->s.table->ks, PQ_KEY_TXN_READ, &k))
        return NULL;
    json_t *get = json_object();
    json_object_set_new(get, "TableName", json_string(e->s.table->name));
    json_object_set_new(get, "Key", k.key);
    if (pqr_projection(r, &e->s, get)) {
        json_decref(get);
        return NULL;
    }
    json_t *action = json_object();
    json_object_set_new(action, "Get", get);
    return action;
}

/* One Put, Update, Delete or ConditionCheck of a TransactWriteItems, its
 * expressions checked (so an error names its statement). *key_error: it
 * failed on the item's key, which cancels the transaction instead. */
static json_t *write_action(ddb_req_t *r, txn_entry_t *e, bool *key_error)
{
    const pq_stmt_t *st = e->s.stmt;
    *key_error = false;
    if (st->returning != PQ_RET_NONE) {
        err_set(&r->err, ERR_VALIDATION, "RETURNING clause is not supported in ExecuteTransaction.");
        return NULL;
    }
    pq_write_t w;
    if (pq_plan_write(&e->s.ctx, &e->s.table->ks, &w)) {
        *key_error = w.key_error;
        pq_write_free(&w);
        return NULL;
    }
    json_t *op = json_object();
    json_object_set_new(op, "TableName", json_string(e->s.table->name));
    json_object_set(op, st->kind == PQ_INSERT ? "Item" : "Key", st->kind == PQ_INSERT ? w.item : w.key);
    if (w.update)
        json_object_set_new(op, "UpdateExpression", json_string(w.update));
    if (w.condition)
        json_object_set_new(op, "ConditionExpression", json_string(w.condition));
    pq_names_attach(&w.names, op);
    pq_write_free(&w);
    if (e->old_on_fail && st->kind != PQ_INSERT)
        json_object_set_new(op, "ReturnValuesOnConditionCheckFailure", json_string("ALL_OLD"));
    ops_exprs_t x;
    if (ops_parse_exprs_of(r, op, OPS_CONDITION | (st->kind == PQ_UPDATE ? OPS_UPDATE : 0), &x)) {
        json_decref(op);
        return NULL;
    }
    const char *kind = st->exists              ? "ConditionCheck"
                       : st->kind == PQ_INSERT ? "Put"
                       : st->kind == PQ_UPDATE ? "Update"
                                               : "Delete";
    json_t *action = json_object();
    json_object_set_new(action, kind, op);
    return action;
}

static int parse_entries(ddb_req_t *r, const json_t *list, txn_entry_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(list, i);
        if (!json_is_object(entry))
            return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        char *path = arena_printf(&r->arena, "transactStatements.%zu.member.", i + 1);
        if (pqr_statement_params(r, entry, path, &e[i].s.text, &e[i].s.params))
            return -1;
        json_t *whole = r->body;
        r->body = (json_t *)(uintptr_t)entry;
        int rv = 0;
        int rc = req_enum(r, "ReturnValuesOnConditionCheckFailure", rv_on_failure, &rv, 0);
        r->body = whole;
        if (rc)
            return -1;
        e[i].old_on_fail = rv == 1;
    }
    return req_constraints_done(r);
}

/* Every statement parsed and its table found; *writes when they write. */
static int prepare_all(ddb_req_t *r, txn_entry_t *e, size_t n, bool *writes)
{
    bool reads = false;
    *writes = false;
    for (size_t i = 0; i < n; i++) {
        int rc = pqr_prepare(r, e[i].s.text, e[i].s.params, true, &e[i].s);
        if (rc)
            return rc < -1 || r->err.code == ERR_RESOURCE_NOT_FOUND ? rc : statement_failed(r, i);
        bool w = pq_is_write(e[i].s.stmt);
        *writes = *writes || w;
        reads = reads || !w;
    }
    if (reads && *writes)
        return err_set(&r->err, ERR_VALIDATION,
                       "ExecuteTransaction API does not support both read and write operations in the same request.");
    return 0;
}

/* The TransactItems; key errors cancel (one reason per statement). */
static int compile_all(ddb_req_t *r, txn_entry_t *e, size_t n, bool writes, json_t *items)
{
    cancel_reason_t *reasons = arena_calloc(&r->arena, n, sizeof *reasons);
    bool cancelled = false;
    for (size_t i = 0; i < n; i++) {
        bool key_error = false;
        json_t *a = writes ? write_action(r, &e[i], &key_error) : get_action(r, &e[i]);
        if (a) {
            json_array_append_new(items, a);
            continue;
        }
        if (!key_error)
            return statement_failed(r, i);
        reasons[i] = (cancel_reason_t){"ValidationError", arena_cstr(&r->arena, str_from_cstr(r->err.msg)), NULL};
        err_clear(&r->err);
        cancelled = true;
    }
    return cancelled ? req_cancel_transaction(r, reasons, n) : 0;
}

/* The request TransactGetItems or TransactWriteItems gets. */
static json_t *transact_body(json_t *items, int capacity, str_t token)
{
    json_t *body = json_object();
    json_object_set_new(body, "TransactItems", items);
    if (pqr_capacity_word(capacity))
        json_object_set_new(body, "ReturnConsumedCapacity", json_string(pqr_capacity_word(capacity)));
    if (token.ptr)
        json_object_set_new(body, "ClientRequestToken", json_stringn(token.ptr, token.len));
    return body;
}

static req_result_t run_writes(ddb_req_t *r, txn_entry_t *e, size_t n, json_t *body)
{
    txn_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    p->sub = (pqr_sub_t){"TransactWriteItems", op_transact_write_items, body};
    p->n = n;
    p->insert = arena_calloc(&r->arena, n, sizeof *p->insert);
    for (size_t i = 0; i < n; i++)
        p->insert[i] = e[i].s.stmt->kind == PQ_INSERT && !e[i].s.stmt->exists;
    req_result_t res = pqr_call(r, &p->sub);
    if (res.outcome != REQ_OUTCOME_QUEUED) {
        pqr_map_error(&r->err, NULL);
        pqr_sub_release(&p->sub);
        return res.outcome == REQ_OUTCOME_DONE ? req_result(r, STORE_ERR_IO) : res;
    }
    return req_queue(r, txn_apply, p, txn_release);
}

/* ExecuteTransaction(TransactStatements: [{Statement, Parameters?,
 *                    ReturnValuesOnConditionCheckFailure?}],
 *                    ClientRequestToken?, ReturnConsumedCapacity?) */
req_result_t op_execute_transaction(ddb_req_t *r)
{
    const json_t *list;
    int capacity;
    str_t token;
    if (req_array(r, "TransactStatements", true, &list) || ops_return_capacity(r, &capacity) ||
        req_string(r, "ClientRequestToken", false, &token))
        return REQ_FAILED;
    size_t n = list ? json_array_size(list) : 0;
    if (list && n < 1)
        req_constraint(r, "'[]'", "transactStatements", "Member must have length greater than or equal to 1");
    if (n > TXN_MAX)
        req_constraint(r, "'[...]'", "transactStatements", "Member must have length less than or equal to 100");
    if (token.ptr)
        req_check_length(r, token, "clientRequestToken", 1, 36);
    if (req_constraints_done(r))
        return REQ_FAILED;
    txn_entry_t *e = arena_calloc(&r->arena, n, sizeof *e);
    bool writes;
    int rc = parse_entries(r, list, e, n);
    if (!rc)
        rc = prepare_all(r, e, n, &writes);
    if (rc)
        return req_result(r, rc);
    json_t *items = json_array();
    if ((rc = compile_all(r, e, n, writes, items)) != 0) {
        json_decref(items);
        return req_result(r, rc);
    }
    json_t *body = transact_body(items, capacity, writes ? token : STR_NULL);
    if (writes)
        return run_writes(r, e, n, body);
    pqr_sub_t sub = {"TransactGetItems", op_transact_get_items, body};
    req_result_t res = pqr_call(r, &sub);
    pqr_sub_release(&sub);
    if (res.outcome == REQ_OUTCOME_FAILED)
        pqr_map_error(&r->err, NULL);
    return res;
}
