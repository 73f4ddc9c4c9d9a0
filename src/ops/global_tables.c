/* ops/global_tables.c - the global table operations besides UpdateTable's
 * ReplicaUpdates (replicas.c): the legacy version 2017.11.29 API
 * (CreateGlobalTable, DescribeGlobalTable, ListGlobalTables,
 * UpdateGlobalTable, DescribeGlobalTableSettings,
 * UpdateGlobalTableSettings) and replica auto scaling
 * (DescribeTableReplicaAutoScaling, UpdateTableReplicaAutoScaling).
 *
 * The legacy API answers as AWS does today (recorded 2026-10): creating a
 * 2017.11.29 global table is refused in every region ("version 2017.11.29
 * is not supported"), so none exists; Describe/Update answer
 * GlobalTableNotFoundException for every name, version 2019.11.21 groups
 * included, and ListGlobalTables lists nothing.
 *
 * Replica auto scaling is stored and described, not performed (ddbd has
 * no Application Auto Scaling): the group's write settings and each
 * replica's read settings, for the table and each GSI, in the table's
 * description ("ddbd_autoscaling"). Only a 2019.11.21 group has them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rand.h"
#include "ops/ops.h"
#include "ops/table_util.h"

#define LQ "\xe2\x80\x98"
#define RQ "\xe2\x80\x99"

/* ---- version 2017.11.29 ------------------------------------------------------------ */

static const char legacy_refused[] =
    "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. We "
    "recommend using DynamoDB global tables version 2019.11.21, instead of version 2017.11.29 (Legacy).";

static int global_table_name(ddb_req_t *r, str_t *name)
{
    if (req_string(r, "GlobalTableName", true, name))
        return -1;
    if (name->ptr)
        req_check_length(r, *name, "globalTableName", 3, 255);
    return req_constraints_done(r);
}

/* CreateGlobalTable(GlobalTableName, ReplicationGroup) */
req_result_t op_create_global_table(ddb_req_t *r)
{
    str_t name;
    const json_t *group;
    if (req_array(r, "ReplicationGroup", true, &group) || global_table_name(r, &name))
        return REQ_FAILED;
    return req_fail(r, ERR_VALIDATION, "%s", legacy_refused);
}

/* DescribeGlobalTable(GlobalTableName) */
req_result_t op_describe_global_table(ddb_req_t *r)
{
    str_t name;
    if (global_table_name(r, &name))
        return REQ_FAILED;
    return req_fail(r, ERR_GLOBAL_TABLE_NOT_FOUND,
                    "Global table not found: Global table with name: '%.*s' does not exist.", STR_FMT(name));
}

/* UpdateGlobalTable(GlobalTableName, ReplicaUpdates): a Create is refused
 * for the version before anything else is looked at. */
req_result_t op_update_global_table(ddb_req_t *r)
{
    str_t name;
    const json_t *updates;
    if (req_array(r, "ReplicaUpdates", true, &updates) || global_table_name(r, &name))
        return REQ_FAILED;
    if (!json_array_size(updates))
        return req_fail(r, ERR_VALIDATION, "One or more parameter values were invalid");
    for (size_t i = 0; i < json_array_size(updates); i++)
        if (json_object_get(json_array_get(updates, i), "Create"))
            return req_fail(r, ERR_VALIDATION, "%s", legacy_refused);
    return req_fail(r, ERR_GLOBAL_TABLE_NOT_FOUND, "Global table with name: '%.*s' does not exist.", STR_FMT(name));
}

/* DescribeGlobalTableSettings(GlobalTableName) */
req_result_t op_describe_global_table_settings(ddb_req_t *r)
{
    str_t name;
    if (global_table_name(r, &name))
        return REQ_FAILED;
    return req_fail(r, ERR_GLOBAL_TABLE_NOT_FOUND, "Global table with name: '%.*s' does not exist.", STR_FMT(name));
}

/* UpdateGlobalTableSettings(GlobalTableName, ...) */
req_result_t op_update_global_table_settings(ddb_req_t *r)
{
    str_t name;
    if (global_table_name(r, &name))
        return REQ_FAILED;
    return req_fail(r, ERR_GLOBAL_TABLE_NOT_FOUND, "Global table with name: '%.*s' does not exist.", STR_FMT(name));
}

