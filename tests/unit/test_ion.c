/* test_ion.c - the file formats of exports and imports: Ion text in and
 * out (AWS's documented examples included), CSV records, and the record
 * lines, each also fed in pieces, as a decompressing stream delivers them. */
#include <string.h>

#include "check.h"
#include "model/csv.h"
#include "model/ion.h"
#include "model/records.h"
#include "test_items.h"

static arena_t arena;

/* One top-level value of text (all of it at once); -1 on error. */
static int read_one(const char *text, value_t *out, err_t *e)
{
    size_t used;
    int rc = ion_read(&arena, text, strlen(text), true, &used, out, e);
    return rc == ION_VALUE ? 0 : -1;
}

static bool json_equal_value(const char *json, const value_t *v)
{
    value_t want = test_item(&arena, json);
    return value_equal(&want, v);
}

/* The developer guide's Ion example (S3DataExport.Output, S3DataImport.Format). */
static void test_guide_example(void)
{
    const char *text = "$ion_1_0 {\n"
                       "    Item:{\n"
                       "        Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],\n"
                       "        Dimensions:\"8.5 x 11.0 x 1.5\",\n"
                       "        ISBN:\"333-3333333333\",\n"
                       "        Id:103.,\n"
                       "        InPublication:false,\n"
                       "        PageCount:6d2,\n"
                       "        Price:2d3,\n"
                       "        ProductCategory:\"Book\",\n"
                       "        Title:\"Book 103 Title\"\n"
                       "    }\n"
                       "}\n";
    value_t top, item;
    err_t e = {0};
    CHECK(read_one(text, &top, &e) == 0);
    CHECK(record_item_of_ion(&top, &item, &e) == 0);
    CHECK(json_equal_value(
        "{\"Authors\":{\"SS\":[\"Author1\",\"Author2\"]},\"Dimensions\":{\"S\":\"8.5 x 11.0 x 1.5\"},"
        "\"ISBN\":{\"S\":\"333-3333333333\"},\"Id\":{\"N\":\"103\"},\"InPublication\":{\"BOOL\":false},"
        "\"PageCount\":{\"N\":\"600\"},\"Price\":{\"N\":\"2000\"},\"ProductCategory\":{\"S\":\"Book\"},"
        "\"Title\":{\"S\":\"Book 103 Title\"}}",
        &item));
    /* and written back as AWS writes it */
    buf_t b = BUF_INIT;
    record_item_line(&b, RECORD_ION, &item);
    buf_putc(&b, '\0');
    CHECK_STR(b.data, "$ion_1_0 {Item:{Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],Dimensions:\"8.5 x 11.0 x "
                      "1.5\",ISBN:\"333-3333333333\",Id:103.,InPublication:false,PageCount:6d2,Price:2d3,"
                      "ProductCategory:\"Book\",Title:\"Book 103 Title\"}}\n");
    buf_free(&b);
}

