/* response.c - DynamoDB reply bytes: headers, request id, CRC32, errors. */
#include "api/response.h"

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* AWS request ids are 52 upper-case alphanumerics; ours are a process-wide
 * counter mixed with the start time, unique enough and cheap. */
static void make_request_id(char out[53])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static _Atomic uint64_t counter;
    static uint64_t seed;
    if (!seed)
        seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
    uint64_t x = seed ^ (atomic_fetch_add(&counter, 1) * 0xBF58476D1CE4E5B9ull);
    for (int i = 0; i < 52; i++) {
        x ^= x >> 31;
        x *= 0x94D049BB133111EBull;
        x ^= x >> 29;
        out[i] = alphabet[x % 36];
    }
    out[52] = '\0';
}

/* RFC 9110 5.6.7's IMF-fixdate of the real clock (not ddbd's movable one),
 * formatted once a second per thread. */
static str_t http_date(void)
{
    static _Thread_local time_t cached_at = -1;
    static _Thread_local char date[40];
    static _Thread_local size_t len;
    time_t now = time(NULL);
    if (now != cached_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        len = strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached_at = now;
    }
    return (str_t){date, len};
}

/* The headers every reply carries; returns how many were put in h (room for 4). */
static size_t common_headers(http_header_t *h, const response_opts_t *o)
{
    size_t k = 0;
    h[k++] = (http_header_t){STR_LIT("Date"), http_date()};
    h[k++] = (http_header_t){STR_LIT("Server"), STR_LIT("Server")}; /* what AWS's endpoints send */
    if (o && o->cors_origin) {
        h[k++] = (http_header_t){STR_LIT("Access-Control-Allow-Origin"), str_from_cstr(o->cors_origin)};
        h[k++] = (http_header_t){STR_LIT("Access-Control-Expose-Headers"),
                                 STR_LIT("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-crc32,Date")};
    }
    return k;
}

void response_plain(buf_t *wire, int status, const char *content_type, str_t body, bool keep_alive,
                    const response_opts_t *o, const http_header_t *extra, size_t nextra)
{
    http_header_t h[16];
    size_t n = common_headers(h, o);
    if (content_type)
        h[n++] = (http_header_t){STR_LIT("Content-Type"), str_from_cstr(content_type)};
    for (size_t i = 0; i < nextra && n < sizeof h / sizeof *h; i++)
        h[n++] = extra[i];
    http_response_write(wire, status, h, n, body, keep_alive);
}

void response_stream_head(buf_t *wire, const char *content_type, const response_opts_t *o, const http_header_t *extra,
                          size_t nextra)
{
    http_header_t h[16];
    size_t n = common_headers(h, o);
    h[n++] = (http_header_t){STR_LIT("Content-Type"), str_from_cstr(content_type)};
    for (size_t i = 0; i < nextra && n < sizeof h / sizeof *h; i++)
        h[n++] = extra[i];
    http_response_head(wire, 200, h, n);
}

static void write_reply(buf_t *wire, int status, str_t body, bool keep_alive, const response_opts_t *o)
{
    char rid[53], crc[20];
    make_request_id(rid);
    buf_t packed = BUF_INIT;
    http_header_t h[4];
    size_t n = 0;
    if (o && o->coding != HTTP_CODING_IDENTITY && body.len >= RESPONSE_COMPRESS_MIN) {
        http_compress(o->coding, body, &packed);
        body = (str_t){packed.data, packed.len};
        h[n++] = (http_header_t){STR_LIT("Content-Encoding"), str_from_cstr(http_coding_name(o->coding))};
    }
    size_t crc_len = fmt_u64(crc, crc32(0L, (const Bytef *)body.ptr, (uInt)body.len));
    h[n++] = (http_header_t){STR_LIT("x-amzn-RequestId"), {rid, 52}};
    h[n++] = (http_header_t){STR_LIT("X-Amz-Crc32"), {crc, crc_len}};
    response_plain(wire, status, "application/x-amz-json-1.0", body, keep_alive, o, h, n);
    buf_free(&packed);
}

void response_ok(buf_t *wire, str_t body, bool keep_alive, const response_opts_t *o)
{
    write_reply(wire, 200, body, keep_alive, o);
}

void response_error_body(buf_t *body, const err_t *e)
{
    buf_putc(body, '{');
    jw_key(body, "__type");
    buf_putc(body, '"');
    buf_puts(body, err_namespace(e->code));
    buf_puts(body, err_type_name(e->code));
    buf_putc(body, '"');
    if (e->msg[0]) {
        jw_key(body, "message");
        jw_cstr(body, e->msg_long ? e->msg_long : e->msg);
    }
    if (e->extra_json) {
        buf_putc(body, ',');
        buf_puts(body, e->extra_json);
    }
    buf_putc(body, '}');
}

void response_error(buf_t *wire, const err_t *e, bool keep_alive, const response_opts_t *o)
{
    buf_t body = BUF_INIT;
    response_error_body(&body, e);
    write_reply(wire, err_http_status(e->code), (str_t){body.data, body.len}, keep_alive, o);
    buf_free(&body);
}
