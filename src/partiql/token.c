/* token.c - ExecuteStatement's NextToken.
 *
 * A token is base64 of
 *     version (1) . fingerprint (8) . key index (4, BE) . has start key (1)
 *     . start key as wire JSON . tag (16)
 * where the tag is XXH3-128 keyed with a secret of 192 random bytes drawn
 * when the first token is made. Any change to a token, or a token from
 * another ddbd process (another secret), fails the tag; one made for
 * another statement or other parameters fails the fingerprint. Tokens are
 * made and read on the loop thread only (SELECT runs there), so the
 * secret needs no lock. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/endian.h"
#include "base/rand.h"
#include "partiql/partiql_internal.h"

#define TOKEN_VERSION 1
#define TOKEN_HEAD 14
#define TOKEN_TAG 16

static uint8_t secret[192];
static bool have_secret;

static void tag_of(const void *p, size_t n, uint8_t out[TOKEN_TAG])
{
    if (!have_secret) {
        rand_bytes(secret, sizeof secret);
        have_secret = true;
    }
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_withSecret(p, n, secret, sizeof secret));
    memcpy(out, c.digest, TOKEN_TAG);
}

uint64_t pq_fingerprint(str_t statement, const json_t *params)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        abort();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, statement.ptr, statement.len);
    XXH3_64bits_update(st, "", 1);
    if (params) {
        char *dump = xjson_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
        XXH3_64bits_update(st, dump, strlen(dump));
        free(dump);
    }
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

void pq_token_make(buf_t *out, uint64_t fingerprint, uint32_t key_index, const value_t *start_key)
{
    buf_t raw = BUF_INIT;
    buf_putc(&raw, TOKEN_VERSION);
    buf_put_u64be(&raw, fingerprint);
    buf_put_u32be(&raw, key_index);
    buf_putc(&raw, start_key ? 1 : 0);
    if (start_key) { /* on its own: item_to_json puts a comma after a byte like the flag */
        buf_t k = BUF_INIT;
        item_to_json(&k, start_key);
        buf_append(&raw, k.data, k.len);
        buf_free(&k);
    }
    uint8_t tag[TOKEN_TAG];
    tag_of(raw.data, raw.len, tag);
    buf_append(&raw, tag, sizeof tag);
    base64_encode(out, (const uint8_t *)raw.data, raw.len);
    buf_free(&raw);
}

static int invalid(err_t *e) { return err_set(e, ERR_VALIDATION, "Invalid NextToken"); }

int pq_token_read(arena_t *a, str_t token, uint64_t fingerprint, uint32_t *key_index, value_t *start_key,
                  bool *has_start_key, err_t *e)
{
    uint8_t *raw = arena_alloc(a, token.len / 4 * 3 + 4);
    size_t n = 0;
    if (base64_decode(token.ptr, token.len, raw, &n) != 0 || n < TOKEN_HEAD + TOKEN_TAG)
        return invalid(e);
    uint8_t tag[TOKEN_TAG];
    tag_of(raw, n - TOKEN_TAG, tag);
    if (memcmp(tag, raw + n - TOKEN_TAG, TOKEN_TAG) != 0 || raw[0] != TOKEN_VERSION ||
        be64_get(raw + 1) != fingerprint || raw[13] > 1)
        return invalid(e);
    *key_index = be32_get(raw + 9);
    *has_start_key = raw[13] == 1;
    if (!*has_start_key)
        return n == TOKEN_HEAD + TOKEN_TAG ? 0 : invalid(e);
    json_error_t je;
    json_t *j = json_loadb((const char *)raw + TOKEN_HEAD, n - TOKEN_HEAD - TOKEN_TAG, 0, &je);
    err_t ignored;
    err_clear(&ignored);
    int rc = json_is_object(j) && item_from_json(a, j, start_key, &ignored) == 0 ? 0 : invalid(e);
    json_decref(j);
    return rc;
}
