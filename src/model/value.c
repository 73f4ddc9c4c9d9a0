/* value.c - the AttributeValue model (see value.h): type names, sizes,
 * order and equality, items, and the storage encoding. Wire JSON is in
 * value_json.c. */
#include "model/value.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/number.h"
#include "model/value_internal.h"

static const char *const vtype_names[] = {
    [VT_NONE] = "", [VT_S] = "S", [VT_N] = "N",   [VT_B] = "B",   [VT_BOOL] = "BOOL", [VT_NULL] = "NULL",
    [VT_M] = "M",   [VT_L] = "L", [VT_SS] = "SS", [VT_NS] = "NS", [VT_BS] = "BS",
};

const char *vtype_name(vtype_t t)
{
    if ((unsigned)t >= sizeof vtype_names / sizeof vtype_names[0])
        return "";
    return vtype_names[t];
}

const char *vtype_long_name(vtype_t t)
{
    static const char *const long_names[] = {
        [VT_S] = "STRING", [VT_N] = "NUMBER", [VT_B] = "BINARY",      [VT_BOOL] = "BOOLEAN",  [VT_NULL] = "NULL",
        [VT_M] = "MAP",    [VT_L] = "LIST",   [VT_SS] = "STRING_SET", [VT_NS] = "NUMBER_SET", [VT_BS] = "BINARY_SET",
    };
    if ((unsigned)t >= sizeof long_names / sizeof long_names[0] || !long_names[t])
        return "";
    return long_names[t];
}

vtype_t vtype_from_name(str_t name)
{
    for (int t = VT_S; t <= VT_BS; t++)
        if (str_eq_cstr(name, vtype_names[t]))
            return (vtype_t)t;
    return VT_NONE;
}

bool value__vtype_is_set(vtype_t t) { return t == VT_SS || t == VT_NS || t == VT_BS; }

str_t value__copy_str(arena_t *a, str_t s)
{
    if (s.len == 0)
        return (str_t){"", 0};
    char *p = arena_alloc(a, s.len);
    memcpy(p, s.ptr, s.len);
    return (str_t){p, s.len};
}

int value__str_ptr_cmp(const void *x, const void *y) { return str_cmp(*(const str_t *)x, *(const str_t *)y); }

/* Whether the n strings in tmp (scratch, reordered) hold a duplicate:
 * sorting finds them in n log n; sets can hold tens of thousands of members. */
static bool strs_have_dup(str_t *tmp, size_t n)
{
    qsort(tmp, n, sizeof *tmp, value__str_ptr_cmp);
    for (size_t i = 1; i < n; i++)
        if (str_eq(tmp[i - 1], tmp[i]))
            return true;
    return false;
}

/* Sorting copies (not the members, whose order is the caller's). */
bool value__set_has_dup(const value_t *members, size_t n)
{
    if (n < 2)
        return false;
    str_t *tmp = xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = members[i].s;
    bool dup = strs_have_dup(tmp, n);
    free(tmp);
    return dup;
}

/* Map names are unique; storage is checked for it like the wire is. */
bool value__names_have_dup(const member_t *m, size_t n)
{
    if (n < 2)
        return false;
    if (n <= VALUE_SMALL_N) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++)
                if (str_eq(m[i].name, m[k].name))
                    return true;
        return false;
    }
    str_t *tmp = xmalloc(n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = m[i].name;
    bool dup = strs_have_dup(tmp, n);
    free(tmp);
    return dup;
}

/* ---- size ----------------------------------------------------------------------
 * The AWS developer guide ("Item sizes and formats") gives: strings by
 * UTF-8 bytes, binaries by raw bytes, BOOL and NULL 1 byte, maps and lists
 * 3 bytes plus 1 per element plus the elements (a map element counts its
 * name), and numbers "approximately 1 byte per two significant digits plus
 * 1". Sets are the sum of their members. For numbers the exact rule, which
 * reproduces DynamoDB Local's consumed capacity byte for byte (checked on
 * 1..38 digits, both signs, several exponents), is DynamoDB's internal
 * number form: 1 exponent byte, 1 byte per base-100 digit pair aligned on
 * the decimal point, and 1 terminator byte for negatives shorter than 20
 * pairs; zero is 1 byte. */

static int64_t floor_div2(int64_t x) { return x >= 0 ? x / 2 : -((-x + 1) / 2); }

static size_t number_text_size(str_t text)
{
    number_t n;
    err_t e = {0};
    if (number_parse(text, &n, &e) < 0 || n.coef == 0)
        return 1;
    int digits = 0;
    for (unsigned __int128 c = n.coef; c > 0; c /= 10)
        digits++;
    int64_t msd = (int64_t)n.exp + digits - 1;
    int64_t pairs = floor_div2(msd) - floor_div2(n.exp) + 1;
    return (size_t)(1 + pairs + (n.neg && pairs < 20 ? 1 : 0));
}

