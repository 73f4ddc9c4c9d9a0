/* ops/table_settings.c - the table settings that are about the cloud, not
 * the data: server-side encryption (SSESpecification), on-demand
 * throughput limits (OnDemandThroughput), warm throughput, the global
 * table settings replication mode and disassociation protection. CreateTable
 * and UpdateTable take them with AWS's rules and messages; DescribeTable
 * shows them as AWS does (SSEDescription, OnDemandThroughput,
 * WarmThroughput with its status, ...).
 *
 * Stored in the table's catalog JSON: "SSE" {SSEType, KMSMasterKeyArn}
 * (absent: the AWS owned key, DynamoDB's default, which DescribeTable does
 * not show), "OnDemandThroughput" as set, "WarmThroughput" as in effect
 * (it only grows: the highest provisioned capacity ever, at least
 * 12000/4000 once the table was on-demand). As elsewhere in ddbd, a change
 * is in its transitional state (SSE UPDATING, warm UPDATING) in the
 * answer and settled from the next call on; AWS's 20 s to 8 min are not
 * imitated, nor its quotas (4 SSE changes a day).
 *
 * KMS keys cannot be looked up: a key ARN is kept as given, a key id gets
 * the caller's region and account, and aliases (including the AWS managed
 * alias/aws/dynamodb, also used when no key is named) get a key id derived
 * from the alias, so that the same alias always names the same ARN. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "ops/ops.h"
#include "ops/table_util.h"

#define INVALID "One or more parameter values were invalid: "
#define WARM_READ_DEFAULT 12000 /* a new on-demand table's warm throughput */
#define WARM_WRITE_DEFAULT 4000

static const char *const gtsr_modes[] = {"ENABLED", "DISABLED", "ENABLED_WITH_OVERRIDES", NULL};

/* ---- KMS keys ------------------------------------------------------------------ */

/* arn:aws:kms:<region>:<account>:key/<id> for a key given as an ARN, an id
 * or an alias (see the file comment). Arena string. */
static const char *kms_key_arn(ddb_req_t *r, const char *given)
{
    if (!given || !*given)
        given = "alias/aws/dynamodb";
    if (strncmp(given, "arn:", 4) == 0)
        return given;
    if (strncmp(given, "alias/", 6) != 0)
        return arena_printf(&r->arena, "arn:aws:kms:%s:%s:key/%s", r->region, r->account, given);
    char seed[512];
    snprintf(seed, sizeof seed, "%s/%s/%s", r->account, r->region, given);
    XXH128_hash_t h = XXH3_128bits(seed, strlen(seed));
    return arena_printf(&r->arena, "arn:aws:kms:%s:%s:key/%08x-%04x-4%03x-8%03x-%012" PRIx64, r->region,
                        r->account, (unsigned)(h.high64 >> 32), (unsigned)(h.high64 >> 16) & 0xffff,
                        (unsigned)h.high64 & 0xfff, (unsigned)(h.low64 >> 48) & 0xfff,
                        (uint64_t)(h.low64 & 0xffffffffffffULL));
}

/* SSESpecification's meaning: *kms true for a KMS key (*key its ARN),
 * false for the AWS owned key. DynamoDB's rules on the combination. */
static int sse_target(ddb_req_t *r, const json_t *spec, bool *kms, const char **key)
{
    const json_t *enabled = json_object_get(spec, "Enabled");
    const char *type = json_string_value(json_object_get(spec, "SSEType"));
    const char *id = json_string_value(json_object_get(spec, "KMSMasterKeyId"));
    if ((enabled && !json_is_boolean(enabled)) || (json_object_get(spec, "SSEType") && !type) ||
        (json_object_get(spec, "KMSMasterKeyId") && !id))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    if (type && strcmp(type, "KMS") != 0 && strcmp(type, "AES256") != 0)
        req_constraint(r, arena_printf(&r->arena, "'%s'", type), "sSESpecification.sSEType",
                       "Member must satisfy enum value set: [AES256, KMS]");
    if (req_constraints_done(r))
        return -1;
    if (json_is_false(enabled) && type)
        return err_set(&r->err, ERR_VALIDATION, INVALID "SSEType can not be specified if Enabled is false");
    if (json_is_false(enabled) && id)
        return err_set(&r->err, ERR_VALIDATION, INVALID "KMSMasterKeyId can not be specified if Enabled is false");
    if (type && strcmp(type, "AES256") == 0)
        return err_set(&r->err, ERR_VALIDATION, INVALID "SSEType AES256 is not supported");
    *kms = json_is_true(enabled) || type || id;
    *key = *kms ? kms_key_arn(r, id) : NULL;
    return 0;
}

