/* server.c - connections, pipelining and shutdown on the libuv loop (see
 * server.h).
 *
 * Each connection keeps its requests in arrival order as "slots". A slot
 * is answered during its handler call or later; replies leave strictly in
 * slot order, which is what pipelining requires. */
#include "net/server.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "net/listener.h"

#define MAX_INFLIGHT_PER_CONN 64 /* pipelined requests before we stop reading */
#define SERVER_SHUTDOWN_GRACE_MS 1000 /* at shutdown, unread replies are dropped after this long */

typedef struct conn conn_t;

struct server_slot {
    struct server_slot *next;
    conn_t *conn;
    http_request_t *hr; /* not yet handled (waits behind an outstanding reply) */
    bool in_handler; /* inside the handler call: a reply now needs no flush */
    bool ready; /* wire holds the reply */
    bool keep_alive;
    bool drop; /* server_slot_drop: close instead of replying */
    bool streaming; /* server_stream_begin: the body goes on until the client leaves */
    buf_t wire;
    uint64_t started; /* uv_hrtime at arrival, for the log */
    const char *label;
    void (*on_free)(void *ud);
    void *on_free_ud;
};

typedef struct write_req {
    uv_write_t w;
    buf_t wire;
} write_req_t;

struct conn {
    uv_tcp_t tcp;
    http_parser_t *parser;
    server_slot_t *head, *tail;
    size_t inflight; /* slots not yet written */
    bool awaiting; /* a handled slot has no reply yet: later ones wait */
    size_t writes; /* uv_write calls not yet completed */
    bool closing; /* no more reads; close when writes drain */
    bool closed; /* uv_close called */
    bool reading;
    bool broken; /* the byte stream failed to parse: read no more */
    http_phase_t phase; /* the parser's, as of the last read */
    uint64_t phase_since; /* uv_now when it entered that phase */
    uint64_t write_since; /* uv_now of the last write progress */
    server_slot_t *stream; /* a streaming reply holds the connection (the last slot) */
    struct conn *prev, *next; /* the server's list, for shutdown */
};

static struct {
    server_opts_t o;
    bool listening;
    conn_t *conns;
    uv_timer_t sweep; /* enforces the timeouts */
    bool closing_all; /* shutdown: the sweep ends when the last connection has gone */
    server_stats_t stats;
} srv; /* the one server of the process: only this file sees it */

/* ---- slots -------------------------------------------------------------- */

static void slot_free(server_slot_t *s)
{
    if (s->hr)
        http_request_free(s->hr);
    if (s->on_free)
        s->on_free(s->on_free_ud);
    buf_free(&s->wire);
    free(s);
}

bool server_slot_keep_alive(const server_slot_t *s) { return s->keep_alive; }
buf_t *server_slot_wire(server_slot_t *s) { return &s->wire; }
void server_slot_label(server_slot_t *s, const char *label) { s->label = label; }
void server_slot_drop(server_slot_t *s) { s->drop = true; }

void server_slot_on_free(server_slot_t *s, void (*fn)(void *ud), void *ud)
{
    s->on_free = fn;
    s->on_free_ud = ud;
}

/* ---- connections ------------------------------------------------------- */

static void on_close(uv_handle_t *h)
{
    conn_t *c = h->data;
    http_parser_free(c->parser);
    free(c);
    srv.stats.conns--;
}

/* Bytes handed to the socket that the client has not taken yet. */
static size_t conn_queued(conn_t *c) { return uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp); }

static bool conn_busy(conn_t *c)
{
    /* an outstanding reply will come back to this connection (a streaming
     * one never ends by itself: it does not hold a closing connection) */
    return (c->awaiting && !c->stream) || c->writes > 0;
}

/* Closes the handle now: replies still queued are dropped (libuv cancels
 * their writes, whose callbacks run before on_close). Never while a
 * handler owes the connection a reply. */
static void conn_finish(conn_t *c)
{
    c->closed = true;
    while (c->head) {
        server_slot_t *s = c->head;
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

static void conn_maybe_close(conn_t *c)
{
    if (c->closed || !c->closing || conn_busy(c))
        return;
    conn_finish(c);
}

static void conn_close(conn_t *c)
{
    c->closing = true;
    if (c->reading && !c->closed)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    conn_maybe_close(c);
}

static void start_reading(conn_t *c);
static void conn_resume(conn_t *c);

static void on_write(uv_write_t *w, int status)
{
    write_req_t *wr = (write_req_t *)w;
    conn_t *c = w->data;
    buf_free(&wr->wire);
    free(wr);
    c->writes--;
    c->write_since = uv_now(srv.o.loop);
    if (status < 0)
        c->closing = true;
    conn_maybe_close(c);
    if (!c->closed && !c->closing && conn_queued(c) < SERVER_MAX_QUEUED_BYTES / 2)
        conn_resume(c);
}

/* Queues wr's bytes on the socket; false (wr freed) when libuv refuses. */
static bool conn_send(conn_t *c, write_req_t *wr)
{
    uv_buf_t b = uv_buf_init(wr->wire.data, (unsigned)wr->wire.len);
    wr->w.data = c;
    if (c->writes == 0)
        c->write_since = uv_now(srv.o.loop);
    c->writes++;
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_write) == 0)
        return true;
    c->writes--;
    buf_free(&wr->wire);
    free(wr);
    return false;
}

