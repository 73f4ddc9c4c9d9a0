/* fuzz_json.c - json_fast_loadb against jansson's json_loadb.
 *
 * json_fast_loadb promises json_loadb's answer for every input: the same
 * document (compared in key order, with integers and reals told apart by
 * their dumped text) or the same refusal. Any difference aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_fast.h"

#include "fuzz.h"

static char *dump(const json_t *j)
{
    return json_dumps(j, JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_COMPACT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *fast = json_fast_loadb((const char *)data, size);
    json_t *ref = json_loadb((const char *)data, size, 0, NULL);
    FUZZ_ASSERT((fast == NULL) == (ref == NULL));
    if (fast) {
        char *a = dump(fast), *b = dump(ref);
        FUZZ_ASSERT(a && b && strcmp(a, b) == 0);
        FUZZ_ASSERT(json_equal(fast, ref));
        free(a);
        free(b);
    }
    json_decref(fast);
    json_decref(ref);
    return 0;
}
