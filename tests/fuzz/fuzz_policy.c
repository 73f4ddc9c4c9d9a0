/* fuzz_policy.c - resource-based policy documents (PutResourcePolicy's and
 * CreateTable's Policy, user input up to 20 KB).
 *
 * Invariants: a refused document hands back no forms and says why; an
 * accepted one gives two JSON documents, and its Get form is a fixpoint:
 * put again, it comes back unchanged (as on AWS, where re-putting what
 * GetResourcePolicy returned is a no-op). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/policy_doc.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *get = (char *)1, *cmp = (char *)1, why[256] = "";
    int rc = policy_doc_canonical((const char *)data, size, "aws", &get, &cmp, why, sizeof why);
    if (rc != 0) {
        FUZZ_ASSERT(get == NULL && cmp == NULL && why[0] != '\0');
        return 0;
    }
    json_t *g = json_loads(get, 0, NULL), *c = json_loads(cmp, 0, NULL);
    FUZZ_ASSERT(g && c && json_object_get(g, "Version") && json_is_array(json_object_get(g, "Statement")));
    if (strlen(get) <= POLICY_MAX_BYTES) {
        char *get2, *cmp2;
        FUZZ_ASSERT(policy_doc_canonical(get, strlen(get), "aws", &get2, &cmp2, why, sizeof why) == 0);
        FUZZ_ASSERT(strcmp(get, get2) == 0 && strcmp(get2, cmp2) == 0);
        free(get2);
        free(cmp2);
    }
    json_decref(g);
    json_decref(c);
    free(get);
    free(cmp);
    return 0;
}
