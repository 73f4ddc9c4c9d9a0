/* seed_file.c - reading seed and load files (see seed_file.h). */
#include "api/seed_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "base/alloc.h"

static int fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the set ------------------------------------------------------------- */

void seed_set_free(seed_set_t *s)
{
    for (size_t i = 0; i < s->n_tables; i++) {
        seed_table_t *t = &s->tables[i];
        for (size_t k = 0; k < t->n_items; k++)
            json_decref(t->items[k].item);
        free(t->items);
        free(t->name);
        json_decref(t->create);
        json_decref(t->ttl);
    }
    free(s->tables);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    *s = (seed_set_t){0};
}

static const char *intern_file(seed_set_t *s, const char *name)
{
    for (size_t i = 0; i < s->n_files; i++)
        if (!strcmp(s->files[i], name))
            return s->files[i];
    s->files = xrealloc(s->files, (s->n_files + 1) * sizeof *s->files);
    return s->files[s->n_files++] = xstrdup(name);
}

static seed_table_t *table_get(seed_set_t *s, const char *name, const char *file)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (!strcmp(s->tables[i].name, name))
            return &s->tables[i];
    s->tables = xrealloc(s->tables, (s->n_tables + 1) * sizeof *s->tables);
    seed_table_t *t = &s->tables[s->n_tables++];
    *t = (seed_table_t){.name = xstrdup(name), .file = file};
    return t;
}

static void add_item(seed_table_t *t, json_t *item, const char *file, size_t line, bool indexed)
{
    if (t->n_items == t->cap_items) {
        t->cap_items = t->cap_items ? t->cap_items * 2 : 64;
        t->items = xrealloc(t->items, t->cap_items * sizeof *t->items);
    }
    t->items[t->n_items++] = (seed_item_t){item, file, line, indexed};
}

/* ---- items ------------------------------------------------------------------- */

/* The shortest decimal that reads back as d (plain JSON numbers are
 * doubles: 0.1 stays "0.1"). */
static void real_text(double d, char out[40])
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, 40, "%.*g", p, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static json_t *plain_value(const json_t *j, int depth, char *why, size_t why_len);

static json_t *plain_map(const json_t *j, int depth, char *why, size_t why_len)
{
    if (depth > SEED_DEPTH_MAX)
        return fail(why, why_len, "nested more than %d levels", SEED_DEPTH_MAX), NULL;
    json_t *m = json_object();
    const char *k;
    size_t klen;
    void *tmp;
    json_t *v;
    json_object_keylen_foreach_safe((json_t *)j, tmp, k, klen, v)
    {
        json_t *av = plain_value(v, depth + 1, why, why_len);
        if (!av) {
            json_decref(m);
            return NULL;
        }
        json_object_setn_new(m, k, klen, av);
    }
    return m;
}

