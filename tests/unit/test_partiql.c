/* test_partiql.c - the PartiQL lexer, parser, compiler and NextToken.
 *
 * Messages marked "Local" were checked against DynamoDB Local 3.3 (which
 * runs DynamoDB's PartiQL front end); the syntax-error details are
 * ddbd's (see README's PartiQL section). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/alloc.h"
#include "partiql/partiql.h"

static arena_t A;
static err_t E;

static const key_schema_t HASH = {{STR_LIT("pk"), VT_S}, {STR_NULL, VT_NONE}};
static const key_schema_t COMPOSITE = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};

static pq_stmt_t *parse(const char *text)
{
    err_clear(&E);
    pq_stmt_t *s = NULL;
    if (pq_parse(&A, str_from_cstr(text), &s, &E) != 0)
        return NULL;
    return s;
}

/* "OK" or the error message of parsing text. */
static const char *parse_result(const char *text) { return parse(text) ? "OK" : arena_cstr(&A, str_from_cstr(E.msg)); }

static pq_ctx_t ctx_of(const pq_stmt_t *s, const json_t *params) { return (pq_ctx_t){&A, s, params, &E}; }

static const char *dump(const json_t *j)
{
    if (!j)
        return "(null)";
    char *s = xjson_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = arena_cstr(&A, str_from_cstr(s));
    free(s);
    return out;
}

/* The WHERE clause of a SELECT as condition text, names and values. */
static const char *where_text(const char *stmt)
{
    pq_stmt_t *s = parse(stmt);
    if (!s)
        return arena_cstr(&A, str_from_cstr(E.msg));
    pq_ctx_t c = ctx_of(s, NULL);
    pq_names_t x;
    pq_names_init(&x);
    buf_t b = BUF_INIT;
    const char *out;
    if (pq_condition(&c, &x, s->where, &b))
        out = arena_cstr(&A, str_from_cstr(E.msg));
    else
        out = arena_printf(&A, "%.*s %s %s", (int)b.len, b.data, dump(x.names), dump(x.values));
    buf_free(&b);
    pq_names_free(&x);
    return out;
}

/* ---- lexing and parsing ------------------------------------------------------------- */

static void test_statements(void)
{
    pq_stmt_t *s = parse("SELECT a, \"b\".c[2], d['e'] FROM \"Tab-1\".\"Ix\" WHERE pk = ? ORDER BY sk DESC");
    CHECK(s && s->kind == PQ_SELECT && !s->star && s->nproj == 3 && s->nparams == 1);
    CHECK(s && str_eq_cstr(s->table, "Tab-1") && str_eq_cstr(s->index, "Ix"));
    CHECK(s && s->proj[1]->nsteps == 3 && s->proj[1]->steps[2].kind == PQ_STEP_INDEX &&
          s->proj[1]->steps[2].index == 2);
    CHECK(s && s->proj[2]->steps[1].kind == PQ_STEP_NAME && str_eq_cstr(s->proj[2]->steps[1].name, "e"));
    CHECK(s && s->norder == 1 && s->order[0].desc);

    s = parse("select * from T where x = 'it''s' -- comment\n /* block */ ;");
    CHECK(s && s->star && s->where && str_eq_cstr(s->where->args[1]->text, "it's"));

    s = parse("UPDATE \"T\" SET a = 1, b.c = b.c + 2 REMOVE d SET e = ? WHERE pk = 'x' RETURNING MODIFIED NEW *");
    CHECK(s && s->kind == PQ_UPDATE && s->nacts == 4 && s->acts[2].remove && s->returning == PQ_RET_MODIFIED_NEW);
    CHECK(s && s->nparams == 1);

    s = parse("DELETE FROM T WHERE pk = 'a' RETURNING ALL OLD *");
    CHECK(s && s->kind == PQ_DELETE && s->returning == PQ_RET_ALL_OLD);

    s = parse("INSERT INTO T VALUE {'pk': 'a', 'n': -1.5e3, 'l': [1, true, null], 's': <<'x', 'y'>>}");
    CHECK(s && s->kind == PQ_INSERT && s->value->kind == PQ_N_TUPLE && s->value->nargs == 8);

    s = parse("NOT EXISTS(SELECT * FROM T WHERE pk = 'a' AND b IS NOT MISSING)");
    CHECK(s && s->kind == PQ_SELECT && s->exists == -1 && pq_is_write(s));

    /* a long AND chain is one wide node */
    s = parse("SELECT * FROM T WHERE a = 1 AND b = 2 AND c = 3 AND d = 4");
    CHECK(s && s->where->kind == PQ_N_AND && s->where->nargs == 4);
}

