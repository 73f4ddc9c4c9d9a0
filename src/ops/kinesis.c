/* ops/kinesis.c - Kinesis Data Streams destinations:
 * EnableKinesisStreamingDestination, DisableKinesisStreamingDestination,
 * UpdateKinesisStreamingDestination, DescribeKinesisStreamingDestination.
 *
 * Stored and described, not delivered: ddbd has no Kinesis to write to.
 * A table's destinations are a list in its catalog JSON
 * ("KinesisDestinations", newest first; a regional member of a global
 * table), with AWS's rules: at most one live destination (ACTIVE) while
 * any number of DISABLED ones linger, re-enabling an old destination
 * reuses its entry, ApproximateCreationDateTimePrecision is absent until
 * set (MILLISECOND in effect) and is reset by a disable. The transitional
 * states (ENABLING, DISABLING, UPDATING) are in the change's answer; the
 * next call sees ACTIVE or DISABLED. Any well-formed stream ARN is
 * accepted: there is no stream to check it against. */
#include <string.h>

#include "ops/ops.h"
#include "ops/table_util.h"

static const char *const precisions[] = {"MILLISECOND", "MICROSECOND", NULL};
static const char state_prefix[] = "Table is not in a valid state to enable Kinesis Streaming Destination: ";

/* The entry for arn in the table's list (borrowed), its position in *at. */
static json_t *find_dest(const json_t *desc, str_t arn, size_t *at)
{
    json_t *list = json_object_get(desc, "KinesisDestinations");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *d = json_array_get(list, i);
        if (str_eq_cstr(arn, json_string_value(json_object_get(d, "StreamArn")))) {
            if (at)
                *at = i;
            return d;
        }
    }
    return NULL;
}

static bool is_status(const json_t *d, const char *status)
{
    const char *s = json_string_value(json_object_get(d, "DestinationStatus"));
    return s && strcmp(s, status) == 0;
}

static const char enable_config[] = "EnableKinesisStreamingConfiguration";
static const char update_config[] = "UpdateKinesisStreamingConfiguration";

/* What the three changing operations send. */
typedef struct {
    str_t arn; /* StreamArn */
    const json_t *config; /* the configuration object, or NULL */
    int p; /* its precision (an index of precisions), or -1 */
} dest_req_t;

/* The precision member of a configuration object, checked; NULL when absent. */
static int config_precision(ddb_req_t *r, const char *member, const json_t **config, int *p)
{
    *p = -1;
    if (req_object(r, member, false, config))
        return -1;
    const json_t *v = json_object_get(*config, "ApproximateCreationDateTimePrecision");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    for (int i = 0; precisions[i]; i++)
        if (strcmp(json_string_value(v), precisions[i]) == 0)
            *p = i;
    if (*p < 0)
        req_constraint(
            r, arena_printf(&r->arena, "'%s'", json_string_value(v)),
            arena_printf(&r->arena, "%c%s.approximateCreationDateTimePrecision", member[0] + 'a' - 'A', member + 1),
            "Member must satisfy enum value set: [MILLISECOND, MICROSECOND]");
    return 0;
}

/* TableName, StreamArn and the configuration (config_member), checked on
 * the loop thread. */
static int check_request(ddb_req_t *r, const char *config_member, dest_req_t *q)
{
    str_t name;
    if (req_table_name(r, &name) || req_string(r, "StreamArn", true, &q->arn))
        return -1;
    if (q->arn.ptr)
        req_check_length(r, q->arn, "streamArn", 37, 1024);
    return config_precision(r, config_member, &q->config, &q->p) || req_constraints_done(r);
}

/* On the writer: the table and the request, checked already. */
static int read_request(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const char *config_member,
                        const table_t **t, dest_req_t *q)
{
    int rc = tu_table(r, txn, cache, t);
    if (rc)
        return rc;
    req_string(r, "StreamArn", true, &q->arn);
    return config_precision(r, config_member, &q->config, &q->p);
}

static void reply(ddb_req_t *r, const table_t *t, str_t arn, const char *status, const char *config_member, int p)
{
    buf_t *b = &r->out;
    buf_putc(b, '{');
    jw_key(b, "TableName");
    jw_cstr(b, t->name);
    jw_key(b, "StreamArn");
    jw_s(b, arn);
    jw_key(b, "DestinationStatus");
    jw_cstr(b, status);
    if (config_member) {
        jw_key(b, config_member);
        jw_open(b, '{');
        if (p >= 0) {
            jw_key(b, "ApproximateCreationDateTimePrecision");
            jw_cstr(b, precisions[p]);
        }
        jw_close(b, '}');
    }
    buf_putc(b, '}');
}

/* ---- EnableKinesisStreamingDestination -------------------------------------------- */

static int enable_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    dest_req_t q;
    int rc = read_request(r, txn, cache, enable_config, &t, &q);
    if (rc)
        return rc;
    json_t *list = json_object_get(t->desc, "KinesisDestinations");
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!is_status(json_array_get(list, i), "DISABLED") && !is_status(json_array_get(list, i), "ENABLE_FAILED"))
            return err_set(&r->err, ERR_VALIDATION,
                           "%sEnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE "
                           "operation.",
                           state_prefix);
    json_t *desc = json_deep_copy(t->desc);
    json_t *dl = json_object_get(desc, "KinesisDestinations");
    if (!dl) {
        dl = json_array();
        json_object_set_new(desc, "KinesisDestinations", dl);
    }
    json_t *entry = json_pack("{s:s%,s:s}", "StreamArn", q.arn.ptr, q.arn.len, "DestinationStatus", "ACTIVE");
    if (q.p >= 0)
        json_object_set_new(entry, "ApproximateCreationDateTimePrecision", json_string(precisions[q.p]));
    size_t at = 0;
    if (find_dest(desc, q.arn, &at))
        json_array_set_new(dl, at, entry); /* re-enabling reuses the old entry */
    else
        json_array_insert_new(dl, 0, entry);
    if ((rc = tu_put_desc(txn, t, desc)) != 0)
        return rc;
    reply(r, t, q.arn, "ENABLING", q.config ? enable_config : NULL, q.p);
    return 0;
}

