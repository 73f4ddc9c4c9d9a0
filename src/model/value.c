/* value.c - the AttributeValue model (see value.h).
 *
 * Wire JSON is read in two passes, because that is the order in which
 * DynamoDB reports problems:
 *   1. shape: every member has the JSON type its AttributeValue field
 *      needs (a string for S, a list for SS, ...). A wrong shape is a
 *      SerializationException from the service framework, raised before
 *      any validation runs. This pass also measures nesting depth.
 *   2. validation and building: DynamoDB's ValidationException rules, in
 *      the order DynamoDB applies them within one AttributeValue (members
 *      in arrival order; "more than one datatypes" only after each
 *      member has been checked on its own).
 * Messages come from AWS as recorded by DynamoDB Local (run as an oracle)
 * and, where Local differs from AWS, from AWS itself; the comment at each
 * message says which. Unknown members of an AttributeValue are ignored,
 * as the service framework ignores unknown fields: {"X":"5"} is reported
 * as an empty AttributeValue, {"S":"a","X":1} is accepted as {"S":"a"}. A
 * JSON null member counts as absent, as in AWS. */
#include "model/value.h"

#include <stdlib.h>
#include <string.h>

#include "model/number.h"

/* An item is nesting level 1, its attributes' maps and lists level 2, and
 * DynamoDB accepts containers down to level 32 (checked against DynamoDB
 * Local: 31 maps nested in an attribute pass, 32 fail). */
#define VALUE_MAX_LEVEL 32
/* Decoding accepts one level more, so a lone attribute value at the top
 * (level 1 instead of 2) decodes too; storage never holds deeper values. */
#define VALUE_DECODE_MAX_LEVEL (VALUE_MAX_LEVEL + 1)
/* Recursion guard for functions over values that were already validated. */
#define VALUE_WALK_MAX (VALUE_MAX_LEVEL + 8)
/* Above this many members, equality sorts instead of searching. */
#define VALUE_SMALL_N 16
/* Offending text quoted in a message is cut to this many bytes. */
#define MSG_QUOTE_MAX 512

/* Validation messages: DynamoDB Local's text, the same as AWS's unless noted. */
#define MSG_AV_EMPTY "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
#define MSG_AV_MULTI                                                                                                   \
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "                        \
    "supported datatypes"
#define MSG_INVALID "One or more parameter values were invalid: "
#define MSG_NULL_FALSE MSG_INVALID "Null attribute value types must have the value of true"
#define MSG_SS_EMPTY MSG_INVALID "An string set  may not be empty" /* two spaces: sic */
#define MSG_NS_EMPTY MSG_INVALID "An number set  may not be empty"
#define MSG_BS_EMPTY MSG_INVALID "Binary sets should not be empty"
#define MSG_SS_NULL MSG_INVALID "An string set may not have a null string as a member"
/* DynamoDB Local fails with an internal error here; AWS's text (from
 * recorded AWS responses) is this one. */
#define MSG_BS_NULL MSG_INVALID "Binary sets may not contain null or empty values"
/* Duplicates: AWS's wording. Local says "...[a, a] contains duplicates"
 * without the period and "Input collection of type BS contains duplicates."
 * without the list; AWS prints the list for SS and BS (no space before
 * "of", sic) and no prefix at all for NS. */
#define MSG_NS_DUP "Input collection contains duplicates"
#define MSG_NULL_AV "The supplied Item contains a null AttributeValue"
#define MSG_EMPTY_NAME "Empty attribute name"
#define MSG_NESTING                                                                                                    \
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "                        \
    "beyond supported limit"

/* SerializationException messages of the service framework's JSON reader.
 * DynamoDB Local coerces or fails with an internal error instead, so these
 * are AWS's: "NUMBER_VALUE cannot be converted to String" is what AWS
 * returns today for {"S": 5}; the others follow the same reader. */
#define MSG_START_MAP "Start of structure or map found where not expected."
#define MSG_START_LIST "Start of list found where not expected"

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

