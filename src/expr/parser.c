/* parser.c - the recursive-descent parser, and the checks DynamoDB makes
 * before an expression is used (shared ones in check.c, placeholders in
 * context.c, updates in update_check.c).
 *
 * DynamoDB validates in phases, and which error a request gets depends on
 * them, so they are kept apart here (all verified against DynamoDB Local):
 *   1. empty text, then size (4096 UTF-16 code units)
 *   2. syntax: the error names the first token at which no valid
 *      expression can continue, "near" the tokens around it
 *   3. redundant parentheses ("((a = b))", "((a))")
 *   4. a pre-order walk: reserved words, list index range, function names
 *      and where each function may appear
 *   5. conditions: a post-order walk that resolves placeholders and checks
 *      nesting depth, operand counts, operand types and distinct operands;
 *      the first error wins. (Updates and projections differ: update.c.)
 *   6. conditions: more than 300 operators
 *
 * Grammar (conditions; NOT binds tighter than AND, AND tighter than OR):
 *   cond     := conj (OR conj)*
 *   conj     := unary (AND unary)*
 *   unary    := NOT* primary
 *   primary  := '(' cond ')' | operand cmp operand | operand BETWEEN operand
 *               AND operand | operand IN '(' operand (',' operand)* ')' | call
 *   operand  := path | :value | call | '(' operand ')'
 *   path     := (name | #name) ('.' (name | #name) | '[' number ']')*
 * A '(' at the start of a primary may open a condition or an operand; the
 * parser reads what is inside and decides after the ')' (as DynamoDB's
 * parser does), so "(a) = b" and "(a = b)" both parse. */
#include "expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ==== the parser ============================================================== */

typedef struct parser {
    expr_ctx_t *ctx;
    arena_t *a;
    expr_kind_t kind;
    str_t text;
    expr_tok_t *toks;
    size_t ntoks, pos;
    int depth;
    bool redundant; /* "((...))" seen: reported after a clean parse */
    err_t *e;
} parser_t;

static expr_tok_kind_t peek(const parser_t *p) { return p->toks[p->pos].kind; }

static str_t tok_text(const parser_t *p, size_t i) { return (str_t){p->text.ptr + p->toks[i].pos, p->toks[i].len}; }

static void advance(parser_t *p)
{
    if (p->pos + 1 < p->ntoks)
        p->pos++;
}

/* DynamoDB's "near" runs from the start of the token before the offending
 * one (or the text's start) to the end of the token after it (or the
 * text's end, trailing blanks included). */
static expr_node_t *syntax_error(parser_t *p)
{
    size_t i = p->pos;
    size_t start = i > 0 ? p->toks[i - 1].pos : 0;
    size_t end = p->text.len;
    if (i + 1 < p->ntoks && p->toks[i + 1].kind != TK_EOF)
        end = p->toks[i + 1].pos + p->toks[i + 1].len;
    str_t tok = p->toks[i].kind == TK_EOF ? STR_LIT("<EOF>") : tok_text(p, i);
    expr__fail(p->e, p->kind, "Syntax error; token: \"%.*s\", near: \"%.*s\"", STR_FMT(tok), (int)(end - start),
               p->text.ptr + start);
    return NULL;
}

static bool expect(parser_t *p, expr_tok_kind_t k)
{
    if (peek(p) != k) {
        syntax_error(p);
        return false;
    }
    advance(p);
    return true;
}

static bool enter(parser_t *p)
{
    if (++p->depth > EXPR_MAX_PARSE_DEPTH) {
        syntax_error(p);
        return false;
    }
    return true;
}

static expr_node_t *node_new(parser_t *p, expr_op_t op, uint32_t nargs)
{
    expr_node_t *n = arena_calloc(p->a, 1, sizeof *n);
    n->op = op;
    n->nargs = nargs;
    if (nargs)
        n->args = arena_calloc(p->a, nargs, sizeof *n->args);
    return n;
}

