/* ops/policy_doc.c - a resource-based policy document checked and put in
 * the form GetResourcePolicy returns, as DynamoDB does.
 *
 * DynamoDB stores an IAM-style canonical form: minified; "Version" then
 * "Statement" (an object becomes a one-element list); in each statement
 * Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
 * NotResource, Condition; a one-element list becomes its element (Action,
 * Resource, principal and condition values); an account id principal
 * becomes its root ARN and duplicate principals go; Effect is title-cased.
 * A document without Version reads back with IAM's default "2008-10-17",
 * yet for idempotency the submitted form counts, so two forms come out:
 * the one Get shows and the one a re-Put is compared by.
 *
 * The input is bounded before parsing (POLICY_MAX_BYTES) and walked to a
 * fixed depth (statements, their members, one level below), never
 * recursively. */
#include "ops/policy_doc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static const char prefix[] = "One or more parameter values were invalid: ";

static int fail(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%s", msg);
    return -1;
}

static int fail_doc(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%sInvalid policy document: %s", prefix, msg);
    return -1;
}

/* A one-element list of a scalar as that scalar; anything else as it is
 * (new ref). */
static json_t *unwrap_single(json_t *v)
{
    json_t *e = json_array_get(v, 0);
    if (json_is_array(v) && json_array_size(v) == 1 && !json_is_array(e) && !json_is_object(e))
        return json_incref(e);
    return json_incref(v);
}

static bool is_account_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 12)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* One principal value: an account id becomes arn:<partition>:iam::<id>:root. */
static json_t *principal_value(const char *partition, json_t *v)
{
    if (json_is_string(v) && is_account_id(json_string_value(v))) {
        char arn[96];
        snprintf(arn, sizeof arn, "arn:%s:iam::%s:root", partition, json_string_value(v));
        return json_string(arn);
    }
    return json_incref(v);
}

static bool list_has(const json_t *list, const json_t *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (json_equal(e, v))
            return true;
    }
    return false;
}

/* Principal: "*" stays; {"AWS": id | [ids...], ...}: ids expanded,
 * duplicates dropped, a single one unwrapped. */
static json_t *canonical_principal(const char *partition, json_t *p)
{
    if (!json_is_object(p))
        return json_incref(p);
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v)
    {
        json_t *list = json_array();
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                json_t *x = principal_value(partition, e);
                if (!list_has(list, x))
                    json_array_append(list, x);
                json_decref(x);
            }
        } else {
            json_array_append_new(list, principal_value(partition, v));
        }
        json_object_set_new(out, k, unwrap_single(list));
        json_decref(list);
    }
    return out;
}

/* Condition: {operator: {key: value | [values]}} with single values unwrapped. */
static json_t *canonical_condition(json_t *c)
{
    if (!json_is_object(c))
        return json_incref(c);
    json_t *out = json_object();
    const char *op, *key;
    json_t *keys, *v;
    json_object_foreach(c, op, keys)
    {
        if (!json_is_object(keys)) {
            json_object_set(out, op, keys);
            continue;
        }
        json_t *o = json_object();
        json_object_foreach(keys, key, v) json_object_set_new(o, key, unwrap_single(v));
        json_object_set_new(out, op, o);
    }
    return out;
}

/* Allow to everyone without a condition: DynamoDB's least-privilege guard. */
static bool unbounded(const json_t *st, const json_t *principal)
{
    if (json_object_get(st, "Condition"))
        return false;
    if (json_is_string(principal))
        return strcmp(json_string_value(principal), "*") == 0;
    json_t *aws = json_object_get(principal, "AWS");
    if (json_is_string(aws))
        return strcmp(json_string_value(aws), "*") == 0;
    json_t *star = json_string("*");
    bool all = json_is_array(aws) && list_has(aws, star);
    json_decref(star);
    return all;
}

static const char *const statement_order[] = {"Sid",       "Effect",   "Principal",   "NotPrincipal", "Action",
                                              "NotAction", "Resource", "NotResource", "Condition",    NULL};

