/* service.c - the DynamoDB front door (see service.h). */
#include "api/service.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/console.h"
#include "api/dispatch.h"
#include "api/faults.h"
#include "api/response.h"
#include "api/stats.h"
#include "api/tail.h"
#include "api/validate.h"
#include "net/http_coding.h"
#include "base/alloc.h"
#include "base/json_fast.h"
#include "base/log.h"

static struct {
    ddb_req_t *free_reqs; /* recycled requests, arenas kept warm (linked by owner) */
    bool stopping;
} svc;

/* ---- the request pool ------------------------------------------------------ */

static ddb_req_t *req_new(const service_env_t *se)
{
    ddb_req_t *r = svc.free_reqs;
    if (r) {
        svc.free_reqs = r->owner;
    } else {
        r = xcalloc(1, sizeof *r);
        arena_init(&r->arena);
    }
    r->env = &se->env;
    return r;
}

static void req_release(void *ud)
{
    ddb_req_t *r = ud;
    if (r->release && r->plan)
        r->release((void *)r->plan); /* the plan's owner: const only to apply */
    json_decref(r->body);
    arena_t a = r->arena;
    buf_t out = r->out, checks = r->checks;
    arena_clear(&a);
    buf_reset(&out);
    buf_reset(&checks);
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->out = out;
    r->checks = checks;
    r->owner = svc.free_reqs;
    svc.free_reqs = r;
}

void service_free(void)
{
    while (svc.free_reqs) {
        ddb_req_t *r = svc.free_reqs;
        svc.free_reqs = r->owner;
        arena_free(&r->arena);
        buf_free(&r->out);
        buf_free(&r->checks);
        free(r);
    }
}

void service_stop(void) { svc.stopping = true; }

/* ---- replies ----------------------------------------------------------------- */

/* The CORS origin to allow for a request's Origin under --cors, or NULL:
 * "*" allows any (as AWS answers browsers), a list allows those it names. */
#define CORS_ORIGIN_MAX 256

static const char *cors_origin(const service_env_t *se, const http_request_t *hr, char buf[CORS_ORIGIN_MAX])
{
    str_t origin = http_header_get(hr, "origin");
    if (!origin.ptr || !se->cors)
        return NULL;
    if (strcmp(se->cors, "*") == 0)
        return "*";
    if (origin.len >= CORS_ORIGIN_MAX)
        return NULL;
    const char *p = se->cors;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == origin.len && memcmp(p, origin.ptr, n) == 0) {
            memcpy(buf, origin.ptr, n);
            buf[n] = '\0';
            return buf;
        }
        p += n + (comma != NULL);
    }
    return NULL;
}

static response_opts_t request_reply_opts(const service_env_t *se, const http_request_t *hr, arena_t *arena)
{
    char *buf = arena_alloc(arena, CORS_ORIGIN_MAX);
    return (response_opts_t){http_accept_coding(http_header_get(hr, "accept-encoding")), cors_origin(se, hr, buf)};
}

static void reply_error(server_slot_t *s, const err_t *e, const response_opts_t *o)
{
    if (e->code == ERR_INTERNAL)
        log_error("%s", e->msg);
    response_error(server_slot_wire(s), e, server_slot_keep_alive(s), o);
    server_reply(s);
}

static void reply_error_msg(server_slot_t *s, err_code_t code, const char *msg, const response_opts_t *o)
{
    err_t e;
    err_clear(&e);
    err_set(&e, code, "%s", msg);
    reply_error(s, &e, o);
}

/* A handled request's reply: its error or its body. */
static void reply_request(server_slot_t *s, ddb_req_t *r)
{
    response_opts_t o = {(http_coding_t)r->reply_coding, r->reply_origin};
    stats_count(r->op, &r->err);
    if (r->err.code)
        return reply_error(s, &r->err, &o);
    if (r->out.len == 0)
        buf_puts(&r->out, "{}");
    response_ok(server_slot_wire(s), (str_t){r->out.data, r->out.len}, server_slot_keep_alive(s), &o);
    server_reply(s);
}

