/* http_coding.c - content codings with zlib (see http_coding.h). */
#include "net/http_coding.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static bool ascii_caseeq(str_t a, const char *b)
{
    size_t n = strlen(b);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != b[i])
            return false;
    }
    return true;
}

static str_t trim(str_t s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
        s.ptr++, s.len--;
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* The next comma-separated entry of *rest (trimmed); false when none is left. */
static bool next_item(str_t *rest, char sep, str_t *item)
{
    if (!rest->ptr || rest->len == 0)
        return false;
    const char *c = memchr(rest->ptr, sep, rest->len);
    size_t n = c ? (size_t)(c - rest->ptr) : rest->len;
    *item = trim((str_t){rest->ptr, n});
    *rest = c ? (str_t){c + 1, rest->len - n - 1} : (str_t){rest->ptr + n, 0};
    return true;
}

/* ---- decoding ------------------------------------------------------------------ */

/* One layer: gzip (members one after another; bytes after the last member
 * that do not start another are ignored, as AWS ignores them) or zlib. */
static http_decode_result_t inflate_layer(http_coding_t coding, str_t in, size_t max, buf_t *out)
{
    if (in.len == 0)
        return HTTP_DECODE_CORRUPT;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, coding == HTTP_CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
        return HTTP_DECODE_CORRUPT;
    z.next_in = (Bytef *)in.ptr;
    z.avail_in = (uInt)in.len;
    http_decode_result_t res = HTTP_DECODE_OK;
    for (;;) {
        buf_reserve(out, 64 * 1024);
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)(out->cap - out->len);
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len = out->cap - z.avail_out;
        if (out->len > max) {
            res = HTTP_DECODE_TOO_LARGE;
            break;
        }
        if (zr == Z_STREAM_END) {
            bool another = coding == HTTP_CODING_GZIP && z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b;
            if (!another)
                break;
            inflateReset(&z);
            continue;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0) { /* the input stops mid-stream */
            res = HTTP_DECODE_CORRUPT;
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            res = HTTP_DECODE_CORRUPT;
            break;
        }
    }
    inflateEnd(&z);
    return res;
}

http_decode_result_t http_decode_body(str_t content_encoding, str_t body, size_t max, buf_t *out)
{
    http_coding_t layers[HTTP_CODING_MAX_LAYERS];
    int n = 0;
    str_t rest = content_encoding, item;
    while (next_item(&rest, ',', &item)) {
        if (item.len == 0 || ascii_caseeq(item, "identity"))
            continue;
        if (n == HTTP_CODING_MAX_LAYERS)
            return HTTP_DECODE_UNSUPPORTED;
        if (ascii_caseeq(item, "gzip") || ascii_caseeq(item, "x-gzip"))
            layers[n++] = HTTP_CODING_GZIP;
        else if (ascii_caseeq(item, "deflate"))
            layers[n++] = HTTP_CODING_DEFLATE;
        else
            return HTTP_DECODE_UNSUPPORTED;
    }
    buf_t tmp = BUF_INIT;
    buf_reset(out);
    buf_append(out, body.ptr, body.len);
    http_decode_result_t res = HTTP_DECODE_OK;
    for (int i = n - 1; i >= 0 && res == HTTP_DECODE_OK; i--) {
        buf_reset(&tmp);
        res = inflate_layer(layers[i], (str_t){out->data, out->len}, max, &tmp);
        buf_t swap = *out;
        *out = tmp;
        tmp = swap;
    }
    buf_free(&tmp);
    if (res == HTTP_DECODE_OK && out->len > max)
        res = HTTP_DECODE_TOO_LARGE;
    return res;
}

/* ---- Accept-Encoding ---------------------------------------------------------------- */

/* A quality value: the whole of it a number (a trailing '.' allowed), else 1;
 * clamped to 0..1. */