static int canonical_statement(const char *partition, json_t *st, json_t *sids, json_t **out, char *why, size_t n)
{
    if (!json_is_object(st))
        return fail_doc(why, n, "This policy contains invalid Json");
    json_t *sid = json_object_get(st, "Sid");
    if (json_is_string(sid)) {
        if (list_has(sids, sid))
            return fail_doc(why, n, "The Statement Ids in the policy are not unique");
        json_array_append(sids, sid);
    }
    if (!json_object_get(st, "Resource") && !json_object_get(st, "NotResource"))
        return fail_doc(why, n, "Missing required field Resource");
    if (!json_object_get(st, "Principal") && !json_object_get(st, "NotPrincipal"))
        return fail_doc(why, n, "Missing required field Principal");
    const char *effect = json_string_value(json_object_get(st, "Effect"));
    if (!effect || (strcasecmp(effect, "Allow") != 0 && strcasecmp(effect, "Deny") != 0))
        return fail_doc(why, n, "Missing required field Effect");
    bool allow = strcasecmp(effect, "Allow") == 0;
    json_t *o = json_object();
    for (int i = 0; statement_order[i]; i++) {
        const char *k = statement_order[i];
        json_t *v = json_object_get(st, k);
        if (!v)
            continue;
        json_t *c;
        if (strcmp(k, "Effect") == 0)
            c = json_string(allow ? "Allow" : "Deny");
        else if (strcmp(k, "Principal") == 0 || strcmp(k, "NotPrincipal") == 0)
            c = canonical_principal(partition, v);
        else if (strcmp(k, "Condition") == 0)
            c = canonical_condition(v);
        else if (strcmp(k, "Sid") == 0)
            c = json_incref(v);
        else
            c = unwrap_single(v);
        json_object_set_new(o, k, c);
    }
    if (allow && unbounded(o, json_object_get(o, "Principal"))) {
        json_decref(o);
        return fail(why, n,
                    "Resource-based policy grants unbounded access in one or more elements. Please revise the "
                    "policy to ensure least-privilege form of access");
    }
    *out = o;
    return 0;
}

int policy_doc_canonical(const char *text, size_t len, const char *partition, char **get_form, char **compare_form,
                         char *why, size_t why_len)
{
    *get_form = *compare_form = NULL;
    if (len > POLICY_MAX_BYTES) {
        snprintf(why, why_len, "%sMaximum policy size of %d bytes exceeded", prefix, POLICY_MAX_BYTES);
        return -1;
    }
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return fail_doc(why, why_len, "This policy contains invalid Json");
    }
    json_t *stmts = json_object_get(doc, "Statement");
    if (json_is_object(stmts)) {
        json_t *one = json_array();
        json_array_append(one, stmts);
        stmts = one;
    } else {
        json_incref(stmts);
    }
    int rc = 0;
    if (!json_is_array(stmts) || json_array_size(stmts) == 0)
        rc = fail_doc(why, why_len, "Could not parse the policy: Statement is empty!");
    json_t *canon = json_object(), *list = json_array(), *sids = json_array();
    json_t *version = json_object_get(doc, "Version");
    if (version)
        json_object_set(canon, "Version", version);
    if (json_object_get(doc, "Id"))
        json_object_set(canon, "Id", json_object_get(doc, "Id"));
    for (size_t i = 0; !rc && i < json_array_size(stmts); i++) {
        json_t *st;
        rc = canonical_statement(partition, json_array_get(stmts, i), sids, &st, why, why_len);
        if (!rc)
            json_array_append_new(list, st);
    }
    json_object_set_new(canon, "Statement", list);
    if (!rc) {
        *compare_form = xjson_dumps(canon, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!version) { /* IAM's default Version, first as Get shows it */
            json_t *shown = json_object();
            json_object_set_new(shown, "Version", json_string("2008-10-17"));
            json_object_update(shown, canon);
            json_decref(canon);
            canon = shown;
        }
        *get_form = xjson_dumps(canon, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(canon);
    json_decref(sids);
    json_decref(stmts);
    json_decref(doc);
    return rc;
}
