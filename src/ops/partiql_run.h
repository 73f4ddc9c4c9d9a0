/* partiql_run.h - what the PartiQL handlers (partiql.c, partiql_batch.c,
 * partiql_txn.c) share: preparing a statement, and running the request it
 * compiles to through the existing operation's handler.
 *
 * A compiled statement is the body of an ordinary request (a PutItem, a
 * Query, a TransactWriteItems, ...). pqr_call hands that body to the
 * operation's own handler, as if it had arrived on the wire: the handler
 * validates and plans exactly as for its own requests, a read answers in
 * r->out, a write comes back as the handler's queued apply and plan, which
 * pqr_apply later runs on the writer thread. So PartiQL writes take the
 * same path as the operations (itemstore, indexes, TTL, streams, group
 * commit) by construction. */
#ifndef DDBD_PARTIQL_RUN_H
#define DDBD_PARTIQL_RUN_H

#include "partiql/partiql.h"
#include "ops/ops.h"

/* One statement of a request: parsed, parameters counted, table found. */
typedef struct pqr_stmt {
    str_t text;
    const json_t *params; /* the Parameters array, or NULL */
    pq_stmt_t *stmt;
    const table_t *table;
    const table_index_t *index; /* FROM "t"."index" */
    pq_ctx_t ctx;
} pqr_stmt_t;

/* Statement, Parameters (and ConsistentRead, ReturnValuesOnCondition-
 * CheckFailure) of one entry of a request, checked as the API does. */
int pqr_statement_params(ddb_req_t *r, const json_t *entry, const char *path, str_t *text, const json_t **params);
/* Parses text and binds the parameters; finds the table in r->txn.
 * With find_table false, stops after parsing. */
int pqr_prepare(ddb_req_t *r, str_t text, const json_t *params, bool find_table, pqr_stmt_t *s);

/* A request body for one operation, run through its handler. */
typedef struct pqr_sub {
    const char *op; /* "PutItem" */
    req_result_t (*handler)(ddb_req_t *r);
    json_t *body; /* owned */
    req_apply_fn apply; /* a queued write's */
    const void *plan;
    void (*release)(void *plan);
} pqr_sub_t;

/* Calls the handler with sub->body as the request; a queued write's
 * apply and plan move into sub (r is left unqueued). */
req_result_t pqr_call(ddb_req_t *r, pqr_sub_t *sub);
/* Runs a queued sub on the writer thread, as its own request. */
int pqr_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const pqr_sub_t *sub);
/* Frees the body and what the handler's plan holds. */
void pqr_sub_release(pqr_sub_t *sub);

/* The single-item write a statement is (INSERT, UPDATE, DELETE): a
 * PutItem, UpdateItem or DeleteItem body in sub. capacity and old_on_fail
 * are the request's ReturnConsumedCapacity and ReturnValuesOnCondition-
 * CheckFailure. */
int pqr_write_sub(ddb_req_t *r, pqr_stmt_t *s, const char *capacity, bool old_on_fail, pqr_sub_t *sub);

/* PartiQL's wording of an error the operation raised: the statement's
 * expressions are not the caller's, so "Invalid ConditionExpression: " and
 * the like go; an INSERT's failed condition is a duplicate. */
void pqr_map_error(err_t *e, const pq_stmt_t *s);

/* An operation's reply, parsed (NULL if it is not JSON). */
json_t *pqr_reply(ddb_req_t *r);

/* Writes "Items":[...] for a write's reply from the operation's reply:
 * the item its RETURNING asks for, or none. */
void pqr_write_items(buf_t *out, const json_t *reply);

/* ExecuteStatement's SELECT (partiql_select.c). */
typedef struct pqr_read_opts {
    int64_t limit; /* 0: none */
    bool consistent;
    int capacity; /* ReturnConsumedCapacity: 0, 1 TOTAL, 2 INDEXES */
    str_t next_token; /* ptr NULL: none */
} pqr_read_opts_t;

req_result_t pqr_select(ddb_req_t *r, pqr_stmt_t *s, const pqr_read_opts_t *o);

/* The ReturnConsumedCapacity word for mode (0 NONE, 1 TOTAL, 2 INDEXES). */
const char *pqr_capacity_word(int mode);

/* A SELECT's column list as the ProjectionExpression (with its #names) of
 * the GetItem body a batch or transaction read becomes. */
int pqr_projection(ddb_req_t *r, const pqr_stmt_t *s, json_t *body);

#endif
