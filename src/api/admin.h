/* admin.h - ddbd's own HTTP endpoints under /_ddbd/ (not DynamoDB API).
 *
 * server.c hands every request whose path starts with /_ddbd/ to
 * admin_handle(). Routes are one row each in admin.c's table: a method
 * (or NULL for any), a path (exact, or a prefix when it ends in '/'), and
 * a handler. A handler answers exactly once with admin_reply(), either
 * before it returns or later from any loop-thread callback (e.g. a
 * writer_submit_job done callback): the connection keeps the call's slot
 * (and later pipelined requests wait behind it) until then.
 *
 * Bodies are JSON: handlers answer with a status and a JSON body; errors
 * use {"error": "..."} with 400 (bad input), 404 (no such route) or 405
 * (method not allowed). */
#ifndef DDBD_ADMIN_H
#define DDBD_ADMIN_H

#include <stdbool.h>

#include "ops/request.h"
#include "base/str.h"
#include "storage/writer.h"

/* What handlers can reach: fixed after start-up. */
typedef struct admin_env {
    store_t *store; /* store_read_begin for reads */
    writer_t *writer; /* writer_submit_job for writes */
    const server_env_t *server; /* loop_catalog, account_id, shared_db */
    uv_loop_t *loop; /* for timers */
} admin_env_t;

typedef struct admin_call admin_call_t; /* one request; complete it exactly once */

/* method "GET"/"POST"/..., path without the query string, query after '?'
 * (empty when none), body (may be empty). All valid until admin_reply. */
typedef void (*admin_handler_fn)(admin_call_t *call, const char *method, str_t path, str_t query, str_t body);

/* Loop thread. json_body is copied. Frees the call. */
void admin_reply(admin_call_t *call, int status, str_t json_body);
/* Convenience: {"error": msg} with status. */
void admin_reply_error(admin_call_t *call, int status, const char *msg);
const admin_env_t *admin_call_env(const admin_call_t *call);

/* ---- for server.c ---- */

/* The reply sink: server.c's slot gets status and body (loop thread). */
typedef void (*admin_done_cb)(void *ud, int status, str_t json_body);

bool admin_is_admin_path(str_t path);
/* Starts the call; done runs exactly once (maybe before this returns). */
void admin_handle(const admin_env_t *env, str_t method, str_t target, str_t body, admin_done_cb done, void *ud);
/* Start-up and shutdown of the background work admin endpoints drive
 * (the TTL sweeper and stream trimmer timer). */
void admin_start(const admin_env_t *env);
void admin_stop(void);

#endif