static bool vtype_is_set(vtype_t t) { return t == VT_SS || t == VT_NS || t == VT_BS; }

/* jansson's iteration API takes non-const objects; nothing here writes. */
static json_t *json_mut(const json_t *j) { return (json_t *)(uintptr_t)j; }

static str_t json_str(const json_t *j) { return (str_t){json_string_value(j), json_string_length(j)}; }

static int quote_len(size_t n) { return n > MSG_QUOTE_MAX ? MSG_QUOTE_MAX : (int)n; }

/* ---- pass 1: shapes -------------------------------------------------------- */

typedef struct shape {
    err_t *e;
    bool too_deep;
} shape_t;

/* A JSON value where a scalar of the framework type `what` belongs. */
static int shape_scalar(const json_t *j, json_type want, const char *what, err_t *e)
{
    json_type got = json_typeof(j);
    if (got == want || (want == JSON_TRUE && got == JSON_FALSE))
        return 0;
    switch (got) {
    case JSON_OBJECT: return err_set(e, ERR_SERIALIZATION, MSG_START_MAP);
    case JSON_ARRAY: return err_set(e, ERR_SERIALIZATION, MSG_START_LIST);
    case JSON_STRING: return err_set(e, ERR_SERIALIZATION, "STRING_VALUE cannot be converted to %s", what);
    case JSON_INTEGER:
    case JSON_REAL: return err_set(e, ERR_SERIALIZATION, "NUMBER_VALUE cannot be converted to %s", what);
    case JSON_TRUE: return err_set(e, ERR_SERIALIZATION, "TRUE_VALUE cannot be converted to %s", what);
    case JSON_FALSE: return err_set(e, ERR_SERIALIZATION, "FALSE_VALUE cannot be converted to %s", what);
    default: return 0; /* JSON null never reaches here */
    }
}

static bool b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

/* A Blob: a string of canonical base64 (the framework's checks and
 * messages, including its "dectected" typo). */
static int shape_blob(const json_t *j, err_t *e)
{
    if (shape_scalar(j, JSON_STRING, "Blob", e) < 0)
        return -1;
    str_t s = json_str(j);
    int q = quote_len(s.len);
    if (s.len % 4)
        return err_set(e, ERR_SERIALIZATION,
                       "'%.*s' can not be converted to a Blob: Base64 encoded length is expected a "
                       "multiple of 4 bytes but found: %zu",
                       q, s.ptr, s.len);
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        bool pad_inside = c == '=' && i + 1 < s.len && s.ptr[i + 1] != '=';
        if (!b64_char(c) || pad_inside)
            return err_set(e, ERR_SERIALIZATION,
                           "'%.*s' can not be converted to a Blob: Invalid Base64 character: '%c'", q, s.ptr, c);
    }
    uint8_t *tmp = malloc(s.len / 4 * 3 + 3);
    size_t n = 0;
    int rc = base64_decode(s.ptr, s.len, tmp, &n);
    buf_t re = BUF_INIT;
    if (rc == 0)
        base64_encode(&re, tmp, n);
    bool canonical = rc == 0 && re.len == s.len && memcmp(re.data ? re.data : "", s.ptr, s.len) == 0;
    buf_free(&re);
    free(tmp);
    if (!canonical)
        return err_set(e, ERR_SERIALIZATION,
                       "'%.*s' can not be converted to a Blob: Invalid last non-pad Base64 character "
                       "dectected",
                       q, s.ptr);
    return 0;
}

static int shape_list(const json_t *j, err_t *e)
{
    if (json_is_array(j))
        return 0;
    if (json_is_object(j))
        return err_set(e, ERR_SERIALIZATION, MSG_START_MAP);
    return err_set(e, ERR_SERIALIZATION, "Expected list or null");
}

static int shape_map(const json_t *j, err_t *e)
{
    if (json_is_object(j))
        return 0;
    if (json_is_array(j))
        return err_set(e, ERR_SERIALIZATION, MSG_START_LIST);
    return err_set(e, ERR_SERIALIZATION, "Expected map or null");
}