/* ---- on-demand and warm throughput ------------------------------------------------ */

static const char *const odt_members[] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};
static const char *const warm_members[] = {"ReadUnitsPerSecond", "WriteUnitsPerSecond"};

/* Integer members of an object (absent: *present false). */
static int int_member(ddb_req_t *r, const json_t *o, const char *name, int64_t *v, bool *present)
{
    const json_t *j = json_object_get(o, name);
    *present = j && !json_is_null(j);
    *v = 0;
    if (!*present)
        return 0;
    if (!json_is_integer(j))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    *v = json_integer_value(j);
    return 0;
}

/* OnDemandThroughput of CreateTable (clear false: every value >= 1) or
 * UpdateTable (clear true: -1 clears a member); of the table, or of the
 * GSI named index. */
static int check_odt(ddb_req_t *r, const json_t *odt, bool on_demand, bool clear, const char *index)
{
    for (int i = 0; i < 2; i++) {
        int64_t v;
        bool present;
        if (int_member(r, odt, odt_members[i], &v, &present))
            return -1;
        if (!present)
            continue;
        if (!on_demand)
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "%s for OnDemandThroughput cannot be specified when the table BillingMode is "
                                   "PROVISIONED",
                           odt_members[i]);
        if (v < 1 && !(clear && v == -1))
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Requested %s for OnDemandThroughput for %s%s is outside of valid range",
                           odt_members[i], index ? "index : " : "table", index ? index : "");
    }
    return 0;
}

/* The warm throughput in effect: stored, or what a table of this billing
 * and capacity starts with. */
static void warm_of(const json_t *desc, bool on_demand, int64_t rcu, int64_t wcu, int64_t out[2])
{
    const json_t *w = json_object_get(desc, "WarmThroughput");
    int64_t dflt[2] = {on_demand ? WARM_READ_DEFAULT : rcu, on_demand ? WARM_WRITE_DEFAULT : wcu};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(w, warm_members[i]);
        out[i] = v ? json_integer_value(v) : dflt[i];
    }
}

static void set_warm(json_t *desc, const int64_t w[2])
{
    json_object_set_new(desc, "WarmThroughput",
                        json_pack("{s:I,s:I}", warm_members[0], (json_int_t)w[0], warm_members[1], (json_int_t)w[1]));
}

static bool is_on_demand(const json_t *desc)
{
    const char *b = json_string_value(json_object_get(desc, "BillingMode"));
    return b && strcmp(b, "PAY_PER_REQUEST") == 0;
}

static int64_t desc_int(const json_t *desc, const char *k) { return json_integer_value(json_object_get(desc, k)); }

/* ---- CreateTable ----------------------------------------------------------------- */