/* ListGlobalTables(ExclusiveStartGlobalTableName?, Limit?, RegionName?) */
req_result_t op_list_global_tables(ddb_req_t *r)
{
    str_t start, region;
    int64_t limit;
    bool has_limit;
    if (req_string(r, "ExclusiveStartGlobalTableName", false, &start) || req_string(r, "RegionName", false, &region) ||
        req_int(r, "Limit", &limit, &has_limit))
        return REQ_FAILED;
    if (has_limit)
        req_check_range(r, limit, "limit", 1, 100);
    if (start.ptr)
        req_check_length(r, start, "exclusiveStartGlobalTableName", 3, 255);
    if (req_constraints_done(r))
        return REQ_FAILED;
    buf_puts(&r->out, "{\"GlobalTables\":[]}");
    return REQ_DONE;
}

/* ---- replica auto scaling ------------------------------------------------------------ */

static const json_t *scaling(const json_t *desc) { return json_object_get(desc, "ddbd_autoscaling"); }

/* A dimension's settings: stored, or never configured. */
static void write_settings(buf_t *b, const char *key, const json_t *s)
{
    if (s)
        tu_write_member(b, key, s);
    else {
        jw_key(b, key);
        buf_puts(b, "{\"AutoScalingDisabled\":true,\"ScalingPolicies\":[]}");
    }
}

static int region_cmp(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "RegionName")),
                  json_string_value(json_object_get(*(json_t *const *)b, "RegionName")));
}

/* TableAutoScalingDescription: every replica, the caller's too, by region. */
static void write_description(ddb_req_t *r, const table_t *t)
{
    buf_t *b = &r->out;
    const json_t *as = scaling(t->desc), *list = json_object_get(t->desc, "ddbd_replicas");
    size_t n = json_array_size(list);
    json_t **sorted = arena_alloc(&r->arena, (n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(list, i);
    qsort(sorted, n, sizeof *sorted, region_cmp);
    buf_puts(b, "{\"TableAutoScalingDescription\":{");
    jw_key(b, "TableName");
    jw_cstr(b, t->name);
    jw_key(b, "TableStatus");
    jw_cstr(b, "ACTIVE");
    jw_key(b, "Replicas");
    jw_open(b, '[');
    for (size_t i = 0; i < n; i++) {
        const char *region = json_string_value(json_object_get(sorted[i], "RegionName"));
        jw_open(b, '{');
        jw_key(b, "RegionName");
        jw_cstr(b, region);
        jw_key(b, "GlobalSecondaryIndexes");
        jw_open(b, '[');
        for (size_t k = 0; k < t->n_indexes; k++) {
            const table_index_t *ix = &t->indexes[k];
            if (ix->local)
                continue;
            jw_open(b, '{');
            jw_key(b, "IndexName");
            jw_cstr(b, ix->name);
            jw_key(b, "IndexStatus");
            jw_cstr(b, ix->creating ? "CREATING" : "ACTIVE");
            write_settings(b, "ProvisionedReadCapacityAutoScalingSettings",
                           json_object_get(json_object_get(json_object_get(as, "gsi_read"), region), ix->name));
            write_settings(b, "ProvisionedWriteCapacityAutoScalingSettings",
                           json_object_get(json_object_get(as, "gsi_write"), ix->name));
            jw_close(b, '}');
        }
        jw_close(b, ']');
        write_settings(b, "ReplicaProvisionedReadCapacityAutoScalingSettings",
                       json_object_get(json_object_get(as, "read"), region));
        write_settings(b, "ReplicaProvisionedWriteCapacityAutoScalingSettings", json_object_get(as, "write"));
        jw_key(b, "ReplicaStatus");
        jw_cstr(b, "ACTIVE");
        jw_close(b, '}');
    }
    jw_close(b, ']');
    buf_puts(b, "}}");
}

/* The table, which must be a 2019.11.21 group. */
static int global_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **t)
{
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return -1;
    int rc = catalog_lookup(cache, txn, r->ns, name, t);
    if (rc)
        return rc;
    if (!*t || !ops_is_global(*t))
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Global table with name: '%.*s' does not exist.",
                       STR_FMT(name));
    return 0;
}