static double parse_q(str_t v)
{
    char tmp[32];
    if (v.len == 0 || v.len >= sizeof tmp)
        return 1;
    memcpy(tmp, v.ptr, v.len);
    tmp[v.len] = '\0';
    char *end;
    double q = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || (tmp[0] != '-' && tmp[0] != '.' && (tmp[0] < '0' || tmp[0] > '9')))
        return 1;
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

/* The entry's coding name and its first "q=" (1 when none). */
static bool parse_entry(str_t entry, str_t *name, double *q)
{
    str_t rest = entry, part;
    next_item(&rest, ';', name);
    for (size_t i = 0; i < name->len; i++) {
        char c = name->ptr[i];
        if (c == ' ' || c == '"' || c == ':' || c == '\t')
            return false;
    }
    *q = 1;
    while (next_item(&rest, ';', &part)) {
        str_t key = part, val = STR_NULL;
        const char *eq = memchr(part.ptr, '=', part.len);
        if (eq) {
            key = trim((str_t){part.ptr, (size_t)(eq - part.ptr)});
            val = trim((str_t){eq + 1, part.len - (size_t)(eq - part.ptr) - 1});
        }
        if (eq && ascii_caseeq(key, "q")) {
            *q = parse_q(val);
            break; /* the first quality counts */
        }
    }
    return name->len > 0;
}

http_coding_t http_accept_coding(str_t accept)
{
    /* per coding: its best explicit quality (-1: not listed) and where it was first listed */
    double q[3] = {-1, -1, -1}, star = -1;
    int first[3] = {0, 1 << 30, 1 << 30};
    str_t rest = accept, entry = STR_NULL, name = STR_NULL;
    int pos = 0;
    double eq;
    while (next_item(&rest, ',', &entry)) {
        if (!parse_entry(entry, &name, &eq))
            continue;
        pos++;
        int c = ascii_caseeq(name, "gzip") ? HTTP_CODING_GZIP : ascii_caseeq(name, "deflate") ? HTTP_CODING_DEFLATE : -1;
        if (ascii_caseeq(name, "*"))
            star = eq > star ? eq : star;
        if (c < 0)
            continue;
        if (q[c] < 0)
            first[c] = pos;
        q[c] = eq > q[c] ? eq : q[c];
    }
    double g = q[HTTP_CODING_GZIP] >= 0 ? q[HTTP_CODING_GZIP] : star;
    double d = q[HTTP_CODING_DEFLATE] >= 0 ? q[HTTP_CODING_DEFLATE] : star;
    if (g <= 0 && d <= 0)
        return HTTP_CODING_IDENTITY;
    if (g != d)
        return g > d ? HTTP_CODING_GZIP : HTTP_CODING_DEFLATE;
    /* a tie: the explicitly listed one, the first listed, gzip for "*" */
    bool ge = q[HTTP_CODING_GZIP] >= 0, de = q[HTTP_CODING_DEFLATE] >= 0;
    if (ge != de)
        return ge ? HTTP_CODING_GZIP : HTTP_CODING_DEFLATE;
    if (ge && de)
        return first[HTTP_CODING_GZIP] < first[HTTP_CODING_DEFLATE] ? HTTP_CODING_GZIP : HTTP_CODING_DEFLATE;
    return HTTP_CODING_GZIP;
}

/* ---- compressing ---------------------------------------------------------------------- */

void http_compress(http_coding_t coding, str_t body, buf_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, coding == HTTP_CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS, 8,
                 Z_DEFAULT_STRATEGY);
    size_t bound = deflateBound(&z, (uLong)body.len) + 32;
    buf_reserve(out, bound);
    z.next_in = (Bytef *)body.ptr;
    z.avail_in = (uInt)body.len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)(out->cap - out->len);
    deflate(&z, Z_FINISH); /* one call: the output has deflateBound's room */
    out->len = out->cap - z.avail_out;
    deflateEnd(&z);
}

const char *http_coding_name(http_coding_t coding)
{
    return coding == HTTP_CODING_GZIP ? "gzip" : coding == HTTP_CODING_DEFLATE ? "deflate" : "identity";
}
