/* faults.h - faults on demand: errors, latency and dropped connections
 * injected into DynamoDB requests, so an application's retry logic can be
 * tested against the answers AWS gives under load (POST /_ddbd/faults,
 * admin_faults.c; README "Faults on demand").
 *
 * A fault names what it does (an error, added latency, a dropped
 * connection before the operation runs or a dropped reply after it ran)
 * and what it applies to: an operation, a table, a key, a share of the
 * matching requests, for a number of requests or a time. The front door
 * (service.c) asks faults_match() for each request after the model's
 * checks and before the operation. Loop thread only. */
#ifndef DDBD_FAULTS_H
#define DDBD_FAULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define FAULTS_MAX 100 /* active faults at once */

/* What the faults matching one request ask for. */
typedef struct fault_hit {
    err_code_t error; /* ERR_NONE: no error */
    /* TransactionConflict inside a transaction: the action whose
     * cancellation reason it is (error is ERR_TRANSACTION_CANCELED) */
    int conflict_index;
    uint64_t delay_ms; /* added before the operation runs */
    bool drop; /* close the connection instead of running the operation */
    bool drop_reply; /* run the operation, then close without its reply */
} fault_hit_t;

/* Adds a fault from its JSON definition (README); on success *out gets
 * its description (with "Id"), else why says what is wrong. now_ms is a
 * monotonic clock (uv_now). */
int faults_add(const json_t *def, uint64_t now_ms, json_t **out, char *why, size_t why_len);
/* {"Faults": [...]}: every live fault with its counts. */
json_t *faults_list(uint64_t now_ms);
/* Removes one fault (id) or all (id NULL); returns how many. */
size_t faults_clear(const char *id);

/* Whether any fault applies to a request of operation op with body; fills
 * *hit and uses up one of each applying fault's Count. Cheap when no
 * fault is set. */
bool faults_match(const char *op, const json_t *body, uint64_t now_ms, fault_hit_t *hit);

/* The error a fault answers with: code and DynamoDB's message. */
const char *faults_message(err_code_t code);

#endif
