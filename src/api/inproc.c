/* inproc.c - operations run in the caller's transaction (see inproc.h). */
#include "api/inproc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/dispatch.h"
#include "api/validate.h"
#include "base/alloc.h"

#define SHARED_ACCOUNT "000000000000"
#define SHARED_REGION "us-east-1"

void inproc_init(inproc_t *ip, store_txn_t *txn, catalog_cache_t *cache, store_t *store, bool shared_db, const char *ns)
{
    *ip = (inproc_t){txn, cache, {store, cache, SHARED_ACCOUNT, shared_db}, ns, SHARED_REGION, SHARED_ACCOUNT};
    const char *slash = strrchr(ns, '/');
    if (!slash)
        return;
    ip->region = slash + 1;
    if (!shared_db)
        auth_account_id((str_t){ns, (size_t)(slash - ns)}, ip->account);
}

/* The request's error as the caller's: msg_long and extra_json die with
 * the request's arena. */
static void take_error(err_t *e, const err_t *from)
{
    err_clear(e);
    e->code = from->code;
    memcpy(e->msg, from->msg, sizeof e->msg);
}

int inproc_call(const inproc_t *ip, const char *op, json_t *body, buf_t *out, err_t *e)
{
    char target[64];
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    const op_def_t *def = dispatch_find(str_from_cstr(target));
    if (!def)
        return err_set(e, ERR_UNKNOWN_OPERATION, "Unknown operation exception");
    ddb_req_t *r = xcalloc(1, sizeof *r);
    arena_init(&r->arena);
    r->env = &ip->env;
    r->body = json_incref(body);
    r->op = def->name;
    r->ns = ip->ns;
    r->region = ip->region;
    r->account = ip->account;
    r->txn = def->flags & OP_READ ? ip->txn : NULL;
    int rc = validate_request(str_from_cstr(target), body, &r->arena, &r->err);
    if (!rc) {
        req_result_t res = def->handler(r);
        if (res.outcome == REQ_OUTCOME_FAILED)
            rc = -1;
        else if (res.outcome == REQ_OUTCOME_QUEUED)
            rc = r->apply(r, ip->txn, ip->cache);
    }
    if (rc == -1)
        take_error(e, &r->err);
    else if (rc == 0 && out)
        buf_append(out, r->out.data ? r->out.data : "{}", r->out.data ? r->out.len : 2);
    if (r->release && r->plan)
        r->release((void *)r->plan);
    json_decref(r->body);
    buf_free(&r->out);
    buf_free(&r->checks);
    arena_free(&r->arena);
    free(r);
    return rc;
}
