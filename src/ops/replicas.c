/* ops/replicas.c - global tables, version 2019.11.21: UpdateTable's
 * ReplicaUpdates (and MultiRegionConsistency, GlobalTableWitnessUpdates),
 * DeleteTable of a replica, DescribeTable's GlobalTableVersion and
 * Replicas.
 *
 * A replica is a link in its region's namespace to the one table
 * (storage/replica_view.h): the group shares items, indexes, stream and
 * TTL, so a write in any region is read in every region at once; each
 * replica keeps its own TableId, creation time, tags, deletion protection,
 * resource policy, Contributor Insights and Kinesis destinations. The
 * group is listed in the table's description ("ddbd_replicas": one entry
 * per region, the home first, with that replica's namespace and overrides)
 * while it has two members or more. Removing the replica whose namespace
 * holds the description moves it to another member (promotion), so any
 * member can leave in any order. With --shared-db every region is one
 * namespace: the group is recorded and described, and there is nothing to
 * link.
 *
 * As for tables, a new replica is CREATING (a deleted one DELETING) in the
 * answer and ACTIVE (gone) from the next call on. Not imitated: AWS's
 * 24-hour source-region rule, the write auto scaling a PROVISIONED table
 * needs first (ddbd has no Application Auto Scaling to register it with),
 * per-region streams (the group has one stream, the home's ARN). */
#include <string.h>

#include "base/rand.h"
#include "storage/ttl_index.h"
#include "streams/stream.h"
#include "ops/ops.h"
#include "ops/table_util.h"

#define INVALID "One or more parameter values were invalid: "
#define LQ "\xe2\x80\x98" /* DynamoDB quotes table and region names with ‘ ’ here */
#define RQ "\xe2\x80\x99"

/* ---- the group ------------------------------------------------------------------ */

static json_t *members_of(const json_t *desc) { return json_object_get(desc, "ddbd_replicas"); }

static json_t *member(const json_t *desc, const char *region, size_t *at)
{
    json_t *list = members_of(desc);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(m, "RegionName")), region) == 0) {
            if (at)
                *at = i;
            return m;
        }
    }
    return NULL;
}

static const char *m_ns(const json_t *m) { return json_string_value(json_object_get(m, "ns")); }

/* The namespace holding the description: the view's home or t's own. */
static const char *home_ns_of(const table_t *t)
{
    const char *h = json_string_value(json_object_get(t->desc, "ddbd_home"));
    return h ? h : t->ns;
}

static bool is_strong(const json_t *desc)
{
    const char *m = json_string_value(json_object_get(desc, "MultiRegionConsistency"));
    return m && strcmp(m, "STRONG") == 0;
}

/* Drops a member; a group of one is a regional table again. */
static void drop_member(json_t *desc, size_t at)
{
    json_array_remove(members_of(desc), at);
    if (json_array_size(members_of(desc)) < 2) {
        json_object_del(desc, "ddbd_replicas");
        json_object_del(desc, "MultiRegionConsistency");
        json_object_del(desc, "ddbd_witnesses");
    }
}

/* The expiry index follows the table's catalog key: re-point it at the
 * namespace that now holds the description. */
static int repoint_ttl(store_txn_t *txn, const char *ns, const json_t *desc)
{
    const char *attr = json_string_value(json_object_get(desc, "TimeToLiveAttribute"));
    if (!attr)
        return 0;
    json_t *copy = json_deep_copy(desc);
    json_object_del(copy, "ddbd_home");
    table_t *tt = table_from_json(ns, copy);
    int rc = ttl_set_attribute(txn, tt, attr);
    table_free(tt);
    return rc;
}

/* The namespace ns holds the group's description now (the home left, or
 * stays): the expiry index and the stream go with it. */
static int follow_home(store_txn_t *txn, const char *ns, const json_t *desc)
{
    int rc = repoint_ttl(txn, ns, desc);
    return rc ? rc : stream_move(txn, desc, ns);
}

/* Points every member's link (but skip's and new_home's) at new_home,
 * keeping each one's regional members. Before the old home goes. */
static int relink(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const json_t *members, const char *skip,
                  const char *new_home, str_t name)
{
    for (size_t i = 0; i < json_array_size(members); i++) {
        const char *ns = m_ns(json_array_get(members, i));
        if (strcmp(ns, skip) == 0 || strcmp(ns, new_home) == 0)
            continue;
        const table_t *v;
        int rc = catalog_lookup(cache, txn, ns, name, &v);
        if (!rc && v)
            rc = catalog_put_link(txn, ns, name, new_home, v->desc);
        if (rc)
            return rc;
    }
    (void)r;
    return 0;
}