static expr_node_t *node2(parser_t *p, expr_op_t op, expr_node_t *x, expr_node_t *y)
{
    expr_node_t *n = node_new(p, op, 2);
    n->args[0] = x;
    n->args[1] = y;
    return n;
}

/* A node just closed by ')': a second pair around the same thing is
 * redundant. */
static void mark_group(parser_t *p, expr_node_t *n)
{
    if (n->parens)
        p->redundant = true;
    n->parens++;
}

/* A growable array of node pointers in the arena. */
typedef struct node_vec {
    expr_node_t **v;
    uint32_t n, cap;
} node_vec_t;

static void vec_push(parser_t *p, node_vec_t *vec, expr_node_t *n)
{
    if (vec->n == vec->cap) {
        uint32_t cap = vec->cap ? vec->cap * 2 : 4;
        vec->v = arena_realloc(p->a, vec->v, vec->cap * sizeof *vec->v, cap * sizeof *vec->v);
        vec->cap = cap;
    }
    vec->v[vec->n++] = n;
}

static expr_node_t *parse_path(parser_t *p)
{
    if (peek(p) != TK_NAME && peek(p) != TK_NAME_PH)
        return syntax_error(p);
    size_t cap = 4, n = 0;
    expr_elem_src_t *src = arena_alloc(p->a, cap * sizeof *src);
    for (;;) {
        expr_elem_kind_t k;
        if (n == 0) {
            k = peek(p) == TK_NAME ? EL_NAME : EL_NAME_PH;
        } else if (peek(p) == TK_DOT) {
            /* DynamoDB's grammar takes a :placeholder after a dot too, and
             * then looks it up as a name (see expr__check_path_sem). */
            advance(p);
            if (peek(p) != TK_NAME && peek(p) != TK_NAME_PH && peek(p) != TK_VALUE_PH)
                return syntax_error(p);
            k = peek(p) == TK_NAME ? EL_NAME : EL_NAME_PH;
        } else if (peek(p) == TK_LBRACKET) {
            advance(p);
            if (peek(p) != TK_NUMBER)
                return syntax_error(p);
            k = EL_INDEX;
        } else {
            break;
        }
        if (n == cap) {
            src = arena_realloc(p->a, src, cap * sizeof *src, cap * 2 * sizeof *src);
            cap *= 2;
        }
        src[n++] = (expr_elem_src_t){k, tok_text(p, p->pos)};
        advance(p);
        if (k == EL_INDEX && !expect(p, TK_RBRACKET))
            return NULL;
    }
    expr_node_t *node = node_new(p, OP_PATH, 0);
    node->src = src;
    node->path.n = n;
    return node;
}

static expr_node_t *parse_operand(parser_t *p);

static expr_node_t *parse_call(parser_t *p)
{
    str_t name = tok_text(p, p->pos);
    advance(p); /* the name; '(' is next */
    advance(p);
    if (!enter(p))
        return NULL;
    node_vec_t args = {0};
    for (;;) {
        expr_node_t *arg = parse_operand(p);
        if (!arg)
            return NULL;
        vec_push(p, &args, arg);
        if (peek(p) != TK_COMMA)
            break;
        advance(p);
    }
    p->depth--;
    if (!expect(p, TK_RPAREN))
        return NULL;
    expr_node_t *n = node_new(p, OP_FUNC, 0);
    n->fname = arena_strdup(p->a, name);
    n->fn = expr__fn_lookup(name);
    n->args = args.v;
    n->nargs = args.n;
    return n;
}

/* path, :value or call (not a parenthesized operand). */
static expr_node_t *parse_atom(parser_t *p)
{
    switch (peek(p)) {
    case TK_VALUE_PH: {
        expr_node_t *n = node_new(p, OP_VALUE, 0);
        n->ph = tok_text(p, p->pos);
        advance(p);
        return n;
    }
    case TK_NAME:
        if (p->toks[p->pos + 1].kind == TK_LPAREN)
            return parse_call(p);
        return parse_path(p);
    case TK_NAME_PH: return parse_path(p);
    default: return syntax_error(p);
    }
}

