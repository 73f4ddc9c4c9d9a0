/* lexer.c - PartiQL tokens and reserved words. */
#include <stdlib.h>
#include <string.h>

#include "partiql/partiql_internal.h"

/* PartiQL's keywords: SQL-92's reserved words plus PartiQL's own (the
 * reference implementation's list, which DynamoDB uses: a bare `key`,
 * `date` or `value` is a syntax error there, `status` or `name` is not).
 * Sorted, lower case, for bsearch. */
static const char *const keywords[] = {
    "absolute",
    "action",
    "add",
    "all",
    "allocate",
    "alter",
    "and",
    "any",
    "are",
    "as",
    "asc",
    "assertion",
    "at",
    "authorization",
    "avg",
    "bag",
    "begin",
    "between",
    "bigint",
    "bit",
    "bit_length",
    "blob",
    "bool",
    "boolean",
    "by",
    "can_cast",
    "can_lossless_cast",
    "cascade",
    "cascaded",
    "case",
    "cast",
    "catalog",
    "char",
    "char_length",
    "character",
    "character_length",
    "check",
    "clob",
    "close",
    "coalesce",
    "collate",
    "collation",
    "column",
    "commit",
    "conflict",
    "connect",
    "connection",
    "constraint",
    "constraints",
    "continue",
    "convert",
    "corresponding",
    "count",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "date",
    "date_add",
    "date_diff",
    "deallocate",
    "dec",
    "decimal",
    "declare",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "describe",
    "descriptor",
    "diagnostics",
    "disconnect",
    "distinct",
    "do",
    "domain",
    "double",
    "drop",
    "else",
    "end",
    "escape",
    "except",
    "exception",
    "exec",
    "execute",
    "exists",
    "external",
    "extract",
    "false",
    "fetch",
    "first",
    "float",
    "for",
    "foreign",
    "found",
    "from",
    "full",
    "get",
    "global",
    "go",
    "goto",
    "grant",
    "group",
    "having",
    "identity",
    "immediate",
    "in",
    "index",
    "indicator",
    "initially",
    "inner",
    "input",
    "insensitive",
    "insert",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "integer2",
    "integer4",
    "integer8",
    "intersect",
    "interval",
    "into",
    "is",
    "isolation",
    "join",
    "key",
    "language",
    "last",
    "left",
    "let",
    "level",
    "like",
    "limit",
    "list",
    "local",
    "lower",
    "match",
    "max",
    "min",
    "missing",
    "modified",
    "module",
    "names",
    "national",
    "natural",
    "nchar",
    "new",
    "next",
    "no",
    "not",
    "nothing",
    "null",
    "nullif",
    "numeric",
    "octet_length",
    "of",
    "offset",
    "old",
    "on",
    "only",
    "open",
    "option",
    "or",
    "order",
    "outer",
    "output",
    "overlaps",
    "pad",
    "partial",
    "pivot",
    "position",
    "precision",
    "prepare",
    "preserve",
    "primary",
    "prior",
    "privileges",
    "procedure",
    "public",
    "read",
    "real",
    "references",
    "relative",
    "remove",
    "restrict",
    "returning",
    "revoke",
    "right",
    "rollback",
    "rows",
    "schema",
    "scroll",
    "section",
    "select",
    "session",
    "session_user",
    "set",
    "sexp",
    "size",
    "smallint",
    "some",
    "space",
    "sql",
    "sqlcode",
    "sqlerror",
    "sqlstate",
    "string",
    "struct",
    "substring",
    "sum",
    "symbol",
    "system_user",
    "table",
    "temporary",
    "then",
    "time",
    "timestamp",
    "to",
    "transaction",
    "translate",
    "translation",
    "trim",
    "true",
    "tuple",
    "union",
    "unique",
    "unknown",
    "unpivot",
    "update",
    "upper",
    "usage",
    "user",
    "using",
    "value",
    "values",
    "varchar",
    "varying",
    "view",
    "when",
    "whenever",
    "where",
    "with",
    "work",
    "write",
    "zone",
};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int word_cmp(const void *key, const void *elem)
{
    const str_t *w = key;
    const char *k = *(const char *const *)elem;
    for (size_t i = 0; i < w->len; i++) {
        int c = lower((unsigned char)w->ptr[i]) - (unsigned char)k[i];
        if (c || !k[i])
            return c ? c : 1;
    }
    return k[w->len] ? -1 : 0;
}

