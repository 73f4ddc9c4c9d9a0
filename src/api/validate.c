/* validate.c - AWS's front-end validation along model_rules.c (see
 * validate.h for the stages).
 *
 * One walk over the request and the model together. The model's nesting is
 * fixed (structures of lists of structures ..., AttributeValues not entered),
 * so the recursion is as deep as the model and no deeper, whatever the JSON
 * holds: members the model does not know are not looked at. Violations are
 * collected as AWS words them, with AWS's paths (keySchema.1.member.keyType)
 * and values as AWS's Java front end prints them (strings as they are, lists
 * [a, b], maps {k=v}, structures Name(member=value, ...)). */
#include "api/validate.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"

#define VALIDATE_MAX_REPORTED 10 /* AWS lists at most ten violations */
#define VALIDATE_MAX_VALUE 65536 /* a value printed in a message is cut past this (ours: AWS prints it whole) */

typedef struct vctx {
    arena_t *arena;
    err_t *e;
    buf_t path; /* "keySchema.1.member" */
    buf_t service_path; /* the same with the model's names: "RequestItems.t.member.Keys" */
    buf_t msgs; /* "Value ... ; Value ..." */
    int nviolations;
    const char *service_msg; /* the first stage-2 violation */
    bool service_mode; /* violations now are the operation's own (stage 2) */
    const char *missing_msg; /* a required member missing, in its operation's words */
    bool type_error;
} vctx_t;

static const mr_shape_t *shape_at(uint16_t i) { return &mr_shapes[i]; }

/* ---- printing values as AWS does ------------------------------------------------ */

static void print_value(buf_t *b, const json_t *v, const mr_shape_t *s);

static void print_struct(buf_t *b, const json_t *v, const mr_shape_t *s)
{
    buf_puts(b, s->name);
    buf_putc(b, '(');
    for (uint16_t i = 0; i < s->nmembers; i++) {
        const mr_member_t *m = &mr_members[s->member_first + i];
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, m->path_name);
        buf_putc(b, '=');
        print_value(b, json_object_get(v, m->name), shape_at(m->shape));
    }
    buf_putc(b, ')');
}

