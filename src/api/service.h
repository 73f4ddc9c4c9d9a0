/* service.h - the DynamoDB service on top of the HTTP server: the front
 * door every request comes through.
 *
 *   GET|HEAD /            the health check: "healthy: <Host>", as AWS's endpoints
 *   GET|HEAD other paths  404
 *   /_ddbd/...            ddbd's own endpoints (admin.c)
 *   OPTIONS + Origin      a CORS preflight
 *   POST /                DynamoDB and DynamoDB Streams: the body decoded
 *                         (Content-Encoding), auth (namespace), X-Amz-Target
 *                         (dispatch.c), the JSON body, the model's checks
 *                         (validate.c), then the handler as its dispatch row
 *                         allows; a queued write goes to the writer and is
 *                         answered after its commit.
 *   anything else         UnknownOperationException
 * Every reply carries Date, Server and, for a request with an allowed
 * Origin, CORS headers; a large one is compressed when asked for.
 *
 * Requests come from a pool whose arenas stay warm. */
#ifndef DDBD_SERVICE_H
#define DDBD_SERVICE_H

#include "api/admin.h"
#include "api/sigv4.h"
#include "net/server.h"
#include "ops/request.h"
#include "storage/writer.h"

typedef struct service_env {
    server_env_t env; /* what handlers see */
    writer_t *writer;
    admin_env_t admin;
    /* --cors: "*" (any origin, the default), a comma-separated list of
     * origins, or NULL (no CORS headers at all). */
    const char *cors;
    /* --auth verify: the secrets signatures are checked against; NULL
     * (the default) accepts any signature, as DynamoDB Local does. */
    const sigv4_keys_t *keys;
} service_env_t;

/* The server's handler (server_opts_t.handler); ud is the service_env_t. */
void service_handle(void *ud, server_slot_t *slot, const http_request_t *hr);
/* The reply to a body over the limit (server_opts_t.too_large). */
void service_too_large(buf_t *wire, bool keep_alive);
/* The reply to a connection refused (503) or timed out (408)
 * (server_opts_t.refusal). */
void service_refusal(buf_t *wire, int status);
/* Shutdown: from now on writes are refused (503); reads still answer. */
void service_stop(void);
/* Frees the request pool (after the loop has ended). */
void service_free(void);

#endif
