/* ops/partiql.c - ExecuteStatement: one PartiQL statement.
 *
 * A SELECT reads on the loop thread (partiql_select.c). INSERT, UPDATE and
 * DELETE compile to a PutItem, UpdateItem or DeleteItem whose handler
 * plans it as its own; the write is queued with that plan, and its reply
 * is turned into ExecuteStatement's after the operation's apply ran. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "ops/partiql_run.h"

static const char *const rv_on_failure[] = {"NONE", "ALL_OLD", NULL};

typedef struct es_plan {
    pqr_sub_t sub;
    const pq_stmt_t *stmt;
} es_plan_t;

/* The operation's reply as ExecuteStatement's: the item RETURNING asks
 * for as Items, and the consumed capacity. */
static int es_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const es_plan_t *p = r->plan;
    int rc = pqr_apply(r, txn, cache, &p->sub);
    if (rc == -1)
        pqr_map_error(&r->err, p->stmt);
    if (rc)
        return rc;
    json_t *reply = pqr_reply(r);
    buf_reset(&r->out);
    buf_putc(&r->out, '{');
    pqr_write_items(&r->out, reply);
    const json_t *cc = json_object_get(reply, "ConsumedCapacity");
    if (cc) {
        char *s = xjson_dumps(cc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        jw_key(&r->out, "ConsumedCapacity");
        buf_puts(&r->out, s);
        free(s);
    }
    buf_putc(&r->out, '}');
    json_decref(reply);
    return 0;
}

static void es_release(void *plan) { pqr_sub_release(&((es_plan_t *)plan)->sub); }

static req_result_t write_statement(ddb_req_t *r, pqr_stmt_t *s, int capacity, bool old_on_fail)
{
    if (s->stmt->exists)
        return req_fail(r, ERR_VALIDATION, "EXISTS can only be used in ExecuteTransaction write requests.");
    es_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    p->stmt = s->stmt;
    if (pqr_write_sub(r, s, pqr_capacity_word(capacity), old_on_fail, &p->sub))
        return REQ_FAILED;
    req_result_t res = pqr_call(r, &p->sub);
    if (res.outcome != REQ_OUTCOME_QUEUED) {
        pqr_map_error(&r->err, s->stmt);
        pqr_sub_release(&p->sub);
        return res.outcome == REQ_OUTCOME_DONE ? req_result(r, STORE_ERR_IO) : res;
    }
    return req_queue(r, es_apply, p, es_release);
}

/* ExecuteStatement(Statement, Parameters?, ConsistentRead?, NextToken?,
 *                  ReturnConsumedCapacity?, Limit?,
 *                  ReturnValuesOnConditionCheckFailure?) */
req_result_t op_execute_statement(ddb_req_t *r)
{
    str_t text, token;
    const json_t *params;
    pqr_read_opts_t o = {0};
    int rv_fail;
    bool has_limit;
    if (pqr_statement_params(r, r->body, "", &text, &params) || req_bool(r, "ConsistentRead", &o.consistent) ||
        req_string(r, "NextToken", false, &token) || req_int(r, "Limit", &o.limit, &has_limit) ||
        ops_return_capacity(r, &o.capacity) ||
        req_enum(r, "ReturnValuesOnConditionCheckFailure", rv_on_failure, &rv_fail, 0))
        return REQ_FAILED;
    if (token.ptr)
        req_check_length(r, token, "nextToken", 1, 32768);
    if (has_limit && o.limit < 1)
        req_constraint(r, arena_printf(&r->arena, "'%lld'", (long long)o.limit), "limit",
                       "Member must have value greater than or equal to 1");
    if (req_constraints_done(r))
        return REQ_FAILED;
    o.next_token = token;
    pqr_stmt_t s;
    int rc = pqr_prepare(r, text, params, true, &s);
    if (rc)
        return req_result(r, rc);
    if (!pq_is_write(s.stmt))
        return pqr_select(r, &s, &o);
    return write_statement(r, &s, o.capacity, rv_fail == 1);
}
