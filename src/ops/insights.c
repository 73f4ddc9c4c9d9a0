/* ops/insights.c - CloudWatch Contributor Insights settings:
 * UpdateContributorInsights, DescribeContributorInsights,
 * ListContributorInsights.
 *
 * Status only: ddbd keeps each table's and each GSI's setting (mode, rule
 * names, last change) in the table's catalog JSON, "ContributorInsights":
 * {"": table's, "<index>": index's}, a regional member of a global table.
 * There is no CloudWatch behind it, so no rule ever reports. As for
 * tables, the transitional status is in the change's answer (ENABLING,
 * DISABLING) and the settled one from the next call on. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "ops/ops.h"
#include "ops/table_util.h"

static const char *const actions[] = {"ENABLE", "DISABLE", NULL};
static const char *const modes[] = {"ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS", NULL};

/* IndexName, when given, must name one of the table's GSIs (an LSI has no
 * insights of its own). */
static int target_index(ddb_req_t *r, const table_t *t, str_t index, const table_index_t **ix)
{
    *ix = NULL;
    if (!index.ptr)
        return 0;
    *ix = table_index(t, index);
    if (!*ix || (*ix)->local)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Index: %.*s not found for table: %s", STR_FMT(index), t->name);
    return 0;
}

static json_t *setting_of(const json_t *desc, const char *key)
{
    return json_object_get(json_object_get(desc, "ContributorInsights"), key);
}

/* AWS's rule names: DynamoDBContributorInsights-<PKC|SKC|PKT|SKT>-<table>-<enabled at, ms>,
 * accessed keys (C) only in ACCESSED_AND_THROTTLED_KEYS mode, sort-key rules
 * only with a sort key. */
static json_t *rule_list(const char *table, bool sort_key, bool accessed, int64_t stamp)
{
    json_t *rules = json_array();
    static const char *const kinds[] = {"PKC", "SKC", "PKT", "SKT"};
    for (int i = 0; i < 4; i++) {
        bool is_sort = i % 2 == 1, is_accessed = i < 2;
        if ((is_sort && !sort_key) || (is_accessed && !accessed))
            continue;
        char name[512];
        snprintf(name, sizeof name, "DynamoDBContributorInsights-%s-%s-%" PRId64, kinds[i], table, stamp);
        json_array_append_new(rules, json_string(name));
    }
    return rules;
}

static void write_common(buf_t *b, const char *table, const char *index)
{
    jw_key(b, "TableName");
    jw_cstr(b, table);
    if (index) {
        jw_key(b, "IndexName");
        jw_cstr(b, index);
    }
}

/* ---- UpdateContributorInsights ---------------------------------------------------- */