static void test_syntax_errors(void)
{
    const char *wf = "Statement wasn't well formed, can't be processed: ";
    CHECK_STR(parse_result("SELECTT * FROMM \"T\""), arena_printf(&A, "%sExpected data manipulation", wf));
    CHECK_STR(parse_result("SELECT * FROM T WHERE"), arena_printf(&A, "%sUnexpected end of statement", wf));
    CHECK_STR(parse_result("SELECT FROM T"), arena_printf(&A, "%sUnexpected keyword", wf));
    CHECK_STR(parse_result("SELECT * FROM T WHERE key = 1"), arena_printf(&A, "%sUnexpected keyword", wf));
    CHECK_STR(parse_result("SELECT *, a FROM T"), arena_printf(&A, "%sUnexpected token", wf));
    CHECK_STR(parse_result("UPDATE T WHERE pk = 'a'"), arena_printf(&A, "%sUnexpected keyword", wf));
    CHECK_STR(parse_result("UPDATE T REMOVE a, b WHERE pk = 'a'"), arena_printf(&A, "%sUnexpected token", wf));
    CHECK_STR(parse_result("INSERT INTO T VALUES {'a': 1}"), arena_printf(&A, "%sUnexpected keyword", wf));
    CHECK_STR(parse_result("SELECT * FROM T WHERE a = 'open"), arena_printf(&A, "%sUnexpected token", wf));
    CHECK_STR(parse_result("SELECT * FROM T WHERE a IS TRUE"), arena_printf(&A, "%sUnexpected keyword", wf));
    /* DynamoDB's own refusals (Local) */
    CHECK_STR(parse_result("SELECT a AS b FROM T"), "Aliasing is not supported");
    CHECK_STR(parse_result("SELECT DISTINCT a FROM T"), "Unsupported token in expression: DISTINCT");
    CHECK_STR(parse_result("SELECT VALUE a FROM T"), "Select projection doesn't support value or pivot keywords");
    CHECK_STR(parse_result("SELECT * FROM T LIMIT 1"), "Unsupported clause: LIMIT");
    CHECK_STR(parse_result("UPDATE T SET a = `ion` WHERE pk = 'a'"), "Ion Literals are not supported");
    /* status, name, type are not PartiQL keywords (Local accepts them bare) */
    CHECK_STR(parse_result("SELECT status, name, type FROM T"), "OK");
}

static void test_limits(void)
{
    /* nesting past PQ_MAX_DEPTH is refused, not recursed into */
    buf_t b = BUF_INIT;
    buf_puts(&b, "SELECT * FROM T WHERE ");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, '(');
    buf_puts(&b, "a = 1");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, ')');
    buf_putc(&b, '\0');
    CHECK_STR(parse_result(b.data), "Statement wasn't well formed, can't be processed: Statement is nested too deeply");
    buf_reset(&b);
    buf_puts(&b, "SELECT * FROM T WHERE a = ");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, '-');
    buf_puts(&b, "1");
    buf_putc(&b, '\0');
    CHECK(parse(b.data) == NULL);
    buf_reset(&b);
    buf_puts(&b, "INSERT INTO T VALUE ");
    for (int i = 0; i < 2000; i++)
        buf_puts(&b, "[");
    buf_putc(&b, '\0');
    CHECK(parse(b.data) == NULL && E.code == ERR_VALIDATION);
    buf_free(&b);
    /* 99 nested parentheses are fine */
    CHECK_STR(parse_result("SELECT * FROM T WHERE ((((((((((((((((((((a = 1))))))))))))))))))))"), "OK");
}

/* ---- compiling conditions --------------------------------------------------------------- */

