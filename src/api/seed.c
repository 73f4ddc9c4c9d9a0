/* seed.c - applying seed and load files (see seed.h). */
#include "api/seed.h"

#include <stdio.h>
#include <string.h>

/* Runs op with body (taken) for file:line; -1 with the place and
 * DynamoDB's error in why. */
static int call(const inproc_t *ip, const char *op, json_t *body, const char *where, char *why, size_t why_len)
{
    err_t e;
    err_clear(&e);
    int rc = inproc_call(ip, op, body, NULL, &e);
    json_decref(body);
    if (rc == -1)
        snprintf(why, why_len, "%s: %s: %s: %s", where, op, err_type_name(e.code), e.msg);
    return rc;
}

static int put_items(const inproc_t *ip, const seed_table_t *t, seed_counts_t *out, char *why, size_t why_len)
{
    for (size_t i = 0; i < t->n_items; i++) {
        const seed_item_t *it = &t->items[i];
        char where[600];
        snprintf(where, sizeof where, it->indexed ? "%s: item %zu" : "%s:%zu", it->file, it->line);
        int rc =
            call(ip, "PutItem", json_pack("{s:s,s:O}", "TableName", t->name, "Item", it->item), where, why, why_len);
        if (rc)
            return rc;
        out->items++;
    }
    return 0;
}

static int create(const inproc_t *ip, const seed_table_t *t, char *why, size_t why_len)
{
    if (!t->create) {
        snprintf(why, why_len, "%s: items of table %s, which does not exist and no seed file defines", t->file,
                 t->name);
        return -1;
    }
    int rc = call(ip, "CreateTable", json_incref(t->create), t->file, why, why_len);
    if (!rc && t->ttl)
        rc = call(ip, "UpdateTimeToLive",
                  json_pack("{s:s,s:O}", "TableName", t->name, "TimeToLiveSpecification", t->ttl), t->file, why,
                  why_len);
    return rc;
}

int seed_apply(const inproc_t *ip, const seed_set_t *s, seed_mode_t mode, seed_counts_t *out, char *why, size_t why_len)
{
    *out = (seed_counts_t){0};
    for (size_t i = 0; i < s->n_tables; i++) {
        const seed_table_t *t = &s->tables[i];
        const table_t *existing;
        int rc = catalog_lookup(ip->cache, ip->txn, ip->ns, str_from_cstr(t->name), &existing);
        if (rc)
            return rc;
        if (existing && mode == SEED_CREATE) {
            out->kept++;
            continue;
        }
        if (!existing && (rc = create(ip, t, why, why_len)) != 0)
            return rc;
        out->created += !existing;
        out->kept += existing != NULL;
        if ((rc = put_items(ip, t, out, why, why_len)) != 0)
            return rc;
    }
    return 0;
}
