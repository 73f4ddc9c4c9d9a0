/* ops/partiql_run.c - running PartiQL statements through the operations
 * they compile to (see partiql_run.h). */
#include "ops/partiql_run.h"

#include <stdlib.h>
#include <string.h>

#include "base/json_fast.h"
#include "base/alloc.h"

/* ---- one statement ------------------------------------------------------------------ */

/* A statement too long to quote whole in a message (they are bounded):
 * its start, cut at a character boundary. */
static const char *quoted_start(ddb_req_t *r, str_t text)
{
    size_t n = 64;
    while (n > 0 && ((unsigned char)text.ptr[n] & 0xC0) == 0x80)
        n--;
    return arena_printf(&r->arena, "'%.*s...'", (int)n, text.ptr);
}

int pqr_statement_params(ddb_req_t *r, const json_t *entry, const char *path, str_t *text, const json_t **params)
{
    json_t *whole = r->body;
    r->body = (json_t *)(uintptr_t)entry; /* req_* read r->body; nothing writes */
    int rc = req_string(r, "Statement", false, text) || req_array(r, "Parameters", false, params) ? -1 : 0;
    r->body = whole;
    if (rc)
        return -1;
    char *field = arena_printf(&r->arena, "%sstatement", path);
    if (!text->ptr)
        req_constraint(r, "null", field, "Member must not be null");
    else if (text->len > PQ_MAX_STATEMENT)
        req_constraint(r, quoted_start(r, *text), field, "Member must have length less than or equal to 8192");
    else
        req_check_length(r, *text, field, 1, PQ_MAX_STATEMENT);
    if (*params && json_array_size(*params) == 0)
        req_constraint(r, "'[]'", arena_printf(&r->arena, "%sparameters", path),
                       "Member must have length greater than or equal to 1");
    return 0;
}

/* DynamoDB's rule for table names, as PartiQL words it. */
static bool table_name_ok(str_t name)
{
    if (name.len < 3 || name.len > 255)
        return false;
    for (size_t i = 0; i < name.len; i++) {
        char c = name.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    }
    return true;
}

static int find_table(ddb_req_t *r, pqr_stmt_t *s)
{
    str_t name = s->stmt->table;
    if (!table_name_ok(name))
        return err_set(&r->err, ERR_VALIDATION,
                       "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', "
                       "'_', '.'.");
    int rc = catalog_lookup(r->env->loop_catalog, r->txn, r->ns, name, &s->table);
    if (rc)
        return rc;
    if (!s->table)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    if (s->stmt->index.ptr) {
        s->index = table_index(s->table, s->stmt->index);
        if (!s->index)
            return err_set(&r->err, ERR_VALIDATION, "The table does not have the specified index: %.*s",
                           STR_FMT(s->stmt->index));
    }
    return 0;
}

int pqr_prepare(ddb_req_t *r, str_t text, const json_t *params, bool want_table, pqr_stmt_t *s)
{
    memset(s, 0, sizeof *s);
    s->text = text;
    s->params = params;
    if (pq_parse(&r->arena, text, &s->stmt, &r->err))
        return -1;
    if ((params ? json_array_size(params) : 0) != s->stmt->nparams)
        return err_set(&r->err, ERR_VALIDATION, "Number of parameters in request and statement don't match.");
    for (size_t i = 0; params && i < json_array_size(params); i++) {
        value_t v;
        if (value_from_json(&r->arena, json_array_get(params, i), &v, &r->err))
            return -1;
    }
    s->ctx = (pq_ctx_t){&r->arena, s->stmt, params, &r->err};
    return want_table ? find_table(r, s) : 0;
}

/* ---- operations' handlers, called on compiled bodies ---------------------------------------- */

static void reset_checks(ddb_req_t *r)
{
    r->nchecks = 0;
    buf_reset(&r->checks);
    r->table_ref_problem = NULL;
}

req_result_t pqr_call(ddb_req_t *r, pqr_sub_t *sub)
{
    json_t *body = r->body;
    const char *op = r->op;
    r->body = sub->body;
    r->op = sub->op; /* what the handler's messages and legacy rules key on */
    reset_checks(r);
    req_result_t res = sub->handler(r);
    if (res.outcome == REQ_OUTCOME_QUEUED) {
        sub->apply = r->apply;
        sub->plan = r->plan;
        sub->release = r->release;
        r->apply = NULL;
        r->plan = NULL;
        r->release = NULL;
    }
    r->body = body;
    r->op = op;
    reset_checks(r);
    return res;
}

int pqr_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const pqr_sub_t *sub)
{
    /* The sub's apply reads its own request: its body, name and plan. The
     * PartiQL plan (r->plan) is put back untouched before returning. */
    json_t *body = r->body;
    const char *op = r->op;
    const void *plan = r->plan;
    r->body = sub->body;
    r->op = sub->op;
    r->plan = sub->plan;
    int rc = sub->apply(r, txn, cache);
    r->body = body;
    r->op = op;
    r->plan = plan;
    return rc;
}

