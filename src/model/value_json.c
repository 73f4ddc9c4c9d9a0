/* value_json.c - AttributeValues from and to DynamoDB's wire JSON (see
 * value.h).
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
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "model/number.h"
#include "model/value_internal.h"

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
    uint8_t *tmp = xmalloc(s.len / 4 * 3 + 3);
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

static int build_number(arena_t *a, const json_t *j, str_t *out, err_t *e)
{
    char text[NUMBER_TEXT_MAX];
    size_t len;
    str_t in = j && json_is_string(j) ? json_str(j) : STR_LIT(""); /* null: no text */
    if (number_normalize(in, text, &len, e) < 0)
        return -1;
    *out = value__copy_str(a, (str_t){text, len});
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
            m[i].s = t == VT_SS ? value__copy_str(a, json_str(x)) : build_blob(a, x);
        }
    }
    /* NS texts are normalized, so equal numbers ("1", "1.0") have equal text. */
    if (value__set_has_dup(m, n))
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
        m[i].name = value__copy_str(a, (str_t){k, klen});
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
    case VT_S: out->s = value__copy_str(a, json_str(v)); return 0;
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
