/* fuzz_sigv4.c - SigV4 verification and HTTP content codings under
 * arbitrary input.
 *
 * Input: lines. Line 1 is the Authorization header, line 2 X-Amz-Date,
 * line 3 the path (query string included), line 4 a Content-Encoding, and
 * the rest the body. The signature is checked against one known key (it
 * must never pass unless it is right, and never crash); the body is
 * decoded as the coding says (within a small limit) and Accept-Encoding is
 * negotiated from line 4. */
#include <string.h>
#include <time.h>

#include "api/sigv4.h"
#include "net/http_coding.h"

#include "fuzz.h"

static str_t next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    str_t s = {*p, (size_t)((nl ? nl : end) - *p)};
    *p = nl ? nl + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    str_t auth = next_line(&p, end), date = next_line(&p, end), path = next_line(&p, end), ce = next_line(&p, end);
    str_t body = {p, (size_t)(end - p)};

    http_header_t h[4] = {
        {STR_LIT("authorization"), auth},
        {STR_LIT("x-amz-date"), date},
        {STR_LIT("host"), STR_LIT("localhost:8000")},
        {STR_LIT("content-encoding"), ce},
    };
    http_request_t req = {STR_LIT("POST"), path.len ? path : STR_LIT("/"), h, 4, body, true};
    sigv4_key_t key = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
    sigv4_keys_t keys = {&key, 1};
    sigv4_auth_t a;
    if (sigv4_parse(auth, &a) == 0)
        FUZZ_ASSERT(a.access_key.len > 0 && a.signature.ptr && a.signed_headers.ptr);
    err_t e = {0};
    int rc = sigv4_verify(&req, auth, &keys, (time_t)1440938160, &e);
    FUZZ_ASSERT(rc == 0 ? e.code == ERR_NONE : e.code != ERR_NONE);

    buf_t out = BUF_INIT;
    http_decode_result_t d = http_decode_body(ce, body, 1 << 20, &out);
    FUZZ_ASSERT(d != HTTP_DECODE_OK || out.len <= (1 << 20));
    buf_free(&out);
    http_coding_t c = http_accept_coding(ce);
    FUZZ_ASSERT(c == HTTP_CODING_IDENTITY || c == HTTP_CODING_GZIP || c == HTTP_CODING_DEFLATE);
    return 0;
}
