/* expr_internal.h - the expression module's private types: tokens, the
 * AST, the update actions, and the helpers its files share.
 *
 * Nothing here is visible outside src/expr/. Every allocation comes from
 * the request arena; nodes are never freed individually. */
#ifndef DDBD_EXPR_INTERNAL_H
#define DDBD_EXPR_INTERNAL_H

#include <stdint.h>

#include "expr/expr.h"

/* DynamoDB's limits (verified against DynamoDB Local). */
#define EXPR_MAX_CHARS 4096 /* UTF-16 code units, as Java counts */
#define EXPR_MAX_OPERATORS 300 /* conditions only */
#define EXPR_MAX_IN_OPERANDS 100
#define EXPR_MAX_NAME_BYTES 65535 /* an ExpressionAttributeNames value */
#define EXPR_MAX_LIST_INDEX 2147483647u
/* Recursion bound for the parser. The size limit already bounds nesting
 * (every level costs at least one character), so this never changes an
 * answer; it guards the stack should a caller skip the size check. */
#define EXPR_MAX_PARSE_DEPTH (EXPR_MAX_CHARS + 8)

/* ---- tokens (lexer.c) --------------------------------------------------- */
typedef enum expr_tok_kind {
    TK_EOF,
    TK_NAME, /* [A-Za-z][A-Za-z0-9_]* that is not a keyword */
    TK_NAME_PH, /* #[A-Za-z0-9_]+ */
    TK_VALUE_PH, /* :[A-Za-z0-9_]+ */
    TK_NUMBER, /* 0 | [1-9][0-9]* (list indexes) */
    TK_LPAREN,
    TK_RPAREN,
    TK_LBRACKET,
    TK_RBRACKET,
    TK_COMMA,
    TK_DOT,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_PLUS,
    TK_MINUS,
    /* keywords, case-insensitive */
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_BETWEEN,
    TK_IN,
    TK_SET,
    TK_REMOVE,
    TK_ADD,
    TK_DELETE,
    TK_OTHER, /* one code point nothing else matched ("#", ":", "@", "é") */
} expr_tok_kind_t;

typedef struct expr_tok {
    expr_tok_kind_t kind;
    uint32_t pos, len; /* bytes into the expression text */
} expr_tok_t;

/* Splits text into tokens; the last one is TK_EOF (pos = text.len). */
void expr__lex(arena_t *a, str_t text, expr_tok_t **toks, size_t *n);
/* Length in UTF-16 code units (what DynamoDB's size limits count). */
size_t expr__utf16_len(str_t s);
/* Java's String.hashCode() of the UTF-16 form of s. */
int32_t expr__java_hash(str_t s);
/* The bucket of a Java HashMap with the given power-of-two capacity. */
uint32_t expr__java_bucket(str_t s, uint32_t cap);
/* True when s (already trimmed) is '#' or ':' followed by [A-Za-z0-9_]+. */
bool expr__placeholder_syntax(str_t s, char sigil);

/* ---- reserved words (reserved.c) ----------------------------------------- */
bool expr__is_reserved(str_t name);

/* ---- the AST -------------------------------------------------------------- */
typedef enum expr_op {
    OP_OR,
    OP_AND,
    OP_NOT,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_BETWEEN,
    OP_IN,
    OP_FUNC,
    OP_PLUS, /* update SET values only */
    OP_MINUS, /* update SET values only */
    OP_PATH,
    OP_VALUE,
} expr_op_t;

typedef enum expr_fn {
    FN_UNKNOWN,
    FN_ATTRIBUTE_EXISTS,
    FN_ATTRIBUTE_NOT_EXISTS,
    FN_ATTRIBUTE_TYPE,
    FN_BEGINS_WITH,
    FN_CONTAINS,
    FN_SIZE,
    FN_IF_NOT_EXISTS,
    FN_LIST_APPEND,
} expr_fn_t;

/* A path element as written, kept until placeholders are resolved. */
typedef enum expr_elem_kind { EL_NAME, EL_NAME_PH, EL_INDEX } expr_elem_kind_t;

typedef struct expr_elem_src {
    expr_elem_kind_t kind;
    str_t text; /* the name, "#ph", or the index digits */
} expr_elem_src_t;

