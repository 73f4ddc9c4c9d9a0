/* legacy_internal.h - what legacy.c (translation) and legacy_checks.c
 * (the rules that need the table or the item) share. Private to ops/. */
#ifndef DDBD_LEGACY_INTERNAL_H
#define DDBD_LEGACY_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "base/str.h"

#define MSG_INVALID "One or more parameter values were invalid: "
/* The expression layer's operand type error, and DynamoDB's legacy one. */
#define MSG_EXPR_BAD_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_TYPE_MISMATCH "Type mismatch for attribute to update"

/* The ComparisonOperators, in legacy.c's table order. */
enum {
    LOP_EQ,
    LOP_NE,
    LOP_LE,
    LOP_LT,
    LOP_GE,
    LOP_GT,
    LOP_NOT_NULL,
    LOP_NULL,
    LOP_CONTAINS,
    LOP_NOT_CONTAINS,
    LOP_BEGINS_WITH,
    LOP_IN,
    LOP_BETWEEN,
    LOP_COUNT
};

/* The ComparisonOperator named by s, or -1. */
int legacy__lop_find(const json_t *s);

/* A member of a request object; JSON null counts as absent. */
static inline json_t *legacy__member(const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_null(v) ? NULL : v;
}

/* Given in the sense of the mixing rule: an empty map or list counts as
 * absent (DynamoDB accepts "ScanFilter": {} next to a FilterExpression). */
static inline bool legacy__given(const json_t *v)
{
    if (!v)
        return false;
    if (json_is_object(v))
        return json_object_size(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    return true;
}

static inline str_t legacy__key_str(const char *k, size_t klen) { return (str_t){k, klen}; }

#endif