/* ---- DeleteTable of a member ------------------------------------------------------- */

int ops_replica_leave(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, bool *left)
{
    *left = false;
    if (!members_of(t->desc) || r->env->shared_db)
        return 0;
    if (is_strong(t->desc))
        return err_set(&r->err, ERR_VALIDATION,
                       "Deletion of only one table replica is not supported for global tables with "
                       "MultiRegionConsistency set to STRONG.");
    *left = true;
    str_t name = str_from_cstr(t->name);
    const char *home = home_ns_of(t);
    size_t at = 0;
    int rc;
    if (strcmp(home, r->ns) != 0) { /* a link: the home's list loses it */
        const table_t *h;
        if ((rc = catalog_lookup(cache, txn, home, name, &h)) != 0 || !h)
            return rc ? rc : STORE_ERR_IO;
        json_t *d = json_deep_copy(h->desc);
        if (member(d, r->region, &at))
            drop_member(d, at);
        if ((rc = repoint_ttl(txn, home, d)) != 0 || (rc = tu_put_desc(txn, h, d)) != 0)
            return rc;
        return catalog_delete(txn, r->ns, name);
    }
    /* the home leaves: the first other member holds the description now */
    json_t *list = json_deep_copy(members_of(t->desc));
    const char *next = NULL;
    for (size_t i = 0; i < json_array_size(list) && !next; i++)
        if (strcmp(m_ns(json_array_get(list, i)), r->ns) != 0)
            next = m_ns(json_array_get(list, i));
    const table_t *pv;
    rc = catalog_lookup(cache, txn, next, name, &pv);
    json_t *d = !rc && pv ? json_deep_copy(pv->desc) : NULL;
    if (!rc && !d)
        rc = STORE_ERR_IO;
    if (!rc)
        rc = relink(r, txn, cache, list, r->ns, next, name);
    if (!rc) {
        json_object_del(d, "ddbd_home");
        if (member(d, r->region, &at))
            drop_member(d, at);
        table_t *nt = table_from_json(next, d);
        rc = catalog_put(txn, nt);
        if (!rc)
            rc = follow_home(txn, next, nt->desc);
        table_free(nt);
    } else {
        json_decref(d);
    }
    json_decref(list);
    return rc ? rc : catalog_delete(txn, r->ns, name);
}

/* ---- UpdateTable ReplicaUpdates -------------------------------------------------- */

typedef struct action {
    const char *kind; /* "Create", "Update", "Delete" */
    const json_t *body;
    const char *region;
} action_t;

static const char *const kinds[] = {"Create", "Update", "Delete", "Disassociate", NULL};

/* The aws partition's region names, as the SDKs match them:
 * ^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$ (and short: names are keys). */
