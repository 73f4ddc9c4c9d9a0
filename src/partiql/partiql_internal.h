/* partiql_internal.h - what the partiql module's files share: tokens,
 * the keyword list, error helpers. Nothing here is visible outside
 * src/partiql/. */
#ifndef DDBD_PARTIQL_INTERNAL_H
#define DDBD_PARTIQL_INTERNAL_H

#include "partiql/partiql.h"

typedef enum pq_tok_kind {
    PT_EOF,
    PT_IDENT, /* a bare identifier (possibly a keyword: pq__keyword) */
    PT_QIDENT, /* "quoted identifier" (text unescaped) */
    PT_STRING, /* 'string' (text unescaped) */
    PT_NUMBER, /* 12, 1.5, .5, 5., 1e5 */
    PT_PARAM, /* ? */
    PT_LPAREN,
    PT_RPAREN,
    PT_LBRACKET,
    PT_RBRACKET,
    PT_LBRACE,
    PT_RBRACE,
    PT_LBAG, /* << */
    PT_RBAG, /* >> */
    PT_COMMA,
    PT_DOT,
    PT_COLON,
    PT_SEMI,
    PT_STAR,
    PT_EQ,
    PT_NE, /* <> or != */
    PT_LT,
    PT_LE,
    PT_GT,
    PT_GE,
    PT_PLUS,
    PT_MINUS,
    PT_SLASH,
    PT_PERCENT,
    PT_CONCAT, /* || */
    PT_ION, /* `...` (DynamoDB rejects Ion literals) */
    PT_BAD, /* a character nothing matches, or an unterminated literal */
} pq_tok_kind_t;

typedef struct pq_tok {
    pq_tok_kind_t kind;
    uint32_t pos, len; /* bytes into the statement */
    str_t text; /* identifiers, strings, numbers: the (unescaped) text */
} pq_tok_t;

/* Splits text into tokens, comments and whitespace dropped; the last one
 * is PT_EOF. Escaped quotes are unescaped into the arena. */
void pq__lex(arena_t *a, str_t text, pq_tok_t **toks, uint32_t *n);

/* True for PartiQL's reserved words (SQL-92's and PartiQL's own),
 * case-insensitively: they are not identifiers unless quoted. */
bool pq__is_keyword(str_t word);
/* Case-insensitive comparison of a bare identifier with a word. */
bool pq__word_is(str_t word, const char *upper);

/* Literals and parameters: what can stand as a value (compile.c). */
bool pq__is_value_node(const pq_node_t *n);
/* "Incorrect number of operands ..." for a function called with none. */
int pq__no_operands(const pq_ctx_t *c, const char *fn);
/* A path of exactly the top-level attribute name (plan.c). */
bool pq__is_attr(const pq_node_t *n, str_t name);
/* "name = value" or "value = name": the value node, or NULL (plan.c). */
const pq_node_t *pq__equality_on(const pq_node_t *n, str_t name);
/* A key value of the attribute's type and not empty, with PartiQL's
 * messages (plan.c). */
int pq__key_type_check(const pq_ctx_t *c, const key_attr_t *ka, const json_t *v);

/* "Statement wasn't well formed, can't be processed: <detail>". */
int pq__syntax_error(err_t *e, const char *detail);

#endif
