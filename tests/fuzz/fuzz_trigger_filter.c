/* fuzz_trigger_filter.c - FilterCriteria patterns (user input through the
 * admin endpoint and the config file) against a fixed stream record.
 *
 * The input is one Pattern string. Invariants: a failed compile hands back
 * no filter and says why; a compiled filter matches without crashing, and
 * a filter of itself OR'ed with the same pattern gives the same answer. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "streams/trigger_filter.h"

#include "fuzz.h"

static const char record[] =
    "{\"eventName\":\"INSERT\",\"dynamodb\":{\"SizeBytes\":26,\"Keys\":{\"pk\":{\"S\":\"k\"}},"
    "\"NewImage\":{\"pk\":{\"S\":\"k\"},\"t\":{\"SS\":[\"a\",\"b\"]},\"z\":{\"NULL\":true},\"e\":{\"S\":\"\"}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *pat = json_stringn_nocheck((const char *)data, size);
    json_t *crit = json_pack("{s:[{s:O},{s:O}]}", "Filters", "Pattern", pat, "Pattern", pat);
    json_t *one = json_pack("{s:[{s:O}]}", "Filters", "Pattern", pat);
    json_t *rec = json_loads(record, 0, NULL);
    FUZZ_ASSERT(crit && one && rec);
    tfilter_t *f = (tfilter_t *)1, *g = (tfilter_t *)1;
    char why[256] = "";
    int rc = tfilter_compile(one, &f, why, sizeof why);
    if (rc != 0) {
        FUZZ_ASSERT(f == NULL && why[0] != '\0');
    } else {
        FUZZ_ASSERT(tfilter_compile(crit, &g, why, sizeof why) == 0);
        FUZZ_ASSERT(tfilter_match(f, rec) == tfilter_match(g, rec));
        tfilter_free(g);
    }
    tfilter_free(f);
    json_decref(pat);
    json_decref(crit);
    json_decref(one);
    json_decref(rec);
    return 0;
}
