/* test_sha256.c - SHA-256 (NIST FIPS 180-4 examples), HMAC-SHA256 (RFC
 * 4231's test cases) and SigV4 (AWS's documented example key derivation,
 * and a request signed the way the SDKs sign it). */
#include <stdio.h>
#include <string.h>

#include "api/sigv4.h"
#include "base/sha256.h"
#include "check.h"

static void hex_of_sha256(const char *in, size_t n, char out[65])
{
    uint8_t h[SHA256_LEN];
    sha256(in, n, h);
    hex_encode(h, SHA256_LEN, out);
}

static void test_sha256_nist(void)
{
    char hex[65];
    hex_of_sha256("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of_sha256("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of_sha256(two, strlen(two), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    sha256_t s;
    sha256_init(&s);
    char a[1000];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    for (size_t step = 1; left; step = step % 997 + 7) {
        size_t n = step < left ? step : left;
        n = n < sizeof a ? n : sizeof a;
        sha256_update(&s, a, n);
        left -= n;
    }
    uint8_t h[SHA256_LEN];
    sha256_final(&s, h);
    hex_encode(h, SHA256_LEN, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void hmac_hex(const void *k, size_t kl, const void *d, size_t dl, char out[65])
{
    uint8_t h[SHA256_LEN];
    hmac_sha256(k, kl, d, dl, h);
    hex_encode(h, SHA256_LEN, out);
}

static void test_hmac_rfc4231(void)
{
    char hex[65];
    uint8_t k20[20], k131[131], d50[50];
    memset(k20, 0x0b, sizeof k20);
    hmac_hex(k20, 20, "Hi There", 8, hex); /* test case 1 */
    CHECK_STR(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex); /* 2 */
    CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k20, 0xaa, sizeof k20);
    memset(d50, 0xdd, sizeof d50);
    hmac_hex(k20, 20, d50, 50, hex); /* 3 */
    CHECK_STR(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    memset(k131, 0xaa, sizeof k131);
    const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_hex(k131, 131, big, strlen(big), hex); /* 6: a key longer than a block */
    CHECK_STR(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *big7 = "This is a test using a larger than block-size key and a larger than block-size data. The key "
                       "needs to be hashed before being used by the HMAC algorithm.";
    hmac_hex(k131, 131, big7, strlen(big7), hex); /* 7 */
    CHECK_STR(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* A request signed as the SDKs sign it (botocore's algorithm, AWS's example
 * secret): it passes, and fails with another secret, a changed body, an
 * unknown key, or a date out of the window. */
static void test_sigv4_verify(void)
{
    /* The signature is computed here over the canonical request as AWS
     * documents it; that botocore's signatures pass is the wire test's. */
    const char *body = "{}";
    str_t date = STR_LIT("20150830T123600Z");
    char creq[512], sts[512], hex[65], auth[512];
    uint8_t h[SHA256_LEN], k[SHA256_LEN];
    char bodyhex[65];
    hex_of_sha256(body, 2, bodyhex);
    snprintf(creq, sizeof creq, "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:%.*s\n\nhost;x-amz-date\n%s",
             STR_FMT(date), bodyhex);
    hex_of_sha256(creq, strlen(creq), hex);
    snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%.*s\n20150830/us-east-1/dynamodb/aws4_request\n%s", STR_FMT(date),
             hex);
    const char *secret = "AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    hmac_sha256(secret, strlen(secret), "20150830", 8, k);
    hmac_sha256(k, SHA256_LEN, "us-east-1", 9, k);
    /* AWS's documented kSigning for this secret, date, region and "iam" */
    uint8_t iam[SHA256_LEN];
    hmac_sha256(k, SHA256_LEN, "iam", 3, iam);
    hmac_sha256(iam, SHA256_LEN, "aws4_request", 12, iam);
    hex_encode(iam, SHA256_LEN, hex);
    CHECK_STR(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    hmac_sha256(k, SHA256_LEN, "dynamodb", 8, k);
    hmac_sha256(k, SHA256_LEN, "aws4_request", 12, k);
    hmac_sha256(k, SHA256_LEN, sts, strlen(sts), h);
    hex_encode(h, SHA256_LEN, hex);
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
             "SignedHeaders=host;x-amz-date, Signature=%s",
             hex);
    http_header_t hd[3] = {{STR_LIT("Host"), STR_LIT("example.amazonaws.com")},
                           {STR_LIT("X-Amz-Date"), date},
                           {STR_LIT("Authorization"), str_from_cstr(auth)}};
    http_request_t req = {STR_LIT("POST"), STR_LIT("/"), hd, 3, STR_LIT("{}"), true};
    sigv4_key_t good = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
    sigv4_keys_t keys = {&good, 1};
    time_t at = 1440938160; /* 2015-08-30T12:36:00Z */
    err_t e = {0};
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &keys, at, &e) == 0);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &keys, at + 900, &e) == 0);
    err_clear(&e);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &keys, at + 901, &e) == -1);
    CHECK(e.code == ERR_INVALID_SIGNATURE);
    CHECK_STR(e.msg, "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - "
                     "15 min.)");
    err_clear(&e);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &keys, at - 901, &e) == -1);
    CHECK_STR(e.msg, "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
                     "(20150830T122059Z + 15 min.)");
    sigv4_key_t wrong = {"AKIDEXAMPLE", "another"};
    sigv4_keys_t wk = {&wrong, 1};
    err_clear(&e);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &wk, at, &e) == -1);
    CHECK(e.code == ERR_INVALID_SIGNATURE);
    sigv4_key_t other = {"OTHERKEY", "x"};
    sigv4_keys_t ok = {&other, 1};
    err_clear(&e);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &ok, at, &e) == -1);
    CHECK(e.code == ERR_UNRECOGNIZED_CLIENT);
    req.body = STR_LIT("{ }");
    err_clear(&e);
    CHECK(sigv4_verify(&req, str_from_cstr(auth), &keys, at, &e) == -1);
    CHECK(e.code == ERR_INVALID_SIGNATURE);
}

int main(void)
{
    RUN(test_sha256_nist);
    RUN(test_hmac_rfc4231);
    RUN(test_sigv4_verify);
    return check_done();
}
