/* parser.c - PartiQL statements into the AST (partiql.h).
 *
 *   statement  := [NOT] EXISTS '(' select ')' | select | insert | update | delete  [';']
 *   select     := SELECT ('*' | expr {',' expr}) FROM name ['.' name] [WHERE expr]
 *                 [ORDER BY path [ASC|DESC] {',' ...}]
 *   insert     := INSERT INTO name VALUE expr
 *   update     := UPDATE name (SET path '=' expr {',' path '=' expr} | REMOVE path)+
 *                 [WHERE expr] [RETURNING (ALL|MODIFIED) (OLD|NEW) '*']
 *   delete     := DELETE FROM name [WHERE expr] [RETURNING ALL OLD '*']
 *
 * Expressions climb PartiQL's precedence: OR < AND < NOT < (= <> IS IN) <
 * (< <= > >= BETWEEN LIKE) < (+ - ||) < (* / %) < unary minus. Recursion
 * is bounded by PQ_MAX_DEPTH, so no input can exhaust the stack. */
#include <string.h>

#include "partiql/partiql_internal.h"

typedef struct parser {
    arena_t *a;
    pq_tok_t *t;
    uint32_t n, i;
    err_t *e;
    int depth;
    uint32_t nparams;
} parser_t;

static pq_tok_t *peek(parser_t *p) { return &p->t[p->i]; }
static pq_tok_t *peek_at(parser_t *p, uint32_t k) { return &p->t[p->i + k < p->n ? p->i + k : p->n - 1]; }
static bool at(parser_t *p, pq_tok_kind_t k) { return peek(p)->kind == k; }
static bool at_word_k(parser_t *p, uint32_t k, const char *w)
{
    pq_tok_t *t = peek_at(p, k);
    return t->kind == PT_IDENT && pq__word_is(t->text, w);
}
static bool at_word(parser_t *p, const char *w) { return at_word_k(p, 0, w); }

static void advance(parser_t *p)
{
    if (p->i + 1 < p->n)
        p->i++;
}

static bool accept(parser_t *p, pq_tok_kind_t k)
{
    if (!at(p, k))
        return false;
    advance(p);
    return true;
}

static bool accept_word(parser_t *p, const char *w)
{
    if (!at_word(p, w))
        return false;
    advance(p);
    return true;
}

/* The syntax error for the token we stand on. Returns NULL for the
 * callers' convenience; the first error wins. */
static void *unexpected(parser_t *p)
{
    pq_tok_t *t = peek(p);
    const char *detail = t->kind == PT_EOF                                ? "Unexpected end of statement"
                         : t->kind == PT_IDENT && pq__is_keyword(t->text) ? "Unexpected keyword"
                                                                          : "Unexpected token";
    pq__syntax_error(p->e, detail);
    return NULL;
}

/* A ValidationException of DynamoDB's own (not a syntax error). */
static void *unsupported(parser_t *p, const char *msg)
{
    err_set(p->e, ERR_VALIDATION, "%s", msg);
    return NULL;
}

static bool expect(parser_t *p, pq_tok_kind_t k)
{
    if (accept(p, k))
        return true;
    unexpected(p);
    return false;
}

static bool expect_word(parser_t *p, const char *w)
{
    if (accept_word(p, w))
        return true;
    unexpected(p);
    return false;
}

static pq_node_t *node(parser_t *p, pq_node_kind_t kind, uint32_t pos, uint32_t nargs)
{
    pq_node_t *n = arena_calloc(p->a, 1, sizeof *n);
    n->kind = kind;
    n->pos = pos;
    n->nargs = nargs;
    if (nargs)
        n->args = arena_calloc(p->a, nargs, sizeof *n->args);
    return n;
}

static pq_node_t *node2(parser_t *p, pq_node_kind_t kind, uint32_t pos, pq_node_t *x, pq_node_t *y)
{
    if (!x || !y)
        return NULL;
    pq_node_t *n = node(p, kind, pos, 2);
    n->args[0] = x;
    n->args[1] = y;
    return n;
}

/* A growable list of nodes in the arena. */
typedef struct vec {
    pq_node_t **v;
    uint32_t n, cap;
} vec_t;

static void vec_push(parser_t *p, vec_t *v, pq_node_t *x)
{
    if (v->n == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 4;
        v->v = arena_realloc(p->a, v->v, v->cap * sizeof *v->v, ncap * sizeof *v->v);
        v->cap = ncap;
    }
    v->v[v->n++] = x;
}

