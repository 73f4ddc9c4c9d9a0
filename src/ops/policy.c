/* ops/policy.c - resource-based policies: PutResourcePolicy,
 * GetResourcePolicy, DeleteResourcePolicy, and CreateTable's
 * ResourcePolicy.
 *
 * Stored, not enforced: ddbd has no identities to evaluate a policy
 * against. A table's policy lives in its catalog JSON ("ResourcePolicy":
 * {"Policy", "Compare", "RevisionId"}), each of its streams' under
 * "StreamPolicies" by stream label: a stream is a policy slot of its own,
 * as on AWS. Both are regional members of a global table (each replica has
 * its own). RevisionIds are the change time in epoch milliseconds (13
 * digits, increasing), as AWS's are; a Put of an equivalent document
 * (same canonical form) changes nothing and answers the current id.
 *
 * AWS's policy write serialization (ResourceInUse for ~2 s, then
 * ThrottlingException for 15 s after a change) is not imitated, and
 * ConfirmRemoveSelfResourceAccess is accepted without effect: with no
 * identities there is no lockout to confirm. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "ops/ops.h"
#include "ops/policy_doc.h"
#include "ops/table_util.h"

static const char invalid[] = "One or more parameter values were invalid: ";
static const char not_found[] = "Resource-based policy not found for the provided ResourceArn: ";

/* What a ResourceArn names: a table, or one of its streams. */
typedef struct policy_target {
    str_t arn;
    str_t table;
    str_t label; /* the stream's label; empty for the table */
} policy_target_t;

/* The n-th ':'-separated field of arn (the last one takes the rest). */
static str_t arn_field(str_t arn, int n, bool rest)
{
    const char *p = arn.ptr, *end = arn.ptr + arn.len;
    for (int i = 0; i < n; i++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c)
            return STR_NULL;
        p = c + 1;
    }
    const char *c = rest ? NULL : memchr(p, ':', (size_t)(end - p));
    return (str_t){p, (size_t)((c ? c : end) - p)};
}

/* ResourceArn, checked as AWS checks it (DynamoDB's answers, in order:
 * not an ARN, not DynamoDB's, another partition or region, another
 * account, an index, something that is neither a table nor a stream). */
static int parse_target(ddb_req_t *r, policy_target_t *t)
{
    memset(t, 0, sizeof *t);
    if (req_string(r, "ResourceArn", true, &t->arn) || req_constraints_done(r))
        return -1;
    str_t arn = t->arn;
    if (arn.len < 4 || memcmp(arn.ptr, "arn:", 4) != 0)
        return err_set(&r->err, ERR_VALIDATION, "%sARNs must start with 'arn:': %.*s", invalid, STR_FMT(arn));
    str_t partition = arn_field(arn, 1, false), service = arn_field(arn, 2, false);
    str_t region = arn_field(arn, 3, false), account = arn_field(arn, 4, false), res = arn_field(arn, 5, true);
    static const str_t table_prefix = STR_LIT("table/");
    if (!res.ptr || !str_eq_cstr(service, "dynamodb") || res.len <= table_prefix.len ||
        memcmp(res.ptr, table_prefix.ptr, table_prefix.len) != 0)
        return err_set(&r->err, ERR_VALIDATION, "%sProvided Arn is not a DynamoDB resource arn: %.*s", invalid,
                       STR_FMT(arn));
    if (!str_eq_cstr(partition, "aws") || !str_eq_cstr(region, r->region))
        return err_set(&r->err, ERR_VALIDATION, "%sInvalid resource Arn: %.*s", invalid, STR_FMT(arn));
    if (!str_eq_cstr(account, r->account))
        return err_set(&r->err, ERR_VALIDATION,
                       "This action is only supported by accounts that match the resource owner\xe2\x80\x99s account.");
    str_t rest = {res.ptr + table_prefix.len, res.len - table_prefix.len};
    const char *slash = memchr(rest.ptr, '/', rest.len);
    t->table = (str_t){rest.ptr, slash ? (size_t)(slash - rest.ptr) : rest.len};
    if (!slash)
        return 0;
    str_t sub = {slash + 1, rest.len - t->table.len - 1};
    static const str_t stream = STR_LIT("stream/"), index = STR_LIT("index/");
    if (sub.len > stream.len && memcmp(sub.ptr, stream.ptr, stream.len) == 0 &&
        !memchr(sub.ptr + stream.len, '/', sub.len - stream.len)) {
        t->label = (str_t){sub.ptr + stream.len, sub.len - stream.len};
        return 0;
    }
    if (sub.len >= index.len && memcmp(sub.ptr, index.ptr, index.len) == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "%sInvalid resource arn provided, only table or stream is accepted. Provided resource arn: "
                       "%.*s",
                       invalid, STR_FMT(arn));
    return err_set(&r->err, ERR_VALIDATION, "%sProvided Arn is not a DynamoDB resource arn: %.*s", invalid,
                   STR_FMT(arn));
}

