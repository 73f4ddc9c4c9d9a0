/* http.c - HTTP/1.1 request framing on llhttp, and response serialization.
 *
 * While a request's header section arrives, the URL, header names and
 * values are appended to one reusable buffer (p->head), NUL after each,
 * and their offsets noted in a fixed table: no allocation per header or per
 * byte. At headers-complete the whole request is laid out in one malloc'd
 * block:
 *
 *     [http_request_t][http_header_t x n][method\0][head bytes][body ... \0]
 *
 * and body bytes are copied straight into its tail, so a Content-Length
 * request costs one allocation and one copy of its body. Chunked bodies (and
 * Content-Length bodies larger than HTTP_PREALLOC_MAX) grow the block with
 * realloc; pointers into it are set only when the request completes, so a
 * realloc never leaves one dangling.
 *
 * A completed request is not handed over from inside llhttp's callback:
 * on_message_complete pauses the parser, http_parser_feed() delivers the
 * request, resumes and carries on with the rest of the bytes. The caller's
 * on_request therefore never runs on llhttp's stack. */
#include "net/http.h"

#include <llhttp.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/buf.h"

/* Header section limits: URL plus header names and values (trailers
 * included), and the number of header lines. Past either: 431. */
#define HTTP_MAX_HEAD_BYTES (64 * 1024)
#define HTTP_MAX_HEADERS 100
/* A declared Content-Length is trusted for at most this much memory up
 * front; a larger body grows as its bytes actually arrive, so a client
 * cannot make us reserve max_body per connection with a single header. */
#define HTTP_PREALLOC_MAX ((size_t)1 << 20)
#define HTTP_CHUNKED_INITIAL ((size_t)4096)

/* Offsets into p->head; each string is followed by a NUL there. */
typedef struct http_span {
    uint32_t name_off, name_len;
    uint32_t value_off, value_len;
} http_span_t;

struct http_parser {
    llhttp_t ll;
    http_parser_cb_t cb;
    size_t max_body;
    int status; /* sticky: once a feed failed, every later one fails alike */
    bool closed; /* a request without keep-alive was delivered: ignore the rest */
    http_phase_t phase;

    /* The header section of the request being parsed. */
    buf_t head;
    uint32_t url_len;
    size_t head_bytes; /* URL, field and value bytes seen, trailers included */
    http_span_t spans[HTTP_MAX_HEADERS];
    size_t nheaders;
    bool in_value; /* the last header data seen was a value */
    size_t field_len; /* bytes of the header name being read */

    /* The request block, from headers-complete to message-complete. */
    char *block;
    size_t method_len;
    size_t declared_len; /* Content-Length (llhttp counts its copy down) */
    size_t body_off; /* where the body starts in block */
    size_t body_len;
    size_t body_cap;
    bool keep_alive;

    http_request_t *ready; /* completed, waiting for feed() to deliver it */
};

static http_parser_t *http_from_ll(llhttp_t *ll) { return ll->data; }

/* Records the status the feed will return and makes llhttp stop. */
static int http_fail(http_parser_t *p, int status)
{
    if (!p->status)
        p->status = status;
    return -1;
}

static bool http_ascii_caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* ---- header section ---- */

/* Counts header-section bytes against the limit; stores them unless the
 * headers are already done (trailers are counted, then dropped: nothing
 * above HTTP needs them). */
static int http_head_add(http_parser_t *p, const char *at, size_t len)
{
    if (len > HTTP_MAX_HEAD_BYTES - p->head_bytes)
        return http_fail(p, 431);
    p->head_bytes += len;
    if (!p->block)
        buf_append(&p->head, at, len);
    return 0;
}

static int http_on_message_begin(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    p->phase = HTTP_PHASE_HEAD;
    buf_reset(&p->head);
    p->url_len = 0;
    p->head_bytes = 0;
    p->nheaders = 0;
    p->in_value = false;
    p->field_len = 0;
    free(p->block); /* NULL unless a previous request was abandoned */
    p->block = NULL;
    p->body_len = p->body_cap = 0;
    return 0;
}

static int http_on_url(llhttp_t *ll, const char *at, size_t len) { return http_head_add(http_from_ll(ll), at, len); }

static int http_on_url_complete(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    p->url_len = (uint32_t)p->head.len;
    buf_putc(&p->head, '\0');
    return 0;
}

/* Opens a header's span at the first piece of its name (llhttp may hand a
 * name over in several pieces, one per read). */
