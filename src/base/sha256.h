/* sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for SigV4.
 *
 * Small and dependency-free: ddbd does not link libcrypto (its start-up
 * cost is more than everything else ddbd does at start). Tested with
 * NIST's and RFC 4231's vectors (tests/unit/test_sha256.c). */
#ifndef DDBD_SHA256_H
#define DDBD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_BLOCK 64

typedef struct sha256 {
    uint32_t h[8];
    uint64_t bytes; /* total fed */
    uint8_t block[SHA256_BLOCK];
    size_t fill; /* bytes in block */
} sha256_t;

void sha256_init(sha256_t *s);
void sha256_update(sha256_t *s, const void *data, size_t n);
void sha256_final(sha256_t *s, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t n, uint8_t out[SHA256_LEN]);

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t n, uint8_t out[SHA256_LEN]);

/* Lower-case hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void hex_encode(const uint8_t *p, size_t n, char *out);

#endif
