/* search.c - the shape of a SearchConditionExpression (see expr.h). The
 * messages not in AWS's troubleshooting guide are ddbd's. */
#include "expr_internal.h"

static int add_equality(const expr_node_t *n, expr_equality_t *out, size_t max, size_t *count, err_t *e)
{
    const expr_node_t *x = n->args[0], *y = n->args[1];
    const expr_node_t *path = x->op == OP_PATH ? x : y, *val = x->op == OP_PATH ? y : x;
    if (path->op != OP_PATH || val->op != OP_VALUE)
        return err_set(e, ERR_VALIDATION,
                       "Invalid SearchConditionExpression: each condition must compare one attribute to a value");
    if (path->path.n != 1 || path->path.elems[0].is_index)
        return err_set(e, ERR_VALIDATION,
                       "Invalid SearchConditionExpression: only top-level attributes of the SearchSchema can be used");
    for (size_t i = 0; i < *count; i++)
        if (str_eq(out[i].name, path->path.elems[0].name))
            return err_set(e, ERR_VALIDATION,
                           "Invalid SearchConditionExpression: only one condition per attribute is allowed: %.*s",
                           STR_FMT(path->path.elems[0].name));
    if (*count == max)
        return err_set(e, ERR_VALIDATION, "Invalid SearchConditionExpression: too many conditions");
    out[(*count)++] = (expr_equality_t){path->path.elems[0].name, val->value};
    return 0;
}

static int collect(const expr_node_t *n, expr_equality_t *out, size_t max, size_t *count, err_t *e)
{
    if (n->op == OP_AND) /* depth bounded by the parser's limits */
        return collect(n->args[0], out, max, count, e) || collect(n->args[1], out, max, count, e) ? -1 : 0;
    if (n->op == OP_EQ)
        return add_equality(n, out, max, count, e);
    if (expr__is_compare(n->op) || n->op == OP_BETWEEN || n->op == OP_IN || n->op == OP_FUNC)
        return err_set(e, ERR_VALIDATION, "Invalid comparator used in SearchConditionExpression");
    return err_set(e, ERR_VALIDATION, "Invalid operator used in SearchConditionExpression: %s", expr__op_name(n));
}

int expr_equalities(const expr_node_t *cond, expr_equality_t *out, size_t max, size_t *n, err_t *e)
{
    *n = 0;
    return collect(cond, out, max, n, e);
}