static int http_header_start(http_parser_t *p)
{
    if (p->nheaders && !p->in_value)
        return 0;
    if (p->nheaders == HTTP_MAX_HEADERS)
        return http_fail(p, 431);
    http_span_t *s = &p->spans[p->nheaders++];
    s->name_off = (uint32_t)p->head.len;
    s->name_len = s->value_off = s->value_len = 0;
    p->in_value = false;
    return 0;
}

/* RFC 9110 5.6.2 token characters. llhttp built without strict mode lets
 * spaces and other separators into header names ("Host : x"), which
 * RFC 9112 5.1 says to refuse: two parsers reading such a request
 * differently is how requests get smuggled. */
static bool http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
    }
}

static int http_on_header_field(llhttp_t *ll, const char *at, size_t len)
{
    http_parser_t *p = http_from_ll(ll);
    for (size_t i = 0; i < len; i++)
        if (!http_is_tchar((unsigned char)at[i]))
            return http_fail(p, 400);
    p->field_len += len;
    if (!p->block && http_header_start(p))
        return -1;
    return http_head_add(p, at, len);
}

static int http_on_header_field_complete(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    if (p->field_len == 0)
        return http_fail(p, 400); /* ": value", which llhttp lets through */
    p->field_len = 0;
    if (p->block)
        return 0;
    http_span_t *s = &p->spans[p->nheaders - 1];
    s->name_len = (uint32_t)p->head.len - s->name_off;
    buf_putc(&p->head, '\0');
    /* An empty value gets no on_header_value call: its span starts here. */
    s->value_off = (uint32_t)p->head.len;
    p->in_value = true;
    return 0;
}

static int http_on_header_value(llhttp_t *ll, const char *at, size_t len)
{
    return http_head_add(http_from_ll(ll), at, len);
}

static int http_on_header_value_complete(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    if (p->block)
        return 0;
    http_span_t *s = &p->spans[p->nheaders - 1];
    /* llhttp skips the whitespace before a value but keeps the whitespace
     * after it, which RFC 9112 5 says is not part of the value. */
    while (p->head.len > s->value_off &&
           (p->head.data[p->head.len - 1] == ' ' || p->head.data[p->head.len - 1] == '\t'))
        p->head.len--;
    s->value_len = (uint32_t)p->head.len - s->value_off;
    buf_putc(&p->head, '\0');
    return 0;
}

/* ---- headers complete: limits, 100-continue, the request block ---- */

static const http_span_t *http_span_find(const http_parser_t *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->nheaders; i++) {
        const http_span_t *s = &p->spans[i];
        if (s->name_len == n && http_ascii_caseeq(p->head.data + s->name_off, name, n))
            return s;
    }
    return NULL;
}

static bool http_wants_continue(const http_parser_t *p)
{
    /* RFC 9110 10.1.1: an HTTP/1.0 client cannot expect 100-continue, and
     * there is nothing to wait for when no body follows. */
    if (p->ll.http_minor == 0)
        return false;
    if (!(p->ll.flags & F_CHUNKED) && p->ll.content_length == 0)
        return false;
    const http_span_t *s = http_span_find(p, "expect");
    static const char want[] = "100-continue";
    return s && s->value_len == sizeof want - 1 &&
           http_ascii_caseeq(p->head.data + s->value_off, want, sizeof want - 1);
}

/* Allocates the request block with room for the first part of the body
 * and copies the method and the header section into it. */
static void http_block_new(http_parser_t *p)
{
    p->declared_len = (p->ll.flags & F_CONTENT_LENGTH) ? (size_t)p->ll.content_length : 0;
    p->body_cap = p->declared_len < HTTP_PREALLOC_MAX ? p->declared_len : HTTP_PREALLOC_MAX;
    const char *method = llhttp_method_name((llhttp_method_t)p->ll.method);
    size_t mlen = p->method_len = strlen(method);
    size_t fixed = sizeof(http_request_t) + p->nheaders * sizeof(http_header_t);
    p->body_off = fixed + mlen + 1 + p->head.len;
    p->block = xmalloc(p->body_off + p->body_cap + 1);
    memcpy(p->block + fixed, method, mlen + 1);
    if (p->head.len)
        memcpy(p->block + fixed + mlen + 1, p->head.data, p->head.len);
    p->body_len = 0;
}

