/* test_http.c - HTTP framing: pipelining, splits at every byte, chunked
 * bodies, limits, 100-continue, keep-alive and response bytes. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/http.h"

#define MAX_BODY 1024
#define MAX_REQS 16

/* What a parser delivered, in order. */
typedef struct collect {
    http_request_t *reqs[MAX_REQS];
    size_t nreqs;
    size_t ncontinue;
    size_t continue_before; /* requests already delivered at the last on_continue */
} collect_t;

static void on_request(void *ud, http_request_t *req)
{
    collect_t *c = ud;
    if (c->nreqs < MAX_REQS)
        c->reqs[c->nreqs++] = req;
    else
        http_request_free(req);
}

static void on_continue(void *ud)
{
    collect_t *c = ud;
    c->ncontinue++;
    c->continue_before = c->nreqs;
}

static http_parser_t *parser_new(collect_t *c, size_t max_body)
{
    memset(c, 0, sizeof *c);
    http_parser_cb_t cb = {c, on_request, on_continue};
    return http_parser_new(&cb, max_body);
}

static void collect_free(collect_t *c)
{
    for (size_t i = 0; i < c->nreqs; i++)
        http_request_free(c->reqs[i]);
    c->nreqs = 0;
}

/* Feeds s in pieces of at most step bytes; returns the first non-zero status. */
static int feed_steps(http_parser_t *p, const char *s, size_t len, size_t step)
{
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i += step)
        rc = http_parser_feed(p, s + i, len - i < step ? len - i : step);
    return rc;
}

/* Parses s whole (step 0) or in pieces into c, with the given limit. */
static int parse(collect_t *c, const char *s, size_t step, size_t max_body)
{
    http_parser_t *p = parser_new(c, max_body);
    int rc = step ? feed_steps(p, s, strlen(s), step) : http_parser_feed(p, s, strlen(s));
    http_parser_free(p);
    return rc;
}

