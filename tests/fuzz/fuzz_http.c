/* fuzz_http.c - HTTP framing under arbitrary bytes and arbitrary splits.
 *
 * Input: byte 0 picks the body limit, byte 1 how the rest is cut into
 * reads; the rest is the byte stream. The stream is parsed twice, in one
 * feed and in pieces, and the two runs must deliver the same requests:
 * where a read ends must never change what a client's bytes mean.
 * Everything is freed, whatever state the parser is left in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

#include "fuzz.h"

/* Serializes what the parser hands over, so two runs can be compared. */
static void fuzz_on_request(void *ud, http_request_t *req)
{
    buf_t *log = ud;
    buf_printf(log, "R%d %zu:", req->keep_alive, req->nheaders);
    buf_append(log, req->method.ptr, req->method.len);
    buf_putc(log, ' ');
    buf_append(log, req->path.ptr, req->path.len);
    for (size_t i = 0; i < req->nheaders; i++) {
        const http_header_t *h = &req->headers[i];
        buf_printf(log, "|%zu:", h->name.len);
        buf_append(log, h->name.ptr, h->name.len);
        buf_printf(log, "=%zu:", h->value.len);
        buf_append(log, h->value.ptr, h->value.len);
        /* Lookup finds every header by its own name (or an earlier one). */
        if (!http_header_get(req, h->name.ptr).ptr)
            abort();
    }
    /* Query parameters decode within their buffer, NUL-terminated. */
    static const char *const params[] = {"arn", "table", "after", "token", ""};
    for (size_t i = 0; i < sizeof params / sizeof *params; i++) {
        char v[64];
        int n = http_query_get(req->path, params[i], v, sizeof v);
        if (n >= (int)sizeof v || (n >= 0 && v[n] != '\0'))
            abort();
        buf_printf(log, "|q%d", n);
    }
    buf_printf(log, "|body %zu:", req->body.len);
    buf_append(log, req->body.ptr, req->body.len);

    buf_t out = BUF_INIT;
    http_response_write(&out, 200, req->headers, req->nheaders, req->body, req->keep_alive);
    buf_free(&out);
    http_request_free(req);
}

static void fuzz_on_continue(void *ud) { buf_puts(ud, "C;"); }

/* Parses data in pieces whose sizes come from seed (0: one feed). */
static int fuzz_parse(const char *data, size_t len, size_t max_body, unsigned seed, buf_t *log)
{
    http_parser_cb_t cb = {log, fuzz_on_request, fuzz_on_continue};
    http_parser_t *p = http_parser_new(&cb, max_body);
    int rc = 0;
    uint32_t x = seed * 2654435761u + 1;
    for (size_t off = 0; off < len && !rc;) {
        size_t k = len - off;
        if (seed) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            size_t piece = (seed & 3) == 1 ? 1 : 1 + x % (seed & 0x40 ? 256 : 16);
            k = piece < k ? piece : k;
        }
        rc = http_parser_feed(p, data + off, k);
        off += k;
    }
    http_parser_free(p);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    if (n < 2)
        return 0;
    size_t max_body = d[0] & 0x80 ? (size_t)1 << 20 : (size_t)(d[0] & 0x7f) * 8;
    unsigned seed = d[1] ? d[1] : 1;
    const char *data = (const char *)d + 2;
    n -= 2;

    buf_t whole = BUF_INIT, split = BUF_INIT;
    int rc_whole = fuzz_parse(data, n, max_body, 0, &whole);
    int rc_split = fuzz_parse(data, n, max_body, seed, &split);
    /* The error status may differ (a header section can be too large in
     * one run before it is malformed in the other) but not whether one
     * occurred, nor the requests delivered. */
    if ((rc_whole == 0) != (rc_split == 0) || whole.len != split.len ||
        (whole.len && memcmp(whole.data, split.data, whole.len) != 0))
        abort();
    buf_free(&whole);
    buf_free(&split);
    return 0;
}
