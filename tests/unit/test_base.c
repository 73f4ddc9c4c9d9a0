/* test_base.c - base/: base64 (RFC 4648's vectors, both ways), the random
 * source's UUIDs, and the checked allocators. */
#include <stdlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/rand.h"
#include "check.h"

static void test_base64(void)
{
    /* RFC 4648 section 10 */
    static const char *const vectors[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        buf_t b = BUF_INIT;
        base64_encode(&b, (const uint8_t *)vectors[i][0], strlen(vectors[i][0]));
        buf_putc(&b, '\0');
        CHECK_STR(b.data, vectors[i][1]);
        buf_free(&b);
        uint8_t out[16];
        size_t n = 0;
        CHECK(base64_decode(vectors[i][1], strlen(vectors[i][1]), out, &n) == 0);
        CHECK(n == strlen(vectors[i][0]) && memcmp(out, vectors[i][0], n) == 0);
    }
    /* every byte value survives a round trip */
    uint8_t all[256], back[260];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    buf_t b = BUF_INIT;
    base64_encode(&b, all, sizeof all);
    size_t n = 0;
    CHECK(base64_decode(b.data, b.len, back, &n) == 0 && n == 256 && memcmp(all, back, 256) == 0);
    buf_free(&b);
    uint8_t out[8];
    CHECK(base64_decode("Zm9", 3, out, &n) < 0); /* not a multiple of 4 */
    CHECK(base64_decode("Zg=a", 4, out, &n) < 0); /* data after padding */
    CHECK(base64_decode("Z!==", 4, out, &n) < 0); /* not in the alphabet */
    CHECK(base64_decode("Zg==Zg==", 8, out, &n) < 0); /* padding before the end */
}

static void test_uuid(void)
{
    char a[RAND_UUID_LEN + 1], b[RAND_UUID_LEN + 1];
    rand_uuid(a);
    rand_uuid(b);
    CHECK(strlen(a) == 36 && a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
    CHECK(a[14] == '4'); /* version 4 */
    CHECK(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'); /* RFC 4122 variant */
    CHECK(strcmp(a, b) != 0);
}

static void test_alloc(void)
{
    char *s = xstrndup("abcdef", 3);
    CHECK_STR(s, "abc");
    free(s);
    s = xasprintf("%s-%d", "x", 42);
    CHECK_STR(s, "x-42");
    free(s);
    int *v = xreallocarray(NULL, 1000, sizeof *v);
    v[999] = 1;
    free(v);
}

/* jw_str's escapes, byte by byte, as the reference its word-at-a-time
 * scan must match. */
static void jw_str_reference(buf_t *b, const unsigned char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (esc)
            buf_puts(b, esc);
        else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_putc(b, (char)c);
    }
    buf_putc(b, '"');
}

static void test_jw_str(void)
{
    unsigned char s[64];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 40);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly plain text, sometimes any byte */
            s[i] = (x & 7) == 0 ? (unsigned char)(x >> 8) : (unsigned char)('a' + (x >> 8) % 26);
        }
        buf_t got = BUF_INIT, want = BUF_INIT;
        jw_str(&got, (const char *)s, n);
        jw_str_reference(&want, s, n);
        CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
        buf_free(&got);
        buf_free(&want);
    }
}

int main(void)
{
    RUN(test_jw_str);
    RUN(test_base64);
    RUN(test_uuid);
    RUN(test_alloc);
    return check_done();
}
