/* server.c - connections, pipelining and shutdown on the libuv loop.
 *
 * Each connection keeps its requests in arrival order as "slots". A slot is
 * answered at once (reads, errors) or when the writer hands its request
 * back; replies leave strictly in slot order, which is what pipelining
 * requires. A connection that closes while a write is at the writer stays
 * allocated until that write comes back, so the writer never touches freed
 * memory. */
#include "net/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "api/admin.h"
#include "api/auth.h"
#include "jobs/backfill.h"
#include "api/dispatch.h"
#include "net/http.h"
#include "base/log.h"
#include "ops/request.h"
#include "api/response.h"
#include "streams/trigger.h"
#include "storage/writer.h"

#define MAX_INFLIGHT_PER_CONN 64 /* pipelined requests before we stop reading */

typedef struct conn conn_t;

typedef struct slot {
    struct slot *next;
    conn_t *conn;
    http_request_t *hr; /* not yet processed (waits behind a write) */
    ddb_req_t *req; /* NULL when the reply did not need one */
    bool ready; /* wire holds the reply */
    bool keep_alive;
    buf_t wire;
    uint64_t started; /* uv_hrtime at arrival, for the log */
    const char *op;
    bool in_admin; /* inside admin_handle: its reply needs no flush */
} slot_t;

typedef struct write_req {
    uv_write_t w;
    buf_t wire;
} write_req_t;

struct conn {
    uv_tcp_t tcp;
    http_parser_t *parser;
    slot_t *head, *tail;
    size_t inflight; /* slots not yet written */
    bool at_writer; /* a slot's write is at the writer: later ones wait */
    size_t writes; /* uv_write calls not yet completed */
    bool closing; /* no more reads; close when writes drain */
    bool closed; /* uv_close called */
    bool reading;
    bool broken; /* the byte stream failed to parse: read no more */
    struct conn *prev, *next; /* the server's list, for shutdown */
};

typedef struct server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_signal_t sigint, sigterm;
    writer_t *writer;
    server_env_t env;
    admin_env_t admin;
    conn_t *conns;
    ddb_req_t *free_reqs; /* recycled requests, arenas kept warm */
    bool stopping;
} server_t;

static server_t srv; /* the one server of the process: only this file sees it */

/* ---- requests ---------------------------------------------------------- */

static ddb_req_t *req_new(void)
{
    ddb_req_t *r = srv.free_reqs;
    if (r) {
        srv.free_reqs = r->next_write;
    } else {
        r = calloc(1, sizeof *r);
        if (!r)
            abort();
        arena_init(&r->arena);
    }
    r->env = &srv.env;
    return r;
}

static void req_release(ddb_req_t *r)
{
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
    r->next_write = srv.free_reqs;
    srv.free_reqs = r;
}

/* ---- connections ------------------------------------------------------- */

static void on_close(uv_handle_t *h)
{
    conn_t *c = h->data;
    http_parser_free(c->parser);
    free(c);
}

static bool conn_busy(conn_t *c)
{
    /* a write at the writer will come back to this connection */
    return c->at_writer || c->writes > 0;
}

static void slot_free(slot_t *s)
{
    if (s->hr)
        http_request_free(s->hr);
    if (s->req)
        req_release(s->req);
    buf_free(&s->wire);
    free(s);
}

static void conn_maybe_close(conn_t *c)
{
    if (c->closed || !c->closing || conn_busy(c))
        return;
    c->closed = true;
    while (c->head) {
        slot_t *s = c->head;
        c->head = s->next;
        slot_free(s);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        srv.conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void conn_close(conn_t *c)
{
    c->closing = true;
    if (c->reading && !c->closed)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    conn_maybe_close(c);
}

static void on_write(uv_write_t *w, int status)
{
    write_req_t *wr = (write_req_t *)w;
    conn_t *c = w->data;
    buf_free(&wr->wire);
    free(wr);
    c->writes--;
    if (status < 0)
        c->closing = true;
    conn_maybe_close(c);
}

static void start_reading(conn_t *c);

/* Queues wr's bytes on the socket; false (wr freed) when libuv refuses. */
static bool conn_send(conn_t *c, write_req_t *wr)
{
    uv_buf_t b = uv_buf_init(wr->wire.data, (unsigned)wr->wire.len);
    wr->w.data = c;
    c->writes++;
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_write) == 0)
        return true;
    c->writes--;
    buf_free(&wr->wire);
    free(wr);
    return false;
}

