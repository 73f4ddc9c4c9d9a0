/* fuzz_import.c - the readers of ImportTable's and StartBulkPutItems'
 * objects (user input from the --s3-dir): Ion text (model/ion.c), CSV
 * records (model/csv.c) and DynamoDB JSON lines (model/records.c). The
 * first byte picks the reader (and CSV's delimiter); the rest is the
 * object.
 *
 * Invariants: a reader never consumes more than it was given and always
 * moves on; every Ion value read writes back as Ion text that reads again
 * and writes the same text (a fixpoint); a record's item round-trips as
 * well; CSV records have at least one field, at most CSV_MAX_FIELDS; the
 * same object cut in two (eof false on the first piece) never yields a
 * value past the cut. */
#include <stdint.h>
#include <string.h>

#include "model/csv.h"
#include "model/ion.h"
#include "model/records.h"

#include "fuzz.h"

static void ion_fixpoint(arena_t *a, const value_t *v)
{
    buf_t once = BUF_INIT, twice = BUF_INIT;
    ion_write_value(&once, v);
    value_t back;
    size_t used;
    err_t e = {0};
    FUZZ_ASSERT(ion_read(a, once.data, once.len, true, &used, &back, &e) == ION_VALUE);
    ion_write_value(&twice, &back);
    FUZZ_ASSERT(once.len == twice.len && memcmp(once.data, twice.data, once.len) == 0);
    buf_free(&once);
    buf_free(&twice);
}

static void ion_all(arena_t *a, const char *p, size_t n)
{
    for (size_t off = 0, values = 0; off <= n && values < 64; values++) {
        value_t v, item;
        size_t used = 0;
        err_t e = {0};
        int rc = ion_read(a, p + off, n - off, true, &used, &v, &e);
        if (rc < 0) {
            FUZZ_ASSERT(e.code != 0);
            return;
        }
        FUZZ_ASSERT(rc != ION_NEED_MORE && used <= n - off);
        if (rc == ION_END)
            return;
        FUZZ_ASSERT(used > 0);
        ion_fixpoint(a, &v);
        if (record_item_of_ion(&v, &item, &e) == 0)
            ion_fixpoint(a, &item);
        off += used;
    }
}

static void ion_cut(arena_t *a, const char *p, size_t n)
{
    size_t used = 0;
    value_t v;
    err_t e = {0};
    int rc = ion_read(a, p, n / 2, false, &used, &v, &e);
    FUZZ_ASSERT(rc < 0 || used <= n / 2);
}

static void csv_all(arena_t *a, const char *p, size_t n, char delim)
{
    for (size_t off = 0, records = 0; off <= n && records < 256; records++) {
        csv_record_t r;
        size_t used = 0;
        err_t e = {0};
        int rc = csv_read(a, p + off, n - off, true, delim, &used, &r, &e);
        if (rc < 0 || rc == CSV_END)
            return;
        FUZZ_ASSERT(rc == CSV_RECORD && used > 0 && used <= n - off);
        FUZZ_ASSERT(r.n >= 1 && r.n <= CSV_MAX_FIELDS);
        off += used;
    }
}

static void json_lines(arena_t *a, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        value_t item;
        err_t e = {0};
        if (record_item_of_json(a, p, len, &item, &e) == 0) {
            FUZZ_ASSERT(item.type == VT_M);
            ion_fixpoint(a, &item);
        } else {
            FUZZ_ASSERT(e.code != 0);
        }
        if (!nl)
            break;
        p += len + 1;
        n -= len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    arena_t a;
    arena_init(&a);
    switch (data[0] % 4) {
    case 0: ion_all(&a, p, n); break;
    case 1: ion_cut(&a, p, n); break;
    case 2: csv_all(&a, p, n, data[0] >= 128 ? ';' : ','); break;
    default: json_lines(&a, p, n); break;
    }
    arena_free(&a);
    return 0;
}
