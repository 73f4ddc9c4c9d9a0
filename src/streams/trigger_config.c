/* trigger_config.c - a trigger's settings from the admin endpoint's JSON,
 * a --trigger flag or a --triggers-file, validated with Lambda's event
 * source mapping limits and worded like Lambda's constraint messages
 * ("Value '0' at 'batchSize' failed to satisfy constraint: ..."). */
#include "streams/trigger.h"
#include "base/rand.h"
#include "base/alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "net/httpc.h"
#include "streams/trigger_filter.h"

/* One integer setting: Lambda name, the camelCase name its messages use,
 * limits and default, and where it goes. */
typedef struct int_setting {
    const char *name, *field, *alias;
    long long lo, hi, dflt;
    size_t off;
} int_setting_t;

static const int_setting_t int_settings[] = {
    {"BatchSize", "batchSize", "batch", 1, 10000, 100, offsetof(trigger_cfg_t, batch_size)},
    {"MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", "window", 0, 300, 0,
     offsetof(trigger_cfg_t, window_s)},
    {"MaximumRetryAttempts", "maximumRetryAttempts", "retries", -1, 10000, -1, offsetof(trigger_cfg_t, max_retries)},
    {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", "max-age", -1, 604800, -1,
     offsetof(trigger_cfg_t, max_age_s)},
    {"Timeout", "timeout", "timeout", 1, 900, 3, offsetof(trigger_cfg_t, timeout_s)},
};
#define N_INT_SETTINGS (sizeof int_settings / sizeof *int_settings)

static const char *const known_members[] = {
    "UUID",
    "TableName",
    "Namespace",
    "Url",
    "Enabled",
    "StartingPosition",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
    "FilterCriteria",
    "DestinationConfig",
};

static int *int_field(trigger_cfg_t *c, const int_setting_t *s) { return (int *)((char *)c + s->off); }

static void set_defaults(trigger_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_INT_SETTINGS; i++)
        *int_field(c, &int_settings[i]) = (int)int_settings[i].dflt;
}

void trigger_cfg_free(trigger_cfg_t *c)
{
    free(c->table);
    free(c->ns);
    free(c->url);
    free(c->on_failure);
    json_decref(c->filter);
    memset(c, 0, sizeof *c);
}

static int set_int(trigger_cfg_t *c, const int_setting_t *s, long long v, char *why, size_t why_len)
{
    if (v < s->lo || v > s->hi) {
        snprintf(why, why_len,
                 "1 validation error detected: Value '%lld' at '%s' failed to satisfy constraint: "
                 "Member must have value %s than or equal to %lld",
                 v, s->field, v < s->lo ? "greater" : "less", v < s->lo ? s->lo : s->hi);
        return -1;
    }
    if (s->off == offsetof(trigger_cfg_t, max_age_s) && v != -1 && v < 60) {
        snprintf(why, why_len, "MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604800, got %lld", v);
        return -1;
    }
    *int_field(c, s) = (int)v;
    return 0;
}

/* The same table and URL give the same UUID on every run. */
static void derived_uuid(const char *table, const char *url, char out[TRIGGER_UUID_LEN + 1])
{
    char key[4096];
    int n = snprintf(key, sizeof key, "%s%c%s", table, '\0', url);
    XXH128_hash_t h = XXH3_128bits(key, n < (int)sizeof key ? (size_t)n : sizeof key);
    snprintf(out, TRIGGER_UUID_LEN + 1, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(h.high64 >> 32),
             (unsigned long long)(h.high64 >> 16) & 0xffff, (unsigned long long)h.high64 & 0xffff,
             (unsigned long long)(h.low64 >> 48), (unsigned long long)h.low64 & 0xffffffffffffull);
}

static int set_uuid(trigger_cfg_t *c, const char *s, char *why, size_t why_len)
{
    size_t n = strlen(s);
    if (n == 0 || n > TRIGGER_UUID_LEN ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n) {
        snprintf(why, why_len, "UUID must be 1 to 36 letters, digits, '-' or '_'");
        return -1;
    }
    memcpy(c->uuid, s, n + 1);
    return 0;
}

