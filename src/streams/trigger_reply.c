/* trigger_reply.c - a trigger function's answer (see trigger_reply.h). */
#include "streams/trigger_reply.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int trigger_item_failures(const uint64_t *seqs, size_t n, str_t body, uint64_t *failed)
{
    json_t *j = json_loadb(body.ptr, body.len, 0, NULL);
    json_t *list = json_object_get(j, "batchItemFailures");
    int rc = 0;
    *failed = UINT64_MAX;
    size_t i;
    json_t *e;
    if (!list || json_is_null(list))
        goto out;
    if (!json_is_array(list)) {
        rc = -1;
        goto out;
    }
    json_array_foreach(list, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "itemIdentifier"));
        uint64_t s = id && *id ? strtoull(id, NULL, 10) : 0;
        bool in_batch = false;
        for (size_t k = 0; k < n && !in_batch; k++)
            in_batch = seqs[k] == s;
        if (!in_batch) { /* Lambda: an identifier not in the batch fails all of it */
            rc = -1;
            goto out;
        }
        if (s < *failed)
            *failed = s;
        rc = 1;
    }
out:
    json_decref(j);
    return rc;
}

void trigger_error_with_body(char *out, size_t len, int status, str_t body)
{
    int n = snprintf(out, len, "HTTP %d%s", status, body.len ? ": " : "");
    size_t i = n > 0 && (size_t)n < len ? (size_t)n : len - 1, k = 0;
    for (; k < body.len && k < 200 && i + 1 < len; k++)
        out[i++] = body.ptr[k] >= 0x20 && body.ptr[k] < 0x7f ? body.ptr[k] : '?';
    out[i] = '\0';
}