struct expr_node {
    expr_op_t op;
    uint32_t parens; /* grouping parentheses written around this node */
    expr_node_t **args; /* operands, sub-conditions or function arguments */
    uint32_t nargs;
    /* OP_FUNC */
    expr_fn_t fn;
    str_t fname; /* as written: function names are case-sensitive */
    /* OP_PATH: src as written; path filled in by resolution */
    expr_elem_src_t *src;
    expr_path_t path;
    bool resolved;
    /* OP_VALUE */
    str_t ph; /* ":v" */
    const value_t *value; /* NULL until resolved */
    str_t raw; /* the value's text as sent, for N in messages */
};

static inline bool expr__is_cond_op(expr_op_t op) { return op <= OP_IN; }
static inline bool expr__is_compare(expr_op_t op) { return op >= OP_EQ && op <= OP_GE; }

/* ---- update actions --------------------------------------------------------- */
typedef enum expr_act_kind { ACT_SET, ACT_REMOVE, ACT_ADD, ACT_DELETE } expr_act_kind_t;

typedef struct expr_action {
    expr_act_kind_t kind;
    expr_node_t *target; /* OP_PATH */
    expr_node_t *value; /* SET: the value; ADD/DELETE: OP_VALUE; REMOVE: NULL */
} expr_action_t;

struct expr_update {
    expr_action_t *acts;
    size_t n;
    expr_projection_t paths; /* every action's target, in text order */
    /* Filled by the parser for the semantic passes in update_check.c. */
    int dup_clause; /* -1 or the expr_act_kind_t repeated first */
};

/* ---- shared checks (check.c; placeholders: context.c) -------------------------- */
/* Sets "Invalid <Kind>: <message>". */
int expr__fail(err_t *e, expr_kind_t kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "[a, b, [3]]" into the arena. */
const char *expr__path_str(arena_t *a, const expr_path_t *p);
bool expr__path_equal(const expr_path_t *x, const expr_path_t *y);
/* Digits of a list index; false when above DynamoDB's range. */
bool expr__index_value(str_t digits, uint32_t *out);
/* Resolves a path's elements (names from #placeholders). Returns 0, or -1
 * with *undefined set to the first undefined placeholder. Marks names used.
 * Undefined placeholders keep their "#ph" text so overlap checks still run. */
int expr__resolve_path(expr_ctx_t *c, arena_t *a, expr_node_t *n, str_t *undefined);
/* Resolves a :placeholder; -1 when it is not defined. Marks it used. */
int expr__resolve_value(expr_ctx_t *c, expr_node_t *n);
/* Overlapping paths (update targets, projections), checked DynamoDB's
 * way: each path against the earlier ones; the last clash found is the
 * one reported. */
typedef struct expr_overlap {
    const expr_path_t **paths;
    size_t n, cap;
    size_t one, two; /* the last clash: earlier path, later path */
    bool conflict; /* map member vs list index, rather than a prefix */
} expr_overlap_t;
void expr__overlap_init(expr_overlap_t *o, arena_t *a, size_t cap);
/* Adds p; true when it clashes with an earlier path. */
bool expr__overlap_add(expr_overlap_t *o, const expr_path_t *p);
/* The message for the last clash (without the "Invalid <Kind>: " prefix). */
const char *expr__overlap_msg(arena_t *a, const expr_overlap_t *o);

expr_fn_t expr__fn_lookup(str_t name);
uint32_t expr__fn_arity(expr_fn_t fn);
/* "=", "BETWEEN", or the function's name, as DynamoDB's messages print it. */
const char *expr__op_name(const expr_node_t *n);
/* Reserved words and list index range of a path as written. */
int expr__check_path_static(expr_kind_t kind, const expr_node_t *n, err_t *e);
/* Nesting depth, then placeholders, of a path. */
int expr__check_path_sem(expr_ctx_t *c, expr_kind_t kind, expr_node_t *n, err_t *e);
int expr__check_value_sem(expr_ctx_t *c, expr_kind_t kind, expr_node_t *n, err_t *e);
/* "The first operand must be distinct from the remaining operands ..." */
int expr__check_distinct(expr_ctx_t *c, expr_kind_t kind, const expr_node_t *n, err_t *e);
/* The type an operand is known to have before evaluation, or VT_NONE. */
vtype_t expr__static_type(const expr_node_t *n);
int expr__operand_type_error(expr_kind_t kind, const expr_node_t *n, const char *type, err_t *e);
/* Update semantic passes (update_check.c), run by expr_parse_update. */
int expr__check_update(expr_ctx_t *c, expr_update_t *u, err_t *e);

/* A value at a resolved path of item (NULL when absent) (eval.c). */
const value_t *expr__get_path(const value_t *item, const expr_path_t *p);

#endif