static size_t value_size_at(const value_t *v, int depth)
{
    size_t sz = 0;
    switch (v->type) {
    case VT_S:
    case VT_B: return v->s.len;
    case VT_N: return number_text_size(v->s);
    case VT_BOOL:
    case VT_NULL: return 1;
    case VT_SS:
    case VT_BS:
        for (size_t i = 0; i < v->l.n; i++)
            sz += v->l.v[i].s.len;
        return sz;
    case VT_NS:
        for (size_t i = 0; i < v->l.n; i++)
            sz += number_text_size(v->l.v[i].s);
        return sz;
    case VT_L:
        sz = 3;
        for (size_t i = 0; i < v->l.n && depth < VALUE_WALK_MAX; i++)
            sz += 1 + value_size_at(&v->l.v[i], depth + 1);
        return sz;
    case VT_M:
        sz = 3;
        for (size_t i = 0; i < v->m.n && depth < VALUE_WALK_MAX; i++)
            sz += 1 + v->m.m[i].name.len + value_size_at(&v->m.m[i].v, depth + 1);
        return sz;
    default: return 0;
    }
}

size_t value_size(const value_t *v) { return value_size_at(v, 0); }

size_t item_size(const value_t *item)
{
    size_t sz = 0;
    for (size_t i = 0; i < item->m.n; i++)
        sz += item->m.m[i].name.len + value_size_at(&item->m.m[i].v, 1);
    return sz;
}

/* ---- order and equality --------------------------------------------------------- */

int value_cmp(const value_t *a, const value_t *b)
{
    if (a->type == VT_N && b->type == VT_N) {
        number_t x, y;
        err_t e = {0};
        if (number_parse(a->s, &x, &e) == 0 && number_parse(b->s, &y, &e) == 0)
            return number_cmp(&x, &y);
    }
    return str_cmp(a->s, b->s); /* S and B: bytes, shorter first */
}

static bool equal_at(const value_t *a, const value_t *b, int depth);

static int member_name_cmp(const void *x, const void *y)
{
    return str_cmp((*(const member_t *const *)x)->name, (*(const member_t *const *)y)->name);
}

/* Names are unique within a map, so sorting both sides by name pairs them. */
static bool maps_equal(const value_t *a, const value_t *b, int depth)
{
    size_t n = a->m.n;
    if (n != b->m.n)
        return false;
    if (n <= VALUE_SMALL_N) {
        for (size_t i = 0; i < n; i++) {
            size_t k = 0;
            while (k < n && !str_eq(a->m.m[i].name, b->m.m[k].name))
                k++;
            if (k == n || !equal_at(&a->m.m[i].v, &b->m.m[k].v, depth + 1))
                return false;
        }
        return true;
    }
    const member_t **x = xmalloc(2 * n * sizeof *x);
    const member_t **y = x + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = &a->m.m[i];
        y[i] = &b->m.m[i];
    }
    qsort(x, n, sizeof *x, member_name_cmp);
    qsort(y, n, sizeof *y, member_name_cmp);
    bool eq = true;
    for (size_t i = 0; i < n && eq; i++)
        eq = str_eq(x[i]->name, y[i]->name) && equal_at(&x[i]->v, &y[i]->v, depth + 1);
    free(x);
    return eq;
}

/* Set members are unique, so equal sets are equal after sorting. N members
 * compare as text: it is normalized, equal numbers have equal text. */
static bool sets_equal(const value_t *a, const value_t *b)
{
    size_t n = a->l.n;
    if (n != b->l.n)
        return false;
    if (n <= VALUE_SMALL_N) {
        for (size_t i = 0; i < n; i++) {
            size_t k = 0;
            while (k < n && !str_eq(a->l.v[i].s, b->l.v[k].s))
                k++;
            if (k == n)
                return false;
        }
        return true;
    }
    str_t *x = xmalloc(2 * n * sizeof *x);
    str_t *y = x + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = a->l.v[i].s;
        y[i] = b->l.v[i].s;
    }
    qsort(x, n, sizeof *x, value__str_ptr_cmp);
    qsort(y, n, sizeof *y, value__str_ptr_cmp);
    bool eq = true;
    for (size_t i = 0; i < n && eq; i++)
        eq = str_eq(x[i], y[i]);
    free(x);
    return eq;
}

