/* itemstore.c - the one write path for items (see itemstore.h). */
#include "storage/itemstore.h"

#include "storage/index.h"
#include "storage/ttl_index.h"

#include <stdlib.h>

static itemstore_change_fn hooks[ITEMSTORE_MAX_HOOKS];
static int n_hooks;

void itemstore_on_change(itemstore_change_fn fn)
{
    for (int i = 0; i < n_hooks; i++)
        if (hooks[i] == fn)
            return; /* registered twice (a restarted service): once is enough */
    if (n_hooks == ITEMSTORE_MAX_HOOKS)
        abort(); /* a start-up wiring mistake */
    hooks[n_hooks++] = fn;
}

static int run_hooks(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old, const value_t *item)
{
    int rc = 0;
    for (int i = 0; i < n_hooks && !rc; i++)
        rc = hooks[i](txn, t, key, old, item);
    return rc;
}

static str_t key_str(const key_buf_t *k) { return (str_t){(const char *)k->b, k->len}; }

int itemstore_get(store_txn_t *txn, arena_t *a, const table_t *t, const key_buf_t *key, value_t *out, bool *found)
{
    (void)t;
    str_t v;
    *found = false;
    int rc = store_get(txn, STORE_DB_ITEMS, key_str(key), &v);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (value_decode(a, (const uint8_t *)v.ptr, v.len, out) != 0)
        return STORE_ERR_IO;
    *found = true;
    return 0;
}

int itemstore_put(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old, const value_t *item,
                  itemstore_effect_t *effect)
{
    buf_t enc = BUF_INIT;
    value_encode(&enc, item);
    int rc = store_put(txn, STORE_DB_ITEMS, key_str(key), (str_t){enc.data, enc.len});
    buf_free(&enc);
    if (rc)
        return rc;
    if ((rc = index_write(txn, t, key, old, item, effect)) != 0)
        return rc;
    int64_t dbytes = (int64_t)item_size(item) - (old ? (int64_t)item_size(old) : 0);
    rc = catalog_stats_add(txn, t->id, old ? 0 : 1, dbytes);
    if (!rc)
        rc = ttl_on_write(txn, t, key, old, item);
    return rc ? rc : run_hooks(txn, t, key, old, item);
}

int itemstore_delete(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old,
                     itemstore_effect_t *effect)
{
    int rc = store_del(txn, STORE_DB_ITEMS, key_str(key));
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if ((rc = index_write(txn, t, key, old, NULL, effect)) != 0)
        return rc;
    rc = catalog_stats_add(txn, t->id, -1, -(int64_t)item_size(old));
    if (!rc)
        rc = ttl_on_write(txn, t, key, old, NULL);
    return rc ? rc : run_hooks(txn, t, key, old, NULL);
}

int itemstore_drop_table(store_txn_t *txn, const table_t *t)
{
    key_buf_t prefix;
    key_encode_table(t->id, &prefix);
    int rc = store_del_prefix(txn, STORE_DB_ITEMS, key_str(&prefix), NULL);
    return rc ? rc : itemstore_detach_table(txn, t);
}

int itemstore_detach_table(store_txn_t *txn, const table_t *t)
{
    int rc = ttl_drop_table(txn, t->id);
    if (!rc)
        rc = index_drop_table(txn, t);
    if (rc)
        return rc;
    return catalog_stats_drop(txn, t->id);
}
