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

int main(void)
{
    RUN(test_base64);
    RUN(test_uuid);
    RUN(test_alloc);
    return check_done();
}
