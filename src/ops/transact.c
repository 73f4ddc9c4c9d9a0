/* ops/transact.c - TransactGetItems and TransactWriteItems.
 *
 * Every Get reads from one LMDB read transaction: a snapshot, so the items
 * returned are consistent with each other as DynamoDB promises. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "base/clock.h"
#include "base/alloc.h"
#include "storage/index.h"
#include "storage/itemstore.h"
#include "ops/ops.h"

#define TRANSACT_MAX_ITEMS 100
#define TRANSACT_MAX_BYTES (4u * 1024 * 1024)

typedef struct transact_get {
    const table_t *table;
    value_t key;
    key_buf_t kb;
    ops_exprs_t x;
    const char *invalid; /* a ValidationError cancelling the transaction (its message), or NULL */
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
    str_t bare;
    const char *bad = req_table_ref(str_from_cstr(json_string_value(name)), true, &bare);
    if (bad)
        return err_set(&r->err, ERR_VALIDATION, "%s", bad);
    if (ops_parse_exprs_of(r, get, OPS_PROJECTION, &g->x) || ops_item_of(r, get, "Key", &g->key))
        return -1;
    int rc = req_table_named(r, txn, r->env->loop_catalog, bare, &g->table);
    if (rc)
        return rc;
    /* a key that does not fit the table cancels the transaction, as a
     * ValidationError reason (AWS, in the conformance suite) */
    if (key_check_key(&g->table->ks, &g->key, &r->err)) {
        g->invalid = arena_cstr(&r->arena, str_from_cstr(r->err.msg));
        err_clear(&r->err);
        return 0;
    }
    key_encode(g->table->id, &g->table->ks, &g->key, &g->kb);
    return 0;
}

/* TransactionCanceledException when a Get was invalid: its reason
 * ValidationError, the others None. */
static int get_cancel(ddb_req_t *r, const transact_get_t *gets, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || gets[i].invalid;
    if (!any)
        return 0;
    cancel_reason_t *reasons = arena_calloc(&r->arena, n, sizeof *reasons);
    for (size_t i = 0; i < n; i++)
        if (gets[i].invalid)
            reasons[i] = (cancel_reason_t){"ValidationError", gets[i].invalid, NULL};
    return req_cancel_transaction(r, reasons, n);
}

/* TransactGetItems(TransactItems: [{Get: {TableName, Key,
 *                  ProjectionExpression?, ExpressionAttributeNames?}}],
 *                  ReturnConsumedCapacity?) */
req_result_t op_transact_get_items(ddb_req_t *r)
{
    const json_t *actions;
    int capacity;
    if (req_array(r, "TransactItems", true, &actions) || ops_return_capacity(r, &capacity) || req_constraints_done(r))
        return REQ_FAILED;
    size_t n = json_array_size(actions);
    if (n < 1 || n > TRANSACT_MAX_ITEMS)
        return req_fail(r, ERR_VALIDATION,
                        "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                        "Member must have length %s",
                        n < 1 ? "greater than or equal to 1" : "less than or equal to 100");
    transact_get_t *gets = arena_calloc(&r->arena, n, sizeof *gets);
    store_txn_t *txn = r->txn;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = parse_get(r, txn, json_array_get(actions, i), &gets[i]);
        for (size_t j = 0; j < i && !rc; j++)
            if (!gets[i].invalid && !gets[j].invalid && gets[j].kb.len == gets[i].kb.len &&
                memcmp(gets[j].kb.b, gets[i].kb.b, gets[i].kb.len) == 0)
                rc = err_set(&r->err, ERR_VALIDATION,
                             "Transaction request cannot include multiple operations on one item");
    }
    if (!rc)
        rc = get_cancel(r, gets, n);
    ops_capacity_t *caps = arena_calloc(&r->arena, n, sizeof *caps);
    size_t ncaps = 0;
    if (!rc)
        buf_puts(&r->out, "{\"Responses\":[");
    for (size_t i = 0; i < n && !rc; i++) {
        value_t item;
        bool found;
        rc = itemstore_get(txn, &r->arena, gets[i].table, &gets[i].kb, &item, &found);
        if (rc)
            break;
        /* transactional reads cost twice a consistent read */
        ops_capacity_of(caps, &ncaps, gets[i].table->name)->table_units +=
            2 * ops_read_units(found ? item_size(&item) : 0, true);
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
            for (size_t i = 0; i < ncaps; i++)
                ops_capacity_json(&r->out, capacity, &caps[i]);
            buf_putc(&r->out, ']');
        }
        buf_putc(&r->out, '}');
    }
    return req_result(r, rc);
}

