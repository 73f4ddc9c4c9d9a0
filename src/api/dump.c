/* dump.c - tables and items out as seed files (see dump.h). */
#include "api/dump.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "model/keys.h"
#include "model/value.h"

#define FLUSH_AT 65536

int dump_items(const inproc_t *ip, const char *name, dump_sink_fn sink, void *ud, uint64_t *count)
{
    const table_t *t;
    int rc = catalog_lookup(ip->cache, ip->txn, ip->ns, str_from_cstr(name), &t);
    if (rc || !t)
        return rc ? rc : STORE_NOTFOUND;
    key_buf_t prefix;
    key_encode_table(t->id, &prefix);
    str_t p = {(const char *)prefix.b, prefix.len}, k, v;
    store_cursor_t *c;
    if ((rc = store_cursor_open(ip->txn, STORE_DB_ITEMS, &c)) != 0)
        return rc;
    buf_t out = BUF_INIT;
    arena_t a;
    arena_init(&a);
    *count = 0;
    for (rc = store_cursor_seek(c, p, &k, &v); rc == 0 && k.len >= p.len && !memcmp(k.ptr, p.ptr, p.len);
         rc = store_cursor_next(c, &k, &v)) {
        value_t item;
        if (value_decode(&a, (const uint8_t *)v.ptr, v.len, &item) != 0) {
            rc = STORE_ERR_IO;
            break;
        }
        buf_puts(&out, "{\"Item\":");
        item_to_json(&out, &item);
        buf_puts(&out, "}\n");
        arena_clear(&a);
        ++*count;
        if (out.len >= FLUSH_AT) {
            if ((rc = sink(ud, out.data, out.len)) != 0)
                break;
            buf_reset(&out);
        }
    }
    store_cursor_close(c);
    if (rc == STORE_NOTFOUND) /* past the last key of the database */
        rc = 0;
    if (!rc && out.len) /* the rest (the loop ends past the table's keys, or the database's) */
        rc = sink(ud, out.data, out.len);
    buf_free(&out);
    arena_free(&a);
    return rc;
}

/* op's reply for {"TableName"/"ResourceArn": name} as JSON (NULL: failed, e set). */
static json_t *ask(const inproc_t *ip, const char *op, const char *member, const char *name, err_t *e)
{
    buf_t out = BUF_INIT;
    json_t *body = json_pack("{s:s}", member, name);
    int rc = inproc_call(ip, op, body, &out, e);
    json_decref(body);
    json_t *reply = rc == 0 ? json_loadb(out.data, out.len, 0, NULL) : NULL;
    if (rc < -1)
        err_set(e, ERR_INTERNAL, "%s", store_strerror(rc));
    buf_free(&out);
    return reply;
}

int dump_table_json(const inproc_t *ip, const char *name, buf_t *out, err_t *e)
{
    json_t *desc = ask(ip, "DescribeTable", "TableName", name, e);
    json_t *ttl = desc ? ask(ip, "DescribeTimeToLive", "TableName", name, e) : NULL;
    const char *arn = json_string_value(json_object_get(json_object_get(desc, "Table"), "TableArn"));
    json_t *tags = arn ? ask(ip, "ListTagsOfResource", "ResourceArn", arn, e) : NULL;
    int rc = -1;
    if (desc && ttl && tags) {
        json_t *file = json_pack("{s:O}", "Table", json_object_get(desc, "Table"));
        json_t *spec = json_object_get(ttl, "TimeToLiveDescription");
        const char *status = json_string_value(json_object_get(spec, "TimeToLiveStatus"));
        if (status && (!strcmp(status, "ENABLED") || !strcmp(status, "ENABLING")))
            json_object_set_new(
                file, "TimeToLiveSpecification",
                json_pack("{s:O,s:b}", "AttributeName", json_object_get(spec, "AttributeName"), "Enabled", 1));
        json_t *list = json_object_get(tags, "Tags");
        if (json_array_size(list))
            json_object_set(file, "Tags", list);
        char *text = xjson_dumps(file, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        buf_puts(out, text);
        buf_putc(out, '\n');
        free(text);
        json_decref(file);
        rc = 0;
    }
    json_decref(desc);
    json_decref(ttl);
    json_decref(tags);
    return rc;
}

typedef struct names {
    char **v;
    size_t n;
} names_t;

static int add_name(void *ud, str_t name)
{
    names_t *l = ud;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = xstrndup(name.ptr, name.len);
    return 0;
}

int dump_table_names(const inproc_t *ip, char ***names, size_t *n)
{
    names_t l = {NULL, 0};
    int rc = catalog_list(ip->txn, ip->ns, STR_NULL, add_name, &l);
    *names = l.v;
    *n = l.n;
    return rc;
}
