/* httpc.c - one HTTP POST at a time per request object (see httpc.h).
 *
 * Life of a request: resolve (numeric addresses skip the resolver) ->
 * connect -> write -> read, the response framed by llhttp in response
 * mode -> finish. A timer bounds the whole. Finishing reports once, then
 * closes the handles; the object is freed when the last libuv callback
 * that refers to it (close, resolver) has run, so nothing ever touches
 * freed memory. */
#include "net/httpc.h"

#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

struct httpc_req {
    uv_loop_t *loop;
    uv_getaddrinfo_t resolve;
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect;
    uv_write_t write;
    llhttp_t parser;
    llhttp_settings_t settings;
    httpc_done_cb cb;
    void *ud;
    httpc_url_t url;
    buf_t request;
    buf_t body;
    uint64_t started;
    int refs; /* libuv handles and requests still to call back */
    bool tcp_open; /* tcp initialised (needs a close) */
    bool complete; /* the response message is complete */
    bool reported; /* cb has run */
    char deferred[160]; /* an error found inside httpc_post, reported from the timer */
};

int httpc_url_parse(const char *url, httpc_url_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    if (strncmp(url, "http://", 7) != 0) {
        snprintf(why, why_len, "the URL must start with http:// (no TLS): %s", url);
        return -1;
    }
    const char *host = url + 7, *end = host + strcspn(host, ":/?#");
    if (end == host || (size_t)(end - host) >= sizeof out->host) {
        snprintf(why, why_len, "the URL has no valid host: %s", url);
        return -1;
    }
    memcpy(out->host, host, (size_t)(end - host));
    out->port = 80;
    const char *p = end;
    if (*p == ':') {
        char *stop;
        long port = strtol(p + 1, &stop, 10);
        if (stop == p + 1 || port < 1 || port > 65535 || (*stop && *stop != '/' && *stop != '?')) {
            snprintf(why, why_len, "the URL has an invalid port: %s", url);
            return -1;
        }
        out->port = (int)port;
        p = stop;
    }
    if (*p == '#' || strlen(p) + 2 > sizeof out->path || strpbrk(p, " \r\n\t")) {
        snprintf(why, why_len, "the URL has an invalid path: %s", url);
        return -1;
    }
    snprintf(out->path, sizeof out->path, "%s%s", *p == '/' ? "" : "/", p);
    return 0;
}

static void req_unref(httpc_req_t *r)
{
    if (--r->refs == 0) {
        buf_free(&r->request);
        buf_free(&r->body);
        free(r);
    }
}

static void on_close(uv_handle_t *h) { req_unref(h->data); }

/* Reports the outcome (once) and closes everything. */
static void finish(httpc_req_t *r, int status, const char *error)
{
    if (r->reported)
        return;
    r->reported = true;
    httpc_result_t res = {status, error, {r->body.data, r->body.len}, (uv_now(r->loop) - r->started)};
    r->cb(r->ud, &res);
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, on_close);
    if (r->tcp_open)
        uv_close((uv_handle_t *)&r->tcp, on_close);
}

static void fail_uv(httpc_req_t *r, const char *what, int err)
{
    char msg[160];
    snprintf(msg, sizeof msg, "%s: %s", what, uv_strerror(err));
    finish(r, 0, msg); /* cb copies what it keeps; msg lives through the call */
}

/* An error met before httpc_post returns: reported from the next loop
 * iteration, so cb never runs inside httpc_post. */
static void on_timeout(uv_timer_t *t);

static void defer_fail(httpc_req_t *r, const char *what, int err)
{
    snprintf(r->deferred, sizeof r->deferred, "%s: %s", what, uv_strerror(err));
    uv_timer_start(&r->timer, on_timeout, 0, 0);
}

static void on_timeout(uv_timer_t *t)
{
    httpc_req_t *r = t->data;
    if (r->deferred[0])
        return finish(r, 0, r->deferred);
    char msg[64];
    snprintf(msg, sizeof msg, "timed out after %llu ms", (unsigned long long)(uv_now(r->loop) - r->started));
    finish(r, 0, msg);
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
    httpc_req_t *r = p->data;
    if (r->body.len + len > HTTPC_MAX_RESPONSE)
        return -1;
    buf_append(&r->body, at, len);
    return 0;
}

