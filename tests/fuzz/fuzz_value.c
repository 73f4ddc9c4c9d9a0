/* fuzz_value.c - the value layer against arbitrary input.
 *
 * The bytes are read twice: as a JSON item (jansson, then item_from_json),
 * and as a stored value (value_decode). Whatever parses must survive the
 * rest of the pipeline: JSON out and back in, storage encode and decode,
 * sizes, copies, and key encoding, with equal values at every step. Any
 * mismatch aborts, which both libFuzzer and the replay driver report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/keys.h"
#include "model/value.h"

#include "fuzz.h"

static void check_storage_round_trip(arena_t *a, const value_t *v)
{
    buf_t b = BUF_INIT;
    value_encode(&b, v);
    value_t d;
    FUZZ_ASSERT(value_decode(a, (const uint8_t *)b.data, b.len, &d) == 0);
    FUZZ_ASSERT(value_equal(v, &d));
    if (b.len > 0) /* a cut-off encoding never decodes */
        FUZZ_ASSERT(value_decode(a, (const uint8_t *)b.data, b.len - 1, &d) < 0);
    buf_free(&b);
}

static void check_json_round_trip(arena_t *a, const value_t *item)
{
    buf_t b = BUF_INIT;
    item_to_json(&b, item);
    json_error_t je;
    json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &je);
    FUZZ_ASSERT(j != NULL);
    value_t again;
    err_t e = {0};
    FUZZ_ASSERT(item_from_json(a, j, &again, &e) == 0);
    FUZZ_ASSERT(value_equal(item, &again));
    FUZZ_ASSERT(item_size(item) == item_size(&again));
    json_decref(j);
    buf_free(&b);
}

/* Every scalar attribute can be a key of its own type: encode it both ways. */
static void check_keys(const value_t *item)
{
    for (size_t i = 0; i < item->m.n; i++) {
        const value_t *v = &item->m.m[i].v;
        if (v->type != VT_S && v->type != VT_N && v->type != VT_B)
            continue;
        key_schema_t ks = {{STR_LIT("h"), v->type}, {item->m.m[i].name, v->type}};
        key_buf_t k;
        key_encode_partition(1, v, &k);
        FUZZ_ASSERT(k.len == KEY_PREFIX_LEN);
        key_append_sort(&k, v);
        FUZZ_ASSERT(k.len <= KEY_LMDB_MAX);
        err_t e = {0};
        (void)key_check_item(&ks, item, &e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t a;
    arena_init(&a);

    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (j) {
        value_t item;
        err_t e = {0};
        if (item_from_json(&a, j, &item, &e) == 0) {
            check_storage_round_trip(&a, &item);
            check_json_round_trip(&a, &item);
            value_t cp = value_copy(&a, &item);
            FUZZ_ASSERT(value_equal(&item, &cp));
            check_keys(&item);
        } else {
            FUZZ_ASSERT(e.code == ERR_VALIDATION || e.code == ERR_SERIALIZATION);
        }
        json_decref(j);
    }

    value_t raw;
    if (value_decode(&a, data, size, &raw) == 0) {
        check_storage_round_trip(&a, &raw);
        (void)value_size(&raw);
    }
    arena_free(&a);
    return 0;
}