static int set_url(char **dst, const char *what, const char *url, char *why, size_t why_len)
{
    httpc_url_t u;
    char e[256];
    if (httpc_url_parse(url, &u, e, sizeof e)) {
        snprintf(why, why_len, "%s: %s", what, e);
        return -1;
    }
    free(*dst);
    *dst = xstrdup(url);
    return 0;
}

static int set_start(trigger_cfg_t *c, const char *v, char *why, size_t why_len)
{
    if (!strcmp(v, "LATEST") || !strcmp(v, "TRIM_HORIZON")) {
        c->latest = !strcmp(v, "LATEST");
        return 0;
    }
    snprintf(why, why_len,
             "1 validation error detected: Value '%s' at 'startingPosition' failed to satisfy "
             "constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST]",
             v);
    return -1;
}

/* A file path (absolute, or file:///path) or an http:// URL. */
static int set_destination(trigger_cfg_t *c, const char *v, char *why, size_t why_len)
{
    if (!strncmp(v, "http://", 7))
        return set_url(&c->on_failure, "DestinationConfig.OnFailure.Destination", v, why, why_len);
    const char *path = !strncmp(v, "file://", 7) ? v + 7 : v;
    if (path[0] != '/') {
        snprintf(why, why_len,
                 "DestinationConfig.OnFailure.Destination must be an absolute file path, "
                 "file:///path or http://host:port/path, got '%s'",
                 v);
        return -1;
    }
    free(c->on_failure);
    c->on_failure = xstrdup(path);
    return 0;
}

static int set_filter(trigger_cfg_t *c, json_t *crit, char *why, size_t why_len)
{
    tfilter_t *f;
    if (tfilter_compile(crit, &f, why, why_len))
        return -1;
    tfilter_free(f);
    json_decref(c->filter);
    c->filter = json_incref(crit);
    return 0;
}

static int set_table(trigger_cfg_t *c, const char *name, char *why, size_t why_len)
{
    size_t n = strlen(name);
    if (n < 3 || n > 255 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n) {
        snprintf(why, why_len, "TableName must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.', got '%s'",
                 name);
        return -1;
    }
    free(c->table);
    c->table = xstrdup(name);
    return 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static bool known_member(const char *k)
{
    for (size_t i = 0; i < sizeof known_members / sizeof *known_members; i++)
        if (!strcmp(k, known_members[i]))
            return true;
    for (size_t i = 0; i < N_INT_SETTINGS; i++)
        if (!strcmp(k, int_settings[i].name))
            return true;
    return false;
}

static const char *json_str_member(const json_t *j, const char *name, bool *bad)
{
    json_t *v = json_object_get(j, name);
    if (v && !json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

static int response_types(trigger_cfg_t *c, const json_t *v, char *why, size_t why_len)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v) || json_array_size(v) > 1)
        goto bad;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || strcmp(json_string_value(e), "ReportBatchItemFailures"))
            goto bad;
        c->report_failures = true;
    }
    return 0;
bad:
    snprintf(why, why_len, "FunctionResponseTypes must be [] or [\"ReportBatchItemFailures\"]");
    return -1;
}

static int destination_config(trigger_cfg_t *c, const json_t *v, char *why, size_t why_len)
{
    const json_t *of = json_is_object(v) ? json_object_get(v, "OnFailure") : NULL;
    const json_t *d = json_is_object(of) ? json_object_get(of, "Destination") : NULL;
    if (json_is_object(v) && !of)
        return 0;
    if (!json_is_string(d)) {
        snprintf(why, why_len, "DestinationConfig must be {\"OnFailure\":{\"Destination\":\"<file path or URL>\"}}");
        return -1;
    }
    return set_destination(c, json_string_value(d), why, why_len);
}

static int ints_from_json(trigger_cfg_t *c, const json_t *j, char *why, size_t why_len)
{
    for (size_t i = 0; i < N_INT_SETTINGS; i++) {
        json_t *v = json_object_get(j, int_settings[i].name);
        if (!v)
            continue;
        if (!json_is_integer(v)) {
            snprintf(why, why_len, "%s must be an integer", int_settings[i].name);
            return -1;
        }
        if (set_int(c, &int_settings[i], json_integer_value(v), why, why_len))
            return -1;
    }
    return 0;
}

