/* response.h - the bytes of a DynamoDB reply.
 *
 * The only place error bodies are written: {"__type":..., "message":...}.
 * Every reply carries x-amzn-RequestId, X-Amz-Crc32 (the CRC32 of the body
 * as sent, compressed or not: what botocore checks), Date and Server as
 * AWS's endpoints send them, and the CORS headers a browser's request
 * needs. A body of RESPONSE_COMPRESS_MIN bytes or more is compressed when
 * the client asked for it (Accept-Encoding), as AWS does. */
#ifndef DDBD_RESPONSE_H
#define DDBD_RESPONSE_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/http.h"
#include "net/http_coding.h"

#define RESPONSE_COMPRESS_MIN 4096 /* AWS compresses replies from 4 KB on */

/* What the request asked of its reply's HTTP; zero: nothing. */
typedef struct response_opts {
    http_coding_t coding; /* Accept-Encoding's choice */
    const char *cors_origin; /* Access-Control-Allow-Origin's value, or NULL */
} response_opts_t;

/* A success reply with the given JSON body. */
void response_ok(buf_t *wire, str_t body, bool keep_alive, const response_opts_t *o);
/* An error reply built from e. */
void response_error(buf_t *wire, const err_t *e, bool keep_alive, const response_opts_t *o);
/* The body alone of an error (for tests and logs). */
void response_error_body(buf_t *body, const err_t *e);
/* Any other reply (health, admin, preflight) with the headers every reply
 * carries: Date, Server, CORS. */
void response_plain(buf_t *wire, int status, const char *content_type, str_t body, bool keep_alive,
                    const response_opts_t *o, const http_header_t *extra, size_t nextra);
/* The head of a streaming reply (server_stream_begin): status 200, the
 * common headers, content_type, extra; the body follows until the
 * connection closes. */
void response_stream_head(buf_t *wire, const char *content_type, const response_opts_t *o, const http_header_t *extra,
                          size_t nextra);

#endif