/* Sends every reply at the head of the queue that is ready, in order. */
static void conn_flush(conn_t *c)
{
    write_req_t *wr = NULL;
    bool close_after = false;
    while (c->head && c->head->ready) {
        slot_t *s = c->head;
        if (!c->closing) {
            if (!wr) {
                wr = calloc(1, sizeof *wr);
                if (!wr)
                    abort();
            }
            buf_append(&wr->wire, s->wire.data, s->wire.len);
        }
        if (log_threshold <= LOG_DEBUG)
            log_debug("%s %.3f ms", s->op ? s->op : "-", (double)(uv_hrtime() - s->started) / 1e6);
        if (!s->keep_alive)
            close_after = true;
        c->head = s->next;
        if (!c->head)
            c->tail = NULL;
        c->inflight--;
        slot_free(s);
        if (close_after)
            break;
    }
    if (wr && !conn_send(c, wr))
        close_after = true;
    if (close_after)
        conn_close(c);
    else if (!c->reading && !c->closing && !c->broken && c->inflight < MAX_INFLIGHT_PER_CONN / 2)
        start_reading(c);
    conn_maybe_close(c);
}

static slot_t *slot_push(conn_t *c, bool keep_alive)
{
    slot_t *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->conn = c;
    s->keep_alive = keep_alive;
    s->started = uv_hrtime();
    if (c->tail)
        c->tail->next = s;
    else
        c->head = s;
    c->tail = s;
    c->inflight++;
    return s;
}

static void slot_error(slot_t *s, err_code_t code, const char *msg)
{
    err_t e;
    err_clear(&e);
    err_set(&e, code, "%s", msg ? msg : "");
    response_error(&s->wire, &e, s->keep_alive);
    s->ready = true;
}

/* A handled request's reply: its error or its body. */
static void slot_answer(slot_t *s)
{
    ddb_req_t *r = s->req;
    if (r->err.code) {
        if (r->err.code == ERR_INTERNAL)
            log_error("%s: %s", r->op, r->err.msg);
        response_error(&s->wire, &r->err, s->keep_alive);
    } else {
        if (r->out.len == 0)
            buf_puts(&r->out, "{}");
        response_ok(&s->wire, (str_t){r->out.data, r->out.len}, s->keep_alive);
    }
    s->ready = true;
}

static void conn_process(conn_t *c);

static void on_write_done(ddb_req_t *r)
{
    slot_t *s = r->owner;
    slot_answer(s);
    s->conn->at_writer = false;
    conn_process(s->conn);
    conn_flush(s->conn);
}

/* Namespace of the caller's tables: access key and region, as DynamoDB
 * Local separates them, unless --shared-db. */
static const char *request_namespace(ddb_req_t *r, const auth_info_t *who)
{
    if (srv.env.shared_db)
        return "";
    return arena_printf(&r->arena, "%.*s/%.*s", STR_FMT(who->access_key), STR_FMT(who->region));
}

static void handle_dynamodb(slot_t *s, http_request_t *hr)
{
    ddb_req_t *r = s->req = req_new();
    r->owner = s;
    auth_info_t who;
    if (auth_parse(http_header_get(hr, "authorization"), &who, &r->err) != 0)
        return slot_answer(s);
    r->region = arena_cstr(&r->arena, who.region);
    r->ns = request_namespace(r, &who);

    const op_def_t *op = dispatch_find(http_header_get(hr, "x-amz-target"));
    if (!op) {
        err_set(&r->err, ERR_UNKNOWN_OPERATION, "Unknown operation exception");
        return slot_answer(s);
    }
    r->op = s->op = op->name;
    json_error_t je;
    r->body = json_loadb(hr->body.ptr, hr->body.len, 0, &je);
    if (!json_is_object(r->body)) {
        err_set(&r->err, ERR_SERIALIZATION, "%s", "");
        return slot_answer(s);
    }
    int rc = op->handler(r);
    if (rc == REQ_WRITE && !srv.stopping) {
        writer_submit(srv.writer, r);
        return;
    }
    if (rc == REQ_WRITE)
        err_set(&r->err, ERR_SERVICE_UNAVAILABLE, "ddbd is shutting down");
    else if (rc < -1 && !r->err.code)
        err_set(&r->err, ERR_INTERNAL, "Internal server error: %s", store_strerror(rc));
    slot_answer(s);
}