/* The table, and for a stream ARN, that the stream is the table's. */
static int target_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const policy_target_t *pt,
                        const table_t **t)
{
    int rc = tu_table_named(r, txn, cache, pt->table, t);
    if (rc || !pt->label.len)
        return rc;
    const char *latest = json_string_value(json_object_get((*t)->desc, "LatestStreamLabel"));
    if (!latest || !str_eq_cstr(pt->label, latest))
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Stream: %.*s not found for Table: %.*s", STR_FMT(pt->label),
                       STR_FMT(pt->table));
    return 0;
}

/* The stored policy object of the target in desc (borrowed), or NULL. */
static json_t *policy_of(json_t *desc, const policy_target_t *pt)
{
    if (!pt->label.len)
        return json_object_get(desc, "ResourcePolicy");
    char label[64];
    snprintf(label, sizeof label, "%.*s", STR_FMT(pt->label));
    return json_object_get(json_object_get(desc, "StreamPolicies"), label);
}

/* Sets (p non-NULL, consumed) or removes the target's policy in desc. */
static void set_policy(json_t *desc, const policy_target_t *pt, json_t *p)
{
    if (!pt->label.len) {
        if (p)
            json_object_set_new(desc, "ResourcePolicy", p);
        else
            json_object_del(desc, "ResourcePolicy");
        return;
    }
    char label[64];
    snprintf(label, sizeof label, "%.*s", STR_FMT(pt->label));
    json_t *all = json_object_get(desc, "StreamPolicies");
    if (!all && p) {
        all = json_object();
        json_object_set_new(desc, "StreamPolicies", all);
    }
    if (p)
        json_object_set_new(all, label, p);
    else if (all)
        json_object_del(all, label);
    if (all && !json_object_size(all))
        json_object_del(desc, "StreamPolicies");
}

/* A new RevisionId: the change time in ms, after the previous one. */
static json_t *new_revision(const json_t *previous)
{
    int64_t now = clock_now_ms();
    const char *prev = json_string_value(json_object_get(previous, "RevisionId"));
    if (prev && strtoll(prev, NULL, 10) >= now)
        now = strtoll(prev, NULL, 10) + 1;
    char s[32];
    snprintf(s, sizeof s, "%013" PRId64, now);
    return json_string(s);
}

json_t *ops_policy_new(const char *get_form, const char *compare_form)
{
    return json_pack("{s:s,s:s,s:o}", "Policy", get_form, "Compare", compare_form, "RevisionId", new_revision(NULL));
}

int ops_policy_check(ddb_req_t *r, str_t text, char **get_form, char **compare_form)
{
    char why[256];
    if (policy_doc_canonical(text.ptr, text.len, "aws", get_form, compare_form, why, sizeof why))
        return err_set(&r->err, ERR_VALIDATION, "%s", why);
    return 0;
}

/* ExpectedRevisionId against the current policy (NULL: none): AWS's
 * PolicyNotFoundException wording. */
static int check_expected(ddb_req_t *r, const policy_target_t *pt, const json_t *cur, str_t expected)
{
    if (!expected.ptr)
        return 0;
    const char *rev = json_string_value(json_object_get(cur, "RevisionId"));
    bool none = str_eq_cstr(expected, "NO_POLICY");
    if (!rev)
        return none ? 0 : err_set(&r->err, ERR_POLICY_NOT_FOUND, "%s%.*s", not_found, STR_FMT(pt->arn));
    if (none)
        return err_set(&r->err, ERR_POLICY_NOT_FOUND,
                       "%sRequested policy update expecting none to be present for table %.*s, but a policy exists "
                       "with revision id %s.",
                       not_found, STR_FMT(pt->table), rev);
    if (!str_eq_cstr(expected, rev))
        return err_set(&r->err, ERR_POLICY_NOT_FOUND,
                       "%sRequested update for policy with revision id %.*s, but the policy associated to target "
                       "table %.*s has revision id %s.",
                       not_found, STR_FMT(expected), STR_FMT(pt->table), rev);
    return 0;
}

static void reply_revision(ddb_req_t *r, const char *rev)
{
    buf_putc(&r->out, '{');
    if (rev) {
        jw_key(&r->out, "RevisionId");
        jw_cstr(&r->out, rev);
    }
    buf_putc(&r->out, '}');
}

/* On the writer, for a Put or a Delete: the target, its table and its
 * current policy (*cur, borrowed; NULL: none), checked against
 * ExpectedRevisionId. */
