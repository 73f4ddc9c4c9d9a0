/* fuzz_seed.c - seed and load files (api/seed_file.h): what --seed, ddbd
 * load and POST /_ddbd/load read, and what ddbd dump writes.
 *
 * The first byte picks how the rest is named: an items file
 * (T.items.jsonl), a table or BatchWriteItem file (T.json), or items forced
 * into a table (ddbd load --table). Invariants: a refusal says why, with
 * the file's name; an accepted file gives tables with names and items
 * that are JSON objects (PutItem's Item), each from a line or position of
 * the file; the set frees cleanly (the sanitizers check). */
#include <jansson.h>
#include <string.h>

#include "api/seed_file.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const names[] = {"T.items.jsonl", "T.json", "export.json.gz", "dir/T.items.json"};
    int kind = data[0] & 3;
    seed_set_t s = {0};
    char why[SEED_WHY_MAX] = "";
    const char *text = (const char *)data + 1;
    int rc = seed_parse(&s, names[kind], kind == 2 ? "Forced" : NULL, text, size - 1, why, sizeof why);
    if (rc) {
        FUZZ_ASSERT(rc == -1 && why[0] && strstr(why, names[kind]) == why);
    } else {
        for (size_t i = 0; i < s.n_tables; i++) {
            const seed_table_t *t = &s.tables[i];
            FUZZ_ASSERT(t->name && t->file);
            FUZZ_ASSERT(!t->create || json_is_object(t->create));
            for (size_t k = 0; k < t->n_items; k++) {
                FUZZ_ASSERT(json_is_object(t->items[k].item) && t->items[k].line >= 1);
                FUZZ_ASSERT(t->items[k].indexed || t->items[k].line <= size);
            }
        }
    }
    seed_set_free(&s);
    return 0;
}
