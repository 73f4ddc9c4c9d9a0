/* streams_iter.h - the text forms DynamoDB Streams callers hand back:
 * shard iterators and sequence numbers (parsers of user input, fuzzed by
 * tests/fuzz/fuzz_tokens.c).
 *
 * A shard iterator is "<stream ARN>|<shard id>|<position>|<issued, epoch
 * ms>", written as a JSON string; a sequence number is 21 to 40 decimal
 * digits whose value fits 64 bits. */
#ifndef DDBD_STREAMS_ITER_H
#define DDBD_STREAMS_ITER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/str.h"

typedef struct streams_iterator {
    str_t arn, shard; /* point into the parsed text */
    uint64_t pos;
    int64_t issued; /* epoch ms */
} streams_iterator_t;

/* 0, or -1 when it is not an iterator's form (four fields, the last two
 * numbers, the ARN and shard non-empty). */
int streams_iterator_parse(str_t it, streams_iterator_t *out);
/* Appends the iterator as a JSON string. */
void streams_iterator_write(buf_t *b, const char *arn, const char *shard, uint64_t pos, int64_t issued_ms);
bool streams_seq_parse(str_t s, uint64_t *out);

#endif
