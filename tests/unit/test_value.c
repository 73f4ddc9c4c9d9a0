/* test_value.c - AttributeValues: wire JSON in and out with DynamoDB's
 * validation, sizes, order, equality, item edits, the storage codec. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/value.h"

static arena_t arena;

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!j)
        fprintf(stderr, "bad test JSON: %s (%s)\n", text, je.text);
    return j;
}

/* Parses an item; returns its JSON rendering, or the error as "Type: msg". */
static const char *item_rt(const char *text)
{
    static char out[8192];
    json_t *j = load(text);
    value_t v;
    err_t e = {0};
    if (item_from_json(&arena, j, &v, &e) < 0) {
        json_decref(j);
        snprintf(out, sizeof out, "%s: %s", err_type_name(e.code), e.msg);
        return out;
    }
    json_decref(j);
    buf_t b = BUF_INIT;
    item_to_json(&b, &v);
    snprintf(out, sizeof out, "%.*s", (int)b.len, b.data);
    buf_free(&b);
    return out;
}

/* One attribute's value: {"a": <text>}. */
static const char *av(const char *text)
{
    size_t n = strlen(text) + 8;
    char *item = malloc(n);
    snprintf(item, n, "{\"a\":%s}", text);
    const char *out = item_rt(item);
    free(item);
    return out;
}

static value_t item(const char *text)
{
    json_t *j = load(text);
    value_t v = {0};
    err_t e = {0};
    if (item_from_json(&arena, j, &v, &e) < 0)
        fprintf(stderr, "bad test item %s: %s\n", text, e.msg);
    json_decref(j);
    return v;
}

static value_t one(const char *text)
{
    json_t *j = load(text);
    value_t v = {0};
    err_t e = {0};
    if (value_from_json(&arena, j, &v, &e) < 0)
        fprintf(stderr, "bad test value %s: %s\n", text, e.msg);
    json_decref(j);
    return v;
}

#define V "ValidationException: "
#define SER "SerializationException: "
#define INV "One or more parameter values were invalid: "