/* EnableKinesisStreamingDestination(TableName, StreamArn,
 *                                   EnableKinesisStreamingConfiguration?) */
req_result_t op_enable_kinesis_streaming_destination(ddb_req_t *r)
{
    dest_req_t q;
    if (check_request(r, enable_config, &q))
        return REQ_FAILED;
    return req_queue(r, enable_apply, NULL, NULL);
}

/* ---- DisableKinesisStreamingDestination -------------------------------------------- */

static int disable_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    dest_req_t q;
    int rc = read_request(r, txn, cache, enable_config, &t, &q);
    if (rc)
        return rc;
    if (!is_status(find_dest(t->desc, q.arn, NULL), "ACTIVE"))
        return err_set(&r->err, ERR_VALIDATION,
                       "%sKinesisStreamingDestination must be ACTIVE to perform DISABLE operation.", state_prefix);
    json_t *desc = json_deep_copy(t->desc);
    json_t *d = find_dest(desc, q.arn, NULL);
    json_object_set_new(d, "DestinationStatus", json_string("DISABLED"));
    json_object_del(d, "ApproximateCreationDateTimePrecision"); /* a disable resets it */
    if ((rc = tu_put_desc(txn, t, desc)) != 0)
        return rc;
    reply(r, t, q.arn, "DISABLING", NULL, -1);
    return 0;
}

/* DisableKinesisStreamingDestination(TableName, StreamArn) */
req_result_t op_disable_kinesis_streaming_destination(ddb_req_t *r)
{
    dest_req_t q;
    if (check_request(r, enable_config, &q)) /* the input shape is Enable's: AWS checks it, then refuses it */
        return REQ_FAILED;
    if (q.config)
        return req_fail(r, ERR_VALIDATION,
                        "Stream cannot be disabled using EnableKinesisStreamingConfiguration "
                        "parameters");
    return req_queue(r, disable_apply, NULL, NULL);
}

/* ---- UpdateKinesisStreamingDestination --------------------------------------------- */

static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    dest_req_t q;
    int rc = read_request(r, txn, cache, update_config, &t, &q);
    if (rc)
        return rc;
    const json_t *cur = find_dest(t->desc, q.arn, NULL);
    if (!cur)
        return err_set(&r->err, ERR_VALIDATION, "%sNo streaming destination with streamArn: %.*s", state_prefix,
                       STR_FMT(q.arn));
    if (!is_status(cur, "ACTIVE"))
        return err_set(&r->err, ERR_VALIDATION,
                       "%sKinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. "
                       "TableName: %s, kdsArn: %.*s",
                       state_prefix, t->name, STR_FMT(q.arn));
    const char *now = json_string_value(json_object_get(cur, "ApproximateCreationDateTimePrecision"));
    if (strcmp(now ? now : "MILLISECOND", precisions[q.p]) == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "Invalid Request: Precision is already set to the desired value of %s for tableId: %s, kdsArn: "
                       "%.*s",
                       precisions[q.p], t->table_uuid, STR_FMT(q.arn));
    json_t *desc = json_deep_copy(t->desc);
    json_object_set_new(find_dest(desc, q.arn, NULL), "ApproximateCreationDateTimePrecision",
                        json_string(precisions[q.p]));
    if ((rc = tu_put_desc(txn, t, desc)) != 0)
        return rc;
    reply(r, t, q.arn, "UPDATING", update_config, q.p);
    return 0;
}

/* UpdateKinesisStreamingDestination(TableName, StreamArn,
 *                                   UpdateKinesisStreamingConfiguration?) */
req_result_t op_update_kinesis_streaming_destination(ddb_req_t *r)
{
    dest_req_t q;
    if (check_request(r, update_config, &q))
        return REQ_FAILED;
    if (q.p < 0)
        return req_fail(r, ERR_VALIDATION,
                        "Streaming destination cannot be updated with given parameters: "
                        "UpdateKinesisStreamingConfiguration cannot be null or contain only null values");
    return req_queue(r, update_apply, NULL, NULL);
}

/* ---- DescribeKinesisStreamingDestination -------------------------------------------- */

/* DescribeKinesisStreamingDestination(TableName) */
req_result_t op_describe_kinesis_streaming_destination(ddb_req_t *r)
{
    const table_t *t;
    int rc = tu_table(r, r->txn, r->env->loop_catalog, &t);
    if (rc)
        return req_result(r, rc);
    buf_t *b = &r->out;
    buf_putc(b, '{');
    jw_key(b, "TableName");
    jw_cstr(b, t->name);
    jw_key(b, "KinesisDataStreamDestinations");
    jw_open(b, '[');
    json_t *list = json_object_get(t->desc, "KinesisDestinations");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *d = json_array_get(list, i);
        jw_open(b, '{');
        static const char *const members[] = {"StreamArn", "DestinationStatus", "DestinationStatusDescription",
                                              "ApproximateCreationDateTimePrecision"};
        for (size_t m = 0; m < sizeof members / sizeof *members; m++) {
            const char *v = json_string_value(json_object_get(d, members[m]));
            if (v) {
                jw_key(b, members[m]);
                jw_cstr(b, v);
            }
        }
        jw_close(b, '}');
    }
    jw_close(b, ']');
    buf_putc(b, '}');
    return REQ_DONE;
}