static json_t *plain_value(const json_t *j, int depth, char *why, size_t why_len)
{
    char num[40];
    switch (json_typeof(j)) {
    case JSON_STRING: return json_pack("{s:s%}", "S", json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return json_pack("{s:s}", "N", num);
    case JSON_REAL: real_text(json_real_value(j), num); return json_pack("{s:s}", "N", num);
    case JSON_TRUE:
    case JSON_FALSE: return json_pack("{s:b}", "BOOL", json_is_true(j));
    case JSON_NULL: return json_pack("{s:b}", "NULL", 1);
    case JSON_OBJECT: {
        json_t *m = plain_map(j, depth, why, why_len);
        return m ? json_pack("{s:o}", "M", m) : NULL;
    }
    case JSON_ARRAY: {
        if (depth > SEED_DEPTH_MAX)
            return fail(why, why_len, "nested more than %d levels", SEED_DEPTH_MAX), NULL;
        json_t *l = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(j, i, e)
        {
            json_t *av = plain_value(e, depth + 1, why, why_len);
            if (!av) {
                json_decref(l);
                return NULL;
            }
            json_array_append_new(l, av);
        }
        return json_pack("{s:o}", "L", l);
    }
    }
    return fail(why, why_len, "not a JSON value"), NULL;
}

json_t *seed_item_from_json(const json_t *j, char *why, size_t why_len)
{
    if (!json_is_object(j))
        return fail(why, why_len, "an item must be a JSON object"), NULL;
    json_t *typed = json_object_get(j, "Item");
    if (typed && json_object_size(j) == 1) {
        if (!json_is_object(typed))
            return fail(why, why_len, "\"Item\" must be an object of AttributeValues"), NULL;
        return json_incref(typed);
    }
    return plain_map(j, 1, why, why_len);
}

/* Adds the item j of table t, from file:line; -1 with "file:line: ..." */
static int take_item(seed_table_t *t, const json_t *j, const char *file, size_t line, bool indexed, char *why,
                     size_t why_len)
{
    char msg[SEED_WHY_MAX];
    json_t *item = seed_item_from_json(j, msg, sizeof msg);
    if (!item)
        return fail(why, why_len, indexed ? "%s: item %zu: %s" : "%s:%zu: %s", file, line, msg);
    add_item(t, item, file, line, indexed);
    return 0;
}

static int items_array(seed_table_t *t, const json_t *list, const char *file, char *why, size_t why_len)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (take_item(t, e, file, i + 1, true, why, why_len)) return -1;
    return 0;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static bool blank(const char *p, size_t n)
{
    while (n && is_space(*p))
        p++, n--;
    return n == 0;
}

static int items_lines(seed_table_t *t, const char *file, const char *data, size_t len, char *why, size_t why_len)
{
    size_t line = 0;
    for (const char *p = data, *end = data + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *next = nl ? nl + 1 : end;
        line++;
        if (n > SEED_LINE_MAX)
            return fail(why, why_len, "%s:%zu: a line longer than %lu bytes", file, line, SEED_LINE_MAX);
        if (blank(p, n)) {
            p = next;
            continue;
        }
        json_error_t je;
        json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
        if (!j)
            return fail(why, why_len, "%s:%zu: not JSON: %s", file, line, je.text);
        int rc = take_item(t, j, file, line, false, why, why_len);
        json_decref(j);
        if (rc)
            return rc;
        p = next;
    }
    return 0;
}

static int parse_items(seed_set_t *s, const char *table, const char *file, const char *data, size_t len, char *why,
                       size_t why_len)
{
    seed_table_t *t = table_get(s, table, file);
    size_t lead = 0;
    while (lead < len && is_space(data[lead]))
        lead++;
    if (lead == len || data[lead] != '[')
        return items_lines(t, file, data, len, why, why_len);
    json_error_t je;
    json_t *list = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!list)
        return fail(why, why_len, "%s:%d: not JSON: %s", file, je.line, je.text);
    int rc = items_array(t, list, file, why, why_len);
    json_decref(list);
    return rc;
}

/* ---- tables -------------------------------------------------------------------- */

static void copy_members(json_t *to, const json_t *from, const char *const *names)
{
    for (; *names; names++) {
        json_t *v = json_object_get(from, *names);
        if (v)
            json_object_set(to, *names, v);
    }
}

/* An index of a description as CreateTable takes it. */
static json_t *index_input(const json_t *ix, bool global, bool provisioned)
{
    static const char *const members[] = {"IndexName", "KeySchema", "Projection", NULL};
    static const char *const gsi_members[] = {"OnDemandThroughput", NULL};
    json_t *o = json_object();
    copy_members(o, ix, members);
    if (global)
        copy_members(o, ix, gsi_members);
    json_t *pt = json_object_get(ix, "ProvisionedThroughput");
    if (global && provisioned && pt)
        json_object_set_new(o, "ProvisionedThroughput",
                            json_pack("{s:O,s:O}", "ReadCapacityUnits", json_object_get(pt, "ReadCapacityUnits"),
                                      "WriteCapacityUnits", json_object_get(pt, "WriteCapacityUnits")));
    return o;
}

static json_t *indexes_input(const json_t *list, bool global, bool provisioned)
{
    json_t *out = json_array();
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix) json_array_append_new(out, index_input(ix, global, provisioned));
    return out;
}

