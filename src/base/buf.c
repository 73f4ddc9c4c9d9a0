/* buf.c - growable buffers, varints, a JSON writer, base64. */
#include "base/buf.h"

#include "base/alloc.h"
#include "base/endian.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void buf_free(buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(buf_t *b) { b->len = 0; }

void buf_grow(buf_t *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    char *p = xrealloc(b->data, cap);
    b->data = p;
    b->cap = cap;
}

size_t fmt_u64(char out[20], uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void buf_put_u64(buf_t *b, uint64_t v)
{
    buf_reserve(b, 20);
    b->len += fmt_u64(b->data + b->len, v);
}

void buf_puts(buf_t *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        buf_append(b, tmp, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_put_varint(buf_t *b, uint64_t v)
{
    buf_reserve(b, 10);
    while (v >= 0x80) {
        b->data[b->len++] = (char)(v | 0x80);
        v >>= 7;
    }
    b->data[b->len++] = (char)v;
}

void buf_put_u32be(buf_t *b, uint32_t v)
{
    uint8_t x[4];
    be32_put(x, v);
    buf_append(b, x, 4);
}

void buf_put_u64be(buf_t *b, uint64_t v)
{
    buf_put_u32be(b, (uint32_t)(v >> 32));
    buf_put_u32be(b, (uint32_t)v);
}

int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* ---- JSON writer ---- */

/* Whether any of the 8 bytes of w needs an escape in a JSON string: below
 * 0x20, '"' or '\\' (the exact "has a byte less than" tests of bit
 * twiddling, on w and on w with the quote and the backslash xor-ed out). */
static bool jw_word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs)) & highs;
}

void jw_str(buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, n + 2);
    b->data[b->len++] = '"';
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), !jw_word_needs_escape(w))) {
            i += 7; /* eight plain bytes at once */
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': buf_append(b, "\\\"", 2); break;
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        case '\b': buf_append(b, "\\b", 2); break;
        case '\f': buf_append(b, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            buf_append(b, u, 6);
        }
        }
    }
    buf_append(b, s + run, n - run);
    buf_putc(b, '"');
}

void jw_cstr(buf_t *b, const char *s) { jw_str(b, s, strlen(s)); }

void jw_comma(buf_t *b)
{
    if (b->len && b->data[b->len - 1] != '{' && b->data[b->len - 1] != '[' && b->data[b->len - 1] != ':')
        buf_putc(b, ',');
}

void jw_key(buf_t *b, const char *key)
{
    jw_comma(b);
    jw_cstr(b, key);
    buf_putc(b, ':');
}

void jw_int(buf_t *b, int64_t v)
{
    jw_comma(b);
    if (v < 0)
        buf_putc(b, '-');
    buf_put_u64(b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

void jw_double(buf_t *b, double v)
{
    jw_comma(b);
    buf_printf(b, "%.3f", v);
}

void jw_bool(buf_t *b, int v)
{
    jw_comma(b);
    buf_puts(b, v ? "true" : "false");
}

void jw_open(buf_t *b, char c)
{
    jw_comma(b);
    buf_putc(b, c);
}

void jw_close(buf_t *b, char c) { buf_putc(b, c); }

/* ---- base64 ---- */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 with padding. */
void base64_encode(buf_t *b, const uint8_t *p, size_t n)
{
    buf_reserve(b, 4 * ((n + 2) / 3) + 1);
    char *o = b->data + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3, o += 4) {
        uint32_t w = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = b64_alphabet[w >> 18], o[1] = b64_alphabet[(w >> 12) & 63];
        o[2] = b64_alphabet[(w >> 6) & 63], o[3] = b64_alphabet[w & 63];
    }
    if (i < n) {
        uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        o[0] = b64_alphabet[w >> 18], o[1] = b64_alphabet[(w >> 12) & 63];
        o[2] = i + 1 < n ? b64_alphabet[(w >> 6) & 63] : '=', o[3] = '=';
        o += 4;
    }
    b->len = (size_t)(o - b->data);
}

static int b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict RFC 4648 decoding: padding required, stray bytes rejected. */
int base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len)
{
    if (n % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad)
                return -1; /* data after '=' */
            v[k] = b64_val(c);
            if (v[k] < 0)
                return -1;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2)
            out[o++] = (uint8_t)(w >> 8);
        if (pad < 1)
            out[o++] = (uint8_t)w;
    }
    *out_len = o;
    return 0;
}