static expr_node_t *parse_operand(parser_t *p)
{
    if (peek(p) != TK_LPAREN)
        return parse_atom(p);
    advance(p);
    if (!enter(p))
        return NULL;
    expr_node_t *n = parse_operand(p);
    p->depth--;
    if (!n || !expect(p, TK_RPAREN))
        return NULL;
    mark_group(p, n);
    return n;
}

static expr_op_t compare_op(expr_tok_kind_t k)
{
    switch (k) {
    case TK_EQ: return OP_EQ;
    case TK_NE: return OP_NE;
    case TK_LT: return OP_LT;
    case TK_LE: return OP_LE;
    case TK_GT: return OP_GT;
    case TK_GE: return OP_GE;
    default: return OP_PATH; /* not a comparator */
    }
}

static expr_node_t *parse_in_list(parser_t *p, expr_node_t *first)
{
    if (!expect(p, TK_LPAREN))
        return NULL;
    node_vec_t args = {0};
    vec_push(p, &args, first);
    for (;;) {
        expr_node_t *x = parse_operand(p);
        if (!x)
            return NULL;
        vec_push(p, &args, x);
        if (peek(p) != TK_COMMA)
            break;
        advance(p);
    }
    if (!expect(p, TK_RPAREN))
        return NULL;
    expr_node_t *n = node_new(p, OP_IN, 0);
    n->args = args.v;
    n->nargs = args.n;
    return n;
}

/* What follows an operand at the start of a primary: a comparison,
 * BETWEEN, IN; or nothing, for a function used as a condition, or for an
 * operand alone in parentheses (allow_bare: the caller expects ')'). */
static expr_node_t *finish_primary(parser_t *p, expr_node_t *atom, bool allow_bare, bool *bare)
{
    expr_tok_kind_t k = peek(p);
    expr_op_t op = compare_op(k);
    if (op != OP_PATH) {
        advance(p);
        expr_node_t *rhs = parse_operand(p);
        return rhs ? node2(p, op, atom, rhs) : NULL;
    }
    if (k == TK_BETWEEN) {
        advance(p);
        expr_node_t *lo = parse_operand(p);
        if (!lo || !expect(p, TK_AND))
            return NULL;
        expr_node_t *hi = parse_operand(p);
        if (!hi)
            return NULL;
        expr_node_t *n = node_new(p, OP_BETWEEN, 3);
        n->args[0] = atom;
        n->args[1] = lo;
        n->args[2] = hi;
        return n;
    }
    if (k == TK_IN) {
        advance(p);
        return parse_in_list(p, atom);
    }
    if (atom->op == OP_FUNC)
        return atom;
    if (allow_bare && k == TK_RPAREN) {
        *bare = true;
        return atom;
    }
    return syntax_error(p);
}

static expr_node_t *parse_cond(parser_t *p, bool allow_bare, bool *bare);

static expr_node_t *parse_primary(parser_t *p, bool allow_bare, bool *bare)
{
    expr_node_t *atom;
    if (peek(p) == TK_LPAREN) {
        advance(p);
        if (!enter(p))
            return NULL;
        bool inner_bare = false;
        atom = parse_cond(p, true, &inner_bare);
        p->depth--;
        if (!atom || !expect(p, TK_RPAREN))
            return NULL;
        mark_group(p, atom);
        if (expr__is_cond_op(atom->op))
            return atom;
    } else {
        atom = parse_atom(p);
        if (!atom)
            return NULL;
    }
    return finish_primary(p, atom, allow_bare, bare);
}

/* OR of ANDs of NOT* primaries, left-associative. NOT runs are counted
 * rather than recursed into. */
