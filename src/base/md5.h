/* md5.h - MD5 (RFC 1321), for the checksums S3 and DynamoDB's exports
 * write: an object's ETag and an export's md5Checksum. Not for security.
 * Tested with RFC 1321's vectors (tests/unit/test_md5.c). */
#ifndef DDBD_MD5_H
#define DDBD_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_LEN 16
#define MD5_BLOCK 64

typedef struct md5 {
    uint32_t h[4];
    uint64_t bytes; /* total fed */
    uint8_t block[MD5_BLOCK];
    size_t fill; /* bytes in block */
} md5_t;

void md5_init(md5_t *m);
void md5_update(md5_t *m, const void *data, size_t n);
void md5_final(md5_t *m, uint8_t out[MD5_LEN]);
void md5(const void *data, size_t n, uint8_t out[MD5_LEN]);

#endif
