/* test_expr.c - the expression language: parsing, DynamoDB's messages,
 * evaluation, updates, projections and key conditions.
 *
 * Every expected message here was checked against DynamoDB Local (which
 * shares AWS's expression front end) unless a comment says otherwise. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expr/expr.h"

static arena_t A;

/* A placeholder set most tests share (no unused-key checks there). */
static const char *const V =
    "{\":s\":{\"S\":\"x\"},\":t\":{\"S\":\"y\"},\":e\":{\"S\":\"\"},\":n\":{\"N\":\"1\"},\":n2\":{\"N\":\"2\"},"
    "\":n5\":{\"N\":\"5\"},\":b\":{\"B\":\"AAAA\"},\":l\":{\"L\":[{\"S\":\"z\"}]},\":m\":{\"M\":{}},"
    "\":ss\":{\"SS\":[\"a\"]},\":ns\":{\"NS\":[\"1\"]},\":bs\":{\"BS\":[\"AA==\"]},\":tr\":{\"BOOL\":true},"
    "\":z\":{\"NULL\":true},\":x\":{\"N\":\"01.50\"},\":big\":{\"N\":\"99999999999999999999999999999999999999\"},\":"
    "huge\":{\"N\":\"9E+125\"}}";

static json_t *parse_json(const char *text)
{
    if (!text)
        return NULL;
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fprintf(stderr, "bad test JSON: %s: %s\n", text, je.text);
    return j;
}

/* The error message of err, or "OK"; copied into the arena. */
static const char *result(int rc, const err_t *e)
{
    if (rc == 0)
        return "OK";
    return arena_cstr(&A, str_from_cstr(e->msg));
}

static int ctx_from(expr_ctx_t *c, const char *names, const char *values, err_t *e)
{
    json_t *n = parse_json(names), *v = parse_json(values);
    int rc = expr_ctx_init(c, &A, n, v, e);
    json_decref(n);
    json_decref(v);
    return rc;
}

static const char *cond_kind(expr_kind_t kind, const char *expr, const char *names, const char *values)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    if (ctx_from(&c, names, values, &e) != 0)
        return result(-1, &e);
    expr_node_t *n;
    return result(expr_parse_condition(&c, kind, str_from_cstr(expr), &n, &e), &e);
}

static const char *cond(const char *expr) { return cond_kind(EXPR_CONDITION, expr, NULL, V); }

static const char *cond_nv(const char *expr, const char *names, const char *values)
{
    return cond_kind(EXPR_CONDITION, expr, names, values);
}

/* Parse with the given placeholders, then the unused check, as a request. */
static const char *cond_unused(const char *expr, const char *names, const char *values)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    if (ctx_from(&c, names, values, &e) != 0)
        return result(-1, &e);
    expr_node_t *n;
    if (expr_parse_condition(&c, EXPR_CONDITION, str_from_cstr(expr), &n, &e) != 0)
        return result(-1, &e);
    return result(expr_check_unused(&c, &e), &e);
}

static const char *upd_parse(const char *expr, const char *names)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    if (ctx_from(&c, names, V, &e) != 0)
        return result(-1, &e);
    expr_update_t *u;
    return result(expr_parse_update(&c, str_from_cstr(expr), &u, &e), &e);
}

static const char *proj_parse(const char *expr, const char *names)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    if (ctx_from(&c, names, NULL, &e) != 0)
        return result(-1, &e);
    expr_projection_t p;
    return result(expr_parse_projection(&c, str_from_cstr(expr), &p, &e), &e);
}

static value_t item_of(const char *json)
{
    value_t v = {.type = VT_M};
    err_t e;
    err_clear(&e);
    json_t *j = parse_json(json);
    if (j && item_from_json(&A, j, &v, &e) != 0)
        fprintf(stderr, "bad test item: %s: %s\n", json, e.msg);
    json_decref(j);
    return v;
}

static const char *item_text(const value_t *item)
{
    buf_t b = BUF_INIT;
    item_to_json(&b, item);
    const char *s = arena_cstr(&A, (str_t){b.data, b.len});
    buf_free(&b);
    return s;
}

/* 1 true, 0 false, -1 parse error. */
static int eval_on(const char *expr, const char *item_json)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    expr_node_t *n;
    if (ctx_from(&c, NULL, V, &e) != 0 || expr_parse_condition(&c, EXPR_CONDITION, str_from_cstr(expr), &n, &e) != 0) {
        return -1; /* the caller's check reports it */
    }
    value_t it = item_of(item_json);
    bool r = false;
    expr_eval(n, item_json ? &it : NULL, &r, &e);
    return r;
}

/* The updated item as JSON, or the error message. */
static const char *update_on(const char *expr, const char *item_json)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    expr_update_t *u;
    if (ctx_from(&c, NULL, V, &e) != 0 || expr_parse_update(&c, str_from_cstr(expr), &u, &e) != 0)
        return result(-1, &e);
    value_t it = item_of(item_json), out;
    if (expr_update_apply(&A, u, item_json ? &it : NULL, &out, &e) != 0)
        return result(-1, &e);
    return item_text(&out);
}

static const char *project_on(const char *expr, const char *item_json)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    expr_projection_t p;
    if (ctx_from(&c, NULL, NULL, &e) != 0 || expr_parse_projection(&c, str_from_cstr(expr), &p, &e) != 0)
        return result(-1, &e);
    value_t it = item_of(item_json);
    value_t out = expr_project(&A, &it, &p);
    return item_text(&out);
}

typedef struct tcase {
    const char *expr, *want;
} tcase_t;

#define RUN_CASES(fn, cases)                                                                                           \
    for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) {                                                 \
        const char *got_ = fn(cases[i_].expr);                                                                         \
        check_count++;                                                                                                 \
        if (strcmp(got_, cases[i_].want) != 0) {                                                                       \
            check_failures++;                                                                                          \
            fprintf(stderr, "%s:%d: %s(\"%s\")\n  got  \"%s\"\n  want \"%s\"\n", __FILE__, __LINE__, #fn,              \
                    cases[i_].expr, got_, cases[i_].want);                                                             \
        }                                                                                                              \
    }

#define CE "Invalid ConditionExpression: "

