/* trigger_filter.c - Lambda event filter patterns (see trigger_filter.h).
 *
 * Compiling parses each Pattern string and validates the whole tree once,
 * so matching can trust its shape: every leaf is a non-empty array of
 * known conditions, and nesting is bounded (the matcher recurses). */
#include "streams/trigger_filter.h"
#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct tfilter {
    size_t n;
    json_t *patterns[TFILTER_MAX_FILTERS];
};

static int fail(char *why, size_t why_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    int off = snprintf(why, why_len, "Invalid filter pattern definition: ");
    va_list ap;
    va_start(ap, fmt);
    if (off > 0 && (size_t)off < why_len)
        vsnprintf(why + off, why_len - (size_t)off, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- validation ---------------------------------------------------------- */

/* {"equals-ignore-case":"x"} or a plain string: the operand of prefix/suffix. */
static bool is_text_operand(const json_t *v)
{
    if (json_is_string(v))
        return true;
    return json_is_object(v) && json_object_size(v) == 1 && json_is_string(json_object_get(v, "equals-ignore-case"));
}

static bool is_scalar(const json_t *v) { return json_is_string(v) || json_is_number(v); }

static int check_anything_but(const json_t *v, char *why, size_t why_len)
{
    if (is_scalar(v))
        return 0;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        if (json_array_size(v) == 0)
            return fail(why, why_len, "anything-but needs at least one value");
        json_array_foreach(v, i, e) if (!is_scalar(e)) return fail(why, why_len,
                                                                   "anything-but lists strings or numbers");
        return 0;
    }
    if (json_is_object(v) && json_object_size(v) == 1) {
        const char *k = json_object_iter_key(json_object_iter((json_t *)v));
        json_t *op = json_object_get(v, k);
        if ((!strcmp(k, "prefix") || !strcmp(k, "suffix") || !strcmp(k, "equals-ignore-case")) && json_is_string(op))
            return 0;
    }
    return fail(why, why_len,
                "anything-but takes a value, a list of values, or one of prefix, suffix, equals-ignore-case");
}

static bool numeric_op(const json_t *v)
{
    static const char *const ops[] = {"=", "<", "<=", ">", ">="};
    if (!json_is_string(v))
        return false;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(json_string_value(v), ops[i]))
            return true;
    return false;
}

static int check_numeric(const json_t *v, char *why, size_t why_len)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n != 2 && n != 4)
        return fail(why, why_len, "numeric takes one or two comparisons, like [\">\", 0, \"<=\", 5]");
    for (size_t i = 0; i < n; i += 2)
        if (!numeric_op(json_array_get(v, i)) || !json_is_number(json_array_get(v, i + 1)))
            return fail(why, why_len, "numeric comparisons are one of = < <= > >= followed by a number");
    return 0;
}

static int check_condition(const json_t *c, char *why, size_t why_len)
{
    if (json_is_string(c) || json_is_number(c) || json_is_null(c) || json_is_boolean(c))
        return 0;
    if (!json_is_object(c) || json_object_size(c) != 1)
        return fail(why, why_len, "a condition is a value or an object with one operator");
    const char *k = json_object_iter_key(json_object_iter((json_t *)c));
    json_t *v = json_object_get(c, k);
    if (!strcmp(k, "prefix") || !strcmp(k, "suffix")) {
        if (is_text_operand(v))
            return 0;
        return fail(why, why_len, "%s takes a string", k);
    }
    if (!strcmp(k, "equals-ignore-case"))
        return json_is_string(v) ? 0 : fail(why, why_len, "equals-ignore-case takes a string");
    if (!strcmp(k, "exists"))
        return json_is_boolean(v) ? 0 : fail(why, why_len, "exists takes true or false");
    if (!strcmp(k, "anything-but"))
        return check_anything_but(v, why, why_len);
    if (!strcmp(k, "numeric"))
        return check_numeric(v, why, why_len);
    return fail(why, why_len, "unknown operator \"%s\"", k);
}

static int check_object(const json_t *p, int depth, char *why, size_t why_len);

static int check_or(const json_t *v, int depth, char *why, size_t why_len)
{
    if (!json_is_array(v) || json_array_size(v) < 2)
        return fail(why, why_len, "$or takes a list of at least two patterns");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (check_object(e, depth + 1, why, why_len)) return -1;
    return 0;
}