int ops_settings_create(ddb_req_t *r, json_t *desc)
{
    bool on_demand = is_on_demand(desc);
    int64_t rcu = desc_int(desc, "ReadCapacityUnits"), wcu = desc_int(desc, "WriteCapacityUnits");
    const json_t *sse, *odt, *warm;
    str_t policy;
    if (req_object(r, "SSESpecification", false, &sse) || req_object(r, "OnDemandThroughput", false, &odt) ||
        req_object(r, "WarmThroughput", false, &warm) || req_string(r, "ResourcePolicy", false, &policy))
        return -1;
    bool kms = false;
    const char *key = NULL;
    if (sse && sse_target(r, sse, &kms, &key))
        return -1;
    if (odt && check_odt(r, odt, on_demand, false, NULL))
        return -1;
    int64_t w[2];
    warm_of(desc, on_demand, rcu, wcu, w);
    for (int i = 0; warm && i < 2; i++) {
        int64_t v;
        bool present;
        if (int_member(r, warm, warm_members[i], &v, &present))
            return -1;
        if (present && v < w[i])
            return err_set(&r->err, ERR_VALIDATION,
                           on_demand ? INVALID "Requested %s for WarmThroughput for table is lower than initial "
                                               "throughput for OnDemand. See: "
                                               "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                                               "warm-throughput.html"
                                     : INVALID "Requested %s for WarmThroughput for table is lower than %s of "
                                               "ProvisionedThroughput",
                           warm_members[i], i ? "WriteCapacityUnits" : "ReadCapacityUnits");
        if (present)
            w[i] = v;
    }
    json_t *p = NULL;
    if (policy.ptr) {
        char *get_form, *compare_form;
        if (ops_policy_check(r, policy, &get_form, &compare_form))
            return -1;
        p = ops_policy_new(get_form, compare_form);
        free(get_form);
        free(compare_form);
    }
    if (kms)
        json_object_set_new(desc, "SSE", json_pack("{s:s,s:s}", "SSEType", "KMS", "KMSMasterKeyArn", key));
    if (odt && json_object_size(odt)) {
        json_t *o = json_object();
        for (int i = 0; i < 2; i++)
            if (json_object_get(odt, odt_members[i]))
                json_object_set(o, odt_members[i], json_object_get(odt, odt_members[i]));
        json_object_set_new(desc, "OnDemandThroughput", o);
    }
    set_warm(desc, w);
    if (warm)
        json_object_set_new(desc, "ddbd_warm_given", json_true());
    if (p)
        json_object_set_new(desc, "ResourcePolicy", p);
    return 0;
}

/* ---- UpdateTable ----------------------------------------------------------------- */

/* The UpdateTable members that change something (MultiRegionConsistency
 * and GlobalTableWitnessUpdates alone do not count, as on AWS). */
static const char *const changing_members[] = {"ProvisionedThroughput",
                                               "BillingMode",
                                               "StreamSpecification",
                                               "GlobalSecondaryIndexUpdates",
                                               "VectorIndexUpdates",
                                               "SSESpecification",
                                               "ReplicaUpdates",
                                               "DeletionProtectionEnabled",
                                               "OnDemandThroughput",
                                               "WarmThroughput",
                                               "TableClass",
                                               "GlobalTableSettingsReplicationMode",
                                               "DisassociationProtectionEnabled",
                                               NULL};

/* How many of the changing members r has, and whether it has name. */
static int count_changing(const ddb_req_t *r, const char *except)
{
    int n = 0;
    for (int i = 0; changing_members[i]; i++)
        if (req_member(r, changing_members[i]) && (!except || strcmp(except, changing_members[i]) != 0))
            n++;
    return n;
}

int ops_settings_check_update(ddb_req_t *r)
{
    if (count_changing(r, NULL) == 0) {
        bool mrc = req_member(r, "MultiRegionConsistency") != NULL;
        return err_set(&r->err, ERR_VALIDATION,
                       "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                       "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
                       "ReplicaTransitRoleArn, %sDeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or "
                       "TableClass is required",
                       mrc ? "" : "MultiRegionConsistency, ");
    }
    if (req_member(r, "SSESpecification") && count_changing(r, "SSESpecification"))
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "Server-Side Encryption modification must be the only operation in the request");
    if (req_member(r, "ReplicaUpdates") && count_changing(r, "ReplicaUpdates"))
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "Replica modification must be the only operation in the request");
    if (req_member(r, "WarmThroughput") && count_changing(r, "WarmThroughput"))
        return err_set(&r->err, ERR_VALIDATION,
                       req_member(r, "GlobalSecondaryIndexUpdates")
                           ? INVALID "Create global secondary index cannot be specified when updating WarmThroughput"
                           : INVALID "WarmThroughput must be the only operation in the request");
    if (req_member(r, "OnDemandThroughput") &&
        count_changing(r, "OnDemandThroughput") - (req_member(r, "BillingMode") != NULL) > 0)
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request");
    const json_t *sse, *odt, *warm;
    int mode;
    bool flag;
    if (req_object(r, "SSESpecification", false, &sse) || req_object(r, "OnDemandThroughput", false, &odt) ||
        req_object(r, "WarmThroughput", false, &warm) ||
        req_enum(r, "GlobalTableSettingsReplicationMode", gtsr_modes, &mode, -1) ||
        req_bool(r, "DisassociationProtectionEnabled", &flag) || req_constraints_done(r))
        return -1;
    return 0;
}

