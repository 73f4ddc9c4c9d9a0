/* fuzz_tokens.c - the tokens callers hand back to resume where they were:
 * DynamoDB Streams shard iterators and sequence numbers (ops/streams_iter.h)
 * and ExecuteStatement's NextToken (partiql/token.c).
 *
 * Input: lines. Line 1 is read as a shard iterator, line 2 as a sequence
 * number, line 3 as a NextToken, the rest as a JSON item. Invariants: an
 * accepted iterator writes back to the same text; an accepted sequence
 * number is its digits' value; a NextToken made for a start key reads back
 * to that key and position, and the same token with one byte changed, or
 * read for another statement, is refused ("Invalid NextToken"); whatever
 * line 3 holds is refused or read, never a crash. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/streams_iter.h"
#include "partiql/partiql.h"

#include "fuzz.h"

static str_t next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    str_t s = {*p, (size_t)((nl ? nl : end) - *p)};
    *p = nl ? nl + 1 : end;
    return s;
}

static void check_iterator(str_t line)
{
    streams_iterator_t it;
    if (streams_iterator_parse(line, &it) != 0)
        return;
    char *arn = strndup(it.arn.ptr, it.arn.len), *shard = strndup(it.shard.ptr, it.shard.len);
    buf_t b = BUF_INIT;
    streams_iterator_write(&b, arn, shard, it.pos, it.issued);
    /* the written form is the JSON string of the text, which had no quotes
     * or NUL only if it round-trips; compare the fields re-parsed */
    streams_iterator_t again;
    str_t inner = {b.data + 1, b.len - 2};
    if (!memchr(arn, '\0', it.arn.len) && !memchr(shard, '\0', it.shard.len)) {
        FUZZ_ASSERT(streams_iterator_parse(inner, &again) == 0);
        FUZZ_ASSERT(again.pos == it.pos && again.issued == it.issued);
        FUZZ_ASSERT(str_eq(again.arn, it.arn) && str_eq(again.shard, it.shard));
    }
    buf_free(&b);
    free(arn);
    free(shard);
}

static void check_seq(str_t line)
{
    uint64_t v;
    if (!streams_seq_parse(line, &v))
        return;
    char text[64];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    size_t zeros = 0;
    while (zeros < line.len && line.ptr[zeros] == '0')
        zeros++;
    size_t digits = line.len - zeros;
    FUZZ_ASSERT(v == 0 ? digits == 0 : (strlen(text) == digits && memcmp(text, line.ptr + zeros, digits) == 0));
}

static void check_token_text(arena_t *a, str_t line)
{
    uint32_t idx;
    value_t key;
    bool has;
    err_t e = {0};
    if (pq_token_read(a, line, 42, &idx, &key, &has, &e) != 0)
        FUZZ_ASSERT(e.code == ERR_VALIDATION);
}

static void check_round_trip(arena_t *a, str_t rest, uint32_t index)
{
    json_error_t je;
    json_t *j = json_loadb(rest.ptr, rest.len, 0, &je);
    value_t item;
    err_t e = {0};
    bool have_item = j && item_from_json(a, j, &item, &e) == 0;
    json_decref(j);
    buf_t tok = BUF_INIT;
    pq_token_make(&tok, 7, index, have_item ? &item : NULL);
    uint32_t got;
    value_t key;
    bool has;
    err_t e2 = {0};
    FUZZ_ASSERT(pq_token_read(a, (str_t){tok.data, tok.len}, 7, &got, &key, &has, &e2) == 0);
    FUZZ_ASSERT(got == index && has == have_item && (!has || value_equal(&key, &item)));
    err_t e3 = {0};
    FUZZ_ASSERT(pq_token_read(a, (str_t){tok.data, tok.len}, 8, &got, &key, &has, &e3) != 0);
    tok.data[tok.len / 2] ^= 0x01; /* base64 text: a flipped bit is another character or none */
    err_t e4 = {0};
    if (pq_token_read(a, (str_t){tok.data, tok.len}, 7, &got, &key, &has, &e4) == 0)
        FUZZ_ASSERT(0); /* a changed token must never be read */
    buf_free(&tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    str_t it = next_line(&p, end), seq = next_line(&p, end), token = next_line(&p, end);
    str_t rest = {p, (size_t)(end - p)};
    arena_t a;
    arena_init(&a);
    check_iterator(it);
    check_seq(seq);
    check_token_text(&a, token);
    check_round_trip(&a, rest, size ? data[0] : 0);
    arena_free(&a);
    return 0;
}