static int shape_av(shape_t *sh, const json_t *j, int level);

/* Elements of SS/NS/BS/L; null elements pass (validation reports them). */
static int shape_elems(shape_t *sh, const json_t *arr, vtype_t t, int level)
{
    size_t i;
    const json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (json_is_null(x))
            continue;
        int rc = t == VT_L    ? shape_av(sh, x, level + 1)
                 : t == VT_BS ? shape_blob(x, sh->e)
                              : shape_scalar(x, JSON_STRING, "String", sh->e);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int shape_member(shape_t *sh, vtype_t t, const json_t *v, int level)
{
    switch (t) {
    case VT_S:
    case VT_N: return shape_scalar(v, JSON_STRING, "String", sh->e);
    case VT_B: return shape_blob(v, sh->e);
    case VT_BOOL:
    case VT_NULL: return shape_scalar(v, JSON_TRUE, "Boolean", sh->e);
    case VT_SS:
    case VT_NS:
    case VT_BS:
    case VT_L:
        if (shape_list(v, sh->e) < 0)
            return -1;
        if (t == VT_L && level > VALUE_MAX_LEVEL) {
            sh->too_deep = true; /* reported after all shapes are known good */
            return 0;
        }
        return shape_elems(sh, v, t, level);
    case VT_M: {
        if (shape_map(v, sh->e) < 0)
            return -1;
        if (level > VALUE_MAX_LEVEL) {
            sh->too_deep = true;
            return 0;
        }
        const char *k;
        size_t klen;
        json_t *x;
        json_object_keylen_foreach(json_mut(v), k, klen, x)
        {
            (void)klen;
            if (!json_is_null(x) && shape_av(sh, x, level + 1) < 0)
                return -1;
        }
        return 0;
    }
    default: return 0;
    }
}

/* j is an AttributeValue; a map or list in it sits at nesting `level`.
 * Recursion stops at VALUE_MAX_LEVEL + 1. */
static int shape_av(shape_t *sh, const json_t *j, int level)
{
    if (json_is_array(j))
        return err_set(sh->e, ERR_SERIALIZATION, MSG_START_LIST);
    if (!json_is_object(j))
        return err_set(sh->e, ERR_SERIALIZATION, "Expected null"); /* the framework's words */
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(json_mut(j), k, klen, v)
    {
        if (json_is_null(v))
            continue;
        if (shape_member(sh, vtype_from_name((str_t){k, klen}), v, level) < 0)
            return -1;
    }
    return 0;
}

/* ---- pass 2: validation and building ---------------------------------------- */

static str_t copy_str(arena_t *a, str_t s)
{
    if (s.len == 0)
        return (str_t){"", 0};
    char *p = arena_alloc(a, s.len);
    memcpy(p, s.ptr, s.len);
    return (str_t){p, s.len};
}

static int build_number(arena_t *a, const json_t *j, str_t *out, err_t *e)
{
    char text[NUMBER_TEXT_MAX];
    size_t len;
    str_t in = j && json_is_string(j) ? json_str(j) : STR_LIT(""); /* null: no text */
    if (number_normalize(in, text, &len, e) < 0)
        return -1;
    *out = copy_str(a, (str_t){text, len});
    return 0;
}

/* Shape pass has checked the base64 already. */
static str_t build_blob(arena_t *a, const json_t *j)
{
    str_t s = json_str(j);
    if (s.len == 0)
        return (str_t){"", 0};
    uint8_t *p = arena_alloc(a, s.len / 4 * 3 + 3);
    size_t n = 0;
    if (base64_decode(s.ptr, s.len, p, &n) < 0)
        n = 0;
    return (str_t){(const char *)p, n};
}

static int str_ptr_cmp(const void *x, const void *y) { return str_cmp(*(const str_t *)x, *(const str_t *)y); }

/* Whether the n strings in tmp (scratch, reordered) hold a duplicate:
 * sorting finds them in n log n; sets can hold tens of thousands of members. */
static bool strs_have_dup(str_t *tmp, size_t n)
{
    qsort(tmp, n, sizeof *tmp, str_ptr_cmp);
    for (size_t i = 1; i < n; i++)
        if (str_eq(tmp[i - 1], tmp[i]))
            return true;
    return false;
}

/* Sorting copies (not the members, whose order is the caller's). */
static bool set_has_dup(const value_t *members, size_t n)
{
    if (n < 2)
        return false;
    str_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        abort();
    for (size_t i = 0; i < n; i++)
        tmp[i] = members[i].s;
    bool dup = strs_have_dup(tmp, n);
    free(tmp);
    return dup;
}

/* Map names are unique; storage is checked for it like the wire is. */
static bool names_have_dup(const member_t *m, size_t n)
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
    str_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        abort();
    for (size_t i = 0; i < n; i++)
        tmp[i] = m[i].name;
    bool dup = strs_have_dup(tmp, n);
    free(tmp);
    return dup;
}