/* ---- TransactWriteItems ------------------------------------------------------ */

/* The four action kinds, in the order DynamoDB's messages name them. */
enum { TW_CHECK, TW_PUT, TW_UPDATE, TW_DELETE, TW_KINDS };
static const char *const tw_members[TW_KINDS] = {"ConditionCheck", "Put", "Update", "Delete"};
static const char *const tw_paths[TW_KINDS] = {"conditionCheck", "put", "update", "delete"};
static const char *const tw_rv_on_failure[] = {"NONE", "ALL_OLD", NULL};

/* Why an action cancels the transaction (CancellationReasons[].Code). */
enum { TW_OK, TW_CONDITION_FAILED, TW_VALIDATION, TW_COLLECTION_FULL };

typedef struct tw_action {
    int kind; /* TW_* */
    str_t table_name;
    value_t item; /* Put: the item; the others: the Key */
    ops_exprs_t x;
    bool old_on_failure; /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    /* filled on the writer thread, in tw_apply's copy of the plan */
    const table_t *table;
    key_buf_t kb;
    value_t old, new_item;
    bool found, write; /* write: new_item is to be stored */
    int outcome; /* TW_OK, TW_CONDITION_FAILED, TW_VALIDATION */
    const char *message; /* TW_VALIDATION's text */
    itemstore_effect_t effect; /* the index writes it caused */
} tw_action_t;

typedef struct tw_plan {
    size_t n;
    tw_action_t *actions;
    int capacity; /* ReturnConsumedCapacity */
    int metrics; /* ReturnItemCollectionMetrics */
    str_t token; /* ClientRequestToken; ptr NULL when absent */
    uint8_t hash[16]; /* of the parameters a replay must repeat */
} tw_plan_t;

static int tw_null_member(ddb_req_t *r, size_t i, int kind, const char *field)
{
    return err_set(&r->err, ERR_VALIDATION,
                   "1 validation error detected: Value null at 'transactItems.%zu.member.%s.%s' failed to "
                   "satisfy constraint: Member must not be null",
                   i + 1, tw_paths[kind], field);
}