bool pq__is_keyword(str_t word)
{
    return bsearch(&word, keywords, sizeof keywords / sizeof *keywords, sizeof *keywords, word_cmp) != NULL;
}

bool pq__word_is(str_t word, const char *upper)
{
    size_t n = strlen(upper);
    if (word.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)word.ptr[i]) != lower((unsigned char)upper[i]))
            return false;
    return true;
}

int pq__syntax_error(err_t *e, const char *detail)
{
    return err_set(e, ERR_VALIDATION, "Statement wasn't well formed, can't be processed: %s", detail);
}

/* ---- tokens ------------------------------------------------------------------- */

typedef struct lexer {
    arena_t *a;
    str_t s;
    size_t i;
    pq_tok_t *toks;
    uint32_t n, cap;
} lexer_t;

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

static void push(lexer_t *lx, pq_tok_kind_t kind, size_t start, size_t end, str_t text)
{
    if (lx->n == lx->cap) {
        uint32_t ncap = lx->cap ? lx->cap * 2 : 32;
        lx->toks = arena_realloc(lx->a, lx->toks, lx->cap * sizeof *lx->toks, ncap * sizeof *lx->toks);
        lx->cap = ncap;
    }
    lx->toks[lx->n++] = (pq_tok_t){kind, (uint32_t)start, (uint32_t)(end - start), text};
}

/* Skips whitespace and comments ("-- to end of line", C-style blocks).
 * An unterminated block comment runs to the end. */
static void skip_space(lexer_t *lx)
{
    const char *p = lx->s.ptr;
    size_t n = lx->s.len;
    for (;;) {
        while (lx->i < n && (p[lx->i] == ' ' || p[lx->i] == '\t' || p[lx->i] == '\n' || p[lx->i] == '\r' ||
                             p[lx->i] == '\f' || p[lx->i] == '\v'))
            lx->i++;
        if (lx->i + 1 < n && p[lx->i] == '-' && p[lx->i + 1] == '-') {
            while (lx->i < n && p[lx->i] != '\n')
                lx->i++;
        } else if (lx->i + 1 < n && p[lx->i] == '/' && p[lx->i + 1] == '*') {
            lx->i += 2;
            while (lx->i < n && !(p[lx->i] == '*' && lx->i + 1 < n && p[lx->i + 1] == '/'))
                lx->i++;
            lx->i = lx->i < n ? lx->i + 2 : n;
        } else {
            return;
        }
    }
}

/* A quoted literal: 'string' or "identifier", the quote doubled inside.
 * Unescaped into the arena only when it holds a doubled quote. */
static void quoted(lexer_t *lx, char q, pq_tok_kind_t kind)
{
    const char *p = lx->s.ptr;
    size_t start = lx->i++, n = lx->s.len;
    bool doubled = false;
    for (;;) {
        if (lx->i >= n)
            return push(lx, PT_BAD, start, n, STR_NULL);
        if (p[lx->i] == q) {
            if (lx->i + 1 < n && p[lx->i + 1] == q) {
                doubled = true;
                lx->i += 2;
                continue;
            }
            break;
        }
        lx->i++;
    }
    str_t body = {p + start + 1, lx->i - start - 1};
    lx->i++;
    if (doubled) {
        char *u = arena_alloc(lx->a, body.len + 1);
        size_t k = 0;
        for (size_t j = 0; j < body.len; j++) {
            u[k++] = body.ptr[j];
            if (body.ptr[j] == q)
                j++;
        }
        u[k] = '\0';
        body = (str_t){u, k};
    }
    push(lx, kind, start, lx->i, body);
}

