/* number.h - DynamoDB's exact decimal numbers.
 *
 * A number is sign * coef * 10^exp with coef < 10^38 (38 significant
 * digits fit an unsigned __int128). Parsed numbers are normalized: coef has
 * no trailing zeros (zero is coef 0, exp 0, not negative), so "1", "1.0"
 * and "01.00" are the same number and the same key. The magnitude range is
 * DynamoDB's: 1E-130 to 9.9999999999999999999999999999999999999E+125. */
#ifndef DDBD_NUMBER_H
#define DDBD_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#define NUMBER_MAX_DIGITS 38
/* Longest text number_format() writes, NUL included: "-0." + 129 zeros +
 * 38 digits, or 126 integer digits, with room to spare. */
#define NUMBER_TEXT_MAX 192

typedef struct number {
    unsigned __int128 coef;
    int32_t exp;
    bool neg;
} number_t;

/* Parses DynamoDB's number syntax (optional sign, digits with an optional
 * '.', optional exponent e/E with optional sign; leading and trailing
 * whitespace is NOT accepted). On error sets a ValidationException with
 * DynamoDB's message (not a number, more than 38 significant digits,
 * overflow, underflow) and returns -1. */
int number_parse(str_t text, number_t *out, err_t *e);

/* Writes the canonical text DynamoDB returns: plain notation, no exponent,
 * no leading or trailing zeros ("1.5", "-0.001", "100"). Returns the
 * length; out must hold NUMBER_TEXT_MAX bytes; NUL-terminated. */
size_t number_format(const number_t *n, char *out);

int number_cmp(const number_t *a, const number_t *b); /* -1, 0, 1 */
bool number_is_zero(const number_t *n);

/* Exact arithmetic; a result outside the range or needing more than 38
 * significant digits fails with DynamoDB's ValidationException message. */
int number_add(const number_t *a, const number_t *b, number_t *out, err_t *e);
int number_sub(const number_t *a, const number_t *b, number_t *out, err_t *e);

/* Appends an order-preserving byte form: memcmp order of two encodings is
 * numeric order, and equal numbers encode equally. Used for sort keys. */
void number_key_encode(const number_t *n, buf_t *out);

/* Parse + format in one step, for values arriving over the wire. */
int number_normalize(str_t text, char *out, size_t *out_len, err_t *e);

#endif