/* The action's one operation member, or a ValidationException. */
static int tw_kind_of(ddb_req_t *r, const json_t *action, int *kind, const json_t **op)
{
    int count = 0;
    for (int k = 0; k < TW_KINDS; k++) {
        const json_t *v = json_is_object(action) ? json_object_get(action, tw_members[k]) : NULL;
        if (v && !json_is_null(v)) {
            if (!json_is_object(v))
                return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
            *kind = k;
            *op = v;
            count++;
        }
    }
    if (count == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request");
    if (count > 1)
        return err_set(&r->err, ERR_VALIDATION, "TransactItems can only contain one of Check, Put, Update or Delete");
    return 0;
}

/* ReturnValuesOnConditionCheckFailure of one action (req_enum reads r->body). */
static int tw_rv_of(ddb_req_t *r, const json_t *op, bool *old_on_failure)
{
    json_t *whole = r->body;
    r->body = (json_t *)op;
    int rv = 0;
    int rc = req_enum(r, "ReturnValuesOnConditionCheckFailure", tw_rv_on_failure, &rv, 0);
    r->body = whole;
    *old_on_failure = rv == 1;
    return rc;
}

/* Everything about one action that needs no table: members, values and
 * expressions, checked on the loop thread. */
static int tw_parse_action(ddb_req_t *r, size_t i, const json_t *action, tw_action_t *a)
{
    const json_t *op = NULL;
    if (tw_kind_of(r, action, &a->kind, &op))
        return -1;
    const json_t *name = json_object_get(op, "TableName");
    if (!json_is_string(name))
        return tw_null_member(r, i, a->kind, "tableName");
    const char *bad = req_table_ref(str_from_cstr(json_string_value(name)), true, &a->table_name);
    if (bad)
        return err_set(&r->err, ERR_VALIDATION, "%s", bad);
    const char *item_member = a->kind == TW_PUT ? "Item" : "Key";
    if (!json_object_get(op, item_member))
        return tw_null_member(r, i, a->kind, a->kind == TW_PUT ? "item" : "key");
    if (a->kind == TW_CHECK && !json_object_get(op, "ConditionExpression"))
        return tw_null_member(r, i, a->kind, "conditionExpression");
    if (a->kind == TW_UPDATE && !json_object_get(op, "UpdateExpression"))
        return tw_null_member(r, i, a->kind, "updateExpression");
    if (ops_item_of(r, op, item_member, &a->item) || tw_rv_of(r, op, &a->old_on_failure))
        return -1;
    if (a->kind == TW_PUT && item_size(&a->item) > ITEM_MAX_BYTES)
        return err_set(&r->err, ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    return ops_parse_exprs_of(r, op, a->kind == TW_UPDATE ? OPS_UPDATE | OPS_CONDITION : OPS_CONDITION, &a->x);
}

/* Tables, keys and duplicates: checked in the writer's transaction, before
 * any condition, so that a request DynamoDB rejects outright writes nothing
 * and reports no cancellation. */
static int tw_resolve(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, tw_plan_t *p)
{
    for (size_t i = 0; i < p->n; i++) {
        tw_action_t *a = &p->actions[i];
        int rc = catalog_lookup(cache, txn, r->ns, a->table_name, &a->table);
        if (rc < 0)
            return rc;
        if (!a->table || a->table->restoring)
            return req_table_not_found(r, a->table_name);
        const key_schema_t *ks = &a->table->ks;
        if (a->kind == TW_PUT ? key_check_item(ks, &a->item, &r->err) : key_check_key(ks, &a->item, &r->err))
            return -1;
        key_encode(a->table->id, ks, &a->item, &a->kb);
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < i; j++)
            if (p->actions[j].kb.len == p->actions[i].kb.len &&
                memcmp(p->actions[j].kb.b, p->actions[i].kb.b, p->actions[i].kb.len) == 0)
                return err_set(&r->err, ERR_VALIDATION,
                               "Transaction request cannot include multiple operations on one item");
    return 0;
}

/* Records a ValidationError outcome from r->err, which is then cleared:
 * one action's failure must not become the request's error. */
static void tw_validation_failed(ddb_req_t *r, tw_action_t *a)
{
    a->outcome = TW_VALIDATION;
    a->message = arena_cstr(&r->arena, str_from_cstr(r->err.msg));
    err_clear(&r->err);
}

static int tw_update_key_touched(ddb_req_t *r, const tw_action_t *a)
{
    const key_attr_t *keys[] = {&a->table->ks.hash, &a->table->ks.range};
    for (int i = 0; i < 2; i++)
        if (keys[i]->name.len && expr_update_touches(a->x.update, keys[i]->name))
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: Cannot update attribute %.*s. This "
                           "attribute is part of the key",
                           STR_FMT(keys[i]->name));
    return 0;
}

/* Computes the item an Update leaves, or sets r->err. */
static int tw_update_item(ddb_req_t *r, tw_action_t *a)
{
    /* An absent item starts as its key, as with UpdateItem. */
    const value_t *base = a->found ? &a->old : &a->item;
    if (expr_update_apply(&r->arena, a->x.update, base, &a->new_item, &r->err))
        return -1;
    if (item_size(&a->new_item) > ITEM_MAX_BYTES)
        return err_set(&r->err, ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    /* An update of a missing item that leaves only the key creates nothing. */
    a->write = a->found || a->new_item.m.n != a->item.m.n;
    return 0;
}

/* Reads the action's item and decides its outcome; writes nothing. */
static int tw_evaluate(ddb_req_t *r, store_txn_t *txn, tw_action_t *a)
{
    /* The writer may run an apply twice (its one-by-one retry): start clean. */
    a->outcome = TW_OK;
    a->write = false;
    a->message = NULL;
    a->effect.n_index = 0;
    int rc = itemstore_get(txn, &r->arena, a->table, &a->kb, &a->old, &a->found);
    if (rc)
        return rc;
    const value_t *old = a->found ? &a->old : NULL;
    if (a->kind == TW_UPDATE && tw_update_key_touched(r, a)) {
        tw_validation_failed(r, a);
        return 0;
    }
    bool ok = true;
    if (a->x.condition && expr_eval(a->x.condition, old, &ok, &r->err)) {
        tw_validation_failed(r, a);
        return 0;
    }
    if (!ok) {
        a->outcome = TW_CONDITION_FAILED;
        return 0;
    }
    if (a->kind == TW_UPDATE && tw_update_item(r, a))
        tw_validation_failed(r, a);
    else if (a->kind == TW_PUT)
        a->new_item = a->item, a->write = true;
    if (a->outcome == TW_OK && a->write && (rc = index_check_write(txn, a->table, old, &a->new_item, &r->err)) != 0) {
        if (rc < -1)
            return rc;
        bool full = r->err.code == ERR_ITEM_COLLECTION_SIZE;
        tw_validation_failed(r, a);
        if (full)
            a->outcome = TW_COLLECTION_FULL;
    }
    return 0;
}

static const char *tw_code(int outcome)
{
    return outcome == TW_CONDITION_FAILED  ? "ConditionalCheckFailed"
           : outcome == TW_VALIDATION      ? "ValidationError"
           : outcome == TW_COLLECTION_FULL ? "ItemCollectionSizeLimitExceeded"
                                           : "None";
}

/* TransactionCanceledException with one CancellationReasons entry per
 * action, in request order. */
static int tw_cancel(ddb_req_t *r, const tw_plan_t *p)
{
    cancel_reason_t *reasons = arena_calloc(&r->arena, p->n, sizeof *reasons);
    for (size_t i = 0; i < p->n; i++) {
        const tw_action_t *a = &p->actions[i];
        cancel_reason_t *c = &reasons[i];
        if (a->outcome == TW_CONDITION_FAILED) {
            *c = (cancel_reason_t){"ConditionalCheckFailed", "The conditional request failed", NULL};
            if (a->old_on_failure && a->found) {
                buf_t item = BUF_INIT;
                item_to_json(&item, &a->old);
                c->item = arena_cstr(&r->arena, (str_t){item.data, item.len});
                buf_free(&item);
            }
        } else if (a->outcome == TW_VALIDATION || a->outcome == TW_COLLECTION_FULL) {
            *c = (cancel_reason_t){tw_code(a->outcome), a->message, NULL};
        }
    }
    return req_cancel_transaction(r, reasons, p->n);
}

/* {} or {"ConsumedCapacity":[...]}: two write units per KB of each item
 * (the larger of its old and new sizes), summed per table. */
/* "ItemCollectionMetrics" for the items written to tables with LSIs. */
static int tw_metrics(ddb_req_t *r, store_txn_t *txn, const tw_plan_t *p)
{
    size_t n = p->n ? p->n : 1;
    const table_t **tables = arena_alloc(&r->arena, n * sizeof *tables);
    const value_t **items = arena_alloc(&r->arena, n * sizeof *items);
    for (size_t i = 0; i < p->n; i++) {
        tables[i] = p->actions[i].table;
        items[i] = p->actions[i].kind == TW_CHECK ? NULL : &p->actions[i].item;
    }
    return ops_collection_metrics_map(r, txn, p->n, tables, items);
}

static int tw_reply(ddb_req_t *r, store_txn_t *txn, const tw_plan_t *p)
{
    buf_putc(&r->out, '{');
    if (p->capacity) {
        ops_capacity_t *caps = arena_calloc(&r->arena, p->n, sizeof *caps);
        size_t ncaps = 0;
        for (size_t i = 0; i < p->n; i++) {
            const tw_action_t *a = &p->actions[i];
            size_t bytes = a->write ? item_size(&a->new_item) : 0, old_bytes = a->found ? item_size(&a->old) : 0;
            ops_capacity_t *cap = ops_capacity_of(caps, &ncaps, a->table->name);
            cap->table_units += 2 * ops_write_units(bytes > old_bytes ? bytes : old_bytes);
            ops_capacity_add_effect(cap, &a->effect, true);
        }
        buf_puts(&r->out, "\"ConsumedCapacity\":[");
        for (size_t i = 0; i < ncaps; i++)
            ops_capacity_json(&r->out, p->capacity, &caps[i]);
        buf_putc(&r->out, ']');
    }
    int rc = p->metrics ? tw_metrics(r, txn, p) : 0;
    buf_putc(&r->out, '}');
    return rc;
}

/* ---- ClientRequestToken ------------------------------------------------------ */

#define TW_TOKEN_TTL_MS (10u * 60 * 1000) /* remembered 10 minutes after completion */
#define TW_TOKEN_HEAD 24 /* completion time (8) + parameter hash (16) */
#define TW_TOKEN_SWEEP 8 /* entries checked for expiry per stored token */

/* The clock tokens expire by: ddbd's clock, which tests can move. */
static uint64_t tw_now_ms(void) { return (uint64_t)clock_now_ms(); }

static uint64_t tw_u64_le(const char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | (uint8_t)p[i];
    return v;
}

static bool tw_token_expired(str_t val, uint64_t now)
{
    /* A clock that went back leaves the token young rather than expired. */
    return val.len < TW_TOKEN_HEAD || now >= tw_u64_le(val.ptr) + TW_TOKEN_TTL_MS;
}

/* What a replay must repeat: TransactItems, members in sorted order so
 * that their order does not matter. ReturnConsumedCapacity is left out:
 * DynamoDB (Local, checked) replays a request that changes only it. */
static void tw_hash_params(const json_t *actions, uint8_t out[16])
{
    char *dump = xjson_dumps(actions, JSON_COMPACT | JSON_SORT_KEYS);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(dump, strlen(dump)));
    memcpy(out, c.digest, sizeof c.digest);
    free(dump);
}

/* Tokens are per namespace: namespace \0 token. */
static str_t tw_token_key(ddb_req_t *r, const tw_plan_t *p)
{
    size_t ns_len = strlen(r->ns);
    char *k = arena_alloc(&r->arena, ns_len + 1 + p->token.len);
    memcpy(k, r->ns, ns_len + 1);
    memcpy(k + ns_len + 1, p->token.ptr, p->token.len);
    return (str_t){k, ns_len + 1 + p->token.len};
}

/* A live token answers the request: 1 with its reply in r->out (the same
 * parameters), -1 with IdempotentParameterMismatchException (others), a
 * store error, or 0 when the token is unknown or expired (a new request,
 * whose success overwrites it). Writes nothing. */
static int tw_token_replay(ddb_req_t *r, store_txn_t *txn, const tw_plan_t *p, str_t key)
{
    str_t v;
    int rc = store_get(txn, STORE_DB_TOKENS, key, &v);
    if (rc == STORE_NOTFOUND || (rc == 0 && tw_token_expired(v, tw_now_ms())))
        return 0;
    if (rc)
        return rc;
    if (memcmp(v.ptr + 8, p->hash, sizeof p->hash) != 0)
        return err_set(&r->err, ERR_IDEMPOTENT_MISMATCH, "%s", ""); /* DynamoDB's message is empty */
    /* The stored reply, but no ConsumedCapacity unless this call asks. */
    if (p->capacity)
        buf_append(&r->out, v.ptr + TW_TOKEN_HEAD, v.len - TW_TOKEN_HEAD);
    else
        buf_puts(&r->out, "{}");
    return 1;
}

/* Deletes expired tokens among the few entries after key (wrapping to the
 * first). Tokens are random, so successive sweeps visit the whole database
 * evenly while each write's cost stays bounded. */
static int tw_token_sweep(ddb_req_t *r, store_txn_t *txn, str_t key)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TOKENS, &c);
    if (rc)
        return rc;
    str_t dead[TW_TOKEN_SWEEP], k, v;
    size_t ndead = 0;
    uint64_t now = tw_now_ms();
    rc = store_cursor_seek(c, key, &k, &v);
    for (int i = 0; i < TW_TOKEN_SWEEP && rc == 0; i++) {
        rc = store_cursor_next(c, &k, &v);
        if (rc == STORE_NOTFOUND)
            rc = store_cursor_seek(c, (str_t){NULL, 0}, &k, &v);
        if (rc == 0 && tw_token_expired(v, now))
            dead[ndead++] = arena_strdup(&r->arena, k); /* map bytes move once we delete */
    }
    store_cursor_close(c);
    if (rc < 0)
        return rc;
    /* A small database may list one key twice: NOTFOUND is fine. */
    for (size_t i = 0; i < ndead; i++)
        if ((rc = store_del(txn, STORE_DB_TOKENS, dead[i])) < 0)
            return rc;
    return 0;
}

