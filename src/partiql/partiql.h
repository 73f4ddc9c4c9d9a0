/* partiql.h - DynamoDB's PartiQL dialect.
 *
 * A statement is lexed and parsed (lexer.c, parser.c) into an AST in the
 * request arena, with a nesting limit, then compiled (compile.c, plan.c)
 * into the pieces of the DynamoDB request that does the same thing: a
 * Key or Item as AttributeValue JSON, ConditionExpression /
 * UpdateExpression / KeyConditionExpression text with generated
 * placeholders (#0, :0, ...) and their ExpressionAttributeNames/Values.
 * The ops layer hands those to the existing operations, so PartiQL shares
 * their validation, evaluation, write path and errors.
 *
 * Errors are DynamoDB's ValidationException messages; a syntax error is
 * "Statement wasn't well formed, can't be processed: <detail>". */
#ifndef DDBD_PARTIQL_H
#define DDBD_PARTIQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "model/keys.h"
#include "model/value.h"

#define PQ_MAX_STATEMENT 8192 /* characters: the API's limit, checked by the caller */
#define PQ_MAX_DEPTH 100 /* nesting of expressions, literals and parentheses */

/* ---- the AST --------------------------------------------------------------- */

typedef enum pq_node_kind {
    PQ_N_PATH, /* steps */
    PQ_N_STR, /* text: the unescaped string */
    PQ_N_NUM, /* text: as written */
    PQ_N_BOOL, /* flag */
    PQ_N_NULL,
    PQ_N_MISSING,
    PQ_N_PARAM, /* param: 0-based position among the statement's '?' */
    PQ_N_LIST, /* args */
    PQ_N_TUPLE, /* args: key, value, key, value, ... */
    PQ_N_BAG, /* args */
    PQ_N_AND, /* args: two or more operands */
    PQ_N_OR,
    PQ_N_NOT, /* args[0] */
    PQ_N_CMP, /* op: pq_cmp_t; args[0], args[1] */
    PQ_N_BETWEEN, /* flag: NOT BETWEEN; args: value, low, high */
    PQ_N_IN, /* flag: NOT IN; args[0] IN args[1] */
    PQ_N_IS, /* flag: IS NOT; op: pq_is_t; args[0] */
    PQ_N_LIKE, /* flag: NOT LIKE; args[0], args[1] */
    PQ_N_ARITH, /* text: "+", "-", "*", "/", "%", "||"; args[0], args[1] */
    PQ_N_NEG, /* unary minus: args[0] */
    PQ_N_CALL, /* text: the name as written; args */
} pq_node_kind_t;

typedef enum pq_cmp { PQ_EQ, PQ_NE, PQ_LT, PQ_LE, PQ_GT, PQ_GE } pq_cmp_t;
typedef enum pq_is { PQ_IS_NULL, PQ_IS_MISSING, PQ_IS_TRUE, PQ_IS_FALSE } pq_is_t;

typedef enum pq_step_kind {
    PQ_STEP_NAME, /* .name, ."name" or ['name'] */
    PQ_STEP_INDEX, /* [3] */
    PQ_STEP_WILD, /* .* or [*] (DynamoDB rejects them) */
} pq_step_kind_t;

typedef struct pq_step {
    pq_step_kind_t kind;
    str_t name;
    uint32_t index;
} pq_step_t;

typedef struct pq_node pq_node_t;
struct pq_node {
    pq_node_kind_t kind;
    uint32_t pos; /* byte offset in the statement */
    str_t text;
    bool flag;
    int op;
    uint32_t param;
    pq_step_t *steps; /* PQ_N_PATH: steps[0] is the attribute */
    uint32_t nsteps;
    pq_node_t **args;
    uint32_t nargs;
};

typedef enum pq_stmt_kind { PQ_SELECT, PQ_INSERT, PQ_UPDATE, PQ_DELETE } pq_stmt_kind_t;

typedef enum pq_returning {
    PQ_RET_NONE,
    PQ_RET_ALL_OLD,
    PQ_RET_MODIFIED_OLD,
    PQ_RET_ALL_NEW,
    PQ_RET_MODIFIED_NEW,
} pq_returning_t;

typedef struct pq_action {
    bool remove; /* REMOVE target; else SET target = value */
    pq_node_t *target; /* a path */
    pq_node_t *value;
} pq_action_t;

typedef struct pq_order {
    pq_node_t *key; /* a path */
    bool desc;
} pq_order_t;

typedef struct pq_stmt {
    pq_stmt_kind_t kind;
    int exists; /* SELECT inside EXISTS(...): 1, NOT EXISTS(...): -1, else 0 */
    str_t table, index; /* FROM "table"."index" (index.ptr NULL: none) */
    bool star; /* SELECT * */
    pq_node_t **proj; /* SELECT a, b.c */
    uint32_t nproj;
    pq_node_t *where; /* NULL: none */
    pq_order_t *order;
    uint32_t norder;
    pq_node_t *value; /* INSERT ... VALUE <value> */
    pq_action_t *acts; /* UPDATE's SET and REMOVE clauses, in order */
    uint32_t nacts;
    pq_returning_t returning;
    uint32_t nparams; /* the '?' in the statement */
} pq_stmt_t;

/* Parses one statement. The AST lives in the arena and points into text. */
int pq_parse(arena_t *a, str_t text, pq_stmt_t **out, err_t *e);

/* True for a write (INSERT, UPDATE, DELETE, EXISTS). */
static inline bool pq_is_write(const pq_stmt_t *s) { return s->kind != PQ_SELECT || s->exists != 0; }

/* ---- compiling ------------------------------------------------------------- */