#define FLUSH_BATCH 16 /* replies gathered into one write */

/* Queues bufs' bytes from offset skip on with uv_write (copied: the slots
 * go now). False when libuv refuses. */
static bool conn_queue_rest(conn_t *c, const uv_buf_t *bufs, size_t n, size_t skip)
{
    write_req_t *wr = xcalloc(1, sizeof *wr);
    for (size_t i = 0; i < n; i++) {
        size_t len = bufs[i].len, from = skip < len ? skip : len;
        buf_append(&wr->wire, bufs[i].base + from, len - from);
        skip -= from;
    }
    return conn_send(c, wr);
}

/* Sends up to FLUSH_BATCH ready replies from the head of the queue, in
 * order, and frees their slots. The bytes go out at once when the socket
 * takes them (uv_try_write: no write request, no callback, and no epoll
 * re-arm, which libuv does after every completed uv_write); what it does
 * not take, or what must wait behind an earlier write, goes by uv_write.
 * A streaming reply ends the batch: its head leaves, its slot stays for
 * the body. A dropped reply (server_slot_drop) is not sent: the replies
 * before it go, then the connection closes. Returns false when nothing
 * more is to be sent now; *close_after says whether the connection is to
 * close. */
static bool conn_send_ready(conn_t *c, bool *close_after)
{
    uv_buf_t bufs[FLUSH_BATCH];
    size_t n = 0, total = 0;
    bool last = false, stream = false; /* a reply that ends the connection; a streaming one */
    for (server_slot_t *s = c->head; s && s->ready && n < FLUSH_BATCH && !last && !stream; s = s->next) {
        if (s->drop) {
            last = true;
            break;
        }
        bufs[n++] = uv_buf_init(s->wire.data, (unsigned)s->wire.len);
        total += s->wire.len;
        stream = s->streaming;
        last = !stream && !s->keep_alive;
    }
    bool failed = false;
    if (!c->closing && total) {
        size_t sent = 0;
        if (c->writes == 0) {
            int rc = uv_try_write((uv_stream_t *)&c->tcp, bufs, (unsigned)n);
            if (rc >= 0)
                sent = (size_t)rc;
            else if (rc != UV_EAGAIN)
                failed = true; /* the peer is gone, as a failed uv_write would say */
        }
        if (!failed && sent < total)
            failed = !conn_queue_rest(c, bufs, n, sent);
    }
    for (size_t i = 0; i < n; i++) {
        server_slot_t *s = c->head;
        if (s->streaming) { /* its head has left (or is copied into a write) */
            buf_reset(&s->wire);
            break;
        }
        if (log_threshold <= LOG_DEBUG)
            log_debug("%s %.3f ms", s->label ? s->label : "-", (double)(uv_hrtime() - s->started) / 1e6);
        c->head = s->next;
        if (!c->head)
            c->tail = NULL;
        c->inflight--;
        slot_free(s);
    }
    *close_after = last || failed;
    return !last && !failed && !stream;
}

/* Sends every reply at the head of the queue that is ready, in order. */
static void conn_flush(conn_t *c)
{
    bool close_after = false;
    while (c->head && c->head->ready && conn_send_ready(c, &close_after))
        ;
    if (close_after)
        conn_close(c);
    else if (!c->reading && !c->closing && !c->broken && c->inflight < MAX_INFLIGHT_PER_CONN / 2 &&
             conn_queued(c) < SERVER_MAX_QUEUED_BYTES / 2)
        start_reading(c);
    conn_maybe_close(c);
}