static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    const table_index_t *ix;
    str_t index;
    int action, mode;
    int rc = tu_table(r, txn, cache, &t);
    if (!rc)
        rc = req_string(r, "IndexName", false, &index) || target_index(r, t, index, &ix) ? -1 : 0;
    if (rc)
        return rc;
    req_enum(r, "ContributorInsightsAction", actions, &action, 0);
    req_enum(r, "ContributorInsightsMode", modes, &mode, 0);
    if (ix && ix->creating)
        return err_set(&r->err, ERR_VALIDATION,
                       "Table or Index is not in a valid state to update Key Access Insights: IndexStatus must be "
                       "ACTIVE to enable ContributorInsights.");
    const char *key = ix ? ix->name : "";
    const json_t *cur = setting_of(t->desc, key);
    const char *cur_status = json_string_value(json_object_get(cur, "Status"));
    const char *cur_mode = json_string_value(json_object_get(cur, "Mode"));
    bool on = cur_status && strcmp(cur_status, "ENABLED") == 0;
    const char *answer, *answer_mode = NULL;
    json_t *next = NULL;
    if (action == 0) {
        answer_mode = modes[mode];
        /* the same mode again changes nothing; a new mode re-enables */
        answer = on && strcmp(cur_mode, modes[mode]) == 0 ? "ENABLED" : "ENABLING";
        if (strcmp(answer, "ENABLING") == 0) {
            json_t *stamp = json_object_get(cur, "Stamp");
            int64_t ms = stamp ? json_integer_value(stamp) : clock_now_ms();
            bool sort_key = ix ? ix->ks.range.name.len > 0 : t->ks.range.name.len > 0;
            next = json_pack("{s:s,s:s,s:I,s:f,s:o}", "Status", "ENABLED", "Mode", modes[mode], "Stamp", (json_int_t)ms,
                             "Updated", tu_now(), "Rules", rule_list(t->name, sort_key, mode == 0, ms));
        }
    } else {
        answer_mode = on ? cur_mode : NULL; /* AWS echoes the current mode, not the one sent */
        answer = on ? "DISABLING" : "DISABLED";
        if (on)
            next = json_pack("{s:s,s:I,s:f}", "Status", "DISABLED", "Stamp",
                             json_integer_value(json_object_get(cur, "Stamp")), "Updated", tu_now());
    }
    if (next) {
        json_t *desc = json_deep_copy(t->desc);
        json_t *all = json_object_get(desc, "ContributorInsights");
        if (!all) {
            all = json_object();
            json_object_set_new(desc, "ContributorInsights", all);
        }
        json_object_set_new(all, key, next);
        if ((rc = tu_put_desc(txn, t, desc)) != 0)
            return rc;
    }
    buf_putc(&r->out, '{');
    write_common(&r->out, t->name, ix ? ix->name : NULL);
    jw_key(&r->out, "ContributorInsightsStatus");
    jw_cstr(&r->out, answer);
    if (answer_mode) {
        jw_key(&r->out, "ContributorInsightsMode");
        jw_cstr(&r->out, answer_mode);
    }
    buf_putc(&r->out, '}');
    return 0;
}

/* UpdateContributorInsights(TableName, IndexName?, ContributorInsightsAction,
 *                           ContributorInsightsMode?) */
req_result_t op_update_contributor_insights(ddb_req_t *r)
{
    str_t name, index;
    int action, mode;
    if (req_table_name(r, &name) || req_string(r, "IndexName", false, &index))
        return REQ_FAILED;
    if (!req_member(r, "ContributorInsightsAction"))
        req_constraint(r, "null", "contributorInsightsAction", "Member must not be null");
    if (req_enum(r, "ContributorInsightsAction", actions, &action, 0) ||
        req_enum(r, "ContributorInsightsMode", modes, &mode, 0) || req_constraints_done(r))
        return REQ_FAILED;
    return req_queue(r, update_apply, NULL, NULL);
}

/* ---- DescribeContributorInsights ---------------------------------------------------- */

/* DescribeContributorInsights(TableName, IndexName?) */
req_result_t op_describe_contributor_insights(ddb_req_t *r)
{
    const table_t *t;
    const table_index_t *ix;
    str_t index;
    int rc = req_string(r, "IndexName", false, &index) ? -1 : tu_table(r, r->txn, r->env->loop_catalog, &t);
    if (rc || target_index(r, t, index, &ix))
        return req_result(r, rc ? rc : -1);
    const json_t *cur = setting_of(t->desc, ix ? ix->name : "");
    const char *status = json_string_value(json_object_get(cur, "Status"));
    bool on = status && strcmp(status, "ENABLED") == 0;
    buf_t *b = &r->out;
    buf_putc(b, '{');
    write_common(b, t->name, ix ? ix->name : NULL);
    if (on)
        tu_write_member(b, "ContributorInsightsRuleList", json_object_get(cur, "Rules"));
    jw_key(b, "ContributorInsightsStatus");
    jw_cstr(b, on ? "ENABLED" : "DISABLED");
    if (cur) {
        jw_key(b, "LastUpdateDateTime");
        jw_double(b, json_number_value(json_object_get(cur, "Updated")));
    }
    if (on) {
        jw_key(b, "ContributorInsightsMode");
        jw_cstr(b, json_string_value(json_object_get(cur, "Mode")));
    }
    buf_putc(b, '}');
    return REQ_DONE;
}

/* ---- ListContributorInsights ------------------------------------------------------ */

/* Paging position: after the entry "<table>/<index>" (index empty for
 * the table), hex-encoded so the token stays opaque. */
typedef struct list_ctx {
    ddb_req_t *r;
    int64_t max, n;
    const char *after; /* decoded NextToken or NULL */
    bool passed; /* reached the entry after `after` */
    const char *last; /* position of the last entry written */
    bool more;
    int rc;
} list_ctx_t;

