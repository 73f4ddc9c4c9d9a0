/* request.c - reading a request's parameters with DynamoDB's errors. */
#include "ops/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- handler results ------------------------------------------------------ */

req_result_t req_queue(ddb_req_t *r, req_apply_fn apply, const void *plan, void (*release)(void *plan))
{
    r->apply = apply;
    r->plan = plan;
    r->release = release;
    return (req_result_t){REQ_OUTCOME_QUEUED};
}

void req_internal_error(ddb_req_t *r, int rc)
{
    err_clear(&r->err);
    err_set(&r->err, ERR_INTERNAL, "Internal server error: %s", store_strerror(rc));
}

req_result_t req_result(ddb_req_t *r, int rc)
{
    if (rc == 0)
        return REQ_DONE;
    if (rc < -1 || !r->err.code)
        req_internal_error(r, rc);
    return REQ_FAILED;
}

req_result_t req_fail(ddb_req_t *r, err_code_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(&r->err, code, fmt, ap);
    va_end(ap);
    return REQ_FAILED;
}

int req_cancel_transaction(ddb_req_t *r, const cancel_reason_t *reasons, size_t n)
{
    buf_t codes = BUF_INIT, extra = BUF_INIT;
    buf_puts(&extra, "\"CancellationReasons\":[");
    for (size_t i = 0; i < n; i++) {
        const char *code = reasons[i].code ? reasons[i].code : "None";
        buf_printf(&codes, "%s%s", i ? ", " : "", code);
        jw_open(&extra, '{');
        jw_key(&extra, "Code");
        jw_cstr(&extra, code);
        if (reasons[i].message) {
            jw_key(&extra, "Message");
            jw_cstr(&extra, reasons[i].message);
        }
        if (reasons[i].item) {
            jw_key(&extra, "Item");
            buf_puts(&extra, reasons[i].item);
        }
        jw_close(&extra, '}');
    }
    buf_putc(&extra, ']');
    char *msg =
        arena_printf(&r->arena, "Transaction cancelled, please refer cancellation reasons for specific reasons [%.*s]",
                     (int)codes.len, codes.data);
    err_clear(&r->err);
    err_set(&r->err, ERR_TRANSACTION_CANCELED, "%s", msg);
    r->err.msg_long = msg; /* err.msg alone would cut a long list short */
    r->err.extra_json = arena_cstr(&r->arena, (str_t){extra.data, extra.len});
    buf_free(&codes);
    buf_free(&extra);
    return -1;
}

/* ---- parameters ------------------------------------------------------------ */

/* Coral's deserializer messages for a JSON value of the wrong kind. */
static int wrong_kind(ddb_req_t *r, const json_t *v, const char *want)
{
    const char *msg;
    switch (json_typeof(v)) {
    case JSON_OBJECT: msg = "Start of structure or map found where not expected."; break;
    case JSON_ARRAY: msg = "Start of list found where not expected"; break;
    case JSON_STRING: return err_set(&r->err, ERR_SERIALIZATION, "STRING_VALUE cannot be converted to %s", want);
    case JSON_INTEGER:
    case JSON_REAL: return err_set(&r->err, ERR_SERIALIZATION, "NUMBER_VALUE cannot be converted to %s", want);
    case JSON_TRUE: return err_set(&r->err, ERR_SERIALIZATION, "TRUE_VALUE cannot be converted to %s", want);
    case JSON_FALSE: return err_set(&r->err, ERR_SERIALIZATION, "FALSE_VALUE cannot be converted to %s", want);
    default: return 0; /* null is "absent" */
    }
    return err_set(&r->err, ERR_SERIALIZATION, "%s", msg);
}

const json_t *req_member(const ddb_req_t *r, const char *name)
{
    const json_t *v = json_object_get(r->body, name);
    return json_is_null(v) ? NULL : v;
}

/* "tableName" from "TableName": DynamoDB's constraint messages name
 * members in lower camel case. */
