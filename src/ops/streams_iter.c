/* streams_iter.c - shard iterators and sequence numbers as text (see
 * streams_iter.h). */
#include "ops/streams_iter.h"

bool streams_seq_parse(str_t s, uint64_t *out)
{
    if (s.len < 21 || s.len > 40)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return true;
}

void streams_iterator_write(buf_t *b, const char *arn, const char *shard, uint64_t pos, int64_t issued_ms)
{
    buf_printf(b, "\"%s|%s|%llu|%lld\"", arn, shard, (unsigned long long)pos, (long long)issued_ms);
}

int streams_iterator_parse(str_t it, streams_iterator_t *out)
{
    if (!it.len)
        return -1; /* it.ptr may be NULL: no arithmetic on it */
    str_t part[4];
    size_t n = 0;
    const char *p = it.ptr, *end = it.ptr + it.len;
    while (n < 4) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *stop = bar ? bar : end;
        part[n++] = (str_t){p, (size_t)(stop - p)};
        if (!bar)
            break;
        p = bar + 1;
    }
    if (n != 4 || part[3].ptr + part[3].len != end || part[0].len == 0 || part[1].len == 0)
        return -1; /* four fields, the last running to the end */
    uint64_t v[2];
    for (int i = 0; i < 2; i++) {
        str_t s = part[2 + i];
        if (s.len == 0 || s.len > 19)
            return -1;
        v[i] = 0;
        for (size_t j = 0; j < s.len; j++) {
            if (s.ptr[j] < '0' || s.ptr[j] > '9')
                return -1;
            v[i] = v[i] * 10 + (uint64_t)(s.ptr[j] - '0');
        }
    }
    if (v[1] > INT64_MAX)
        return -1; /* an issue time no clock reaches */
    *out = (streams_iterator_t){part[0], part[1], v[0], (int64_t)v[1]};
    return 0;
}