static int list_entry(list_ctx_t *c, const char *table, const char *index, const json_t *s)
{
    const char *status = json_string_value(json_object_get(s, "Status"));
    if (!status || strcmp(status, "ENABLED") != 0) /* DISABLED entries are not listed */
        return 0;
    const char *pos = arena_printf(&c->r->arena, "%s/%s", table, index);
    if (!c->passed) {
        c->passed = strcmp(pos, c->after) == 0;
        return 0;
    }
    if (c->n == c->max) {
        c->more = true;
        return 1;
    }
    buf_t *b = &c->r->out;
    jw_open(b, '{');
    write_common(b, table, *index ? index : NULL);
    jw_key(b, "ContributorInsightsStatus");
    jw_cstr(b, status);
    jw_key(b, "ContributorInsightsMode");
    jw_cstr(b, json_string_value(json_object_get(s, "Mode")));
    jw_close(b, '}');
    c->last = pos;
    c->n++;
    return 0;
}

/* The table's entries: the table first, then its GSIs in their order. */
static int list_table(list_ctx_t *c, const table_t *t)
{
    const json_t *all = json_object_get(t->desc, "ContributorInsights");
    if (!all)
        return 0;
    if (json_object_get(all, "") && list_entry(c, t->name, "", json_object_get(all, "")))
        return 1;
    for (size_t i = 0; i < t->n_indexes; i++) {
        const json_t *s = json_object_get(all, t->indexes[i].name);
        if (s && list_entry(c, t->name, t->indexes[i].name, s))
            return 1;
    }
    return 0;
}

static int list_one(void *ud, str_t name)
{
    list_ctx_t *c = ud;
    const table_t *t;
    c->rc = catalog_lookup(c->r->env->loop_catalog, c->r->txn, c->r->ns, name, &t);
    if (c->rc)
        return 1;
    return t ? list_table(c, t) : 0;
}

static char *hex(arena_t *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, 2 * n + 1);
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", (unsigned char)s[i]);
    out[2 * n] = '\0';
    return out;
}

static char *unhex(arena_t *a, str_t s)
{
    char *out = arena_alloc(a, s.len / 2 + 1);
    size_t n = 0;
    for (size_t i = 0; i + 1 < s.len; i += 2) {
        unsigned v;
        if (sscanf(s.ptr + i, "%2x", &v) != 1)
            return NULL;
        out[n++] = (char)v;
    }
    out[n] = '\0';
    return s.len % 2 || memchr(out, '\0', n) ? NULL : out;
}

/* ListContributorInsights(TableName?, NextToken?, MaxResults?) */
req_result_t op_list_contributor_insights(ddb_req_t *r)
{
    list_ctx_t c = {.r = r, .passed = true};
    str_t token;
    bool has_max;
    if (req_string(r, "NextToken", false, &token) || req_int(r, "MaxResults", &c.max, &has_max))
        return REQ_FAILED;
    if (!has_max)
        c.max = 100;
    req_check_range(r, c.max, "maxResults", 0, 100);
    if (req_constraints_done(r))
        return REQ_FAILED;
    if (token.ptr) {
        c.after = unhex(&r->arena, token);
        if (!c.after)
            return req_fail(r, ERR_VALIDATION, "Invalid NextToken");
        c.passed = false;
    }
    const table_t *t = NULL;
    if (req_member(r, "TableName") && tu_table(r, r->txn, r->env->loop_catalog, &t))
        return REQ_FAILED;
    buf_puts(&r->out, "{\"ContributorInsightsSummaries\":[");
    int rc = 0;
    if (c.max > 0) {
        if (t)
            list_table(&c, t);
        else
            rc = catalog_list(r->txn, r->ns, STR_NULL, list_one, &c);
    } else {
        c.more = true;
    }
    rc = rc ? rc : c.rc;
    if (rc)
        return req_result(r, rc);
    buf_putc(&r->out, ']');
    if (c.more && c.last) {
        jw_key(&r->out, "NextToken");
        jw_cstr(&r->out, hex(&r->arena, c.last));
    }
    buf_putc(&r->out, '}');
    return REQ_DONE;
}
