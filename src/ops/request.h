/* request.h - one DynamoDB request on its way through the server, and
 * the contract between the front door (api/) and the handlers (ops/).
 *
 * A handler gets a ddb_req_t with the parsed JSON body and the namespace.
 * It answers at once (REQ_DONE with r->out filled, or REQ_FAILED with r->err
 * set), or hands a write to the writer thread (req_queue: REQ_QUEUED with
 * r->apply and r->plan set): apply then runs on the writer thread inside
 * the batch's write transaction, and the reply goes out after that
 * transaction commits. Handlers never see sockets.
 *
 * The dispatch table says what a handler may do (api/dispatch.h): for a
 * reader the front door opens the read transaction (r->txn) before the
 * handler runs and ends it after; a writer's handler only validates and
 * plans, and reads only inside apply.
 *
 * Everything a request allocates comes from r->arena and dies with it;
 * anything else a plan holds is released by r->release, after the reply. */
#ifndef DDBD_REQUEST_H
#define DDBD_REQUEST_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "storage/catalog.h"
#include "storage/store.h"
#include "storage/vector_cache.h"
#include "storage/writer.h"

/* Our numbers for DynamoDB's limits. */
#define REQ_MAX_BODY (16u * 1024 * 1024) /* the largest request DynamoDB takes */
#define ITEM_MAX_BYTES (400u * 1024)

/* What the whole server shares with handlers: fixed after start-up. */
typedef struct server_env {
    store_t *store;
    catalog_cache_t *loop_catalog; /* the loop thread's cache */
    const char *account_id; /* in ARNs: "000000000000" */
    bool shared_db;
    vcache_t *loop_vectors; /* the loop thread's packed vector indexes (NULL: none kept) */
} server_env_t;

typedef struct ddb_req ddb_req_t;

/* What a handler did with its request. A struct, not an int, so that a
 * stray `return -1` or `return rc` in a handler does not compile: every
 * handler says which of the three it did. */
typedef struct req_result {
    enum { REQ_OUTCOME_DONE, REQ_OUTCOME_FAILED, REQ_OUTCOME_QUEUED } outcome;
} req_result_t;
#define REQ_DONE ((req_result_t){REQ_OUTCOME_DONE}) /* r->out is the reply */
#define REQ_FAILED ((req_result_t){REQ_OUTCOME_FAILED}) /* r->err is the reply */

/* Runs on the writer thread in txn, with writer_item_t's apply contract
 * (storage/writer.h): returns 0 (r->out filled), -1 (r->err set, nothing
 * written) or a STORE_ERR_* (the writer retries the request alone and, if
 * it fails again, the client gets InternalServerError). It may run twice,
 * so it must never change r->plan (which is const for that reason: what a
 * run works out goes in the arena); what it writes to r->out and r->err
 * is forgotten before a retry. */
typedef int (*req_apply_fn)(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *catalog);

struct ddb_req {
    arena_t arena;
    const server_env_t *env;
    json_t *body; /* the request JSON object */
    const char *op; /* "PutItem" */
    const char *ns; /* namespace of the caller's tables */
    const char *region; /* from the credential scope, for ARNs */
    const char *account; /* the caller's account id, for ARNs (see service.c) */
    store_txn_t *txn; /* readers: the read transaction the front door opened */
    err_t err;
    buf_t out; /* success body (JSON) */
    req_apply_fn apply; /* set by req_queue */
    const void *plan; /* the handler's state for apply, which must not change it */
    void (*release)(void *plan); /* frees what the plan holds beyond the arena (may be NULL) */
    writer_item_t write; /* the request in the writer's queue */
    void *owner; /* the front door's state for this request */
    int nchecks; /* constraint failures collected (req_constraint) */
    buf_t checks; /* their text, "; "-separated */
    const char *table_ref_problem; /* a bad TableName, reported after the constraints */
    /* The front door's notes for the reply's HTTP (api/response.h): the
     * coding Accept-Encoding chose, the CORS origin to allow (or NULL). */
    int reply_coding;
    const char *reply_origin;
};

