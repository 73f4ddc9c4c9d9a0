/* backup_store.c - backup records, backup items and the job list (see
 * backup_store.h). */
#include "storage/backup_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/endian.h"
#include "base/rand.h"

static str_t str_of(const void *p, size_t n) { return (str_t){(const char *)p, n}; }

void backup_new_id(int64_t now_ms, bool system, char *out)
{
    if (system) {
        snprintf(out, BACKUP_ID_LEN + 1, "%014lld-%s", (long long)now_ms, BACKUP_SYSTEM_SUFFIX);
        return;
    }
    uint8_t r[4];
    rand_bytes(r, sizeof r);
    snprintf(out, BACKUP_ID_LEN + 1, "%014lld-%02x%02x%02x%02x", (long long)now_ms, r[0], r[1], r[2], r[3]);
}

str_t backup_id_of_arn(str_t arn)
{
    static const char marker[] = "/backup/";
    size_t m = sizeof marker - 1;
    if (arn.len < m + BACKUP_ID_LEN || memcmp(arn.ptr, "arn:", 4) != 0)
        return STR_NULL;
    str_t id = {arn.ptr + arn.len - BACKUP_ID_LEN, BACKUP_ID_LEN};
    if (memcmp(id.ptr - m, marker, m) != 0 || id.ptr[14] != '-')
        return STR_NULL;
    return id;
}

/* ---- records ---------------------------------------------------------------- */

static void record_key(buf_t *k, char kind, const char *ns, str_t id)
{
    buf_putc(k, kind);
    buf_puts(k, ns);
    buf_putc(k, '\0');
    buf_append(k, id.ptr, id.len);
}

static int load_json(str_t v, json_t **out)
{
    *out = json_loadb(v.ptr, v.len, 0, NULL);
    return *out ? 0 : STORE_ERR_IO;
}

static int put_json(store_txn_t *txn, const buf_t *k, const json_t *j)
{
    char *s = xjson_dumps(j, JSON_COMPACT);
    int rc = store_put(txn, STORE_DB_BACKUPS, (str_t){k->data, k->len}, str_from_cstr(s));
    free(s);
    return rc;
}

static int get_json(store_txn_t *txn, const buf_t *k, json_t **out)
{
    str_t v;
    *out = NULL;
    int rc = store_get(txn, STORE_DB_BACKUPS, (str_t){k->data, k->len}, &v);
    if (rc == STORE_NOTFOUND)
        return 0;
    return rc ? rc : load_json(v, out);
}

int backup_rec_get(store_txn_t *txn, char kind, const char *ns, str_t id, json_t **out)
{
    buf_t k = BUF_INIT;
    record_key(&k, kind, ns, id);
    int rc = get_json(txn, &k, out);
    buf_free(&k);
    return rc;
}

int backup_rec_put(store_txn_t *txn, char kind, const char *ns, str_t id, const json_t *rec)
{
    buf_t k = BUF_INIT;
    record_key(&k, kind, ns, id);
    int rc = put_json(txn, &k, rec);
    buf_free(&k);
    return rc;
}

int backup_delete(store_txn_t *txn, const char *ns, str_t id)
{
    json_t *rec;
    int rc = backup_get(txn, ns, id, &rec);
    if (rc || !rec)
        return rc;
    rc = backup_drop_data(txn, (uint32_t)json_integer_value(json_object_get(rec, "data")));
    json_decref(rec);
    return rc ? rc : backup_rec_delete(txn, BACKUP_REC_BACKUP, ns, id);
}

int backup_get(store_txn_t *txn, const char *ns, str_t id, json_t **out)
{
    return backup_rec_get(txn, BACKUP_REC_BACKUP, ns, id, out);
}

int backup_put(store_txn_t *txn, const char *ns, str_t id, const json_t *rec)
{
    return backup_rec_put(txn, BACKUP_REC_BACKUP, ns, id, rec);
}