static void test_conditions(void)
{
    CHECK_STR(where_text("SELECT * FROM T WHERE a = 'x' AND (b > 1 OR NOT c <> 2)"),
              "#0 = :0 AND (#1 > :1 OR NOT #2 <> :2) {\"#0\":\"a\",\"#1\":\"b\",\"#2\":\"c\"} "
              "{\":0\":{\"S\":\"x\"},\":1\":{\"N\":\"1\"},\":2\":{\"N\":\"2\"}}");
    CHECK_STR(where_text("SELECT * FROM T WHERE a.b[3].a IS MISSING OR a IS NOT NULL"),
              "attribute_not_exists(#0.#1[3].#0) OR NOT attribute_type(#0, :0) {\"#0\":\"a\",\"#1\":\"b\"} "
              "{\":0\":{\"S\":\"NULL\"}}");
    CHECK_STR(where_text("SELECT * FROM T WHERE n NOT BETWEEN 1 AND .5 AND n IN [1, 2.]"),
              "NOT (#0 BETWEEN :0 AND :1) AND #0 IN (:2, :3) {\"#0\":\"n\"} "
              "{\":0\":{\"N\":\"1\"},\":1\":{\"N\":\"0.5\"},\":2\":{\"N\":\"1\"},\":3\":{\"N\":\"2\"}}");
    CHECK_STR(where_text("SELECT * FROM T WHERE BEGINS_WITH(s, 'a') AND size(l) >= 2 AND Contains(s, 'b')"),
              "begins_with(#0, :0) AND size(#1) >= :1 AND contains(#0, :2) {\"#0\":\"s\",\"#1\":\"l\"} "
              "{\":0\":{\"S\":\"a\"},\":1\":{\"N\":\"2\"},\":2\":{\"S\":\"b\"}}");
    CHECK_STR(where_text("SELECT * FROM T WHERE NOT (a = 1 AND b = 2)"),
              "NOT (#0 = :0 AND #1 = :1) {\"#0\":\"a\",\"#1\":\"b\"} {\":0\":{\"N\":\"1\"},\":1\":{\"N\":\"2\"}}");
    CHECK_STR(where_text("SELECT * FROM T WHERE m = {'k': [1, <<'a'>>]}"),
              "#0 = :0 {\"#0\":\"m\"} {\":0\":{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"},{\"SS\":[\"a\"]}]}}}}");
    /* DynamoDB's refusals (Local) */
    CHECK_STR(where_text("SELECT * FROM T WHERE n"),
              "WHERE clause must contain an expression that resolves to a boolean");
    CHECK_STR(where_text("SELECT * FROM T WHERE n + 1 = 2"),
              "Unsupported operator in Condition Expression. Operator: +");
    CHECK_STR(where_text("SELECT * FROM T WHERE s LIKE 'a%'"),
              "Unsupported operator in Condition Expression. Operator: like");
    CHECK_STR(where_text("SELECT * FROM T WHERE n = MISSING"), "MISSING must be compared using IS operator");
    CHECK_STR(where_text("SELECT * FROM T WHERE foo(a)"), "Unrecognized function: foo");
    CHECK_STR(
        where_text("SELECT * FROM T WHERE a IN ?"),
        "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq "
        "with at least one member");
    CHECK_STR(where_text("SELECT * FROM T WHERE a = <<1, 1.0>>"), "Input collection contains duplicates");
    CHECK_STR(where_text("SELECT * FROM T WHERE a = <<1, 'x'>>"),
              "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    CHECK_STR(where_text("SELECT * FROM T WHERE a = <<>>"), "Empty bags are not supported");
    CHECK_STR(where_text("SELECT * FROM T WHERE a = 1e200"),
              "Number overflow. Attempting to store a number with magnitude larger than supported range");
    CHECK_STR(where_text("SELECT * FROM T WHERE a = {'k': 1, 'k': 2}"), "Duplicate keys in tuple. Key: k");
}

/* ---- planning writes -------------------------------------------------------------------- */

static const char *write_plan(const char *stmt, const char *params, const key_schema_t *ks)
{
    pq_stmt_t *s = parse(stmt);
    if (!s)
        return arena_cstr(&A, str_from_cstr(E.msg));
    json_error_t je;
    json_t *p = params ? json_loads(params, 0, &je) : NULL;
    pq_ctx_t c = ctx_of(s, p);
    pq_write_t w;
    const char *out;
    if (pq_plan_write(&c, ks, &w))
        out = arena_printf(&A, "%s%s", w.key_error ? "key: " : "", E.msg);
    else
        out = arena_printf(&A, "%s|%s|%s|%s|%s|%s", dump(w.item ? w.item : w.key), w.condition ? w.condition : "-",
                           w.update ? w.update : "-", dump(w.names.names), dump(w.names.values), "");
    pq_write_free(&w);
    json_decref(p);
    return out;
}

static void test_writes(void)
{
    CHECK_STR(write_plan("INSERT INTO T VALUE {'pk': ?, 'n': 1}", "[{\"S\":\"a\"}]", &HASH),
              "{\"n\":{\"N\":\"1\"},\"pk\":{\"S\":\"a\"}}|attribute_not_exists(#0)|-|{\"#0\":\"pk\"}|{}|");
    CHECK_STR(
        write_plan("UPDATE T SET n = n + 1 SET l = list_append(l, [2]) REMOVE x SET s = set_add(s, <<'b'>>) "
                   "WHERE pk = 'a' AND sk = 1 AND (n > 0 OR n IS MISSING)",
                   NULL, &COMPOSITE),
        "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}|attribute_exists(#4) AND (#0 > :3 OR attribute_not_exists(#0))|"
        "SET #0 = #0 + :0, #1 = list_append(#1, :1) REMOVE #2 ADD #3 :2|"
        "{\"#0\":\"n\",\"#1\":\"l\",\"#2\":\"x\",\"#3\":\"s\",\"#4\":\"pk\"}|"
        "{\":0\":{\"N\":\"1\"},\":1\":{\"L\":[{\"N\":\"2\"}]},\":2\":{\"SS\":[\"b\"]},\":3\":{\"N\":\"0\"}}|");
    CHECK_STR(write_plan("DELETE FROM T WHERE pk = 'a'", NULL, &HASH), "{\"pk\":{\"S\":\"a\"}}|-|-|{}|{}|");
    CHECK_STR(write_plan("DELETE FROM T WHERE 'a' = pk AND n = 1 AND m = 2", NULL, &HASH),
              "{\"pk\":{\"S\":\"a\"}}|attribute_not_exists(#0) OR #1 = :0 AND #2 = :1|-|{\"#0\":\"pk\",\"#1\":\"n\","
              "\"#2\":\"m\"}|{\":0\":{\"N\":\"1\"},\":1\":{\"N\":\"2\"}}|");
    CHECK_STR(write_plan("NOT EXISTS(SELECT * FROM T WHERE pk = 'a' AND n = 1 AND m = 2)", NULL, &HASH),
              "{\"pk\":{\"S\":\"a\"}}|attribute_not_exists(#0) OR NOT (#1 = :0 AND #2 = :1)|-|{\"#0\":\"pk\",\"#1\":"
              "\"n\",\"#2\":\"m\"}|{\":0\":{\"N\":\"1\"},\":1\":{\"N\":\"2\"}}|");
    CHECK_STR(write_plan("EXISTS(SELECT * FROM T WHERE pk = 'a' AND n = 1)", NULL, &HASH),
              "{\"pk\":{\"S\":\"a\"}}|attribute_exists(#0) AND #1 = :0|-|{\"#0\":\"pk\",\"#1\":\"n\"}|{\":0\":{\"N\":"
              "\"1\"}}|");
    /* DynamoDB's refusals (Local) */
    CHECK_STR(write_plan("UPDATE T SET n = 1 WHERE n = 1", NULL, &HASH),
              "key: Where clause does not contain a mandatory equality on all key attributes");
    CHECK_STR(write_plan("UPDATE T SET n = 1 WHERE pk = 'a' OR pk = 'b'", NULL, &HASH),
              "key: Where clause does not contain a mandatory equality on all key attributes");
    CHECK_STR(write_plan("UPDATE T SET n = 1 WHERE pk = 'a' AND sk = 1 AND sk = 2", NULL, &COMPOSITE),
              "key: Multiple conditions on same key sk. Only single item Update/Insert/Delete are supported");
    CHECK_STR(write_plan("DELETE FROM T WHERE pk = 1", NULL, &HASH),
              "key: Key attribute's data type should match its data type in table's schema: Key pk");
    CHECK_STR(write_plan("INSERT INTO T VALUE {'x': 1}", NULL, &HASH),
              "key: Key attribute should be present in the item: Key pk");
    CHECK_STR(write_plan("INSERT INTO T VALUE ?", "[{\"M\":{}}]", &HASH),
              "Unsupported format in item expression. Please use struct format {...} to express item values for insert "
              "statement.");
    CHECK_STR(write_plan("UPDATE T SET s = set_add(t, <<1>>) WHERE pk = 'a'", NULL, &HASH),
              "The first argument to SET_ADD must equal the assignment value");
    CHECK_STR(write_plan("UPDATE T SET n = 2 * n WHERE pk = 'a'", NULL, &HASH),
              "Unsupported operator in Update Expression. Operator: *");
    CHECK_STR(
        write_plan("DELETE FROM T WHERE pk = 'a' RETURNING ALL NEW *", NULL, &HASH),
        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.");
    CHECK_STR(write_plan("EXISTS(SELECT * FROM T WHERE pk = 'a')", NULL, &HASH),
              "EXISTS() must contain a single item read with additional condition");
}

/* ---- planning SELECTs ------------------------------------------------------------------- */

static const char *select_plan(const char *stmt, const key_schema_t *ks)
{
    pq_stmt_t *s = parse(stmt);
    if (!s)
        return arena_cstr(&A, str_from_cstr(E.msg));
    pq_ctx_t c = ctx_of(s, NULL);
    pq_select_t p;
    const char *out;
    if (pq_plan_select(&c, ks, &p)) {
        out = arena_cstr(&A, str_from_cstr(E.msg));
    } else {
        buf_t b = BUF_INIT;
        for (uint32_t i = 0; i < p.nkeys; i++) {
            pq_names_t x;
            pq_names_init(&x);
            buf_t kc = BUF_INIT;
            pq_key_condition(&p, ks, i, &x, &kc);
            buf_printf(&b, "[%.*s %s %s]", (int)kc.len, kc.data, dump(x.names), dump(x.values));
            buf_free(&kc);
            pq_names_free(&x);
        }
        out = arena_printf(&A, "%s%s|%s", p.nkeys ? "" : "scan", b.data ? arena_cstr(&A, (str_t){b.data, b.len}) : "",
                           p.forward ? "asc" : "desc");
        buf_free(&b);
    }
    pq_select_free(&p);
    return out;
}

static void test_selects(void)
{
    CHECK_STR(select_plan("SELECT * FROM T WHERE x = 1", &COMPOSITE), "scan|asc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 'a' AND x = 1", &HASH),
              "[#0 = :0 {\"#0\":\"pk\"} {\":0\":{\"S\":\"a\"}}]|asc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE x = 1 AND 5 < sk AND pk = 'a' ORDER BY sk DESC", &COMPOSITE),
              "[#0 = :0 AND #1 > :1 {\"#0\":\"pk\",\"#1\":\"sk\"} {\":0\":{\"S\":\"a\"},\":1\":{\"N\":\"5\"}}]|desc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk IN ['b', 'a', 'b'] AND sk BETWEEN 1 AND 2 ORDER BY pk", &COMPOSITE),
              "[#0 = :0 AND #1 BETWEEN :1 AND :2 {\"#0\":\"pk\",\"#1\":\"sk\"} "
              "{\":0\":{\"S\":\"a\"},\":1\":{\"N\":\"1\"},\":2\":{\"N\":\"2\"}}]"
              "[#0 = :0 AND #1 BETWEEN :1 AND :2 {\"#0\":\"pk\",\"#1\":\"sk\"} "
              "{\":0\":{\"S\":\"b\"},\":1\":{\"N\":\"1\"},\":2\":{\"N\":\"2\"}}]|asc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 'b' OR pk = 'a'", &HASH),
              "[#0 = :0 {\"#0\":\"pk\"} {\":0\":{\"S\":\"b\"}}][#0 = :0 {\"#0\":\"pk\"} {\":0\":{\"S\":\"a\"}}]|asc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 'a' OR x = 1", &HASH), "scan|asc");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 'a' AND begins_with(sk, 'p')", &COMPOSITE),
              "[#0 = :0 AND begins_with(#1, :1) {\"#0\":\"pk\",\"#1\":\"sk\"} "
              "{\":0\":{\"S\":\"a\"},\":1\":{\"S\":\"p\"}}]|asc");
    /* DynamoDB's refusals (Local) */
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 1", &HASH),
              "Key attribute's data type should match its data type in table's schema: Key pk");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = ''", &HASH),
              "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
              "empty string value. Key: pk");
    CHECK_STR(select_plan("SELECT * FROM T ORDER BY pk", &HASH),
              "Must have WHERE clause in the statement when using ORDER BY clause.");
    CHECK_STR(select_plan("SELECT * FROM T WHERE sk > 1 ORDER BY sk", &COMPOSITE),
              "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.");
    CHECK_STR(select_plan("SELECT * FROM T WHERE pk = 'a' ORDER BY x", &COMPOSITE),
              "Variable reference x in ORDER BY clause must be part of the primary key");
}