static bool region_ok(const char *s)
{
    static const char *const prefixes[] = {"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-", NULL};
    size_t n = strlen(s);
    bool prefix = false;
    for (int i = 0; prefixes[i]; i++)
        prefix |= strncmp(s, prefixes[i], 3) == 0;
    const char *dash = strrchr(s, '-');
    if (!prefix || n > 32 || dash == s + 2 || !dash[1])
        return false;
    for (const char *p = s + 3; p < dash; p++)
        if (!(*p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            return false;
    for (const char *p = dash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* The regions of the aws partition (npm's @aws-sdk, 2026). */
static const char supported_regions[] =
    "af-south-1, ap-east-1, ap-east-2, ap-northeast-1, ap-northeast-2, ap-northeast-3, ap-south-1, ap-south-2, "
    "ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-6, "
    "ap-southeast-7, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-north-1, eu-south-1, eu-south-2, "
    "eu-west-1, eu-west-2, eu-west-3, il-central-1, me-central-1, me-south-1, me-west-1, mx-central-1, sa-east-1, "
    "sa-west-1, us-east-1, us-east-2, us-west-1, us-west-2";

/* One ReplicationGroupUpdate: exactly one action with a RegionName. */
static int parse_action(ddb_req_t *r, const json_t *u, action_t *a)
{
    int n = 0;
    for (int k = 0; kinds[k]; k++) {
        const json_t *v = json_object_get(u, kinds[k]);
        if (v && !json_is_null(v)) {
            a->kind = kinds[k];
            a->body = v;
            n++;
        }
    }
    if (n > 1)
        return err_set(&r->err, ERR_VALIDATION,
                       "Update table operation with more than one type of replica actions not allowed.");
    a->region = n ? json_string_value(json_object_get(a->body, "RegionName")) : NULL;
    if (!n || !a->region || (strcmp(a->kind, "Update") == 0 && json_object_size(a->body) < 2))
        return err_set(&r->err, ERR_VALIDATION,
                       "There are no actions specified in the Replica Update Action of the request.");
    if (!region_ok(a->region))
        return err_set(&r->err, ERR_VALIDATION,
                       "Region %.64s is not supported. The latest version of global tables are only supported in the "
                       "following regions: [%s]",
                       a->region, supported_regions);
    if (strcmp(a->kind, "Disassociate") == 0) /* multi-account global tables: not in ddbd */
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "Disassociate is not supported: ddbd has no other accounts to disassociate into.");
    return 0;
}

static const char *const replica_overrides[] = {"KMSMasterKeyId",
                                                "ProvisionedThroughputOverride",
                                                "OnDemandThroughputOverride",
                                                "GlobalSecondaryIndexes",
                                                "TableClassOverride",
                                                NULL};

static void copy_overrides(json_t *to, const json_t *from)
{
    for (int i = 0; replica_overrides[i]; i++) {
        json_t *v = json_object_get(from, replica_overrides[i]);
        if (v && !json_is_null(v))
            json_object_set_new(to, replica_overrides[i], json_deep_copy(v));
    }
}

/* The group of a regional table: its home region alone. */
static void start_group(ddb_req_t *r, const table_t *t, json_t *desc)
{
    if (members_of(desc))
        return;
    json_t *list = json_array();
    json_array_append_new(
        list, json_pack("{s:s,s:s,s:f}", "RegionName", r->region, "ns", home_ns_of(t), "Created", t->created));
    json_object_set_new(desc, "ddbd_replicas", list);
}

static int create_replica(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, json_t *desc,
                          const action_t *a)
{
    str_t name = str_from_cstr(t->name);
    const char *ns = tu_region_ns(r, a->region);
    const char *home = home_ns_of(t);
    const table_t *there = NULL;
    int rc = strcmp(ns, home) == 0 ? 0 : catalog_lookup(cache, txn, ns, name, &there);
    if (rc)
        return rc;
    if (member(desc, a->region, NULL) || there)
        return err_set(&r->err, ERR_VALIDATION,
                       "Failed to create a the new replica of table with name: " LQ "%s" RQ
                       " because one or more replicas already existed as tables.",
                       t->name);
    /* replication needs the stream: DynamoDB enables one if there is none */
    if (!json_object_get(desc, "StreamSpecification")) {
        json_t *spec = json_pack("{s:b,s:s}", "StreamEnabled", 1, "StreamViewType", "NEW_AND_OLD_IMAGES");
        rc = stream_apply_spec(txn, &r->err, r->ns, r->region, r->account, desc, spec, false);
        json_decref(spec);
        if (rc)
            return rc;
    }
    start_group(r, t, desc);
    json_t *m = json_pack("{s:s,s:s,s:f}", "RegionName", a->region, "ns", ns, "Created", tu_now());
    copy_overrides(m, a->body);
    json_array_append_new(members_of(desc), m);
    if (strcmp(ns, home) == 0)
        return 0;
    char uuid[RAND_UUID_LEN + 1];
    rand_uuid(uuid);
    json_t *regional =
        json_pack("{s:s,s:f,s:b}", "TableId", uuid, "CreationDateTime", tu_now(), "DeletionProtectionEnabled", 0);
    rc = catalog_put_link(txn, ns, name, home, regional);
    json_decref(regional);
    return rc;
}

static int update_replica(ddb_req_t *r, const table_t *t, json_t *desc, const action_t *a)
{
    json_t *m = member(desc, a->region, NULL);
    if (json_object_get(a->body, "ProvisionedThroughputOverride") && t->billing == BILLING_PAY_PER_REQUEST)
        return err_set(&r->err, ERR_VALIDATION,
                       "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
                       "PAY_PER_REQUEST");
    copy_overrides(m, a->body);
    return 0;
}

/* Deleting a member from another one's view. When it is the home, the
 * caller's namespace takes the description (desc, which the caller
 * stores, becomes a home). */
static int delete_replica(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, json_t *desc,
                          const action_t *a, ops_answer_t *ans)
{
    str_t name = str_from_cstr(t->name);
    size_t at = 0;
    json_t *m = member(desc, a->region, &at);
    const char *ns = arena_cstr(&r->arena, str_from_cstr(m_ns(m)));
    const char *home = home_ns_of(t);
    ans->replica_gone = json_deep_copy(m);
    drop_member(desc, at);
    if (strcmp(ns, r->ns) == 0) /* --shared-db: one namespace, nothing to unlink */
        return 0;
    int rc = 0;
    if (strcmp(ns, home) == 0) {
        rc = relink(r, txn, cache, members_of(desc), ns, r->ns, name);
        json_object_del(desc, "ddbd_home");
    }
    if (!rc)
        rc = catalog_delete(txn, ns, name);
    if (!rc)
        rc = follow_home(txn, strcmp(ns, home) == 0 ? r->ns : home, desc);
    return rc;
}

/* MultiRegionConsistency STRONG: born with three regions in one call (two
 * replicas, or a replica and a witness), frozen afterwards. */
static int check_strong(ddb_req_t *r, const table_t *t, const action_t *acts, size_t n, const json_t *witnesses,
                        int mrc)
{
    bool group = members_of(t->desc) != NULL;
    size_t creates = 0, deletes = 0;
    for (size_t i = 0; i < n; i++) {
        creates += strcmp(acts[i].kind, "Create") == 0;
        deletes += strcmp(acts[i].kind, "Delete") == 0;
    }
    if (json_array_size(witnesses) && mrc != 1 && !is_strong(t->desc))
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter "
                               "is present.");
    if (is_strong(t->desc)) {
        if (mrc >= 0)
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "MultiRegionConsistency parameter is unsupported on existing global table");
        if (creates)
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Cannot add replicas to a global table with strong MultiRegionConsistency");
        if (deletes && deletes + 1 < json_array_size(members_of(t->desc)))
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Deletion of only one table replica is not supported for global tables with "
                                   "MultiRegionConsistency set to STRONG.");
        if (deletes && json_array_size(json_object_get(t->desc, "ddbd_witnesses")) != json_array_size(witnesses))
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Update table delete operation does not include all witnesses.");
        return 0;
    }
    if (mrc != 1)
        return 0;
    if (deletes)
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID "Only Replica Create actions are supported when MultiRegionConsistency parameter is "
                               "provided.");
    if (group || creates + json_array_size(witnesses) != 2 || json_array_size(witnesses) > 1)
        return err_set(&r->err, ERR_VALIDATION,
                       INVALID
                       "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG.");
    for (size_t i = 0; i < json_array_size(witnesses); i++) {
        const char *w =
            json_string_value(json_object_get(json_object_get(json_array_get(witnesses, i), "Create"), "RegionName"));
        if (!w)
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Update table delete operation does not include all witnesses.");
        if (strcmp(w, r->region) == 0)
            return err_set(&r->err, ERR_VALIDATION,
                           INVALID "Cannot add a witness in the same region as an existing replica when creating a "
                                   "global table with MultiRegionConsistency set to STRONG.");
        for (size_t k = 0; k < n; k++)
            if (strcmp(w, acts[k].region) == 0)
                return err_set(&r->err, ERR_VALIDATION, INVALID "Cannot target multiple regions with the same action");
    }
    return 0;
}