/* Remembers a successful transaction's token with its reply (r->out). */
static int tw_token_store(ddb_req_t *r, store_txn_t *txn, const tw_plan_t *p, str_t key)
{
    size_t n = TW_TOKEN_HEAD + r->out.len;
    char *v = arena_alloc(&r->arena, n);
    uint64_t now = tw_now_ms();
    for (int i = 0; i < 8; i++)
        v[i] = (char)(now >> (8 * i));
    memcpy(v + 8, p->hash, sizeof p->hash);
    memcpy(v + TW_TOKEN_HEAD, r->out.data, r->out.len);
    int rc = store_put(txn, STORE_DB_TOKENS, key, (str_t){v, n});
    return rc ? rc : tw_token_sweep(r, txn, key);
}

/* The whole transaction, in the writer's transaction: answer a repeated
 * token, resolve, evaluate every action, and write only when every action
 * passed. The token commits with the writes, so a replay never sees one
 * without the other. */
static int tw_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    /* The actions' writer-thread fields are filled on a copy: the plan
     * stays as parsed, should the writer run this again. */
    tw_plan_t run = *(const tw_plan_t *)r->plan, *p = &run;
    p->actions = arena_alloc(&r->arena, (p->n ? p->n : 1) * sizeof *p->actions);
    memcpy(p->actions, ((const tw_plan_t *)r->plan)->actions, p->n * sizeof *p->actions);
    str_t key = {NULL, 0};
    if (p->token.ptr) {
        key = tw_token_key(r, p);
        int replay = tw_token_replay(r, txn, p, key);
        if (replay)
            return replay == 1 ? 0 : replay;
    }
    int rc = tw_resolve(r, txn, cache, p);
    if (rc)
        return rc;
    bool cancelled = false;
    for (size_t i = 0; i < p->n; i++) {
        if ((rc = tw_evaluate(r, txn, &p->actions[i])) != 0)
            return rc;
        cancelled = cancelled || p->actions[i].outcome != TW_OK;
    }
    /* A cancelled transaction leaves no token: what DynamoDB does then is
     * undocumented (DynamoDB Local runs a retry with the same token anew),
     * and an apply that fails must write nothing anyway. */
    if (cancelled)
        return tw_cancel(r, p);
    for (size_t i = 0; i < p->n; i++) {
        tw_action_t *a = &p->actions[i];
        const value_t *old = a->found ? &a->old : NULL;
        if (a->write)
            rc = itemstore_put(txn, a->table, &a->kb, old, &a->new_item, &a->effect);
        else if (a->kind == TW_DELETE && a->found)
            rc = itemstore_delete(txn, a->table, &a->kb, old, &a->effect);
        if (rc)
            return rc; /* a store error: the writer aborts the whole batch */
    }
    if ((rc = tw_reply(r, txn, p)) != 0)
        return rc;
    return key.ptr ? tw_token_store(r, txn, p, key) : 0;
}