void service_too_large(buf_t *wire, bool keep_alive)
{
    err_t e;
    err_clear(&e);
    err_set(&e, ERR_REQUEST_TOO_LARGE, "Request size exceeds %u bytes", REQ_MAX_BODY);
    response_error(wire, &e, keep_alive, NULL);
}

void service_refusal(buf_t *wire, int status)
{
    err_t e;
    err_clear(&e);
    if (status == 408)
        err_set(&e, ERR_REQUEST_TIMEOUT,
                "The request was not received in time (ddbd's --header-timeout / --body-timeout)");
    else
        err_set(&e, ERR_SERVICE_UNAVAILABLE,
                "ddbd is not accepting more connections now (--max-connections or open files); retry later");
    response_error(wire, &e, false, NULL);
}

/* ---- writes through the writer ------------------------------------------------- */

static ddb_req_t *req_of(writer_item_t *it) { return (ddb_req_t *)((char *)it - offsetof(ddb_req_t, write)); }

static int write_apply(writer_item_t *it, store_txn_t *txn, catalog_cache_t *catalog)
{
    ddb_req_t *r = req_of(it);
    return r->apply(r, txn, catalog);
}

/* Before a retry: what the failed run answered is forgotten. */
static void write_reset(writer_item_t *it)
{
    ddb_req_t *r = req_of(it);
    err_clear(&r->err);
    buf_reset(&r->out);
}

static void write_done(writer_item_t *it, int rc)
{
    ddb_req_t *r = req_of(it);
    if (rc < -1)
        req_internal_error(r, rc);
    reply_request(r->owner, r);
}

static void queue_write(ddb_req_t *r, const service_env_t *se)
{
    r->write = (writer_item_t){.apply = write_apply, .reset = write_reset, .done = write_done};
    writer_submit(se->writer, &r->write);
}

/* ---- DynamoDB requests ---------------------------------------------------------- */

/* Namespace of the caller's tables: access key and region, as DynamoDB
 * Local separates them, unless --shared-db. */
static const char *request_namespace(ddb_req_t *r, const auth_info_t *who)
{
    if (r->env->shared_db)
        return "";
    size_t k = who->access_key.len, g = who->region.len;
    char *ns = arena_alloc(&r->arena, k + g + 2);
    memcpy(ns, who->access_key.ptr, k);
    ns[k] = '/';
    memcpy(ns + k + 1, who->region.ptr, g);
    ns[k + 1 + g] = '\0';
    return ns; /* "%.*s/%.*s", without printf's cost on every request */
}

/* The caller's account (auth_account_id); with --shared-db everyone
 * shares the server's account. */
static const char *request_account(ddb_req_t *r, const auth_info_t *who)
{
    if (r->env->shared_db)
        return r->env->account_id;
    char *id = arena_alloc(&r->arena, 13);
    auth_account_id(who->access_key, id);
    return id;
}

/* Runs the handler as its row allows: readers in a read transaction. */
static req_result_t run_handler(ddb_req_t *r, const op_def_t *op)
{
    if (!(op->flags & OP_READ))
        return op->handler(r);
    int rc = store_read_begin(r->env->store, &r->txn);
    if (rc)
        return req_result(r, rc);
    req_result_t res = op->handler(r);
    store_read_end(r->txn);
    r->txn = NULL;
    return res;
}

/* The request body, decoded as its Content-Encoding says (gzip, deflate),
 * within the body limit; NULL with r->err set when it cannot be. AWS
 * answers an unknown coding or a broken body with a 500 (as ScyllaDB's
 * tests recorded it); its words are ours. */