static int check_object(const json_t *p, int depth, char *why, size_t why_len)
{
    if (depth > TFILTER_MAX_DEPTH)
        return fail(why, why_len, "nested deeper than %d levels", TFILTER_MAX_DEPTH);
    if (!json_is_object(p) || json_object_size(p) == 0)
        return fail(why, why_len, "a pattern is a non-empty JSON object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v)
    {
        if (!strcmp(k, "$or")) {
            if (check_or(v, depth, why, why_len))
                return -1;
        } else if (json_is_object(v)) {
            if (check_object(v, depth + 1, why, why_len))
                return -1;
        } else if (json_is_array(v)) {
            if (json_array_size(v) == 0)
                return fail(why, why_len, "\"%s\" has an empty list of values", k);
            size_t i;
            json_t *c;
            json_array_foreach(v, i, c) if (check_condition(c, why, why_len)) return -1;
        } else {
            return fail(why, why_len, "\"%s\" must be an object or a list of values", k);
        }
    }
    return 0;
}

int tfilter_compile(const json_t *criteria, tfilter_t **out, char *why, size_t why_len)
{
    *out = NULL;
    const json_t *filters = json_is_object(criteria) ? json_object_get(criteria, "Filters") : NULL;
    if (!json_is_array(filters)) {
        snprintf(why, why_len, "FilterCriteria must be an object with a Filters list");
        return -1;
    }
    if (json_array_size(filters) > TFILTER_MAX_FILTERS) {
        snprintf(why, why_len, "FilterCriteria has %zu filters; at most %d are allowed", json_array_size(filters),
                 TFILTER_MAX_FILTERS);
        return -1;
    }
    tfilter_t *f = xcalloc(1, sizeof *f);
    size_t i;
    json_t *e;
    json_array_foreach(filters, i, e)
    {
        json_t *pat = json_is_object(e) ? json_object_get(e, "Pattern") : NULL;
        if (!json_is_string(pat)) {
            snprintf(why, why_len, "each filter must be an object with a Pattern string");
            goto bad;
        }
        if (json_string_length(pat) > TFILTER_MAX_PATTERN_LEN) {
            snprintf(why, why_len, "a Pattern is longer than %d characters", TFILTER_MAX_PATTERN_LEN);
            goto bad;
        }
        json_error_t je;
        json_t *p = json_loadb(json_string_value(pat), json_string_length(pat), JSON_REJECT_DUPLICATES, &je);
        if (!p) {
            fail(why, why_len, "Pattern is not valid JSON (%s)", je.text);
            goto bad;
        }
        f->patterns[f->n++] = p;
        if (check_object(p, 1, why, why_len))
            goto bad;
    }
    *out = f;
    return 0;
bad:
    tfilter_free(f);
    return -1;
}

void tfilter_free(tfilter_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        json_decref(f->patterns[i]);
    free(f);
}

/* ---- matching ------------------------------------------------------------ */

static bool text_starts(const char *s, size_t n, const char *p, size_t pn, bool icase)
{
    return pn <= n && (icase ? strncasecmp(s, p, pn) == 0 : memcmp(s, p, pn) == 0);
}

static bool text_ends(const char *s, size_t n, const char *p, size_t pn, bool icase)
{
    return pn <= n && (icase ? strncasecmp(s + n - pn, p, pn) == 0 : memcmp(s + n - pn, p, pn) == 0);
}

/* prefix/suffix: operand is "x" or {"equals-ignore-case":"x"}. */
static bool match_affix(const json_t *operand, const json_t *v, bool suffix)
{
    if (!json_is_string(v))
        return false;
    bool icase = json_is_object(operand);
    const json_t *t = icase ? json_object_get(operand, "equals-ignore-case") : operand;
    const char *s = json_string_value(v), *p = json_string_value(t);
    size_t n = json_string_length(v), pn = json_string_length(t);
    return suffix ? text_ends(s, n, p, pn, icase) : text_starts(s, n, p, pn, icase);
}

static bool same_scalar(const json_t *want, const json_t *v)
{
    if (json_is_number(want))
        return json_is_number(v) && json_number_value(want) == json_number_value(v);
    return json_is_string(v) && json_string_length(v) == json_string_length(want) &&
           memcmp(json_string_value(v), json_string_value(want), json_string_length(v)) == 0;
}

static bool match_anything_but(const json_t *op, const json_t *v)
{
    if (!v)
        return false; /* anything-but needs the field to be there */
    if (json_is_array(op)) {
        size_t i;
        json_t *e;
        json_array_foreach(op, i, e) if (same_scalar(e, v)) return false;
        return true;
    }
    if (json_is_object(op)) {
        const char *k = json_object_iter_key(json_object_iter((json_t *)op));
        const json_t *t = json_object_get(op, k);
        if (!json_is_string(v))
            return true;
        if (!strcmp(k, "prefix"))
            return !match_affix(t, v, false);
        if (!strcmp(k, "suffix"))
            return !match_affix(t, v, true);
        return !(json_string_length(v) == json_string_length(t) &&
                 strcasecmp(json_string_value(v), json_string_value(t)) == 0);
    }
    return !same_scalar(op, v);
}

static bool compare(const char *op, double a, double b)
{
    if (!strcmp(op, "="))
        return a == b;
    if (!strcmp(op, "<"))
        return a < b;
    if (!strcmp(op, "<="))
        return a <= b;
    if (!strcmp(op, ">"))
        return a > b;
    return a >= b;
}

static bool match_numeric(const json_t *op, const json_t *v)
{
    if (!json_is_number(v))
        return false;
    double x = json_number_value(v);
    for (size_t i = 0; i + 1 < json_array_size(op); i += 2)
        if (!compare(json_string_value(json_array_get(op, i)), x, json_number_value(json_array_get(op, i + 1))))
            return false;
    return true;
}

/* One condition against one value (v NULL: the field is absent). */
static bool match_condition(const json_t *c, const json_t *v)
{
    if (json_is_null(c))
        return v && json_is_null(v);
    if (json_is_boolean(c))
        return v && json_is_boolean(v) && json_is_true(c) == json_is_true(v);
    if (json_is_string(c) || json_is_number(c))
        return v && same_scalar(c, v);
    const char *k = json_object_iter_key(json_object_iter((json_t *)c));
    const json_t *op = json_object_get(c, k);
    if (!strcmp(k, "exists"))
        return json_is_true(op) ? v != NULL : v == NULL;
    if (!v)
        return false;
    if (!strcmp(k, "prefix"))
        return match_affix(op, v, false);
    if (!strcmp(k, "suffix"))
        return match_affix(op, v, true);
    if (!strcmp(k, "equals-ignore-case"))
        return json_is_string(v) && json_string_length(v) == json_string_length(op) &&
               strcasecmp(json_string_value(v), json_string_value(op)) == 0;
    if (!strcmp(k, "anything-but"))
        return match_anything_but(op, v);
    return match_numeric(op, v);
}

static bool match_leaf(const json_t *conds, const json_t *v)
{
    size_t i, j;
    json_t *c, *e;
    json_array_foreach(conds, i, c)
    {
        /* an array value matches when any element does; "exists" is about the field itself */
        if (json_is_array(v) && !(json_is_object(c) && json_object_get(c, "exists"))) {
            json_array_foreach(v, j, e) if (match_condition(c, e)) return true;
        } else if (match_condition(c, v)) {
            return true;
        }
    }
    return false;
}

/* Every key of the pattern must match; obj may be NULL (nothing there). */
static bool match_object(const json_t *pattern, const json_t *obj)
{
    const char *k;
    json_t *pv;
    json_object_foreach((json_t *)pattern, k, pv)
    {
        bool ok;
        if (!strcmp(k, "$or")) {
            ok = false;
            size_t i;
            json_t *alt;
            json_array_foreach(pv, i, alt) if ((ok = match_object(alt, obj))) break;
        } else {
            const json_t *v = json_is_object(obj) ? json_object_get(obj, k) : NULL;
            ok = json_is_object(pv) ? match_object(pv, json_is_object(v) ? v : NULL) : match_leaf(pv, v);
        }
        if (!ok)
            return false;
    }
    return true;
}

bool tfilter_match(const tfilter_t *f, const json_t *record)
{
    if (!f || f->n == 0)
        return true;
    for (size_t i = 0; i < f->n; i++)
        if (match_object(f->patterns[i], record))
            return true;
    return false;
}