json_t *seed_create_from_description(const json_t *table)
{
    static const char *const members[] = {"TableName", "KeySchema", "AttributeDefinitions", "DeletionProtectionEnabled",
                                          NULL};
    json_t *c = json_object();
    copy_members(c, table, members);
    const char *mode = json_string_value(json_object_get(json_object_get(table, "BillingModeSummary"), "BillingMode"));
    bool provisioned = !mode || strcmp(mode, "PAY_PER_REQUEST") != 0;
    json_object_set_new(c, "BillingMode", json_string(provisioned ? "PROVISIONED" : "PAY_PER_REQUEST"));
    json_t *pt = json_object_get(table, "ProvisionedThroughput");
    if (provisioned && json_is_object(pt))
        json_object_set_new(c, "ProvisionedThroughput",
                            json_pack("{s:O,s:O}", "ReadCapacityUnits", json_object_get(pt, "ReadCapacityUnits"),
                                      "WriteCapacityUnits", json_object_get(pt, "WriteCapacityUnits")));
    json_t *g = json_object_get(table, "GlobalSecondaryIndexes"), *l = json_object_get(table, "LocalSecondaryIndexes");
    if (json_is_array(g))
        json_object_set_new(c, "GlobalSecondaryIndexes", indexes_input(g, true, provisioned));
    if (json_is_array(l))
        json_object_set_new(c, "LocalSecondaryIndexes", indexes_input(l, false, provisioned));
    json_t *spec = json_object_get(table, "StreamSpecification");
    if (json_is_true(json_object_get(spec, "StreamEnabled")))
        json_object_set(c, "StreamSpecification", spec);
    json_t *cls = json_object_get(json_object_get(table, "TableClassSummary"), "TableClass");
    if (cls)
        json_object_set(c, "TableClass", cls);
    static const char *const settings[] = {"OnDemandThroughput", NULL};
    copy_members(c, table, settings);
    /* a KMS key (the AWS owned key, the default, is not described) */
    json_t *sse = json_object_get(table, "SSEDescription");
    const char *key = json_string_value(json_object_get(sse, "KMSMasterKeyArn"));
    if (key)
        json_object_set_new(c, "SSESpecification",
                            json_pack("{s:b,s:s,s:s}", "Enabled", 1, "SSEType", "KMS", "KMSMasterKeyId", key));
    return c;
}

/* CreateTable's request of a table file, or NULL (not one). */
static json_t *table_request(const json_t *root)
{
    json_t *desc = json_object_get(root, "Table");
    if (!desc)
        desc = json_object_get(root, "TableDescription");
    if (json_is_object(desc)) {
        json_t *c = seed_create_from_description(desc);
        json_t *tags = json_object_get(root, "Tags");
        if (tags)
            json_object_set(c, "Tags", tags);
        return c;
    }
    if (!json_object_get(root, "TableName"))
        return NULL;
    json_t *c = json_deep_copy(root);
    json_object_del(c, "Items");
    json_object_del(c, "TimeToLiveSpecification");
    return c;
}

/* {"TABLE":[{"PutRequest":{"Item":{...}}}, ...]}: BatchWriteItem's RequestItems. */
static int batch_request(seed_set_t *s, const json_t *root, const char *file, char *why, size_t why_len)
{
    const char *name;
    json_t *list;
    json_object_foreach((json_t *)root, name, list)
    {
        if (!json_is_array(list))
            return fail(why, why_len,
                        "%s: neither a table (CreateTable's input, or describe-table's output) nor a BatchWriteItem "
                        "request ({\"TABLE\":[{\"PutRequest\":{\"Item\":{...}}}]})",
                        file);
        seed_table_t *t = table_get(s, name, file);
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e)
        {
            json_t *item = json_object_get(json_object_get(e, "PutRequest"), "Item");
            if (!json_is_object(item))
                return fail(why, why_len, "%s: %s[%zu]: only {\"PutRequest\":{\"Item\":{...}}} entries are read", file,
                            name, i);
            add_item(t, json_incref(item), file, i + 1, true);
        }
    }
    return 0;
}

static int parse_table_file(seed_set_t *s, const char *file, const char *data, size_t len, char *why, size_t why_len)
{
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(why, why_len, "%s:%d: not JSON: %s", file, je.line, je.text);
    int rc = -1;
    json_t *create = json_is_object(root) ? table_request(root) : NULL;
    json_t *ttl = json_object_get(root, "TimeToLiveSpecification"), *items = json_object_get(root, "Items");
    const char *name = json_string_value(json_object_get(create, "TableName"));
    if (!json_is_object(root))
        fail(why, why_len, "%s: not a JSON object", file);
    else if (!create)
        rc = batch_request(s, root, file, why, why_len);
    else if (!name || !*name)
        fail(why, why_len, "%s: TableName must be a non-empty string", file);
    else if ((ttl && !json_is_object(ttl)) || (items && !json_is_array(items)))
        fail(why, why_len, "%s: TimeToLiveSpecification must be an object and Items a list", file);
    else {
        seed_table_t *t = table_get(s, name, file);
        if (t->create) {
            fail(why, why_len, "%s: table %s is defined twice (also in %s)", file, name, t->file);
        } else {
            t->create = json_incref(create);
            t->ttl = json_incref(ttl);
            t->file = file;
            rc = items ? items_array(t, items, file, why, why_len) : 0;
        }
    }
    json_decref(create);
    json_decref(root);
    return rc;
}