void pqr_sub_release(pqr_sub_t *sub)
{
    if (sub->release && sub->plan)
        sub->release((void *)(uintptr_t)sub->plan);
    json_decref(sub->body);
    memset(sub, 0, sizeof *sub);
}

const char *pqr_capacity_word(int mode) { return mode == 2 ? "INDEXES" : mode == 1 ? "TOTAL" : NULL; }

static const char *const return_words[] = {NULL, "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};

int pqr_write_sub(ddb_req_t *r, pqr_stmt_t *s, const char *capacity, bool old_on_fail, pqr_sub_t *sub)
{
    pq_write_t w;
    if (pq_plan_write(&s->ctx, &s->table->ks, &w)) {
        pq_write_free(&w);
        return -1;
    }
    json_t *body = json_object();
    json_object_set_new(body, "TableName", json_string(s->table->name));
    const pq_stmt_t *st = s->stmt;
    if (st->kind == PQ_INSERT) {
        *sub = (pqr_sub_t){.op = "PutItem", .handler = op_put_item};
        json_object_set(body, "Item", w.item);
    } else {
        *sub = st->kind == PQ_UPDATE ? (pqr_sub_t){.op = "UpdateItem", .handler = op_update_item}
                                     : (pqr_sub_t){.op = "DeleteItem", .handler = op_delete_item};
        json_object_set(body, "Key", w.key);
        if (w.update)
            json_object_set_new(body, "UpdateExpression", json_string(w.update));
        if (return_words[st->returning])
            json_object_set_new(body, "ReturnValues", json_string(return_words[st->returning]));
        if (old_on_fail)
            json_object_set_new(body, "ReturnValuesOnConditionCheckFailure", json_string("ALL_OLD"));
    }
    if (w.condition)
        json_object_set_new(body, "ConditionExpression", json_string(w.condition));
    pq_names_attach(&w.names, body);
    if (capacity)
        json_object_set_new(body, "ReturnConsumedCapacity", json_string(capacity));
    pq_write_free(&w);
    sub->body = body;
    return 0;
}

/* ---- replies and errors ------------------------------------------------------------------------ */

#define EAV_INVALID "ExpressionAttributeValues contains invalid value: "

void pqr_map_error(err_t *e, const pq_stmt_t *s)
{
    if (s && s->kind == PQ_INSERT && s->exists == 0 && e->code == ERR_CONDITIONAL_CHECK_FAILED) {
        err_clear(e);
        err_set(e, ERR_DUPLICATE_ITEM, "Duplicate primary key exists in table");
        return;
    }
    static const char *const prefixes[] = {
        "Invalid ConditionExpression: ",    "Invalid UpdateExpression: ",     "Invalid FilterExpression: ",
        "Invalid KeyConditionExpression: ", "Invalid ProjectionExpression: ", EAV_INVALID};
    size_t last = sizeof prefixes / sizeof *prefixes - 1;
    for (size_t i = 0; i <= last; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(e->msg, prefixes[i], n) != 0)
            continue;
        memmove(e->msg, e->msg + n, strlen(e->msg + n) + 1);
        char *tail = i == last ? strstr(e->msg, " for key :") : NULL;
        if (tail) /* the placeholder is ours, not the caller's */
            *tail = '\0';
        return;
    }
}

json_t *pqr_reply(ddb_req_t *r)
{
    return json_fast_loadb(r->out.data ? r->out.data : "", r->out.len);
}

void pqr_write_items(buf_t *out, const json_t *reply)
{
    const json_t *attrs = json_object_get(reply, "Attributes");
    jw_key(out, "Items");
    buf_putc(out, '[');
    if (json_object_size(attrs)) {
        char *s = xjson_dumps(attrs, JSON_COMPACT | JSON_PRESERVE_ORDER);
        buf_puts(out, s);
        free(s);
    }
    buf_putc(out, ']');
}

int pqr_projection(ddb_req_t *r, const pqr_stmt_t *s, json_t *body)
{
    const pq_stmt_t *st = s->stmt;
    if (st->star)
        return 0;
    pq_names_t x;
    pq_names_init(&x);
    buf_t b = BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; i < st->nproj && !rc; i++) {
        if (i)
            buf_puts(&b, ", ");
        rc = st->proj[i]->kind == PQ_N_PATH ? pq_path_text(&s->ctx, &x, st->proj[i], &b)
                                            : err_set(&r->err, ERR_VALIDATION, "Unexpected path component");
    }
    json_object_set_new(body, "ProjectionExpression", json_stringn(b.data ? b.data : "", b.len));
    buf_free(&b);
    pq_names_attach(&x, body);
    pq_names_free(&x);
    return rc;
}