static const char *projection(const char *stmt)
{
    pq_stmt_t *s = parse(stmt);
    if (!s)
        return arena_cstr(&A, str_from_cstr(E.msg));
    pq_ctx_t c = ctx_of(s, NULL);
    const char **names;
    if (pq_projection_names(&c, &names))
        return arena_cstr(&A, str_from_cstr(E.msg));
    buf_t b = BUF_INIT;
    for (uint32_t i = 0; i < s->nproj; i++)
        buf_printf(&b, "%s%s", i ? "," : "", names[i]);
    const char *out = arena_cstr(&A, (str_t){b.data, b.len});
    buf_free(&b);
    return out;
}

static void test_projection(void)
{
    CHECK_STR(projection("SELECT a, b.c, d.e[1][2], f['g'] FROM T"), "a,c,e[1][2],g");
    CHECK_STR(projection("SELECT a.x, b.x FROM T"), "Duplicate identifiers in select clause: x");
    CHECK_STR(projection("SELECT a.* FROM T"), "Changing item's hierarchy while reading isn't supported");
    CHECK_STR(projection("SELECT COUNT(*) FROM T"), "Unexpected path component");

    /* pq_path_get walks maps and lists */
    json_error_t je;
    json_t *j = json_loads("{\"a\":{\"M\":{\"b\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]}}}}", 0, &je);
    value_t item;
    err_clear(&E);
    CHECK(item_from_json(&A, j, &item, &E) == 0);
    json_decref(j);
    pq_stmt_t *s = parse("SELECT a.b[1], a.b[2], a.c, a.b.c FROM T");
    CHECK(s && pq_path_get(s->proj[0], &item) && pq_path_get(s->proj[0], &item)->type == VT_S);
    CHECK(s && !pq_path_get(s->proj[1], &item) && !pq_path_get(s->proj[2], &item) && !pq_path_get(s->proj[3], &item));
}