/* ---- files ---------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The table an items file names (TABLE.items.json[l][.gz]), into out. */
static bool items_table(const char *base, char *out, size_t len)
{
    static const char *const suffixes[] = {".items.jsonl", ".items.json", ".items.jsonl.gz", ".items.json.gz"};
    for (size_t i = 0; i < 4; i++)
        if (ends_with(base, suffixes[i]) && strlen(base) > strlen(suffixes[i])) {
            snprintf(out, len, "%.*s", (int)(strlen(base) - strlen(suffixes[i])), base);
            return true;
        }
    return false;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int seed_parse(seed_set_t *s, const char *name, const char *table, const char *data, size_t len, char *why,
               size_t why_len)
{
    const char *file = intern_file(s, name);
    char items_of[300];
    if (table)
        return parse_items(s, table, file, data, len, why, why_len);
    if (items_table(base_name(name), items_of, sizeof items_of))
        return parse_items(s, items_of, file, data, len, why, why_len);
    if (ends_with(name, ".json") || ends_with(name, ".json.gz"))
        return parse_table_file(s, file, data, len, why, why_len);
    return fail(why, why_len,
                "%s: not a seed file: tables are TABLE.json (CreateTable's input or describe-table's output), "
                "items TABLE.items.jsonl or TABLE.items.json (.gz too)",
                file);
}

/* The whole file (gunzipped when its name ends in .gz), malloc'ed. */
static char *read_file(const char *path, size_t *len, char *why, size_t why_len)
{
    gzFile f = gzopen(path, "rb"); /* reads a file that is not gzip as it is */
    if (!f)
        return fail(why, why_len, "%s: %s", path, strerror(errno ? errno : ENOMEM)), NULL;
    size_t cap = 65536, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap >= SEED_FILE_MAX) {
                gzclose(f);
                free(data);
                return fail(why, why_len, "%s: larger than %lu bytes", path, SEED_FILE_MAX), NULL;
            }
            cap *= 2;
            data = xrealloc(data, cap);
        }
        int got = gzread(f, data + n, (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
        if (got < 0) {
            int zerr;
            fail(why, why_len, "%s: cannot read: %s", path, gzerror(f, &zerr));
            gzclose(f);
            free(data);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
    *len = n;
    return data;
}

static int read_one(seed_set_t *s, const char *path, const char *table, char *why, size_t why_len)
{
    size_t len;
    char *data = read_file(path, &len, why, why_len);
    if (!data)
        return -1;
    int rc = seed_parse(s, path, table, data, len, why, why_len);
    free(data);
    return rc;
}

static bool seed_name(const char *base)
{
    return base[0] != '.' && (ends_with(base, ".json") || ends_with(base, ".jsonl") || ends_with(base, ".json.gz") ||
                              ends_with(base, ".jsonl.gz"));
}

static int read_dir(seed_set_t *s, const char *path, const char *table, char *why, size_t why_len)
{
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0)
        return fail(why, why_len, "%s: %s", path, strerror(errno));
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char *full = xasprintf("%s/%s", path, names[i]->d_name);
        struct stat st;
        if (!rc && seed_name(names[i]->d_name) && stat(full, &st) == 0 && S_ISREG(st.st_mode))
            rc = read_one(s, full, table, why, why_len);
        free(full);
        free(names[i]);
    }
    free(names);
    return rc;
}

int seed_read_path(seed_set_t *s, const char *path, const char *table, char *why, size_t why_len)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(why, why_len, "%s: %s", path, strerror(errno));
    return S_ISDIR(st.st_mode) ? read_dir(s, path, table, why, why_len) : read_one(s, path, table, why, why_len);
}