/* DescribeTableReplicaAutoScaling(TableName) */
req_result_t op_describe_table_replica_auto_scaling(ddb_req_t *r)
{
    const table_t *t;
    int rc = global_table(r, r->txn, r->env->loop_catalog, &t);
    if (!rc)
        write_description(r, t);
    return req_result(r, rc);
}

/* Application Auto Scaling's own answers come through with its suffix. */
static int aas_error(ddb_req_t *r, const char *msg)
{
    char id[RAND_UUID_LEN + 1];
    rand_uuid(id);
    return err_set(&r->err, ERR_VALIDATION,
                   "%s (Service: AWSApplicationAutoScaling; Status Code: 400; Error Code: ValidationException; "
                   "Request ID: %s; Proxy: null)",
                   msg, id);
}

/* Java's Double.toString for the values AAS quotes ("90.1", "100.0"). */
static const char *java_double(ddb_req_t *r, double v)
{
    if (v == floor(v) && fabs(v) < 1e7)
        return arena_printf(&r->arena, "%.1f", v);
    return arena_printf(&r->arena, "%.15g", v);
}

/* One AutoScalingSettingsUpdate into its description (new reference), or
 * NULL with r->err set. read/write and the resource name the policy. */
static json_t *settings_of(ddb_req_t *r, const table_t *t, const json_t *u, bool read, const char *index)
{
    bool disable = json_is_true(json_object_get(u, "AutoScalingDisabled"));
    const json_t *min = json_object_get(u, "MinimumUnits"), *max = json_object_get(u, "MaximumUnits");
    const json_t *policy = json_object_get(u, "ScalingPolicyUpdate");
    if (disable) {
        if (min || max)
            return err_set(&r->err, ERR_VALIDATION,
                           "Failed to update settings for global table with name " LQ "%s" RQ
                           ": Parameters 'MaximumUnits', 'MinimumUnits' must be left blank when disabling auto "
                           "scaling.",
                           t->name),
                   NULL;
        if (policy)
            return err_set(&r->err, ERR_VALIDATION,
                           "Failed to update settings for global table with name " LQ "%s" RQ
                           ": Parameters 'ScalingPolicyUpdate' must be left blank when disabling auto scaling.",
                           t->name),
                   NULL;
        return json_pack("{s:b,s:[]}", "AutoScalingDisabled", 1, "ScalingPolicies");
    }
    if (!min || !max || !policy) {
        buf_t miss = BUF_INIT;
        static const char *const names[] = {"MaximumUnits", "ScalingPolicyUpdate", "MinimumUnits"};
        const json_t *have[] = {max, policy, min};
        for (int i = 0; i < 3; i++)
            if (!have[i])
                buf_printf(&miss, "%s'%s'", miss.len ? ", " : "", names[i]);
        buf_putc(&miss, '\0');
        err_set(&r->err, ERR_VALIDATION,
                "Failed to update settings for global table with name: " LQ "%s" RQ
                ": Parameters %s are required unless auto scaling is being disabled.",
                t->name, miss.data);
        buf_free(&miss);
        return NULL;
    }
    if (json_integer_value(max) < json_integer_value(min))
        return aas_error(r, "Maximum capacity cannot be less than minimum capacity"), NULL;
    const json_t *cfg = json_object_get(policy, "TargetTrackingScalingPolicyConfiguration");
    double target = json_number_value(json_object_get(cfg, "TargetValue"));
    const char *metric = read ? "DynamoDBReadCapacityUtilization" : "DynamoDBWriteCapacityUtilization";
    if (target <= 0)
        return aas_error(r, arena_printf(&r->arena,
                                         "For target tracking scaling, target value must be between '8.51592E-109' "
                                         "and '1.174271E108', but was '%s'.",
                                         java_double(r, target))),
               NULL;
    if (target < 10 || target > 90)
        return aas_error(r, arena_printf(&r->arena,
                                         "For predefined metric type %s, target value must be between '10.0' and "
                                         "'90.0', but was '%s'.",
                                         metric, java_double(r, target))),
               NULL;
    const char *name = json_string_value(json_object_get(policy, "PolicyName"));
    if (!name)
        name = index ? arena_printf(&r->arena, "%s:table/%s/index/%s", metric, t->name, index)
                     : arena_printf(&r->arena, "%s:table/%s", metric, t->name);
    json_t *tt = json_object();
    static const char *const opt[] = {"DisableScaleIn", "ScaleInCooldown", "ScaleOutCooldown"};
    for (int i = 0; i < 3; i++)
        if (json_object_get(cfg, opt[i]))
            json_object_set(tt, opt[i], json_object_get(cfg, opt[i]));
    json_object_set_new(tt, "TargetValue", json_real(target));
    return json_pack(
        "{s:O,s:O,s:s,s:[{s:s,s:o}]}", "MinimumUnits", min, "MaximumUnits", max, "AutoScalingRoleArn",
        arena_printf(&r->arena,
                     "arn:aws:iam::%s:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
                     "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
                     r->account),
        "ScalingPolicies", "PolicyName", name, "TargetTrackingScalingPolicyConfiguration", tt);
}