static int http_on_headers_complete(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    if (ll->http_major != 1)
        return http_fail(p, 505);
    if ((ll->flags & F_CONTENT_LENGTH) && ll->content_length > p->max_body)
        return http_fail(p, 413);
    /* We never switch protocols: an Upgrade (or CONNECT) request is served
     * as a plain request, which RFC 9110 7.8 allows, and parsing goes on
     * as HTTP/1.1 rather than stopping at the end of the message. */
    ll->upgrade = 0;
    p->keep_alive = llhttp_should_keep_alive(ll);
    p->phase = HTTP_PHASE_BODY;
    http_block_new(p);
    if (p->cb.on_continue && http_wants_continue(p))
        p->cb.on_continue(p->cb.ud);
    return 0;
}

/* ---- body ---- */

/* Makes room for need body bytes. A Content-Length body never grows past
 * its declared length, a chunked one doubles (capped at max_body). */
static void http_body_reserve(http_parser_t *p, size_t need)
{
    if (need <= p->body_cap)
        return;
    size_t limit = (p->ll.flags & F_CHUNKED) ? p->max_body : p->declared_len;
    size_t cap = p->body_cap ? p->body_cap * 2 : HTTP_CHUNKED_INITIAL;
    if (cap > limit)
        cap = limit;
    if (cap < need)
        cap = need;
    char *b = xrealloc(p->block, p->body_off + cap + 1);
    p->block = b;
    p->body_cap = cap;
}

/* Refuses a chunk that would take the body past the limit before any of
 * its bytes are read. */
static int http_on_chunk_header(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    if (ll->content_length > p->max_body - p->body_len)
        return http_fail(p, 413);
    return 0;
}

static int http_on_body(llhttp_t *ll, const char *at, size_t len)
{
    http_parser_t *p = http_from_ll(ll);
    if (len > p->max_body - p->body_len)
        return http_fail(p, 413); /* the chunk-header check makes this unreachable */
    http_body_reserve(p, p->body_len + len);
    memcpy(p->block + p->body_off + p->body_len, at, len);
    p->body_len += len;
    return 0;
}

/* ---- message complete: point everything into the block ---- */

static http_request_t *http_block_finish(http_parser_t *p)
{
    char *b = p->block;
    p->block = NULL;
    http_request_t *req = (http_request_t *)b;
    size_t fixed = sizeof(http_request_t) + p->nheaders * sizeof(http_header_t);
    size_t mlen = p->method_len;
    const char *head = b + fixed + mlen + 1;

    req->method = (str_t){b + fixed, mlen};
    req->path = (str_t){head, p->url_len};
    req->headers = (http_header_t *)(b + sizeof(http_request_t));
    req->nheaders = p->nheaders;
    for (size_t i = 0; i < p->nheaders; i++) {
        const http_span_t *s = &p->spans[i];
        req->headers[i].name = (str_t){head + s->name_off, s->name_len};
        req->headers[i].value = (str_t){head + s->value_off, s->value_len};
    }
    b[p->body_off + p->body_len] = '\0';
    req->body = (str_t){b + p->body_off, p->body_len};
    req->keep_alive = p->keep_alive;
    return req;
}

static int http_on_message_complete(llhttp_t *ll)
{
    http_parser_t *p = http_from_ll(ll);
    p->phase = HTTP_PHASE_IDLE;
    p->ready = http_block_finish(p);
    return HPE_PAUSED; /* feed() delivers it, off llhttp's stack */
}

static const llhttp_settings_t http_settings = {
    .on_message_begin = http_on_message_begin,
    .on_url = http_on_url,
    .on_url_complete = http_on_url_complete,
    .on_header_field = http_on_header_field,
    .on_header_field_complete = http_on_header_field_complete,
    .on_header_value = http_on_header_value,
    .on_header_value_complete = http_on_header_value_complete,
    .on_headers_complete = http_on_headers_complete,
    .on_chunk_header = http_on_chunk_header,
    .on_body = http_on_body,
    .on_message_complete = http_on_message_complete,
};

/* ---- public API ---- */

http_parser_t *http_parser_new(const http_parser_cb_t *cb, size_t max_body)
{
    http_parser_t *p = xcalloc(1, sizeof *p);
    p->cb = *cb;
    p->max_body = max_body;
    llhttp_init(&p->ll, HTTP_REQUEST, &http_settings);
    p->ll.data = p;
    return p;
}

void http_parser_free(http_parser_t *p)
{
    if (!p)
        return;
    free(p->block);
    http_request_free(p->ready);
    buf_free(&p->head);
    free(p);
}

static int http_error_status(http_parser_t *p, llhttp_errno_t e)
{
    if (p->status)
        return p->status; /* one of our callbacks refused */
    if (e == HPE_INVALID_VERSION || e == HPE_PAUSED_H2_UPGRADE)
        return 505;
    return 400;
}