static const char *request_body(ddb_req_t *r, const http_request_t *hr, buf_t *decoded, size_t *len)
{
    str_t ce = http_header_get(hr, "content-encoding");
    *len = hr->body.len;
    if (!ce.ptr)
        return hr->body.ptr;
    switch (http_decode_body(ce, hr->body, REQ_MAX_BODY, decoded)) {
    case HTTP_DECODE_OK: *len = decoded->len; return decoded->data ? decoded->data : "";
    case HTTP_DECODE_UNSUPPORTED:
        err_set(&r->err, ERR_INTERNAL, "Unsupported Content-Encoding: %.*s", STR_FMT(ce));
        return NULL;
    case HTTP_DECODE_CORRUPT:
        err_set(&r->err, ERR_INTERNAL, "The request body is not valid %.*s data", STR_FMT(ce));
        return NULL;
    case HTTP_DECODE_TOO_LARGE:
        err_set(&r->err, ERR_REQUEST_TOO_LARGE, "Request size exceeds %u bytes", REQ_MAX_BODY);
        return NULL;
    }
    return NULL;
}

/* ---- faults on demand (faults.h) ------------------------------------------------ */

static void run_op(const service_env_t *se, server_slot_t *s, ddb_req_t *r, const op_def_t *op);

/* TransactionConflict in a transaction: TransactionCanceledException
 * with that reason at the faulted action, None elsewhere. */
static void fault_conflict(ddb_req_t *r, int index)
{
    size_t n = json_array_size(json_object_get(r->body, "TransactItems"));
    cancel_reason_t *reasons = arena_calloc(&r->arena, n ? n : 1, sizeof *reasons);
    if ((size_t)index < n)
        reasons[index] = (cancel_reason_t){"TransactionConflict", faults_message(ERR_TRANSACTION_CONFLICT), NULL};
    req_cancel_transaction(r, reasons, n);
}

/* A request held back by a fault's latency. */
typedef struct delayed {
    uv_timer_t timer;
    const service_env_t *se;
    server_slot_t *slot;
    ddb_req_t *r;
    const op_def_t *op;
    fault_hit_t hit;
} delayed_t;

static void fault_effect(const service_env_t *se, server_slot_t *s, ddb_req_t *r, const op_def_t *op,
                         const fault_hit_t *hit)
{
    if (hit->drop || hit->drop_reply)
        server_slot_drop(s);
    if (hit->drop)
        return server_reply(s); /* the connection closes; the operation never runs */
    if (hit->error == ERR_TRANSACTION_CANCELED) {
        fault_conflict(r, hit->conflict_index);
        return reply_request(s, r);
    }
    if (hit->error) {
        err_set(&r->err, hit->error, "%s", faults_message(hit->error));
        return reply_request(s, r);
    }
    run_op(se, s, r, op);
}

static void free_delayed(uv_handle_t *h) { free(h->data); }

static void on_delay_over(uv_timer_t *t)
{
    delayed_t *d = t->data;
    fault_effect(d->se, d->slot, d->r, d->op, &d->hit);
    uv_close((uv_handle_t *)&d->timer, free_delayed);
}

static void run_faulted(const service_env_t *se, server_slot_t *s, ddb_req_t *r, const op_def_t *op,
                        const fault_hit_t *hit)
{
    if (!hit->delay_ms)
        return fault_effect(se, s, r, op, hit);
    delayed_t *d = xcalloc(1, sizeof *d);
    *d = (delayed_t){.se = se, .slot = s, .r = r, .op = op, .hit = *hit};
    uv_timer_init(se->admin.loop, &d->timer);
    d->timer.data = d;
    uv_timer_start(&d->timer, on_delay_over, hit->delay_ms, 0);
}

/* ---- DynamoDB requests, continued ------------------------------------------------- */