/* An admin endpoint's reply, at once or later (then like a write's). */
static void on_admin_done(void *ud, int status, str_t body)
{
    slot_t *s = ud;
    bool later = !s->in_admin && !s->ready && s->conn->at_writer;
    http_header_t h[] = {{STR_LIT("Content-Type"), STR_LIT("application/json")}};
    http_response_write(&s->wire, status, h, 1, body, s->keep_alive);
    s->ready = true;
    if (!later)
        return;
    s->conn->at_writer = false;
    conn_process(s->conn);
    conn_flush(s->conn);
}

static void handle_admin(slot_t *s, http_request_t *hr)
{
    s->op = "admin";
    if (srv.stopping) { /* the writer is gone: admin writes could never finish */
        on_admin_done(s, 503, STR_LIT("{\"error\":\"ddbd is shutting down\"}"));
        return;
    }
    s->in_admin = true;
    admin_handle(&srv.admin, hr->method, hr->path, hr->body, on_admin_done, s);
    s->in_admin = false;
}

/* Answers one request, or hands it to the writer (then c->at_writer). */
static void slot_process(slot_t *s)
{
    http_request_t *hr = s->hr;
    s->hr = NULL;
    if (admin_is_admin_path(hr->path)) {
        handle_admin(s, hr);
        if (!s->ready)
            s->conn->at_writer = true;
    } else if (str_eq_cstr(hr->method, "GET") || str_eq_cstr(hr->method, "HEAD")) {
        /* Health check (docker HEALTHCHECK, load balancers). */
        s->op = "health";
        http_header_t h[] = {{STR_LIT("Content-Type"), STR_LIT("text/plain")}};
        str_t body = str_eq_cstr(hr->method, "GET") ? STR_LIT("healthy: ddbd " DDBD_VERSION "\n") : STR_NULL;
        http_response_write(&s->wire, 200, h, 1, body, s->keep_alive);
        s->ready = true;
    } else if (!str_eq_cstr(hr->method, "POST")) {
        slot_error(s, ERR_UNKNOWN_OPERATION, "Unknown operation exception");
    } else {
        handle_dynamodb(s, hr);
        if (!s->ready)
            s->conn->at_writer = true;
    }
    http_request_free(hr);
}

/* Requests on one connection run in arrival order, each after the one
 * before has finished: a GetItem pipelined behind a PutItem of the same
 * item must see it, as it would over separate round trips. Reads answer
 * at once, so only a write at the writer makes later requests wait. */
static void conn_process(conn_t *c)
{
    for (slot_t *s = c->head; s && !c->at_writer; s = s->next)
        if (s->hr)
            slot_process(s);
}

static void on_http_request(void *ud, http_request_t *hr)
{
    conn_t *c = ud;
    slot_t *s = slot_push(c, hr->keep_alive && !srv.stopping);
    s->hr = hr;
    conn_process(c);
}

static void on_http_continue(void *ud)
{
    conn_t *c = ud;
    write_req_t *wr = calloc(1, sizeof *wr);
    if (!wr)
        abort();
    buf_puts(&wr->wire, HTTP_CONTINUE);
    conn_send(c, wr); /* if it fails, the final reply's write reports it */
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    (void)suggested;
    static char chunk[64 * 1024]; /* the loop is single-threaded; data is consumed in on_read */
    *b = uv_buf_init(chunk, sizeof chunk);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b)
{
    conn_t *c = stream->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (n == 0 || c->closing)
        return;
    int status = http_parser_feed(c->parser, b->base, (size_t)n);
    if (status) {
        slot_t *s = slot_push(c, false);
        if (status == 413)
            slot_error(s, ERR_REQUEST_TOO_LARGE, "Request size exceeds 16777216 bytes");
        else {
            http_response_write(&s->wire, status, NULL, 0, STR_NULL, false);
            s->ready = true;
        }
        c->reading = false;
        c->broken = true;
        uv_read_stop(stream);
    } else if (c->inflight >= MAX_INFLIGHT_PER_CONN) {
        c->reading = false; /* back-pressure: resume when replies drain */
        uv_read_stop(stream);
    }
    conn_flush(c);
}

