/* expr.h - DynamoDB's expression language: ConditionExpression,
 * FilterExpression, KeyConditionExpression, UpdateExpression and
 * ProjectionExpression, with ExpressionAttributeNames/Values.
 *
 * One recursive-descent parser with a depth limit builds an AST in the
 * request arena; evaluation reads values (value.h) and never allocates
 * outside the arena. Placeholders are resolved while parsing, and every
 * placeholder used is recorded so expr_check_unused() can reject unused
 * ones after all of a request's expressions are parsed, as DynamoDB does.
 *
 * Error messages are DynamoDB's, prefixed with the expression's kind:
 * "Invalid ConditionExpression: Syntax error; token: ...". */
#ifndef DDBD_EXPR_H
#define DDBD_EXPR_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "base/err.h"
#include "model/keys.h"
#include "model/value.h"

#define EXPR_MAX_PATH_DEPTH 32

typedef enum expr_kind {
    EXPR_CONDITION, /* "ConditionExpression" */
    EXPR_FILTER, /* "FilterExpression" */
    EXPR_KEY_CONDITION, /* "KeyConditionExpression" */
    EXPR_UPDATE, /* "UpdateExpression" */
    EXPR_PROJECTION, /* "ProjectionExpression" */
    EXPR_SEARCH_CONDITION, /* "SearchConditionExpression" (SearchVectors) */
} expr_kind_t;

const char *expr_kind_name(expr_kind_t k);

/* A document path: a.b[3].c  -> {a}, {b}, [3], {c}. Names are resolved
 * (a #placeholder is replaced by its name). */
typedef struct expr_path_elem {
    str_t name; /* when !is_index */
    uint32_t index; /* when is_index */
    bool is_index;
} expr_path_elem_t;

typedef struct expr_path {
    expr_path_elem_t *elems;
    size_t n;
} expr_path_t;

typedef struct expr_node expr_node_t; /* a condition or operand; private */
typedef struct expr_update expr_update_t; /* private */

typedef struct expr_projection {
    expr_path_t *paths;
    size_t n;
} expr_projection_t;

/* Placeholders shared by one request's expressions. */
typedef struct expr_ctx {
    arena_t *arena;
    str_t *name_keys, *name_vals; /* "#n" -> "name" */
    bool *name_used;
    size_t nnames;
    const value_t *values; /* ExpressionAttributeValues as a map, or NULL */
    bool *value_used;
} expr_ctx_t;

/* Validates and loads ExpressionAttributeNames / ExpressionAttributeValues
 * (either may be NULL). DynamoDB's errors for empty maps, malformed
 * placeholder names, invalid values. */
int expr_ctx_init(expr_ctx_t *c, arena_t *a, const json_t *names, const json_t *values, err_t *e);
/* After parsing every expression of the request: unused names/values are
 * a ValidationException ("Value provided in ExpressionAttributeValues
 * unused in expressions: keys: {:v}"). */
int expr_check_unused(const expr_ctx_t *c, err_t *e);

/* kind is EXPR_CONDITION, EXPR_FILTER or EXPR_KEY_CONDITION. */
int expr_parse_condition(expr_ctx_t *c, expr_kind_t kind, str_t text, expr_node_t **out, err_t *e);
int expr_parse_update(expr_ctx_t *c, str_t text, expr_update_t **out, err_t *e);
int expr_parse_projection(expr_ctx_t *c, str_t text, expr_projection_t *out, err_t *e);

/* Evaluates a condition against an item (NULL: the item does not exist;
 * every path is then missing). A type mismatch is false, not an error. */
int expr_eval(const expr_node_t *cond, const value_t *item, bool *result, err_t *e);

/* Applies an update to item (NULL: absent, start from the key alone which
 * the caller passes as item). On success *out is the new item. Errors are
 * DynamoDB's ("The provided expression refers to an attribute that does
 * not exist in the item", operand type mismatches, number overflow). */
int expr_update_apply(arena_t *a, const expr_update_t *u, const value_t *item, value_t *out, err_t *e);
/* True when the update sets, removes or changes the top-level attribute
 * name (used to reject updates of key attributes). */
bool expr_update_touches(const expr_update_t *u, str_t name);
/* The paths the update assigns, for ReturnValues UPDATED_OLD/UPDATED_NEW. */
const expr_projection_t *expr_update_paths(const expr_update_t *u);

/* True when a path in the condition starts at the top-level attribute
 * name (Query rejects filters on key attributes). */
bool expr_refers_to(const expr_node_t *cond, str_t name);
/* Calls fn with the top-level attribute of every path in the expression. */
void expr_each_attribute(const expr_node_t *cond, void (*fn)(void *ud, str_t name), void *ud);

/* The item reduced to the given paths (nested maps/lists kept only along
 * them; list elements keep their order, compacted). */
value_t expr_project(arena_t *a, const value_t *item, const expr_projection_t *p);

/* A KeyConditionExpression analysed against a key schema. */
typedef enum key_op {
    KEY_OP_NONE = 0, /* no sort-key condition */
    KEY_OP_EQ,
    KEY_OP_LT,
    KEY_OP_LE,
    KEY_OP_GT,
    KEY_OP_GE,
    KEY_OP_BETWEEN,
    KEY_OP_BEGINS_WITH,
} key_op_t;

typedef struct key_cond {
    const value_t *hash; /* the partition key value */
    key_op_t op;
    const value_t *lo; /* the operand; BETWEEN's lower bound */
    const value_t *hi; /* BETWEEN's upper bound */
} key_cond_t;

/* DynamoDB's errors for conditions on non-key attributes, OR, NOT, two
 * conditions on one key, a missing partition key condition, operand types
 * that do not match the schema, begins_with on a number. */
int expr_key_condition(const expr_node_t *cond, const key_schema_t *ks, key_cond_t *out, err_t *e);

/* A KeyConditionExpression against a multi-attribute GSI key: equality on
 * every HASH attribute; on the RANGE attributes equality on a left prefix
 * (n_eq of them) and at most one condition of any kind on the next
 * (last, op KEY_OP_NONE when there is none; its hash member unused). */
#define KEY_MULTI_MAX 4
typedef struct key_multi {
    const value_t *hash[KEY_MULTI_MAX]; /* in KeySchema order */
    size_t n_eq;
    const value_t *eq[KEY_MULTI_MAX];
    key_cond_t last; /* on range[n_eq] */
} key_multi_t;

int expr_key_condition_multi(const expr_node_t *cond, const key_attr_t *hash, size_t n_hash, const key_attr_t *range,
                             size_t n_range, key_multi_t *out, err_t *e);

/* A SearchConditionExpression: attribute = value terms joined by AND
 * (either side may hold the attribute). Fills up to max terms; anything
 * else is DynamoDB's "Invalid comparator used in SearchConditionExpression"
 * (other comparisons, functions) or a ValidationException naming what is
 * not supported (OR, NOT, nested paths). */
typedef struct expr_equality {
    str_t name;
    const value_t *value;
} expr_equality_t;
int expr_equalities(const expr_node_t *cond, expr_equality_t *out, size_t max, size_t *n, err_t *e);

#endif