static void handle_dynamodb(const service_env_t *se, server_slot_t *s, const http_request_t *hr)
{
    ddb_req_t *r = req_new(se);
    r->owner = s;
    server_slot_on_free(s, req_release, r);
    response_opts_t ro = request_reply_opts(se, hr, &r->arena);
    r->reply_coding = (int)ro.coding;
    r->reply_origin = ro.cors_origin;
    auth_info_t who;
    str_t authorization = http_header_get(hr, "authorization");
    if (auth_parse(authorization, &who, &r->err) != 0 ||
        (se->keys && sigv4_verify(hr, authorization, se->keys, time(NULL), &r->err) != 0))
        return reply_request(s, r);
    r->region = arena_cstr(&r->arena, who.region);
    r->ns = request_namespace(r, &who);
    r->account = request_account(r, &who);

    str_t target = http_header_get(hr, "x-amz-target");
    const op_def_t *op = dispatch_find(target);
    if (!op) {
        err_set(&r->err, ERR_UNKNOWN_OPERATION, "Unknown operation exception");
        return reply_request(s, r);
    }
    r->op = op->name;
    server_slot_label(s, op->name);
    buf_t decoded = BUF_INIT;
    size_t body_len;
    const char *body = request_body(r, hr, &decoded, &body_len);
    if (!body) {
        buf_free(&decoded);
        return reply_request(s, r);
    }
    r->body = json_fast_loadb(body, body_len); /* json_loadb's answer, faster */
    buf_free(&decoded);
    if (!json_is_object(r->body)) {
        err_set(&r->err, ERR_SERIALIZATION, "%s", "");
        return reply_request(s, r);
    }
    if (validate_request(target, r->body, &r->arena, &r->err))
        return reply_request(s, r);
    fault_hit_t hit;
    if (faults_match(op->name, r->body, uv_now(se->admin.loop), &hit))
        return run_faulted(se, s, r, op, &hit);
    run_op(se, s, r, op);
}

/* The operation itself, the request having passed every check. */
static void run_op(const service_env_t *se, server_slot_t *s, ddb_req_t *r, const op_def_t *op)
{
    req_result_t res = run_handler(r, op);
    if (res.outcome != REQ_OUTCOME_QUEUED)
        return reply_request(s, r);
    if (!(op->flags & OP_WRITE) || !r->apply) {
        req_internal_error(r, STORE_ERR_IO); /* a handler that broke its row's contract */
        return reply_request(s, r);
    }
    if (svc.stopping) {
        err_set(&r->err, ERR_SERVICE_UNAVAILABLE, "ddbd is shutting down");
        return reply_request(s, r);
    }
    queue_write(r, se);
}

/* ---- the other routes ------------------------------------------------------------- */

/* An admin endpoint's reply, at once or later. */
typedef struct admin_reply {
    server_slot_t *slot;
    response_opts_t o;
    char origin[CORS_ORIGIN_MAX];
} admin_reply_t;

static void on_admin_done(void *ud, int status, str_t body)
{
    admin_reply_t *ar = ud;
    response_plain(server_slot_wire(ar->slot), status, "application/json", body, server_slot_keep_alive(ar->slot),
                   &ar->o, NULL, 0);
    server_reply(ar->slot);
}

static void free_admin_reply(void *ud) { free(ud); }

/* Every /_ddbd/ route, the console's files and the stream tail too, passes
 * the admin lock (--no-admin, --admin-token) first. The console's files and
 * the tail then answer on their own (a file, a stream of events); every
 * other route goes to admin.c's table. */
static void handle_admin(const service_env_t *se, server_slot_t *s, const http_request_t *hr)
{
    bool console = console_is_path(hr->path);
    str_t token = http_header_get(hr, "x-ddbd-admin-token");
    buf_t denied = BUF_INIT;
    char *cookie = NULL;
    int status = console ? admin_console_access(&se->admin.access, hr->path, token, http_header_get(hr, "cookie"),
                                                &denied, &cookie)
                         : admin_access_check(&se->admin.access, hr->path, token, &denied);
    char origin[CORS_ORIGIN_MAX];
    response_opts_t o = {HTTP_CODING_IDENTITY, cors_origin(se, hr, origin)};
    if (!status && console) {
        o.coding = http_accept_coding(http_header_get(hr, "accept-encoding"));
        console_serve(s, hr, &o, cookie ? str_from_cstr(cookie) : STR_NULL);
        return free(cookie);
    }
    if (!status && tail_is_path(hr->path) && !svc.stopping)
        return tail_open(s, hr, &o);
    server_slot_label(s, "admin");
    admin_reply_t *ar = xcalloc(1, sizeof *ar);
    ar->slot = s;
    ar->o.cors_origin = cors_origin(se, hr, ar->origin);
    server_slot_on_free(s, free_admin_reply, ar);
    if (status) {
        on_admin_done(ar, status, (str_t){denied.data, denied.len});
        return buf_free(&denied);
    }
    if (svc.stopping) /* the writer is going: admin writes could never finish */
        return on_admin_done(ar, 503, STR_LIT("{\"error\":\"ddbd is shutting down\"}"));
    admin_handle(&se->admin, hr->method, hr->path, hr->body, on_admin_done, ar);
}