/* "[a, b, a]" - how the Java service prints the offending list. */
static int set_dup_error(const json_t *arr, vtype_t t, err_t *e)
{
    buf_t b = BUF_INIT;
    buf_putc(&b, '[');
    size_t i;
    const json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (i)
            buf_puts(&b, ", ");
        str_t s = json_str(x);
        buf_append(&b, s.ptr, s.len);
        if (b.len > ERR_MSG_MAX)
            break;
    }
    buf_putc(&b, ']');
    int q = b.len > ERR_MSG_MAX ? ERR_MSG_MAX : (int)b.len;
    if (t == VT_BS)
        err_set(e, ERR_VALIDATION, MSG_INVALID "Input collection %.*sof type BS contains duplicates.", q, b.data);
    else
        err_set(e, ERR_VALIDATION, MSG_INVALID "Input collection %.*s contains duplicates.", q, b.data);
    buf_free(&b);
    return -1;
}

static int build_set(arena_t *a, vtype_t t, const json_t *arr, value_t *out, err_t *e)
{
    size_t n = json_array_size(arr);
    if (n == 0) {
        const char *msg = t == VT_SS ? MSG_SS_EMPTY : t == VT_NS ? MSG_NS_EMPTY : MSG_BS_EMPTY;
        return err_set(e, ERR_VALIDATION, "%s", msg);
    }
    value_t *m = arena_calloc(a, n, sizeof *m);
    vtype_t mt = t == VT_SS ? VT_S : t == VT_NS ? VT_N : VT_B;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(arr, i);
        m[i].type = mt;
        if (t == VT_NS) {
            if (build_number(a, x, &m[i].s, e) < 0)
                return -1;
        } else if (json_is_null(x)) {
            return err_set(e, ERR_VALIDATION, "%s", t == VT_SS ? MSG_SS_NULL : MSG_BS_NULL);
        } else {
            m[i].s = t == VT_SS ? copy_str(a, json_str(x)) : build_blob(a, x);
        }
    }
    /* NS texts are normalized, so equal numbers ("1", "1.0") have equal text. */
    if (set_has_dup(m, n))
        return t == VT_NS ? err_set(e, ERR_VALIDATION, MSG_NS_DUP) : set_dup_error(arr, t, e);
    out->type = t;
    out->l.v = m;
    out->l.n = n;
    return 0;
}

static int build_av(arena_t *a, const json_t *j, int level, value_t *out, err_t *e);

static int build_list(arena_t *a, const json_t *arr, int level, value_t *out, err_t *e)
{
    size_t n = json_array_size(arr);
    value_t *v = n ? arena_calloc(a, n, sizeof *v) : NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(arr, i);
        if (json_is_null(x))
            return err_set(e, ERR_VALIDATION, MSG_NULL_AV);
        if (build_av(a, x, level + 1, &v[i], e) < 0)
            return -1;
    }
    out->type = VT_L;
    out->l.v = v;
    out->l.n = n;
    return 0;
}