static expr_node_t *parse_cond(parser_t *p, bool allow_bare, bool *bare)
{
    expr_node_t *or_acc = NULL, *and_acc = NULL;
    bool first = true;
    *bare = false;
    for (;;) {
        uint32_t nots = 0;
        while (peek(p) == TK_NOT) {
            advance(p);
            nots++;
        }
        expr_node_t *u = parse_primary(p, allow_bare && first && nots == 0, bare);
        if (!u)
            return NULL;
        if (*bare)
            return u;
        first = false;
        while (nots--) {
            expr_node_t *n = node_new(p, OP_NOT, 1);
            n->args[0] = u;
            u = n;
        }
        and_acc = and_acc ? node2(p, OP_AND, and_acc, u) : u;
        if (peek(p) == TK_AND) {
            advance(p);
            continue;
        }
        or_acc = or_acc ? node2(p, OP_OR, or_acc, and_acc) : and_acc;
        and_acc = NULL;
        if (peek(p) != TK_OR)
            return or_acc;
        advance(p);
    }
}

/* ---- update syntax ----------------------------------------------------------
 *   update     := clause+
 *   clause     := SET set (',' set)* | REMOVE path (',' path)*
 *               | ADD path :value (',' path :value)* | DELETE (as ADD)
 *   set        := path '=' value
 *   value      := operand [('+' | '-') operand] | '(' value ')' ...
 * Clauses may come in any order; a repeated one is reported after the
 * function checks, so it is only recorded here. */

static expr_node_t *parse_set_value(parser_t *p)
{
    expr_node_t *atom;
    if (peek(p) == TK_LPAREN) {
        advance(p);
        if (!enter(p))
            return NULL;
        atom = parse_set_value(p);
        p->depth--;
        if (!atom || !expect(p, TK_RPAREN))
            return NULL;
        mark_group(p, atom);
        if (atom->op == OP_PLUS || atom->op == OP_MINUS)
            return atom;
    } else {
        atom = parse_atom(p);
        if (!atom)
            return NULL;
    }
    if (peek(p) != TK_PLUS && peek(p) != TK_MINUS)
        return atom;
    expr_op_t op = peek(p) == TK_PLUS ? OP_PLUS : OP_MINUS;
    advance(p);
    expr_node_t *rhs = parse_operand(p);
    return rhs ? node2(p, op, atom, rhs) : NULL;
}

static bool parse_action(parser_t *p, expr_act_kind_t kind, expr_action_t *act)
{
    act->kind = kind;
    act->target = parse_path(p);
    if (!act->target)
        return false;
    switch (kind) {
    case ACT_SET:
        if (!expect(p, TK_EQ))
            return false;
        act->value = parse_set_value(p);
        return act->value != NULL;
    case ACT_REMOVE: return true;
    case ACT_ADD:
    case ACT_DELETE:
        if (peek(p) != TK_VALUE_PH) {
            syntax_error(p);
            return false;
        }
        act->value = parse_atom(p);
        return true;
    }
    return false;
}

static int clause_kind(expr_tok_kind_t k)
{
    switch (k) {
    case TK_SET: return ACT_SET;
    case TK_REMOVE: return ACT_REMOVE;
    case TK_ADD: return ACT_ADD;
    case TK_DELETE: return ACT_DELETE;
    default: return -1;
    }
}

static int parse_update_text(parser_t *p, expr_update_t *u)
{
    bool seen[4] = {false};
    size_t cap = 8;
    u->acts = arena_alloc(p->a, cap * sizeof *u->acts);
    u->dup_clause = -1;
    do {
        int kind = clause_kind(peek(p));
        if (kind < 0) {
            syntax_error(p);
            return -1;
        }
        advance(p);
        if (seen[kind] && u->dup_clause < 0)
            u->dup_clause = kind;
        seen[kind] = true;
        for (;;) {
            if (u->n == cap) {
                u->acts = arena_realloc(p->a, u->acts, cap * sizeof *u->acts, cap * 2 * sizeof *u->acts);
                cap *= 2;
            }
            if (!parse_action(p, (expr_act_kind_t)kind, &u->acts[u->n++]))
                return -1;
            if (peek(p) != TK_COMMA)
                break;
            advance(p);
        }
    } while (peek(p) != TK_EOF);
    return 0;
}

/* ---- condition semantics ---------------------------------------------------- */