static int read_target(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, policy_target_t *pt, const table_t **t,
                       json_t **cur)
{
    str_t expected;
    int rc = parse_target(r, pt);
    if (!rc)
        rc = target_table(r, txn, cache, pt, t);
    if (!rc)
        rc = req_string(r, "ExpectedRevisionId", false, &expected);
    if (rc)
        return rc;
    *cur = policy_of((*t)->desc, pt);
    return check_expected(r, pt, *cur, expected);
}

/* Stores policy (consumed; NULL removes it) and answers revision_of's
 * RevisionId. */
static int store_policy(ddb_req_t *r, store_txn_t *txn, const table_t *t, const policy_target_t *pt, json_t *policy,
                        const json_t *revision_of)
{
    const char *rev =
        arena_cstr(&r->arena, str_from_cstr(json_string_value(json_object_get(revision_of, "RevisionId"))));
    json_t *desc = json_deep_copy(t->desc);
    set_policy(desc, pt, policy);
    int rc = tu_put_desc(txn, t, desc);
    if (!rc)
        reply_revision(r, rev);
    return rc;
}

/* ---- PutResourcePolicy ------------------------------------------------------ */

typedef struct put_plan {
    char *get_form, *compare_form;
} put_plan_t;

static void put_release(void *plan)
{
    put_plan_t *p = plan;
    free(p->get_form);
    free(p->compare_form);
}

static int put_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const put_plan_t *p = r->plan;
    policy_target_t pt;
    const table_t *t;
    json_t *cur;
    int rc = read_target(r, txn, cache, &pt, &t, &cur);
    if (rc)
        return rc;
    const char *cmp = json_string_value(json_object_get(cur, "Compare"));
    if (cmp && strcmp(cmp, p->compare_form) == 0) { /* the same document: nothing changes */
        reply_revision(r, json_string_value(json_object_get(cur, "RevisionId")));
        return 0;
    }
    json_t *policy =
        json_pack("{s:s,s:s,s:o}", "Policy", p->get_form, "Compare", p->compare_form, "RevisionId", new_revision(cur));
    return store_policy(r, txn, t, &pt, policy, policy);
}

/* PutResourcePolicy(ResourceArn, Policy, ExpectedRevisionId?,
 *                   ConfirmRemoveSelfResourceAccess?) */
req_result_t op_put_resource_policy(ddb_req_t *r)
{
    policy_target_t pt;
    str_t text, expected;
    bool confirm;
    if (req_string(r, "Policy", true, &text) || req_string(r, "ExpectedRevisionId", false, &expected) ||
        req_bool(r, "ConfirmRemoveSelfResourceAccess", &confirm) || parse_target(r, &pt))
        return REQ_FAILED;
    put_plan_t *p = arena_alloc(&r->arena, sizeof *p);
    if (ops_policy_check(r, text, &p->get_form, &p->compare_form))
        return REQ_FAILED;
    return req_queue(r, put_apply, p, put_release);
}

/* ---- GetResourcePolicy ------------------------------------------------------- */

/* GetResourcePolicy(ResourceArn) */
req_result_t op_get_resource_policy(ddb_req_t *r)
{
    policy_target_t pt;
    const table_t *t;
    if (parse_target(r, &pt))
        return REQ_FAILED;
    int rc = target_table(r, r->txn, r->env->loop_catalog, &pt, &t);
    if (rc)
        return req_result(r, rc);
    json_t *cur = policy_of(t->desc, &pt);
    if (!cur)
        return req_fail(r, ERR_POLICY_NOT_FOUND, "%s%.*s", not_found, STR_FMT(pt.arn));
    buf_putc(&r->out, '{');
    jw_key(&r->out, "Policy");
    jw_cstr(&r->out, json_string_value(json_object_get(cur, "Policy")));
    jw_key(&r->out, "RevisionId");
    jw_cstr(&r->out, json_string_value(json_object_get(cur, "RevisionId")));
    buf_putc(&r->out, '}');
    return REQ_DONE;
}

/* ---- DeleteResourcePolicy ----------------------------------------------------- */

/* Without a policy (and without ExpectedRevisionId) a Delete succeeds and
 * answers no RevisionId; with one it answers the removed policy's. */
static int delete_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    policy_target_t pt;
    const table_t *t;
    json_t *cur;
    int rc = read_target(r, txn, cache, &pt, &t, &cur);
    if (rc)
        return rc;
    if (!cur) {
        reply_revision(r, NULL);
        return 0;
    }
    return store_policy(r, txn, t, &pt, NULL, cur);
}

/* DeleteResourcePolicy(ResourceArn, ExpectedRevisionId?) */
req_result_t op_delete_resource_policy(ddb_req_t *r)
{
    policy_target_t pt;
    str_t expected;
    if (req_string(r, "ExpectedRevisionId", false, &expected) || parse_target(r, &pt))
        return REQ_FAILED;
    return req_queue(r, delete_apply, NULL, NULL);
}
