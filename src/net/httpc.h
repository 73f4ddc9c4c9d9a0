/* httpc.h - a small HTTP/1.1 client on the libuv loop: one POST of a JSON
 * body to http://host:port/path, one connection per request (closed after
 * the response), a whole-request timeout, the response's status and body.
 * No TLS, no redirects. Never blocks the loop: name resolution, connect,
 * write and read are all asynchronous.
 *
 * Used by triggers to call a local function endpoint. */
#ifndef DDBD_HTTPC_H
#define DDBD_HTTPC_H

#include <stdint.h>
#include <uv.h>

#include "base/str.h"

#define HTTPC_MAX_RESPONSE (6u * 1024 * 1024) /* larger responses are an error */

/* A parsed http:// URL. */
typedef struct httpc_url {
    char host[256];
    int port; /* 80 when absent */
    char path[2048]; /* "/" when absent; includes the query */
} httpc_url_t;

/* 0, or -1 with a reason in why (not http://, bad port, too long). */
int httpc_url_parse(const char *url, httpc_url_t *out, char *why, size_t why_len);

/* The outcome: status 0 when there was no HTTP response, and then error
 * says why ("connection refused", "timed out after 3000 ms", ...). body is
 * valid only during the callback. */
typedef struct httpc_result {
    int status;
    const char *error;
    str_t body;
    uint64_t duration_ms;
} httpc_result_t;

typedef void (*httpc_done_cb)(void *ud, const httpc_result_t *res);
typedef struct httpc_req httpc_req_t;

/* Starts a POST (Content-Type: application/json) of body (copied); cb runs
 * exactly once, on the loop thread, never before this returns. */
httpc_req_t *httpc_post(uv_loop_t *loop, const httpc_url_t *url, str_t body, uint64_t timeout_ms, httpc_done_cb cb,
                        void *ud);

/* Ends a request now: cb runs (status 0, error "aborted") unless it
 * already has; do not use r after its cb has run. */
void httpc_abort(httpc_req_t *r);

#endif