int ops_replica_updates(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t, json_t *desc,
                        ops_answer_t *ans)
{
    static const char *const mrcs[] = {"EVENTUAL", "STRONG", NULL};
    const json_t *updates = json_object_get(r->body, "ReplicaUpdates");
    const json_t *witnesses = json_object_get(r->body, "GlobalTableWitnessUpdates");
    int mrc;
    req_enum(r, "MultiRegionConsistency", mrcs, &mrc, -1);
    size_t n = json_array_size(updates);
    action_t *acts = arena_alloc(&r->arena, (n ? n : 1) * sizeof *acts);
    size_t changes = 0;
    for (size_t i = 0; i < n; i++) {
        if (parse_action(r, json_array_get(updates, i), &acts[i]))
            return -1;
        bool dup = false; /* the same action twice counts once */
        for (size_t k = 0; k < i; k++)
            dup |= strcmp(acts[k].kind, acts[i].kind) == 0 && strcmp(acts[k].region, acts[i].region) == 0;
        changes += !dup && strcmp(acts[i].kind, "Update") != 0;
    }
    if (changes > 1 && !(mrc == 1 || is_strong(t->desc)))
        return err_set(&r->err, ERR_VALIDATION,
                       "Update table operation with more than one create or delete replica actions not allowed");
    if (check_strong(r, t, acts, n, witnesses, mrc))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const action_t *a = &acts[i];
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup |= strcmp(acts[k].kind, a->kind) == 0 && strcmp(acts[k].region, a->region) == 0;
        if (dup)
            continue;
        if (strcmp(a->kind, "Update") != 0 && strcmp(a->region, r->region) == 0)
            return err_set(&r->err, ERR_VALIDATION,
                           "Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, "
                           "DeleteTable, or UpdateTable as required.");
        if (strcmp(a->kind, "Create") != 0 && !member(desc, a->region, NULL))
            return err_set(&r->err, ERR_VALIDATION,
                           "Update global table operation failed because one or more replicas were not part of the "
                           "global table. Please retry the request without these replicas: [%s].",
                           a->region);
        int rc = strcmp(a->kind, "Create") == 0   ? create_replica(r, txn, cache, t, desc, a)
                 : strcmp(a->kind, "Update") == 0 ? update_replica(r, t, desc, a)
                                                  : delete_replica(r, txn, cache, t, desc, a, ans);
        if (rc)
            return rc;
        if (strcmp(a->kind, "Create") == 0)
            ans->replica_new = a->region;
    }
    if (mrc == 1 && !is_strong(desc) && members_of(desc)) {
        json_object_set_new(desc, "MultiRegionConsistency", json_string("STRONG"));
        json_t *w = json_array();
        for (size_t i = 0; i < json_array_size(witnesses); i++)
            json_array_append(w,
                              json_object_get(json_object_get(json_array_get(witnesses, i), "Create"), "RegionName"));
        json_object_set_new(desc, "ddbd_witnesses", w);
    }
    return 0;
}