/* Sets obj[key1][key2] (key2 NULL: obj[key1]) to v (consumed). */
static void put_setting(json_t *obj, const char *key1, const char *key2, json_t *v)
{
    if (!key2) {
        json_object_set_new(obj, key1, v);
        return;
    }
    json_t *sub = json_object_get(obj, key1);
    if (!sub) {
        sub = json_object();
        json_object_set_new(obj, key1, sub);
    }
    json_object_set_new(sub, key2, v);
}

/* An update of a dimension on an on-demand group: only disabling. */
static int on_demand_refusal(ddb_req_t *r, const table_t *t, const char *param)
{
    buf_t regions = BUF_INIT;
    const json_t *list = json_object_get(t->desc, "ddbd_replicas");
    for (size_t i = 0; i < json_array_size(list); i++)
        buf_printf(&regions, "%s'%s'", i ? ", " : "",
                   json_string_value(json_object_get(json_array_get(list, i), "RegionName")));
    buf_putc(&regions, '\0');
    err_set(&r->err, ERR_VALIDATION,
            "Failed to update global table with name " LQ "%s" LQ
            ". Replicas %s BillingMode is PayPerRequest. You must "
            "convert table's BillingMode to PROVISIONED to set parameters: '%s'.",
            t->name, regions.data, param);
    buf_free(&regions);
    return -1;
}

/* One dimension: checked and stored at as[key1][key2]. */
static int apply_setting(ddb_req_t *r, const table_t *t, json_t *as, const json_t *u, bool read, const char *index,
                         const char *key1, const char *key2, const char *param)
{
    if (!u)
        return 0;
    if (t->billing == BILLING_PAY_PER_REQUEST && !json_is_true(json_object_get(u, "AutoScalingDisabled")))
        return on_demand_refusal(r, t, param);
    json_t *s = settings_of(r, t, u, read, index);
    if (!s)
        return -1;
    put_setting(as, key1, key2, s);
    return 0;
}

static const table_index_t *gsi(const table_t *t, const char *name)
{
    const table_index_t *ix = name ? table_index(t, str_from_cstr(name)) : NULL;
    return ix && !ix->local ? ix : NULL;
}

static int index_not_found(ddb_req_t *r, const table_t *t, const char *name)
{
    return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Index: %s not found for table: %s",
                   name ? name : "null", t->name);
}

