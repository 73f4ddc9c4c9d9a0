/* number.c - DynamoDB's exact decimal numbers (see number.h).
 *
 * A number is sign * coef * 10^exp, coef < 10^38 with no trailing zeros.
 * Parsing, formatting and comparison work on that triple directly; the
 * arithmetic goes through little decimal digit arrays, which is slower
 * than 128-bit tricks but obviously exact, and numbers are short.
 *
 * Error messages are AWS's, as recorded against the real service (DynamoDB
 * Local words the "not a number" and "38 digits" cases differently: "A
 * value provided cannot be converted into a number", "DynamoDB only
 * supports precision up to 38 digits"; AWS wins where they differ). */
#include "model/number.h"

#include <stdio.h>
#include <string.h>

#define NUM_EXP_MAX 125 /* exponent of the leading digit, at most */
#define NUM_EXP_MIN -130 /* exponent of the leading digit, at least */

#define MSG_NAN "The parameter cannot be converted to a numeric value"
#define MSG_OVERFLOW "Number overflow. Attempting to store a number with magnitude larger than supported range"
#define MSG_UNDERFLOW "Number underflow. Attempting to store a number with magnitude smaller than supported range"
#define MSG_PRECISION "Attempting to store more than 38 significant digits in a Number"

/* AWS repeats the offending text after the message, except when it is empty. */
static int number_nan(str_t text, err_t *e)
{
    if (text.len == 0)
        return err_set(e, ERR_VALIDATION, MSG_NAN);
    int max = 1024; /* the message buffer is bounded; very long junk is cut */
    int len = text.len > (size_t)max ? max : (int)text.len;
    return err_set(e, ERR_VALIDATION, MSG_NAN ": %.*s", len, text.ptr);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits of coef, most significant first; returns how many (0 for zero). */
static int coef_digits(unsigned __int128 coef, char out[NUMBER_MAX_DIGITS + 1])
{
    char tmp[NUMBER_MAX_DIGITS + 1];
    int n = 0;
    while (coef > 0 && n < NUMBER_MAX_DIGITS + 1) {
        tmp[n++] = (char)('0' + (int)(coef % 10));
        coef /= 10;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static void number_set_zero(number_t *n)
{
    n->coef = 0;
    n->exp = 0;
    n->neg = false;
}

/* The syntax is Java's BigDecimal(String), which DynamoDB uses: optional
 * sign, digits with at most one '.', at least one digit, optional exponent
 * whose value must fit a 32-bit int. The checks after a successful parse
 * follow AWS's order: overflow, underflow, then precision. */
int number_parse(str_t text, number_t *out, err_t *e)
{
    if (text.len == 0) /* also keeps NULL out of the pointer arithmetic */
        return number_nan(text, e);
    const char *p = text.ptr, *end = text.ptr + text.len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';

    const char *mant = p;
    int64_t ndigits = 0, nfrac = 0, first_nz = -1, last_nz = -1;
    bool dot = false;
    for (; p < end; p++) {
        if (is_digit(*p)) {
            if (*p != '0') {
                if (first_nz < 0)
                    first_nz = ndigits;
                last_nz = ndigits;
            }
            ndigits++;
            nfrac += dot;
        } else if (*p == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    const char *mant_end = p;
    if (ndigits == 0)
        return number_nan(text, e);

    int64_t exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p == end || !is_digit(*p))
            return number_nan(text, e);
        for (; p < end && is_digit(*p); p++) {
            exp10 = exp10 * 10 + (*p - '0');
            if (exp10 > INT32_MAX)
                return number_nan(text, e);
        }
        if (eneg)
            exp10 = -exp10;
    }
    if (p != end)
        return number_nan(text, e);

    if (first_nz < 0) {
        number_set_zero(out); /* "-0", "0.00e7": zero has no sign */
        return 0;
    }
    int64_t n = last_nz - first_nz + 1;
    int64_t lsd_exp = exp10 - nfrac + (ndigits - 1 - last_nz);
    int64_t msd_exp = lsd_exp + n - 1;
    if (msd_exp > NUM_EXP_MAX)
        return err_set(e, ERR_VALIDATION, MSG_OVERFLOW);
    if (msd_exp < NUM_EXP_MIN)
        return err_set(e, ERR_VALIDATION, MSG_UNDERFLOW);
    if (n > NUMBER_MAX_DIGITS)
        return err_set(e, ERR_VALIDATION, MSG_PRECISION);

    unsigned __int128 coef = 0;
    int64_t idx = 0;
    for (const char *q = mant; q < mant_end; q++) {
        if (!is_digit(*q))
            continue;
        if (idx >= first_nz && idx <= last_nz)
            coef = coef * 10 + (unsigned)(*q - '0');
        idx++;
    }
    out->coef = coef;
    out->exp = (int32_t)lsd_exp;
    out->neg = neg;
    return 0;
}

size_t number_format(const number_t *n, char *out)
{
    char d[NUMBER_MAX_DIGITS + 1];
    int nd = coef_digits(n->coef, d);
    char *o = out;
    if (nd == 0) {
        *o++ = '0';
        *o = '\0';
        return 1;
    }
    if (n->neg)
        *o++ = '-';
    int exp = n->exp;
    if (exp >= 0) {
        memcpy(o, d, (size_t)nd);
        o += nd;
        memset(o, '0', (size_t)exp);
        o += exp;
    } else if (nd + exp > 0) { /* the point falls inside the digits */
        int ip = nd + exp;
        memcpy(o, d, (size_t)ip);
        o += ip;
        *o++ = '.';
        memcpy(o, d + ip, (size_t)(nd - ip));
        o += nd - ip;
    } else {
        int zeros = -exp - nd;
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)zeros);
        o += zeros;
        memcpy(o, d, (size_t)nd);
        o += nd;
    }
    *o = '\0';
    return (size_t)(o - out);
}

bool number_is_zero(const number_t *n) { return n->coef == 0; }

static int digit_count(unsigned __int128 c)
{
    int n = 0;
    while (c > 0) {
        c /= 10;
        n++;
    }
    return n;
}

static unsigned __int128 pow10_u128(int k)
{
    unsigned __int128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* Magnitudes only. Both are normalized, so the leading digit's exponent
 * decides first; on a tie the coefficients are left-aligned (the shorter
 * one scaled up, which stays below 10^38) and compared. */
static int magnitude_cmp(const number_t *a, const number_t *b)
{
    int na = digit_count(a->coef), nb = digit_count(b->coef);
    int64_t ma = (int64_t)a->exp + na - 1, mb = (int64_t)b->exp + nb - 1;
    if (ma != mb)
        return ma < mb ? -1 : 1;
    unsigned __int128 ca = a->coef, cb = b->coef;
    if (na < nb)
        ca *= pow10_u128(nb - na);
    else if (nb < na)
        cb *= pow10_u128(na - nb);
    return ca < cb ? -1 : ca > cb ? 1 : 0;
}

int number_cmp(const number_t *a, const number_t *b)
{
    bool za = a->coef == 0, zb = b->coef == 0;
    if (za || zb) {
        if (za && zb)
            return 0;
        if (za)
            return b->neg ? 1 : -1;
        return a->neg ? -1 : 1;
    }
    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    int m = magnitude_cmp(a, b);
    return a->neg ? -m : m;
}

/* ---- exact addition ------------------------------------------------------
 * Operands are laid out as little-endian decimal digits (index 0 is
 * 10^base). Two non-zero operands whose digits lie more than ARITH_GAP
 * positions apart cannot have a 38-digit sum: the result keeps the lower
 * operand's last digit and the upper operand's leading digit (give or take
 * one), so they fail early and the arrays stay small. */
#define ARITH_GAP 80
#define ARITH_WIDTH (NUMBER_MAX_DIGITS + ARITH_GAP + 2)

typedef struct digits {
    unsigned char d[ARITH_WIDTH];
} digits_t;

static void digits_load(digits_t *x, const number_t *n, int64_t base)
{
    memset(x->d, 0, sizeof x->d);
    unsigned __int128 c = n->coef;
    int64_t i = n->exp - base;
    while (c > 0) {
        x->d[i++] = (unsigned char)(c % 10);
        c /= 10;
    }
}

static int digits_cmp(const digits_t *a, const digits_t *b)
{
    for (int i = ARITH_WIDTH - 1; i >= 0; i--)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

static void digits_add(digits_t *acc, const digits_t *x)
{
    int carry = 0;
    for (int i = 0; i < ARITH_WIDTH; i++) {
        int s = acc->d[i] + x->d[i] + carry;
        acc->d[i] = (unsigned char)(s % 10);
        carry = s / 10;
    }
}

static void digits_sub(digits_t *acc, const digits_t *x) /* acc >= x */
{
    int borrow = 0;
    for (int i = 0; i < ARITH_WIDTH; i++) {
        int s = acc->d[i] - x->d[i] - borrow;
        borrow = s < 0;
        acc->d[i] = (unsigned char)(s + (borrow ? 10 : 0));
    }
}

/* Back to a number. A result that needs more than 38 digits is reported
 * as an overflow, as AWS answers 1E+50 + 1 (ScyllaDB's Alternator test
 * suite records this against the service); DynamoDB Local words it as a
 * precision error instead. Precision is checked before range. */
static int digits_store(const digits_t *x, int64_t base, bool neg, number_t *out, err_t *e)
{
    int hi = -1, lo = -1;
    for (int i = 0; i < ARITH_WIDTH; i++) {
        if (x->d[i]) {
            if (lo < 0)
                lo = i;
            hi = i;
        }
    }
    if (hi < 0) {
        number_set_zero(out);
        return 0;
    }
    if (hi - lo + 1 > NUMBER_MAX_DIGITS)
        return err_set(e, ERR_VALIDATION, MSG_OVERFLOW);
    if (base + hi > NUM_EXP_MAX)
        return err_set(e, ERR_VALIDATION, MSG_OVERFLOW);
    if (base + hi < NUM_EXP_MIN)
        return err_set(e, ERR_VALIDATION, MSG_UNDERFLOW);
    unsigned __int128 c = 0;
    for (int i = hi; i >= lo; i--)
        c = c * 10 + x->d[i];
    out->coef = c;
    out->exp = (int32_t)(base + lo);
    out->neg = neg;
    return 0;
}

static int number_add_signed(const number_t *a, const number_t *b, bool b_neg, number_t *out, err_t *e)
{
    if (b->coef == 0) {
        *out = *a;
        return 0;
    }
    if (a->coef == 0) {
        *out = *b;
        out->neg = b_neg;
        return 0;
    }
    int64_t base = a->exp < b->exp ? a->exp : b->exp;
    int64_t top_a = (int64_t)a->exp + digit_count(a->coef) - 1;
    int64_t top_b = (int64_t)b->exp + digit_count(b->coef) - 1;
    int64_t top = top_a > top_b ? top_a : top_b;
    if (top - base + 1 > NUMBER_MAX_DIGITS + ARITH_GAP) /* worded as digits_store does */
        return err_set(e, ERR_VALIDATION, MSG_OVERFLOW);

    digits_t x, y;
    digits_load(&x, a, base);
    digits_load(&y, b, base);
    if (a->neg == b_neg) {
        digits_add(&x, &y);
        return digits_store(&x, base, a->neg, out, e);
    }
    if (digits_cmp(&x, &y) >= 0) {
        digits_sub(&x, &y);
        return digits_store(&x, base, a->neg, out, e);
    }
    digits_sub(&y, &x);
    return digits_store(&y, base, b_neg, out, e);
}

int number_add(const number_t *a, const number_t *b, number_t *out, err_t *e)
{
    return number_add_signed(a, b, b->neg, out, e);
}

int number_sub(const number_t *a, const number_t *b, number_t *out, err_t *e)
{
    return number_add_signed(a, b, !b->neg, out, e);
}

/* ---- order-preserving key form -------------------------------------------
 *   negative: 0x01, 255 - (E + 130), then every byte below complemented
 *   zero:     0x02
 *   positive: 0x03, E + 130, digit pairs as 1 + 10*d1 + d2 (1..100), 0x00
 * E is the leading digit's exponent (-130..125, so E + 130 fits a byte).
 * Digit pairs start at the leading digit; an odd last digit is paired with
 * a 0, which is unambiguous because coefficients have no trailing zeros.
 * The 0x00 terminator is below every pair byte, so the positive form is
 * prefix-free and memcmp orders it by magnitude; complementing every byte
 * of a prefix-free form reverses that order, which is what negatives need.
 * Being self-delimiting, the form can be followed by more key bytes. */
void number_key_encode(const number_t *n, buf_t *out)
{
    if (n->coef == 0) {
        buf_putc(out, 0x02);
        return;
    }
    char d[NUMBER_MAX_DIGITS + 1];
    int nd = coef_digits(n->coef, d);
    uint8_t k[2 + NUMBER_MAX_DIGITS / 2 + 2];
    size_t len = 0;
    int adj = n->exp + nd - 1;
    k[len++] = (uint8_t)(adj - NUM_EXP_MIN);
    for (int i = 0; i < nd; i += 2) {
        int hi = d[i] - '0', lo = i + 1 < nd ? d[i + 1] - '0' : 0;
        k[len++] = (uint8_t)(1 + hi * 10 + lo);
    }
    k[len++] = 0x00;
    if (n->neg)
        for (size_t i = 0; i < len; i++)
            k[i] = (uint8_t)(255 - k[i]);
    buf_putc(out, n->neg ? 0x01 : 0x03);
    buf_append(out, k, len);
}

int number_normalize(str_t text, char *out, size_t *out_len, err_t *e)
{
    number_t n;
    if (number_parse(text, &n, e) < 0)
        return -1;
    *out_len = number_format(&n, out);
    return 0;
}