/* ---- DescribeTable ------------------------------------------------------------------ */

static void write_replica(buf_t *b, const json_t *m, const char *status, const json_t *warm)
{
    jw_open(b, '{');
    jw_key(b, "RegionName");
    jw_cstr(b, json_string_value(json_object_get(m, "RegionName")));
    jw_key(b, "ReplicaStatus");
    jw_cstr(b, status);
    static const char *const shown[] = {"KMSMasterKeyId", "ProvisionedThroughputOverride", "OnDemandThroughputOverride",
                                        "GlobalSecondaryIndexes", NULL};
    for (int i = 0; shown[i]; i++)
        if (json_object_get(m, shown[i]))
            tu_write_member(b, shown[i], json_object_get(m, shown[i]));
    if (warm)
        tu_write_member(b, "WarmThroughput", warm);
    const char *cls = json_string_value(json_object_get(m, "TableClassOverride"));
    if (cls) {
        jw_key(b, "ReplicaTableClassSummary");
        jw_open(b, '{');
        jw_key(b, "TableClass");
        jw_cstr(b, cls);
        jw_close(b, '}');
    }
    jw_key(b, "GlobalTableSettingsReplicationMode");
    jw_cstr(b, "ENABLED_WITH_OVERRIDES");
    jw_close(b, '}');
}

void ops_replicas_describe(ddb_req_t *r, buf_t *b, const table_t *t, const ops_answer_t *a)
{
    const json_t *list = members_of(t->desc);
    if (!list && !(a && a->replica_gone))
        return;
    jw_key(b, "GlobalTableVersion");
    jw_cstr(b, "2019.11.21");
    json_t *warm = json_pack(
        "{s:O,s:O,s:s}", "ReadUnitsPerSecond",
        json_object_get(json_object_get(t->desc, "WarmThroughput"), "ReadUnitsPerSecond"), "WriteUnitsPerSecond",
        json_object_get(json_object_get(t->desc, "WarmThroughput"), "WriteUnitsPerSecond"), "Status", "ACTIVE");
    jw_key(b, "Replicas");
    jw_open(b, '[');
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *m = json_array_get(list, i);
        const char *region = json_string_value(json_object_get(m, "RegionName"));
        if (strcmp(region, r->region) == 0) /* a table never lists itself */
            continue;
        write_replica(b, m, a && a->replica_new && strcmp(a->replica_new, region) == 0 ? "CREATING" : "ACTIVE", warm);
    }
    if (a && a->replica_gone)
        write_replica(b, a->replica_gone, "DELETING", warm);
    jw_close(b, ']');
    json_decref(warm);
    const json_t *witnesses = json_object_get(t->desc, "ddbd_witnesses");
    if (json_array_size(witnesses)) {
        jw_key(b, "GlobalTableWitnesses");
        jw_open(b, '[');
        for (size_t i = 0; i < json_array_size(witnesses); i++) {
            jw_open(b, '{');
            jw_key(b, "RegionName");
            jw_cstr(b, json_string_value(json_array_get(witnesses, i)));
            jw_key(b, "WitnessStatus");
            jw_cstr(b, "ACTIVE");
            jw_close(b, '}');
        }
        jw_close(b, ']');
    }
    jw_key(b, "GlobalTableSettingsReplicationMode");
    jw_cstr(b, "ENABLED_WITH_OVERRIDES");
    if (is_strong(t->desc)) {
        jw_key(b, "MultiRegionConsistency");
        jw_cstr(b, "STRONG");
    }
}

bool ops_is_global(const table_t *t) { return members_of(t->desc) != NULL; }