/* The placeholders of one generated request: every name and value the
 * texts refer to, and nothing else (DynamoDB rejects unused ones). */
typedef struct pq_names {
    json_t *names; /* ExpressionAttributeNames, "#0" -> "a" */
    json_t *values; /* ExpressionAttributeValues, ":0" -> {"S":"x"} */
    uint32_t nnames, nvalues;
} pq_names_t;

/* What compiling a statement needs: the statement, its Parameters (a
 * JSON array of AttributeValues already validated, or NULL) and where
 * errors go. */
typedef struct pq_ctx {
    arena_t *arena;
    const pq_stmt_t *stmt;
    const json_t *params;
    err_t *err;
} pq_ctx_t;

void pq_names_init(pq_names_t *x);
void pq_names_free(pq_names_t *x);
/* Moves the names and values (when there are any) into a request body
 * as ExpressionAttributeNames/Values; x is left empty. */
void pq_names_attach(pq_names_t *x, json_t *body);

/* A value (literal, parameter, list, tuple, bag) as an AttributeValue
 * (new reference), or NULL with the error set. */
json_t *pq_value(const pq_ctx_t *c, const pq_node_t *n);
/* A condition (WHERE clause, or part of one) as condition text. */
int pq_condition(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out);
/* A path as expression text ("#0.#1[2]"). */
int pq_path_text(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *path, buf_t *out);
/* A value placeholder for an AttributeValue (stolen reference): ":3". */
void pq_value_text(pq_names_t *x, json_t *value, buf_t *out);

/* ---- planning (plan.c) ----------------------------------------------------- */

/* The WHERE clause of a single-item statement split into the full key and
 * the rest: key is a new Key map (table's attributes -> AttributeValues);
 * rest[] are the other conjuncts, in order. */
typedef enum pq_key_use {
    PQ_KEY_WRITE, /* UPDATE, DELETE */
    PQ_KEY_BATCH_READ, /* a SELECT in BatchExecuteStatement: nothing but the key */
    PQ_KEY_TXN_READ, /* a SELECT in ExecuteTransaction */
    PQ_KEY_EXISTS, /* EXISTS(SELECT ...): the key and at least one condition */
} pq_key_use_t;

typedef struct pq_key {
    json_t *key;
    const pq_node_t **rest;
    uint32_t nrest;
} pq_key_t;

int pq_full_key(const pq_ctx_t *c, const key_schema_t *ks, pq_key_use_t use, pq_key_t *out);

/* An INSERT, UPDATE, DELETE or EXISTS as the pieces of a PutItem /
 * UpdateItem / DeleteItem / ConditionCheck request. */
typedef struct pq_write {
    json_t *item; /* INSERT: Item */
    json_t *key; /* the others: Key */
    char *condition; /* ConditionExpression, or NULL */
    char *update; /* UpdateExpression (UPDATE) */
    pq_names_t names;
    bool key_error; /* it failed on the item's key (a transaction cancels on it) */
} pq_write_t;

int pq_plan_write(const pq_ctx_t *c, const key_schema_t *ks, pq_write_t *out);
void pq_write_free(pq_write_t *w);

/* A SELECT on a table or index with key schema ks, as the Queries (or
 * the Scan) that find its items and the filter the rows must pass. */
typedef struct pq_select {
    json_t **keys; /* partition key values, one Query each, in order; n 0: a Scan */
    uint32_t nkeys;
    int sort_op; /* PQ_EQ .. PQ_GE, or PQ_SORT_BETWEEN / PQ_SORT_BEGINS / -1 (none) */
    json_t *sort_lo, *sort_hi; /* its operands */
    bool forward; /* ORDER BY the sort key ASC (the default) */
    char *filter; /* the whole WHERE clause as a condition, or NULL */
    pq_names_t filter_names;
} pq_select_t;

#define PQ_SORT_BETWEEN 100
#define PQ_SORT_BEGINS 101

int pq_plan_select(const pq_ctx_t *c, const key_schema_t *ks, pq_select_t *out);
void pq_select_free(pq_select_t *s);

/* The KeyConditionExpression for the i-th partition key of a plan. */
void pq_key_condition(const pq_select_t *s, const key_schema_t *ks, uint32_t i, pq_names_t *x, buf_t *out);

/* SELECT's projection: the name each path gets in a result row ("c" for
 * a.b.c, "b[2]" for a.b[2]); NULL with the error set for what DynamoDB
 * does not allow in a select list. */
int pq_projection_names(const pq_ctx_t *c, const char ***names);
/* The value at path in item, or NULL. */
const value_t *pq_path_get(const pq_node_t *path, const value_t *item);
/* The top-level attribute of a path (its first step). */
static inline str_t pq_path_attr(const pq_node_t *path) { return path->steps[0].name; }

/* ---- NextToken (token.c) ----------------------------------------------------- */

/* An opaque, tamper-proof NextToken: which Query of the plan to resume
 * (key index) and the ExclusiveStartKey to resume it from (NULL: from its
 * start), bound to one statement and its parameters (fingerprint). Keyed
 * with a secret drawn at start-up, so tokens from another ddbd process, or
 * edited ones, are rejected. */
uint64_t pq_fingerprint(str_t statement, const json_t *params);
void pq_token_make(buf_t *out, uint64_t fingerprint, uint32_t key_index, const value_t *start_key);
/* 0 with the position, or -1 with "Invalid NextToken". */
int pq_token_read(arena_t *a, str_t token, uint64_t fingerprint, uint32_t *key_index, value_t *start_key,
                  bool *has_start_key, err_t *e);

#endif