/* Phase 4. cond_pos: the node stands where a condition is expected. */
static int cond_static(parser_t *p, expr_node_t *n, bool cond_pos)
{
    if (n->op == OP_PATH)
        return expr__check_path_static(p->kind, n, p->e);
    if (n->op == OP_FUNC) {
        if (n->fn == FN_UNKNOWN)
            return expr__fail(p->e, p->kind, "Invalid function name; function: %s", n->fname.ptr);
        if (n->fn == FN_IF_NOT_EXISTS || n->fn == FN_LIST_APPEND)
            return expr__fail(p->e, p->kind, "The function is not allowed in a condition expression; function: %s",
                              n->fname.ptr);
        if (cond_pos == (n->fn == FN_SIZE))
            return expr__fail(p->e, p->kind,
                              "The function is not allowed to be used this way in an expression; function: %s",
                              n->fname.ptr);
    }
    bool child_cond = n->op == OP_AND || n->op == OP_OR || n->op == OP_NOT;
    for (uint32_t i = 0; i < n->nargs; i++)
        if (cond_static(p, n->args[i], child_cond) != 0)
            return -1;
    return 0;
}

static bool scalar_type(vtype_t t) { return t == VT_S || t == VT_N || t == VT_B; }

/* How DynamoDB prints an AttributeValue in BETWEEN's messages: the text as
 * sent, and a Java ByteBuffer for binaries. */
static const char *av_text(arena_t *a, const expr_node_t *n)
{
    const value_t *v = n->value;
    if (v->type == VT_B)
        return arena_printf(a, "{B:java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]}", v->s.len, v->s.len);
    str_t text = v->type == VT_N && n->raw.ptr ? n->raw : v->s;
    return arena_printf(a, "{%s:%.*s}", vtype_name(v->type), STR_FMT(text));
}

static int check_between(parser_t *p, const expr_node_t *n)
{
    for (int i = 0; i < 3; i++) {
        vtype_t t = expr__static_type(n->args[i]);
        if (t != VT_NONE && !scalar_type(t))
            return expr__operand_type_error(p->kind, n, vtype_name(t), p->e);
    }
    const expr_node_t *lo = n->args[1], *hi = n->args[2];
    if (lo->op != OP_VALUE || hi->op != OP_VALUE)
        return 0;
    const char *what = NULL;
    if (lo->value->type != hi->value->type)
        what = "requires same data type for lower and upper bounds";
    else if (value_cmp(lo->value, hi->value) > 0)
        what = "requires upper bound to be greater than or equal to lower bound";
    if (!what)
        return 0;
    return expr__fail(p->e, p->kind,
                      "The BETWEEN operator %s; lower bound operand: AttributeValue: %s, upper bound operand: "
                      "AttributeValue: %s",
                      what, av_text(p->a, lo), av_text(p->a, hi));
}