static void start_reading(conn_t *c)
{
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
        c->reading = true;
}

static void on_connection(uv_stream_t *listener, int status)
{
    if (status < 0)
        return;
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    uv_tcp_init(srv.loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_cb_t cb = {c, on_http_request, on_http_continue};
    c->parser = http_parser_new(&cb, REQ_MAX_BODY);
    c->next = srv.conns;
    if (srv.conns)
        srv.conns->prev = c;
    srv.conns = c;
    start_reading(c);
}

/* ---- start and stop ------------------------------------------------------ */

static void on_triggers_stopped(void *ud)
{
    (void)ud;
    writer_stop(srv.writer); /* applies and answers everything queued */
    backfill_close();
    for (conn_t *c = srv.conns, *next; c; c = next) {
        next = c->next;
        conn_close(c);
    }
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    if (srv.stopping)
        return;
    srv.stopping = true;
    log_warn("signal %d: finishing in-flight writes and stopping", signum);
    uv_close((uv_handle_t *)&srv.listener, NULL);
    uv_close((uv_handle_t *)&srv.sigint, NULL);
    uv_close((uv_handle_t *)&srv.sigterm, NULL);
    admin_stop();
    backfill_stop();
    /* triggers first: their batch in flight and its checkpoint need the writer */
    trigger_shutdown(on_triggers_stopped, NULL);
}

int server_run(const server_opts_t *o)
{
    memset(&srv, 0, sizeof srv);
    srv.loop = uv_default_loop();
    srv.env.store = o->store;
    srv.env.loop_catalog = catalog_cache_new();
    srv.env.account_id = "000000000000";
    srv.env.shared_db = o->shared_db;
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_storage addr;
    int rc = uv_ip4_addr(o->host, o->port, (struct sockaddr_in *)&addr);
    if (rc)
        rc = uv_ip6_addr(o->host, o->port, (struct sockaddr_in6 *)&addr);
    if (rc) {
        log_error("invalid --host %s", o->host);
        return 1;
    }
    uv_tcp_init(srv.loop, &srv.listener);
    rc = uv_tcp_bind(&srv.listener, (const struct sockaddr *)&addr, 0);
    if (!rc)
        rc = uv_listen((uv_stream_t *)&srv.listener, 1024, on_connection);
    if (rc) {
        log_error("cannot listen on %s:%d: %s", o->host, o->port, uv_strerror(rc));
        return 1;
    }
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    uv_tcp_getsockname(&srv.listener, (struct sockaddr *)&bound, &blen);
    int port = ntohs(((struct sockaddr_in *)&bound)->sin_port);

    if (writer_start(&srv.writer, o->store, srv.loop, on_write_done) != 0) {
        log_error("cannot start the writer thread");
        return 1;
    }
    srv.admin = (admin_env_t){o->store, srv.writer, &srv.env, srv.loop};
    admin_start(&srv.admin);
    backfill_start(srv.loop, srv.writer); /* resumes index backfills a restart interrupted */
    trigger_env_t tenv = {srv.loop, o->store, srv.writer, srv.env.loop_catalog};
    if ((rc = trigger_start(&tenv, o->triggers, o->ntriggers)) != 0) {
        log_error("cannot load the stored triggers: %s", store_strerror(rc));
        return 1;
    }
    uv_signal_init(srv.loop, &srv.sigint);
    uv_signal_init(srv.loop, &srv.sigterm);
    uv_signal_start(&srv.sigint, on_signal, SIGINT);
    uv_signal_start(&srv.sigterm, on_signal, SIGTERM);

    printf("ddbd %s listening on %s:%d\n", DDBD_VERSION, o->host, port);
    fflush(stdout);
    uv_run(srv.loop, UV_RUN_DEFAULT);

    while (srv.free_reqs) {
        ddb_req_t *r = srv.free_reqs;
        srv.free_reqs = r->next_write;
        arena_free(&r->arena);
        buf_free(&r->out);
        buf_free(&r->checks);
        free(r);
    }
    catalog_cache_free(srv.env.loop_catalog);
    uv_loop_close(srv.loop);
    return 0;
}
