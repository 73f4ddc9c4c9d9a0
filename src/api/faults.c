/* faults.c - the faults on demand and how a request meets them (see
 * faults.h). A small list, scanned per request only while it is not
 * empty. */
#include "api/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"

typedef struct fault {
    char id[RAND_UUID_LEN + 1];
    err_code_t error;
    uint64_t latency_ms;
    bool drop, drop_reply;
    char *op, *table; /* NULL: any */
    json_t *key; /* attribute map every matching key contains, or NULL */
    double percent; /* of matching requests, (0, 100] */
    long remaining; /* -1: no count */
    uint64_t expires_ms; /* 0: never */
    unsigned long hits;
} fault_t;

static struct {
    fault_t *list[FAULTS_MAX];
    size_t n;
} fl;

/* The errors a fault can answer with: the name a definition uses, and
 * what the request gets. */
static const struct {
    const char *name;
    err_code_t code;
    const char *message; /* as AWS words it (see README for the sources) */
} fault_errors[] = {
    {"ProvisionedThroughputExceededException", ERR_PROVISIONED_THROUGHPUT,
     "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
     "provisioning level with the UpdateTable API."},
    {"ThrottlingException", ERR_THROTTLING,
     "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table "
     "or index so please try again shortly. If exceptions persist, check if you have a hot key: "
     "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"},
    {"RequestLimitExceeded", ERR_REQUEST_LIMIT,
     "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at "
     "https://aws.amazon.com/support request a limit increase"},
    {"InternalServerError", ERR_INTERNAL, "Internal server error"},
    {"TransactionConflict", ERR_TRANSACTION_CONFLICT, "Transaction is ongoing for the item."},
};
#define N_FAULT_ERRORS (sizeof fault_errors / sizeof *fault_errors)

const char *faults_message(err_code_t code)
{
    for (size_t i = 0; i < N_FAULT_ERRORS; i++)
        if (fault_errors[i].code == code)
            return fault_errors[i].message;
    return "";
}

static const char *error_name(err_code_t code)
{
    for (size_t i = 0; i < N_FAULT_ERRORS; i++)
        if (fault_errors[i].code == code)
            return fault_errors[i].name;
    return NULL;
}

static void fault_free(fault_t *f)
{
    free(f->op);
    free(f->table);
    json_decref(f->key);
    free(f);
}

static void remove_at(size_t i)
{
    fault_free(fl.list[i]);
    memmove(&fl.list[i], &fl.list[i + 1], (fl.n - i - 1) * sizeof *fl.list);
    fl.n--;
}

static void expire(uint64_t now_ms)
{
    for (size_t i = fl.n; i-- > 0;)
        if ((fl.list[i]->expires_ms && now_ms >= fl.list[i]->expires_ms) || fl.list[i]->remaining == 0)
            remove_at(i);
}

/* ---- definitions ------------------------------------------------------------------ */

static int fail(char *why, size_t why_len, const char *msg)
{
    snprintf(why, why_len, "%s", msg);
    return -1;
}

static const char *const members[] = {"Error",     "LatencyMs", "Drop",    "DropReply", "Operation",
                                      "TableName", "Key",       "Percent", "Count",     "DurationSeconds"};

static int check_members(const json_t *def, char *why, size_t why_len)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)def, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof members / sizeof *members; i++)
            known = known || strcmp(k, members[i]) == 0;
        if (!known) {
            snprintf(why, why_len,
                     "unknown member %.100s (known: Error, LatencyMs, Drop, DropReply, Operation, "
                     "TableName, Key, Percent, Count, DurationSeconds)",
                     k);
            return -1;
        }
    }
    return 0;
}

static int parse_error(fault_t *f, const json_t *v, char *why, size_t why_len)
{
    if (!v)
        return 0;
    for (size_t i = 0; json_is_string(v) && i < N_FAULT_ERRORS; i++)
        if (strcmp(json_string_value(v), fault_errors[i].name) == 0) {
            f->error = fault_errors[i].code;
            return 0;
        }
    return fail(why, why_len,
                "Error must be one of ProvisionedThroughputExceededException, ThrottlingException, "
                "RequestLimitExceeded, InternalServerError, TransactionConflict");
}

static int parse_filters(fault_t *f, const json_t *def, char *why, size_t why_len)
{
    const json_t *v;
    if ((v = json_object_get(def, "Operation"))) {
        if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 64)
            return fail(why, why_len, "Operation must be an operation's name, e.g. \"PutItem\"");
        f->op = xstrdup(json_string_value(v));
    }
    if ((v = json_object_get(def, "TableName"))) {
        if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 1024)
            return fail(why, why_len, "TableName must be a table's name");
        f->table = xstrdup(json_string_value(v));
    }
    if ((v = json_object_get(def, "Key"))) {
        if (!json_is_object(v) || !json_object_size(v))
            return fail(why, why_len, "Key must be a map of attributes, e.g. {\"pk\": {\"S\": \"a\"}}");
        f->key = json_deep_copy(v);
    }
    return 0;
}