static void test_syntax_errors(void)
{
    static const tcase_t cases[] = {
        {"a = = b", CE "Syntax error; token: \"=\", near: \"= = b\""},
        {"a =  =   b", CE "Syntax error; token: \"=\", near: \"=  =   b\""},
        {"a", CE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"a =", CE "Syntax error; token: \"<EOF>\", near: \"=\""},
        {"(a = b", CE "Syntax error; token: \"<EOF>\", near: \"b\""},
        {"a = b)", CE "Syntax error; token: \")\", near: \"b)\""},
        {"a = b c", CE "Syntax error; token: \"c\", near: \"b c\""},
        {"a == b", CE "Syntax error; token: \"=\", near: \"== b\""},
        {"a = b AND", CE "Syntax error; token: \"<EOF>\", near: \"AND\""},
        {"a = b and c = d or", CE "Syntax error; token: \"<EOF>\", near: \"or\""},
        {"= b", CE "Syntax error; token: \"=\", near: \"= b\""},
        {"a <> ", CE "Syntax error; token: \"<EOF>\", near: \"<> \""},
        {"a = b)  ", CE "Syntax error; token: \")\", near: \"b)  \""},
        {"a   =   b   )   c", CE "Syntax error; token: \")\", near: \"b   )   c\""},
        {"a.b.", CE "Syntax error; token: \"<EOF>\", near: \".\""},
        {"a[1", CE "Syntax error; token: \"<EOF>\", near: \"1\""},
        {"a[x]", CE "Syntax error; token: \"x\", near: \"[x]\""},
        {"a[-1] = b", CE "Syntax error; token: \"-\", near: \"[-1\""},
        {"a[1.5] = b", CE "Syntax error; token: \".\", near: \"1.5\""},
        {"a[01] = c", CE "Syntax error; token: \"1\", near: \"01]\""},
        {"a @ b", CE "Syntax error; token: \"@\", near: \"a @ b\""},
        {"a = b;", CE "Syntax error; token: \";\", near: \"b;\""},
        {"#", CE "Syntax error; token: \"#\", near: \"#\""},
        {"a = #", CE "Syntax error; token: \"#\", near: \"= #\""},
        {"a = :", CE "Syntax error; token: \":\", near: \"= :\""},
        {"a = :s:t", CE "Syntax error; token: \":t\", near: \":s:t\""},
        {"a = b  =  c  ", CE "Syntax error; token: \"=\", near: \"b  =  c\""},
        {"NOT", CE "Syntax error; token: \"<EOF>\", near: \"NOT\""},
        {"not = b", CE "Syntax error; token: \"=\", near: \"not = b\""},
        {"a BETWEEN b", CE "Syntax error; token: \"<EOF>\", near: \"b\""},
        {"a BETWEEN b AND", CE "Syntax error; token: \"<EOF>\", near: \"AND\""},
        {"a BETWEEN b OR c", CE "Syntax error; token: \"OR\", near: \"b OR c\""},
        {"a IN ()", CE "Syntax error; token: \")\", near: \"()\""},
        {"a IN (b", CE "Syntax error; token: \"<EOF>\", near: \"b\""},
        {"a IN b", CE "Syntax error; token: \"b\", near: \"IN b\""},
        {"size(a) = ", CE "Syntax error; token: \"<EOF>\", near: \"= \""},
        {"attribute_exists()", CE "Syntax error; token: \")\", near: \"()\""},
        {"attribute_exists(a", CE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"size() = :n", CE "Syntax error; token: \")\", near: \"() =\""},
        {"a.1 = b", CE "Syntax error; token: \"1\", near: \".1 =\""},
        {"a.#", CE "Syntax error; token: \"#\", near: \".#\""},
        {"1 = a", CE "Syntax error; token: \"1\", near: \"1 =\""},
        {"a = 1", CE "Syntax error; token: \"1\", near: \"= 1\""},
        {"a = 'x'", CE "Syntax error; token: \"'\", near: \"= 'x\""},
        {"a\t=\nb =", CE "Syntax error; token: \"=\", near: \"b =\""},
        {"ab cd ef gh ij", CE "Syntax error; token: \"cd\", near: \"ab cd ef\""},
        {" = b", CE "Syntax error; token: \"=\", near: \" = b\""},
        {"  :  ", CE "Syntax error; token: \":\", near: \"  :  \""},
        {" a", CE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"   ", CE "Syntax error; token: \"<EOF>\", near: \"   \""},
        {"a-b = c", CE "Syntax error; token: \"-\", near: \"a-b\""},
        {"1a = c", CE "Syntax error; token: \"1\", near: \"1a\""},
        {"\xc3\xa9 = c", CE "Syntax error; token: \"\xc3\xa9\", near: \"\xc3\xa9 =\""},
        {"a\xc3\xa9 = c", CE "Syntax error; token: \"\xc3\xa9\", near: \"a\xc3\xa9 =\""},
        {"_a = b", CE "Syntax error; token: \"_\", near: \"_a\""},
        {"a._b = b", CE "Syntax error; token: \"_\", near: \"._b\""},
        {"a$ = c", CE "Syntax error; token: \"$\", near: \"a$ =\""},
        {"a< =b", CE "Syntax error; token: \"=\", near: \"< =b\""},
        {"a< >b", CE "Syntax error; token: \">\", near: \"< >b\""},
        {"a=<b", CE "Syntax error; token: \"<\", near: \"=<b\""},
        {"a!=b", CE "Syntax error; token: \"!\", near: \"a!=\""},
        {"a = b ,", CE "Syntax error; token: \",\", near: \"b ,\""},
        {"a = [1]", CE "Syntax error; token: \"[\", near: \"= [1\""},
        {"a = b[]", CE "Syntax error; token: \"]\", near: \"[]\""},
        {"a.[1] = b", CE "Syntax error; token: \"[\", near: \".[1\""},
        {"# a = b", CE "Syntax error; token: \"#\", near: \"# a\""},
        {"a = b ANDc = d", CE "Syntax error; token: \"ANDc\", near: \"b ANDc =\""},
        {"a = bAND c = d", CE "Syntax error; token: \"c\", near: \"bAND c =\""},
        {"a = b OR c = d AND e", CE "Syntax error; token: \"<EOF>\", near: \"e\""},
        {"a ORb", CE "Syntax error; token: \"ORb\", near: \"a ORb\""},
        {"a = b AND (c)", CE "Syntax error; token: \"<EOF>\", near: \")\""},
        {"SET = b", CE "Syntax error; token: \"SET\", near: \"SET =\""},
        {"set = b", CE "Syntax error; token: \"set\", near: \"set =\""},
        {"REMOVE = b", CE "Syntax error; token: \"REMOVE\", near: \"REMOVE =\""},
        {"and = b", CE "Syntax error; token: \"and\", near: \"and =\""},
        {"a = b AND or = c", CE "Syntax error; token: \"or\", near: \"AND or =\""},
        {"A.AND = b", CE "Syntax error; token: \"AND\", near: \".AND =\""},
        {"in = b", CE "Syntax error; token: \"in\", near: \"in =\""},
        {"add = b", CE "Syntax error; token: \"add\", near: \"add =\""},
        {"a = b AND c = d AND e", CE "Syntax error; token: \"<EOF>\", near: \"e\""},
        {"a =\x7f"
         "b",
         CE "Syntax error; token: \"\x7f\", near: \"=\x7f"
            "b\""},
    };
    RUN_CASES(cond, cases);
    /* Valid spellings. */
    static const tcase_t ok[] = {
        {"a_b = c", "OK"},
        {"a1 = c", "OK"},
        {"A.B = c", "OK"},
        {"a[2147483647] = c", "OK"},
        {"a\r= c", "OK"},
        {"a=b", "OK"},
        {"a<>b", "OK"},
        {"a<=b", "OK"},
        {"a>=b", "OK"},
        {"a = b\n", "OK"},
        {"\ta = b", "OK"},
        {"a IN(b)", "OK"},
        {"a IN(b,c)", "OK"},
        {"a BETWEEN(b)AND(c)", "OK"},
        {"NOT(a = b)", "OK"},
        {"attribute_exists (a)", "OK"},
        {"a.b.c[1][2].d = e", "OK"},
        {"a [1] = b", "OK"},
        {"a . b = c", "OK"},
        {"a[ 1 ] = b", "OK"},
        {"Size = b", "OK"},
        {"size = b", "OK"},
        {"convert = b", "OK"},
        {"a.size = b", "OK"},
        {"attribute_exists = b", "OK"},
        {"a = foo", "OK"},
        {"NOT NOT a = b", "OK"},
        {"(a) = b", "OK"},
        {"a = (b)", "OK"},
        {"(a) = (b)", "OK"},
        {"(a = b) AND (c = d)", "OK"},
        {"(a = b AND c = d)", "OK"},
        {"((a = b) AND c = d)", "OK"},
        {"(NOT a = b)", "OK"},
        {"a IN ((b), (c))", "OK"},
        {"(attribute_exists(a))", "OK"},
        {"(size(a)) = :n", "OK"},
        {"attribute_exists((a))", "OK"},
        {"size((a)) = :n", "OK"},
        {"begins_with(a, (:s))", "OK"},
        {"a between b and c", "OK"},
        {"a = b Or c = d", "OK"},
        {"a in (b)", "OK"},
    };
    RUN_CASES(cond, ok);
}

static void test_limits(void)
{
    CHECK_STR(cond(""), CE "The expression can not be empty;");
    char *big = malloc(5000);
    memcpy(big, "a = b", 5);
    memset(big + 5, ' ', 4091);
    big[4096] = '\0';
    CHECK_STR(cond(big), "OK");
    big[4096] = ' ';
    big[4097] = '\0';
    CHECK_STR(cond(big), CE "Expression size has exceeded the maximum allowed size; expression size: 4097");
    CHECK_STR(cond_kind(EXPR_FILTER, big, NULL, V),
              "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
    CHECK_STR(upd_parse(big, NULL), "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;");
    CHECK_STR(proj_parse(big, NULL),
              "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;");
    /* The size is counted in UTF-16 code units: 4096 of them in 4097 bytes pass. */
    memset(big + 5, ' ', 4089);
    memcpy(big + 4094, "\xc3\xa9", 3);
    {
        char want[4200];
        int len = snprintf(want, sizeof want, CE "Syntax error; token: \"\xc3\xa9\", near: \"b%*s\xc3\xa9\"", 4089, "");
        CHECK(len > 0);
        /* err_t holds ERR_MSG_MAX bytes: the long "near" is cut there. */
        CHECK(strncmp(cond(big), want, ERR_MSG_MAX - 1) == 0);
    }

    /* Path nesting: 32 levels pass, 33 fail. */
    buf_t b = BUF_INIT;
    buf_puts(&b, "a");
    for (int i = 1; i < 32; i++)
        buf_puts(&b, ".a");
    buf_puts(&b, " = b");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), "OK");
    buf_reset(&b);
    buf_puts(&b, "a");
    for (int i = 0; i < 32; i++)
        buf_puts(&b, "[0]");
    buf_puts(&b, " = b");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "The document path has too many nesting levels; nesting levels: 33");

    /* 300 operators pass, 301 fail, whatever the operators are. */
    buf_reset(&b);
    for (int i = 0; i < 299; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "a = b");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), "OK");
    buf_reset(&b);
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "a = b");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "The expression contains too many operators; operator count: 301");
    buf_reset(&b);
    for (int i = 0; i < 299; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "attribute_exists(a)");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), "OK");
    buf_reset(&b);
    for (int i = 0; i < 299; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "size(a) = b");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "The expression contains too many operators; operator count: 301");
    /* Operator count comes last: other errors first. */
    buf_reset(&b);
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "NOT ");
    buf_puts(&b, "a = a");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data),
              CE "The first operand must be distinct from the remaining operands for this operator or function; "
                 "operator: =, first operand: [a]");

    /* IN takes at most 100 operands. */
    buf_reset(&b);
    buf_puts(&b, "a IN (b0");
    for (int i = 1; i < 100; i++)
        buf_printf(&b, ",b%d", i);
    buf_puts(&b, ")");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), "OK");
    b.len--;
    b.data[b.len - 1] = ',';
    buf_puts(&b, "b100)");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "The IN operator is provided with too many operands; number of operands: 101");

    /* Deep nesting parses (DynamoDB accepts 2000 levels) without harm. */
    buf_reset(&b);
    for (int i = 0; i < 2000; i++)
        buf_putc(&b, '(');
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "Syntax error; token: \"<EOF>\", near: \"(\"");
    buf_reset(&b);
    buf_puts(&b, "a = ");
    for (int i = 0; i < 2000; i++)
        buf_putc(&b, '(');
    buf_puts(&b, "b");
    for (int i = 0; i < 2000; i++)
        buf_putc(&b, ')');
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "The expression has redundant parentheses;");
    buf_reset(&b);
    for (int i = 0; i < 1000; i++)
        buf_puts(&b, "NOT ");
    buf_putc(&b, '\0');
    CHECK_STR(cond(b.data), CE "Syntax error; token: \"<EOF>\", near: \"NOT \"");
    buf_free(&b);
    free(big);

    CHECK_STR(cond("a[99999999999] = c"), CE "List index is not within the allowable range; index: [99999999999]");
    CHECK_STR(cond("a[2147483648] = c"), CE "List index is not within the allowable range; index: [2147483648]");
    CHECK_STR(upd_parse("SET a[99999999999] = :s", NULL),
              "Invalid UpdateExpression: List index is not within the allowable range; index: [99999999999]");
    CHECK_STR(proj_parse("a[99999999999]", NULL),
              "Invalid ProjectionExpression: List index is not within the allowable range; index: [99999999999]");
}