int backup_rec_delete(store_txn_t *txn, char kind, const char *ns, str_t id)
{
    buf_t k = BUF_INIT;
    record_key(&k, kind, ns, id);
    int rc = store_del(txn, STORE_DB_BACKUPS, (str_t){k.data, k.len});
    buf_free(&k);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int backup_each(store_txn_t *txn, const char *ns, str_t after, int (*fn)(void *ud, str_t id, json_t *rec), void *ud)
{
    return backup_rec_each(txn, BACKUP_REC_BACKUP, ns, after, fn, ud);
}

int backup_rec_each(store_txn_t *txn, char kind, const char *ns, str_t after,
                    int (*fn)(void *ud, str_t id, json_t *rec), void *ud)
{
    buf_t prefix = BUF_INIT, start = BUF_INIT;
    record_key(&prefix, kind, ns, STR_NULL);
    record_key(&start, kind, ns, after);
    if (after.len)
        buf_putc(&start, '\0'); /* strictly after */
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_BACKUPS, &c);
    if (rc == 0) {
        str_t k, v;
        rc = store_cursor_seek(c, (str_t){start.data, start.len}, &k, &v);
        for (; rc == 0 && k.len >= prefix.len && memcmp(k.ptr, prefix.data, prefix.len) == 0;
             rc = store_cursor_next(c, &k, &v)) {
            json_t *rec;
            if ((rc = load_json(v, &rec)) != 0)
                break;
            int stop = fn(ud, (str_t){k.ptr + prefix.len, k.len - prefix.len}, rec);
            json_decref(rec);
            if (stop)
                break;
        }
        store_cursor_close(c);
    }
    buf_free(&prefix);
    buf_free(&start);
    return rc < 0 ? rc : 0;
}

int backup_each_all(store_txn_t *txn, int (*fn)(void *ud, const char *ns, str_t id, json_t *rec), void *ud)
{
    return backup_rec_each_all(txn, BACKUP_REC_BACKUP, fn, ud);
}

int backup_rec_each_all(store_txn_t *txn, char kind, int (*fn)(void *ud, const char *ns, str_t id, json_t *rec),
                        void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_BACKUPS, &c);
    if (rc)
        return rc;
    str_t k, v;
    for (rc = store_cursor_seek(c, (str_t){&kind, 1}, &k, &v); rc == 0 && k.len > 1 && k.ptr[0] == kind;
         rc = store_cursor_next(c, &k, &v)) {
        const char *nul = memchr(k.ptr + 1, '\0', k.len - 1);
        json_t *rec;
        if (!nul || load_json(v, &rec))
            continue;
        char *ns = xstrndup(k.ptr + 1, (size_t)(nul - k.ptr - 1));
        int stop = fn(ud, ns, (str_t){nul + 1, k.len - (size_t)(nul + 1 - k.ptr)}, rec);
        free(ns);
        json_decref(rec);
        if (stop)
            break;
    }
    store_cursor_close(c);
    return rc < 0 ? rc : 0;
}

/* ---- items ---------------------------------------------------------------- */

static const str_t data_counter = STR_LIT("backup_next_data");

int backup_next_data_id(store_txn_t *txn, uint32_t *out)
{
    str_t v;
    uint32_t id = 1;
    int rc = store_get(txn, STORE_DB_META, data_counter, &v);
    if (rc < 0)
        return rc;
    if (rc == 0 && v.len == 4)
        memcpy(&id, v.ptr, 4);
    uint32_t next = id + 1;
    rc = store_put(txn, STORE_DB_META, data_counter, str_of(&next, 4));
    if (rc)
        return rc;
    *out = id;
    return 0;
}

int backup_item_put(store_txn_t *txn, uint32_t data_id, const key_buf_t *key, const value_t *item, int64_t *bytes,
                    int64_t *items)
{
    key_buf_t k = *key;
    be32_put(k.b, data_id);
    str_t ks = str_of(k.b, k.len), old;
    *bytes = (int64_t)item_size(item);
    *items = 1;
    int rc = store_get(txn, STORE_DB_BACKUP_ITEMS, ks, &old);
    if (rc == 0) { /* already copied (the history's second pass): replace, count once */
        arena_t a;
        arena_init(&a);
        value_t prev;
        if (value_decode(&a, (const uint8_t *)old.ptr, old.len, &prev) == 0)
            *bytes -= (int64_t)item_size(&prev);
        arena_free(&a);
        *items = 0;
    } else if (rc != STORE_NOTFOUND) {
        return rc;
    }
    buf_t enc = BUF_INIT;
    value_encode(&enc, item);
    rc = store_put(txn, STORE_DB_BACKUP_ITEMS, ks, (str_t){enc.data, enc.len});
    buf_free(&enc);
    return rc;
}