static int update_sse(ddb_req_t *r, const json_t *desc_in, json_t *desc, ops_answer_t *a)
{
    const json_t *spec = req_member(r, "SSESpecification");
    bool kms;
    const char *key;
    if (sse_target(r, spec, &kms, &key))
        return -1;
    const json_t *cur = json_object_get(desc_in, "SSE");
    const char *cur_key = json_string_value(json_object_get(cur, "KMSMasterKeyArn"));
    if (!kms && !cur)
        return err_set(&r->err, ERR_VALIDATION, INVALID "Table is already encrypted by default");
    const char *given = json_string_value(json_object_get(spec, "KMSMasterKeyId"));
    if (kms && cur_key && given && strcmp(given, cur_key) == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if "
                               "you want to change Master Key");
    a->sse_updating = true;
    a->sse_before = cur ? json_deep_copy(cur) : NULL;
    if (kms)
        json_object_set_new(desc, "SSE", json_pack("{s:s,s:s}", "SSEType", "KMS", "KMSMasterKeyArn", key));
    else
        json_object_del(desc, "SSE");
    return 0;
}

/* Member by member; -1 clears one. The answer shows the request's values
 * over what was set (so a cleared member reads -1), DescribeTable only
 * what remains. */
/* Merges odt into holder's "OnDemandThroughput"; *echo (may be NULL) gets
 * what the answer shows. */
static void merge_odt(json_t *holder, const json_t *odt, json_t **echo_out)
{
    json_t *cur = json_object_get(holder, "OnDemandThroughput");
    json_t *next = cur ? json_deep_copy(cur) : json_object();
    json_t *echo = json_deep_copy(next);
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(odt, odt_members[i]);
        if (!v || json_is_null(v))
            continue;
        json_object_set(echo, odt_members[i], v);
        if (json_integer_value(v) == -1)
            json_object_del(next, odt_members[i]);
        else
            json_object_set(next, odt_members[i], v);
    }
    if (json_object_size(next))
        json_object_set_new(holder, "OnDemandThroughput", next);
    else {
        json_decref(next);
        json_object_del(holder, "OnDemandThroughput");
    }
    if (echo_out)
        *echo_out = echo;
    else
        json_decref(echo);
}

static int update_odt(ddb_req_t *r, json_t *desc, ops_answer_t *a)
{
    const json_t *odt = req_member(r, "OnDemandThroughput");
    if (check_odt(r, odt, is_on_demand(desc), true, NULL))
        return -1;
    merge_odt(desc, odt, &a->odt_echo);
    return 0;
}

int ops_settings_index_update(ddb_req_t *r, const table_t *t, json_t *ix, const json_t *up)
{
    const char *name = json_string_value(json_object_get(ix, "IndexName"));
    const json_t *odt = json_object_get(up, "OnDemandThroughput"), *warm = json_object_get(up, "WarmThroughput");
    if (json_object_get(up, "ProvisionedThroughput") && t->billing == BILLING_PAY_PER_REQUEST)
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "The only Updates for index: %s when TableThroughputMode is PAY_PER_REQUEST can be to "
                               "OnDemandThroughput, WarmThroughput",
                       name);
    if (odt && check_odt(r, odt, t->billing == BILLING_PAY_PER_REQUEST, true, name))
        return -1;
    const json_t *cur = json_object_get(ix, "WarmThroughput");
    for (int i = 0; warm && i < 2; i++) {
        int64_t v;
        bool present;
        if (int_member(r, warm, warm_members[i], &v, &present))
            return -1;
        const json_t *was = json_object_get(cur, warm_members[i]);
        if (present && was && v < json_integer_value(was))
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Requested %s for WarmThroughput for index %s is lower than current "
                                   "WarmThroughput, decreasing WarmThroughput is not supported",
                           warm_members[i], name);
    }
    if (json_object_get(up, "ProvisionedThroughput"))
        json_object_set(ix, "ProvisionedThroughput", json_object_get(up, "ProvisionedThroughput"));
    if (odt)
        merge_odt(ix, odt, NULL);
    if (warm) {
        json_t *w = cur ? json_deep_copy(cur) : json_object();
        json_object_update(w, (json_t *)warm);
        json_object_set_new(ix, "WarmThroughput", w);
    }
    return 0;
}