static int apply_replica(ddb_req_t *r, const table_t *t, json_t *as, const json_t *u)
{
    const char *region = json_string_value(json_object_get(u, "RegionName"));
    bool known = false;
    const json_t *list = json_object_get(t->desc, "ddbd_replicas");
    for (size_t i = 0; region && i < json_array_size(list); i++)
        known |= strcmp(region, json_string_value(json_object_get(json_array_get(list, i), "RegionName"))) == 0;
    if (!known)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Replica: %s not found",
                       region ? region : "null");
    const json_t *read = json_object_get(u, "ReplicaProvisionedReadCapacityAutoScalingUpdate");
    const json_t *gsis = json_object_get(u, "ReplicaGlobalSecondaryIndexUpdates");
    if (!read && !json_array_size(gsis))
        return err_set(&r->err, ERR_VALIDATION,
                       "Failed to update settings for global table with name: " LQ "%s" RQ
                       " because at least one update parameter must be specified for region: " LQ "%s" RQ ".",
                       t->name, region);
    if (apply_setting(r, t, as, read, true, NULL, "read", region, "ReplicaProvisionedReadCapacityAutoScalingUpdate"))
        return -1;
    for (size_t i = 0; i < json_array_size(gsis); i++) {
        const json_t *g = json_array_get(gsis, i);
        const table_index_t *ix = gsi(t, json_string_value(json_object_get(g, "IndexName")));
        if (!ix)
            return index_not_found(r, t, json_string_value(json_object_get(g, "IndexName")));
        json_t *per = json_object_get(json_object_get(as, "gsi_read"), region);
        if (!per) {
            per = json_object();
            put_setting(as, "gsi_read", region, per);
        }
        if (apply_setting(r, t, per, json_object_get(g, "ProvisionedReadCapacityAutoScalingUpdate"), true, ix->name,
                          ix->name, NULL, "ProvisionedReadCapacityAutoScalingUpdate"))
            return -1;
    }
    return 0;
}

static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = global_table(r, txn, cache, &t);
    if (rc)
        return rc;
    json_t *desc = json_deep_copy(t->desc);
    json_t *as = json_object_get(desc, "ddbd_autoscaling");
    if (!as) {
        as = json_object();
        json_object_set_new(desc, "ddbd_autoscaling", as);
    }
    const json_t *replicas = json_object_get(r->body, "ReplicaUpdates");
    for (size_t i = 0; !rc && i < json_array_size(replicas); i++)
        for (size_t k = 0; !rc && k < i; k++)
            if (json_equal(json_object_get(json_array_get(replicas, i), "RegionName"),
                           json_object_get(json_array_get(replicas, k), "RegionName")))
                rc = err_set(&r->err, ERR_VALIDATION,
                             "Failed to update settings for global table with name: " LQ "%s" RQ
                             " because the regions: " LQ "[%s]" RQ " were specified more than once.",
                             t->name, json_string_value(json_object_get(json_array_get(replicas, i), "RegionName")));
    if (!rc)
        rc = apply_setting(r, t, as, json_object_get(r->body, "ProvisionedWriteCapacityAutoScalingUpdate"), false, NULL,
                           "write", NULL, "ProvisionedWriteCapacityAutoScalingUpdate");
    const json_t *gsis = json_object_get(r->body, "GlobalSecondaryIndexUpdates");
    for (size_t i = 0; !rc && i < json_array_size(gsis); i++) {
        const json_t *g = json_array_get(gsis, i);
        const table_index_t *ix = gsi(t, json_string_value(json_object_get(g, "IndexName")));
        rc = !ix ? index_not_found(r, t, json_string_value(json_object_get(g, "IndexName")))
                 : apply_setting(r, t, as, json_object_get(g, "ProvisionedWriteCapacityAutoScalingUpdate"), false,
                                 ix->name, "gsi_write", ix->name, "ProvisionedWriteCapacityAutoScalingUpdate");
    }
    for (size_t i = 0; !rc && i < json_array_size(replicas); i++)
        rc = apply_replica(r, t, as, json_array_get(replicas, i));
    if (rc) {
        json_decref(desc);
        return rc;
    }
    table_t *nt = table_from_json(t->ns, desc);
    rc = catalog_put(txn, nt);
    if (!rc)
        write_description(r, nt);
    table_free(nt);
    return rc;
}

/* UpdateTableReplicaAutoScaling(TableName, GlobalSecondaryIndexUpdates?,
 *     ProvisionedWriteCapacityAutoScalingUpdate?, ReplicaUpdates?) */
req_result_t op_update_table_replica_auto_scaling(ddb_req_t *r)
{
    str_t name;
    const json_t *a, *b, *c;
    if (req_table_name(r, &name) || req_array(r, "GlobalSecondaryIndexUpdates", false, &a) ||
        req_object(r, "ProvisionedWriteCapacityAutoScalingUpdate", false, &b) ||
        req_array(r, "ReplicaUpdates", false, &c) || req_constraints_done(r))
        return REQ_FAILED;
    return req_queue(r, update_apply, NULL, NULL);
}
