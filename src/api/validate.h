/* validate.h - AWS's front-end validation, before any handler runs.
 *
 * AWS checks a request against the service model before DynamoDB looks at
 * it, in stages, and only a request that passes one reaches the next:
 *   0. the table's name (TableName), alone: missing, too short or long, not
 *      a name (and an operation's own words for a missing or empty map, such
 *      as BatchGetItem's RequestItems);
 *   1. JSON types (SerializationException), then every member's required,
 *      length, range, pattern and enum constraints, all reported together
 *      ("2 validation errors detected: Value 'ab' at 'tableName' failed to
 *      satisfy constraint: ...; ..."), at most ten;
 *   2. the few constraints an operation words itself ("Value at 'Limit'
 *      failed to satisfy constraint: ...").
 * Then the handler's own, semantic checks. The rules are model_rules.c's
 * (generated from the SDK's model), so every operation in the model gets
 * them, including ones without a handler yet. */
#ifndef DDBD_VALIDATE_H
#define DDBD_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>

#include "api/model_rules.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* Checks body (a JSON object) for the operation named by target
 * ("DynamoDB_20120810.PutItem"): 0 when it passes or the target is not in
 * the model, -1 with e set (ValidationException or SerializationException).
 * Long messages live in arena (e->msg_long). */
int validate_request(str_t target, const json_t *body, arena_t *arena, err_t *e);

/* Whether str (n bytes of UTF-8) matches the model's pattern. */
bool validate_pattern_match(int pattern, const char *str, size_t n);

#endif
