/* trigger_history.h - a trigger's recent deliveries, for GET
 * /_ddbd/triggers (and so the console's trigger view): the last
 * TRIGGER_HISTORY_MAX invocations, newest first, kept in memory only. */
#ifndef DDBD_TRIGGER_HISTORY_H
#define DDBD_TRIGGER_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRIGGER_HISTORY_MAX 10

typedef struct trigger_delivery {
    int64_t at_ms; /* ddbd's clock */
    size_t records;
    uint64_t first_seq, last_seq;
    int status; /* HTTP status, 0 when there was none */
    char error[96]; /* the connection's error, or "" */
    uint64_t duration_ms;
    bool ok; /* the batch was done (2xx, no item failures) */
} trigger_delivery_t;

typedef struct trigger_history {
    trigger_delivery_t d[TRIGGER_HISTORY_MAX];
    size_t n, next; /* a ring: next is where the next one goes */
} trigger_history_t;

void trigger_history_add(trigger_history_t *h, const trigger_delivery_t *d);
/* [{"Time", "Records", "FirstSequenceNumber", "LastSequenceNumber",
 *   "Status", "Error", "DurationMs", "Ok"}...], newest first. */
json_t *trigger_history_json(const trigger_history_t *h);

#endif
