/* http_coding.h - HTTP content codings: request bodies sent with
 * Content-Encoding (gzip, deflate, or several in turn), the coding a client
 * asks for with Accept-Encoding, and compressing a reply with it. HTTP
 * mechanics only (zlib); when to use them is the application's call. */
#ifndef DDBD_HTTP_CODING_H
#define DDBD_HTTP_CODING_H

#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

typedef enum http_coding {
    HTTP_CODING_IDENTITY,
    HTTP_CODING_GZIP,
    HTTP_CODING_DEFLATE, /* zlib's format (RFC 1950), as HTTP's "deflate" means */
} http_coding_t;

typedef enum http_decode_result {
    HTTP_DECODE_OK,
    HTTP_DECODE_UNSUPPORTED, /* a coding other than gzip, deflate, identity */
    HTTP_DECODE_CORRUPT, /* not valid data of its coding (truncated, trailing junk) */
    HTTP_DECODE_TOO_LARGE, /* decoded, it would pass max bytes */
} http_decode_result_t;

/* Decodes body as content_encoding says ("gzip", "deflate, gzip": applied
 * in that order, so undone last to first) into out, at most max bytes.
 * Concatenated gzip members are one body, as RFC 1952 allows. Names are
 * case-insensitive; "identity" does nothing. Nesting is bounded (at most
 * HTTP_CODING_MAX_LAYERS codings). */
#define HTTP_CODING_MAX_LAYERS 4
http_decode_result_t http_decode_body(str_t content_encoding, str_t body, size_t max, buf_t *out);

/* The coding to answer with for an Accept-Encoding value (ptr NULL: absent):
 * gzip or deflate by quality ("q="), an explicitly listed one before "*",
 * the first listed on a tie, gzip for "*" alone; identity when neither is
 * acceptable. Malformed entries are ignored, a malformed quality counts as
 * 1 and one outside 0..1 is clamped. */
http_coding_t http_accept_coding(str_t accept_encoding);

/* Appends body compressed with coding (gzip or deflate) to out. */
void http_compress(http_coding_t coding, str_t body, buf_t *out);
const char *http_coding_name(http_coding_t coding); /* "gzip" */

#endif
