/* ion.c - Ion text in and out (see ion.h), after the Ion 1.0 text
 * specification (amazon-ion.github.io/ion-docs/docs/spec.html) and AWS's
 * type mapping for DynamoDB. */
#include "model/ion.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/number.h"
#include "model/value_internal.h"

/* a record's wrapper struct, then the item and its attributes' levels */
#define ION_MAX_DEPTH (VALUE_MAX_LEVEL + 1)
#define MSG_INVALID "One or more parameter values were invalid: "
#define MSG_NESTING                                                                                                    \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "                        \
    "beyond supported limit"

typedef struct ip {
    arena_t *a;
    const char *start, *p, *end;
    bool eof;
    bool more; /* the input ran out mid-value and more may come */
    err_t *e;
    int depth;
} ip_t;

static int fail(ip_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ip_t *s, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return err_set(s->e, ERR_VALIDATION, "Invalid Ion at byte %zu: %s", (size_t)(s->p - s->start), why);
}

/* The input ended where more was needed. */
static int cut(ip_t *s)
{
    if (!s->eof) {
        s->more = true;
        return -1;
    }
    return fail(s, "unexpected end of input");
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'; }
static bool is_id_char(char c) { return is_id_start(c) || is_digit(c); }
static size_t left(const ip_t *s) { return (size_t)(s->end - s->p); }

static int skip_ws(ip_t *s)
{
    while (s->p < s->end) {
        if (is_ws(*s->p)) {
            s->p++;
            continue;
        }
        if (*s->p != '/')
            return 0;
        if (left(s) < 2)
            return s->eof ? 0 : cut(s);
        if (s->p[1] == '/') {
            const char *nl = memchr(s->p, '\n', left(s));
            if (!nl)
                return s->eof ? (s->p = s->end, 0) : cut(s);
            s->p = nl + 1;
        } else if (s->p[1] == '*') {
            const char *q = s->p + 2;
            while (q + 1 < s->end && !(q[0] == '*' && q[1] == '/'))
                q++;
            if (q + 1 >= s->end)
                return s->eof ? fail(s, "unterminated comment") : cut(s);
            s->p = q + 2;
        } else {
            return 0;
        }
    }
    return 0;
}

/* Whether the next bytes are lit; cut when they might be but are not all here. */
static int looking_at(ip_t *s, const char *lit, bool *yes)
{
    size_t n = strlen(lit), have = left(s) < n ? left(s) : n;
    *yes = false;
    if (memcmp(s->p, lit, have) != 0)
        return 0;
    if (have < n)
        return s->eof ? 0 : cut(s);
    *yes = true;
    return 0;
}

/* ---- strings ------------------------------------------------------------------- */

static bool utf8_valid(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (k == 9 || (k > 0 && i + k >= n))
            return false;
        unsigned cp = k == 0 ? c : k == 1 ? c & 0x1f : k == 2 ? c & 0x0f : c & 0x07;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

static void put_utf8(buf_t *b, unsigned cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | cp >> 12));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | cp >> 18));
        buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

static int hex_digits(ip_t *s, int n, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s->p == s->end)
            return cut(s);
        char c = *s->p++;
        int d = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return fail(s, "bad hex digit in an escape");
        *out = *out << 4 | (unsigned)d;
    }
    return 0;
}