static bool equal_at(const value_t *a, const value_t *b, int depth)
{
    if (a->type != b->type || depth > VALUE_WALK_MAX)
        return false;
    switch (a->type) {
    case VT_S:
    case VT_N:
    case VT_B: return str_eq(a->s, b->s);
    case VT_BOOL: return a->b == b->b;
    case VT_NULL: return true;
    case VT_M: return maps_equal(a, b, depth);
    case VT_L:
        if (a->l.n != b->l.n)
            return false;
        for (size_t i = 0; i < a->l.n; i++)
            if (!equal_at(&a->l.v[i], &b->l.v[i], depth + 1))
                return false;
        return true;
    case VT_SS:
    case VT_NS:
    case VT_BS: return sets_equal(a, b);
    default: return true;
    }
}

bool value_equal(const value_t *a, const value_t *b) { return equal_at(a, b, 0); }

/* ---- items -------------------------------------------------------------------- */

const value_t *item_get(const value_t *item, str_t name)
{
    if (!item || item->type != VT_M)
        return NULL;
    for (size_t i = 0; i < item->m.n; i++)
        if (str_eq(item->m.m[i].name, name))
            return &item->m.m[i].v;
    return NULL;
}

/* Children are shared with the old item (values are immutable). */
value_t item_with(arena_t *a, const value_t *item, str_t name, const value_t *v)
{
    size_t n = item->m.n, at = n;
    for (size_t i = 0; i < n; i++)
        if (str_eq(item->m.m[i].name, name))
            at = i;
    size_t out_n = at == n ? n + 1 : n;
    member_t *m = arena_alloc(a, out_n * sizeof *m);
    if (n)
        memcpy(m, item->m.m, n * sizeof *m);
    if (at == n)
        m[at].name = value__copy_str(a, name);
    m[at].v = *v;
    return (value_t){.type = VT_M, .m = {m, out_n}};
}

value_t item_without(arena_t *a, const value_t *item, str_t name)
{
    size_t n = item->m.n, at = n;
    for (size_t i = 0; i < n; i++)
        if (str_eq(item->m.m[i].name, name))
            at = i;
    if (at == n)
        return *item;
    member_t *m = n > 1 ? arena_alloc(a, (n - 1) * sizeof *m) : NULL;
    for (size_t i = 0, k = 0; i < n; i++)
        if (i != at)
            m[k++] = item->m.m[i];
    return (value_t){.type = VT_M, .m = {m, n - 1}};
}

static value_t copy_at(arena_t *a, const value_t *v, int depth)
{
    value_t out = *v;
    switch (v->type) {
    case VT_S:
    case VT_N:
    case VT_B: out.s = value__copy_str(a, v->s); break;
    case VT_M:
        out.m.m = v->m.n ? arena_alloc(a, v->m.n * sizeof *out.m.m) : NULL;
        for (size_t i = 0; i < v->m.n; i++) {
            out.m.m[i].name = value__copy_str(a, v->m.m[i].name);
            out.m.m[i].v = depth < VALUE_WALK_MAX ? copy_at(a, &v->m.m[i].v, depth + 1) : (value_t){.type = VT_NULL};
        }
        break;
    case VT_L:
    case VT_SS:
    case VT_NS:
    case VT_BS:
        out.l.v = v->l.n ? arena_alloc(a, v->l.n * sizeof *out.l.v) : NULL;
        for (size_t i = 0; i < v->l.n; i++)
            out.l.v[i] = depth < VALUE_WALK_MAX ? copy_at(a, &v->l.v[i], depth + 1) : (value_t){.type = VT_NULL};
        break;
    default: break;
    }
    return out;
}

value_t value_copy(arena_t *a, const value_t *v) { return copy_at(a, v, 0); }

/* ---- storage encoding --------------------------------------------------------------
 *   value  = type byte (vtype_t) . body
 *   S N B  = varint length . bytes
 *   BOOL   = 0 or 1
 *   NULL   = (nothing)
 *   M      = varint count . (varint name length . name . value)*
 *   L      = varint count . value*
 *   SS NS BS = varint count . (varint length . bytes)*
 * The format is private to this file; decode trusts nothing in it: it
 * checks bounds, nesting, canonical numbers, and unique names and set
 * members, so a decoded value has every invariant a parsed one has. */

static void put_str(buf_t *b, str_t s)
{
    buf_put_varint(b, s.len);
    buf_append(b, s.ptr, s.len);
}