static int parse_amounts(fault_t *f, const json_t *def, uint64_t now_ms, char *why, size_t why_len)
{
    const json_t *v;
    f->percent = 100;
    f->remaining = -1;
    if ((v = json_object_get(def, "LatencyMs"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 60000)
            return fail(why, why_len, "LatencyMs must be an integer from 0 to 60000");
        f->latency_ms = (uint64_t)json_integer_value(v);
    }
    if ((v = json_object_get(def, "Percent"))) {
        if (!json_is_number(v) || !(json_number_value(v) > 0 && json_number_value(v) <= 100))
            return fail(why, why_len, "Percent must be a number above 0 and at most 100");
        f->percent = json_number_value(v);
    }
    if ((v = json_object_get(def, "Count"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000000)
            return fail(why, why_len, "Count must be an integer from 1 to 1000000000");
        f->remaining = (long)json_integer_value(v);
    }
    if ((v = json_object_get(def, "DurationSeconds"))) {
        if (!json_is_number(v) || !(json_number_value(v) > 0 && json_number_value(v) <= 86400))
            return fail(why, why_len, "DurationSeconds must be a number above 0 and at most 86400");
        f->expires_ms = now_ms + (uint64_t)(json_number_value(v) * 1000);
    }
    return 0;
}

static int parse_effect(fault_t *f, const json_t *def, char *why, size_t why_len)
{
    const json_t *drop = json_object_get(def, "Drop"), *drop_reply = json_object_get(def, "DropReply");
    if ((drop && !json_is_boolean(drop)) || (drop_reply && !json_is_boolean(drop_reply)))
        return fail(why, why_len, "Drop and DropReply must be true or false");
    f->drop = json_is_true(drop);
    f->drop_reply = json_is_true(drop_reply);
    if (parse_error(f, json_object_get(def, "Error"), why, why_len))
        return -1;
    int effects = (f->error != ERR_NONE) + f->drop + f->drop_reply;
    if (effects > 1)
        return fail(why, why_len, "a fault has at most one of Error, Drop and DropReply (LatencyMs goes with any)");
    if (!effects && !f->latency_ms)
        return fail(why, why_len, "a fault needs Error, LatencyMs, Drop or DropReply");
    return 0;
}

static json_t *describe(const fault_t *f, uint64_t now_ms)
{
    json_t *j = json_pack("{s:s, s:f, s:I}", "Id", f->id, "Percent", f->percent, "Hits", (json_int_t)f->hits);
    if (f->error)
        json_object_set_new(j, "Error", json_string(error_name(f->error)));
    if (f->latency_ms)
        json_object_set_new(j, "LatencyMs", json_integer((json_int_t)f->latency_ms));
    if (f->drop)
        json_object_set_new(j, "Drop", json_true());
    if (f->drop_reply)
        json_object_set_new(j, "DropReply", json_true());
    if (f->op)
        json_object_set_new(j, "Operation", json_string(f->op));
    if (f->table)
        json_object_set_new(j, "TableName", json_string(f->table));
    if (f->key)
        json_object_set(j, "Key", f->key);
    if (f->remaining >= 0)
        json_object_set_new(j, "Remaining", json_integer(f->remaining));
    if (f->expires_ms)
        json_object_set_new(j, "ExpiresInSeconds",
                            json_real(now_ms >= f->expires_ms ? 0 : (double)(f->expires_ms - now_ms) / 1000));
    return j;
}

int faults_add(const json_t *def, uint64_t now_ms, json_t **out, char *why, size_t why_len)
{
    if (!json_is_object(def))
        return fail(why, why_len, "the body must be a JSON object");
    if (check_members(def, why, why_len))
        return -1;
    expire(now_ms);
    if (fl.n == FAULTS_MAX)
        return fail(why, why_len, "too many faults (100): DELETE /_ddbd/faults first");
    fault_t *f = xcalloc(1, sizeof *f);
    if (parse_amounts(f, def, now_ms, why, why_len) || parse_effect(f, def, why, why_len) ||
        parse_filters(f, def, why, why_len)) {
        fault_free(f);
        return -1;
    }
    rand_uuid(f->id);
    fl.list[fl.n++] = f;
    *out = describe(f, now_ms);
    return 0;
}

json_t *faults_list(uint64_t now_ms)
{
    expire(now_ms);
    json_t *a = json_array();
    for (size_t i = 0; i < fl.n; i++)
        json_array_append_new(a, describe(fl.list[i], now_ms));
    return json_pack("{s:o}", "Faults", a);
}

size_t faults_clear(const char *id)
{
    size_t removed = 0;
    for (size_t i = fl.n; i-- > 0;)
        if (!id || strcmp(fl.list[i]->id, id) == 0) {
            remove_at(i);
            removed++;
        }
    return removed;
}

/* ---- matching ----------------------------------------------------------------------- */

/* A table named directly or by its ARN (arn:...:table/NAME[/...]). */
static bool table_is(const json_t *v, const char *name)
{
    const char *s = json_string_value(v);
    if (!s)
        return false;
    const char *t = strncmp(s, "arn:", 4) == 0 ? strstr(s, ":table/") : NULL;
    if (!t)
        return strcmp(s, name) == 0;
    t += 7;
    size_t n = strcspn(t, "/");
    return n == strlen(name) && memcmp(t, name, n) == 0;
}

/* Every attribute the fault names is in the key or item, equal. */
static bool key_has(const json_t *key, const json_t *want)
{
    if (!json_is_object(key))
        return false;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)want, k, v)
    {
        if (!json_equal(json_object_get(key, k), (json_t *)v))
            return false;
    }
    return true;
}