/* Health check (docker HEALTHCHECK, load balancers), as AWS's endpoints
 * answer it: "healthy: <the Host the client asked for>", on "/" only. */
static void handle_health(const service_env_t *se, server_slot_t *s, const http_request_t *hr)
{
    server_slot_label(s, "health");
    char origin[CORS_ORIGIN_MAX];
    response_opts_t o = {HTTP_CODING_IDENTITY, cors_origin(se, hr, origin)};
    bool head = str_eq_cstr(hr->method, "HEAD");
    str_t path = hr->path;
    const char *q = memchr(path.ptr, '?', path.len);
    if (q)
        path.len = (size_t)(q - path.ptr);
    if (!str_eq_cstr(path, "/")) {
        response_plain(server_slot_wire(s), 404, "text/plain", STR_NULL, server_slot_keep_alive(s), &o, NULL, 0);
        return server_reply(s);
    }
    str_t host = http_header_get(hr, "host");
    char body[512];
    int n = snprintf(body, sizeof body, "healthy: %.*s", host.ptr ? (int)(host.len > 400 ? 400 : host.len) : 0,
                     host.ptr ? host.ptr : "");
    response_plain(server_slot_wire(s), 200, "text/plain", head ? STR_NULL : (str_t){body, (size_t)n},
                   server_slot_keep_alive(s), &o, NULL, 0);
    server_reply(s);
}

/* A browser's CORS preflight: what it asks for is allowed. */
static void handle_preflight(const service_env_t *se, server_slot_t *s, const http_request_t *hr)
{
    server_slot_label(s, "preflight");
    char origin[CORS_ORIGIN_MAX];
    response_opts_t o = {HTTP_CODING_IDENTITY, cors_origin(se, hr, origin)};
    http_header_t h[3];
    size_t n = 0;
    if (o.cors_origin) {
        str_t method = http_header_get(hr, "access-control-request-method");
        str_t headers = http_header_get(hr, "access-control-request-headers");
        h[n++] = (http_header_t){STR_LIT("Access-Control-Allow-Methods"), method.ptr ? method : STR_LIT("POST")};
        if (headers.ptr)
            h[n++] = (http_header_t){STR_LIT("Access-Control-Allow-Headers"), headers};
        h[n++] = (http_header_t){STR_LIT("Access-Control-Max-Age"), STR_LIT("172800")};
    }
    response_plain(server_slot_wire(s), 200, NULL, STR_NULL, server_slot_keep_alive(s), &o, h, n);
    server_reply(s);
}

void service_handle(void *ud, server_slot_t *s, const http_request_t *hr)
{
    const service_env_t *se = ud;
    if (admin_is_admin_path(hr->path))
        handle_admin(se, s, hr);
    else if (str_eq_cstr(hr->method, "GET") || str_eq_cstr(hr->method, "HEAD"))
        handle_health(se, s, hr);
    else if (str_eq_cstr(hr->method, "OPTIONS") && http_header_get(hr, "origin").ptr)
        handle_preflight(se, s, hr);
    else if (!str_eq_cstr(hr->method, "POST")) {
        response_opts_t o = {HTTP_CODING_IDENTITY, NULL};
        reply_error_msg(s, ERR_UNKNOWN_OPERATION, "Unknown operation exception", &o);
    } else
        handle_dynamodb(se, s, hr);
}
