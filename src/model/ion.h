/* ion.h - Amazon Ion text, the subset DynamoDB's exports and imports use,
 * read into and written from AttributeValues.
 *
 * AWS's developer guide ("DynamoDB table export output format", "Amazon S3
 * import formats") maps the types so:
 *     string -> S          bool -> BOOL        decimal -> N
 *     blob -> B            null -> NULL        struct -> M
 *     list -> L
 *     list annotated $dynamodb_SS / $dynamodb_NS / $dynamodb_BS -> SS / NS / BS
 * and writes one record per line: `$ion_1_0 {Item:{...}}`.
 *
 * The reader takes Ion text 1.0 as the specification writes it: comments,
 * version markers, annotations, identifiers and quoted symbols, short and
 * long strings with every escape, decimals with d exponents, ints (also
 * hex and binary, with underscores) and finite floats (both read as N, as
 * a number is all DynamoDB has), blobs and clobs (B), typed nulls (NULL),
 * trailing commas. It refuses what has no DynamoDB type: timestamps,
 * s-expressions, nan and the infinities. As choices of ours, a symbol used
 * as a value reads as S, and annotations other than the set ones are
 * ignored. Nesting deeper than DynamoDB allows fails with DynamoDB's
 * message (a record's wrapper struct is one level above its item).
 *
 * Records arrive in pieces (a decompressing stream): the reader parses one
 * top-level value from the bytes at hand and says when it needs more. */
#ifndef DDBD_ION_H
#define DDBD_ION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "model/value.h"

/* A top-level value larger than this is refused (a record holds one item
 * of at most 400 KB; Ion text of it can be a few times larger). */
#define ION_MAX_VALUE_BYTES (8u * 1024 * 1024)

enum {
    ION_VALUE = 0, /* *out holds the next top-level value */
    ION_END = 1, /* nothing but whitespace, comments and version markers remained */
    ION_NEED_MORE = 2, /* the value goes on past n bytes: call again with more */
};

/* The next top-level value of p[0..n) into out (strings copied into a).
 * eof: no bytes follow p[n-1] (a value cut off there is an error).
 * *used: the bytes consumed (through the value, or everything at
 * ION_END). Errors (-1) set a ValidationException with the position. */
int ion_read(arena_t *a, const char *p, size_t n, bool eof, size_t *used, value_t *out, err_t *e);

/* Ion text of a value / of an item's members as a struct / of an
 * attribute name (an identifier when it can be one, else a quoted symbol). */
void ion_write_value(buf_t *b, const value_t *v);
void ion_write_item(buf_t *b, const value_t *item);
void ion_write_name(buf_t *b, str_t name);
/* A DynamoDB number's normalized text as an Ion decimal: "103.", "6d2",
 * "1.5" (AWS's export writes 600 as 6d2). */
void ion_write_number(buf_t *b, str_t text);

#endif