/* One escape (s->p after the backslash) appended to b. */
static int escape(ip_t *s, buf_t *b)
{
    if (s->p == s->end)
        return cut(s);
    char c = *s->p++;
    unsigned cp;
    switch (c) {
    case 'a': buf_putc(b, 7); return 0;
    case 'b': buf_putc(b, 8); return 0;
    case 't': buf_putc(b, 9); return 0;
    case 'n': buf_putc(b, 10); return 0;
    case 'f': buf_putc(b, 12); return 0;
    case 'r': buf_putc(b, 13); return 0;
    case 'v': buf_putc(b, 11); return 0;
    case '0': buf_putc(b, 0); return 0;
    case '?':
    case '\'':
    case '"':
    case '/':
    case '\\': buf_putc(b, c); return 0;
    case '\n': return 0; /* a line continued */
    case '\r':
        if (s->p < s->end && *s->p == '\n')
            s->p++;
        return 0;
    case 'x':
        if (hex_digits(s, 2, &cp))
            return -1;
        put_utf8(b, cp);
        return 0;
    case 'U':
        if (hex_digits(s, 8, &cp))
            return -1;
        break;
    case 'u':
        if (hex_digits(s, 4, &cp))
            return -1;
        if (cp >= 0xd800 && cp <= 0xdbff) { /* a surrogate pair */
            unsigned lo;
            if (left(s) < 2)
                return cut(s);
            if (s->p[0] != '\\' || s->p[1] != 'u')
                return fail(s, "unpaired surrogate");
            s->p += 2;
            if (hex_digits(s, 4, &lo))
                return -1;
            if (lo < 0xdc00 || lo > 0xdfff)
                return fail(s, "unpaired surrogate");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        break;
    default: return fail(s, "unknown escape \\%c", c);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail(s, "escape outside Unicode");
    put_utf8(b, cp);
    return 0;
}

/* A short string or quoted symbol (s->p after the opening quote q). */
static int short_string(ip_t *s, char q, buf_t *b)
{
    for (;;) {
        if (s->p == s->end)
            return cut(s);
        char c = *s->p++;
        if (c == q)
            return 0;
        if (c == '\\') {
            if (escape(s, b))
                return -1;
        } else if (c == '\n' || c == '\r') {
            return fail(s, "a newline in a short string");
        } else {
            buf_putc(b, c);
        }
    }
}

/* One or more long strings '''...''' (s->p at the first), concatenated. */
static int long_strings(ip_t *s, buf_t *b)
{
    for (;;) {
        s->p += 3;
        for (;;) {
            if (s->p == s->end)
                return cut(s);
            if (*s->p == '\'') {
                bool close = false;
                if (looking_at(s, "'''", &close))
                    return -1;
                if (close) {
                    s->p += 3;
                    break;
                }
            }
            char c = *s->p++;
            if (c == '\\') {
                if (escape(s, b))
                    return -1;
            } else {
                buf_putc(b, c);
            }
        }
        bool again = false;
        if (skip_ws(s))
            return -1;
        if (s->p == s->end && !s->eof)
            return cut(s); /* another part may follow */
        if (looking_at(s, "'''", &again))
            return -1;
        if (!again)
            return 0;
    }
}

static int text_value(ip_t *s, buf_t *b, str_t *out)
{
    if (!utf8_valid((const unsigned char *)b->data, b->len))
        return fail(s, "a string that is not UTF-8");
    *out = value__copy_str(s->a, (str_t){b->data, b->len});
    return 0;
}

/* ---- numbers ------------------------------------------------------------------- */

/* An int in base 16 or 2 (digits after the 0x / 0b) as decimal text. */
static int radix_int(ip_t *s, bool neg, const char *p, const char *end, int base, buf_t *b)
{
    unsigned __int128 v = 0, lim = ~(unsigned __int128)0 / (unsigned)base;
    bool any = false;
    for (; p < end; p++) {
        if (*p == '_')
            continue;
        int d = is_digit(*p) ? *p - '0' : (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? (*p | 0x20) - 'a' + 10 : 99;
        if (d >= base)
            return fail(s, "a bad digit in an int");
        if (v > lim)
            return fail(s, "an int too large for a DynamoDB number");
        v = v * (unsigned)base + (unsigned)d;
        any = true;
    }
    if (!any)
        return fail(s, "an int without digits");
    char tmp[48];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    if (neg)
        buf_putc(b, '-');
    while (n)
        buf_putc(b, tmp[--n]);
    return 0;
}

static int number(ip_t *s, value_t *out)
{
    const char *t = s->p;
    while (s->p < s->end && (is_id_char(*s->p) || *s->p == '.' || *s->p == '+' || *s->p == '-' || *s->p == ':'))
        s->p++;
    if (s->p == s->end && !s->eof)
        return cut(s);
    size_t n = (size_t)(s->p - t);
    if ((n == 4 && memcmp(t, "+inf", 4) == 0) || (n == 4 && memcmp(t, "-inf", 4) == 0))
        return fail(s, "infinity has no DynamoDB type");
    bool neg = *t == '-';
    const char *d = t + (neg || *t == '+');
    if (*t == '+')
        return fail(s, "a number with a plus sign");
    for (const char *q = d; q < s->p; q++) {
        bool after_exp = q > d && (q[-1] | 0x20) == 'e';
        after_exp = after_exp || (q > d && (q[-1] | 0x20) == 'd');
        if (*q == 'T' || *q == ':' || ((*q == '-' || *q == '+') && !after_exp))
            return fail(s, "timestamps have no DynamoDB type");
    }
    buf_t b = BUF_INIT;
    int rc = 0;
    if (s->p - d > 2 && d[0] == '0' && (d[1] | 0x20) == 'x') {
        rc = radix_int(s, neg, d + 2, s->p, 16, &b);
    } else if (s->p - d > 2 && d[0] == '0' && (d[1] | 0x20) == 'b') {
        rc = radix_int(s, neg, d + 2, s->p, 2, &b);
    } else {
        for (const char *q = t; q < s->p; q++)
            if (*q != '_')
                buf_putc(&b, (*q | 0x20) == 'd' ? 'e' : *q);
    }
    char norm[NUMBER_TEXT_MAX];
    size_t len;
    err_t ne = {0};
    if (!rc && number_normalize((str_t){b.data, b.len}, norm, &len, &ne)) {
        if (strstr(ne.msg, "converted to a numeric value"))
            rc = fail(s, "not a number: %.*s", (int)(n > 64 ? 64 : n), t);
        else
            rc = err_set(s->e, ne.code, "%s", ne.msg);
    }
    buf_free(&b);
    if (rc)
        return rc;
    out->type = VT_N;
    out->s = value__copy_str(s->a, (str_t){norm, len});
    return 0;
}

/* ---- blobs, containers ------------------------------------------------------------ */

static int lob(ip_t *s, value_t *out)
{
    s->p += 2;
    buf_t b = BUF_INIT;
    int rc = 0;
    while (s->p < s->end && is_ws(*s->p))
        s->p++;
    if (s->p == s->end) {
        rc = cut(s);
    } else if (*s->p == '"' || *s->p == '\'') { /* a clob: its bytes */
        bool lng = false;
        rc = looking_at(s, "'''", &lng);
        if (!rc && lng)
            rc = long_strings(s, &b);
        else if (!rc && *s->p == '"')
            s->p++, rc = short_string(s, '"', &b);
        else if (!rc)
            rc = fail(s, "a quoted symbol in a clob");
        while (!rc && s->p < s->end && is_ws(*s->p))
            s->p++;
    } else {
        const char *q = s->p;
        while (q + 1 < s->end && !(q[0] == '}' && q[1] == '}'))
            q++;
        if (q + 1 >= s->end) {
            rc = cut(s);
        } else {
            buf_t text = BUF_INIT;
            for (; s->p < q; s->p++)
                if (!is_ws(*s->p))
                    buf_putc(&text, *s->p);
            buf_reserve(&b, text.len * 3 / 4 + 4);
            size_t got;
            if (base64_decode(text.data ? text.data : "", text.len, (uint8_t *)b.data, &got))
                rc = fail(s, "a blob that is not base64");
            else
                b.len = got;
            buf_free(&text);
        }
    }
    if (!rc) {
        if (left(s) < 2)
            rc = cut(s);
        else if (s->p[0] != '}' || s->p[1] != '}')
            rc = fail(s, "a lob not closed by }}");
        else
            s->p += 2;
    }
    if (!rc) {
        out->type = VT_B;
        out->s = value__copy_str(s->a, (str_t){b.data, b.len});
    }
    buf_free(&b);
    return rc;
}

static int value(ip_t *s, value_t *out);

/* Elements into an arena array (grown by doubling). */
typedef struct elems {
    value_t *v;
    size_t n, cap;
} elems_t;

static value_t *elems_add(arena_t *a, elems_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        value_t *nv = arena_calloc(a, cap, sizeof *nv);
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = cap;
    }
    return &l->v[l->n++];
}

static int enter(ip_t *s)
{
    if (++s->depth > ION_MAX_DEPTH)
        return err_set(s->e, ERR_VALIDATION, MSG_NESTING);
    s->p++;
    return 0;
}

/* After a container's element: a comma, or the closing char (*done). */
static int separator(ip_t *s, char close, bool *done)
{
    if (skip_ws(s))
        return -1;
    if (s->p == s->end)
        return cut(s);
    *done = *s->p == close;
    if (*s->p == ',')
        s->p++;
    else if (!*done)
        return fail(s, "expected ',' or '%c'", close);
    return 0;
}

static int list(ip_t *s, value_t *out)
{
    elems_t l = {0};
    if (enter(s))
        return -1;
    for (;;) {
        if (skip_ws(s))
            return -1;
        if (s->p == s->end)
            return cut(s);
        if (*s->p == ']')
            break;
        if (value(s, elems_add(s->a, &l)))
            return -1;
        bool done = false;
        if (separator(s, ']', &done))
            return -1;
        if (done)
            break;
    }
    s->p++;
    s->depth--;
    *out = (value_t){.type = VT_L, .l = {l.v, l.n}};
    return 0;
}

/* A field name: identifier, quoted symbol or string. */
static int field_name(ip_t *s, str_t *out)
{
    buf_t b = BUF_INIT;
    int rc = 0;
    bool lng = false;
    if (is_id_start(*s->p)) {
        const char *t = s->p;
        while (s->p < s->end && is_id_char(*s->p))
            s->p++;
        if (s->p == s->end)
            rc = cut(s);
        else
            buf_append(&b, t, (size_t)(s->p - t));
    } else if ((rc = looking_at(s, "'''", &lng)) == 0 && lng) {
        rc = long_strings(s, &b);
    } else if (!rc && (*s->p == '"' || *s->p == '\'')) {
        char q = *s->p++;
        rc = short_string(s, q, &b);
    } else if (!rc) {
        rc = fail(s, "expected a field name");
    }
    if (!rc)
        rc = text_value(s, &b, out);
    buf_free(&b);
    return rc;
}

static int structure(ip_t *s, value_t *out)
{
    typedef struct {
        member_t *m;
        size_t n, cap;
    } members_t;
    members_t ms = {0};
    if (enter(s))
        return -1;
    for (;;) {
        if (skip_ws(s))
            return -1;
        if (s->p == s->end)
            return cut(s);
        if (*s->p == '}')
            break;
        str_t name;
        if (field_name(s, &name) || skip_ws(s))
            return -1;
        if (s->p == s->end)
            return cut(s);
        if (*s->p != ':' || (left(s) > 1 && s->p[1] == ':'))
            return fail(s, "expected ':' after a field name");
        s->p++;
        if (name.len == 0)
            return err_set(s->e, ERR_VALIDATION, "Empty attribute name");
        if (ms.n == ms.cap) {
            size_t cap = ms.cap ? ms.cap * 2 : 8;
            member_t *nm = arena_calloc(s->a, cap, sizeof *nm);
            if (ms.n)
                memcpy(nm, ms.m, ms.n * sizeof *nm);
            ms.m = nm;
            ms.cap = cap;
        }
        ms.m[ms.n].name = name;
        if (value(s, &ms.m[ms.n].v))
            return -1;
        ms.n++;
        bool done = false;
        if (separator(s, '}', &done))
            return -1;
        if (done)
            break;
    }
    s->p++;
    s->depth--;
    if (value__names_have_dup(ms.m, ms.n))
        return fail(s, "a struct with a field name twice");
    *out = (value_t){.type = VT_M, .m = {ms.m, ms.n}};
    return 0;
}

/* A list annotated as a set becomes that set, with DynamoDB's rules. */
static int to_set(ip_t *s, vtype_t t, value_t *v)
{
    static const char *const empty[] = {MSG_INVALID "An string set  may not be empty",
                                        MSG_INVALID "An number set  may not be empty",
                                        MSG_INVALID "Binary sets should not be empty"};
    vtype_t mt = t == VT_SS ? VT_S : t == VT_NS ? VT_N : VT_B;
    int k = t == VT_SS ? 0 : t == VT_NS ? 1 : 2;
    if (v->type != VT_L)
        return fail(s, "a $dynamodb_%s annotation on something else than a list", vtype_name(t));
    if (v->l.n == 0)
        return err_set(s->e, ERR_VALIDATION, "%s", empty[k]);
    for (size_t i = 0; i < v->l.n; i++)
        if (v->l.v[i].type != mt)
            return fail(s, "a %s member of a $dynamodb_%s list", vtype_name(v->l.v[i].type), vtype_name(t));
    if (value__set_has_dup(v->l.v, v->l.n))
        return err_set(s->e, ERR_VALIDATION, MSG_INVALID "Input collection contains duplicates");
    v->type = t;
    return 0;
}

/* A symbol (identifier or quoted) at s->p into b; *quoted when it was. */
static int symbol(ip_t *s, buf_t *b, bool *quoted)
{
    *quoted = *s->p == '\'';
    if (*quoted) {
        s->p++;
        return short_string(s, '\'', b);
    }
    const char *t = s->p;
    while (s->p < s->end && is_id_char(*s->p))
        s->p++;
    if (s->p == s->end && !s->eof)
        return cut(s);
    buf_append(b, t, (size_t)(s->p - t));
    return 0;
}

static bool sym_is(const buf_t *b, const char *lit)
{
    return b->len == strlen(lit) && memcmp(b->data, lit, b->len) == 0;
}

/* A value that began with a symbol: a keyword, a typed null, or a symbol. */
static int symbol_value(ip_t *s, buf_t *b, bool quoted, value_t *out)
{
    if (!quoted && sym_is(b, "null")) {
        if (s->p < s->end && *s->p == '.') { /* null.string, null.struct, ... */
            s->p++;
            while (s->p < s->end && is_id_char(*s->p))
                s->p++;
            if (s->p == s->end && !s->eof)
                return cut(s);
        }
        out->type = VT_NULL;
        return 0;
    }
    if (!quoted && (sym_is(b, "true") || sym_is(b, "false"))) {
        out->type = VT_BOOL;
        out->b = b->data[0] == 't';
        return 0;
    }
    if (!quoted && sym_is(b, "nan"))
        return fail(s, "nan has no DynamoDB type");
    out->type = VT_S; /* a symbol value: its text (our choice) */
    return text_value(s, b, &out->s);
}

static int scalar_or_container(ip_t *s, value_t *out)
{
    char c = *s->p;
    bool lng = false;
    if (c == '{') {
        if (left(s) < 2 && !s->eof)
            return cut(s);
        return left(s) >= 2 && s->p[1] == '{' ? lob(s, out) : structure(s, out);
    }
    if (c == '[')
        return list(s, out);
    if (c == '(')
        return fail(s, "s-expressions have no DynamoDB type");
    if (is_digit(c) || c == '-' || c == '+')
        return number(s, out);
    if (looking_at(s, "'''", &lng))
        return -1;
    if (lng || c == '"') {
        buf_t b = BUF_INIT;
        int rc = lng ? long_strings(s, &b) : (s->p++, short_string(s, '"', &b));
        if (!rc)
            rc = text_value(s, &b, &out->s);
        out->type = VT_S;
        buf_free(&b);
        return rc;
    }
    return fail(s, "unexpected '%c'", c);
}

/* A value with its annotations. */
static int value(ip_t *s, value_t *out)
{
    vtype_t set = VT_NONE;
    for (;;) {
        if (skip_ws(s))
            return -1;
        if (s->p == s->end)
            return cut(s);
        if (!is_id_start(*s->p) && !(*s->p == '\'' && !(left(s) >= 3 && memcmp(s->p, "'''", 3) == 0)))
            break;
        if (*s->p == '\'' && left(s) < 3 && !s->eof)
            return cut(s);
        buf_t b = BUF_INIT;
        bool quoted, ann;
        int rc = symbol(s, &b, &quoted);
        const char *after = s->p;
        if (!rc)
            rc = skip_ws(s);
        if (!rc && s->p == s->end && !s->eof)
            rc = cut(s);
        if (!rc)
            rc = looking_at(s, "::", &ann);
        if (!rc && ann) {
            s->p += 2;
            if (sym_is(&b, "$dynamodb_SS") || sym_is(&b, "$dynamodb_NS") || sym_is(&b, "$dynamodb_BS"))
                set = vtype_from_name((str_t){b.data + 10, 2});
            buf_free(&b);
            continue;
        }
        if (!rc) {
            s->p = after;
            rc = symbol_value(s, &b, quoted, out);
        }
        buf_free(&b);
        if (!rc && set != VT_NONE)
            rc = fail(s, "a set annotation on a symbol");
        return rc;
    }
    if (scalar_or_container(s, out))
        return -1;
    return set == VT_NONE ? 0 : to_set(s, set, out);
}

int ion_read(arena_t *a, const char *p, size_t n, bool eof, size_t *used, value_t *out, err_t *e)
{
    ip_t s = {a, p, p, p + n, eof, false, e, 0};
    for (;;) {
        if (skip_ws(&s)) {
            *used = 0;
            return s.more ? ION_NEED_MORE : -1;
        }
        const char *at = s.p;
        *used = (size_t)(at - p);
        if (at == s.end) {
            if (!eof)
                return ION_NEED_MORE;
            return ION_END;
        }
        int rc = value(&s, out);
        if (rc && s.more) {
            if ((size_t)(s.end - at) > ION_MAX_VALUE_BYTES)
                return err_set(e, ERR_VALIDATION, "An Ion value is larger than %u bytes", ION_MAX_VALUE_BYTES);
            return ION_NEED_MORE;
        }
        if (rc)
            return -1;
        *used = (size_t)(s.p - p);
        /* version markers and symbol tables are the system's, not data */
        bool marker = out->type == VT_S && str_eq_cstr(out->s, "$ion_1_0") && *at == '$';
        if (!marker && !(out->type == VT_M && *at == '$' && s.p - at > 17 && memcmp(at, "$ion_symbol_table", 17) == 0))
            return ION_VALUE;
    }
}

/* ---- writing -------------------------------------------------------------------- */

static void write_escaped(buf_t *b, str_t t, char q)
{
    buf_putc(b, q);
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c == (unsigned char)q || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c == '\t') {
            buf_puts(b, "\\t");
        } else if (c == '\r') {
            buf_puts(b, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\x%02x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, q);
}

void ion_write_name(buf_t *b, str_t name)
{
    static const char *const keywords[] = {"null", "true", "false", "nan"};
    bool id = name.len > 0 && is_id_start(name.ptr[0]) && name.ptr[0] != '$';
    for (size_t i = 1; id && i < name.len; i++)
        id = is_id_char(name.ptr[i]);
    for (size_t i = 0; id && i < 4; i++)
        id = !str_eq_cstr(name, keywords[i]);
    if (id)
        buf_append(b, name.ptr, name.len);
    else
        write_escaped(b, name, '\'');
}

void ion_write_number(buf_t *b, str_t t)
{
    if (memchr(t.ptr, '.', t.len)) { /* a fraction is an Ion decimal as it is */
        buf_append(b, t.ptr, t.len);
        return;
    }
    size_t zeros = 0;
    while (zeros + 1 < t.len && t.ptr[t.len - 1 - zeros] == '0')
        zeros++;
    if (zeros == 0 || (t.len - zeros == 1 && t.ptr[0] == '-')) {
        buf_append(b, t.ptr, t.len);
        buf_putc(b, '.');
        return;
    }
    buf_append(b, t.ptr, t.len - zeros);
    buf_printf(b, "d%zu", zeros);
}

static void write_elems(buf_t *b, const value_t *v)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < v->l.n; i++) {
        if (i)
            buf_putc(b, ',');
        ion_write_value(b, &v->l.v[i]);
    }
    buf_putc(b, ']');
}

void ion_write_item(buf_t *b, const value_t *item)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < item->m.n; i++) {
        if (i)
            buf_putc(b, ',');
        ion_write_name(b, item->m.m[i].name);
        buf_putc(b, ':');
        ion_write_value(b, &item->m.m[i].v);
    }
    buf_putc(b, '}');
}

void ion_write_value(buf_t *b, const value_t *v)
{
    switch (v->type) {
    case VT_S: write_escaped(b, v->s, '"'); return;
    case VT_N: ion_write_number(b, v->s); return;
    case VT_B:
        buf_puts(b, "{{");
        base64_encode(b, (const uint8_t *)v->s.ptr, v->s.len);
        buf_puts(b, "}}");
        return;
    case VT_BOOL: buf_puts(b, v->b ? "true" : "false"); return;
    case VT_NULL: buf_puts(b, "null"); return;
    case VT_M: ion_write_item(b, v); return;
    case VT_L: write_elems(b, v); return;
    case VT_SS:
    case VT_NS:
    case VT_BS:
        buf_printf(b, "$dynamodb_%s::", vtype_name(v->type));
        write_elems(b, v);
        return;
    default: buf_puts(b, "null"); return;
    }
}