static int on_message_complete(llhttp_t *p)
{
    httpc_req_t *r = p->data;
    r->complete = true;
    return HPE_PAUSED; /* one response is all we want */
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    (void)suggested;
    static char chunk[64 * 1024]; /* loop thread only; consumed in on_read */
    *b = uv_buf_init(chunk, sizeof chunk);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    httpc_req_t *r = s->data;
    if (r->reported)
        return;
    llhttp_errno_t e = HPE_OK;
    if (n > 0)
        e = llhttp_execute(&r->parser, b->base, (size_t)n);
    else if (n == UV_EOF)
        e = llhttp_finish(&r->parser); /* a body delimited by the close */
    else if (n < 0)
        return fail_uv(r, "reading the response", (int)n);
    if (r->complete)
        return finish(r, r->parser.status_code, NULL);
    if (e != HPE_OK && e != HPE_PAUSED)
        return finish(r, 0, "malformed HTTP response");
    if (n == UV_EOF)
        finish(r, 0, "connection closed before a complete response");
}

static void on_write(uv_write_t *w, int status)
{
    httpc_req_t *r = w->data;
    if (status < 0 && !r->reported)
        fail_uv(r, "sending the request", status);
    req_unref(r);
}

static void on_connect(uv_connect_t *c, int status)
{
    httpc_req_t *r = c->data;
    if (r->reported || status == UV_ECANCELED) {
        req_unref(r);
        return;
    }
    if (status < 0) {
        fail_uv(r, "connect", status);
        req_unref(r);
        return;
    }
    uv_buf_t b = uv_buf_init(r->request.data, (unsigned)r->request.len);
    r->write.data = r;
    r->refs++;
    int rc = uv_write(&r->write, (uv_stream_t *)&r->tcp, &b, 1, on_write);
    if (rc) {
        r->refs--;
        fail_uv(r, "sending the request", rc);
    } else if ((rc = uv_read_start((uv_stream_t *)&r->tcp, on_alloc, on_read)) != 0) {
        fail_uv(r, "reading the response", rc);
    }
    req_unref(r);
}

static void start_connect(httpc_req_t *r, const struct sockaddr *addr)
{
    uv_tcp_init(r->loop, &r->tcp);
    r->tcp.data = r;
    r->tcp_open = true;
    r->refs++; /* the tcp handle's close */
    r->connect.data = r;
    r->refs++;
    int rc = uv_tcp_connect(&r->connect, &r->tcp, addr, on_connect);
    if (rc) {
        r->refs--;
        defer_fail(r, "connect", rc);
    }
}

static void on_resolved(uv_getaddrinfo_t *g, int status, struct addrinfo *res)
{
    httpc_req_t *r = g->data;
    if (!r->reported) {
        if (status < 0)
            fail_uv(r, "resolving the host", status);
        else
            start_connect(r, res->ai_addr);
    }
    uv_freeaddrinfo(res);
    req_unref(r);
}

static void build_request(httpc_req_t *r, str_t body)
{
    buf_printf(&r->request,
               "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
               "Content-Length: %zu\r\nConnection: close\r\nUser-Agent: ddbd/" DDBD_VERSION "\r\n\r\n",
               r->url.path, r->url.host, r->url.port, body.len);
    buf_append(&r->request, body.ptr, body.len);
}

httpc_req_t *httpc_post(uv_loop_t *loop, const httpc_url_t *url, str_t body, uint64_t timeout_ms, httpc_done_cb cb,
                        void *ud)
{
    httpc_req_t *r = xcalloc(1, sizeof *r);
    r->loop = loop;
    r->url = *url;
    r->cb = cb;
    r->ud = ud;
    r->started = uv_now(loop);
    build_request(r, body);
    llhttp_settings_init(&r->settings);
    r->settings.on_body = on_body;
    r->settings.on_message_complete = on_message_complete;
    llhttp_init(&r->parser, HTTP_RESPONSE, &r->settings);
    r->parser.data = r;

    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    r->refs = 1; /* the timer's close */
    uv_timer_start(&r->timer, on_timeout, timeout_ms, 0);

    struct sockaddr_storage addr;
    if (uv_ip4_addr(url->host, url->port, (struct sockaddr_in *)&addr) == 0 ||
        uv_ip6_addr(url->host, url->port, (struct sockaddr_in6 *)&addr) == 0) {
        start_connect(r, (const struct sockaddr *)&addr);
        return r;
    }
    char port[8];
    snprintf(port, sizeof port, "%d", url->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    r->resolve.data = r;
    r->refs++;
    int rc = uv_getaddrinfo(loop, &r->resolve, on_resolved, url->host, port, &hints);
    if (rc) {
        r->refs--;
        defer_fail(r, "resolving the host", rc);
    }
    return r;
}

void httpc_abort(httpc_req_t *r) { finish(r, 0, "aborted"); }
