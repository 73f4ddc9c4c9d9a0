/* rand.c - randomness from the OS (see rand.h). */
#include "base/rand.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

void rand_bytes(void *buf, size_t n)
{
    int rc = uv_random(NULL, NULL, buf, n, 0, NULL);
    if (rc) {
        fprintf(stderr, "ddbd: no random bytes from the OS: %s\n", uv_strerror(rc));
        abort();
    }
}

void rand_uuid(char out[RAND_UUID_LEN + 1])
{
    uint8_t b[16];
    rand_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, RAND_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
