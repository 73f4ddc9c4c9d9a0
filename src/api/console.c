/* console.c - serving the console's embedded files (see console.h). */
#include "api/console.h"

#include <stdio.h>
#include <string.h>

#include "net/http_coding.h"

#define CONSOLE_CSP                                                                                                    \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "              \
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define CONSOLE_COMPRESS_MIN 1024

static str_t target_path(str_t target)
{
    const char *q = memchr(target.ptr, '?', target.len);
    return (str_t){target.ptr, q ? (size_t)(q - target.ptr) : target.len};
}

bool console_is_path(str_t target)
{
    str_t p = target_path(target);
    size_t n = strlen(CONSOLE_PATH);
    return p.len >= n && memcmp(p.ptr, CONSOLE_PATH, n) == 0 && (p.len == n || p.ptr[n] == '/');
}

static const console_asset_t *find_asset(str_t rel)
{
    if (rel.len == 0)
        rel = STR_LIT("index.html");
    for (size_t i = 0; i < console_nassets; i++)
        if (str_eq_cstr(rel, console_assets[i].path))
            return &console_assets[i];
    return NULL;
}

static void reply_status(server_slot_t *s, int status, const response_opts_t *o, const http_header_t *h, size_t n)
{
    str_t body = status == 404 ? STR_LIT("not found\n") : status == 405 ? STR_LIT("use GET\n") : STR_NULL;
    response_plain(server_slot_wire(s), status, body.len ? "text/plain; charset=utf-8" : NULL, body,
                   server_slot_keep_alive(s), o, h, n);
    server_reply(s);
}

/* Whether If-None-Match lists etag (or is "*"). */
static bool etag_matches(str_t inm, const char *etag)
{
    if (!inm.ptr)
        return false;
    if (str_eq_cstr(inm, "*"))
        return true;
    size_t n = strlen(etag);
    for (size_t i = 0; i + n <= inm.len; i++)
        if (memcmp(inm.ptr + i, etag, n) == 0)
            return true;
    return false;
}

static void serve_asset(server_slot_t *s, const http_request_t *hr, const response_opts_t *o, const console_asset_t *a)
{
    http_header_t h[9];
    size_t n = 0;
    h[n++] = (http_header_t){STR_LIT("ETag"), str_from_cstr(a->etag)};
    h[n++] = (http_header_t){STR_LIT("Cache-Control"), STR_LIT("no-cache")};
    h[n++] = (http_header_t){STR_LIT("Content-Security-Policy"), STR_LIT(CONSOLE_CSP)};
    h[n++] = (http_header_t){STR_LIT("X-Content-Type-Options"), STR_LIT("nosniff")};
    h[n++] = (http_header_t){STR_LIT("Referrer-Policy"), STR_LIT("no-referrer")};
    h[n++] = (http_header_t){STR_LIT("Vary"), STR_LIT("Accept-Encoding")};
    if (etag_matches(http_header_get(hr, "if-none-match"), a->etag))
        return reply_status(s, 304, o, h, n);
    str_t body = {(const char *)a->data, a->len};
    buf_t packed = BUF_INIT;
    if (o->coding != HTTP_CODING_IDENTITY && body.len >= CONSOLE_COMPRESS_MIN) {
        http_compress(o->coding, body, &packed);
        body = (str_t){packed.data, packed.len};
        h[n++] = (http_header_t){STR_LIT("Content-Encoding"), str_from_cstr(http_coding_name(o->coding))};
    }
    if (str_eq_cstr(hr->method, "HEAD"))
        body.len = 0; /* Content-Length then says 0: good enough for a console file */
    response_plain(server_slot_wire(s), 200, a->content_type, body, server_slot_keep_alive(s), o, h, n);
    buf_free(&packed);
    server_reply(s);
}

void console_serve(server_slot_t *s, const http_request_t *hr, const response_opts_t *o)
{
    server_slot_label(s, "console");
    if (!str_eq_cstr(hr->method, "GET") && !str_eq_cstr(hr->method, "HEAD")) {
        http_header_t allow = {STR_LIT("Allow"), STR_LIT("GET, HEAD")};
        return reply_status(s, 405, o, &allow, 1);
    }
    str_t p = target_path(hr->path);
    size_t n = strlen(CONSOLE_PATH);
    if (p.len == n) { /* relative URLs in index.html need the slash */
        char loc[2048];
        int k = snprintf(loc, sizeof loc, CONSOLE_PATH "/%.*s", (int)(hr->path.len - p.len), hr->path.ptr + p.len);
        http_header_t h = {STR_LIT("Location"), {loc, k < (int)sizeof loc ? (size_t)k : 0}};
        return reply_status(s, h.value.len ? 301 : 404, o, &h, h.value.len ? 1 : 0);
    }
    const console_asset_t *a = find_asset((str_t){p.ptr + n + 1, p.len - n - 1});
    if (!a)
        return reply_status(s, 404, o, NULL, 0);
    serve_asset(s, hr, o, a);
}