static bool str_is(str_t s, const char *want)
{
    return s.ptr && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static const char dynamo_req[] =
    "POST / HTTP/1.1\r\n"
    "Host: localhost:8000\r\n"
    "Accept-Encoding: identity\r\n"
    "X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
    "Content-Type: application/x-amz-json-1.0\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef0123456789\r\n"
    "X-Amz-Date: 20240101T000000Z\r\n"
    "Content-Length: 43\r\n"
    "\r\n"
    "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"abc\"}}}\n";

static void test_simple_post(void)
{
    collect_t c;
    CHECK(parse(&c, dynamo_req, 0, MAX_BODY) == 0);
    CHECK(c.nreqs == 1);
    if (c.nreqs != 1)
        return;
    http_request_t *r = c.reqs[0];
    CHECK(str_is(r->method, "POST"));
    CHECK(str_is(r->path, "/"));
    CHECK(r->nheaders == 7);
    CHECK(str_is(r->headers[0].name, "Host"));
    CHECK(str_is(r->headers[0].value, "localhost:8000"));
    CHECK(str_is(http_header_get(r, "X-Amz-Target"), "DynamoDB_20120810.GetItem"));
    CHECK(str_is(r->body, "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"abc\"}}}\n"));
    CHECK(r->keep_alive);
    CHECK(c.ncontinue == 0);
    /* Strings are NUL-terminated inside the block. */
    CHECK(r->path.ptr[r->path.len] == '\0');
    CHECK(r->headers[3].value.ptr[r->headers[3].value.len] == '\0');
    CHECK(r->body.ptr[r->body.len] == '\0');
    collect_free(&c);
}

static const char pipelined[] = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst"
                                "GET /b?x=1&y=2 HTTP/1.1\r\nHost: h\r\n\r\n"
                                "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nthi\r\n2\r\nrd\r\n0\r\n\r\n"
                                "PUT /d HTTP/1.1\r\nContent-Length: 6\r\nX-Empty:\r\n\r\nfourth";

static void check_pipelined(collect_t *c)
{
    CHECK(c->nreqs == 4);
    if (c->nreqs != 4)
        return;
    CHECK(str_is(c->reqs[0]->method, "POST") && str_is(c->reqs[0]->path, "/a"));
    CHECK(str_is(c->reqs[0]->body, "first"));
    CHECK(str_is(c->reqs[1]->method, "GET") && str_is(c->reqs[1]->path, "/b?x=1&y=2"));
    CHECK(c->reqs[1]->body.len == 0);
    CHECK(str_is(c->reqs[2]->path, "/c") && str_is(c->reqs[2]->body, "third"));
    CHECK(str_is(c->reqs[3]->method, "PUT") && str_is(c->reqs[3]->body, "fourth"));
    CHECK(str_is(http_header_get(c->reqs[3], "x-empty"), ""));
    for (size_t i = 0; i < 4; i++)
        CHECK(c->reqs[i]->keep_alive);
}

static void test_pipelined(void)
{
    collect_t c;
    CHECK(parse(&c, pipelined, 0, MAX_BODY) == 0);
    check_pipelined(&c);
    collect_free(&c);
}

/* Every piece size from one byte up, and every two-piece split. */
static void test_split_anywhere(void)
{
    size_t len = strlen(pipelined);
    for (size_t step = 1; step <= 17; step++) {
        collect_t c;
        CHECK(parse(&c, pipelined, step, MAX_BODY) == 0);
        check_pipelined(&c);
        collect_free(&c);
    }
    int bad = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        collect_t c;
        http_parser_t *p = parser_new(&c, MAX_BODY);
        int rc = http_parser_feed(p, pipelined, cut);
        rc |= http_parser_feed(p, pipelined + cut, len - cut);
        http_parser_free(p);
        if (rc || c.nreqs != 4 || !str_is(c.reqs[2]->body, "third"))
            bad++;
        collect_free(&c);
    }
    CHECK(bad == 0);

    collect_t c;
    CHECK(parse(&c, dynamo_req, 1, MAX_BODY) == 0);
    CHECK(c.nreqs == 1 && c.reqs[0]->nheaders == 7);
    if (c.nreqs == 1) {
        CHECK(str_is(http_header_get(c.reqs[0], "authorization"),
                     "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                     "Signature=abcdef0123456789"));
        CHECK(c.reqs[0]->body.len == 43);
    }
    collect_free(&c);
}

/* Extensions are one per chunk here: llhttp 8.1 refuses a second one after
 * a valued first ("5;a=b;c=d"), which no DynamoDB client sends. */
static void test_chunked(void)
{
    static const char good[] = "POST / HTTP/1.1\r\n"
                               "Transfer-Encoding: chunked\r\n"
                               "X-Amz-Target: DynamoDB_20120810.PutItem\r\n"
                               "\r\n"
                               "5;name=value\r\nhello\r\n"
                               "1;flag\r\n,\r\n"
                               "a\r\n0123456789\r\n"
                               "0\r\n"
                               "X-Checksum: abc\r\n"
                               "X-Other: def\r\n"
                               "\r\n"
                               "GET /next HTTP/1.1\r\n\r\n";
    for (size_t step = 0; step <= 3; step++) {
        collect_t c;
        CHECK(parse(&c, good, step, MAX_BODY) == 0);
        CHECK(c.nreqs == 2);
        if (c.nreqs == 2) {
            CHECK(str_is(c.reqs[0]->body, "hello,0123456789"));
            CHECK(c.reqs[0]->nheaders == 2); /* trailers are not headers */
            CHECK(!http_header_get(c.reqs[0], "x-checksum").ptr);
            CHECK(str_is(c.reqs[1]->path, "/next"));
        }
        collect_free(&c);
    }
    /* Chunked with only the last chunk: an empty body. */
    collect_t c;
    CHECK(parse(&c, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, MAX_BODY) == 0);
    CHECK(c.nreqs == 1 && c.reqs[0]->body.len == 0 && c.reqs[0]->body.ptr);
    collect_free(&c);
}

/* Bodies far beyond the initial allocation, both framings. */
static void test_large_bodies(void)
{
    size_t n = 3 * 1024 * 1024 + 17;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + i % 26);

    buf_t in = BUF_INIT;
    buf_printf(&in, "POST / HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", n);
    buf_append(&in, body, n);
    buf_puts(&in, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (size_t off = 0; off < n; off += 100000) {
        size_t k = n - off < 100000 ? n - off : 100000;
        buf_printf(&in, "%zx\r\n", k);
        buf_append(&in, body + off, k);
        buf_puts(&in, "\r\n");
    }
    buf_puts(&in, "0\r\n\r\n");

    collect_t c;
    http_parser_t *p = parser_new(&c, 4 * 1024 * 1024);
    CHECK(feed_steps(p, in.data, in.len, 65536 + 7) == 0);
    http_parser_free(p);
    CHECK(c.nreqs == 2);
    for (size_t i = 0; i < c.nreqs; i++)
        CHECK(c.reqs[i]->body.len == n && memcmp(c.reqs[i]->body.ptr, body, n) == 0);
    collect_free(&c);
    buf_free(&in);
    free(body);
}

static void test_continue(void)
{
    static const char head[] = "POST / HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-Continue \r\n\r\n";
    collect_t c;
    http_parser_t *p = parser_new(&c, MAX_BODY);
    CHECK(http_parser_feed(p, head, strlen(head)) == 0);
    CHECK(c.ncontinue == 1 && c.nreqs == 0); /* before any body byte */
    CHECK(http_parser_feed(p, "body", 4) == 0);
    CHECK(c.ncontinue == 1 && c.nreqs == 1);
    if (c.nreqs == 1)
        CHECK(str_is(c.reqs[0]->body, "body"));
    http_parser_free(p);
    collect_free(&c);

    /* Chunked: the size is unknown, so continue. */
    CHECK(parse(&c,
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
                "2\r\nhi\r\n0\r\n\r\n",
                0, MAX_BODY) == 0);
    CHECK(c.ncontinue == 1 && c.continue_before == 0 && c.nreqs == 1);
    collect_free(&c);

    /* Over the limit: 413 and no 100 Continue. */
    CHECK(parse(&c, "POST / HTTP/1.1\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n", 0, MAX_BODY) == 413);
    CHECK(c.ncontinue == 0 && c.nreqs == 0);

    /* HTTP/1.0, no body, or another expectation: no continue. */
    CHECK(parse(&c, "POST / HTTP/1.0\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\nx", 0, MAX_BODY) == 0);
    CHECK(c.ncontinue == 0 && c.nreqs == 1);
    collect_free(&c);
    CHECK(parse(&c, "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", 0, MAX_BODY) == 0);
    CHECK(c.ncontinue == 0 && c.nreqs == 1);
    collect_free(&c);
    CHECK(parse(&c, "POST / HTTP/1.1\r\nContent-Length: 1\r\nExpect: 100-continuez\r\n\r\nx", 0, MAX_BODY) == 0);
    CHECK(c.ncontinue == 0 && c.nreqs == 1);
    collect_free(&c);

    /* A NULL on_continue is allowed. */
    http_parser_cb_t cb = {&c, on_request, NULL};
    memset(&c, 0, sizeof c);
    p = http_parser_new(&cb, MAX_BODY);
    CHECK(http_parser_feed(p, head, strlen(head)) == 0);
    CHECK(http_parser_feed(p, "body", 4) == 0);
    CHECK(c.nreqs == 1);
    http_parser_free(p);
    collect_free(&c);
}

static void test_body_limit(void)
{
    collect_t c;
    /* Refused at the headers, before a single body byte. */
    static const char head[] = "POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n";
    http_parser_t *p = parser_new(&c, MAX_BODY);
    CHECK(http_parser_feed(p, head, strlen(head)) == 413);
    CHECK(http_parser_feed(p, "x", 1) == 413); /* sticky */
    http_parser_free(p);
    CHECK(c.nreqs == 0);

    CHECK(parse(&c, "POST / HTTP/1.1\r\nContent-Length: 99999999999999999\r\n\r\n", 0, MAX_BODY) == 413);

    /* Exactly at the limit is fine. */
    buf_t in = BUF_INIT;
    buf_puts(&in, "POST / HTTP/1.1\r\nContent-Length: 1024\r\n\r\n");
    for (int i = 0; i < 1024; i++)
        buf_putc(&in, 'x');
    buf_putc(&in, '\0');
    CHECK(parse(&c, in.data, 0, MAX_BODY) == 0);
    CHECK(c.nreqs == 1 && c.reqs[0]->body.len == 1024);
    collect_free(&c);

    /* Chunked: refused at the chunk header that would cross the limit. */
    p = parser_new(&c, MAX_BODY);
    static const char ch[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "200\r\n";
    CHECK(http_parser_feed(p, ch, strlen(ch)) == 0);
    for (int i = 0; i < 0x200; i++)
        CHECK(http_parser_feed(p, "y", 1) == 0);
    CHECK(http_parser_feed(p, "\r\n201\r\n", 7) == 413);
    http_parser_free(p);
    CHECK(c.nreqs == 0);

    /* A request before the oversized one is still delivered. */
    CHECK(parse(&c,
                "GET /ok HTTP/1.1\r\n\r\n"
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\n",
                0, MAX_BODY) == 413);
    CHECK(c.nreqs == 1);
    collect_free(&c);
    buf_free(&in);
}

static void test_header_limits(void)
{
    collect_t c;
    buf_t in = BUF_INIT;
    buf_puts(&in, "POST / HTTP/1.1\r\nX-Big: ");
    for (int i = 0; i < 70000; i++)
        buf_putc(&in, 'v');
    buf_puts(&in, "\r\n\r\n");
    buf_putc(&in, '\0');
    CHECK(parse(&c, in.data, 0, MAX_BODY) == 431);
    CHECK(parse(&c, in.data, 1000, MAX_BODY) == 431);
    CHECK(c.nreqs == 0);

    buf_reset(&in);
    buf_puts(&in, "GET /");
    for (int i = 0; i < 70000; i++)
        buf_putc(&in, 'u');
    buf_puts(&in, " HTTP/1.1\r\n\r\n");
    buf_putc(&in, '\0');
    CHECK(parse(&c, in.data, 0, MAX_BODY) == 431);

    /* 100 headers pass, 101 do not. */
    for (int n = 100; n <= 101; n++) {
        buf_reset(&in);
        buf_puts(&in, "GET / HTTP/1.1\r\n");
        for (int i = 0; i < n; i++)
            buf_printf(&in, "H%d: %d\r\n", i, i);
        buf_puts(&in, "\r\n");
        buf_putc(&in, '\0');
        CHECK(parse(&c, in.data, 0, MAX_BODY) == (n == 100 ? 0 : 431));
        CHECK(c.nreqs == (n == 100 ? 1u : 0u));
        if (c.nreqs == 1) {
            CHECK(c.reqs[0]->nheaders == 100);
            CHECK(str_is(http_header_get(c.reqs[0], "h99"), "99"));
        }
        collect_free(&c);
    }
    buf_free(&in);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "GET / HTTP/1.1\r\n: novalue\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "\x01\x02\x03",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        collect_t c;
        int rc = parse(&c, bad[i], 0, MAX_BODY);
        if (rc != 400)
            fprintf(stderr, "  input %zu: %d\n", i, rc);
        CHECK(rc == 400);
        CHECK(c.nreqs == 0);
        CHECK(parse(&c, bad[i], 1, MAX_BODY) == 400);
    }
    /* Good requests before the bad bytes are delivered; the error sticks. */
    collect_t c;
    http_parser_t *p = parser_new(&c, MAX_BODY);
    static const char in[] = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nxx yy zz\r\n\r\n";
    CHECK(http_parser_feed(p, in, strlen(in)) == 400);
    CHECK(c.nreqs == 2);
    CHECK(http_parser_feed(p, "GET / HTTP/1.1\r\n\r\n", 18) == 400);
    CHECK(c.nreqs == 2);
    http_parser_free(p);
    collect_free(&c);
}

static void test_versions(void)
{
    collect_t c;
    CHECK(parse(&c, "GET / HTTP/2.0\r\n\r\n", 0, MAX_BODY) == 505);
    CHECK(parse(&c, "GET / HTTP/0.9\r\n\r\n", 0, MAX_BODY) == 505);
    CHECK(parse(&c, "GET / HTTP/3.0\r\n\r\n", 0, MAX_BODY) == 505);
    CHECK(parse(&c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, MAX_BODY) == 505);
    CHECK(c.nreqs == 0);
}

static bool keep_alive_of(const char *req, size_t *nreqs)
{
    collect_t c;
    bool ka = false;
    CHECK(parse(&c, req, 0, MAX_BODY) == 0);
    if (c.nreqs >= 1)
        ka = c.reqs[0]->keep_alive;
    *nreqs = c.nreqs;
    collect_free(&c);
    return ka;
}

static void test_keep_alive(void)
{
    size_t n;
    CHECK(keep_alive_of("GET / HTTP/1.1\r\n\r\n", &n) && n == 1);
    CHECK(!keep_alive_of("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &n) && n == 1);
    CHECK(!keep_alive_of("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", &n) && n == 1);
    CHECK(!keep_alive_of("GET / HTTP/1.0\r\n\r\n", &n) && n == 1);
    CHECK(keep_alive_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &n) && n == 1);
    CHECK(keep_alive_of("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &n) && n == 1);
    CHECK(keep_alive_of("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", &n) && n == 1);

    /* Nothing after a closing request is parsed, garbage included. */
    CHECK(!keep_alive_of("POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\nab"
                         "GET /never HTTP/1.1\r\n\r\n",
                         &n));
    CHECK(n == 1);
    CHECK(!keep_alive_of("GET / HTTP/1.0\r\n\r\n\x01\x02 garbage", &n) && n == 1);

    /* An Upgrade request is served as plain HTTP and parsing goes on. */
    CHECK(keep_alive_of("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                        "GET /after HTTP/1.1\r\n\r\n",
                        &n));
    CHECK(n == 2);
}

static void test_header_lookup(void)
{
    collect_t c;
    CHECK(parse(&c,
                "GET / HTTP/1.1\r\ncontent-TYPE: application/x-amz-json-1.0\r\n"
                "X-A: 1\r\nx-a: 2\r\nX-Trim:   spaced value \t \r\nX-Blank:  \r\n\r\n",
                0, MAX_BODY) == 0);
    CHECK(c.nreqs == 1);
    if (c.nreqs == 1) {
        http_request_t *r = c.reqs[0];
        CHECK(str_is(http_header_get(r, "Content-Type"), "application/x-amz-json-1.0"));
        CHECK(str_is(http_header_get(r, "CONTENT-type"), "application/x-amz-json-1.0"));
        CHECK(str_is(http_header_get(r, "x-A"), "1")); /* the first of repeated headers */
        CHECK(http_header_get(r, "x-missing").ptr == NULL);
        CHECK(str_is(http_header_get(r, "x-blank"), ""));
        CHECK(http_header_get(r, "content-typ").ptr == NULL);
        CHECK(str_is(http_header_get(r, "x-trim"), "spaced value"));
    }
    collect_free(&c);
}

static void test_empty_body(void)
{
    collect_t c;
    CHECK(parse(&c,
                "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
                "POST / HTTP/1.1\r\n\r\n",
                0, MAX_BODY) == 0);
    CHECK(c.nreqs == 2);
    for (size_t i = 0; i < c.nreqs; i++)
        CHECK(c.reqs[i]->body.len == 0 && c.reqs[i]->body.ptr && c.reqs[i]->body.ptr[0] == 0);
    collect_free(&c);
    /* A zero limit still takes requests without a body. */
    CHECK(parse(&c, "GET / HTTP/1.1\r\n\r\n", 0, 0) == 0 && c.nreqs == 1);
    collect_free(&c);
    CHECK(parse(&c, "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx", 0, 0) == 413);
}

/* Freed in every state: under ASan this is the leak test. */
static void test_free_mid_request(void)
{
    size_t len = strlen(pipelined);
    for (size_t cut = 0; cut <= len; cut++) {
        collect_t c;
        http_parser_t *p = parser_new(&c, MAX_BODY);
        http_parser_feed(p, pipelined, cut);
        http_parser_free(p);
        collect_free(&c);
    }
    http_parser_free(NULL);
    http_request_free(NULL);
    collect_t c;
    http_parser_t *p = parser_new(&c, MAX_BODY);
    CHECK(http_parser_feed(p, "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab", 40) == 0);
    CHECK(http_parser_feed(p, "\x01\x02", 2) == 0); /* body bytes: anything goes */
    CHECK(http_parser_feed(p, "cdefg", 5) == 0);
    CHECK(c.nreqs == 1);
    CHECK(http_parser_feed(p, "BAD BAD\r\n", 9) == 400);
    http_parser_free(p);
    collect_free(&c);
}

static void test_response_write(void)
{
    buf_t out = BUF_INIT;
    http_header_t h[] = {
        {STR_LIT("Content-Type"), STR_LIT("application/x-amz-json-1.0")},
        {STR_LIT("x-amzn-RequestId"), STR_LIT("REQ1")},
    };
    http_response_write(&out, 200, h, 2, STR_LIT("{}"), true);
    buf_putc(&out, '\0');
    CHECK_STR(out.data, "HTTP/1.1 200 OK\r\n"
                        "Content-Type: application/x-amz-json-1.0\r\n"
                        "x-amzn-RequestId: REQ1\r\n"
                        "Content-Length: 2\r\n"
                        "\r\n"
                        "{}");
    buf_reset(&out);
    http_response_write(&out, 413, NULL, 0, STR_NULL, false);
    buf_putc(&out, '\0');
    CHECK_STR(out.data, "HTTP/1.1 413 Payload Too Large\r\n"
                        "Content-Length: 0\r\n"
                        "Connection: close\r\n"
                        "\r\n");
    /* Appends: two responses back to back for pipelined requests. */
    buf_reset(&out);
    http_response_write(&out, 404, NULL, 0, STR_LIT("a"), true);
    http_response_write(&out, 500, NULL, 0, STR_LIT("b"), true);
    buf_putc(&out, '\0');
    CHECK_STR(out.data, "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\na"
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1\r\n\r\nb");
    buf_free(&out);

    CHECK_STR(http_status_text(100), "Continue");
    CHECK_STR(http_status_text(400), "Bad Request");
    CHECK_STR(http_status_text(405), "Method Not Allowed");
    CHECK_STR(http_status_text(431), "Request Header Fields Too Large");
    CHECK_STR(http_status_text(503), "Service Unavailable");
    CHECK_STR(http_status_text(505), "HTTP Version Not Supported");
    CHECK(http_status_text(799) != NULL);
    CHECK(strlen(HTTP_CONTINUE) == 25);
}

int main(void)
{
    RUN(test_simple_post);
    RUN(test_pipelined);
    RUN(test_split_anywhere);
    RUN(test_chunked);
    RUN(test_large_bodies);
    RUN(test_continue);
    RUN(test_body_limit);
    RUN(test_header_limits);
    RUN(test_malformed);
    RUN(test_versions);
    RUN(test_keep_alive);
    RUN(test_header_lookup);
    RUN(test_empty_body);
    RUN(test_free_mid_request);
    RUN(test_response_write);
    return check_done();
}