int backup_drop_data(store_txn_t *txn, uint32_t data_id)
{
    uint8_t p[4];
    be32_put(p, data_id);
    return store_del_prefix(txn, STORE_DB_BACKUP_ITEMS, str_of(p, 4), NULL);
}

/* ---- jobs ---------------------------------------------------------------- */

static void job_key(buf_t *k, char kind, const char *ns, str_t name)
{
    buf_putc(k, 'J');
    buf_putc(k, kind);
    buf_puts(k, ns);
    buf_putc(k, '\0');
    buf_append(k, name.ptr, name.len);
}

int backup_job_put(store_txn_t *txn, char kind, const char *ns, str_t name, const json_t *job)
{
    buf_t k = BUF_INIT;
    job_key(&k, kind, ns, name);
    int rc = put_json(txn, &k, job);
    buf_free(&k);
    return rc;
}

int backup_job_get(store_txn_t *txn, char kind, const char *ns, str_t name, json_t **out)
{
    buf_t k = BUF_INIT;
    job_key(&k, kind, ns, name);
    int rc = get_json(txn, &k, out);
    buf_free(&k);
    return rc;
}

int backup_job_delete(store_txn_t *txn, char kind, const char *ns, str_t name)
{
    buf_t k = BUF_INIT;
    job_key(&k, kind, ns, name);
    int rc = store_del(txn, STORE_DB_BACKUPS, (str_t){k.data, k.len});
    buf_free(&k);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* The job row k/v as a ref; false when it is not one. */
static bool job_ref(str_t k, str_t v, backup_job_ref_t *out)
{
    const char *nul = k.len > 2 ? memchr(k.ptr + 2, '\0', k.len - 2) : NULL;
    json_t *job = json_loadb(v.ptr, v.len, 0, NULL);
    if (!nul || !job) {
        json_decref(job);
        return false;
    }
    *out = (backup_job_ref_t){k.ptr[1], xstrndup(k.ptr + 2, (size_t)(nul - k.ptr - 2)),
                              xstrndup(nul + 1, k.len - (size_t)(nul + 1 - k.ptr)), job};
    return true;
}

int backup_job_each(store_txn_t *txn, int (*fn)(void *ud, const backup_job_ref_t *j), void *ud)
{
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_BACKUPS, &c);
    if (rc)
        return rc;
    str_t k, v;
    for (rc = store_cursor_seek(c, STR_LIT("J"), &k, &v); rc == 0 && k.len > 1 && k.ptr[0] == 'J';
         rc = store_cursor_next(c, &k, &v)) {
        backup_job_ref_t j;
        if (!job_ref(k, v, &j))
            continue;
        int stop = fn(ud, &j);
        backup_job_ref_free(&j);
        if (stop)
            break;
    }
    store_cursor_close(c);
    return rc < 0 ? rc : 0;
}

static int take_first(void *ud, const backup_job_ref_t *j)
{
    backup_job_ref_t *out = ud;
    *out = (backup_job_ref_t){j->kind, xstrdup(j->ns), xstrdup(j->name), json_incref(j->job)};
    return 1;
}

int backup_job_first(store_txn_t *txn, backup_job_ref_t *out, bool *found)
{
    memset(out, 0, sizeof *out);
    int rc = backup_job_each(txn, take_first, out);
    *found = out->job != NULL;
    return rc;
}

void backup_job_ref_free(backup_job_ref_t *j)
{
    free(j->ns);
    free(j->name);
    json_decref(j->job);
    memset(j, 0, sizeof *j);
}
