/* update_check.c - UpdateExpression's checks after parsing.
 *
 * Checks, in DynamoDB's order (verified against DynamoDB Local):
 *   1. a pre-order walk of the actions in text order: reserved words, list
 *      index range, function names and placement (only if_not_exists and
 *      list_append exist here; list_append only as a whole SET value)
 *   2. a clause used twice ('The "SET" section can only be used once ...')
 *   3. the targets: nesting depth, #placeholders, overlapping paths
 *   4. the values: placeholders, operand counts and types
 * In 3 and 4 DynamoDB keeps going after an error and reports the last
 * action's error (within one action, the first). */
#include "expr_internal.h"

#include <stdlib.h>

typedef enum upd_pos {
    POS_TOP, /* a whole SET value */
    POS_OPERAND, /* anywhere else */
} upd_pos_t;

static int upd_static(expr_node_t *n, upd_pos_t pos, err_t *e)
{
    if (n->op == OP_PATH)
        return expr__check_path_static(EXPR_UPDATE, n, e);
    if (n->op == OP_FUNC) {
        if (n->fn == FN_UNKNOWN)
            return expr__fail(e, EXPR_UPDATE, "Invalid function name; function: %s", n->fname.ptr);
        if (n->fn != FN_IF_NOT_EXISTS && n->fn != FN_LIST_APPEND)
            return expr__fail(e, EXPR_UPDATE, "The function is not allowed in an update expression; function: %s",
                              n->fname.ptr);
        if (n->fn == FN_LIST_APPEND && pos != POS_TOP)
            return expr__fail(e, EXPR_UPDATE,
                              "The function is not allowed to be used this way in an expression; function: %s",
                              n->fname.ptr);
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        if (upd_static(n->args[i], POS_OPERAND, e) != 0)
            return -1;
    return 0;
}

static const char *clause_name(int kind)
{
    static const char *const names[] = {"SET", "REMOVE", "ADD", "DELETE"};
    return names[kind];
}

static int check_static(expr_update_t *u, err_t *e)
{
    for (size_t i = 0; i < u->n; i++) {
        expr_action_t *act = &u->acts[i];
        if (upd_static(act->target, POS_OPERAND, e) != 0)
            return -1;
        if (act->kind == ACT_SET && upd_static(act->value, POS_TOP, e) != 0)
            return -1;
    }
    if (u->dup_clause >= 0)
        return expr__fail(e, EXPR_UPDATE, "The \"%s\" section can only be used once in an update expression;",
                          clause_name(u->dup_clause));
    return 0;
}

static int check_targets(expr_ctx_t *c, expr_update_t *u, err_t *e)
{
    expr_overlap_t ov;
    expr__overlap_init(&ov, c->arena, u->n);
    err_t last;
    bool last_overlap = false;
    err_clear(&last);
    for (size_t i = 0; i < u->n; i++) {
        err_t one;
        err_clear(&one);
        if (expr__check_path_sem(c, EXPR_UPDATE, u->acts[i].target, &one) != 0) {
            last = one;
            last_overlap = false;
            continue;
        }
        if (expr__overlap_add(&ov, &u->acts[i].target->path))
            last_overlap = true;
    }
    if (last_overlap)
        return expr__fail(e, EXPR_UPDATE, "%s", expr__overlap_msg(c->arena, &ov));
    if (last.code != ERR_NONE)
        return err_set(e, last.code, "%s", last.msg);
    return 0;
}

static int check_func(expr_ctx_t *c, const expr_node_t *n, err_t *e)
{
    if (n->nargs != 2)
        return expr__fail(e, EXPR_UPDATE,
                          "Incorrect number of operands for operator or function; operator or function: %s, number of "
                          "operands: %u",
                          n->fname.ptr, n->nargs);
    if (n->fn == FN_IF_NOT_EXISTS) { /* list_append(a, a) is allowed */
        if (expr__check_distinct(c, EXPR_UPDATE, n, e) != 0)
            return -1;
        if (n->args[0]->op != OP_PATH)
            return expr__fail(e, EXPR_UPDATE, "Operator or function requires a document path; operator or function: %s",
                              n->fname.ptr);
        return 0;
    }
    for (uint32_t i = 0; i < 2; i++) { /* list_append */
        vtype_t t = expr__static_type(n->args[i]);
        if (t != VT_NONE && t != VT_L)
            return expr__operand_type_error(EXPR_UPDATE, n, vtype_name(t), e);
    }
    return 0;
}

/* Post-order: operands are resolved before their operator is checked. */
static int value_sem(expr_ctx_t *c, expr_node_t *n, err_t *e)
{
    if (n->op == OP_PATH)
        return expr__check_path_sem(c, EXPR_UPDATE, n, e);
    if (n->op == OP_VALUE)
        return expr__check_value_sem(c, EXPR_UPDATE, n, e);
    for (uint32_t i = 0; i < n->nargs; i++)
        if (value_sem(c, n->args[i], e) != 0)
            return -1;
    if (n->op == OP_FUNC)
        return check_func(c, n, e);
    for (uint32_t i = 0; i < n->nargs; i++) { /* + and - */
        vtype_t t = expr__static_type(n->args[i]);
        if (t != VT_NONE && t != VT_N)
            return expr__operand_type_error(EXPR_UPDATE, n, vtype_name(t), e);
    }
    return 0;
}

static bool is_set_type(vtype_t t) { return t == VT_SS || t == VT_NS || t == VT_BS; }

static int action_sem(expr_ctx_t *c, expr_action_t *act, err_t *e)
{
    if (act->kind == ACT_REMOVE)
        return 0;
    if (value_sem(c, act->value, e) != 0)
        return -1;
    if (act->kind == ACT_SET)
        return 0;
    vtype_t t = act->value->value->type;
    bool ok = act->kind == ACT_ADD ? (t == VT_N || is_set_type(t)) : is_set_type(t);
    if (ok)
        return 0;
    const char *op = act->kind == ACT_ADD ? "ADD" : "DELETE";
    return expr__fail(e, EXPR_UPDATE,
                      "Incorrect operand type for operator or function; operator: %s, operand type: %s, typeSet: "
                      "ALLOWED_FOR_%s_OPERAND",
                      op, vtype_long_name(t), op);
}

int expr__check_update(expr_ctx_t *c, expr_update_t *u, err_t *e)
{
    if (check_static(u, e) != 0 || check_targets(c, u, e) != 0)
        return -1;
    err_t last;
    err_clear(&last);
    for (size_t i = 0; i < u->n; i++) {
        err_t one;
        err_clear(&one);
        if (action_sem(c, &u->acts[i], &one) != 0)
            last = one;
    }
    if (last.code != ERR_NONE)
        return err_set(e, last.code, "%s", last.msg);
    u->paths.paths = arena_alloc(c->arena, (u->n ? u->n : 1) * sizeof(expr_path_t));
    for (size_t i = 0; i < u->n; i++)
        u->paths.paths[i] = u->acts[i].target->path;
    u->paths.n = u->n;
    return 0;
}
