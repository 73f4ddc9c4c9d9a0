/* json_fast.c - the common case of json_loadb, without its byte stream
 * (see json_fast.h).
 *
 * Every function returns 0, or -1 for "not mine": the caller drops what
 * it built and the whole input goes to json_loadb, which either parses it
 * (an escape or a number this reader leaves alone) or rejects it. So this
 * reader never has to reproduce jansson's errors, only its successes. */
#include "base/json_fast.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct jf {
    const char *p, *end;
    char *tmp; /* decoded strings with escapes */
    size_t tmp_cap;
} jf_t;

static json_t *jf_value(jf_t *j, int depth);

static void jf_ws(jf_t *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

/* The escape after a backslash, decoded; 0 for one left to jansson. */
static char jf_escape(char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0; /* \u and invalid escapes */
    }
}

/* A string with escapes, from start (after the quote): decoded into
 * j->tmp, which is at least as long as the raw text. */
static int jf_string_escaped(jf_t *j, const char *start, const char **s, size_t *n)
{
    size_t cap = (size_t)(j->end - start) + 1;
    if (cap > j->tmp_cap) {
        char *t = realloc(j->tmp, cap);
        if (!t)
            return -1;
        j->tmp = t;
        j->tmp_cap = cap;
    }
    size_t o = 0;
    for (const char *p = start; p < j->end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            j->p = p + 1;
            *s = j->tmp;
            *n = o;
            return 0;
        }
        if (c < 0x20 || c >= 0x80)
            return -1;
        if (c == '\\') {
            if (++p == j->end || !(c = (unsigned char)jf_escape(*p)))
                return -1;
        }
        j->tmp[o++] = (char)c;
    }
    return -1;
}

/* The string at j->p (its opening quote): *s points into the input, or
 * into j->tmp when it had escapes, until the next string. */
static int jf_string(jf_t *j, const char **s, size_t *n)
{
    const char *start = ++j->p;
    for (const char *p = start; p < j->end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *s = start;
            *n = (size_t)(p - start);
            j->p = p + 1;
            return 0;
        }
        if (c == '\\')
            return jf_string_escaped(j, start, s, n);
        if (c < 0x20 || c >= 0x80)
            return -1;
    }
    return -1;
}

static bool jf_digit(char c) { return c >= '0' && c <= '9'; }
static bool jf_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* An integer as jansson lexes one: -?(0|[1-9][0-9]*) not followed by a
 * fraction or an exponent (those become reals through strtod: left to
 * jansson, as are more than 18 digits, which could overflow). */
static json_t *jf_integer(jf_t *j)
{
    bool neg = *j->p == '-';
    if (neg)
        j->p++;
    const char *start = j->p;
    uint64_t v = 0; /* 19 digits fit unsigned; only 18 are kept */
    while (j->p < j->end && jf_digit(*j->p) && j->p - start < 19)
        v = v * 10 + (uint64_t)(*j->p++ - '0');
    size_t digits = (size_t)(j->p - start);
    if (digits == 0 || digits > 18 || (digits > 1 && *start == '0'))
        return NULL;
    if (j->p < j->end && (jf_digit(*j->p) || *j->p == '.' || *j->p == 'e' || *j->p == 'E'))
        return NULL;
    return json_integer(neg ? -(json_int_t)v : (json_int_t)v);
}

/* true, false or null; jansson reads a whole run of letters as one word. */
static json_t *jf_word(jf_t *j)
{
    const char *start = j->p;
    while (j->p < j->end && jf_alpha(*j->p))
        j->p++;
    size_t n = (size_t)(j->p - start);
    if (n == 4 && memcmp(start, "true", 4) == 0)
        return json_true();
    if (n == 5 && memcmp(start, "false", 5) == 0)
        return json_false();
    if (n == 4 && memcmp(start, "null", 4) == 0)
        return json_null();
    return NULL;
}

/* The members after '{', each set as jansson's parse_object sets it. */
static int jf_members(jf_t *j, json_t *obj, int depth)
{
    jf_ws(j);
    if (j->p < j->end && *j->p == '}') {
        j->p++;
        return 0;
    }
    for (;;) {
        const char *k;
        size_t kn;
        if (j->p == j->end || *j->p != '"' || jf_string(j, &k, &kn))
            return -1;
        /* A key decoded into tmp must outlive the value's strings. */
        char kbuf[128], *key = (char *)k;
        if (k == j->tmp) {
            key = kn < sizeof kbuf ? kbuf : malloc(kn + 1);
            if (!key)
                return -1;
            memcpy(key, k, kn);
        }
        jf_ws(j);
        json_t *v = NULL;
        if (j->p < j->end && *j->p == ':') {
            j->p++;
            v = jf_value(j, depth + 1);
        }
        int rc = v ? json_object_setn_new_nocheck(obj, key, kn, v) : -1;
        if (key != k && key != kbuf)
            free(key);
        if (rc)
            return -1;
        jf_ws(j);
        if (j->p == j->end)
            return -1;
        char c = *j->p++;
        if (c == '}')
            return 0;
        if (c != ',')
            return -1;
        jf_ws(j);
    }
}

/* The elements after '['. */
static int jf_elements(jf_t *j, json_t *arr, int depth)
{
    jf_ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return 0;
    }
    for (;;) {
        json_t *v = jf_value(j, depth + 1);
        if (!v || json_array_append_new(arr, v))
            return -1;
        jf_ws(j);
        if (j->p == j->end)
            return -1;
        char c = *j->p++;
        if (c == ']')
            return 0;
        if (c != ',')
            return -1;
        jf_ws(j);
    }
}

static json_t *jf_container(jf_t *j, int depth)
{
    bool object = *j->p++ == '{';
    json_t *c = object ? json_object() : json_array();
    if (c && (object ? jf_members(j, c, depth) : jf_elements(j, c, depth)) == 0)
        return c;
    json_decref(c);
    return NULL;
}

/* The value at j->p (after white space), or NULL for "not mine". */
static json_t *jf_value(jf_t *j, int depth)
{
    jf_ws(j);
    if (j->p == j->end || depth > JSON_FAST_MAX_DEPTH)
        return NULL;
    char c = *j->p;
    if (c == '{' || c == '[')
        return jf_container(j, depth);
    if (c == '"') {
        const char *s;
        size_t n;
        return jf_string(j, &s, &n) ? NULL : json_stringn_nocheck(s, n);
    }
    if (c == '-' || jf_digit(c))
        return jf_integer(j);
    return jf_word(j);
}

json_t *json_fast_read(const char *buf, size_t len)
{
    jf_t j = {buf, buf + len, NULL, 0};
    json_t *doc = NULL;
    jf_ws(&j);
    if (j.p < j.end && (*j.p == '{' || *j.p == '[')) /* json_loadb wants an object or an array */
        doc = jf_value(&j, 1);
    jf_ws(&j);
    if (doc && j.p != j.end) {
        json_decref(doc);
        doc = NULL;
    }
    free(j.tmp);
    return doc;
}

json_t *json_fast_loadb(const char *buf, size_t len)
{
    json_t *doc = json_fast_read(buf, len);
    return doc ? doc : json_loadb(buf, len, 0, NULL);
}
