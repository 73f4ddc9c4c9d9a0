/* test_number.c - exact decimals: parsing, formatting, order, arithmetic
 * and the order-preserving key form. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/number.h"

#define MSG_NAN "The parameter cannot be converted to a numeric value"
#define MSG_OVERFLOW "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define MSG_UNDERFLOW "Number underflow. Attempting to store a number with magnitude smaller than supported range"
#define MSG_PRECISION "Attempting to store more than 38 significant digits in a Number"
/* Arithmetic whose exact result needs more than 38 digits: AWS words it as
 * an overflow (see digits_store in number.c). */
#define MSG_ARITH_DIGITS MSG_OVERFLOW

static number_t num(const char *s)
{
    number_t n = {0};
    err_t e = {0};
    if (number_parse(str_from_cstr(s), &n, &e) < 0)
        fprintf(stderr, "bad test number %s: %s\n", s, e.msg);
    return n;
}

static const char *norm(const char *s)
{
    static char out[NUMBER_TEXT_MAX];
    static err_t e;
    size_t len;
    err_clear(&e);
    if (number_normalize(str_from_cstr(s), out, &len, &e) < 0)
        return e.msg;
    CHECK(len == strlen(out));
    return out;
}

static const char *parse_err(const char *s)
{
    static err_t e;
    number_t n;
    err_clear(&e);
    if (number_parse(str_from_cstr(s), &n, &e) == 0)
        return "(parsed)";
    CHECK(e.code == ERR_VALIDATION);
    return e.msg;
}