int trigger_cfg_from_json(const json_t *j, trigger_cfg_t *out, char *why, size_t why_len)
{
    set_defaults(out);
    if (!json_is_object(j)) {
        snprintf(why, why_len, "a trigger must be a JSON object");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (!known_member(k)) {
            snprintf(why, why_len, "unknown setting '%s'", k);
            goto bad;
        }
    }
    bool bad_type = false;
    const char *table = json_str_member(j, "TableName", &bad_type);
    const char *url = json_str_member(j, "Url", &bad_type);
    const char *uuid = json_str_member(j, "UUID", &bad_type);
    const char *ns = json_str_member(j, "Namespace", &bad_type);
    const char *start = json_str_member(j, "StartingPosition", &bad_type);
    json_t *bisect = json_object_get(j, "BisectBatchOnFunctionError");
    json_t *enabled = json_object_get(j, "Enabled");
    if (bad_type || (bisect && !json_is_boolean(bisect)) || (enabled && !json_is_boolean(enabled))) {
        snprintf(why, why_len,
                 "TableName, Url, UUID, Namespace and StartingPosition are strings; "
                 "Enabled and BisectBatchOnFunctionError are true or false");
        goto bad;
    }
    out->disabled = json_is_false(enabled);
    if (!table || !url) {
        snprintf(why, why_len, "a trigger needs TableName and Url");
        goto bad;
    }
    if (set_table(out, table, why, why_len) || set_url(&out->url, "Url", url, why, why_len) ||
        (start && set_start(out, start, why, why_len)) || ints_from_json(out, j, why, why_len))
        goto bad;
    out->bisect = json_is_true(bisect);
    if ((v = json_object_get(j, "FunctionResponseTypes")) && response_types(out, v, why, why_len))
        goto bad;
    if ((v = json_object_get(j, "FilterCriteria")) && !json_is_null(v) && set_filter(out, v, why, why_len))
        goto bad;
    if ((v = json_object_get(j, "DestinationConfig")) && destination_config(out, v, why, why_len))
        goto bad;
    if (ns)
        out->ns = xstrdup(ns);
    if (uuid ? set_uuid(out, uuid, why, why_len) : (rand_uuid(out->uuid), 0))
        goto bad;
    strcpy(out->origin, "admin");
    return 0;
bad:
    trigger_cfg_free(out);
    return -1;
}

json_t *trigger_cfg_to_json(const trigger_cfg_t *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "UUID", json_string(c->uuid));
    json_object_set_new(j, "TableName", json_string(c->table));
    if (c->ns)
        json_object_set_new(j, "Namespace", json_string(c->ns));
    json_object_set_new(j, "Url", json_string(c->url));
    json_object_set_new(j, "Enabled", json_boolean(!c->disabled));
    for (size_t i = 0; i < N_INT_SETTINGS; i++)
        json_object_set_new(j, int_settings[i].name, json_integer(*int_field((trigger_cfg_t *)c, &int_settings[i])));
    json_object_set_new(j, "StartingPosition", json_string(c->latest ? "LATEST" : "TRIM_HORIZON"));
    json_object_set_new(j, "BisectBatchOnFunctionError", json_boolean(c->bisect));
    json_object_set_new(j, "FunctionResponseTypes",
                        c->report_failures ? json_pack("[s]", "ReportBatchItemFailures") : json_array());
    if (c->filter)
        json_object_set(j, "FilterCriteria", c->filter);
    if (c->on_failure)
        json_object_set_new(j, "DestinationConfig", json_pack("{s:{s:s}}", "OnFailure", "Destination", c->on_failure));
    return j;
}

/* ---- --trigger TABLE=URL[,key=value...] ------------------------------------ */

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcmp(v, "1"))
        return *out = true, 0;
    if (!strcasecmp(v, "false") || !strcmp(v, "0"))
        return *out = false, 0;
    return -1;
}

