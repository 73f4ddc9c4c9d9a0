/* md5.c - MD5 (see md5.h), straight from RFC 1321 section 3. */
#include "base/md5.h"

#include <string.h>

/* the per-step shifts and the sines' constants of RFC 1321 3.4 */
static const uint8_t shift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                  5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
static const uint32_t k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void compress(uint32_t h[4], const uint8_t b[MD5_BLOCK])
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++) /* MD5 reads its words little-endian */
        w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
               (uint32_t)b[4 * i + 3] << 24;
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16)
            f = (bb & c) | (~bb & d), g = i;
        else if (i < 32)
            f = (d & bb) | (~d & c), g = (5 * i + 1) % 16;
        else if (i < 48)
            f = bb ^ c ^ d, g = (3 * i + 5) % 16;
        else
            f = c ^ (bb | ~d), g = (7 * i) % 16;
        uint32_t t = d;
        d = c;
        c = bb;
        bb = bb + rotl(a + f + k[i] + w[g], shift[i]);
        a = t;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
}

void md5_init(md5_t *m)
{
    static const uint32_t init[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    memcpy(m->h, init, sizeof init);
    m->bytes = 0;
    m->fill = 0;
}

void md5_update(md5_t *m, const void *data, size_t n)
{
    const uint8_t *p = data;
    m->bytes += n;
    while (n) {
        size_t take = MD5_BLOCK - m->fill < n ? MD5_BLOCK - m->fill : n;
        memcpy(m->block + m->fill, p, take);
        m->fill += take;
        p += take;
        n -= take;
        if (m->fill == MD5_BLOCK) {
            compress(m->h, m->block);
            m->fill = 0;
        }
    }
}

void md5_final(md5_t *m, uint8_t out[MD5_LEN])
{
    uint64_t bits = m->bytes * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    md5_update(m, &pad, 1);
    while (m->fill != MD5_BLOCK - 8)
        md5_update(m, &zero, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (8 * i));
    md5_update(m, len, 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(m->h[i] >> (8 * j));
}

void md5(const void *data, size_t n, uint8_t out[MD5_LEN])
{
    md5_t m;
    md5_init(&m);
    md5_update(&m, data, n);
    md5_final(&m, out);
}
