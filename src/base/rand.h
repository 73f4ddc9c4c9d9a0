/* rand.h - the one source of randomness: the operating system's, through
 * uv_random (getrandom(2) on Linux). For UUIDs and ids that must not
 * collide across processes; nothing here needs to be fast. */
#ifndef DDBD_RAND_H
#define DDBD_RAND_H

#include <stddef.h>

#define RAND_UUID_LEN 36

/* n random bytes. Aborts when the OS has none to give (it blocks until
 * the entropy pool is ready instead, so in practice never). */
void rand_bytes(void *buf, size_t n);
/* A version 4 UUID, lower-case: "1b4e28ba-2fa1-4d2e-883f-0016d3cca427". */
void rand_uuid(char out[RAND_UUID_LEN + 1]);

#endif