static void test_placeholders(void)
{
    CHECK_STR(cond_nv("a = :v", NULL, NULL),
              CE "An expression attribute value used in expression is not defined; attribute value: :v");
    CHECK_STR(cond_nv("a = #zz", NULL, NULL),
              CE "An expression attribute name used in the document path is not defined; attribute name: #zz");
    CHECK_STR(cond_nv("a = #zz AND b = :zz", NULL, NULL),
              CE "An expression attribute name used in the document path is not defined; attribute name: #zz");
    CHECK_STR(cond_nv("b = :zz AND a = #zz", NULL, NULL),
              CE "An expression attribute value used in expression is not defined; attribute value: :zz");
    CHECK_STR(cond_nv("a = b", "{}", NULL), "ExpressionAttributeNames must not be empty");
    CHECK_STR(cond_nv("a = b", NULL, "{}"), "ExpressionAttributeValues must not be empty");
    CHECK_STR(cond_nv("a = b", "{}", "{}"), "ExpressionAttributeNames must not be empty");
    CHECK_STR(cond_nv("a = b", "{\"#\\u00e9\":\"x\"}", "{}"),
              "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\xc3\xa9\"");
    CHECK_STR(cond_nv("a = b", "{}", "{\":\\u00e9\":{\"S\":\"x\"}}"), "ExpressionAttributeNames must not be empty");
    CHECK_STR(cond_nv("a = b", "{\"#a\":\"x\"}", "{}"), "ExpressionAttributeValues must not be empty");
    CHECK_STR(cond_nv("a = b", "{\"#a\":\"\"}", "{}"), "ExpressionAttributeValues must not be empty");
    CHECK_STR(cond_nv("a = b", "{\"#a\":\"\"}", "{\":\\u00e9\":{\"S\":\"x\"}}"),
              "ExpressionAttributeValues contains invalid key: Syntax error; key: \":\xc3\xa9\"");
    CHECK_STR(cond_nv("a = b", "{\"#a\":\"\"}", "{\":a\":{}}"),
              "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain "
              "exactly one of the supported datatypes for key :a");
    CHECK_STR(cond_nv("a = b", "{\"#b\":\"\",\"#a\":\"\"}", NULL),
              "ExpressionAttributeNames contains invalid value: Empty attribute name for key #b");
    static const char *const bad_names[] = {"#", "#a-b", "a", "##a", "#a b", "#a.b"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        char names[64], want[128];
        snprintf(names, sizeof names, "{\"%s\":\"x\"}", bad_names[i]);
        snprintf(want, sizeof want, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%s\"",
                 bad_names[i]);
        CHECK_STR(cond_nv("a = b", names, NULL), want);
    }
    static const char *const bad_values[] = {":", ":a-b", "a", "::a", ":a b"};
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        char values[64], want[128];
        snprintf(values, sizeof values, "{\"%s\":{\"S\":\"x\"}}", bad_values[i]);
        snprintf(want, sizeof want, "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%s\"",
                 bad_values[i]);
        CHECK_STR(cond_nv("a = b", NULL, values), want);
    }
    /* Digits and underscores are fine; surrounding blanks are skipped. */
    CHECK_STR(cond_unused("a = b", "{\"#1\":\"x\"}", NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#1}");
    CHECK_STR(cond_unused("a = b", "{\"#_\":\"x\"}", NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#_}");
    CHECK_STR(cond_unused("a = b", "{\" #a\":\"x\"}", NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: { #a}");
    CHECK_STR(cond_unused("a = #a", "{\" #a\":\"x\"}", NULL),
              CE "An expression attribute name used in the document path is not defined; attribute name: #a");
    CHECK_STR(cond_unused("a = b", NULL, "{\":1\":{\"S\":\"x\"}}"),
              "Value provided in ExpressionAttributeValues unused in expressions: keys: {:1}");
    CHECK_STR(cond_unused("a = :v", NULL, "{\":v\":{\"S\":\"x\"},\":w\":{\"S\":\"y\"}}"),
              "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
    /* Unused keys come in Java HashSet order. */
    CHECK_STR(cond_unused("a = b", "{\"#b\":\"x\",\"#a\":\"y\",\"#c\":\"z\"}", NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c, #a, #b}");
    CHECK_STR(cond_unused("a = b", "{\"#a\":\"x\",\"#b\":\"y\"}", NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
    CHECK_STR(cond_unused("a = b", NULL, "{\":b\":{\"S\":\"x\"},\":a\":{\"S\":\"y\"}}"),
              "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b}");
    CHECK_STR(
        cond_unused("a = b",
                    "{\"#k0\":\"x\",\"#k1\":\"x\",\"#k2\":\"x\",\"#k3\":\"x\",\"#k4\":\"x\",\"#k5\":\"x\",\"#k6\":"
                    "\"x\",\"#k7\":\"x\",\"#k8\":\"x\",\"#k9\":\"x\",\"#k10\":\"x\",\"#k11\":\"x\",\"#k12\":\"x\"}",
                    NULL),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#k0, #k1, #k2, #k3, #k4, #k5, "
        "#k6, #k7, #k8, #k9, #k10, #k12, #k11}");
    CHECK_STR(cond_unused("a = #c AND #k = b",
                          "{\"#a\":\"x\",\"#b\":\"x\",\"#c\":\"x\",\"#d\":\"x\",\"#e\":\"x\",\"#f\":\"x\",\"#g\":\"x\","
                          "\"#h\":\"x\",\"#i\":\"x\",\"#j\":\"x\",\"#k\":\"x\",\"#l\":\"x\",\"#m\":\"x\",\"#n\":\"x\","
                          "\"#o\":\"x\",\"#p\":\"x\",\"#q\":\"x\"}",
                          NULL),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#d, #e, #f, #g, #h, #i, #j, "
              "#l, #m, #n, #o, #p, #q, #a, #b}");
    /* Names are reported before values. */
    CHECK_STR(cond_unused("a = :s", "{\"#q\":\"x\"}", "{\":s\":{\"S\":\"x\"},\":t\":{\"S\":\"y\"}}"),
              "Value provided in ExpressionAttributeNames unused in expressions: keys: {#q}");
    /* Name values: too long, null. */
    char *longname = malloc(70100);
    strcpy(longname, "{\"#b\":\"");
    memset(longname + 7, 'e', 65536);
    strcpy(longname + 7 + 65536, "\"}");
    CHECK_STR(cond_nv("a = #b", longname, NULL),
              "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 "
              "bytes for key #b");
    strcpy(longname + 7 + 65535, "\"}");
    CHECK_STR(cond_nv("a = #b", longname, NULL), "OK");
    free(longname);
    CHECK_STR(cond_nv("a = #a", "{\"#a\":null}", NULL),
              "ExpressionAttributeNames contains invalid value: null for key #a");
    CHECK_STR(cond_nv("a = :a", NULL, "{\":a\":null}"),
              "ExpressionAttributeValues contains invalid value: The supplied Item contains a null AttributeValue for "
              "key :a");
    /* A name through a placeholder may be anything, reserved words too. */
    CHECK_STR(cond_unused("#a = :v", "{\"#a\":\"abort\"}", "{\":v\":{\"S\":\"x\"}}"), "OK");
}

static void test_semantic_errors(void)
{
    static const tcase_t cases[] = {
        {"size(a)", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"foo(a)", CE "Invalid function name; function: foo"},
        {"ATTRIBUTE_EXISTS(a)", CE "Invalid function name; function: ATTRIBUTE_EXISTS"},
        {"attribute_exists(:s)",
         CE "Operator or function requires a document path; operator or function: attribute_exists"},
        {"attribute_exists(a, b)",
         CE "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of "
            "operands: 2"},
        {"attribute_not_exists(size(a))",
         CE "Operator or function requires a document path; operator or function: attribute_not_exists"},
        {"attribute_type(a)",
         CE "Incorrect number of operands for operator or function; operator or function: attribute_type, number of "
            "operands: 1"},
        {"attribute_type(a, :n)",
         CE "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
        {"attribute_type(a, :s)",
         CE "Invalid attribute type name found; type: x, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"},
        {"attribute_type(a, :z)", CE
         "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: NULL"},
        {"attribute_type(a, b)",
         CE "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: "
            "{N,SS,NULL,L,DICT,M,DOUBLE,BS,FS,HDS,DOUBLESET,BOOL,HD,INTSET,S,DECIMALSET,FLOAT,INT,B,DECIMAL,NS}"},
        {"attribute_type(a, size(b))",
         CE "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
        {"attribute_type(a, a)",
         CE "The first operand must be distinct from the remaining operands for this operator or function; operator: "
            "attribute_type, first operand: [a]"},
        {"begins_with(a)", CE "Incorrect number of operands for operator or function; operator or function: "
                              "begins_with, number of operands: 1"},
        {"begins_with(a, :n)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {"begins_with(:n, a)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {"begins_with(a, :ss)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"},
        {"begins_with(a, :l)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: L"},
        {"begins_with(a, :tr)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: BOOL"},
        {"begins_with(size(a), :s)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {"begins_with(:n, :l)",
         CE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {"begins_with(a, a)",
         CE "The first operand must be distinct from the remaining operands for this operator or function; operator: "
            "begins_with, first operand: [a]"},
        {"contains(a)", CE "Incorrect number of operands for operator or function; operator or function: contains, "
                           "number of operands: 1"},
        {"contains(a, a)",
         CE "The first operand must be distinct from the remaining operands for this operator or function; operator: "
            "contains, first operand: [a]"},
        {"size(a, b) = :n",
         CE "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
        {"size(size(a)) = :n",
         CE "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
        {"size(:n) = :n",
         CE "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
        {"size(:tr) = :n",
         CE "Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
        {"size(:z) = :n",
         CE "Incorrect operand type for operator or function; operator or function: size, operand type: NULL"},
        {"attribute_exists(a) = :n",
         CE "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"a = attribute_exists(b)",
         CE "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"a IN (attribute_exists(b))",
         CE "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"begins_with(attribute_exists(a), :s)",
         CE "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"NOT size(a)", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"(size(a))", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"if_not_exists(a, b) = c",
         CE "The function is not allowed in a condition expression; function: if_not_exists"},
        {"a = if_not_exists(a, b)",
         CE "The function is not allowed in a condition expression; function: if_not_exists"},
        {"list_append(a, b)", CE "The function is not allowed in a condition expression; function: list_append"},
        {"size(if_not_exists(a, b)) = :n",
         CE "The function is not allowed in a condition expression; function: if_not_exists"},
        {"a BETWEEN :n AND :s",
         CE "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
            "AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"},
        {"a BETWEEN :b AND :s", CE
         "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
         "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]}, upper bound operand: AttributeValue: {S:x}"},
        {"a BETWEEN :x AND :s",
         CE "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
            "AttributeValue: {N:01.50}, upper bound operand: AttributeValue: {S:x}"},
        {"a BETWEEN :n5 AND :n", CE
         "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: "
         "AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"},
        {"a BETWEEN :t AND :s", CE
         "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: "
         "AttributeValue: {S:y}, upper bound operand: AttributeValue: {S:x}"},
        {":n BETWEEN :n5 AND :n", CE
         "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: "
         "AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"},
        {"a BETWEEN :l AND :l",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
        {"a BETWEEN :s AND :l",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
        {"a between :l and :l",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
        {"a BETWEEN :ns AND :n",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: NS"},
        {":l BETWEEN :n AND :n",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
        {"a BETWEEN :tr AND :tr",
         CE "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"},
        {"a = a", CE "The first operand must be distinct from the remaining operands for this operator or function; "
                     "operator: =, first operand: [a]"},
        {"a <> a", CE "The first operand must be distinct from the remaining operands for this operator or function; "
                      "operator: <>, first operand: [a]"},
        {"a BETWEEN a AND b", CE "The first operand must be distinct from the remaining operands for this operator or "
                                 "function; operator: BETWEEN, first operand: [a]"},
        {"a BETWEEN b AND a", CE "The first operand must be distinct from the remaining operands for this operator or "
                                 "function; operator: BETWEEN, first operand: [a]"},
        {"a IN (b, a)", CE "The first operand must be distinct from the remaining operands for this operator or "
                           "function; operator: IN, first operand: [a]"},
        {"a in (a)", CE "The first operand must be distinct from the remaining operands for this operator or function; "
                        "operator: IN, first operand: [a]"},
        {"a.b = a.b", CE "The first operand must be distinct from the remaining operands for this operator or "
                         "function; operator: =, first operand: [a, b]"},
        {"a[1] = a[1]", CE "The first operand must be distinct from the remaining operands for this operator or "
                           "function; operator: =, first operand: [a, [1]]"},
        {"a.b[1].c = a.b[1].c", CE "The first operand must be distinct from the remaining operands for this operator "
                                   "or function; operator: =, first operand: [a, b, [1], c]"},
        {"a < :l", CE "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
        {"a < :m", CE "Incorrect operand type for operator or function; operator or function: <, operand type: M"},
        {"a <= :ss", CE "Incorrect operand type for operator or function; operator or function: <=, operand type: SS"},
        {"a > :bs", CE "Incorrect operand type for operator or function; operator or function: >, operand type: BS"},
        {"a >= :ns", CE "Incorrect operand type for operator or function; operator or function: >=, operand type: NS"},
        {"a < :z", CE "Incorrect operand type for operator or function; operator or function: <, operand type: NULL"},
        {":l < a", CE "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
        {"((a = b))", CE "The expression has redundant parentheses;"},
        {"NOT ((a = b))", CE "The expression has redundant parentheses;"},
        {"((a)) = b", CE "The expression has redundant parentheses;"},
        {"a IN (((b)))", CE "The expression has redundant parentheses;"},
        {"((attribute_exists(a)))", CE "The expression has redundant parentheses;"},
        {"attribute_exists(((a)))", CE "The expression has redundant parentheses;"},
        {"abort = b", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"Abort = b", CE "Attribute name is a reserved keyword; reserved keyword: Abort"},
        {"a.abort = b", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"a[1].abort = b", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"attribute_exists(abort)", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"size(a.abort) = :n", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"abort(a)", CE "Invalid function name; function: abort"},
        {"missing = b", CE "Attribute name is a reserved keyword; reserved keyword: missing"},
        {"ZONE = b", CE "Attribute name is a reserved keyword; reserved keyword: ZONE"},
        /* Phase order. */
        {"a = b AND size = :zz",
         CE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"attribute_exists(#zz, b)",
         CE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
        {"size(#zz)", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"a = attribute_exists(#zz)",
         CE "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"size = = b", CE "Syntax error; token: \"=\", near: \"= = b\""},
        {"foo(size)", CE "Invalid function name; function: foo"},
        {"foo(abort)", CE "Invalid function name; function: foo"},
        {"foo(#zz)", CE "Invalid function name; function: foo"},
        {"foo(a) AND size(b)", CE "Invalid function name; function: foo"},
        {"size(b) AND foo(a)", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"abort = b AND foo(a)", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"foo(a) AND abort = b", CE "Invalid function name; function: foo"},
        {"abort = #zz", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"#zz = abort", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"((a = b)) AND foo(a)", CE "The expression has redundant parentheses;"},
        {"abort = c AND ((a = b))", CE "The expression has redundant parentheses;"},
        {"attribute_exists(a, b) AND c = :zz", CE "Incorrect number of operands for operator or function; operator or "
                                                  "function: attribute_exists, number of operands: 2"},
        {"c < :l AND attribute_exists(a, b)",
         CE "Incorrect operand type for operator or function; operator or function: <, operand type: L"},
        {"a = a AND attribute_exists(a, b)", CE "The first operand must be distinct from the remaining operands for "
                                                "this operator or function; operator: =, first operand: [a]"},
        {"a = a AND size(a)", CE "The function is not allowed to be used this way in an expression; function: size"},
        {"size(a) = :n AND size(:n) = :n",
         CE "Incorrect operand type for operator or function; operator or function: size, operand type: N"},
        {"a[99999999999] = abort", CE "List index is not within the allowable range; index: [99999999999]"},
        {"abort = a[99999999999]", CE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"a[99999999999] = c AND foo(a)", CE "List index is not within the allowable range; index: [99999999999]"},
        {"a[99999999999] = c AND ((a = b))", CE "The expression has redundant parentheses;"},
        {"#zz IN (b)", CE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
    };
    RUN_CASES(cond, cases);
    static const tcase_t ok[] = {
        {"size(:s) = :n", "OK"},
        {"size(:l) > :n", "OK"},
        {"contains(:s, :s)", "OK"},
        {"contains(a, :n)", "OK"},
        {"begins_with(a, :b)", "OK"},
        {"a = :l", "OK"},
        {"a <> :m", "OK"},
        {":n = :n", "OK"},
        {":s < :n", "OK"},
        {"a BETWEEN b AND b", "OK"},
        {"a IN (b, b)", "OK"},
        {"a IN (:s, :s)", "OK"},
        {"a IN (:l, :m)", "OK"},
        {"size(a) = size(a)", "OK"},
        {"a.b = a.c", "OK"},
        {"size(a) IN (size(b), :n)", "OK"},
        {"a BETWEEN :s AND size(b)", "OK"},
        {"a BETWEEN size(b) AND :s", "OK"},
        {"contains(size(a), :n)", "OK"},
        {"attribute_exists(a) AND attribute_exists(a)", "OK"},
        {"a = b OR a = b", "OK"},
        {"a = :s AND a = :s", "OK"},
    };
    RUN_CASES(cond, ok);
    CHECK_STR(cond_nv("#a = a", "{\"#a\":\"a\"}", NULL),
              CE "The first operand must be distinct from the remaining operands for this operator or function; "
                 "operator: =, first operand: [a]");
}

/* Evaluation: each case was a ConditionExpression against a stored item. */
static void test_eval(void)
{
    const char *it =
        "{\"s\":{\"S\":\"abc\"},\"e\":{\"S\":\"\"},\"n\":{\"N\":\"5\"},\"n2\":{\"N\":\"5.0\"},\"b\":{\"B\":\"AQID\"},"
        "\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true},\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"},{\"L\":[{\"N\":\"1\"}]}]"
        "},"
        "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"s\":{\"S\":\"x\"}}},\"ss\":{\"SS\":[\"x\",\"d\"]},\"ns\":{\"NS\":[\"1\","
        "\"2.0\"]},\"bs\":{\"BS\":[\"AQ==\",\"Ag==\"]},\"el\":{\"L\":[]},\"u\":{\"S\":\"\xc3\xbc\xe2\x82\xac\"},"
        "\"emoji\":{\"S\":\"\xf0\x9f\x98\x80\"}}";
    static const struct {
        const char *expr;
        int want;
    } cases[] = {
        {"s = :s", 0},
        {"l[1] = :s", 1},
        {"n = :n5", 1},
        {"n2 = :n5", 1},
        {"n = :n", 0},
        {"t = :tr", 1},
        {"z = :z", 1},
        {"ss = :ss", 0},
        {"s <> :n", 1},
        {"s < :n", 0},
        {"n > :n", 1},
        {"s > :s", 0},
        {"e < :s", 1},
        {"e = :e", 1},
        {"el = :e", 0},
        {"n BETWEEN :n AND :n5", 1},
        {"s BETWEEN :n AND :n2", 0},
        {"n IN (:s, :n5)", 1},
        {"n IN (:s)", 0},
        {"z IN (:z)", 1},
        {"begins_with(s, :e)", 1},
        {"begins_with(e, :e)", 1},
        {"begins_with(n, :s)", 0},
        {"begins_with(nope, :s)", 0},
        {"begins_with(m.s, :s)", 1},
        {"contains(s, :e)", 1},
        {"contains(ss, :s)", 1},
        {"contains(ss, :t)", 0},
        {"contains(ns, :n)", 1},
        {"contains(ns, :n2)", 1},
        {"contains(l, :n)", 1},
        {"contains(l, :s)", 1},
        {"contains(m, :s)", 0},
        {"contains(n, :n5)", 0},
        {"contains(ss, :ss)", 0},
        {"contains(ss, m.s)", 1},
        {"contains(l, m.x)", 1},
        {"size(s) = :n", 0},
        {"size(l) > :n2", 1},
        {"size(m) = :n2", 1},
        {"size(ss) = :n2", 1},
        {"size(bs) = :n2", 1},
        {"size(n) = :n", 0},
        {"size(n) <> :n", 1},
        {"size(nope) <> :n", 1},
        {"size(u) = :n2", 1},
        {"size(emoji) = :n2", 1},
        {"size(b) > :n2", 1},
        {"size(el) < :n", 1},
        {"attribute_exists(s)", 1},
        {"attribute_exists(l[0])", 1},
        {"attribute_exists(l[5])", 0},
        {"attribute_exists(m.x)", 1},
        {"attribute_exists(m.q)", 0},
        {"attribute_exists(s.x)", 0},
        {"attribute_not_exists(nope)", 1},
        {"attribute_exists(l[2][0])", 1},
        {"nope = :n", 0},
        {"nope <> :n", 1},
        {"NOT nope = :n", 1},
        {"nope < :n", 0},
        {"NOT nope < :n", 1},
        {"nope IN (:n)", 0},
        {"nope BETWEEN :n AND :n", 0},
        {"s <> nope", 1},
        {"nope <> nope2", 1},
        {"size(nope) <> size(nope2)", 1},
        {"m.x = :n", 1},
        {"l[2][0] = :n", 1},
        {"m.x < :n2", 1},
        {"NOT s = :s AND n = :n5", 1},
        {"s = :s OR n = :n5 AND t = :tr", 1},
        {"(s = :s OR n = :n5) AND t = :z", 0},
        {"NOT (s = :s OR n = :n)", 1},
        {"s = :s OR NOT n = :n", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = eval_on(cases[i].expr, it);
        check_count++;
        if (got != cases[i].want) {
            check_failures++;
            fprintf(stderr, "%s:%d: eval(\"%s\") = %d, want %d\n", __FILE__, __LINE__, cases[i].expr, got,
                    cases[i].want);
        }
    }
    CHECK(eval_on("attribute_type(ss, :tt)", it) == -1); /* :tt undefined */
    /* attribute_type with each type name. */
    const char *names[] = {"s:S", "n:N", "b:B", "t:BOOL", "z:NULL", "l:L", "m:M", "ss:SS", "ns:NS", "bs:BS"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char expr[64], values[96];
        const char *colon = strchr(names[i], ':');
        snprintf(expr, sizeof expr, "attribute_type(%.*s, :t)", (int)(colon - names[i]), names[i]);
        snprintf(values, sizeof values, "{\":t\":{\"S\":\"%s\"}}", colon + 1);
        expr_ctx_t c;
        err_t e;
        err_clear(&e);
        expr_node_t *n;
        CHECK(ctx_from(&c, NULL, values, &e) == 0);
        CHECK(expr_parse_condition(&c, EXPR_CONDITION, str_from_cstr(expr), &n, &e) == 0);
        value_t v = item_of(it);
        bool r = false;
        expr_eval(n, &v, &r, &e);
        CHECK(r);
    }
    /* A missing item: every path is missing. */
    CHECK(eval_on("attribute_not_exists(a)", NULL) == 1);
    CHECK(eval_on("a = :s", NULL) == 0);
    CHECK(eval_on("a <> :s", NULL) == 1);
}

#define UE "Invalid UpdateExpression: "
#define PE "Invalid ProjectionExpression: "

static void test_update_parse(void)
{
    static const tcase_t cases[] = {
        {"", UE "The expression can not be empty;"},
        {"SET", UE "Syntax error; token: \"<EOF>\", near: \"SET\""},
        {"SET a", UE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"SET a =", UE "Syntax error; token: \"<EOF>\", near: \"=\""},
        {"SET a = :s, SET b = :s", UE "Syntax error; token: \"SET\", near: \", SET b\""},
        {"SET a = :s,", UE "Syntax error; token: \"<EOF>\", near: \",\""},
        {"ADD a = :n", UE "Syntax error; token: \"=\", near: \"a = :n\""},
        {"ADD a", UE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"DELETE a", UE "Syntax error; token: \"<EOF>\", near: \"a\""},
        {"SET a = :n + :n + :n", UE "Syntax error; token: \"+\", near: \":n + :n\""},
        {"SET :s = a", UE "Syntax error; token: \":s\", near: \"SET :s =\""},
        {"SET a + :n = b", UE "Syntax error; token: \"+\", near: \"a + :n\""},
        {"SET a = b c", UE "Syntax error; token: \"c\", near: \"b c\""},
        {"SET a = :n, REMOVE b", UE "Syntax error; token: \"REMOVE\", near: \", REMOVE b\""},
        {"SET a = :n REMOVE", UE "Syntax error; token: \"<EOF>\", near: \"REMOVE\""},
        {"ADD a b", UE "Syntax error; token: \"b\", near: \"a b\""},
        {"ADD a size(b)", UE "Syntax error; token: \"size\", near: \"a size(\""},
        {"DELETE a b", UE "Syntax error; token: \"b\", near: \"a b\""},
        {"REMOVE :s", UE "Syntax error; token: \":s\", near: \"REMOVE :s\""},
        {"REMOVE size(a)", UE "Syntax error; token: \"(\", near: \"size(a\""},
        {"SET a = :n AND b = :n", UE "Syntax error; token: \"AND\", near: \":n AND b\""},
        {"foo a = :n", UE "Syntax error; token: \"foo\", near: \"foo a\""},
        {"SET (a) = :s", UE "Syntax error; token: \"(\", near: \"SET (a\""},
        {"SET a = if_not_exists(a, :n + :n)", UE "Syntax error; token: \"+\", near: \":n + :n\""},
        {"SET a = :n + (:n + :n)", UE "Syntax error; token: \"+\", near: \":n + :n\""},
        {"SET a = NOT", UE "Syntax error; token: \"NOT\", near: \"= NOT\""},
        {"SET a = :s SET b = :s", UE "The \"SET\" section can only be used once in an update expression;"},
        {"REMOVE b REMOVE c", UE "The \"REMOVE\" section can only be used once in an update expression;"},
        {"ADD a :n ADD b :n", UE "The \"ADD\" section can only be used once in an update expression;"},
        {"DELETE a :ss DELETE b :ss", UE "The \"DELETE\" section can only be used once in an update expression;"},
        {"SET a = :n REMOVE b SET c = :n", UE "The \"SET\" section can only be used once in an update expression;"},
        {"SET a = :s, a = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                  "paths; path one: [a], path two: [a]"},
        {"SET a = :s, a.b = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                    "paths; path one: [a], path two: [a, b]"},
        {"SET a.b = :s, a = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                    "paths; path one: [a, b], path two: [a]"},
        {"SET a = :s REMOVE a.b", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                     "paths; path one: [a], path two: [a, b]"},
        {"SET a[1] = :s REMOVE a[1]", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                         "these paths; path one: [a, [1]], path two: [a, [1]]"},
        {"ADD a :n DELETE a :ss", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                     "paths; path one: [a], path two: [a]"},
        {"REMOVE a, a.b", UE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                             "path one: [a], path two: [a, b]"},
        {"SET a.b = :s, a[0] = :s", UE "Two document paths conflict with each other; must remove or rewrite one of "
                                       "these paths; path one: [a, b], path two: [a, [0]]"},
        {"SET l[1] = :s, l[1].a = :s", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                          "these paths; path one: [l, [1]], path two: [l, [1], a]"},
        {"REMOVE a SET a.b = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                     "paths; path one: [a], path two: [a, b]"},
        {"ADD a.b :n SET a = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                     "paths; path one: [a, b], path two: [a]"},
        {"REMOVE a.b.c, a[0].d", UE "Two document paths conflict with each other; must remove or rewrite one of these "
                                    "paths; path one: [a, b, c], path two: [a, [0], d]"},
        {"REMOVE a[0].b, a[0][1]", UE "Two document paths conflict with each other; must remove or rewrite one of "
                                      "these paths; path one: [a, [0], b], path two: [a, [0], [1]]"},
        /* DynamoDB's choice of pair when several paths clash. */
        {"SET a.b = :s, a.b.c = :s, a = :s", UE "Two document paths overlap with each other; must remove or rewrite "
                                                "one of these paths; path one: [a, b, c], path two: [a]"},
        {"SET a = :s, a.b = :s, a.b.c = :s", UE "Two document paths overlap with each other; must remove or rewrite "
                                                "one of these paths; path one: [a, b], path two: [a, b, c]"},
        {"SET a.b = :s REMOVE a, a.b.c", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                            "these paths; path one: [a], path two: [a, b, c]"},
        {"REMOVE a, b, a", UE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                              "path one: [a], path two: [b]"},
        {"REMOVE b, a, a", UE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                              "path one: [a], path two: [a]"},
        {"REMOVE a, bb, a", UE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                               "path one: [a], path two: [a]"},
        {"REMOVE aa, bb, aa", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                 "paths; path one: [aa], path two: [aa]"},
        {"REMOVE a.b, b.c, a", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                  "paths; path one: [a, b], path two: [b, c]"},
        {"REMOVE b.c, a, b", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                "paths; path one: [b, c], path two: [b]"},
        {"REMOVE c, a, b, a", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                 "paths; path one: [a], path two: [b]"},
        {"REMOVE a, b, a, c", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                 "paths; path one: [a], path two: [c]"},
        {"REMOVE a[0], a.b, a", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                   "paths; path one: [a, b], path two: [a]"},
        {"REMOVE b, a.b, a, a.b.c", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                       "these paths; path one: [a], path two: [a, b, c]"},
        {"REMOVE a.x, b.y, c.z, a", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                       "these paths; path one: [a, x], path two: [c, z]"},
        {"DELETE a :ss REMOVE a.b SET a.b.c = :s",
         UE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], "
            "path two: [a, b, c]"},
        {"SET a = :s, b = #zz REMOVE a", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                            "these paths; path one: [a], path two: [b]"},
        {"ADD a :s, a :n", UE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                              "path one: [a], path two: [a]"},
        {"SET a = :zz, a = :s", UE "Two document paths overlap with each other; must remove or rewrite one of these "
                                   "paths; path one: [a], path two: [a]"},
        {"SET a = if_not_exists(a), a = :s", UE "Two document paths overlap with each other; must remove or rewrite "
                                                "one of these paths; path one: [a], path two: [a]"},
        {"SET #zz = :s REMOVE b, b", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                        "these paths; path one: [b], path two: [b]"},
        {"REMOVE b, b SET #zz = :s",
         UE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
        {"SET a = #zz, b = #yy",
         UE "An expression attribute name used in the document path is not defined; attribute name: #yy"},
        {"SET a = :zz, b = #zz",
         UE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
        {"SET a = if_not_exists(:n, a)",
         UE "Operator or function requires a document path; operator or function: if_not_exists"},
        {"SET a = if_not_exists(a)", UE "Incorrect number of operands for operator or function; operator or function: "
                                        "if_not_exists, number of operands: 1"},
        {"SET a = list_append(:l)", UE "Incorrect number of operands for operator or function; operator or function: "
                                       "list_append, number of operands: 1"},
        {"SET a = list_append(:l, :s)",
         UE "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
        {"SET a = list_append(:s, :l)",
         UE "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
        {"SET a = size(b)", UE "The function is not allowed in an update expression; function: size"},
        {"SET a = foo(b)", UE "Invalid function name; function: foo"},
        {"SET a = attribute_exists(b)",
         UE "The function is not allowed in an update expression; function: attribute_exists"},
        {"SET a = begins_with(b, :s)", UE "The function is not allowed in an update expression; function: begins_with"},
        {"SET a = list_append(:l, :l) + :n",
         UE "The function is not allowed to be used this way in an expression; function: list_append"},
        {"SET a = if_not_exists(a, list_append(:l, :l))",
         UE "The function is not allowed to be used this way in an expression; function: list_append"},
        {"SET a = list_append(list_append(:l, :l), :l)",
         UE "The function is not allowed to be used this way in an expression; function: list_append"},
        {"SET a = if_not_exists(if_not_exists(a, :s), :s)",
         UE "Operator or function requires a document path; operator or function: if_not_exists"},
        {"SET a = list_append(:l, size(b))", UE "The function is not allowed in an update expression; function: size"},
        {"SET a = :s + :n",
         UE "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
        {"SET a = :n + :s",
         UE "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
        {"SET a = :l + :l",
         UE "Incorrect operand type for operator or function; operator or function: +, operand type: L"},
        {"SET a = :ss - :ss",
         UE "Incorrect operand type for operator or function; operator or function: -, operand type: SS"},
        {"SET a = if_not_exists(a, :s) + :s",
         UE "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
        {"SET a = if_not_exists(a, a)", UE "The first operand must be distinct from the remaining operands for this "
                                           "operator or function; operator: if_not_exists, first operand: [a]"},
        {"ADD a :s", UE "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
                        "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :l", UE "Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: "
                        "ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :m", UE "Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: "
                        "ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :b", UE "Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, "
                        "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :tr", UE "Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN, "
                         "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"ADD a :z", UE "Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: "
                        "ALLOWED_FOR_ADD_OPERAND"},
        {"DELETE a :s", UE "Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, "
                           "typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {"DELETE a :n", UE "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, "
                           "typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {"DELETE a :l", UE "Incorrect operand type for operator or function; operator: DELETE, operand type: LIST, "
                           "typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {"SET abort = :n", UE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"REMOVE abort", UE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"ADD abort :n", UE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"SET a = ((:s))", UE "The expression has redundant parentheses;"},
        /* Phase order. */
        {"SET a = :s SET b = = :s", UE "Syntax error; token: \"=\", near: \"= = :s\""},
        {"SET a = :s SET abort = :s", UE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"SET a = foo(b) SET b = :s", UE "Invalid function name; function: foo"},
        {"SET a = :s SET b = #zz", UE "The \"SET\" section can only be used once in an update expression;"},
        {"SET a = :s SET b = :zz", UE "The \"SET\" section can only be used once in an update expression;"},
        {"SET a = ((:s)) REMOVE abort", UE "The expression has redundant parentheses;"},
        {"SET a = foo(abort)", UE "Invalid function name; function: foo"},
        {"SET abort = :s, a = foo(b)", UE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"SET a = foo(b), abort = :s", UE "Invalid function name; function: foo"},
        {"SET a = size(b), a = :s", UE "The function is not allowed in an update expression; function: size"},
        {"SET a = :s, a = :s + :ss", UE "Two document paths overlap with each other; must remove or rewrite one of "
                                        "these paths; path one: [a], path two: [a]"},
        /* Across actions DynamoDB reports the last action's error. */
        {"SET a = :zz, b = if_not_exists(:s, b)",
         UE "Operator or function requires a document path; operator or function: if_not_exists"},
        {"SET b = if_not_exists(:s, b), a = :zz",
         UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"SET b = :zz, a = list_append(:s, :l)",
         UE "Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
        {"SET a = :s + :ss, b = :zz",
         UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"ADD a :s, b :zz", UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"ADD b :zz, a :s", UE "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
                               "typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {"SET a = :zz + :ss",
         UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"SET a = :ss + :zz",
         UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"SET a = if_not_exists(#zz, :s), b = :zz",
         UE "An expression attribute value used in expression is not defined; attribute value: :zz"},
        {"SET b = :zz, a = if_not_exists(#zz, :s)",
         UE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = upd_parse(cases[i].expr, NULL);
        check_count++;
        if (strcmp(got, cases[i].want) != 0) {
            check_failures++;
            fprintf(stderr, "%s:%d: update(\"%s\")\n  got  \"%s\"\n  want \"%s\"\n", __FILE__, __LINE__, cases[i].expr,
                    got, cases[i].want);
        }
    }
    static const char *const ok[] = {
        "SET a = :s",
        "set a = :s",
        "SET a = :s, b = :s",
        "SET a = :s REMOVE b",
        "REMOVE b SET a = :s",
        "REMOVE b, c",
        "ADD a :n",
        "ADD a :n, b :n",
        "DELETE a :ss",
        "SET a = :s DELETE b :ss ADD c :n REMOVE d",
        "SET a=:n,b=:n",
        "SET a = :n remove b add c :n delete d :ss",
        "SET a = :n + :n",
        "SET a = (:n + :n)",
        "SET a = (:n) + (:n)",
        "SET a = if_not_exists(a, :n) + :n",
        "SET a = :n + if_not_exists(a, :n)",
        "SET a = (if_not_exists(a, :n)) + :n",
        "SET a = list_append(if_not_exists(a, :l), :l)",
        "SET a = if_not_exists(a, if_not_exists(b, :n))",
        "SET a = b, b = a",
        "SET a[1] = :s REMOVE a[2]",
        "SET a.b = :s REMOVE a.c",
        "ADD a :ss",
        "ADD a :ns",
        "ADD a :bs",
        "DELETE a :ns",
        "SET a = (b)",
        "SET a = if_not_exists(a, :s), b = if_not_exists(a, :s)",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        CHECK_STR(upd_parse(ok[i], NULL), "OK");
    /* A conflict names the clashing pair; a placeholder after a dot parses
     * and then fails as DynamoDB fails. */
    CHECK_STR(upd_parse("REMOVE a.x, a[1], c", NULL),
              UE "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
                 "[a, x], path two: [a, [1]]");
    CHECK_STR(upd_parse("REMOVE a.x, a[1], a.x", NULL),
              UE "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
                 "[a, [1]], path two: [a, x]");
    CHECK_STR(upd_parse("REMOVE l[0], n, l[0]", NULL),
              UE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                 "[l, [0]], path two: [l, [0]]");
    CHECK_STR(upd_parse("REMOVE a.:s", NULL), UE "Internal server error");
    CHECK_STR(upd_parse("SET a = if_not_exists(n, :s) - nope", NULL), "OK");
    CHECK_STR(upd_parse("SET a = list_append(a, a)", NULL), "OK");
    CHECK_STR(cond("a.:s = :n"), CE "Internal server error");
    CHECK_STR(cond("a.:s"), CE "Syntax error; token: \"<EOF>\", near: \":s\"");
    CHECK_STR(cond(":s.a = b"), CE "Syntax error; token: \".\", near: \":s.a\"");
    CHECK_STR(proj_parse("a.:s", NULL),
              PE "An expression attribute name used in the document path is not defined; attribute name: :s");
    CHECK_STR(upd_parse("SET #x = :s, #y = :s", "{\"#x\":\"a\",\"#y\":\"a\"}"),
              UE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                 "[a], path two: [a]");
    /* Target depth vs overlap: the later action's error wins. */
    buf_t b = BUF_INIT;
    buf_puts(&b, "SET b");
    for (int i = 0; i < 40; i++)
        buf_puts(&b, ".a");
    buf_puts(&b, " = :s, a = :s, a = :s");
    buf_putc(&b, '\0');
    CHECK_STR(upd_parse(b.data, NULL),
              UE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                 "[a], path two: [a]");
    buf_reset(&b);
    buf_puts(&b, "SET a = :s, a = :s, b");
    for (int i = 0; i < 40; i++)
        buf_puts(&b, ".a");
    buf_puts(&b, " = :s");
    buf_putc(&b, '\0');
    CHECK_STR(upd_parse(b.data, NULL), UE "The document path has too many nesting levels; nesting levels: 41");
    buf_free(&b);
}

static void test_update_apply(void)
{
    const char *it =
        "{\"pk\":{\"S\":\"k\"},\"s\":{\"S\":\"str\"},\"n\":{\"N\":\"5\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":"
        "\"1\"},{\"N\":\"2\"}]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"L\":[{\"S\":\"a\"}]}}},\"ss\":{"
        "\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"t\":{\"BOOL\":false}}";
    const char *base_tail = "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"t\":{\"BOOL\":false}";
    (void)base_tail;
    static const char *const refers = "The provided expression refers to an attribute that does not exist in the item";
    static const char *const bad_type = "An operand in the update expression has an incorrect data type";
    static const char *const bad_path = "The document path provided in the update expression is invalid for update";
    static const tcase_t errors[] = {
        {"SET n = s + :n", NULL},
        {"SET s = s + :n", NULL},
        {"SET n = n + l", NULL},
        {"SET l = list_append(l, s)", NULL},
        {"SET x = list_append(s, nope)", NULL},
        {"SET x = s - :n", NULL},
        {"ADD n :ns", NULL},
        {"ADD s :n", NULL},
        {"ADD ss :ns", NULL},
        {"ADD ns :n", NULL},
        {"ADD l :n", NULL},
        {"ADD t :n", NULL},
        {"DELETE ss :ns", NULL},
        {"DELETE s :ss", NULL},
        {"DELETE n :ns", NULL},
        {"DELETE m.x :ns", NULL},
        {"DELETE l[0] :ss", NULL},
        {"SET x = s + :n REMOVE s.x", NULL},
        {"ADD s :n DELETE n :ss", NULL},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        CHECK_STR(update_on(errors[i].expr, it), bad_type);
    static const char *const missing[] = {
        "SET x = nope + :n",
        "SET x = :n + nope",
        "SET l = list_append(nope, :l)",
        "SET x = l[9]",
        "SET x = m.q",
        "SET x = s.q",
        "SET a = b, b = a",
        "SET y = nope, x = list_append(n, :l)",
        "SET x = if_not_exists(nope, nope2)",
        "SET x = if_not_exists(s, nope2)",
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        CHECK_STR(update_on(missing[i], it), refers);
    static const char *const paths[] = {
        "SET l[0].a = :s",     "SET m.z.w = :s", "SET nope.a = :s",  "SET nope[0] = :s", "SET s.a = :s",
        "SET s[0] = :s",       "SET m[0] = :s",  "SET l.a = :s",     "REMOVE nope.a",    "REMOVE s.a",
        "REMOVE s[0]",         "REMOVE m.q.r",   "REMOVE l[1].a",    "ADD m.q.r :n",     "ADD nope.x :n",
        "DELETE nope.x :ss",   "REMOVE l[7].x",  "SET l[10].a = :s", "SET m.b[0] = :s",  "SET m.y[0].x = :s",
        "REMOVE n.x ADD s :n",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        CHECK_STR(update_on(paths[i], it), bad_path);
    CHECK_STR(update_on("SET a[0] = :s", NULL), bad_path);
    /* Within one action: the target's path first, then the value, read
     * left to right with each operand checked as it is read. */
    CHECK_STR(update_on("SET x[0] = x", it), bad_path);
    CHECK_STR(update_on("SET x[0] = z", it), bad_path);
    CHECK_STR(update_on("SET x.y = s + :n", it), bad_path);
    CHECK_STR(update_on("SET x = s + nope", it), bad_type);
    CHECK_STR(update_on("SET x = nope + s", it), refers);
    CHECK_STR(update_on("SET x = n + nope", it), refers);
    CHECK_STR(update_on("SET x = if_not_exists(nope2, :s) + nope", it), bad_type);
    CHECK_STR(update_on("SET x = :n + if_not_exists(nope2, :s)", it), bad_type);
    CHECK_STR(update_on("SET x = if_not_exists(s, nope)", it), refers);
    CHECK_STR(update_on("SET x = list_append(l, if_not_exists(s, nope))", it), refers);
    CHECK_STR(update_on("SET x = list_append(nope, s)", it), refers);
    CHECK_STR(update_on("SET a = list_append(a, a)", it), refers);

    CHECK_STR(update_on("SET a.b = :s", NULL), bad_path);

    const char *small =
        "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}";
    static const tcase_t apply[] = {
        {"SET n = n + :n",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"6\"},\"s\":{\"S\":\"str\"}}"},
        {"SET n = n - :n2",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"3\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[1] = :s",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"S\":\"x\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[3] = :s", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"x\"}]},\"n\":{\"N\":\"5\"}"
                          ",\"s\":{\"S\":\"str\"}}"},
        {"SET l[10] = :s", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"x\"}]},\"n\":{\"N\":"
                           "\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[5] = :s, l[4] = :t", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"y\"},{\"S\":"
                                     "\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[7] = :s, l[3] = :t", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"y\"},{\"S\":"
                                     "\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[1] SET l[3] = :s",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"2\"},{\"S\":\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[0] SET l[5] = :s",
         "{\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[2] SET l[1] = :s",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"S\":\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[1] = :s REMOVE l[0], l[2]",
         "{\"l\":{\"L\":[{\"S\":\"x\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"ADD l[5] :n SET l[4] = :s", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"x\"},{\"N\":"
                                      "\"1\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[1], l[7]",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[0], l[1], l[2]", "{\"l\":{\"L\":[]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"REMOVE l[2], l[0]", "{\"l\":{\"L\":[{\"N\":\"1\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l[1] = :s, l[3] = :t REMOVE l[0]",
         "{\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"2\"},{\"S\":\"y\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET x = l[0], l[0] = :s", "{\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},"
                                    "\"s\":{\"S\":\"str\"},\"x\":{\"N\":\"0\"}}"},
        {"SET x = s, s = :n", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{"
                              "\"N\":\"1\"},\"x\":{\"S\":\"str\"}}"},
        {"SET l = list_append(l, :l)", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"S\":\"z\"}]},\"n\":"
                                       "{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET l = list_append(:l, l)", "{\"l\":{\"L\":[{\"S\":\"z\"},{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":"
                                       "{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"SET x = if_not_exists(s, :n)", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":"
                                         "\"5\"},\"s\":{\"S\":\"str\"},\"x\":{\"S\":\"str\"}}"},
        {"SET x = if_not_exists(nope, :n) + :n", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{"
                                                 "\"N\":\"5\"},\"s\":{\"S\":\"str\"},\"x\":{\"N\":\"2\"}}"},
        {"SET x = l[0] + l[1]", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{"
                                "\"S\":\"str\"},\"x\":{\"N\":\"1\"}}"},
        {"SET x = list_append(if_not_exists(nope, :l), :l)",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"},\"x\":{"
         "\"L\":[{\"S\":\"z\"},{\"S\":\"z\"}]}}"},
        {"REMOVE nope, s", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"}}"},
        {"ADD n :n, x :n", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"6\"},\"s\":{"
                           "\"S\":\"str\"},\"x\":{\"N\":\"1\"}}"},
        {"ADD l[0] :n",
         "{\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"ADD l[9] :ss", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"SS\":[\"a\"]}]},\"n\":{\"N\":"
                         "\"5\"},\"s\":{\"S\":\"str\"}}"},
        {"DELETE nope :ss, l[7] :ss",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"}]},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"str\"}}"},
    };
    for (size_t i = 0; i < sizeof apply / sizeof apply[0]; i++) {
        const char *got = update_on(apply[i].expr, small);
        check_count++;
        if (strcmp(got, apply[i].want) != 0) {
            check_failures++;
            fprintf(stderr, "%s:%d: apply(\"%s\")\n  got  %s\n  want %s\n", __FILE__, __LINE__, apply[i].expr, got,
                    apply[i].want);
        }
    }
    const char *sets =
        "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}";
    CHECK_STR(update_on("ADD ss :ss", sets),
              "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    CHECK_STR(update_on("ADD ns :n", sets), bad_type);
    CHECK_STR(update_on("DELETE ss :ss", sets),
              "{\"ss\":{\"SS\":[\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    CHECK_STR(update_on("DELETE ns :ns", sets),
              "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"2\"]},\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}");
    CHECK_STR(update_on("DELETE ss :ss, ns :ns", "{\"ss\":{\"SS\":[\"a\"]},\"ns\":{\"NS\":[\"1\"]}}"), "{}");
    CHECK_STR(update_on("ADD m.x :n, m.q :n", sets), "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},"
                                                     "\"m\":{\"M\":{\"x\":{\"N\":\"2\"},\"q\":{\"N\":\"1\"}}}}");
    CHECK_STR(update_on("REMOVE m.x, m.q", sets),
              "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"m\":{\"M\":{}}}");
    CHECK_STR(update_on("SET m.q = m.x REMOVE m.x", sets),
              "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"m\":{\"M\":{\"q\":{\"N\":\"1\"}}}}");
    CHECK_STR(update_on("ADD ss :ss, ns :ns", NULL), "{\"ss\":{\"SS\":[\"a\"]},\"ns\":{\"NS\":[\"1\"]}}");
    CHECK_STR(update_on("SET a = :n + :n, b = :n - :n", NULL), "{\"a\":{\"N\":\"2\"},\"b\":{\"N\":\"0\"}}");
    CHECK_STR(update_on("SET a = :x + :x", NULL), "{\"a\":{\"N\":\"3\"}}");
    /* Number arithmetic errors come from number.c. */
    CHECK_STR(update_on("SET a = :huge + :huge", NULL),
              "Number overflow. Attempting to store a number with magnitude larger than supported range");
    CHECK_STR(update_on("ADD a :huge", "{\"a\":{\"N\":\"9E+125\"}}"),
              "Number overflow. Attempting to store a number with magnitude larger than supported range");
    /* DynamoDB says "DynamoDB only supports precision up to 38 digits" here;
     * the text is number.c's (reported), so only the failure is checked. */
    CHECK(update_on("SET a = :big + :big", NULL)[0] != '{');
}

static void test_projection(void)
{
    static const struct {
        const char *expr, *want;
    } errors[] = {
        {"", PE "The expression can not be empty;"},
        {"s,", PE "Syntax error; token: \"<EOF>\", near: \",\""},
        {"s,,n", PE "Syntax error; token: \",\", near: \",,n\""},
        {",s", PE "Syntax error; token: \",\", near: \",s\""},
        {"s n", PE "Syntax error; token: \"n\", near: \"s n\""},
        {"size(a)", PE "Syntax error; token: \"(\", near: \"size(a\""},
        {"a = b", PE "Syntax error; token: \"=\", near: \"a = b\""},
        {":v", PE "Syntax error; token: \":v\", near: \":v\""},
        {"(s)", PE "Syntax error; token: \"(\", near: \"(s\""},
        {"s AND n", PE "Syntax error; token: \"AND\", near: \"s AND n\""},
        {"abort", PE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"s, s", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                    "[s], path two: [s]"},
        {"s, s.a", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                      "one: [s], path two: [s, a]"},
        {"s.a, s", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                      "one: [s, a], path two: [s]"},
        {"l[1], l[1].x", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; "
                            "path one: [l, [1]], path two: [l, [1], x]"},
        {"l[0], l.a", PE "Two document paths conflict with each other; must remove or rewrite one of these paths; path "
                         "one: [l, [0]], path two: [l, a]"},
        {"l.a, l[0]", PE "Two document paths conflict with each other; must remove or rewrite one of these paths; path "
                         "one: [l, a], path two: [l, [0]]"},
        {"m.x, m[0]", PE "Two document paths conflict with each other; must remove or rewrite one of these paths; path "
                         "one: [m, x], path two: [m, [0]]"},
        {"a, a, abort", PE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"a, a, #zz", PE "An expression attribute name used in the document path is not defined; attribute name: #zz"},
        {"#zz, a, a", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                         "one: [a], path two: [a]"},
        {"#zz, #yy", PE "An expression attribute name used in the document path is not defined; attribute name: #yy"},
        {"a, b, a", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                       "one: [a], path two: [b]"},
        {"b, a, a", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                       "one: [a], path two: [a]"},
        {"a.b, c, a", PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                         "one: [a, b], path two: [c]"},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        CHECK_STR(proj_parse(errors[i].expr, NULL), errors[i].want);
    CHECK_STR(proj_parse("#a, s", "{\"#a\":\"s\"}"),
              PE "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                 "[s], path two: [s]");

    const char *it =
        "{\"s\":{\"S\":\"str\"},\"n\":{\"N\":\"5\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"M\":{\"x\":{\"N\":\"1\"},"
        "\"y\":{\"N\":\"2\"}}},{\"N\":\"2\"},{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}]},\"m\":{\"M\":{\"x\":{"
        "\"N\":\"1\"},\"y\":{\"L\":[{\"S\":\"a\"}]},\"z\":{\"M\":{\"q\":{\"S\":\"w\"}}}}},\"em\":{\"M\":{}}}";
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"s", "{\"s\":{\"S\":\"str\"}}"},
        {"n, s", "{\"s\":{\"S\":\"str\"},\"n\":{\"N\":\"5\"}}"},
        {"l[1], l[0]", "{\"l\":{\"L\":[{\"N\":\"0\"},{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}}]}}"},
        {"l[1].x, l[3][1], l[0]",
         "{\"l\":{\"L\":[{\"N\":\"0\"},{\"M\":{\"x\":{\"N\":\"1\"}}},{\"L\":[{\"S\":\"b\"}]}]}}"},
        {"l[5]", "{}"},
        {"l[1].q", "{}"},
        {"m.z.q, m.y[0]", "{\"m\":{\"M\":{\"y\":{\"L\":[{\"S\":\"a\"}]},\"z\":{\"M\":{\"q\":{\"S\":\"w\"}}}}}}"},
        {"m.x, m.q", "{\"m\":{\"M\":{\"x\":{\"N\":\"1\"}}}}"},
        {"m.y[0], m.y[1]", "{\"m\":{\"M\":{\"y\":{\"L\":[{\"S\":\"a\"}]}}}}"},
        {"nope", "{}"},
        {"s.x", "{}"},
        {"n[0]", "{}"},
        {"em", "{\"em\":{\"M\":{}}}"},
        {"l[3][1], l[1].y", "{\"l\":{\"L\":[{\"M\":{\"y\":{\"N\":\"2\"}}},{\"L\":[{\"S\":\"b\"}]}]}}"},
        {"l[1].y, l[1].x", "{\"l\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}}]}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(project_on(cases[i].expr, it), cases[i].want);
}

#define KE "Invalid KeyConditionExpression: "

static const char *key_cond(const char *expr, bool range)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    if (ctx_from(&c, NULL, V, &e) != 0)
        return result(-1, &e);
    expr_node_t *n;
    if (expr_parse_condition(&c, EXPR_KEY_CONDITION, str_from_cstr(expr), &n, &e) != 0)
        return result(-1, &e);
    key_schema_t ks = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};
    if (!range)
        ks.range = (key_attr_t){STR_NULL, VT_NONE};
    key_cond_t kc;
    return result(expr_key_condition(n, &ks, &kc, &e), &e);
}

static const char *kc_range(const char *expr) { return key_cond(expr, true); }
static const char *kc_hash(const char *expr) { return key_cond(expr, false); }

static void test_key_condition(void)
{
    static const tcase_t cases[] = {
        {"pk = :s", "OK"},
        {"pk = :s AND sk = :n", "OK"},
        {"sk = :n AND pk = :s", "OK"},
        {"pk = :s AND sk < :n", "OK"},
        {"pk = :s AND sk BETWEEN :n AND :n2", "OK"},
        {"pk = :s and sk between :n and :n2", "OK"},
        {":s = pk", "OK"},
        {"pk = :s AND :n < sk", "OK"},
        {"(pk = :s) AND (sk = :n)", "OK"},
        {"(pk = :s AND sk = :n)", "OK"},
        /* AWS names the key; DynamoDB Local leaves it out. */
        {"sk = :n", "Query condition missed key schema element: pk"},
        {"x = :s", "Query condition missed key schema element: pk"},
        {"pk = :s AND x = :n", "Query condition missed key schema element: sk"},
        {"x = :s AND pk = :s", "Query condition missed key schema element: sk"},
        {"pk = :s OR sk = :n", "Invalid operator used in KeyConditionExpression: OR"},
        {"NOT pk = :s", "Invalid operator used in KeyConditionExpression: NOT"},
        {"pk <> :s", "Invalid operator used in KeyConditionExpression: <>"},
        {"pk = :s AND sk IN (:n)", "Invalid operator used in KeyConditionExpression: IN"},
        {"pk = :s AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"},
        {"pk = :s AND contains(sk, :n)", "Invalid operator used in KeyConditionExpression: contains"},
        {"pk < :s", "Query key condition not supported"},
        {"pk BETWEEN :s AND :t", "Query key condition not supported"},
        {"begins_with(pk, :s)", "Query key condition not supported"},
        {"pk < :s AND sk = :s", "Query key condition not supported"},
        {"pk = :s AND begins_with(sk, :n)",
         KE "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {"pk = :s AND begins_with(sk, :s)",
         "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :n", "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :b", "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :s AND sk = :s",
         "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :s AND sk = :l",
         "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :n AND x = :n",
         "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :e", "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                    "an empty string value. Key: pk"},
        {"pk = :s AND size(sk) = :n", "KeyConditionExpressions cannot contain nested operations"},
        {"pk = size(:s)", "KeyConditionExpressions cannot contain nested operations"},
        {"pk = :s AND sk BETWEEN size(x) AND :n", "KeyConditionExpressions cannot contain nested operations"},
        {"pk = :s AND pk = :t", "KeyConditionExpressions must only contain one condition per key"},
        {"pk = :s AND sk = :n AND sk = :n2", "KeyConditionExpressions must only contain one condition per key"},
        {"x = :n AND x = :n2", "KeyConditionExpressions must only contain one condition per key"},
        {"pk = :s AND sk = :n AND x = :n2", "Conditions can be of length 1 or 2 only"},
        {"x = :s AND pk = :s AND sk = :n", "Conditions can be of length 1 or 2 only"},
        {"pk = pk", KE "The first operand must be distinct from the remaining operands for this operator or function; "
                       "operator: =, first operand: [pk]"},
        {"pk = :s AND sk = pk",
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {"pk = x", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {":s = :s", "Invalid condition in KeyConditionExpression: No key attribute specified"},
        {"pk = :s AND sk BETWEEN :n AND x",
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {"pk = :s AND :n BETWEEN sk AND :n2", "Invalid condition in KeyConditionExpression: BETWEEN operator must have "
                                              "the key attribute as its first operand"},
        {":n BETWEEN x AND y", "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
                               "attribute as its first operand"},
        {"pk = :s AND begins_with(:s, sk)", "Invalid condition in KeyConditionExpression: begins_with operator must "
                                            "have the key attribute as its first operand"},
        {"pk = :s AND begins_with(sk, x)",
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {"pk.a = :s",
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"},
        {"pk[1] = :s",
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"},
        {"pk = :s AND sk.a = :n",
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: sk"},
        {"pk.a = :s OR x = :s",
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"},
        {"pk = :s AND sk = :n AND x.a = :s", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {"x.a = y", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {"pk = :s AND x.y BETWEEN :n AND x", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {"((pk = :s))", KE "The expression has redundant parentheses;"},
        {"abort = :s", KE "Attribute name is a reserved keyword; reserved keyword: abort"},
        {"size(x) = :n OR pk = :s", "Invalid operator used in KeyConditionExpression: OR"},
        {"pk = x AND size(sk) = :n",
         "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {"size(sk) = :n AND pk = x", "KeyConditionExpressions cannot contain nested operations"},
        {":s = :s AND pk = x", "Invalid condition in KeyConditionExpression: No key attribute specified"},
        {"x = :s AND x = :s AND y <> :s", "KeyConditionExpressions must only contain one condition per key"},
        {"pk = :s AND sk <> :n2 AND pk = :s", "Invalid operator used in KeyConditionExpression: <>"},
        {"a = :s AND b = :s AND c = :s AND d <> :s", "Invalid operator used in KeyConditionExpression: <>"},
        {"a = :s AND (b = :s AND c = :s)", "Conditions can be of length 1 or 2 only"},
        {"pk = :s AND pk = :s AND :s = :s", "KeyConditionExpressions must only contain one condition per key"},
        {"size(y) = :n AND x.a = :s", "KeyConditionExpressions cannot contain nested operations"},
        {"x.a = :s AND size(y) = :n", "KeyConditionExpressions cannot have conditions on nested attributes"},
    };
    RUN_CASES(kc_range, cases);
    static const tcase_t hash_only[] = {
        {"pk = :s AND sk = :n", "Query key condition not supported"},
        {"pk = :s AND x = :n", "Query key condition not supported"},
        {"x = :s", "Query condition missed key schema element: pk"},
        {"pk = :n", "One or more parameter values were invalid: Condition parameter type does not match schema type"},
        {"pk = :s AND pk = :s", "KeyConditionExpressions must only contain one condition per key"},
    };
    RUN_CASES(kc_hash, hash_only);

    /* What the analysis hands to Query. */
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    CHECK(ctx_from(&c, NULL, V, &e) == 0);
    expr_node_t *n;
    CHECK(expr_parse_condition(&c, EXPR_KEY_CONDITION, STR_LIT(":n2 > sk AND pk = :s"), &n, &e) == 0);
    key_schema_t ks = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};
    key_cond_t kc;
    CHECK(expr_key_condition(n, &ks, &kc, &e) == 0);
    CHECK(kc.hash && str_eq_cstr(kc.hash->s, "x"));
    CHECK(kc.op == KEY_OP_LT && kc.lo && str_eq_cstr(kc.lo->s, "2"));
    CHECK(expr_parse_condition(&c, EXPR_KEY_CONDITION, STR_LIT("pk = :s AND sk BETWEEN :n AND :n2"), &n, &e) == 0);
    CHECK(expr_key_condition(n, &ks, &kc, &e) == 0);
    CHECK(kc.op == KEY_OP_BETWEEN && str_eq_cstr(kc.lo->s, "1") && str_eq_cstr(kc.hi->s, "2"));
    key_schema_t ks2 = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_S}};
    CHECK(expr_parse_condition(&c, EXPR_KEY_CONDITION, STR_LIT("pk = :s AND begins_with(sk, :t)"), &n, &e) == 0);
    CHECK(expr_key_condition(n, &ks2, &kc, &e) == 0);
    CHECK(kc.op == KEY_OP_BEGINS_WITH && str_eq_cstr(kc.lo->s, "y"));
    CHECK(expr_parse_condition(&c, EXPR_KEY_CONDITION, STR_LIT("pk = :s"), &n, &e) == 0);
    CHECK(expr_key_condition(n, &ks, &kc, &e) == 0);
    CHECK(kc.op == KEY_OP_NONE);
}

static void test_update_info(void)
{
    expr_ctx_t c;
    err_t e;
    err_clear(&e);
    CHECK(ctx_from(&c, "{\"#k\":\"pk\"}", V, &e) == 0);
    expr_update_t *u;
    CHECK(expr_parse_update(&c, STR_LIT("SET a.b = :s REMOVE #k ADD n :n"), &u, &e) == 0);
    CHECK(expr_update_touches(u, STR_LIT("pk")));
    CHECK(expr_update_touches(u, STR_LIT("a")));
    CHECK(!expr_update_touches(u, STR_LIT("b")));
    const expr_projection_t *p = expr_update_paths(u);
    CHECK(p->n == 3);
    CHECK(p->n == 3 && p->paths[0].n == 2 && str_eq_cstr(p->paths[0].elems[1].name, "b"));
    CHECK(p->n == 3 && str_eq_cstr(p->paths[1].elems[0].name, "pk"));
    CHECK(expr_check_unused(&c, &e) != 0); /* most of V is unused */
}

int main(void)
{
    arena_init(&A);
    RUN(test_syntax_errors);
    RUN(test_limits);
    RUN(test_placeholders);
    RUN(test_semantic_errors);
    RUN(test_eval);
    RUN(test_update_parse);
    RUN(test_update_apply);
    RUN(test_projection);
    RUN(test_key_condition);
    RUN(test_update_info);
    arena_free(&A);
    return check_done();
}
