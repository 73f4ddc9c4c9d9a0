/* http.h - HTTP/1.1 framing on top of llhttp.
 *
 * Knows nothing of DynamoDB or of sockets: bytes go in with
 * http_parser_feed(), complete requests come out through a callback, and
 * http_response_write() turns a status, headers and a body into bytes.
 * Handles keep-alive, pipelining (several requests in one read, answered
 * in order by the caller), bodies split across reads, Content-Length and
 * chunked bodies, "Expect: 100-continue" and a body-size limit. */
#ifndef DDBD_HTTP_H
#define DDBD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

typedef struct http_header {
    str_t name;
    str_t value;
} http_header_t;

/* One complete request. Owns all its memory (method, path, header names
 * and values, body point into it; each is followed by a NUL byte, not
 * counted in len); free with http_request_free(). */
typedef struct http_request {
    str_t method; /* "POST" */
    str_t path; /* "/" (the request target, query string included) */
    http_header_t *headers;
    size_t nheaders;
    str_t body;
    bool keep_alive; /* false: close the connection after the response */
} http_request_t;

void http_request_free(http_request_t *req);
/* Case-insensitive header lookup; STR_NULL (ptr NULL) when absent. */
str_t http_header_get(const http_request_t *req, const char *name);

typedef struct http_parser http_parser_t;

typedef struct http_parser_cb {
    void *ud;
    /* A complete request; the callee owns req from here on. */
    void (*on_request)(void *ud, http_request_t *req);
    /* The headers asked for "100-continue" and the body is within the
     * limit: the caller should write HTTP_CONTINUE now. May be NULL. */
    void (*on_continue)(void *ud);
} http_parser_cb_t;

#define HTTP_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

http_parser_t *http_parser_new(const http_parser_cb_t *cb, size_t max_body);
void http_parser_free(http_parser_t *p);

/* Feeds bytes; calls on_request for each request they complete, in order.
 * The callbacks must not free the parser (defer that, e.g. to uv_close's
 * callback). After a request with keep_alive false, further bytes are
 * ignored: nothing after it will be answered.
 * Returns 0, or an HTTP status (400 malformed, 413 body over the limit,
 * 431 headers too large, 505 version) after which the caller answers with
 * that status and closes: the stream cannot be resynchronized. Requests
 * completed before the error have already been delivered. */
int http_parser_feed(http_parser_t *p, const char *data, size_t len);

/* Appends a full response: status line, the given headers, Content-Length,
 * "Connection: close" when !keep_alive, a blank line, the body. */
void http_response_write(buf_t *out, int status, const http_header_t *headers, size_t nheaders, str_t body,
                         bool keep_alive);
/* Appends a response head for a body of unknown length sent until the
 * connection closes (server_stream_begin): status line, the given headers,
 * "Connection: close", a blank line; no Content-Length. */
void http_response_head(buf_t *out, int status, const http_header_t *headers, size_t nheaders);
const char *http_status_text(int status); /* "OK", "Bad Request", ... */

/* The value of the first parameter called name in a request target's query
 * string ("/path?a=1&b=x%20y": the part after '?'; a target without one
 * has none), percent- and '+'-decoded into out (NUL-terminated). Returns
 * its length, or -1 when absent, longer than cap - 1 bytes, or badly
 * encoded (a '%' without two hex digits, or a NUL byte). */
int http_query_get(str_t target, const char *name, char *out, size_t cap);

#endif