static int update_warm(ddb_req_t *r, json_t *desc, ops_answer_t *a)
{
    const json_t *warm = req_member(r, "WarmThroughput");
    int64_t w[2];
    warm_of(desc, is_on_demand(desc), desc_int(desc, "ReadCapacityUnits"), desc_int(desc, "WriteCapacityUnits"), w);
    for (int i = 0; i < 2; i++) {
        int64_t v;
        bool present;
        if (int_member(r, warm, warm_members[i], &v, &present))
            return -1;
        if (present && v < w[i])
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Requested %s for WarmThroughput for table is lower than current WarmThroughput, "
                                   "decreasing WarmThroughput is not supported",
                           warm_members[i]);
        if (present)
            w[i] = v;
    }
    set_warm(desc, w);
    a->warm_updating = true;
    return 0;
}

int ops_settings_update(ddb_req_t *r, const table_t *t, json_t *desc, ops_answer_t *a)
{
    const json_t *stream = req_member(r, "StreamSpecification");
    if (stream && json_is_false(json_object_get(stream, "StreamEnabled")) && json_object_get(desc, "ddbd_replicas"))
        return err_set(&r->err, ERR_VALIDATION, INVALID "Disabling Stream is not allowed for a Global Table replica.");
    bool on_demand = is_on_demand(desc);
    /* warm throughput follows the capacity up, and an on-demand table's
     * starts at DynamoDB's default */
    int64_t w[2];
    warm_of(t->desc, t->billing == BILLING_PAY_PER_REQUEST, t->rcu, t->wcu, w);
    int64_t floor_[2] = {on_demand ? WARM_READ_DEFAULT : desc_int(desc, "ReadCapacityUnits"),
                         on_demand ? WARM_WRITE_DEFAULT : desc_int(desc, "WriteCapacityUnits")};
    for (int i = 0; i < 2; i++)
        w[i] = w[i] > floor_[i] ? w[i] : floor_[i];
    set_warm(desc, w);
    if (!on_demand && json_object_get(desc, "OnDemandThroughput") && !req_member(r, "OnDemandThroughput"))
        json_object_del(desc, "OnDemandThroughput"); /* a provisioned table has none */
    if (req_member(r, "SSESpecification") && update_sse(r, t->desc, desc, a))
        return -1;
    if (req_member(r, "OnDemandThroughput") && update_odt(r, desc, a))
        return -1;
    if (req_member(r, "WarmThroughput") && update_warm(r, desc, a))
        return -1;
    int mode;
    req_enum(r, "GlobalTableSettingsReplicationMode", gtsr_modes, &mode, -1);
    if (mode == 2 && !json_object_get(desc, "ddbd_replicas"))
        return err_set(&r->err, ERR_VALIDATION,
                       "Value 'ENABLED_WITH_OVERRIDES' at 'GlobalTableSettingsReplicationMode' failed to satisfy "
                       "constraint: Only ENABLED and DISABLED settings replication are supported for a Regional "
                       "Table.");
    if (mode >= 0)
        json_object_set_new(desc, "GlobalTableSettingsReplicationMode", json_string(gtsr_modes[mode]));
    const json_t *dp = req_member(r, "DisassociationProtectionEnabled");
    if (dp)
        json_object_set(desc, "DisassociationProtectionEnabled", (json_t *)dp);
    return 0;
}

