/* dispatch.h - X-Amz-Target -> operation.
 *
 * The operation table is plain data, one row per operation: its name, its
 * handler, and what the handler may do. The front door (service.c) acts on
 * the flags before the handler runs: for OP_READ it opens the read
 * transaction (r->txn) and ends it after; only an OP_WRITE handler may
 * queue a write (req_queue). An operation with neither answers from
 * ddbd's settings alone. */
#ifndef DDBD_DISPATCH_H
#define DDBD_DISPATCH_H

#include "ops/request.h"

typedef req_result_t (*op_handler_fn)(ddb_req_t *r);

enum op_flags {
    OP_READ = 1 << 0, /* reads the store: runs in a read transaction on the loop thread */
    OP_WRITE = 1 << 1, /* plans a write for the writer thread */
};

typedef struct op_def {
    const char *name; /* "PutItem" */
    op_handler_fn handler;
    unsigned flags; /* enum op_flags */
} op_def_t;

/* The operation for a target like "DynamoDB_20120810.PutItem", or NULL. */
const op_def_t *dispatch_find(str_t target);

#endif