/* digits [. digits] [e [+-] digits], or . digits ...; "5." is a number. */
static void number(lexer_t *lx)
{
    const char *p = lx->s.ptr;
    size_t start = lx->i, n = lx->s.len;
    while (lx->i < n && is_digit(p[lx->i]))
        lx->i++;
    if (lx->i < n && p[lx->i] == '.') {
        lx->i++;
        while (lx->i < n && is_digit(p[lx->i]))
            lx->i++;
    }
    if (lx->i < n && (p[lx->i] == 'e' || p[lx->i] == 'E')) {
        size_t j = lx->i + 1;
        if (j < n && (p[j] == '+' || p[j] == '-'))
            j++;
        if (j < n && is_digit(p[j])) {
            while (j < n && is_digit(p[j]))
                j++;
            lx->i = j;
        }
    }
    push(lx, PT_NUMBER, start, lx->i, (str_t){p + start, lx->i - start});
}

/* One- and two-character punctuation; 0 when none matches. */
static int punct(const char *p, size_t left, pq_tok_kind_t *kind)
{
    static const struct {
        const char *s;
        pq_tok_kind_t k;
    } two[] = {{"<<", PT_LBAG}, {">>", PT_RBAG}, {"<>", PT_NE},    {"!=", PT_NE},
               {"<=", PT_LE},   {">=", PT_GE},   {"||", PT_CONCAT}};
    static const char one_chars[] = "()[]{},.:;*=<>+-/%?";
    static const pq_tok_kind_t one_kinds[] = {
        PT_LPAREN, PT_RPAREN, PT_LBRACKET, PT_RBRACKET, PT_LBRACE, PT_RBRACE, PT_COMMA, PT_DOT,     PT_COLON, PT_SEMI,
        PT_STAR,   PT_EQ,     PT_LT,       PT_GT,       PT_PLUS,   PT_MINUS,  PT_SLASH, PT_PERCENT, PT_PARAM};
    if (left >= 2)
        for (size_t i = 0; i < sizeof two / sizeof *two; i++)
            if (p[0] == two[i].s[0] && p[1] == two[i].s[1]) {
                *kind = two[i].k;
                return 2;
            }
    const char *c = memchr(one_chars, p[0], sizeof one_chars - 1);
    if (!c)
        return 0;
    *kind = one_kinds[c - one_chars];
    return 1;
}

static void one_token(lexer_t *lx)
{
    const char *p = lx->s.ptr;
    size_t start = lx->i, n = lx->s.len;
    char c = p[start];
    if (is_ident_start(c)) {
        while (lx->i < n && is_ident_char(p[lx->i]))
            lx->i++;
        return push(lx, PT_IDENT, start, lx->i, (str_t){p + start, lx->i - start});
    }
    if (is_digit(c) || (c == '.' && start + 1 < n && is_digit(p[start + 1])))
        return number(lx);
    if (c == '\'')
        return quoted(lx, '\'', PT_STRING);
    if (c == '"')
        return quoted(lx, '"', PT_QIDENT);
    if (c == '`') { /* an Ion literal: up to the closing backtick */
        const char *end = memchr(p + start + 1, '`', n - start - 1);
        lx->i = end ? (size_t)(end - p) + 1 : n;
        return push(lx, end ? PT_ION : PT_BAD, start, lx->i, STR_NULL);
    }
    pq_tok_kind_t kind;
    int len = punct(p + start, n - start, &kind);
    if (len) {
        lx->i += (size_t)len;
        return push(lx, kind, start, lx->i, STR_NULL);
    }
    /* one UTF-8 sequence nothing matches */
    lx->i++;
    while (lx->i < n && ((unsigned char)p[lx->i] & 0xC0) == 0x80)
        lx->i++;
    push(lx, PT_BAD, start, lx->i, STR_NULL);
}

void pq__lex(arena_t *a, str_t text, pq_tok_t **toks, uint32_t *n)
{
    lexer_t lx = {.a = a, .s = text};
    for (;;) {
        skip_space(&lx);
        if (lx.i >= text.len)
            break;
        one_token(&lx);
    }
    push(&lx, PT_EOF, text.len, text.len, STR_NULL);
    *toks = lx.toks;
    *n = lx.n;
}
