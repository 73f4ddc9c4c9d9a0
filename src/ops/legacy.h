/* legacy.h - DynamoDB's legacy (pre-expression) request parameters.
 *
 * Older SDKs and tools still send Expected, ConditionalOperator,
 * AttributeUpdates, KeyConditions, QueryFilter, ScanFilter and
 * AttributesToGet. ddbd serves them by translation: legacy_translate()
 * validates them as DynamoDB does (same checks, same order, same
 * messages) and rewrites the request body so that they become the
 * equivalent ConditionExpression, UpdateExpression, KeyConditionExpression,
 * FilterExpression and ProjectionExpression, with generated #n / :n
 * placeholders merged into ExpressionAttributeNames/Values. The expression
 * parser and evaluator then do all the work; every generated placeholder
 * is used, so the unused-placeholder check never reports one.
 *
 * The few rules that need the table or the stored item are separate calls
 * made by the handlers at that point (legacy_query_check,
 * legacy_attribute_updates, legacy_update_error). */
#ifndef DDBD_LEGACY_H
#define DDBD_LEGACY_H

#include <stdbool.h>

#include "model/keys.h"
#include "ops/request.h"

/* The legacy parameters an operation accepts. */
enum {
    LEGACY_EXPECTED = 1, /* Expected (+ ConditionalOperator) -> ConditionExpression */
    LEGACY_ATTRIBUTE_UPDATES = 2, /* AttributeUpdates -> UpdateExpression */
    LEGACY_KEY_CONDITIONS = 4, /* KeyConditions -> KeyConditionExpression */
    LEGACY_QUERY_FILTER = 8, /* QueryFilter (+ ConditionalOperator) -> FilterExpression */
    LEGACY_SCAN_FILTER = 16, /* ScanFilter (+ ConditionalOperator) -> FilterExpression */
    LEGACY_ATTRIBUTES_TO_GET = 32 /* AttributesToGet -> ProjectionExpression */
};

/* The set for an operation name ("PutItem", "Query", ...); 0 for
 * operations without legacy parameters. */
unsigned legacy_params_of(const char *op);

/* Validates r->body's legacy parameters of the set `which` and rewrites
 * r->body: each becomes its expression, and the placeholders it needs are
 * added to ExpressionAttributeNames/Values (created when absent; names
 * never collide with the caller's). Also DynamoDB's request-level rules
 * around them: legacy and expression parameters may not be mixed, and
 * ExpressionAttributeNames/Values need an expression. Returns 0, or -1
 * with r->err set. which == 0 does nothing. Call it before the expression
 * members are read. The added JSON belongs to r->body. */
int legacy_translate(ddb_req_t *r, unsigned which);

/* Query, once the table is known and before its key condition is
 * analysed: the KeyConditions and QueryFilter rules that need the key
 * schema, with DynamoDB's legacy messages ("Query key condition not
 * supported", "Attempted conditional constraint is not an indexable
 * operation", "QueryFilter can only contain non-primary key attributes:
 * ..."). Returns 0 (also when the request has no such parameters) or -1. */
int legacy_query_check(ddb_req_t *r, const key_schema_t *ks);

/* UpdateItem: true when the update came from AttributeUpdates. Such an
 * update writes the item even when it leaves only the key (a DELETE of an
 * absent attribute on an absent item creates it), as DynamoDB does. */
bool legacy_attribute_updates(const ddb_req_t *r);

/* UpdateItem, after the update failed to apply: DynamoDB words an operand
 * type error of AttributeUpdates "Type mismatch for attribute to update".
 * Rewrites r->err accordingly (only for legacy updates) and returns -1. */
int legacy_update_error(ddb_req_t *r);

#endif