/* Stops for good: the block of a half-parsed request is of no further use. */
static int http_stop(http_parser_t *p, llhttp_errno_t e)
{
    p->status = http_error_status(p, e);
    free(p->block);
    p->block = NULL;
    return p->status;
}

int http_parser_feed(http_parser_t *p, const char *data, size_t len)
{
    if (p->status)
        return p->status;
    const char *end = data + len;
    while (!p->closed && data < end) {
        llhttp_errno_t e = llhttp_execute(&p->ll, data, (size_t)(end - data));
        if (e == HPE_OK)
            return 0;
        if (e != HPE_PAUSED || !p->ready)
            return http_stop(p, e);
        data = llhttp_get_error_pos(&p->ll);
        llhttp_resume(&p->ll);
        http_request_t *req = p->ready;
        p->ready = NULL;
        /* Bytes after a request that closes the connection are never
         * answered, so they are not parsed (llhttp would call them an
         * error). Read keep_alive first: the callee may free req. */
        p->closed = !req->keep_alive;
        p->cb.on_request(p->cb.ud, req);
    }
    return 0;
}

void http_request_free(http_request_t *req) { free(req); }

http_phase_t http_parser_phase(const http_parser_t *p) { return p->phase; }

str_t http_header_get(const http_request_t *req, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < req->nheaders; i++) {
        const http_header_t *h = &req->headers[i];
        if (h->name.len == n && http_ascii_caseeq(h->name.ptr, name, n))
            return h->value;
    }
    return STR_NULL;
}

/* ---- responses ---- */

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

#define PUT(ptr, n) (memcpy(p, (ptr), (n)), p += (n))

/* Reserves room for the status line, the headers and extra bytes, and
 * writes the first two: returns where the rest goes. One reservation for
 * the whole reply, then plain copies: this runs once per request. */
static char *put_head(buf_t *out, int status, const http_header_t *headers, size_t nheaders, size_t extra)
{
    const char *text = http_status_text(status);
    size_t text_len = strlen(text), need = 13 + text_len + 2 + extra;
    for (size_t i = 0; i < nheaders; i++)
        need += headers[i].name.len + headers[i].value.len + 4;
    buf_reserve(out, need);
    char *p = out->data + out->len;
    PUT("HTTP/1.1 ", 9);
    *p++ = (char)('0' + status / 100 % 10), *p++ = (char)('0' + status / 10 % 10), *p++ = (char)('0' + status % 10);
    *p++ = ' ';
    PUT(text, text_len);
    PUT("\r\n", 2);
    for (size_t i = 0; i < nheaders; i++) {
        const http_header_t *h = &headers[i];
        PUT(h->name.ptr, h->name.len);
        PUT(": ", 2);
        PUT(h->value.ptr, h->value.len);
        PUT("\r\n", 2);
    }
    return p;
}

void http_response_head(buf_t *out, int status, const http_header_t *headers, size_t nheaders)
{
    char *p = put_head(out, status, headers, nheaders, 21);
    PUT("Connection: close\r\n\r\n", 21);
    out->len = (size_t)(p - out->data);
}

void http_response_write(buf_t *out, int status, const http_header_t *headers, size_t nheaders, str_t body,
                         bool keep_alive)
{
    char *p = put_head(out, status, headers, nheaders, 16 + 20 + 2 + 19 + 2 + body.len);
    PUT("Content-Length: ", 16);
    p += fmt_u64(p, body.len);
    PUT("\r\n", 2);
    if (!keep_alive)
        PUT("Connection: close\r\n", 19);
    PUT("\r\n", 2);
    if (body.len)
        PUT(body.ptr, body.len);
    out->len = (size_t)(p - out->data);
}
#undef PUT

/* ---- query strings ------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes src into out (cap bytes with the NUL); -1 on a bad escape, a NUL
 * or no room. */
static int query_decode(const char *src, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hex_digit(src[i + 1]), lo = hex_digit(src[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (c == '\0' || k + 1 >= cap)
            return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    return (int)k;
}

int http_query_get(str_t target, const char *name, char *out, size_t cap)
{
    const char *q = target.ptr ? memchr(target.ptr, '?', target.len) : NULL;
    if (!q || cap == 0)
        return -1;
    const char *end = target.ptr + target.len;
    size_t nlen = strlen(name);
    for (const char *p = q + 1; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *key_end = eq ? eq : stop;
        if ((size_t)(key_end - p) == nlen && memcmp(p, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : stop;
            return query_decode(v, (size_t)(stop - v), out, cap);
        }
        p = stop + 1;
    }
    return -1;
}