/* Members of an item (level 1) or of an M value; `level` is the object's. */
static int build_map(arena_t *a, const json_t *obj, int level, value_t *out, err_t *e)
{
    size_t n = json_object_size(obj), i = 0;
    member_t *m = n ? arena_calloc(a, n, sizeof *m) : NULL;
    const char *k;
    size_t klen;
    json_t *x;
    json_object_keylen_foreach(json_mut(obj), k, klen, x)
    {
        if (klen == 0)
            return err_set(e, ERR_VALIDATION, MSG_EMPTY_NAME);
        if (json_is_null(x))
            return err_set(e, ERR_VALIDATION, MSG_NULL_AV ": %.*s is null", quote_len(klen), k);
        m[i].name = copy_str(a, (str_t){k, klen});
        if (build_av(a, x, level + 1, &m[i].v, e) < 0)
            return -1;
        i++;
    }
    out->type = VT_M;
    out->m.m = m;
    out->m.n = i;
    return 0;
}

static int build_member(arena_t *a, vtype_t t, const json_t *v, int level, value_t *out, err_t *e)
{
    out->type = t;
    switch (t) {
    case VT_S: out->s = copy_str(a, json_str(v)); return 0;
    case VT_N: return build_number(a, v, &out->s, e);
    case VT_B: out->s = build_blob(a, v); return 0;
    case VT_BOOL: out->b = json_is_true(v); return 0;
    case VT_NULL: return json_is_true(v) ? 0 : err_set(e, ERR_VALIDATION, MSG_NULL_FALSE);
    case VT_SS:
    case VT_NS:
    case VT_BS: return build_set(a, t, v, out, e);
    case VT_L: return build_list(a, v, level, out, e);
    case VT_M: return build_map(a, v, level, out, e);
    default: return 0;
    }
}

/* A shape-checked AttributeValue object; its container (if any) is at `level`. */
static int build_av(arena_t *a, const json_t *j, int level, value_t *out, err_t *e)
{
    if (level > VALUE_MAX_LEVEL + 1)
        return err_set(e, ERR_VALIDATION, MSG_NESTING); /* pass 1 prevents this */
    int count = 0;
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(json_mut(j), k, klen, v)
    {
        vtype_t t = vtype_from_name((str_t){k, klen});
        if (t == VT_NONE || json_is_null(v))
            continue;
        value_t tmp = {0};
        if (build_member(a, t, v, level, &tmp, e) < 0)
            return -1;
        *out = tmp;
        count++;
    }
    if (count == 0)
        return err_set(e, ERR_VALIDATION, MSG_AV_EMPTY);
    if (count > 1)
        return err_set(e, ERR_VALIDATION, MSG_AV_MULTI);
    return 0;
}

int value_from_json(arena_t *a, const json_t *j, value_t *out, err_t *e)
{
    if (!j || json_is_null(j))
        return err_set(e, ERR_VALIDATION, MSG_AV_EMPTY);
    shape_t sh = {e, false};
    if (shape_av(&sh, j, 2) < 0) /* a lone value nests like an item's attribute */
        return -1;
    if (sh.too_deep)
        return err_set(e, ERR_VALIDATION, MSG_NESTING);
    return build_av(a, j, 2, out, e);
}

/* A null or absent map is an empty one: whether the parameter is required
 * is the operation's business (PutItem's "Item to put ... cannot be null"). */
int item_from_json(arena_t *a, const json_t *j, value_t *out, err_t *e)
{
    if (!j || json_is_null(j)) {
        *out = (value_t){.type = VT_M};
        return 0;
    }
    if (shape_map(j, e) < 0)
        return -1;
    shape_t sh = {e, false};
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(json_mut(j), k, klen, v)
    {
        (void)klen;
        if (!json_is_null(v) && shape_av(&sh, v, 2) < 0)
            return -1;
    }
    if (sh.too_deep)
        return err_set(e, ERR_VALIDATION, MSG_NESTING);
    return build_map(a, j, 1, out, e);
}

