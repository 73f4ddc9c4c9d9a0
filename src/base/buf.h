/* buf.h - a growable byte buffer, and a small JSON writer on top of it.
 *
 * The buffer owns its memory (malloc); buf_free() releases it. The JSON
 * writer does no structural checking: callers emit well-formed JSON, and
 * the helpers only take care of escaping and separators. */
#ifndef DDBD_BUF_H
#define DDBD_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/str.h"

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT                                                                                                       \
    {                                                                                                                  \
        NULL, 0, 0                                                                                                     \
    }

void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keeps the memory */
/* Grows b to hold extra more bytes (buf_reserve's slow path). */
void buf_grow(buf_t *b, size_t extra);
/* Inline: the JSON writers and the reply path call these per byte run. */
static inline void buf_reserve(buf_t *b, size_t extra)
{
    if (b->cap - b->len < extra)
        buf_grow(b, extra);
}
static inline void buf_append(buf_t *b, const void *p, size_t n)
{
    if (!n)
        return;
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline void buf_putc(buf_t *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
}
/* Decimal digits of v (at most 20), written to out; returns their count. */
size_t fmt_u64(char out[20], uint64_t v);
void buf_put_u64(buf_t *b, uint64_t v); /* decimal */
void buf_puts(buf_t *b, const char *s);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unsigned LEB128, used by the storage encodings. */
void buf_put_varint(buf_t *b, uint64_t v);
void buf_put_u32be(buf_t *b, uint32_t v);
void buf_put_u64be(buf_t *b, uint64_t v);

/* Reads a varint at *p (advancing it); returns -1 past end or on overlong input. */
int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *out);

/* JSON writer. "jw_key" writes  "name":  ; commas are the caller's business
 * through jw_comma(), which writes ',' unless the last byte is '{' or '['. */
void jw_str(buf_t *b, const char *s, size_t n); /* a JSON string, escaped */
static inline void jw_s(buf_t *b, str_t s) { jw_str(b, s.ptr, s.len); }
void jw_cstr(buf_t *b, const char *s);
void jw_key(buf_t *b, const char *key); /* comma if needed, "key": */
void jw_comma(buf_t *b);
void jw_int(buf_t *b, int64_t v);
void jw_double(buf_t *b, double v); /* for epoch-seconds dates: 1700000000.123 */
void jw_bool(buf_t *b, int v);
void jw_open(buf_t *b, char c); /* comma if needed, then '{' or '[' */
void jw_close(buf_t *b, char c); /* '}' or ']' */

/* Base64 (standard alphabet, padded). decode returns -1 on malformed input. */
void base64_encode(buf_t *b, const uint8_t *p, size_t n);
int base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len); /* out >= n*3/4+3 */

#endif