static void field_name(const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s", name);
    if (out[0] >= 'A' && out[0] <= 'Z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* The member, or NULL; a missing required member is a constraint failure. */
static const json_t *member_or_null(ddb_req_t *r, const char *name, bool required)
{
    const json_t *v = req_member(r, name);
    if (!v && required) {
        char f[64];
        field_name(name, f, sizeof f);
        req_constraint(r, "null", f, "Member must not be null");
    }
    return v;
}

int req_string(ddb_req_t *r, const char *name, bool required, str_t *out)
{
    const json_t *v = member_or_null(r, name, required);
    *out = STR_NULL;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return wrong_kind(r, v, "String");
    *out = (str_t){json_string_value(v), json_string_length(v)};
    return 0;
}

int req_bool(ddb_req_t *r, const char *name, bool *out)
{
    const json_t *v = req_member(r, name);
    *out = false;
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return wrong_kind(r, v, "Boolean");
    *out = json_is_true(v);
    return 0;
}

int req_int(ddb_req_t *r, const char *name, int64_t *out, bool *present)
{
    const json_t *v = req_member(r, name);
    *out = 0;
    if (present)
        *present = v != NULL;
    if (!v)
        return 0;
    if (json_is_real(v)) { /* Coral truncates 5.7 to 5 */
        *out = (int64_t)json_real_value(v);
        return 0;
    }
    if (!json_is_integer(v))
        return wrong_kind(r, v, "Integer");
    *out = json_integer_value(v);
    return 0;
}

int req_object(ddb_req_t *r, const char *name, bool required, const json_t **out)
{
    const json_t *v = *out = member_or_null(r, name, required);
    if (!v || json_is_object(v))
        return 0;
    *out = NULL;
    if (json_is_array(v))
        return err_set(&r->err, ERR_SERIALIZATION, "Start of list found where not expected");
    return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
}

int req_array(ddb_req_t *r, const char *name, bool required, const json_t **out)
{
    const json_t *v = *out = member_or_null(r, name, required);
    if (!v || json_is_array(v))
        return 0;
    *out = NULL;
    if (json_is_object(v))
        return err_set(&r->err, ERR_SERIALIZATION, "Start of structure or map found where not expected.");
    return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
}

int req_enum(ddb_req_t *r, const char *name, const char *const *allowed, int *out, int dflt)
{
    str_t s;
    *out = dflt;
    if (req_string(r, name, false, &s))
        return -1;
    if (!s.ptr)
        return 0;
    for (int i = 0; allowed[i]; i++)
        if (str_eq_cstr(s, allowed[i])) {
            *out = i;
            return 0;
        }
    buf_t set = BUF_INIT;
    buf_putc(&set, '[');
    for (int i = 0; allowed[i]; i++) {
        if (i)
            buf_puts(&set, ", ");
        buf_puts(&set, allowed[i]);
    }
    buf_putc(&set, ']');
    buf_putc(&set, '\0');
    char f[64];
    field_name(name, f, sizeof f);
    char *repr = arena_printf(&r->arena, "'%.*s'", STR_FMT(s));
    char *constraint = arena_printf(&r->arena, "Member must satisfy enum value set: %s", set.data);
    buf_free(&set);
    req_constraint(r, repr, f, constraint);
    return 0;
}

void req_constraint(ddb_req_t *r, const char *value_repr, const char *field, const char *constraint)
{
    if (r->nchecks++)
        buf_puts(&r->checks, "; ");
    buf_printf(&r->checks, "Value %s at '%s' failed to satisfy constraint: %s", value_repr, field, constraint);
}

void req_check_length(ddb_req_t *r, str_t value, const char *field, size_t min, size_t max)
{
    if (value.len >= min && value.len <= max)
        return;
    req_constraint(r, arena_printf(&r->arena, "'%.*s'", STR_FMT(value)), field,
                   value.len < min
                       ? arena_printf(&r->arena, "Member must have length greater than or equal to %zu", min)
                       : arena_printf(&r->arena, "Member must have length less than or equal to %zu", max));
}

void req_check_range(ddb_req_t *r, int64_t value, const char *field, int64_t min, int64_t max)
{
    if (value >= min && value <= max)
        return;
    req_constraint(r, arena_printf(&r->arena, "'%lld'", (long long)value), field,
                   value < min
                       ? arena_printf(&r->arena, "Member must have value greater than or equal to %lld", (long long)min)
                       : arena_printf(&r->arena, "Member must have value less than or equal to %lld", (long long)max));
}

int req_constraints_done(ddb_req_t *r)
{
    if (r->err.code)
        return -1;
    if (!r->nchecks)
        return r->table_ref_problem ? err_set(&r->err, ERR_VALIDATION, "%s", r->table_ref_problem) : 0;
    return err_set(&r->err, ERR_VALIDATION, "%d validation error%s detected: %.*s", r->nchecks,
                   r->nchecks == 1 ? "" : "s", (int)r->checks.len, r->checks.data);
}

static bool table_name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

static const char invalid_name_msg[] =
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may "
    "contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'";
static const char invalid_arn_msg[] =
    "Valid ARN format is 'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', "
    "where Resource name must have length less than or equal to 255, Resource name must have length "
    "greater than or equal to 3, Resource name must satisfyregular expression pattern: [a-zA-Z0-9_.-]+";

static bool table_name_ok(str_t name)
{
    if (name.len < 3 || name.len > 255)
        return false;
    for (size_t i = 0; i < name.len; i++)
        if (!table_name_char_ok(name.ptr[i]))
            return false;
    return true;
}

/* The name in arn:<partition>:dynamodb:<region>:<account>:table/<name>, or
 * an empty str_t when given is not a table ARN in that form (six
 * colon-separated fields: a stream ARN's label has colons of its own). */
static str_t table_name_in_arn(str_t given)
{
    const char *p = given.ptr, *end = given.ptr + given.len;
    str_t field[5];
    for (int i = 0; i < 5; i++) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (!colon)
            return (str_t){NULL, 0};
        field[i] = (str_t){p, (size_t)(colon - p)};
        p = colon + 1;
    }
    static const str_t table_prefix = STR_LIT("table/");
    if (!str_eq_cstr(field[2], "dynamodb") || memchr(p, ':', (size_t)(end - p)) ||
        (size_t)(end - p) < table_prefix.len || memcmp(p, table_prefix.ptr, table_prefix.len) != 0)
        return (str_t){NULL, 0};
    return (str_t){p + table_prefix.len, (size_t)(end - p) - table_prefix.len};
}

const char *req_table_ref(str_t given, bool arn_ok, str_t *name)
{
    static const str_t arn_prefix = STR_LIT("arn:");
    *name = given;
    if (arn_ok && given.len >= arn_prefix.len && memcmp(given.ptr, arn_prefix.ptr, arn_prefix.len) == 0) {
        *name = table_name_in_arn(given);
        if (!name->ptr)
            return invalid_arn_msg;
    }
    return table_name_ok(*name) ? NULL : invalid_name_msg;
}

static int table_name_param(ddb_req_t *r, bool arn_ok, str_t *out)
{
    if (req_string(r, "TableName", true, out))
        return -1;
    if (out->ptr)
        r->table_ref_problem = req_table_ref(*out, arn_ok, out);
    return 0;
}

int req_table_name(ddb_req_t *r, str_t *out) { return table_name_param(r, true, out); }

int req_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **out)
{
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return -1;
    return req_table_named(r, txn, cache, name, out);
}

int req_table_named(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, str_t name, const table_t **out)
{
    int rc = catalog_lookup(cache, txn, r->ns, name, out);
    if (rc < 0)
        return rc;
    /* a table being restored takes no item operations until ACTIVE;
     * UpdateTable and DeleteTable see it, to refuse it themselves */
    bool table_op = r->op && (strcmp(r->op, "UpdateTable") == 0 || strcmp(r->op, "DeleteTable") == 0);
    if (!*out || ((*out)->restoring && !table_op))
        return req_table_not_found(r, name);
    return 0;
}

int req_table_not_found(ddb_req_t *r, str_t name)
{
    /* Table-level operations name the table; item operations do not. */
    static const char *const named[] = {"DescribeTable", "DeleteTable", "UpdateTable"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (r->op && strcmp(r->op, named[i]) == 0)
            return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %.*s not found",
                           STR_FMT(name));
    return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
}

char *req_table_arn(ddb_req_t *r, const char *table_name)
{
    return arena_printf(&r->arena, "arn:aws:dynamodb:%s:%s:table/%s", r->region, r->account, table_name);
}