/* ---- value -> wire JSON ----------------------------------------------------- */

static void json_blob(buf_t *b, str_t s)
{
    buf_putc(b, '"');
    base64_encode(b, (const uint8_t *)s.ptr, s.len);
    buf_putc(b, '"');
}

static void value_json(buf_t *b, const value_t *v, int depth);

static void members_json(buf_t *b, const value_t *m, int depth)
{
    jw_open(b, '{');
    if (depth < VALUE_WALK_MAX) {
        for (size_t i = 0; i < m->m.n; i++) {
            jw_comma(b);
            jw_s(b, m->m.m[i].name);
            buf_putc(b, ':');
            value_json(b, &m->m.m[i].v, depth + 1);
        }
    }
    jw_close(b, '}');
}

static void elems_json(buf_t *b, const value_t *v, int depth)
{
    jw_open(b, '[');
    for (size_t i = 0; i < v->l.n; i++) {
        const value_t *x = &v->l.v[i];
        if (v->type == VT_L) {
            if (depth < VALUE_WALK_MAX)
                value_json(b, x, depth + 1);
            continue;
        }
        jw_comma(b);
        if (v->type == VT_BS)
            json_blob(b, x->s);
        else
            jw_s(b, x->s);
    }
    jw_close(b, ']');
}

/* Values are at most VALUE_MAX_LEVEL deep (parse and decode enforce it);
 * the depth guard only keeps a broken invariant from becoming a crash. */
static void value_json(buf_t *b, const value_t *v, int depth)
{
    jw_open(b, '{');
    jw_key(b, vtype_name(v->type));
    switch (v->type) {
    case VT_S:
    case VT_N: jw_s(b, v->s); break;
    case VT_B: json_blob(b, v->s); break;
    case VT_BOOL: buf_puts(b, v->b ? "true" : "false"); break;
    case VT_NULL: buf_puts(b, "true"); break;
    case VT_M: members_json(b, v, depth); break;
    default: elems_json(b, v, depth); break;
    }
    jw_close(b, '}');
}

void value_to_json(buf_t *b, const value_t *v) { value_json(b, v, 0); }

void item_to_json(buf_t *b, const value_t *item) { members_json(b, item, 0); }

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
    const member_t **x = malloc(2 * n * sizeof *x);
    if (!x)
        abort();
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
    str_t *x = malloc(2 * n * sizeof *x);
    if (!x)
        abort();
    str_t *y = x + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = a->l.v[i].s;
        y[i] = b->l.v[i].s;
    }
    qsort(x, n, sizeof *x, str_ptr_cmp);
    qsort(y, n, sizeof *y, str_ptr_cmp);
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
        m[at].name = copy_str(a, name);
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
    case VT_B: out.s = copy_str(a, v->s); break;
    case VT_M:
        out.m.m = v->m.n ? arena_alloc(a, v->m.n * sizeof *out.m.m) : NULL;
        for (size_t i = 0; i < v->m.n; i++) {
            out.m.m[i].name = copy_str(a, v->m.m[i].name);
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
    *out = copy_str(r->a, (str_t){(const char *)r->p, (size_t)n});
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
    bool set = vtype_is_set(out->type);
    if (set && n == 0)
        return -1;
    if (out->type == VT_M) {
        out->m.n = (size_t)n;
        out->m.m = n ? arena_calloc(r->a, (size_t)n, sizeof *out->m.m) : NULL;
        for (size_t i = 0; i < n; i++)
            if (read_str(r, &out->m.m[i].name) < 0 || decode_at(r, &out->m.m[i].v, level + 1) < 0)
                return -1;
        return names_have_dup(out->m.m, out->m.n) ? -1 : 0;
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
    return set && set_has_dup(out->l.v, out->l.n) ? -1 : 0;
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