static void test_round_trip(void)
{
    static const char *const same[] = {
        "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1.5\"}}",
        "{\"b\":{\"B\":\"AAECAwQ=\"},\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true}}",
        "{\"ss\":{\"SS\":[\"b\",\"a\",\"\"]},\"ns\":{\"NS\":[\"1\",\"-2.5\"]},\"bs\":{\"BS\":[\"YQ==\",\"\"]}}",
        "{\"l\":{\"L\":[{\"S\":\"x\"},{\"L\":[]},{\"M\":{}}]},\"m\":{\"M\":{\"k\":{\"N\":\"0\"}}}}",
        "{\"e\":{\"S\":\"\"},\"eb\":{\"B\":\"\"}}",
        "{}",
        "{\"q\":{\"S\":\"quote \\\" backslash \\\\ newline \\n tab \\t nul \\u0000 \\u00e9\"}}",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        const char *got = item_rt(same[i]);
        /* jansson and our writer escape alike except for non-ASCII, which
         * we write as UTF-8: compare after a reparse */
        json_t *a = load(got), *b = load(same[i]);
        CHECK(a && b && json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    /* numbers come back normalized, order of attributes kept */
    CHECK_STR(item_rt("{\"z\":{\"N\":\"01.50\"},\"a\":{\"N\":\"1E+2\"},\"m\":{\"N\":\"-0\"}}"),
              "{\"z\":{\"N\":\"1.5\"},\"a\":{\"N\":\"100\"},\"m\":{\"N\":\"0\"}}");
    CHECK_STR(av("{\"NS\":[\"1.0\",\"2.50\"]}"), "{\"a\":{\"NS\":[\"1\",\"2.5\"]}}");
    /* unknown members and null members are ignored, as in AWS */
    CHECK_STR(av("{\"S\":\"x\",\"Foo\":1}"), "{\"a\":{\"S\":\"x\"}}");
    CHECK_STR(av("{\"S\":\"x\",\"N\":null}"), "{\"a\":{\"S\":\"x\"}}");
    CHECK_STR(item_rt("null"), "{}");

    value_t v = one("{\"B\":\"/+8=\"}");
    CHECK(v.type == VT_B && v.s.len == 2 && (uint8_t)v.s.ptr[0] == 0xff && (uint8_t)v.s.ptr[1] == 0xef);
    buf_t b = BUF_INIT;
    value_to_json(&b, &v);
    CHECK(b.len == strlen("{\"B\":\"/+8=\"}") && memcmp(b.data, "{\"B\":\"/+8=\"}", b.len) == 0);
    buf_free(&b);
}

static void test_validation_messages(void)
{
    CHECK_STR(av("{}"), V "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    CHECK_STR(av("{\"X\":\"5\"}"),
              V "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    CHECK_STR(av("{\"S\":null}"),
              V "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    CHECK_STR(
        av("{\"S\":\"a\",\"N\":\"1\"}"), V
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    CHECK_STR(
        av("{\"M\":{\"a\":{\"S\":\"x\"}},\"L\":[]}"), V
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    /* each member is checked before the count: a bad number wins */
    CHECK_STR(av("{\"S\":\"a\",\"N\":\"b\"}"), V "The parameter cannot be converted to a numeric value: b");
    CHECK_STR(av("{\"N\":\"\"}"), V "The parameter cannot be converted to a numeric value");
    CHECK_STR(av("{\"N\":\"1e126\"}"),
              V "Number overflow. Attempting to store a number with magnitude larger than supported range");
    CHECK_STR(av("{\"N\":\"1e-131\"}"),
              V "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    CHECK_STR(av("{\"N\":\"123456789012345678901234567890123456789\"}"),
              V "Attempting to store more than 38 significant digits in a Number");
    CHECK_STR(av("{\"NULL\":false}"), V INV "Null attribute value types must have the value of true");
    CHECK_STR(av("{\"SS\":[]}"), V INV "An string set  may not be empty");
    CHECK_STR(av("{\"NS\":[]}"), V INV "An number set  may not be empty");
    CHECK_STR(av("{\"BS\":[]}"), V INV "Binary sets should not be empty");
    CHECK_STR(av("{\"SS\":[\"a\",null]}"), V INV "An string set may not have a null string as a member");
    CHECK_STR(av("{\"BS\":[null]}"), V INV "Binary sets may not contain null or empty values");
    CHECK_STR(av("{\"NS\":[\"1\",null]}"), V "The parameter cannot be converted to a numeric value");
    CHECK_STR(av("{\"NS\":[\"1\",\"b\"]}"), V "The parameter cannot be converted to a numeric value: b");
    CHECK_STR(av("{\"NS\":[\"1e200\"]}"),
              V "Number overflow. Attempting to store a number with magnitude larger than supported range");
    CHECK_STR(av("{\"SS\":[\"a\",\"b\",\"a\"]}"), V INV "Input collection [a, b, a] contains duplicates.");
    CHECK_STR(av("{\"NS\":[\"1\",\"1.0\"]}"), V "Input collection contains duplicates");
    CHECK_STR(av("{\"BS\":[\"Yg==\",\"Yg==\"]}"), V INV "Input collection [Yg==, Yg==]of type BS contains duplicates.");
    CHECK_STR(av("{\"L\":[{\"S\":\"a\"},null]}"), V "The supplied Item contains a null AttributeValue");
    CHECK_STR(av("{\"M\":{\"k\":null}}"), V "The supplied Item contains a null AttributeValue: k is null");
    CHECK_STR(item_rt("{\"pk\":{\"S\":\"a\"},\"d\":null}"),
              V "The supplied Item contains a null AttributeValue: d is null");
    CHECK_STR(item_rt("{\"\":{\"S\":\"a\"}}"), V "Empty attribute name");
    CHECK_STR(av("{\"M\":{\"\":{\"S\":\"a\"}}}"), V "Empty attribute name");
    /* errors inside containers surface unchanged */
    CHECK_STR(av("{\"L\":[{\"NULL\":false}]}"), V INV "Null attribute value types must have the value of true");
    CHECK_STR(av("{\"M\":{\"a\":{}}}"),
              V "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    /* empty strings and binaries are fine outside keys, also inside sets */
    CHECK_STR(av("{\"SS\":[\"\",\"a\"]}"), "{\"a\":{\"SS\":[\"\",\"a\"]}}");
    /* a big set with one duplicate at the far end */
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"SS\":[");
    for (int i = 0; i < 5000; i++)
        buf_printf(&b, "\"m%d\",", i);
    buf_puts(&b, "\"m17\"]}");
    buf_putc(&b, '\0');
    const char *got = av(b.data);
    CHECK(strncmp(got, V INV "Input collection [m0, m1, ", strlen(V INV "Input collection [m0, m1, ")) == 0);
    buf_free(&b);

    /* a lone value: value_from_json */
    json_t *j = load("null");
    value_t v;
    err_t e = {0};
    CHECK(value_from_json(&arena, j, &v, &e) < 0 && e.code == ERR_VALIDATION);
    json_decref(j);
}

static void test_serialization_messages(void)
{
    CHECK_STR(av("{\"S\":5}"), SER "NUMBER_VALUE cannot be converted to String");
    CHECK_STR(av("{\"N\":5}"), SER "NUMBER_VALUE cannot be converted to String");
    CHECK_STR(av("{\"S\":true}"), SER "TRUE_VALUE cannot be converted to String");
    CHECK_STR(av("{\"S\":{}}"), SER "Start of structure or map found where not expected.");
    CHECK_STR(av("{\"S\":[]}"), SER "Start of list found where not expected");
    CHECK_STR(av("{\"BOOL\":\"true\"}"), SER "STRING_VALUE cannot be converted to Boolean");
    CHECK_STR(av("{\"NULL\":1}"), SER "NUMBER_VALUE cannot be converted to Boolean");
    CHECK_STR(av("{\"SS\":\"a\"}"), SER "Expected list or null");
    CHECK_STR(av("{\"SS\":{}}"), SER "Start of structure or map found where not expected.");
    CHECK_STR(av("{\"SS\":[1]}"), SER "NUMBER_VALUE cannot be converted to String");
    CHECK_STR(av("{\"L\":{}}"), SER "Start of structure or map found where not expected.");
    CHECK_STR(av("{\"L\":[5]}"), SER "Expected null");
    CHECK_STR(av("{\"M\":[]}"), SER "Start of list found where not expected");
    CHECK_STR(av("{\"M\":\"x\"}"), SER "Expected map or null");
    CHECK_STR(av("\"str\""), SER "Expected null");
    CHECK_STR(av("[]"), SER "Start of list found where not expected");
    CHECK_STR(item_rt("[]"), SER "Start of list found where not expected");
    CHECK_STR(item_rt("5"), SER "Expected map or null");
    CHECK_STR(av("{\"B\":5}"), SER "NUMBER_VALUE cannot be converted to Blob");
    CHECK_STR(
        av("{\"B\":\"YQ\"}"), SER
        "'YQ' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 2");
    CHECK_STR(av("{\"B\":\"!!!!\"}"), SER "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'");
    CHECK_STR(av("{\"B\":\"Y=Q=\"}"), SER "'Y=Q=' can not be converted to a Blob: Invalid Base64 character: '='");
    CHECK_STR(av("{\"B\":\"YR==\"}"),
              SER "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
    CHECK_STR(av("{\"BS\":[\"YQ==\",5]}"), SER "NUMBER_VALUE cannot be converted to Blob");
    /* shapes are checked before any validation, anywhere in the item */
    CHECK_STR(item_rt("{\"a\":{\"NULL\":false},\"b\":{\"S\":5}}"), SER "NUMBER_VALUE cannot be converted to String");
}

static const char *nested(int levels, const char *inner, char kind)
{
    static buf_t b = BUF_INIT; /* kept for the process: tests use the text right away */
    buf_reset(&b);
    buf_puts(&b, "{\"a\":");
    for (int i = 0; i < levels; i++)
        buf_puts(&b, kind == 'M' ? "{\"M\":{\"k\":" : "{\"L\":[");
    buf_puts(&b, inner);
    for (int i = 0; i < levels; i++)
        buf_puts(&b, kind == 'M' ? "}}" : "]}");
    buf_puts(&b, "}");
    buf_putc(&b, '\0');
    return b.data;
}

static void test_nesting(void)
{
    const char *msg = V "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
                        "beyond supported limit";
    /* as measured on DynamoDB Local: 31 containers around a scalar pass,
     * a 32nd container (even an empty one) fails */
    CHECK(item_rt(nested(31, "{\"S\":\"x\"}", 'M'))[0] == '{');
    CHECK(item_rt(nested(31, "{\"SS\":[\"x\"]}", 'L'))[0] == '{');
    CHECK_STR(item_rt(nested(31, "{\"M\":{}}", 'M')), msg);
    CHECK_STR(item_rt(nested(31, "{\"L\":[]}", 'L')), msg);
    CHECK_STR(item_rt(nested(32, "{\"S\":\"x\"}", 'M')), msg);
    /* nesting is reported before the values' own errors */
    CHECK_STR(item_rt(nested(40, "{\"NULL\":false}", 'M')), msg);
    CHECK_STR(item_rt(nested(200, "{\"S\":\"x\"}", 'L')), msg);
}

static void test_size(void)
{
    /* expectations measured against DynamoDB Local's consumed capacity */
    static const struct {
        const char *v;
        size_t size;
    } cases[] = {
        {"{\"N\":\"0\"}", 1},
        {"{\"N\":\"1\"}", 2},
        {"{\"N\":\"-1\"}", 3},
        {"{\"N\":\"15\"}", 2},
        {"{\"N\":\"1.5\"}", 3},
        {"{\"N\":\"0.055\"}", 3},
        {"{\"N\":\"-0.055\"}", 4},
        {"{\"N\":\"123456789\"}", 6},
        {"{\"N\":\"-123456789\"}", 7},
        {"{\"N\":\"1e100\"}", 2},
        {"{\"N\":\"100\"}", 2},
        {"{\"N\":\"1234\"}", 3},
        {"{\"N\":\"1.234\"}", 4},
        {"{\"N\":\"12345678912345678912345678912345678911\"}", 20},
        {"{\"N\":\"-12345678912345678912345678912345678911\"}", 21},
        {"{\"N\":\"1.2345678912345678912345678912345678911\"}", 21},
        {"{\"N\":\"-1.2345678912345678912345678912345678911\"}", 21},
        {"{\"N\":\"-0.12345678912345678912345678912345678911\"}", 21},
        {"{\"S\":\"\\u00e9\"}", 2},
        {"{\"B\":\"YWI=\"}", 2},
        {"{\"BOOL\":true}", 1},
        {"{\"NULL\":true}", 1},
        {"{\"M\":{}}", 3},
        {"{\"M\":{\"ab\":{\"S\":\"xyz\"}}}", 9},
        {"{\"L\":[]}", 3},
        {"{\"L\":[{\"S\":\"xyz\"},{\"N\":\"15\"}]}", 10},
        {"{\"L\":[{\"M\":{\"a\":{\"NULL\":true}}}]}", 10},
        {"{\"SS\":[\"ab\",\"c\"]}", 3},
        {"{\"NS\":[\"15\",\"1.5\"]}", 5},
        {"{\"BS\":[\"YWI=\",\"Yw==\"]}", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        value_t v = one(cases[i].v);
        if (value_size(&v) != cases[i].size)
            fprintf(stderr, "size of %s: %zu, want %zu\n", cases[i].v, value_size(&v), cases[i].size);
        CHECK(value_size(&v) == cases[i].size);
    }
    value_t it = item("{\"pk\":{\"S\":\"a\"},\"p\":{\"S\":\"xyz\"},\"\\u00e9\":{\"N\":\"1\"}}");
    CHECK(item_size(&it) == (2 + 1) + (1 + 3) + (2 + 2));
    value_t empty = item("{}");
    CHECK(item_size(&empty) == 0);
}

static void test_cmp_equal(void)
{
    value_t a = one("{\"N\":\"-10\"}"), b = one("{\"N\":\"9\"}"), c = one("{\"N\":\"9.0\"}");
    CHECK(value_cmp(&a, &b) < 0 && value_cmp(&b, &a) > 0 && value_cmp(&b, &c) == 0);
    value_t s1 = one("{\"S\":\"ab\"}"), s2 = one("{\"S\":\"abc\"}"), s3 = one("{\"S\":\"b\"}");
    CHECK(value_cmp(&s1, &s2) < 0 && value_cmp(&s2, &s3) < 0 && value_cmp(&s3, &s3) == 0);
    value_t b1 = one("{\"B\":\"AP8=\"}"), b2 = one("{\"B\":\"/wA=\"}");
    CHECK(value_cmp(&b1, &b2) < 0); /* bytes unsigned: 0x00 < 0xff */

    CHECK(value_equal(&b, &c));
    value_t x = one("{\"SS\":[\"a\",\"b\",\"c\"]}"), y = one("{\"SS\":[\"c\",\"a\",\"b\"]}"),
            z = one("{\"SS\":[\"a\",\"b\"]}");
    CHECK(value_equal(&x, &y) && !value_equal(&x, &z));
    value_t n1 = one("{\"NS\":[\"1\",\"2.0\"]}"), n2 = one("{\"NS\":[\"2\",\"1.00\"]}");
    CHECK(value_equal(&n1, &n2));
    value_t l1 = one("{\"L\":[{\"S\":\"a\"},{\"N\":\"1\"}]}"), l2 = one("{\"L\":[{\"N\":\"1\"},{\"S\":\"a\"}]}");
    CHECK(!value_equal(&l1, &l2) && value_equal(&l1, &l1));
    value_t m1 = one("{\"M\":{\"a\":{\"S\":\"x\"},\"b\":{\"BOOL\":true}}}");
    value_t m2 = one("{\"M\":{\"b\":{\"BOOL\":true},\"a\":{\"S\":\"x\"}}}");
    value_t m3 = one("{\"M\":{\"b\":{\"BOOL\":false},\"a\":{\"S\":\"x\"}}}");
    CHECK(value_equal(&m1, &m2) && !value_equal(&m1, &m3));
    value_t t1 = one("{\"S\":\"1\"}"), t2 = one("{\"N\":\"1\"}");
    CHECK(!value_equal(&t1, &t2));

    /* large maps and sets take the sorting path */
    buf_t p = BUF_INIT, q = BUF_INIT;
    buf_puts(&p, "{\"M\":{");
    buf_puts(&q, "{\"M\":{");
    for (int i = 0; i < 100; i++) {
        buf_printf(&p, "%s\"k%d\":{\"NS\":[\"%d\",\"%d.5\"]}", i ? "," : "", i, i, i);
        buf_printf(&q, "%s\"k%d\":{\"NS\":[\"%d.50\",\"%d\"]}", i ? "," : "", 99 - i, 99 - i, 99 - i);
    }
    buf_puts(&p, "}}");
    buf_puts(&q, "}}");
    buf_putc(&p, '\0');
    buf_putc(&q, '\0');
    value_t big1 = one(p.data), big2 = one(q.data);
    CHECK(value_equal(&big1, &big2));
    big2.m.m[50].v.l.v[0].s = STR_LIT("7");
    CHECK(!value_equal(&big1, &big2));
    buf_free(&p);
    buf_free(&q);
}

static void test_item_edits(void)
{
    value_t it = item("{\"a\":{\"S\":\"1\"},\"b\":{\"N\":\"2\"}}");
    CHECK(item_get(&it, STR_LIT("b")) && item_get(&it, STR_LIT("b"))->type == VT_N);
    CHECK(item_get(&it, STR_LIT("c")) == NULL);
    value_t nv = one("{\"BOOL\":true}");
    value_t w = item_with(&arena, &it, STR_LIT("c"), &nv);
    CHECK(w.m.n == 3 && it.m.n == 2);
    CHECK(item_get(&w, STR_LIT("c"))->b);
    value_t r = item_with(&arena, &w, STR_LIT("a"), &nv);
    CHECK(r.m.n == 3 && item_get(&r, STR_LIT("a"))->type == VT_BOOL);
    CHECK(item_get(&w, STR_LIT("a"))->type == VT_S); /* the original is untouched */
    value_t wo = item_without(&arena, &r, STR_LIT("b"));
    CHECK(wo.m.n == 2 && !item_get(&wo, STR_LIT("b")) && r.m.n == 3);
    value_t same = item_without(&arena, &r, STR_LIT("zz"));
    CHECK(same.m.m == r.m.m && same.m.n == r.m.n);
    value_t none = item_without(&arena, &(value_t){.type = VT_M}, STR_LIT("a"));
    CHECK(none.m.n == 0);
    value_t onlyone = item("{\"x\":{\"NULL\":true}}");
    value_t gone = item_without(&arena, &onlyone, STR_LIT("x"));
    CHECK(gone.type == VT_M && gone.m.n == 0);

    /* deep copy survives the source arena */
    arena_t tmp;
    arena_init(&tmp);
    json_t *j = load("{\"m\":{\"M\":{\"l\":{\"L\":[{\"S\":\"deep\"},{\"BS\":[\"YQ==\"]}]}}}}");
    value_t src;
    err_t e = {0};
    CHECK(item_from_json(&tmp, j, &src, &e) == 0);
    json_decref(j);
    value_t cp = value_copy(&arena, &src);
    CHECK(value_equal(&cp, &src));
    arena_free(&tmp);
    const value_t *l = item_get(&item_get(&cp, STR_LIT("m"))[0], STR_LIT("l"));
    CHECK(l && l->l.n == 2 && str_eq_cstr(l->l.v[0].s, "deep"));

    CHECK_STR(vtype_name(VT_BS), "BS");
    CHECK_STR(vtype_name(VT_NONE), "");
    CHECK(vtype_from_name(STR_LIT("NULL")) == VT_NULL);
    CHECK(vtype_from_name(STR_LIT("X")) == VT_NONE);
}

static void test_codec(void)
{
    static const char *const items[] = {
        "{}",
        "{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"-1.5e-100\"},\"b\":{\"B\":\"AAECAw==\"}}",
        ("{\"ss\":{\"SS\":[\"x\",\"\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"bs\":{\"BS\":[\"YQ==\"]},\"t\":{\"BOOL\":true},"
         "\"z\":{\"NULL\":true}}"),
        "{\"l\":{\"L\":[{\"L\":[{\"M\":{\"k\":{\"S\":\"v\"}}}]},{\"M\":{}},{\"L\":[]}]}}",
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        value_t v = item(items[i]), d;
        buf_t b = BUF_INIT;
        value_encode(&b, &v);
        CHECK(value_decode(&arena, (const uint8_t *)b.data, b.len, &d) == 0);
        CHECK(value_equal(&v, &d));
        /* every strict prefix is malformed */
        size_t bad = 0;
        for (size_t n = 0; n < b.len; n++)
            if (value_decode(&arena, (const uint8_t *)b.data, n, &d) == 0)
                bad++;
        CHECK(bad == 0);
        /* and so is any trailing byte */
        buf_putc(&b, 0);
        CHECK(value_decode(&arena, (const uint8_t *)b.data, b.len, &d) < 0);
        buf_free(&b);
    }
    /* the deepest value DynamoDB accepts round-trips */
    value_t deep = item(nested(31, "{\"S\":\"x\"}", 'L')), d;
    buf_t b = BUF_INIT;
    value_encode(&b, &deep);
    CHECK(value_decode(&arena, (const uint8_t *)b.data, b.len, &d) == 0 && value_equal(&deep, &d));
    buf_free(&b);

    /* hand-made garbage */
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"", 0},
        {"\x00", 1}, /* VT_NONE */
        {"\x0b", 1}, /* past VT_BS */
        {"\xff", 1},
        {"\x04\x02", 2}, /* BOOL 2 */
        {"\x04", 1}, /* BOOL without its byte */
        {"\x02\x03"
         "1.0",
         5}, /* N not canonical */
        {"\x02\x03"
         "abc",
         5}, /* N not a number */
        {"\x02\x00", 2}, /* N empty */
        {"\x09\x00", 2}, /* empty NS */
        {"\x08\x01\x01", 3}, /* SS member past the end */
        {"\x01\x05"
         "ab",
         4}, /* S shorter than its length */
        {"\x07\xff\xff\xff\xff\x0f", 6}, /* L with a huge count */
        {"\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12}, /* overlong varint */
        {"\x06\x01\x00\x01", 4}, /* M member whose value is cut off */
        {"\x06\x01\x01"
         "a\x05\x02",
         6}, /* M member NULL then trailing byte */
        {"\x06\x02\x01"
         "a\x05\x01"
         "a\x05",
         8}, /* M with a name twice */
        {"\x08\x02\x01"
         "a\x01"
         "a",
         6}, /* SS with a member twice */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        value_t out;
        if (value_decode(&arena, (const uint8_t *)bad[i].bytes, bad[i].len, &out) == 0)
            fprintf(stderr, "decoded garbage #%zu\n", i);
        CHECK(value_decode(&arena, (const uint8_t *)bad[i].bytes, bad[i].len, &out) < 0);
    }
    value_t out;
    CHECK(value_decode(&arena, NULL, 0, &out) < 0);

    /* nesting past the limit is refused, without deep recursion */
    buf_t deep_buf = BUF_INIT;
    for (int i = 0; i < 100000; i++) {
        buf_putc(&deep_buf, VT_L);
        buf_putc(&deep_buf, 1);
    }
    buf_putc(&deep_buf, VT_NULL);
    CHECK(value_decode(&arena, (const uint8_t *)deep_buf.data, deep_buf.len, &out) < 0);
    buf_free(&deep_buf);

    /* random bytes never crash; whatever decodes survives a round trip */
    uint64_t s = 88172645463325252u;
    for (int i = 0; i < 100000; i++) {
        uint8_t junk[24];
        size_t n = (size_t)(i % 24);
        for (size_t k = 0; k < n; k++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            junk[k] = (uint8_t)(s % 3 ? s % 12 : s >> 8);
        }
        if (value_decode(&arena, junk, n, &out) == 0) {
            buf_t re = BUF_INIT;
            value_t again;
            value_encode(&re, &out);
            CHECK(value_decode(&arena, (const uint8_t *)re.data, re.len, &again) == 0);
            CHECK(value_equal(&out, &again));
            buf_free(&re);
        }
        if (i % 1000 == 0)
            arena_clear(&arena);
    }
}

int main(void)
{
    arena_init(&arena);
    RUN(test_round_trip);
    RUN(test_validation_messages);
    RUN(test_serialization_messages);
    RUN(test_nesting);
    RUN(test_size);
    RUN(test_cmp_equal);
    RUN(test_item_edits);
    RUN(test_codec);
    arena_free(&arena);
    return check_done();
}