/* Hands the request to the writer: apply will run with plan. release
 * (may be NULL) frees what plan holds outside the arena, after the reply. */
req_result_t req_queue(ddb_req_t *r, req_apply_fn apply, const void *plan, void (*release)(void *plan));
/* A handler's result from an internal one: 0 done, -1 failed (r->err set),
 * a STORE_ERR_* failed with InternalServerError. */
req_result_t req_result(ddb_req_t *r, int rc);
/* Sets r->err and returns REQ_FAILED. */
req_result_t req_fail(ddb_req_t *r, err_code_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* InternalServerError for a storage error (rc < -1). */
void req_internal_error(ddb_req_t *r, int rc);

/* One entry of a TransactionCanceledException's CancellationReasons. */
typedef struct cancel_reason {
    const char *code; /* NULL: "None" */
    const char *message; /* NULL: none */
    const char *item; /* the item as JSON (ReturnValuesOnConditionCheckFailure), or NULL */
} cancel_reason_t;
/* Replaces r's error by TransactionCanceledException with reasons[0..n)
 * in request order, the codes listed in the message as AWS lists them (the
 * whole list, however long); returns -1. */
int req_cancel_transaction(ddb_req_t *r, const cancel_reason_t *reasons, size_t n);

/* Request parameter helpers: each validates the JSON type and sets
 * DynamoDB's error on a mismatch. Absent optional members give the
 * default (NULL/0). */
const json_t *req_member(const ddb_req_t *r, const char *name);
int req_string(ddb_req_t *r, const char *name, bool required, str_t *out);
int req_bool(ddb_req_t *r, const char *name, bool *out);
int req_int(ddb_req_t *r, const char *name, int64_t *out, bool *present);
int req_object(ddb_req_t *r, const char *name, bool required, const json_t **out);
int req_array(ddb_req_t *r, const char *name, bool required, const json_t **out);
/* One of the allowed words (e.g. ReturnValues); DynamoDB's enum message. */
int req_enum(ddb_req_t *r, const char *name, const char *const *allowed, int *out, int dflt);

/* Botocore-style constraint checks. DynamoDB reports every failed
 * constraint of a request at once: "2 validation errors detected: Value
 * 'ab' at 'tableName' failed to satisfy constraint: Member must have
 * length greater than or equal to 3; Value ...". req_constraint() records
 * one (value_repr is the value as DynamoDB quotes it, e.g. "'ab'" or
 * "null"); req_constraints_done() turns them into the error, if any. */
void req_constraint(ddb_req_t *r, const char *value_repr, const char *field, const char *constraint);
int req_constraints_done(ddb_req_t *r);
/* The two most common constraints, with Coral's wording: a string's length
 * (value quoted as given) and an integer's range. Nothing when within. */
void req_check_length(ddb_req_t *r, str_t value, const char *field, size_t min, size_t max);
void req_check_range(ddb_req_t *r, int64_t value, const char *field, int64_t min, int64_t max);

/* The table named by r's TableName, seen in txn: ResourceNotFoundException
 * when absent. Validates the name first (length and characters). */
int req_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **out);
/* The table called name (a bare name) in the caller's namespace, seen in
 * txn; ResourceNotFoundException as r's operation words it when absent. */
int req_table_named(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, str_t name, const table_t **out);
/* TableName: a table's name or, as AWS allows, its ARN (any region and
 * account: the table is looked up in the caller's namespace); out is the
 * name. A bad one is reported by req_constraints_done, after any
 * constraint failure, as DynamoDB validates names after the constraints. */
int req_table_name(ddb_req_t *r, str_t *out);
/* Resolves a table reference found elsewhere in a request (BatchGetItem's
 * RequestItems keys, TransactItems' TableName): NULL with *name set, or
 * DynamoDB's message for an invalid name or ARN. */
const char *req_table_ref(str_t given, bool arn_ok, str_t *name);
/* ResourceNotFoundException for table name, worded as r's operation does. */
int req_table_not_found(ddb_req_t *r, str_t name);

/* The ARN of a table in the caller's region and account. */
char *req_table_arn(ddb_req_t *r, const char *table_name);

#endif