static int flag_option(trigger_cfg_t *c, const char *key, const char *val, char *why, size_t why_len)
{
    for (size_t i = 0; i < N_INT_SETTINGS; i++) {
        const int_setting_t *s = &int_settings[i];
        if (strcasecmp(key, s->name) && strcasecmp(key, s->alias))
            continue;
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (errno || *end || end == val) {
            snprintf(why, why_len, "%s wants an integer, got '%s'", s->name, val);
            return -1;
        }
        return set_int(c, s, v, why, why_len);
    }
    bool b;
    if (!strcasecmp(key, "StartingPosition") || !strcasecmp(key, "start"))
        return set_start(c, val, why, why_len);
    if (!strcasecmp(key, "BisectBatchOnFunctionError") || !strcasecmp(key, "bisect")) {
        if (parse_bool(val, &b))
            goto bad_bool;
        return c->bisect = b, 0;
    }
    if (!strcasecmp(key, "ReportBatchItemFailures") || !strcasecmp(key, "report-failures")) {
        if (parse_bool(val, &b))
            goto bad_bool;
        return c->report_failures = b, 0;
    }
    if (!strcasecmp(key, "Enabled")) {
        if (parse_bool(val, &b))
            goto bad_bool;
        return c->disabled = !b, 0;
    }
    if (!strcasecmp(key, "OnFailure") || !strcasecmp(key, "on-failure"))
        return set_destination(c, val, why, why_len);
    if (!strcasecmp(key, "UUID") || !strcasecmp(key, "id"))
        return set_uuid(c, val, why, why_len);
    if (!strcasecmp(key, "Namespace") || !strcasecmp(key, "ns")) {
        free(c->ns);
        c->ns = xstrdup(val);
        return 0;
    }
    snprintf(why, why_len, "unknown trigger option '%s' (FilterCriteria goes in --triggers-file)", key);
    return -1;
bad_bool:
    snprintf(why, why_len, "%s wants true or false, got '%s'", key, val);
    return -1;
}

int trigger_cfg_from_flag(const char *spec, trigger_cfg_t *out, char *why, size_t why_len)
{
    set_defaults(out);
    char *copy = xstrdup(spec), *save = NULL;
    char *eq = strchr(copy, '=');
    char *url = eq ? strtok_r(eq + 1, ",", &save) : NULL;
    if (!url) { /* no '=', or nothing after it */
        snprintf(why, why_len, "--trigger wants TABLE=http://host:port/path[,key=value...], got '%s'", spec);
        goto bad;
    }
    *eq = '\0';
    if (set_table(out, copy, why, why_len) || set_url(&out->url, "--trigger", url, why, why_len))
        goto bad;
    for (char *opt; (opt = strtok_r(NULL, ",", &save));) {
        char *oeq = strchr(opt, '=');
        if (!oeq) {
            snprintf(why, why_len, "--trigger option '%s' wants key=value", opt);
            goto bad;
        }
        *oeq = '\0';
        if (flag_option(out, opt, oeq + 1, why, why_len))
            goto bad;
    }
    if (!out->uuid[0])
        derived_uuid(out->table, out->url, out->uuid);
    strcpy(out->origin, "flag");
    free(copy);
    return 0;
bad:
    free(copy);
    trigger_cfg_free(out);
    return -1;
}

/* ---- --triggers-file --------------------------------------------------------- */

int trigger_cfg_load_file(const char *path, trigger_cfg_t **out, size_t *n, char *why, size_t why_len)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    *out = NULL;
    *n = 0;
    if (!root) {
        if (je.line > 0)
            snprintf(why, why_len, "%s:%d: %s", path, je.line, je.text);
        else
            snprintf(why, why_len, "%s", je.text);
        return -1;
    }
    json_t *list = json_is_object(root) ? json_object_get(root, "Triggers") : root;
    if (!json_is_array(list)) {
        snprintf(why, why_len, "%s: wants {\"Triggers\":[...]} or a list of triggers", path);
        json_decref(root);
        return -1;
    }
    trigger_cfg_t *cfgs = xcalloc(json_array_size(list) + 1, sizeof *cfgs);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        char one[400];
        bool had_uuid = json_is_object(e) && json_object_get(e, "UUID");
        if (trigger_cfg_from_json(e, &cfgs[i], one, sizeof one)) {
            snprintf(why, why_len, "%s: trigger %zu: %s", path, i + 1, one);
            while (i > 0)
                trigger_cfg_free(&cfgs[--i]);
            free(cfgs);
            json_decref(root);
            return -1;
        }
        if (!had_uuid) /* the same entry is the same trigger on every run */
            derived_uuid(cfgs[i].table, cfgs[i].url, cfgs[i].uuid);
        strcpy(cfgs[i].origin, "file");
    }
    *out = cfgs;
    *n = json_array_size(list);
    json_decref(root);
    return 0;
}