static void test_normalize(void)
{
    static const char *const cases[][2] = {
        {"01.50", "1.5"},
        {"1E+2", "100"},
        {"1e2", "100"},
        {"-0", "0"},
        {"+0", "0"},
        {"0.000", "0"},
        {"-0.0e5", "0"},
        {"0e99999", "0"},
        {"+5", "5"},
        {"5.", "5"},
        {".5", "0.5"},
        {"-.5", "-0.5"},
        {"100", "100"},
        {"-1.5e-5", "-0.000015"},
        {"123.4500e3", "123450"},
        {"1.23456789012345678901234567890123456780e5", "123456.78901234567890123456789012345678"},
        {"0001000", "1000"},
        {"1E-3", "0.001"},
        {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
        {"1234567890123456789012345678901234567800", "1234567890123456789012345678901234567800"},
        {"-99.1", "-99.1"},
        {"3.14159", "3.14159"},
        {"0.10", "0.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(norm(cases[i][0]), cases[i][1]);

    /* the range limits, exactly */
    char big[200] = "1", small[200] = "0.";
    for (int i = 0; i < 125; i++)
        strcat(big, "0");
    CHECK_STR(norm("1e125"), big);
    for (int i = 0; i < 129; i++)
        strcat(small, "0");
    strcat(small, "1");
    CHECK_STR(norm("1e-130"), small);
    const char *max = "9.9999999999999999999999999999999999999e125";
    CHECK(strlen(norm(max)) == 126);
    CHECK(strncmp(norm(max), "99999999999999999999999999999999999999000", 41) == 0);
    /* the longest text: 38 digits ending far right of the point */
    const char *longest = "-1.0000000000000000000000000000000000001e-130";
    CHECK(strlen(norm(longest)) == 3 + 129 + 38);
    CHECK(strlen(norm(longest)) < NUMBER_TEXT_MAX);
}

static void test_parse_errors(void)
{
    static const char *const nan[] = {"abc", " 1",    "1 ", "1e",  "1e+",           "0x10",        "Infinity",
                                      "NaN", ".",     "-",  "+",   "1.2.3",         "1e5.5",       "--1",
                                      "+-1", "1e--5", "e5", "1,5", "1e99999999999", "1e2147483648"};
    for (size_t i = 0; i < sizeof nan / sizeof nan[0]; i++) {
        char want[256];
        snprintf(want, sizeof want, MSG_NAN ": %s", nan[i]);
        CHECK_STR(parse_err(nan[i]), want);
    }
    CHECK_STR(parse_err(""), MSG_NAN); /* no text, no colon */

    CHECK_STR(parse_err("1e126"), MSG_OVERFLOW);
    CHECK_STR(parse_err("-1e126"), MSG_OVERFLOW);
    CHECK_STR(parse_err("1e200"), MSG_OVERFLOW);
    CHECK_STR(parse_err("10e125"), MSG_OVERFLOW);
    CHECK_STR(parse_err("1e-131"), MSG_UNDERFLOW);
    CHECK_STR(parse_err("-1e-131"), MSG_UNDERFLOW);
    CHECK_STR(parse_err("0.9e-130"), MSG_UNDERFLOW);
    CHECK_STR(parse_err("123456789012345678901234567890123456789"), MSG_PRECISION);
    CHECK_STR(parse_err("-1.23456789012345678901234567890123456789"), MSG_PRECISION);
    CHECK_STR(parse_err("0.000000000000000000000000000000000000000000001234567890123456789012345678901234567890"),
              MSG_PRECISION);
    /* range is checked before precision, as in AWS */
    CHECK_STR(parse_err("123456789012345678901234567890123456789e200"), MSG_OVERFLOW);

    /* 38 significant digits pass however they are padded */
    CHECK_STR(parse_err("12345678901234567890123456789012345678"), "(parsed)");
    CHECK_STR(parse_err("0.0012345678901234567890123456789012345678"), "(parsed)");
    CHECK_STR(parse_err("12345678901234567890123456789012345678000000"), "(parsed)");
    CHECK_STR(parse_err("9.9999999999999999999999999999999999999e125"), "(parsed)");
    CHECK_STR(parse_err("1e-130"), "(parsed)");

    /* a long junk string is quoted, cut, and does not overrun the message */
    char junk[5000];
    memset(junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    CHECK(strncmp(parse_err(junk), MSG_NAN ": xxx", strlen(MSG_NAN) + 5) == 0);
}

static void test_parse_fields(void)
{
    number_t n = num("01.50");
    CHECK(n.coef == 15 && n.exp == -1 && !n.neg);
    n = num("-0");
    CHECK(n.coef == 0 && n.exp == 0 && !n.neg);
    n = num("-1200");
    CHECK(n.coef == 12 && n.exp == 2 && n.neg);
    CHECK(number_is_zero(&(number_t){0}));
    CHECK(!number_is_zero(&n));
}

static void test_format(void)
{
    char out[NUMBER_TEXT_MAX];
    number_t n = {.coef = 15, .exp = -1, .neg = true};
    CHECK(number_format(&n, out) == 4);
    CHECK_STR(out, "-1.5");
    n = (number_t){.coef = 1, .exp = -3};
    number_format(&n, out);
    CHECK_STR(out, "0.001");
    n = (number_t){.coef = 42, .exp = 3};
    number_format(&n, out);
    CHECK_STR(out, "42000");
    n = (number_t){0};
    CHECK(number_format(&n, out) == 1);
    CHECK_STR(out, "0");
}

static const char *const ordered[] = {
    "-9.9999999999999999999999999999999999999e125",
    "-1e125",
    "-123456789",
    "-100",
    "-99.9",
    "-10",
    "-2",
    "-1.5",
    "-1.05",
    "-1.0000000000000000000000000000000000001",
    "-1",
    "-0.99999999999999999999999999999999999999",
    "-0.5",
    "-0.01",
    "-1e-130",
    "0",
    "1e-130",
    "1.0000000000000000000000000000000000001e-130",
    "2e-130",
    "0.01",
    "0.0100000000000000000000000000000000001",
    "0.5",
    "0.99999999999999999999999999999999999999",
    "1",
    "1.0000000000000000000000000000000000001",
    "1.05",
    "1.5",
    "2",
    "10",
    "10.5",
    "99.9",
    "100",
    "123456789",
    "1e125",
    "9.9999999999999999999999999999999999999e125",
};
#define N_ORDERED (sizeof ordered / sizeof ordered[0])

static void test_cmp(void)
{
    for (size_t i = 0; i < N_ORDERED; i++) {
        number_t a = num(ordered[i]);
        for (size_t k = 0; k < N_ORDERED; k++) {
            number_t b = num(ordered[k]);
            int want = i < k ? -1 : i > k ? 1 : 0;
            CHECK(number_cmp(&a, &b) == want);
        }
    }
    number_t a = num("1"), b = num("1.000");
    CHECK(number_cmp(&a, &b) == 0);
}

static const char *arith(const char *x, const char *y, bool sub)
{
    static char out[NUMBER_TEXT_MAX];
    static err_t e;
    number_t a = num(x), b = num(y), r;
    err_clear(&e);
    int rc = sub ? number_sub(&a, &b, &r, &e) : number_add(&a, &b, &r, &e);
    if (rc < 0)
        return e.msg;
    number_format(&r, out);
    return out;
}

static void test_arith(void)
{
    CHECK_STR(arith("1", "2", false), "3");
    CHECK_STR(arith("0.1", "0.2", false), "0.3");
    CHECK_STR(arith("1", "1", true), "0");
    CHECK_STR(arith("1", "-1", false), "0");
    CHECK_STR(arith("-5", "3", false), "-2");
    CHECK_STR(arith("3", "5", true), "-2");
    CHECK_STR(arith("-3", "-5", true), "2");
    CHECK_STR(arith("0", "-7.5", false), "-7.5");
    CHECK_STR(arith("0", "7.5", true), "-7.5");
    CHECK_STR(arith("7.5", "0", true), "7.5");
    CHECK_STR(arith("99999999999999999999999999999999999999", "1", false), "100000000000000000000000000000000000000");
    CHECK_STR(arith("1e40", "1", true), MSG_ARITH_DIGITS); /* 40 nines */
    CHECK_STR(arith("1e37", "1", true), "9999999999999999999999999999999999999");
    CHECK_STR(arith("1.5", "1.5", false), "3");
    CHECK_STR(arith("1e-130", "1e-130", false), norm("2e-130"));
    CHECK_STR(arith("0.3", "0.1", true), "0.2");
    CHECK_STR(arith("1e125", "-1e125", false), "0");
    /* exact or an error, never rounded */
    CHECK_STR(arith("12345678901234567890123456789012345678", "0.1", false), MSG_ARITH_DIGITS);
    CHECK_STR(arith("1e125", "1e-125", false), MSG_ARITH_DIGITS);
    CHECK_STR(arith("1e125", "1e-130", true), MSG_ARITH_DIGITS);
    CHECK_STR(arith("9.9999999999999999999999999999999999999e125", "1e89", false), MSG_ARITH_DIGITS);
    CHECK_STR(arith("9.9999999999999999999999999999999999999e125", "1e88", false), MSG_OVERFLOW);
    CHECK_STR(arith("-9.9999999999999999999999999999999999999e125", "1e88", true), MSG_OVERFLOW);
    CHECK_STR(arith("1.5e-130", "1e-130", true), MSG_UNDERFLOW);
    /* a huge gap that still cancels to a short result is found, not refused */
    CHECK_STR(arith("1e40", "9.9999999999999999999999999999999999999e39", true), "100");
}

/* Random numbers with a known exact value: v = x * 10^-s, x an int64. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fmt_scaled(__int128 x, int s, char *out)
{
    char d[64];
    int n = 0;
    bool neg = x < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-x) : (unsigned __int128)x;
    do {
        d[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= s)
        d[n++] = '0';
    char *o = out;
    if (neg)
        *o++ = '-';
    for (int i = n - 1; i >= 0; i--) {
        *o++ = d[i];
        if (i == s && s > 0)
            *o++ = '.';
    }
    *o = '\0';
}

static void test_arith_random(void)
{
    for (int i = 0; i < 20000; i++) {
        int64_t x = (int64_t)(rnd() % 2000000000001ull) - 1000000000000;
        int64_t y = (int64_t)(rnd() % 2000000000001ull) - 1000000000000;
        int s = (int)(rnd() % 12);
        char xs[64], ys[64], want[64];
        fmt_scaled(x, s, xs);
        fmt_scaled(y, s, ys);
        fmt_scaled((__int128)x + y, s, want);
        CHECK_STR(arith(xs, ys, false), norm(want));
        fmt_scaled((__int128)x - y, s, want);
        CHECK_STR(arith(xs, ys, true), norm(want));
    }
}

/* ---- key form ------------------------------------------------------------- */

typedef struct enc {
    number_t n;
    uint8_t b[32];
    size_t len;
} enc_t;

static void encode(enc_t *x)
{
    buf_t b = BUF_INIT;
    number_key_encode(&x->n, &b);
    CHECK(b.len <= sizeof x->b);
    x->len = b.len < sizeof x->b ? b.len : sizeof x->b;
    memcpy(x->b, b.data, x->len);
    buf_free(&b);
}

static int enc_cmp(const enc_t *a, const enc_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->b, b->b, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static bool is_prefix(const enc_t *a, const enc_t *b) { return a->len < b->len && memcmp(a->b, b->b, a->len) == 0; }

/* A random normalized number anywhere in the range, biased to collide. */
static number_t random_number(void)
{
    number_t n = {0};
    int digits = 1 + (int)(rnd() % NUMBER_MAX_DIGITS);
    if (rnd() % 4 == 0)
        digits = 1 + (int)(rnd() % 3);
    for (int i = 0; i < digits; i++) {
        unsigned d = (unsigned)(rnd() % 10);
        if (rnd() % 3 == 0)
            d = rnd() % 2 ? 0 : 9; /* runs of 0 and 9 test the pair edges */
        n.coef = n.coef * 10 + d;
    }
    if (n.coef == 0)
        return n;
    while (n.coef % 10 == 0)
        n.coef /= 10;
    int nd = 0;
    for (unsigned __int128 c = n.coef; c; c /= 10)
        nd++;
    int msd = (rnd() % 3 == 0) ? (int)(rnd() % 9) - 4 : (int)(rnd() % 256) - 130;
    n.exp = msd - nd + 1;
    n.neg = rnd() % 2;
    return n;
}

static void check_key_order(enc_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        encode(&e[i]);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < n; k++) {
            int want = number_cmp(&e[i].n, &e[k].n);
            if (enc_cmp(&e[i], &e[k]) != want || (want != 0 && is_prefix(&e[i], &e[k])))
                bad++;
        }
    }
    CHECK(bad == 0);
}

static void test_key_order_edges(void)
{
    enc_t e[N_ORDERED];
    for (size_t i = 0; i < N_ORDERED; i++)
        e[i].n = num(ordered[i]);
    check_key_order(e, N_ORDERED);
    /* equal numbers, equal bytes */
    enc_t a = {.n = num("1.50")}, b = {.n = num("0001.5")};
    encode(&a);
    encode(&b);
    CHECK(enc_cmp(&a, &b) == 0);
}

static void test_key_order_random(void)
{
    enum { N = 1500 };
    enc_t *e = calloc(N, sizeof *e);
    for (size_t i = 0; i < N; i++) {
        e[i].n = random_number();
        if (i % 10 == 1) { /* neighbours: v and v plus or minus one unit in the last place */
            number_t one = {.coef = 1, .exp = e[i - 1].n.exp, .neg = rnd() % 2}, r;
            err_t err = {0};
            e[i].n = number_add(&e[i - 1].n, &one, &r, &err) == 0 ? r : e[i - 1].n;
        }
    }
    check_key_order(e, N);
    free(e);
}

int main(void)
{
    RUN(test_normalize);
    RUN(test_parse_errors);
    RUN(test_parse_fields);
    RUN(test_format);
    RUN(test_cmp);
    RUN(test_arith);
    RUN(test_arith_random);
    RUN(test_key_order_edges);
    RUN(test_key_order_random);
    return check_done();
}