static void test_types(void)
{
    value_t v;
    err_t e = {0};
    CHECK(
        read_one("{a:null, b:null.struct, c:true, d:{{aGVsbG8=}}, e:{{\"hi\"}}, f:[1, 2.5, -3e2], "
                 "g:$dynamodb_NS::[1, 01.0e1], h:$dynamodb_BS::[{{AQ==}}], 'quoted name':'sym', "
                 "\"string name\":'''long''' '''string''', i:0x1F, j:-0b101, k:1_000, l:{}, m:[], /* c */ n:x // c\n}",
                 &v, &e) == 0);
    CHECK(json_equal_value(
        "{\"a\":{\"NULL\":true},\"b\":{\"NULL\":true},\"c\":{\"BOOL\":true},\"d\":{\"B\":\"aGVsbG8=\"},"
        "\"e\":{\"B\":\"aGk=\"},\"f\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2.5\"},{\"N\":\"-300\"}]},"
        "\"g\":{\"NS\":[\"1\",\"10\"]},\"h\":{\"BS\":[\"AQ==\"]},\"quoted name\":{\"S\":\"sym\"},"
        "\"string name\":{\"S\":\"longstring\"},\"i\":{\"N\":\"31\"},\"j\":{\"N\":\"-5\"},"
        "\"k\":{\"N\":\"1000\"},\"l\":{\"M\":{}},\"m\":{\"L\":[]},\"n\":{\"S\":\"x\"}}",
        &v));
    CHECK(read_one("{s:\"\\u00e9\\U0001F600\\x41\\n\\\"\\\\\\ud83d\\ude00\"}", &v, &e) == 0);
    CHECK(json_equal_value("{\"s\":{\"S\":\"\\u00e9\\ud83d\\ude00A\\n\\\"\\\\\\ud83d\\ude00\"}}", &v));
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "{a:2007-02-23T12:14Z}",
        "{a:(x y)}",
        "{a:nan}",
        "{a:+inf}",
        "{a:$dynamodb_SS::[]}",
        "{a:$dynamodb_SS::[\"x\",\"x\"]}",
        "{a:$dynamodb_NS::[\"x\"]}",
        "{a:1,a:2}",
        "{a:\"unterminated}",
        "{a:1 b:2}",
        "{'':1}",
        "{a:{{not base64!}}}",
        "{a:1e999}",
        "{a:\"\\q\"}",
        "{a:\"\\ud800\"}",
        "{a:123456789012345678901234567890123456789}",
        "{a:[1,2}",
        "{a:\"\xff\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        value_t v;
        err_t e = {0};
        arena_clear(&arena);
        int rc = read_one(bad[i], &v, &e);
        CHECK(rc == -1 && e.code == ERR_VALIDATION);
        if (rc == 0)
            fprintf(stderr, "  accepted: %s\n", bad[i]);
    }
    /* nesting: 33 containers are a record's limit, 34 fail */
    char deep[200] = "";
    for (int i = 0; i < 34; i++)
        strcat(deep, "[");
    for (int i = 0; i < 34; i++)
        strcat(deep, "]");
    value_t v;
    err_t e = {0};
    CHECK(read_one(deep, &v, &e) == -1 && strstr(e.msg, "Nesting Levels"));
    deep[33] = '\0';
    memset(deep + 33, ']', 33);
    deep[66] = '\0';
    err_t e2 = {0};
    CHECK(read_one(deep + 0, &v, &e2) == 0);
}

/* A stream of records delivered a few bytes at a time parses as a whole. */
static void test_pieces(void)
{
    const char *text = "$ion_1_0 {Item:{pk:\"a\",n:12.5,l:['''x''' '''y''']}}\n"
                       "$ion_1_0 {Item:{pk:\"b\",b:{{AAEC}}}}\n// done\n";
    size_t len = strlen(text);
    for (size_t step = 1; step < 20; step++) {
        size_t have = 0, start = 0, values = 0;
        bool ok = true;
        for (;;) {
            bool eof = have == len;
            value_t v;
            err_t e = {0};
            size_t used;
            int rc = ion_read(&arena, text + start, have - start, eof, &used, &v, &e);
            start += used;
            if (rc == ION_VALUE) {
                values++;
                continue;
            }
            if (rc == ION_END)
                break;
            if (rc != ION_NEED_MORE || eof) {
                ok = false;
                break;
            }
            have = have + step > len ? len : have + step;
        }
        CHECK(ok && values == 2);
    }
}

static void test_write_round_trip(void)
{
    value_t item =
        test_item(&arena, "{\"pk\":{\"S\":\"a\\n\\\"b'\"},\"true\":{\"N\":\"-0.00125\"},\"$x\":{\"N\":\"-4500\"},"
                          "\"m\":{\"M\":{\"in ner\":{\"L\":[{\"NULL\":true},{\"BOOL\":true},{\"B\":\"AAE=\"}]}}},"
                          "\"ss\":{\"SS\":[\"q\"]},\"bs\":{\"BS\":[\"AQ==\",\"Ag==\"]},\"z\":{\"N\":\"0\"}}");
    buf_t b = BUF_INIT;
    record_item_line(&b, RECORD_ION, &item);
    value_t top, back;
    err_t e = {0};
    size_t used;
    CHECK(ion_read(&arena, b.data, b.len, true, &used, &top, &e) == ION_VALUE);
    CHECK(record_item_of_ion(&top, &back, &e) == 0);
    CHECK(value_equal(&item, &back));
    buf_reset(&b);
    record_item_line(&b, RECORD_DYNAMODB_JSON, &item);
    CHECK(b.data[b.len - 1] == '\n');
    CHECK(record_item_of_json(&arena, b.data, b.len - 1, &back, &e) == 0);
    CHECK(value_equal(&item, &back));
    buf_free(&b);
}