/* ---- NextToken -------------------------------------------------------------------------- */

static void test_token(void)
{
    json_error_t je;
    json_t *params = json_loads("[{\"S\":\"a\"}]", 0, &je);
    uint64_t fp = pq_fingerprint(STR_LIT("SELECT * FROM T WHERE pk = ?"), params);
    CHECK(fp != pq_fingerprint(STR_LIT("SELECT * FROM T WHERE pk = ?"), NULL));
    json_t *kj = json_loads("{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"7\"}}", 0, &je);
    value_t key, back;
    err_clear(&E);
    CHECK(item_from_json(&A, kj, &key, &E) == 0);
    buf_t t = BUF_INIT;
    pq_token_make(&t, fp, 3, &key);
    uint32_t idx = 0;
    bool has = false;
    str_t tok = {t.data, t.len};
    CHECK(pq_token_read(&A, tok, fp, &idx, &back, &has, &E) == 0 && idx == 3 && has && value_equal(&key, &back));
    /* another statement's token, an edited token, garbage */
    err_clear(&E);
    CHECK(pq_token_read(&A, tok, fp + 1, &idx, &back, &has, &E) == -1);
    CHECK_STR(E.msg, "Invalid NextToken");
    char *edited = arena_cstr(&A, tok);
    edited[10] = edited[10] == 'A' ? 'B' : 'A';
    err_clear(&E);
    CHECK(pq_token_read(&A, str_from_cstr(edited), fp, &idx, &back, &has, &E) == -1);
    err_clear(&E);
    CHECK(pq_token_read(&A, STR_LIT("garbage!"), fp, &idx, &back, &has, &E) == -1);
    /* without a start key */
    buf_reset(&t);
    pq_token_make(&t, fp, 1, NULL);
    err_clear(&E);
    CHECK(pq_token_read(&A, (str_t){t.data, t.len}, fp, &idx, &back, &has, &E) == 0 && idx == 1 && !has);
    buf_free(&t);
    json_decref(kj);
    json_decref(params);
}

int main(void)
{
    arena_init(&A);
    RUN(test_statements);
    RUN(test_syntax_errors);
    RUN(test_limits);
    RUN(test_conditions);
    RUN(test_writes);
    RUN(test_selects);
    RUN(test_projection);
    RUN(test_token);
    arena_free(&A);
    return check_done();
}
