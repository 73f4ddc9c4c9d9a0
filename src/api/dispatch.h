/* dispatch.h - X-Amz-Target -> operation. */
#ifndef DDBD_DISPATCH_H
#define DDBD_DISPATCH_H

#include "ops/request.h"

typedef int (*op_handler_fn)(ddb_req_t *r);

typedef struct op_def {
    const char *name; /* "PutItem" */
    op_handler_fn handler;
} op_def_t;

/* The operation for a target like "DynamoDB_20120810.PutItem", or NULL. */
const op_def_t *dispatch_find(str_t target);

#endif