static bool valid_type_name(str_t s)
{
    static const char *const names[] = {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (str_eq_cstr(s, names[i]))
            return true;
    return false;
}

static int check_attribute_type(parser_t *p, const expr_node_t *n)
{
    const expr_node_t *t = n->args[1];
    vtype_t type = expr__static_type(t);
    if (t->op == OP_PATH)
        /* DynamoDB lists its internal type names here, as it does. */
        return expr__operand_type_error(p->kind, n,
                                        "{N,SS,NULL,L,DICT,M,DOUBLE,BS,FS,HDS,DOUBLESET,BOOL,HD,INTSET,S,DECIMALSET,"
                                        "FLOAT,INT,B,DECIMAL,NS}",
                                        p->e);
    if (type != VT_NONE && type != VT_S)
        return expr__operand_type_error(p->kind, n, vtype_name(type), p->e);
    if (type == VT_S && !valid_type_name(t->value->s))
        return expr__fail(p->e, p->kind,
                          "Invalid attribute type name found; type: %.*s, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
                          STR_FMT(t->value->s));
    return 0;
}

static int check_func(parser_t *p, const expr_node_t *n)
{
    uint32_t arity = expr__fn_arity(n->fn);
    if (n->nargs != arity)
        return expr__fail(p->e, p->kind,
                          "Incorrect number of operands for operator or function; operator or function: %s, number of "
                          "operands: %u",
                          n->fname.ptr, n->nargs);
    if (expr__check_distinct(p->ctx, p->kind, n, p->e) != 0)
        return -1;
    switch (n->fn) {
    case FN_ATTRIBUTE_EXISTS:
    case FN_ATTRIBUTE_NOT_EXISTS:
        if (n->args[0]->op != OP_PATH)
            return expr__fail(p->e, p->kind, "Operator or function requires a document path; operator or function: %s",
                              n->fname.ptr);
        return 0;
    case FN_ATTRIBUTE_TYPE: return check_attribute_type(p, n);
    case FN_BEGINS_WITH:
        for (uint32_t i = 0; i < 2; i++) {
            vtype_t t = expr__static_type(n->args[i]);
            if (t != VT_NONE && t != VT_S && t != VT_B)
                return expr__operand_type_error(p->kind, n, vtype_name(t), p->e);
        }
        return 0;
    case FN_SIZE: {
        vtype_t t = expr__static_type(n->args[0]);
        if (t == VT_N || t == VT_BOOL || t == VT_NULL)
            return expr__operand_type_error(p->kind, n, vtype_name(t), p->e);
        return 0;
    }
    default: return 0;
    }
}

static int check_node(parser_t *p, const expr_node_t *n)
{
    if (expr__is_compare(n->op)) {
        if (expr__check_distinct(p->ctx, p->kind, n, p->e) != 0)
            return -1;
        if (n->op == OP_EQ || n->op == OP_NE)
            return 0;
        for (int i = 0; i < 2; i++) {
            vtype_t t = expr__static_type(n->args[i]);
            if (t != VT_NONE && !scalar_type(t))
                return expr__operand_type_error(p->kind, n, vtype_name(t), p->e);
        }
        return 0;
    }
    switch (n->op) {
    case OP_BETWEEN:
        if (expr__check_distinct(p->ctx, p->kind, n, p->e) != 0)
            return -1;
        return check_between(p, n);
    case OP_IN:
        if (expr__check_distinct(p->ctx, p->kind, n, p->e) != 0)
            return -1;
        if (n->nargs - 1 > EXPR_MAX_IN_OPERANDS)
            return expr__fail(p->e, p->kind,
                              "The IN operator is provided with too many operands; number of operands: %u",
                              n->nargs - 1);
        return 0;
    case OP_FUNC: return check_func(p, n);
    default: return 0;
    }
}

/* Phase 5: children first, so placeholders are resolved before the
 * operator that uses them is checked. */
static int cond_sem(parser_t *p, expr_node_t *n)
{
    if (n->op == OP_PATH)
        return expr__check_path_sem(p->ctx, p->kind, n, p->e);
    if (n->op == OP_VALUE)
        return expr__check_value_sem(p->ctx, p->kind, n, p->e);
    for (uint32_t i = 0; i < n->nargs; i++)
        if (cond_sem(p, n->args[i]) != 0)
            return -1;
    return check_node(p, n);
}

/* Phase 6: AND, OR, NOT, comparators, BETWEEN, IN and functions count. */
static uint32_t count_ops(const expr_node_t *n, uint32_t acc)
{
    if (n->op == OP_PATH || n->op == OP_VALUE || acc > EXPR_MAX_OPERATORS)
        return acc;
    acc++;
    for (uint32_t i = 0; i < n->nargs && acc <= EXPR_MAX_OPERATORS; i++)
        acc = count_ops(n->args[i], acc);
    return acc;
}

/* ---- entry points ----------------------------------------------------------- */

static int begin(parser_t *p, expr_ctx_t *c, expr_kind_t kind, str_t text, err_t *e)
{
    memset(p, 0, sizeof *p);
    p->ctx = c;
    p->a = c->arena;
    p->kind = kind;
    p->text = text;
    p->e = e;
    if (text.len == 0)
        return expr__fail(e, kind, "The expression can not be empty;");
    size_t size = expr__utf16_len(text);
    if (size > EXPR_MAX_CHARS) {
        /* DynamoDB gives the size for conditions only. */
        if (kind == EXPR_UPDATE || kind == EXPR_PROJECTION)
            return expr__fail(e, kind, "Expression size has exceeded the maximum allowed size;");
        return expr__fail(e, kind, "Expression size has exceeded the maximum allowed size; expression size: %zu", size);
    }
    expr__lex(p->a, text, &p->toks, &p->ntoks);
    return 0;
}

static int redundant_check(parser_t *p)
{
    if (p->redundant)
        return expr__fail(p->e, p->kind, "The expression has redundant parentheses;");
    return 0;
}

int expr_parse_condition(expr_ctx_t *c, expr_kind_t kind, str_t text, expr_node_t **out, err_t *e)
{
    parser_t p;
    *out = NULL;
    if (begin(&p, c, kind, text, e) != 0)
        return -1;
    bool bare = false;
    expr_node_t *n = parse_cond(&p, false, &bare);
    if (!n)
        return -1;
    if (peek(&p) != TK_EOF) {
        syntax_error(&p);
        return -1;
    }
    if (redundant_check(&p) != 0 || cond_static(&p, n, true) != 0 || cond_sem(&p, n) != 0)
        return -1;
    if (count_ops(n, 0) > EXPR_MAX_OPERATORS)
        return expr__fail(e, kind, "The expression contains too many operators; operator count: %d",
                          EXPR_MAX_OPERATORS + 1);
    *out = n;
    return 0;
}

int expr_parse_update(expr_ctx_t *c, str_t text, expr_update_t **out, err_t *e)
{
    parser_t p;
    *out = NULL;
    if (begin(&p, c, EXPR_UPDATE, text, e) != 0)
        return -1;
    expr_update_t *u = arena_calloc(p.a, 1, sizeof *u);
    if (parse_update_text(&p, u) != 0 || redundant_check(&p) != 0)
        return -1;
    if (expr__check_update(c, u, e) != 0)
        return -1;
    *out = u;
    return 0;
}

/* Projection: paths only. Reserved words and index ranges first (the
 * first one wins); then each path's depth, placeholders and overlap, where
 * DynamoDB reports the last error it met. */
static int projection_paths(parser_t *p, expr_node_t **nodes, size_t n, expr_projection_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (expr__check_path_static(p->kind, nodes[i], p->e) != 0)
            return -1;
    expr_overlap_t ov;
    expr__overlap_init(&ov, p->a, n);
    err_t last;
    bool last_overlap = false;
    err_clear(&last);
    for (size_t i = 0; i < n; i++) {
        err_t one;
        err_clear(&one);
        if (expr__check_path_sem(p->ctx, p->kind, nodes[i], &one) != 0) {
            last = one;
            last_overlap = false;
            continue;
        }
        if (expr__overlap_add(&ov, &nodes[i]->path))
            last_overlap = true;
    }
    if (last_overlap)
        return expr__fail(p->e, p->kind, "%s", expr__overlap_msg(p->a, &ov));
    if (last.code != ERR_NONE)
        return err_set(p->e, last.code, "%s", last.msg);
    out->paths = arena_alloc(p->a, n * sizeof *out->paths);
    for (size_t i = 0; i < n; i++)
        out->paths[i] = nodes[i]->path;
    out->n = n;
    return 0;
}

int expr_parse_projection(expr_ctx_t *c, str_t text, expr_projection_t *out, err_t *e)
{
    parser_t p;
    memset(out, 0, sizeof *out);
    if (begin(&p, c, EXPR_PROJECTION, text, e) != 0)
        return -1;
    node_vec_t paths = {0};
    for (;;) {
        expr_node_t *n = parse_path(&p);
        if (!n)
            return -1;
        vec_push(&p, &paths, n);
        if (peek(&p) != TK_COMMA)
            break;
        advance(&p);
    }
    if (peek(&p) != TK_EOF) {
        syntax_error(&p);
        return -1;
    }
    return projection_paths(&p, paths.v, paths.n, out);
}