/* One thing a request touches: its table and a key or item, and its
 * action's place in a transaction. */
typedef struct target {
    const json_t *table;
    const json_t *key;
    int index;
} target_t;

static bool target_matches(const fault_t *f, const target_t *t)
{
    return (!f->table || table_is(t->table, f->table)) && (!f->key || key_has(t->key, f->key));
}

static const json_t *key_or_item(const json_t *j)
{
    const json_t *k = json_object_get(j, "Key");
    return k ? k : json_object_get(j, "Item");
}

/* The request's targets that the fault matches: returns the index of the
 * first (0 for a request with one target), or -1 when none does. */
static int match_targets(const fault_t *f, const json_t *body)
{
    if (!f->table && !f->key)
        return 0;
    target_t t = {json_object_get(body, "TableName"), key_or_item(body), 0};
    if (t.table && target_matches(f, &t))
        return 0;
    const json_t *items = json_object_get(body, "TransactItems"), *a;
    size_t i;
    json_array_foreach(items, i, a)
    {
        const char *k;
        const json_t *act;
        json_object_foreach((json_t *)a, k, act)
        {
            t = (target_t){json_object_get(act, "TableName"), key_or_item(act), (int)i};
            if (target_matches(f, &t))
                return (int)i;
        }
    }
    const char *name;
    const json_t *reqs;
    json_object_foreach(json_object_get(body, "RequestItems"), name, reqs)
    {
        json_t *tn = json_string(name);
        const json_t *keys = json_is_object(reqs) ? json_object_get(reqs, "Keys") : reqs, *e;
        bool hit = false;
        json_array_foreach(keys, i, e)
        {
            const json_t *put = json_object_get(e, "PutRequest"), *del = json_object_get(e, "DeleteRequest");
            t = (target_t){tn, put ? json_object_get(put, "Item") : del ? json_object_get(del, "Key") : e, 0};
            if ((hit = target_matches(f, &t)))
                break;
        }
        json_decref(tn);
        if (hit)
            return 0;
    }
    return -1;
}

static bool roll(double percent)
{
    if (percent >= 100)
        return true;
    uint32_t r;
    rand_bytes(&r, sizeof r);
    return (double)r / 4294967296.0 * 100 < percent;
}

/* Adds the fault's effect to hit; false when it has nothing to add (its
 * effect is taken by an earlier fault and it adds no latency), so its
 * Count is not used up. */
static bool apply(const fault_t *f, const char *op, int index, fault_hit_t *hit)
{
    bool taken = hit->error || hit->drop || hit->drop_reply;
    if (taken && !f->latency_ms)
        return false;
    hit->delay_ms += f->latency_ms;
    if (taken)
        return true; /* the first fault's effect wins; later ones add latency only */
    hit->drop = f->drop;
    hit->drop_reply = f->drop_reply;
    hit->error = f->error;
    if (f->error == ERR_TRANSACTION_CONFLICT && strncmp(op, "Transact", 8) == 0) {
        hit->error = ERR_TRANSACTION_CANCELED;
        hit->conflict_index = index;
    }
    return true;
}

bool faults_match(const char *op, const json_t *body, uint64_t now_ms, fault_hit_t *hit)
{
    memset(hit, 0, sizeof *hit);
    if (!fl.n)
        return false;
    expire(now_ms);
    bool any = false;
    for (size_t i = 0; i < fl.n; i++) {
        fault_t *f = fl.list[i];
        if (f->op && strcmp(f->op, op) != 0)
            continue;
        int index = match_targets(f, body);
        if (index < 0 || !roll(f->percent) || !apply(f, op, index, hit))
            continue;
        f->hits++;
        if (f->remaining > 0)
            f->remaining--;
        any = true;
    }
    expire(now_ms); /* a used-up Count goes now */
    return any;
}