static void test_delta_lines(void)
{
    value_t keys = test_item(&arena, "{\"pk\":{\"S\":\"a\"}}");
    value_t old_item = test_item(&arena, "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}");
    value_t new_item = test_item(&arena, "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"2\"}}");
    buf_t b = BUF_INIT;
    record_delta_line(&b, RECORD_DYNAMODB_JSON, &keys, &old_item, &new_item, 1680109764000123, true);
    buf_putc(&b, '\0');
    CHECK_STR(b.data,
              "{\"Metadata\":{\"WriteTimestampMicros\":{\"N\":\"1680109764000123\"}},\"Keys\":{\"pk\":{\"S\":"
              "\"a\"}},\"OldImage\":{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}},\"NewImage\":{\"pk\":{\"S\":\"a\"},"
              "\"v\":{\"N\":\"2\"}}}\n");
    buf_reset(&b);
    record_delta_line(&b, RECORD_ION, &keys, &old_item, NULL, 1680109764000000, false); /* a delete, new images */
    buf_putc(&b, '\0');
    CHECK_STR(b.data, "$ion_1_0 {Metadata:{WriteTimestampMicros:1680109764d6},Keys:{pk:\"a\"}}\n");
    buf_free(&b);
}

static int csv_all(const char *text, char delim, size_t step, csv_record_t *out, size_t max, err_t *e)
{
    size_t len = strlen(text), have = 0, start = 0, n = 0;
    for (;;) {
        bool eof = have == len;
        size_t used;
        int rc = csv_read(&arena, text + start, have - start, eof, delim, &used, &out[n], e);
        start += used;
        if (rc == CSV_RECORD && n + 1 < max) {
            n++;
            continue;
        }
        if (rc == CSV_END)
            return (int)n;
        if (rc != CSV_NEED_MORE || eof)
            return -1;
        have = have + step > len ? len : have + step;
    }
}

static void test_csv(void)
{
    const char *text = "pk,title,year\r\nA1,\"The Dark, Side\",1973\n\nB2,\"say \"\"hi\"\"\nthere\",\nC3,,x\"y\n";
    for (size_t step = 1; step <= strlen(text); step += 3) {
        csv_record_t r[8];
        err_t e = {0};
        int n = csv_all(text, ',', step, r, 8, &e);
        CHECK(n == 4);
        if (n != 4)
            continue;
        CHECK(r[0].n == 3 && str_eq_cstr(r[0].fields[2], "year"));
        CHECK(r[1].n == 3 && str_eq_cstr(r[1].fields[1], "The Dark, Side"));
        CHECK(r[2].n == 3 && str_eq_cstr(r[2].fields[1], "say \"hi\"\nthere") && r[2].fields[2].len == 0);
        CHECK(r[3].n == 3 && r[3].fields[1].len == 0 && str_eq_cstr(r[3].fields[2], "x\"y"));
    }
    csv_record_t r[4];
    err_t e = {0};
    CHECK(csv_all("a|b\tc|d\n", '|', 100, r, 4, &e) == 1 && r[0].n == 3 && str_eq_cstr(r[0].fields[1], "b\tc"));
    CHECK(csv_all("\"a\"b,c\n", ',', 100, r, 4, &e) == -1);
    err_t e2 = {0};
    CHECK(csv_all("\"never closed,c\n", ',', 100, r, 4, &e2) == -1 && e2.code == ERR_VALIDATION);
}

int main(void)
{
    arena_init(&arena);
    RUN(test_guide_example);
    RUN(test_types);
    RUN(test_errors);
    RUN(test_pieces);
    RUN(test_write_round_trip);
    RUN(test_delta_lines);
    RUN(test_csv);
    arena_free(&arena);
    return check_done();
}