static void print_value(buf_t *b, const json_t *v, const mr_shape_t *s)
{
    if (b->len > VALIDATE_MAX_VALUE)
        return;
    if (!v || json_is_null(v)) {
        buf_puts(b, "null");
    } else if (json_is_string(v)) {
        buf_append(b, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        buf_printf(b, "%g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        buf_puts(b, json_is_true(v) ? "true" : "false");
    } else if (s->kind == MR_LIST && json_is_array(v)) {
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                buf_puts(b, ", ");
            print_value(b, json_array_get(v, i), shape_at(s->item));
        }
        buf_putc(b, ']');
    } else if (s->kind == MR_MAP && json_is_object(v)) {
        const char *k;
        const json_t *x;
        bool first = true;
        buf_putc(b, '{');
        json_object_foreach((json_t *)v, k, x)
        {
            if (!first)
                buf_puts(b, ", ");
            first = false;
            buf_puts(b, k);
            buf_putc(b, '=');
            print_value(b, x, shape_at(s->item));
        }
        buf_putc(b, '}');
    } else if (s->kind == MR_STRUCT && json_is_object(v)) {
        print_struct(b, v, s);
    } else { /* an AttributeValue, or JSON of a kind the shape does not expect */
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (text)
            buf_puts(b, text);
        free(text);
    }
}

/* ---- collecting violations ---------------------------------------------------------- */

static void service_violation(vctx_t *c, const char *constraint);

static void violation(vctx_t *c, const json_t *v, const mr_shape_t *s, const char *constraint)
{
    if (c->service_mode)
        return service_violation(c, constraint);
    if (c->nviolations++ >= VALIDATE_MAX_REPORTED)
        return;
    if (c->nviolations > 1)
        buf_puts(&c->msgs, "; ");
    buf_puts(&c->msgs, "Value ");
    if (!v || json_is_null(v)) {
        buf_puts(&c->msgs, "null");
    } else {
        buf_putc(&c->msgs, '\'');
        buf_t val = BUF_INIT;
        print_value(&val, v, s);
        if (val.len > VALIDATE_MAX_VALUE)
            val.len = VALIDATE_MAX_VALUE;
        buf_append(&c->msgs, val.data, val.len);
        buf_free(&val);
        buf_putc(&c->msgs, '\'');
    }
    buf_printf(&c->msgs, " at '%.*s' failed to satisfy constraint: %s", (int)c->path.len, c->path.data, constraint);
}

static void service_violation(vctx_t *c, const char *constraint)
{
    if (c->service_msg)
        return;
    c->service_msg = arena_printf(c->arena, "Value at '%.*s' failed to satisfy constraint: %s",
                                  (int)c->service_path.len, c->service_path.data, constraint);
}

/* Coral's words for JSON of the wrong kind (as ops/request.c words them). */
static void type_error(vctx_t *c, const json_t *v, const char *want)
{
    if (c->type_error)
        return;
    c->type_error = true;
    const char *msg = "Unexpected value type in payload";
    char buf[96];
    if (json_is_array(v)) {
        msg = "Start of list found where not expected";
    } else if (json_is_object(v)) {
        msg = "Start of structure or map found where not expected.";
    } else if (want) {
        const char *kind = json_is_string(v) ? "STRING_VALUE" : json_is_number(v) ? "NUMBER_VALUE"
                                                             : json_is_true(v)     ? "TRUE_VALUE"
                                                                                   : "FALSE_VALUE";
        snprintf(buf, sizeof buf, "%s cannot be converted to %s", kind, want);
        msg = buf;
    }
    err_set(c->e, ERR_SERIALIZATION, "%s", msg);
}

/* ---- constraints ----------------------------------------------------------------------- */

/* Java's String.length(): UTF-16 units (a character past U+FFFF counts two). */
static size_t utf16_length(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80)
            units += ch >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* The constraints of shape s that value v (of the right JSON kind) fails,
 * in the order AWS reports them: pattern, then length or range. into may be
 * NULL (just tells whether any fails). Returns how many failed. */
static int check_constraints(vctx_t *c, const json_t *v, const mr_shape_t *s, bool report)
{
    int failed = 0;
    int64_t len = -1;
    double num = 0;
    bool is_num = false;
    if (json_is_string(v) && s->kind == MR_STRING) {
        const char *str = json_string_value(v);
        size_t n = json_string_length(v);
        if (s->pattern && !validate_pattern_match(s->pattern, str, n)) {
            failed++;
            if (report)
                violation(c, v, s,
                          arena_printf(c->arena, "Member must satisfy regular expression pattern: %s",
                                       mr_pattern_text[s->pattern]));
        }
        if (s->nenum) {
            bool found = false;
            for (uint16_t i = 0; i < s->nenum && !found; i++)
                found = strlen(mr_enum_values[s->enum_first + i]) == n &&
                        memcmp(mr_enum_values[s->enum_first + i], str, n) == 0;
            if (!found) {
                failed++;
                if (report) {
                    buf_t set = BUF_INIT;
                    for (uint16_t i = 0; i < s->nenum; i++)
                        buf_printf(&set, "%s%s", i ? ", " : "", mr_enum_values[s->enum_first + i]);
                    violation(c, v, s,
                              arena_printf(c->arena, "Member must satisfy enum value set: [%.*s]", (int)set.len,
                                           set.data));
                    buf_free(&set);
                }
            }
        }
        len = (int64_t)utf16_length(str, n);
    } else if (json_is_string(v) && s->kind == MR_BLOB) {
        size_t n = json_string_length(v);
        const char *str = json_string_value(v);
        size_t pad = (n >= 1 && str[n - 1] == '=') + (n >= 2 && str[n - 2] == '=');
        len = (int64_t)(n / 4 * 3 - (n % 4 == 0 ? pad : 0));
    } else if (json_is_array(v)) {
        len = (int64_t)json_array_size(v);
    } else if (json_is_object(v) && s->kind == MR_MAP) {
        len = (int64_t)json_object_size(v);
    } else if (json_is_number(v)) {
        is_num = true;
        num = json_number_value(v);
        if (json_is_real(v) && s->kind != MR_DOUBLE)
            num = (double)(int64_t)num; /* Coral truncates 5.7 to 5 for integers */
    }
    const char *what = is_num ? "value" : "length";
    if ((s->flags & MR_HAS_MIN) && ((is_num && num < (double)s->min) || (len >= 0 && len < s->min))) {
        failed++;
        if (report)
            violation(c, v, s, arena_printf(c->arena, "Member must have %s greater than or equal to %lld", what,
                                            (long long)s->min));
    }
    if ((s->flags & MR_HAS_MAX) && ((is_num && num > (double)s->max) || (len >= 0 && len > s->max))) {
        failed++;
        if (report)
            violation(c, v, s,
                      arena_printf(c->arena, "Member must have %s less than or equal to %lld", what, (long long)s->max));
    }
    return failed;
}

/* Every constraint of a shape, as AWS lists them for map keys and values:
 * "[Member must have length less than or equal to 25, Member must have
 * length greater than or equal to 1]". */
static const char *constraint_list(vctx_t *c, const mr_shape_t *s)
{
    buf_t b = BUF_INIT;
    bool num = s->kind == MR_INTEGER || s->kind == MR_LONG || s->kind == MR_DOUBLE;
    const char *what = num ? "value" : "length";
    buf_putc(&b, '[');
    if (s->flags & MR_HAS_MAX)
        buf_printf(&b, "Member must have %s less than or equal to %lld", what, (long long)s->max);
    if (s->flags & MR_HAS_MIN)
        buf_printf(&b, "%sMember must have %s greater than or equal to %lld", b.len > 1 ? ", " : "", what,
                   (long long)s->min);
    if (s->pattern)
        buf_printf(&b, "%sMember must satisfy regular expression pattern: %s", b.len > 1 ? ", " : "",
                   mr_pattern_text[s->pattern]);
    if (s->nenum) {
        buf_printf(&b, "%sMember must satisfy enum value set: [", b.len > 1 ? ", " : "");
        for (uint16_t i = 0; i < s->nenum; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", mr_enum_values[s->enum_first + i]);
        buf_putc(&b, ']');
    }
    buf_putc(&b, ']');
    char *out = arena_printf(c->arena, "%.*s", (int)b.len, b.data);
    buf_free(&b);
    return out;
}

/* ---- the walk ------------------------------------------------------------------------------ */

/* How walk treats the value's own constraints. */
enum { OWN_CHECK, OWN_SERVICE, OWN_DONE };

static void walk(vctx_t *c, const json_t *v, uint16_t shape, int own);

/* Appends ".seg" (or "seg" at the top) to both paths; returns the old lengths. */
static void path_push(vctx_t *c, const char *seg, size_t n, const char *service_seg, size_t sn, size_t old[2])
{
    old[0] = c->path.len;
    old[1] = c->service_path.len;
    if (c->path.len)
        buf_putc(&c->path, '.');
    buf_append(&c->path, seg, n);
    if (c->service_path.len)
        buf_putc(&c->service_path, '.');
    buf_append(&c->service_path, service_seg, sn);
}

static void path_pop(vctx_t *c, const size_t old[2])
{
    c->path.len = old[0];
    c->service_path.len = old[1];
}

/* A 64-bit sketch of a name: members whose bits are not all in an
 * object's sketch (name_bits of its keys, or-ed) are certainly absent. */
static uint64_t name_bits(const char *name)
{
    size_t n = strlen(name);
    unsigned char first = n ? (unsigned char)name[0] : 0, last = n ? (unsigned char)name[n - 1] : 0;
    return 1ull << ((n * 31 + first + last * 7u) & 63);
}

static uint64_t object_sketch(const json_t *v)
{
    uint64_t bits = 0;
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x)
        bits |= name_bits(k);
    return bits;
}

static void walk_struct(vctx_t *c, const json_t *v, const mr_shape_t *s, bool top)
{
    /* Most members of a request are absent: the sketch saves looking each
     * one up (a hash per name), and its path is built only when needed. */
    uint64_t present = object_sketch(v);
    for (uint16_t i = 0; i < s->nmembers && !c->type_error; i++) {
        const mr_member_t *m = &mr_members[s->member_first + i];
        if (top && strcmp(m->name, "TableName") == 0)
            continue; /* stage 0's */
        const json_t *x = (present & name_bits(m->name)) ? json_object_get(v, m->name) : NULL;
        bool absent = !x || json_is_null(x);
        if (absent && !(m->flags & MR_REQUIRED))
            continue;
        size_t old[2];
        path_push(c, m->path_name, strlen(m->path_name), m->name, strlen(m->name), old);
        if (!absent)
            walk(c, x, m->shape, (m->flags & MR_SERVICE_CHECKED) ? OWN_SERVICE : OWN_CHECK);
        else if (m->missing_msg && !c->missing_msg)
            c->missing_msg = m->missing_msg; /* the operation's own words, alone */
        else
            violation(c, NULL, shape_at(m->shape), "Member must not be null");
        path_pop(c, old);
    }
}

static void walk_list(vctx_t *c, const json_t *v, const mr_shape_t *s)
{
    char seg[32];
    for (size_t i = 0; i < json_array_size(v) && !c->type_error; i++) {
        int n = snprintf(seg, sizeof seg, "%zu.member", i + 1);
        size_t old[2];
        path_push(c, seg, (size_t)n, seg, (size_t)n, old);
        const json_t *x = json_array_get(v, i);
        if (!json_is_null(x))
            walk(c, x, s->item, OWN_CHECK);
        path_pop(c, old);
    }
}

static void walk_map(vctx_t *c, const json_t *v, const mr_shape_t *s)
{
    const mr_shape_t *ks = shape_at(s->key), *vs = shape_at(s->item);
    const char *k;
    const json_t *x;
    bool bad_key = false, bad_value = false;
    json_object_foreach((json_t *)v, k, x)
    {
        json_t *key = json_stringn_nocheck(k, strlen(k));
        bad_key = bad_key || check_constraints(c, key, ks, false) > 0;
        json_decref(key);
        bad_value = bad_value || (x && !json_is_null(x) && vs->kind != MR_STRUCT && check_constraints(c, x, vs, false));
    }
    if (bad_key)
        violation(c, v, s, arena_printf(c->arena, "Map keys must satisfy constraint: %s", constraint_list(c, ks)));
    if (bad_value)
        violation(c, v, s, arena_printf(c->arena, "Map value must satisfy constraint: %s", constraint_list(c, vs)));
    if (vs->kind != MR_STRUCT && vs->kind != MR_LIST && vs->kind != MR_MAP)
        return;
    json_object_foreach((json_t *)v, k, x)
    {
        if (c->type_error)
            break;
        char *seg = arena_printf(c->arena, "%s.member", k);
        size_t old[2];
        path_push(c, seg, strlen(seg), seg, strlen(seg), old);
        if (x && !json_is_null(x))
            walk(c, x, s->item, OWN_DONE); /* its own constraints: "Map value must ..." above */
        path_pop(c, old);
    }
}

/* Whether v has the JSON kind shape s needs; a type error otherwise. */
static bool kind_ok(vctx_t *c, const json_t *v, const mr_shape_t *s)
{
    switch ((mr_kind_t)s->kind) {
    case MR_STRUCT:
    case MR_MAP:
        if (json_is_object(v))
            return true;
        type_error(c, v, NULL);
        return false;
    case MR_LIST:
        if (json_is_array(v))
            return true;
        type_error(c, v, NULL);
        return false;
    case MR_STRING:
    case MR_BLOB:
        if (json_is_string(v))
            return true;
        type_error(c, v, s->kind == MR_STRING ? "String" : "Blob");
        return false;
    case MR_INTEGER:
    case MR_LONG:
    case MR_DOUBLE:
        if (json_is_number(v))
            return true;
        type_error(c, v, s->kind == MR_INTEGER ? "Integer" : s->kind == MR_LONG ? "Long" : "Double");
        return false;
    case MR_BOOLEAN:
        if (json_is_boolean(v))
            return true;
        type_error(c, v, "Boolean");
        return false;
    case MR_TIMESTAMP:
    case MR_OPAQUE: return true;
    }
    return true;
}

static void walk(vctx_t *c, const json_t *v, uint16_t shape, int own)
{
    const mr_shape_t *s = shape_at(shape);
    if (s->kind == MR_OPAQUE || !kind_ok(c, v, s))
        return;
    if (own != OWN_DONE) {
        c->service_mode = own == OWN_SERVICE;
        check_constraints(c, v, s, true);
        c->service_mode = false;
    }
    if (s->kind == MR_STRUCT)
        walk_struct(c, v, s, false);
    else if (s->kind == MR_LIST)
        walk_list(c, v, s);
    else if (s->kind == MR_MAP)
        walk_map(c, v, s);
}

/* ---- stage 0: the table's name, alone -------------------------------------------------------- */

static bool is_arn(const json_t *v) { return json_string_length(v) >= 4 && memcmp(json_string_value(v), "arn:", 4) == 0; }

static int stage0(vctx_t *c, const json_t *body, const mr_shape_t *in)
{
    for (uint16_t i = 0; i < in->nmembers; i++) {
        const mr_member_t *m = &mr_members[in->member_first + i];
        if (!(m->flags & MR_NONEMPTY_FIRST))
            continue;
        const json_t *x = json_object_get(body, m->name);
        if (!x || json_is_null(x) || (json_is_object(x) && json_object_size(x) == 0))
            return err_set(c->e, ERR_VALIDATION, "%s", m->missing_msg);
    }
    for (uint16_t i = 0; i < in->nmembers; i++) {
        const mr_member_t *m = &mr_members[in->member_first + i];
        if (strcmp(m->name, "TableName") != 0)
            continue;
        const json_t *x = json_object_get(body, m->name);
        const mr_shape_t *s = shape_at(m->shape);
        buf_puts(&c->path, m->path_name);
        if (!x || json_is_null(x)) {
            if (!(m->flags & MR_REQUIRED))
                break;
            if (m->missing_msg)
                return err_set(c->e, ERR_VALIDATION, "%s", m->missing_msg);
            violation(c, NULL, s, "Member must not be null");
        } else if (kind_ok(c, x, s) && !check_constraints(c, x, s, true) && (m->flags & MR_TABLE_REF) &&
                   !is_arn(x)) {
            /* a name rather than an ARN: a table name's rules */
            static const mr_shape_t name_rules = {.kind = MR_STRING,
                                                  .flags = MR_HAS_MIN | MR_HAS_MAX,
                                                  .pattern = MR_PAT_NAME,
                                                  .min = 3,
                                                  .max = 255};
            check_constraints(c, x, &name_rules, true);
        }
        break;
    }
    c->path.len = 0;
    return c->type_error ? -1 : 0;
}

/* ---- entry ------------------------------------------------------------------------------------- */

static const mr_op_t *find_op(str_t target)
{
    size_t lo = 0, hi = mr_nops;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = str_cmp(str_from_cstr(mr_ops[mid].target), target);
        if (cmp == 0)
            return &mr_ops[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int report(vctx_t *c)
{
    int shown = c->nviolations < VALIDATE_MAX_REPORTED ? c->nviolations : VALIDATE_MAX_REPORTED;
    char *msg = arena_printf(c->arena, "%d validation error%s detected: %.*s", shown, shown == 1 ? "" : "s",
                             (int)c->msgs.len, c->msgs.data);
    err_set(c->e, ERR_VALIDATION, "%s", msg);
    c->e->msg_long = msg;
    return -1;
}

int validate_request(str_t target, const json_t *body, arena_t *arena, err_t *e)
{
    const mr_op_t *op = find_op(target);
    if (!op)
        return 0;
    vctx_t c = {.arena = arena, .e = e, .path = BUF_INIT, .service_path = BUF_INIT, .msgs = BUF_INIT};
    const mr_shape_t *in = shape_at(op->input);
    int rc = stage0(&c, body, in);
    if (!rc && !e->code && c.nviolations)
        rc = report(&c);
    if (!rc && !e->code) {
        walk_struct(&c, body, in, true);
        if (!c.type_error && c.missing_msg)
            rc = err_set(e, ERR_VALIDATION, "%s", c.missing_msg);
        else if (!c.type_error && c.nviolations)
            rc = report(&c);
        else if (!c.type_error && c.service_msg)
            rc = err_set(e, ERR_VALIDATION, "1 validation error detected: %s", c.service_msg);
    }
    buf_free(&c.path);
    buf_free(&c.service_path);
    buf_free(&c.msgs);
    return e->code ? -1 : rc;
}