/* ClientRequestToken: 1..36 characters; remembered by tw_apply. */
static int tw_check_token(ddb_req_t *r, str_t *token_out)
{
    str_t token = {NULL, 0};
    if (req_string(r, "ClientRequestToken", false, &token))
        return -1;
    *token_out = token;
    if (token.ptr)
        req_check_length(r, token, "clientRequestToken", 1, 36);
    return 0;
}

/* TransactWriteItems(TransactItems: [{ConditionCheck | Put | Update |
 *                    Delete: {TableName, Key | Item, ConditionExpression?,
 *                    UpdateExpression?, ExpressionAttributeNames?,
 *                    ExpressionAttributeValues?,
 *                    ReturnValuesOnConditionCheckFailure?}}],
 *                    ClientRequestToken?, ReturnConsumedCapacity?) */
req_result_t op_transact_write_items(ddb_req_t *r)
{
    tw_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    const json_t *actions;
    if (req_array(r, "TransactItems", true, &actions) || ops_return_capacity(r, &p->capacity) ||
        ops_return_metrics(r, &p->metrics) || tw_check_token(r, &p->token))
        return REQ_FAILED;
    p->n = actions ? json_array_size(actions) : 0;
    if (actions && p->n < 1)
        req_constraint(r, "'[]'", "transactItems", "Member must have length greater than or equal to 1");
    if (p->n > TRANSACT_MAX_ITEMS)
        req_constraint(r, "'[...]'", "transactItems", "Member must have length less than or equal to 100");
    if (req_constraints_done(r))
        return REQ_FAILED;
    p->actions = arena_calloc(&r->arena, p->n, sizeof *p->actions);
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (tw_parse_action(r, i, json_array_get(actions, i), &p->actions[i]))
            return REQ_FAILED;
        total += item_size(&p->actions[i].item); /* a Put's item, the others' keys */
    }
    /* "The aggregate size of the items in the transaction cannot exceed 4 MB"
     * (developer guide); checked before any table or condition, as AWS does */
    if (total > TRANSACT_MAX_BYTES)
        return req_fail(r, ERR_VALIDATION, "Transaction request cannot be larger than 4 MB");
    if (p->token.ptr)
        tw_hash_params(actions, p->hash);
    return req_queue(r, tw_apply, p, NULL);
}