void ops_answer_free(ops_answer_t *a)
{
    json_decref(a->sse_before);
    json_decref(a->odt_echo);
    json_decref(a->replica_gone);
    a->sse_before = a->odt_echo = a->replica_gone = NULL;
}

/* ---- DescribeTable --------------------------------------------------------------- */

static void write_sse(buf_t *b, const json_t *desc, const ops_answer_t *a)
{
    const json_t *sse = a && a->sse_updating ? a->sse_before : json_object_get(desc, "SSE");
    if (!sse && !(a && a->sse_updating))
        return;
    jw_key(b, "SSEDescription");
    jw_open(b, '{');
    jw_key(b, "Status");
    jw_cstr(b, a && a->sse_updating ? "UPDATING" : "ENABLED");
    if (sse) {
        jw_key(b, "SSEType");
        jw_cstr(b, json_string_value(json_object_get(sse, "SSEType")));
        jw_key(b, "KMSMasterKeyArn");
        jw_cstr(b, json_string_value(json_object_get(sse, "KMSMasterKeyArn")));
    }
    jw_close(b, '}');
}

void ops_settings_describe(buf_t *b, const table_t *t, const char *status, const ops_answer_t *a)
{
    write_sse(b, t->desc, a);
    const json_t *odt = a && a->odt_echo ? a->odt_echo : json_object_get(t->desc, "OnDemandThroughput");
    if (json_object_size(odt))
        tu_write_member(b, "OnDemandThroughput", odt);
    /* CreateTable's answer has WarmThroughput only when it was asked for */
    bool creating = strcmp(status, "CREATING") == 0;
    if (!creating || json_object_get(t->desc, "ddbd_warm_given")) {
        int64_t w[2];
        warm_of(t->desc, t->billing == BILLING_PAY_PER_REQUEST, t->rcu, t->wcu, w);
        jw_key(b, "WarmThroughput");
        jw_open(b, '{');
        jw_key(b, warm_members[0]);
        jw_int(b, w[0]);
        jw_key(b, warm_members[1]);
        jw_int(b, w[1]);
        jw_key(b, "Status");
        jw_cstr(b, a && a->warm_updating ? "UPDATING" : creating ? "CREATING" : "ACTIVE");
        jw_close(b, '}');
    }
    const char *mode = json_string_value(json_object_get(t->desc, "GlobalTableSettingsReplicationMode"));
    if (mode && !json_object_get(t->desc, "ddbd_replicas")) { /* a group shows ENABLED_WITH_OVERRIDES */
        jw_key(b, "GlobalTableSettingsReplicationMode");
        jw_cstr(b, mode);
    }
    const json_t *dp = json_object_get(t->desc, "DisassociationProtectionEnabled");
    if (dp) {
        jw_key(b, "DisassociationProtectionEnabled");
        jw_bool(b, json_is_true(dp));
    }
}

void ops_settings_describe_index(buf_t *b, const table_t *t, const json_t *ix, const char *index_status)
{
    const json_t *odt = json_object_get(ix, "OnDemandThroughput");
    if (json_object_size(odt))
        tu_write_member(b, "OnDemandThroughput", odt);
    const json_t *warm = json_object_get(ix, "WarmThroughput");
    const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
    bool on_demand = t->billing == BILLING_PAY_PER_REQUEST;
    int64_t dflt[2] = {on_demand ? WARM_READ_DEFAULT : json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
                       on_demand ? WARM_WRITE_DEFAULT : json_integer_value(json_object_get(pt, "WriteCapacityUnits"))};
    jw_key(b, "WarmThroughput");
    jw_open(b, '{');
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(warm, warm_members[i]);
        int64_t n = v && json_integer_value(v) > dflt[i] ? json_integer_value(v) : dflt[i];
        jw_key(b, warm_members[i]);
        jw_int(b, n);
    }
    jw_key(b, "Status");
    jw_cstr(b, index_status);
    jw_close(b, '}');
}
