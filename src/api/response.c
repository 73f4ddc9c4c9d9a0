/* response.c - DynamoDB reply bytes: headers, request id, CRC32, errors. */
#include "api/response.h"

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <zlib.h>

#include "net/http.h"

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

static void write_reply(buf_t *wire, int status, str_t body, bool keep_alive)
{
    char rid[53], crc[16];
    make_request_id(rid);
    snprintf(crc, sizeof crc, "%lu", crc32(0L, (const Bytef *)body.ptr, (uInt)body.len));
    http_header_t headers[] = {
        {STR_LIT("Content-Type"), STR_LIT("application/x-amz-json-1.0")},
        {STR_LIT("x-amzn-RequestId"), {rid, 52}},
        {STR_LIT("X-Amz-Crc32"), str_from_cstr(crc)},
    };
    http_response_write(wire, status, headers, 3, body, keep_alive);
}

void response_ok(buf_t *wire, str_t body, bool keep_alive) { write_reply(wire, 200, body, keep_alive); }

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

void response_error(buf_t *wire, const err_t *e, bool keep_alive)
{
    buf_t body = BUF_INIT;
    response_error_body(&body, e);
    write_reply(wire, err_http_status(e->code), (str_t){body.data, body.len}, keep_alive);
    buf_free(&body);
}
