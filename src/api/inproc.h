/* inproc.h - a DynamoDB operation run inside ddbd, in a transaction the
 * caller holds, exactly as it would run from the wire: the front door's
 * validation against the service model, the operation's handler, and a
 * write's apply in that transaction (no writer thread: the caller is the
 * writer, or ddbd is not serving yet). Seeding and loading use it, so a
 * seeded table or item passes the checks a CreateTable or PutItem would,
 * with DynamoDB's messages, and is written through the one item path
 * (indexes, TTL, stream records). */
#ifndef DDBD_INPROC_H
#define DDBD_INPROC_H

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"
#include "ops/request.h"

typedef struct inproc {
    store_txn_t *txn; /* a write transaction */
    catalog_cache_t *cache; /* the calling thread's */
    server_env_t env; /* its loop_catalog is `cache` */
    const char *ns, *region; /* whose tables; the region for ARNs */
    char account[13]; /* for ARNs */
} inproc_t;

/* The namespace's region ("KEY/REGION" -> "REGION"; "us-east-1" for the
 * shared one) and account (auth_account_id, or env's with --shared-db),
 * into ip. ns is borrowed. */
void inproc_init(inproc_t *ip, store_txn_t *txn, catalog_cache_t *cache, store_t *store, bool shared_db,
                 const char *ns);

/* Runs op ("PutItem") with body (borrowed). Returns 0 (the reply's JSON in
 * out, when out is not NULL), -1 (e holds DynamoDB's error) or a
 * STORE_ERR_* (the transaction must be aborted). */
int inproc_call(const inproc_t *ip, const char *op, json_t *body, buf_t *out, err_t *e);

#endif
