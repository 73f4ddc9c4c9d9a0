/* server.h - the network side: a libuv loop serving HTTP connections and
 * handing DynamoDB requests to the dispatcher and the writer. The only
 * module that touches sockets. */
#ifndef DDBD_SERVER_H
#define DDBD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "storage/store.h"
#include "streams/trigger.h"

typedef struct server_opts {
    const char *host; /* "127.0.0.1" */
    int port; /* 0: any free port (printed at start) */
    bool shared_db;
    store_t *store;
    trigger_cfg_t *triggers; /* from --trigger and --triggers-file (taken over) */
    size_t ntriggers;
} server_opts_t;

/* Runs until SIGINT or SIGTERM; then finishes in-flight writes, answers
 * them, and returns 0. Returns non-zero when it cannot listen. */
int server_run(const server_opts_t *o);

#endif