static server_slot_t *slot_push(conn_t *c, bool keep_alive)
{
    server_slot_t *s = xcalloc(1, sizeof *s);
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

static void conn_process(conn_t *c);

void server_reply(server_slot_t *s)
{
    s->ready = true;
    if (s->in_handler)
        return; /* conn_process carries on */
    conn_t *c = s->conn;
    c->awaiting = false;
    conn_process(c);
    conn_flush(c);
}

/* Hands one request to the handler; later ones wait until it is answered. */
static void slot_process(server_slot_t *s)
{
    http_request_t *hr = s->hr;
    s->hr = NULL;
    s->in_handler = true;
    srv.o.handler(srv.o.ud, s, hr);
    s->in_handler = false;
    if (!s->ready || s->streaming)
        s->conn->awaiting = true;
    http_request_free(hr);
}

/* Hands waiting requests to the handler in order, while the client reads
 * its replies: past SERVER_MAX_QUEUED_BYTES unread they wait (on_write
 * resumes them). */
static void conn_process(conn_t *c)
{
    for (server_slot_t *s = c->head; s && !c->awaiting; s = s->next)
        if (s->hr) {
            if (conn_queued(c) >= SERVER_MAX_QUEUED_BYTES)
                return;
            slot_process(s);
        }
}

/* The client took enough of its replies: serve and read again. */
static void conn_resume(conn_t *c)
{
    if (!c->awaiting) {
        conn_process(c);
        conn_flush(c);
    } else if (!c->reading && !c->broken && c->inflight < MAX_INFLIGHT_PER_CONN / 2) {
        start_reading(c);
    }
}

static void on_http_request(void *ud, http_request_t *hr)
{
    conn_t *c = ud;
    server_slot_t *s = slot_push(c, hr->keep_alive && srv.listening);
    s->hr = hr;
    conn_process(c);
}

static void on_http_continue(void *ud)
{
    conn_t *c = ud;
    write_req_t *wr = xcalloc(1, sizeof *wr);
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

/* The stream cannot be parsed any further: answer with status, then close. */
static void conn_broken(conn_t *c, int status)
{
    server_slot_t *s = slot_push(c, false);
    if (status == 413 && srv.o.too_large)
        srv.o.too_large(&s->wire, false);
    else if ((status == 408 || status == 503) && srv.o.refusal)
        srv.o.refusal(&s->wire, status);
    else
        http_response_write(&s->wire, status, NULL, 0, STR_NULL, false);
    s->ready = true;
    c->reading = false;
    c->broken = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
}

static void on_read(uv_stream_t *stream, ssize_t n, const uv_buf_t *b)
{
    conn_t *c = stream->data;
    if (n < 0) {
        conn_close(c);
        return;
    }
    if (n == 0 || c->closing || c->stream)
        return; /* a streaming connection reads only to notice the client leave */
    int status = http_parser_feed(c->parser, b->base, (size_t)n);
    http_phase_t phase = http_parser_phase(c->parser);
    if (phase != c->phase || phase == HTTP_PHASE_IDLE) {
        c->phase = phase; /* idle time counts from the last byte */
        c->phase_since = uv_now(srv.o.loop);
    }
    if (status) {
        conn_broken(c, status);
    } else if (c->inflight >= MAX_INFLIGHT_PER_CONN || conn_queued(c) >= SERVER_MAX_QUEUED_BYTES) {
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

static void on_accept(void *ud, int fd)
{
    (void)ud;
    if (srv.o.max_conns && srv.stats.conns >= srv.o.max_conns) {
        buf_t b = BUF_INIT;
        if (srv.o.refusal)
            srv.o.refusal(&b, 503);
        else
            http_response_write(&b, 503, NULL, 0, STR_NULL, false);
        listener_refuse(fd, b.data, b.len);
        buf_free(&b);
        srv.stats.refused++;
        return;
    }
    conn_t *c = xcalloc(1, sizeof *c);
    uv_tcp_init(srv.o.loop, &c->tcp);
    c->tcp.data = c;
    srv.stats.conns++;
    if (uv_tcp_open(&c->tcp, fd) != 0) {
        close(fd);
        uv_close((uv_handle_t *)&c->tcp, on_close);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    http_parser_cb_t cb = {c, on_http_request, on_http_continue};
    c->parser = http_parser_new(&cb, srv.o.max_body);
    c->phase_since = c->write_since = uv_now(srv.o.loop);
    c->next = srv.conns;
    if (srv.conns)
        srv.conns->prev = c;
    srv.conns = c;
    start_reading(c);
}

/* ---- timeouts ------------------------------------------------------------ */

static bool expired(uint64_t since, uint64_t limit, uint64_t now) { return limit && now - since >= limit; }

/* What a connection's clock says: close it, answer 408, or wait. */
static void conn_check(conn_t *c, uint64_t now)
{
    if (c->closed)
        return;
    if (c->writes > 0) { /* the client is not taking its replies */
        uint64_t limit = srv.closing_all ? SERVER_SHUTDOWN_GRACE_MS : srv.o.idle_timeout_ms;
        /* a streaming reply awaits forever: its unread bytes count too */
        if ((!c->awaiting || c->stream) && expired(c->write_since, limit, now)) {
            srv.stats.idle_closed++;
            conn_finish(c);
        }
        return;
    }
    if (c->closing)
        return;
    if (c->awaiting || c->inflight > 0 || c->broken)
        return; /* our turn, not the client's */
    if (c->phase == HTTP_PHASE_IDLE) {
        if (expired(c->phase_since, srv.o.idle_timeout_ms, now)) {
            srv.stats.idle_closed++;
            conn_close(c);
        }
        return;
    }
    uint64_t limit = c->phase == HTTP_PHASE_HEAD ? srv.o.header_timeout_ms : srv.o.body_timeout_ms;
    if (expired(c->phase_since, limit, now)) {
        srv.stats.timed_out++;
        conn_broken(c, 408);
        conn_flush(c);
    }
}

static void on_sweep(uv_timer_t *t)
{
    uint64_t now = uv_now(t->loop);
    for (conn_t *c = srv.conns, *next; c; c = next) {
        next = c->next; /* conn_check may unlink c */
        conn_check(c, now);
    }
    if (srv.closing_all && !srv.conns)
        uv_close((uv_handle_t *)&srv.sweep, NULL); /* the last thing keeping the loop */
}

/* Often enough for the shortest timeout to be kept to within a quarter. */
static uint64_t sweep_interval(void)
{
    uint64_t t[] = {srv.o.header_timeout_ms, srv.o.body_timeout_ms, srv.o.idle_timeout_ms}, best = 1000;
    for (size_t i = 0; i < 3; i++)
        if (t[i] && t[i] / 4 < best)
            best = t[i] / 4;
    return best < 50 ? 50 : best;
}

/* ---- streaming replies ------------------------------------------------- */

void server_stream_begin(server_slot_t *s)
{
    conn_t *c = s->conn;
    s->streaming = true;
    s->ready = true;
    c->stream = s;
    c->awaiting = true; /* nothing after it is served */
    if (!s->in_handler)
        conn_flush(c);
}

bool server_stream_write(server_slot_t *s, const char *data, size_t len)
{
    conn_t *c = s->conn;
    if (c->closing)
        return false;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > SERVER_STREAM_MAX_QUEUED) {
        conn_close(c); /* the client does not keep up: let it reconnect */
        return false;
    }
    if (c->head != s || s->wire.len) /* the head has not left yet: the bytes follow it */
        return buf_append(&s->wire, data, len), true;
    write_req_t *wr = xcalloc(1, sizeof *wr);
    buf_append(&wr->wire, data, len);
    if (!conn_send(c, wr)) {
        conn_close(c);
        return false;
    }
    return true;
}

size_t server_stream_queued(const server_slot_t *s)
{
    return s->wire.len + uv_stream_get_write_queue_size((const uv_stream_t *)&s->conn->tcp);
}

void server_stream_end(server_slot_t *s) { conn_close(s->conn); }

/* ---- start and stop ------------------------------------------------------ */

server_stats_t server_stats(void)
{
    server_stats_t st = srv.stats;
    st.emfile_pauses = listener_emfile_pauses();
    return st;
}

int server_start(const server_opts_t *o, int *port_out)
{
    memset(&srv, 0, sizeof srv);
    srv.o = *o;
    signal(SIGPIPE, SIG_IGN);
    buf_t busy = BUF_INIT;
    if (o->refusal)
        o->refusal(&busy, 503);
    else
        http_response_write(&busy, 503, NULL, 0, STR_NULL, false);
    listener_opts_t lo = {o->loop, o->host, o->port, on_accept, NULL, busy.data, busy.len};
    int rc = listener_start(&lo, port_out);
    buf_free(&busy);
    if (rc)
        return 1;
    uv_timer_init(o->loop, &srv.sweep);
    uint64_t every = sweep_interval();
    uv_timer_start(&srv.sweep, on_sweep, every, every);
    srv.listening = true;
    return 0;
}

void server_stop_listening(void)
{
    if (!srv.listening)
        return;
    srv.listening = false;
    listener_stop();
}

void server_close_all(void)
{
    srv.closing_all = true;
    for (conn_t *c = srv.conns, *next; c; c = next) {
        next = c->next;
        conn_close(c);
    }
    if (!srv.conns)
        uv_close((uv_handle_t *)&srv.sweep, NULL);
    else /* clients that do not read their last replies get a moment, then are dropped */
        uv_timer_start(&srv.sweep, on_sweep, 100, 100);
}
