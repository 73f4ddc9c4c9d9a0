/* trigger_history.c - a trigger's recent deliveries (see trigger_history.h). */
#include "streams/trigger_history.h"

#include <stdio.h>

void trigger_history_add(trigger_history_t *h, const trigger_delivery_t *d)
{
    h->d[h->next] = *d;
    h->next = (h->next + 1) % TRIGGER_HISTORY_MAX;
    if (h->n < TRIGGER_HISTORY_MAX)
        h->n++;
}

static json_t *seq_json(uint64_t seq)
{
    char s[32];
    snprintf(s, sizeof s, "%021llu", (unsigned long long)seq);
    return json_string(s);
}

json_t *trigger_history_json(const trigger_history_t *h)
{
    json_t *a = json_array();
    for (size_t k = 0; k < h->n; k++) {
        const trigger_delivery_t *d = &h->d[(h->next + TRIGGER_HISTORY_MAX - 1 - k) % TRIGGER_HISTORY_MAX];
        json_t *o = json_object();
        json_object_set_new(o, "Time", json_real((double)d->at_ms / 1000.0));
        json_object_set_new(o, "Records", json_integer((json_int_t)d->records));
        json_object_set_new(o, "FirstSequenceNumber", seq_json(d->first_seq));
        json_object_set_new(o, "LastSequenceNumber", seq_json(d->last_seq));
        json_object_set_new(o, "Status", d->status ? json_integer(d->status) : json_null());
        json_object_set_new(o, "Error", d->error[0] ? json_string(d->error) : json_null());
        json_object_set_new(o, "DurationMs", json_integer((json_int_t)d->duration_ms));
        json_object_set_new(o, "Ok", json_boolean(d->ok));
        json_array_append_new(a, o);
    }
    return a;
}