static void encode_at(buf_t *b, const value_t *v, int depth)
{
    buf_putc(b, (char)v->type);
    switch (v->type) {
    case VT_S:
    case VT_N:
    case VT_B: put_str(b, v->s); break;
    case VT_BOOL: buf_putc(b, v->b ? 1 : 0); break;
    case VT_M: {
        size_t n = depth < VALUE_WALK_MAX ? v->m.n : 0;
        buf_put_varint(b, n);
        for (size_t i = 0; i < n; i++) {
            put_str(b, v->m.m[i].name);
            encode_at(b, &v->m.m[i].v, depth + 1);
        }
        break;
    }
    case VT_L: {
        size_t n = depth < VALUE_WALK_MAX ? v->l.n : 0;
        buf_put_varint(b, n);
        for (size_t i = 0; i < n; i++)
            encode_at(b, &v->l.v[i], depth + 1);
        break;
    }
    case VT_SS:
    case VT_NS:
    case VT_BS:
        buf_put_varint(b, v->l.n);
        for (size_t i = 0; i < v->l.n; i++)
            put_str(b, v->l.v[i].s);
        break;
    default: break;
    }
}

void value_encode(buf_t *b, const value_t *v) { encode_at(b, v, 0); }

typedef struct reader {
    arena_t *a;
    const uint8_t *p, *end;
} reader_t;

static int read_len(reader_t *r, uint64_t *n)
{
    if (varint_get(&r->p, r->end, n) < 0)
        return -1;
    return *n <= (uint64_t)(r->end - r->p) ? 0 : -1; /* every length or count fits what is left */
}

static int read_str(reader_t *r, str_t *out)
{
    uint64_t n;
    if (read_len(r, &n) < 0)
        return -1;
    *out = value__copy_str(r->a, (str_t){(const char *)r->p, (size_t)n});
    r->p += n;
    return 0;
}

/* Only canonical number text is stored; anything else is corruption. */
static int check_number(str_t s)
{
    number_t n;
    err_t e = {0};
    char text[NUMBER_TEXT_MAX];
    if (s.len >= NUMBER_TEXT_MAX || number_parse(s, &n, &e) < 0)
        return -1;
    size_t len = number_format(&n, text);
    return len == s.len && memcmp(text, s.ptr, len) == 0 ? 0 : -1;
}

static int decode_at(reader_t *r, value_t *out, int level);

static int decode_children(reader_t *r, value_t *out, int level)
{
    uint64_t n;
    if (level > VALUE_DECODE_MAX_LEVEL || read_len(r, &n) < 0)
        return -1;
    bool set = value__vtype_is_set(out->type);
    if (set && n == 0)
        return -1;
    if (out->type == VT_M) {
        out->m.n = (size_t)n;
        out->m.m = n ? arena_calloc(r->a, (size_t)n, sizeof *out->m.m) : NULL;
        for (size_t i = 0; i < n; i++)
            if (read_str(r, &out->m.m[i].name) < 0 || decode_at(r, &out->m.m[i].v, level + 1) < 0)
                return -1;
        return value__names_have_dup(out->m.m, out->m.n) ? -1 : 0;
    }
    out->l.n = (size_t)n;
    out->l.v = n ? arena_calloc(r->a, (size_t)n, sizeof *out->l.v) : NULL;
    vtype_t mt = out->type == VT_SS ? VT_S : out->type == VT_NS ? VT_N : VT_B;
    for (size_t i = 0; i < n; i++) {
        value_t *x = &out->l.v[i];
        if (!set) {
            if (decode_at(r, x, level + 1) < 0)
                return -1;
            continue;
        }
        x->type = mt;
        if (read_str(r, &x->s) < 0 || (mt == VT_N && check_number(x->s) < 0))
            return -1;
    }
    return set && value__set_has_dup(out->l.v, out->l.n) ? -1 : 0;
}

static int decode_at(reader_t *r, value_t *out, int level)
{
    if (r->p >= r->end)
        return -1;
    memset(out, 0, sizeof *out);
    out->type = (vtype_t)*r->p++;
    switch (out->type) {
    case VT_S:
    case VT_B: return read_str(r, &out->s);
    case VT_N: return read_str(r, &out->s) < 0 ? -1 : check_number(out->s);
    case VT_BOOL:
        if (r->p >= r->end || *r->p > 1)
            return -1;
        out->b = *r->p++ == 1;
        return 0;
    case VT_NULL: return 0;
    case VT_M:
    case VT_L:
    case VT_SS:
    case VT_NS:
    case VT_BS: return decode_children(r, out, level);
    default: return -1;
    }
}

int value_decode(arena_t *a, const uint8_t *p, size_t n, value_t *out)
{
    reader_t r = {a, p, p + n};
    if (!p || decode_at(&r, out, 1) < 0 || r.p != r.end) {
        *out = (value_t){.type = VT_NONE};
        return -1;
    }
    return 0;
}
