/* ops/table_util.c - helpers of the table-settings handlers (table_util.h). */
#include "ops/table_util.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"

int tu_table_named(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, str_t name, const table_t **out)
{
    int rc = catalog_lookup(cache, txn, r->ns, name, out);
    if (rc)
        return rc;
    if (!*out)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %.*s not found",
                       STR_FMT(name));
    return 0;
}

int tu_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **out)
{
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return -1;
    return tu_table_named(r, txn, cache, name, out);
}

int tu_put_desc(store_txn_t *txn, const table_t *t, json_t *desc)
{
    table_t *nt = table_from_json(t->ns, desc);
    int rc = catalog_put(txn, nt);
    table_free(nt);
    return rc;
}

const char *tu_region_ns(ddb_req_t *r, const char *region)
{
    if (r->env->shared_db)
        return r->ns;
    const char *slash = strchr(r->ns, '/');
    size_t key_len = slash ? (size_t)(slash - r->ns) : strlen(r->ns);
    return arena_printf(&r->arena, "%.*s/%s", (int)key_len, r->ns, region);
}

const char *tu_ns_region(ddb_req_t *r, const char *ns)
{
    const char *slash = strchr(ns, '/');
    return slash ? arena_cstr(&r->arena, str_from_cstr(slash + 1)) : NULL;
}

void tu_write_member(buf_t *b, const char *key, const json_t *v)
{
    char *s = xjson_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    jw_key(b, key);
    buf_puts(b, s);
    free(s);
}

double tu_now(void) { return clock_now_epoch(); }