static bool enter(parser_t *p)
{
    if (++p->depth <= PQ_MAX_DEPTH)
        return true;
    pq__syntax_error(p->e, "Statement is nested too deeply");
    return false;
}

static pq_node_t *expr(parser_t *p);

/* ---- names and paths ------------------------------------------------------------ */

/* An identifier: bare (not a keyword) or "quoted". */
static bool name(parser_t *p, str_t *out)
{
    pq_tok_t *t = peek(p);
    if (t->kind == PT_QIDENT || (t->kind == PT_IDENT && !pq__is_keyword(t->text))) {
        *out = t->text;
        advance(p);
        return true;
    }
    unexpected(p);
    return false;
}

/* A list index: digits only, within DynamoDB's range. */
static bool index_value(str_t digits, uint32_t *out)
{
    uint64_t v = 0;
    if (digits.len == 0 || digits.len > 10)
        return false;
    for (size_t i = 0; i < digits.len; i++) {
        if (digits.ptr[i] < '0' || digits.ptr[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(digits.ptr[i] - '0');
    }
    if (v > 2147483647u)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool step(parser_t *p, pq_step_t *s)
{
    if (accept(p, PT_DOT)) {
        if (accept(p, PT_STAR)) {
            s->kind = PQ_STEP_WILD;
            return true;
        }
        s->kind = PQ_STEP_NAME;
        return name(p, &s->name);
    }
    advance(p); /* '[' */
    pq_tok_t *t = peek(p);
    if (t->kind == PT_STAR) {
        s->kind = PQ_STEP_WILD;
    } else if (t->kind == PT_STRING) {
        s->kind = PQ_STEP_NAME;
        s->name = t->text;
    } else if (t->kind == PT_NUMBER && index_value(t->text, &s->index)) {
        s->kind = PQ_STEP_INDEX;
    } else {
        unexpected(p);
        return false;
    }
    advance(p);
    return expect(p, PT_RBRACKET);
}

/* name {'.' name | '[' index ']'}; the name already read. */
static pq_node_t *path_from(parser_t *p, str_t first, uint32_t pos)
{
    pq_node_t *n = node(p, PQ_N_PATH, pos, 0);
    uint32_t cap = 4;
    n->steps = arena_alloc(p->a, cap * sizeof *n->steps);
    n->steps[0] = (pq_step_t){PQ_STEP_NAME, first, 0};
    n->nsteps = 1;
    while (at(p, PT_DOT) || at(p, PT_LBRACKET)) {
        if (n->nsteps == cap) {
            n->steps = arena_realloc(p->a, n->steps, cap * sizeof *n->steps, 2 * cap * sizeof *n->steps);
            cap *= 2;
        }
        if (!step(p, &n->steps[n->nsteps++]))
            return NULL;
    }
    return n;
}

static pq_node_t *path(parser_t *p)
{
    uint32_t pos = peek(p)->pos;
    str_t first;
    return name(p, &first) ? path_from(p, first, pos) : NULL;
}

/* ---- primaries ------------------------------------------------------------------- */

/* Elements up to the closing token: '[' a, b ']', '<<' a '>>', f(a, b). */
static pq_node_t *sequence(parser_t *p, pq_node_kind_t kind, uint32_t pos, pq_tok_kind_t close, bool star_ok)
{
    vec_t v = {0};
    if (!accept(p, close)) {
        do {
            pq_node_t *x;
            if (star_ok && at(p, PT_STAR)) { /* COUNT(*): rejected later as a projection */
                x = node(p, PQ_N_PATH, peek(p)->pos, 0);
                x->steps = arena_calloc(p->a, 1, sizeof *x->steps);
                x->steps[0].kind = PQ_STEP_WILD;
                x->nsteps = 1;
                advance(p);
            } else if (!(x = expr(p))) {
                return NULL;
            }
            vec_push(p, &v, x);
        } while (accept(p, PT_COMMA));
        if (!expect(p, close))
            return NULL;
    }
    pq_node_t *n = node(p, kind, pos, 0);
    n->args = v.v;
    n->nargs = v.n;
    return n;
}

static pq_node_t *tuple(parser_t *p, uint32_t pos)
{
    vec_t v = {0};
    if (!accept(p, PT_RBRACE)) {
        do {
            pq_node_t *k = expr(p);
            if (!k || !expect(p, PT_COLON))
                return NULL;
            pq_node_t *x = expr(p);
            if (!x)
                return NULL;
            vec_push(p, &v, k);
            vec_push(p, &v, x);
        } while (accept(p, PT_COMMA));
        if (!expect(p, PT_RBRACE))
            return NULL;
    }
    pq_node_t *n = node(p, PQ_N_TUPLE, pos, 0);
    n->args = v.v;
    n->nargs = v.n;
    return n;
}

/* Keywords that are also function names (PartiQL's list). */
static bool keyword_function(str_t w)
{
    static const char *const names[] = {
        "EXISTS",       "COUNT",      "AVG",   "MAX",   "MIN",  "SUM",  "SUBSTRING", "CHAR_LENGTH", "CHARACTER_LENGTH",
        "OCTET_LENGTH", "BIT_LENGTH", "UPPER", "LOWER", "SIZE", "SEXP", "LIST",      "BAG"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (pq__word_is(w, names[i]))
            return true;
    return false;
}

static pq_node_t *literal_word(parser_t *p, pq_tok_t *t)
{
    pq_node_t *n = NULL;
    if (pq__word_is(t->text, "TRUE") || pq__word_is(t->text, "FALSE")) {
        n = node(p, PQ_N_BOOL, t->pos, 0);
        n->flag = pq__word_is(t->text, "TRUE");
    } else if (pq__word_is(t->text, "NULL")) {
        n = node(p, PQ_N_NULL, t->pos, 0);
    } else if (pq__word_is(t->text, "MISSING")) {
        n = node(p, PQ_N_MISSING, t->pos, 0);
    }
    if (n)
        advance(p);
    return n;
}

static pq_node_t *call(parser_t *p, pq_tok_t *t)
{
    advance(p); /* the name */
    advance(p); /* '(' */
    pq_node_t *n = sequence(p, PQ_N_CALL, t->pos, PT_RPAREN, true);
    if (n)
        n->text = t->text;
    return n;
}

static pq_node_t *primary(parser_t *p)
{
    pq_tok_t *t = peek(p);
    pq_node_t *n;
    switch (t->kind) {
    case PT_STRING:
    case PT_NUMBER:
        n = node(p, t->kind == PT_STRING ? PQ_N_STR : PQ_N_NUM, t->pos, 0);
        n->text = t->text;
        advance(p);
        return n;
    case PT_PARAM:
        n = node(p, PQ_N_PARAM, t->pos, 0);
        n->param = p->nparams++;
        advance(p);
        return n;
    case PT_ION: return unsupported(p, "Ion Literals are not supported");
    case PT_LBRACKET: advance(p); return sequence(p, PQ_N_LIST, t->pos, PT_RBRACKET, false);
    case PT_LBAG: advance(p); return sequence(p, PQ_N_BAG, t->pos, PT_RBAG, false);
    case PT_LBRACE: advance(p); return tuple(p, t->pos);
    case PT_LPAREN:
        advance(p);
        n = expr(p);
        return n && expect(p, PT_RPAREN) ? n : NULL;
    case PT_IDENT:
        if ((n = literal_word(p, t)) != NULL)
            return n;
        if (peek_at(p, 1)->kind == PT_LPAREN && (!pq__is_keyword(t->text) || keyword_function(t->text)))
            return call(p, t);
        return path(p); /* or "Unexpected keyword" */
    case PT_QIDENT: return path(p);
    default: return unexpected(p);
    }
}

/* ---- operators -------------------------------------------------------------------- */

static pq_node_t *unary(parser_t *p)
{
    if (!enter(p))
        return NULL;
    pq_tok_t *t = peek(p);
    pq_node_t *n;
    if (accept(p, PT_PLUS)) {
        n = unary(p);
    } else if (accept(p, PT_MINUS)) {
        pq_node_t *x = unary(p);
        n = x ? node(p, PQ_N_NEG, t->pos, 1) : NULL;
        if (n)
            n->args[0] = x;
    } else {
        n = primary(p);
    }
    p->depth--;
    return n;
}

static pq_node_t *arith(parser_t *p, pq_node_t *x, pq_node_t *(*next)(parser_t *), const char *op)
{
    uint32_t pos = peek(p)->pos;
    advance(p);
    pq_node_t *n = node2(p, PQ_N_ARITH, pos, x, next(p));
    if (n)
        n->text = str_from_cstr(op);
    return n;
}

static pq_node_t *multiplicative(parser_t *p)
{
    pq_node_t *x = unary(p);
    while (x) {
        if (at(p, PT_STAR))
            x = arith(p, x, unary, "*");
        else if (at(p, PT_SLASH))
            x = arith(p, x, unary, "/");
        else if (at(p, PT_PERCENT))
            x = arith(p, x, unary, "%");
        else
            break;
    }
    return x;
}

static pq_node_t *additive(parser_t *p)
{
    pq_node_t *x = multiplicative(p);
    while (x) {
        if (at(p, PT_PLUS))
            x = arith(p, x, multiplicative, "+");
        else if (at(p, PT_MINUS))
            x = arith(p, x, multiplicative, "-");
        else if (at(p, PT_CONCAT))
            x = arith(p, x, multiplicative, "||");
        else
            break;
    }
    return x;
}

/* NOT before BETWEEN, IN or LIKE: consumed, and reported. */
static bool negated_before(parser_t *p, const char *w)
{
    if (at_word(p, "NOT") && at_word_k(p, 1, w)) {
        advance(p);
        return true;
    }
    return false;
}

static pq_node_t *comparison(parser_t *p)
{
    pq_node_t *x = additive(p);
    while (x) {
        uint32_t pos = peek(p)->pos;
        static const pq_tok_kind_t kinds[] = {PT_LT, PT_LE, PT_GT, PT_GE};
        static const pq_cmp_t ops[] = {PQ_LT, PQ_LE, PQ_GT, PQ_GE};
        int k = -1;
        for (int i = 0; i < 4; i++)
            if (at(p, kinds[i]))
                k = i;
        bool neg_between = negated_before(p, "BETWEEN"), neg_like = !neg_between && negated_before(p, "LIKE");
        if (k >= 0) {
            advance(p);
            x = node2(p, PQ_N_CMP, pos, x, additive(p));
            if (x)
                x->op = ops[k];
        } else if (accept_word(p, "BETWEEN")) {
            pq_node_t *lo = additive(p);
            pq_node_t *hi = lo && expect_word(p, "AND") ? additive(p) : NULL;
            if (!hi)
                return NULL;
            pq_node_t *n = node(p, PQ_N_BETWEEN, pos, 3);
            n->args[0] = x, n->args[1] = lo, n->args[2] = hi;
            n->flag = neg_between;
            x = n;
        } else if (accept_word(p, "LIKE")) {
            x = node2(p, PQ_N_LIKE, pos, x, additive(p));
            if (x)
                x->flag = neg_like;
        } else {
            break;
        }
    }
    return x;
}

/* The right side of IN: [a, b], (a, b) or anything else (rejected later). */
static pq_node_t *in_list(parser_t *p)
{
    pq_tok_t *t = peek(p);
    if (t->kind == PT_LPAREN) {
        advance(p);
        return sequence(p, PQ_N_LIST, t->pos, PT_RPAREN, false);
    }
    return additive(p);
}

static pq_node_t *is_test(parser_t *p, pq_node_t *x, uint32_t pos)
{
    pq_node_t *n = node(p, PQ_N_IS, pos, 1);
    n->args[0] = x;
    n->flag = accept_word(p, "NOT");
    if (accept_word(p, "NULL"))
        n->op = PQ_IS_NULL;
    else if (accept_word(p, "MISSING"))
        n->op = PQ_IS_MISSING;
    else
        return unexpected(p);
    return n;
}

static pq_node_t *equity(parser_t *p)
{
    pq_node_t *x = comparison(p);
    while (x) {
        uint32_t pos = peek(p)->pos;
        bool neg_in = negated_before(p, "IN");
        if (at(p, PT_EQ) || at(p, PT_NE)) {
            pq_cmp_t op = at(p, PT_EQ) ? PQ_EQ : PQ_NE;
            advance(p);
            x = node2(p, PQ_N_CMP, pos, x, comparison(p));
            if (x)
                x->op = op;
        } else if (accept_word(p, "IS")) {
            x = is_test(p, x, pos);
        } else if (accept_word(p, "IN")) {
            x = node2(p, PQ_N_IN, pos, x, in_list(p));
            if (x)
                x->flag = neg_in;
        } else {
            break;
        }
    }
    return x;
}

static pq_node_t *negation(parser_t *p)
{
    if (!at_word(p, "NOT"))
        return equity(p);
    if (!enter(p))
        return NULL;
    uint32_t pos = peek(p)->pos;
    advance(p);
    pq_node_t *x = negation(p);
    p->depth--;
    if (!x)
        return NULL;
    pq_node_t *n = node(p, PQ_N_NOT, pos, 1);
    n->args[0] = x;
    return n;
}

/* a AND b AND c as one node with three operands: a long chain makes a
 * wide node, not a deep one, so nothing that walks the tree recurses
 * once per operand. */
static pq_node_t *chain(parser_t *p, pq_node_kind_t kind, const char *word, pq_node_t *(*next)(parser_t *))
{
    uint32_t pos = peek(p)->pos;
    pq_node_t *x = next(p);
    if (!x || !at_word(p, word))
        return x;
    vec_t v = {0};
    vec_push(p, &v, x);
    while (accept_word(p, word)) {
        if (!(x = next(p)))
            return NULL;
        vec_push(p, &v, x);
    }
    pq_node_t *n = node(p, kind, pos, 0);
    n->args = v.v;
    n->nargs = v.n;
    return n;
}

static pq_node_t *conjunction(parser_t *p) { return chain(p, PQ_N_AND, "AND", negation); }

static pq_node_t *expr(parser_t *p)
{
    if (!enter(p))
        return NULL;
    pq_node_t *x = chain(p, PQ_N_OR, "OR", conjunction);
    p->depth--;
    return x;
}

/* ---- statements -------------------------------------------------------------------- */

static bool table_name(parser_t *p, pq_stmt_t *s, bool index_ok)
{
    if (!name(p, &s->table))
        return false;
    if (index_ok && accept(p, PT_DOT) && !name(p, &s->index))
        return false;
    /* FROM t AS x, FROM t x: a keyword after the name is the next clause */
    if (at_word(p, "AS") || at(p, PT_QIDENT) || (at(p, PT_IDENT) && !pq__is_keyword(peek(p)->text)))
        return unsupported(p, "Aliasing is not supported") != NULL;
    return true;
}

static bool where(parser_t *p, pq_stmt_t *s)
{
    if (!accept_word(p, "WHERE"))
        return true;
    return (s->where = expr(p)) != NULL;
}

static bool projection(parser_t *p, pq_stmt_t *s)
{
    if (at_word(p, "DISTINCT"))
        return unsupported(p, "Unsupported token in expression: DISTINCT") != NULL;
    if (at_word(p, "VALUE") || at_word(p, "PIVOT"))
        return unsupported(p, "Select projection doesn't support value or pivot keywords") != NULL;
    accept_word(p, "ALL");
    if (accept(p, PT_STAR)) {
        s->star = true;
        return true;
    }
    vec_t v = {0};
    do {
        pq_node_t *x = expr(p);
        if (!x)
            return false;
        if (accept_word(p, "AS") || (at(p, PT_IDENT) && !pq__is_keyword(peek(p)->text)) || at(p, PT_QIDENT))
            return unsupported(p, "Aliasing is not supported") != NULL;
        vec_push(p, &v, x);
    } while (accept(p, PT_COMMA));
    s->proj = v.v;
    s->nproj = v.n;
    return true;
}

static bool order_by(parser_t *p, pq_stmt_t *s)
{
    if (!accept_word(p, "ORDER"))
        return true;
    if (!expect_word(p, "BY"))
        return false;
    uint32_t cap = 0;
    do {
        if (s->norder == cap) {
            uint32_t ncap = cap ? cap * 2 : 2;
            s->order = arena_realloc(p->a, s->order, cap * sizeof *s->order, ncap * sizeof *s->order);
            cap = ncap;
        }
        pq_order_t *o = &s->order[s->norder++];
        if (!(o->key = path(p)))
            return false;
        o->desc = accept_word(p, "DESC");
        if (!o->desc)
            accept_word(p, "ASC");
    } while (accept(p, PT_COMMA));
    return true;
}

static bool select_stmt(parser_t *p, pq_stmt_t *s)
{
    s->kind = PQ_SELECT;
    if (!expect_word(p, "SELECT") || !projection(p, s) || !expect_word(p, "FROM") || !table_name(p, s, true) ||
        !where(p, s) || !order_by(p, s))
        return false;
    static const char *const clauses[] = {"LIMIT", "OFFSET", "GROUP", "HAVING"};
    for (size_t i = 0; i < sizeof clauses / sizeof *clauses; i++)
        if (at_word(p, clauses[i])) {
            err_set(p->e, ERR_VALIDATION, "Unsupported clause: %s", clauses[i]);
            return false;
        }
    return true;
}

static bool insert_stmt(parser_t *p, pq_stmt_t *s)
{
    s->kind = PQ_INSERT;
    advance(p); /* INSERT */
    return expect_word(p, "INTO") && table_name(p, s, false) && expect_word(p, "VALUE") && (s->value = expr(p));
}

static bool returning(parser_t *p, pq_stmt_t *s)
{
    if (!accept_word(p, "RETURNING"))
        return true;
    bool all = accept_word(p, "ALL");
    if (!all && !expect_word(p, "MODIFIED"))
        return false;
    bool old = accept_word(p, "OLD");
    if (!old && !expect_word(p, "NEW"))
        return false;
    s->returning = all ? (old ? PQ_RET_ALL_OLD : PQ_RET_ALL_NEW) : (old ? PQ_RET_MODIFIED_OLD : PQ_RET_MODIFIED_NEW);
    return expect(p, PT_STAR);
}

static bool add_action(parser_t *p, pq_stmt_t *s, uint32_t *cap, bool remove)
{
    if (s->nacts == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        s->acts = arena_realloc(p->a, s->acts, *cap * sizeof *s->acts, ncap * sizeof *s->acts);
        *cap = ncap;
    }
    pq_action_t *a = &s->acts[s->nacts++];
    *a = (pq_action_t){.remove = remove};
    if (!(a->target = path(p)))
        return false;
    if (remove)
        return true;
    return expect(p, PT_EQ) && (a->value = expr(p)) != NULL;
}

static bool update_stmt(parser_t *p, pq_stmt_t *s)
{
    s->kind = PQ_UPDATE;
    advance(p); /* UPDATE */
    if (!table_name(p, s, false))
        return false;
    uint32_t cap = 0;
    for (;;) {
        if (accept_word(p, "SET")) {
            do {
                if (!add_action(p, s, &cap, false))
                    return false;
            } while (accept(p, PT_COMMA));
        } else if (accept_word(p, "REMOVE")) {
            if (!add_action(p, s, &cap, true))
                return false;
        } else {
            break;
        }
    }
    if (s->nacts == 0)
        return unexpected(p) != NULL;
    return where(p, s) && returning(p, s);
}

static bool delete_stmt(parser_t *p, pq_stmt_t *s)
{
    s->kind = PQ_DELETE;
    advance(p); /* DELETE */
    return expect_word(p, "FROM") && table_name(p, s, false) && where(p, s) && returning(p, s);
}

static bool exists_stmt(parser_t *p, pq_stmt_t *s)
{
    s->exists = accept_word(p, "NOT") ? -1 : 1;
    if (!expect_word(p, "EXISTS") || !expect(p, PT_LPAREN) || !select_stmt(p, s))
        return false;
    return expect(p, PT_RPAREN);
}

static bool statement(parser_t *p, pq_stmt_t *s)
{
    bool ok;
    if (at_word(p, "SELECT"))
        ok = select_stmt(p, s);
    else if (at_word(p, "INSERT"))
        ok = insert_stmt(p, s);
    else if (at_word(p, "UPDATE"))
        ok = update_stmt(p, s);
    else if (at_word(p, "DELETE"))
        ok = delete_stmt(p, s);
    else if (at_word(p, "EXISTS") || (at_word(p, "NOT") && at_word_k(p, 1, "EXISTS")))
        ok = exists_stmt(p, s);
    else
        return pq__syntax_error(p->e, "Expected data manipulation") == 0;
    if (!ok)
        return false;
    accept(p, PT_SEMI);
    return at(p, PT_EOF) || unexpected(p);
}

int pq_parse(arena_t *a, str_t text, pq_stmt_t **out, err_t *e)
{
    parser_t p = {.a = a, .e = e};
    pq__lex(a, text, &p.t, &p.n);
    pq_stmt_t *s = arena_calloc(a, 1, sizeof *s);
    *out = NULL;
    if (!statement(&p, s)) {
        if (!e->code) /* every failing path sets it; never leave a caller without one */
            pq__syntax_error(e, "Unexpected token");
        return -1;
    }
    s->nparams = p.nparams;
    *out = s;
    return 0;
}
