/* response.h - the bytes of a DynamoDB reply.
 *
 * The only place error bodies are written: {"__type":..., "message":...}.
 * Every reply carries x-amzn-RequestId and X-Amz-Crc32 (the CRC32 of the
 * body, which botocore checks). */
#ifndef DDBD_RESPONSE_H
#define DDBD_RESPONSE_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"

/* A success reply with the given JSON body. */
void response_ok(buf_t *wire, str_t body, bool keep_alive);
/* An error reply built from e. */
void response_error(buf_t *wire, const err_t *e, bool keep_alive);
/* The body alone of an error (for tests and logs). */
void response_error_body(buf_t *body, const err_t *e);

#endif
