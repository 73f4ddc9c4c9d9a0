/* test_md5.c - MD5 against RFC 1321's test suite (appendix A.5), fed
 * whole and in pieces. */
#include <string.h>

#include "base/md5.h"
#include "base/sha256.h"
#include "check.h"

static const char *hex_md5(const char *s)
{
    static char out[2 * MD5_LEN + 1];
    uint8_t d[MD5_LEN];
    md5(s, strlen(s), d);
    hex_encode(d, MD5_LEN, out);
    return out;
}

static void test_rfc1321(void)
{
    CHECK_STR(hex_md5(""), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_STR(hex_md5("a"), "0cc175b9c0f1b6a831c399e269772661");
    CHECK_STR(hex_md5("abc"), "900150983cd24fb0d6963f7d28e17f72");
    CHECK_STR(hex_md5("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK_STR(hex_md5("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK_STR(hex_md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              "d174ab98d277d9f5a5611c2c9f419d9f");
    CHECK_STR(hex_md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
              "57edf4a22be3c955ac49da2e2107b67a");
}

static void test_pieces(void)
{
    const char *s = "12345678901234567890123456789012345678901234567890123456789012345678901234567890";
    for (size_t step = 1; step < 70; step += 7) {
        md5_t m;
        md5_init(&m);
        for (size_t i = 0; i < strlen(s); i += step)
            md5_update(&m, s + i, strlen(s) - i < step ? strlen(s) - i : step);
        uint8_t d[MD5_LEN];
        char out[2 * MD5_LEN + 1];
        md5_final(&m, d);
        hex_encode(d, MD5_LEN, out);
        CHECK_STR(out, "57edf4a22be3c955ac49da2e2107b67a");
    }
}

int main(void)
{
    RUN(test_rfc1321);
    RUN(test_pieces);
    return check_done();
}
