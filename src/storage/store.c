/* store.c - LMDB behind store.h. The only file that includes lmdb.h. */
#include "storage/store.h"
#include "base/alloc.h"
#include "base/endian.h"
#include "base/log.h"
#include "storage/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const db_names[STORE_DB_COUNT_] = {
    [STORE_DB_META] = "meta",
    [STORE_DB_CATALOG] = "catalog",
    [STORE_DB_ITEMS] = "items",
    [STORE_DB_STATS] = "stats",
    [STORE_DB_TOKENS] = "tokens",
    [STORE_DB_STREAMS] = "streams",
    [STORE_DB_STREAM_META] = "stream_meta",
    [STORE_DB_TTL] = "ttl",
    [STORE_DB_INDEX] = "index",
    [STORE_DB_TRIGGERS] = "triggers",
    [STORE_DB_SNAPSHOTS] = "snapshots",
    [STORE_DB_HISTORY] = "history",
    [STORE_DB_HISTORY_LOG] = "history_log",
    [STORE_DB_BACKUPS] = "backups",
    [STORE_DB_BACKUP_ITEMS] = "backup_items",
};

struct store_txn {
    MDB_txn *txn;
    store_t *store;
};

struct store {
    MDB_env *env;
    MDB_dbi dbi[STORE_DB_COUNT_];
    store_txn_t read; /* the loop thread's recycled read transaction */
    bool read_live; /* read.txn exists (reset or active) */
    bool read_active; /* between store_read_begin and store_read_end */
    store_txn_t write;
    int lock_fd; /* data.mdb, flock'ed as store_lock_t says */
    int dir_fd; /* the directory, flock'ed by a server (STORE_LOCK_SERVER) */
    /* Growing the map remaps it: no read may be running (they hold remap
     * for reading), and the write transaction must be between batches. */
    pthread_rwlock_t remap;
    atomic_bool want_grow; /* a write found the map full */
    size_t map_size, max_size;
    bool no_sync;
};

struct store_cursor {
    MDB_cursor *cur;
};

static int map_rc(int rc)
{
    switch (rc) {
    case MDB_SUCCESS: return 0;
    case MDB_NOTFOUND: return STORE_NOTFOUND;
    case MDB_MAP_FULL: return STORE_ERR_MAP_FULL;
    case MDB_BAD_VALSIZE: return STORE_ERR_KEY;
    case ENOSPC:
    case EDQUOT: return STORE_ERR_NOSPACE;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID: return STORE_ERR_CORRUPTED;
    case MDB_PANIC: return STORE_ERR_PANIC;
    default: return STORE_ERR_IO;
    }
}

/* map_rc for a write: a full map asks for growth before the next one. */
static int write_rc(store_txn_t *t, int rc)
{
    int r = map_rc(rc);
    if (r == STORE_ERR_MAP_FULL)
        atomic_store(&t->store->want_grow, true);
    return r;
}

const char *store_strerror(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case STORE_NOTFOUND: return "not found";
    case STORE_ERR_MAP_FULL: return "the database is full (its map reached --max-size)";
    case STORE_ERR_KEY: return "key size out of range";
    case STORE_ERR_NOSPACE: return "the disk is full (no space left for the data directory)";
    case STORE_ERR_CORRUPTED: return "the data file is corrupted";
    case STORE_ERR_PANIC: return "an earlier write failed fatally: restart ddbd";
    case STORE_ERR_LOCKED: return "the data directory is in use by another ddbd";
    default: return "storage I/O error";
    }
}

static MDB_val to_val(str_t s) { return (MDB_val){s.len, (void *)s.ptr}; }
static str_t from_val(MDB_val v) { return (str_t){v.mv_data, v.mv_size}; }

static int open_dbs(store_t *s, char *why, size_t why_len)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc) {
        snprintf(why, why_len, "mdb_txn_begin: %s", mdb_strerror(rc));
        return map_rc(rc);
    }
    for (int i = 0; i < STORE_DB_COUNT_; i++) {
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
        if (rc) {
            snprintf(why, why_len, "mdb_dbi_open(%s): %s", db_names[i], mdb_strerror(rc));
            mdb_txn_abort(txn);
            return map_rc(rc);
        }
    }
    rc = mdb_txn_commit(txn);
    if (rc)
        snprintf(why, why_len, "mdb_txn_commit: %s", mdb_strerror(rc));
    return map_rc(rc);
}

/* The advisory lock of store_lock_t on data.mdb (s->lock_fd: one open
 * file description for the whole store, so its locks never meet each
 * other); released when the process ends. */
static int take_lock(store_t *s, const store_opts_t *o, char *why, size_t why_len)
{
    if (o->lock == STORE_LOCK_NONE)
        return 0;
    bool shared = o->lock != STORE_LOCK_EXCLUSIVE;
    if (flock(s->lock_fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
        return 0;
    if (errno != EWOULDBLOCK) {
        snprintf(why, why_len, "cannot lock %s/data.mdb: %s", o->dir, strerror(errno));
        return STORE_ERR_IO;
    }
    snprintf(why, why_len,
             shared ? "%s is in use by a ddbd command (snapshot, reset, dump or load): wait for it to finish"
                    : "%s is in use by a running ddbd: stop it first, or use its /_ddbd/ endpoints",
             o->dir);
    return STORE_ERR_LOCKED;
}

/* One ddbd server per data directory: LMDB itself lets several processes
 * share one, but a server keeps state beside it (stream positions,
 * caches, trigger checkpoints) that only one process may own. */
static int lock_server(store_t *s, const char *dir, char *why, size_t why_len)
{
    s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->dir_fd >= 0 && flock(s->dir_fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    snprintf(why, why_len, "the data directory %s is in use by another ddbd (a server holds it)", dir);
    return STORE_ERR_LOCKED;
}

/* Opens data.mdb beside LMDB (for the checks at open and the locks) and
 * takes the locks o asks for. */
static int lock_dir(store_t *s, const store_opts_t *o, char *why, size_t why_len)
{
    const char *dir = o->dir;
    char path[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        int e = errno;
        if (e == EROFS || e == EACCES || e == EPERM)
            snprintf(why, why_len, "the data directory %s is not writable (%s): ddbd needs to write there", dir,
                     strerror(e));
        else
            snprintf(why, why_len, "cannot open %s: %s", path, strerror(e));
        return e == ENOSPC ? STORE_ERR_NOSPACE : STORE_ERR_IO;
    }
    if (o->lock == STORE_LOCK_SERVER) {
        int rc = lock_server(s, dir, why, why_len);
        if (rc)
            return rc;
    }
    return take_lock(s, o, why, why_len);
}

/* Pages damaged in the middle would crash LMDB when read: walk them all
 * first (storage/verify.h), for files up to STORE_VERIFY_MAX_BYTES (a
 * larger one would hold up the start too long: it is logged). */
#define STORE_VERIFY_MAX_BYTES (2ull << 30)

static int check_pages(store_t *s, const char *dir, size_t psize, unsigned long long size, char *why, size_t why_len)
{
    if (size > STORE_VERIFY_MAX_BYTES) {
        log_info("store: %s/data.mdb is %llu MB: its pages are not checked at start", dir, size >> 20);
        return 0;
    }
    char problem[256];
    if (verify_data_file(s->lock_fd, psize, problem, sizeof problem) == 0)
        return 0;
    snprintf(why, why_len, "%s/data.mdb is damaged (%s); restore it from a copy (or move it away to start empty)", dir,
             problem);
    return STORE_ERR_CORRUPTED;
}

/* A data file cut short (a copy that stopped early, a full disk during a
 * copy) would fault when a page past its end is read: refuse it now. */
static int check_length(store_t *s, const char *dir, char *why, size_t why_len)
{
    MDB_envinfo info;
    MDB_stat st;
    struct stat fs;
    if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &st) || fstat(s->lock_fd, &fs))
        return 0;
    unsigned long long need = ((unsigned long long)info.me_last_pgno + 1) * st.ms_psize;
    if ((unsigned long long)fs.st_size >= need)
        return check_pages(s, dir, st.ms_psize, (unsigned long long)fs.st_size, why, why_len);
    snprintf(why, why_len,
             "%s/data.mdb is truncated: %lld bytes, but its pages need %llu; restore it from a copy (or move it "
             "away to start empty)",
             dir, (long long)fs.st_size, need);
    return STORE_ERR_CORRUPTED;
}

/* The format stamp: written when missing (a new store, or one from before
 * the stamp), refused when newer than this ddbd. */
static int check_format(store_t *s, const char *dir, char *why, size_t why_len)
{
    static const str_t key = STR_LIT("format");
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc) {
        snprintf(why, why_len, "cannot write to %s: %s", dir, mdb_strerror(rc));
        return map_rc(rc);
    }
    MDB_val k = to_val(key), v;
    rc = mdb_get(txn, s->dbi[STORE_DB_META], &k, &v);
    if (rc == 0 && v.mv_size == 4) {
        uint32_t have = be32_get(v.mv_data);
        mdb_txn_abort(txn);
        if (have <= STORE_FORMAT_VERSION)
            return 0;
        snprintf(why, why_len,
                 "%s holds data in format %u, written by a newer ddbd; this one (%s) reads format %d at most", dir,
                 have, DDBD_VERSION, STORE_FORMAT_VERSION);
        return STORE_ERR_IO;
    }
    if (rc == 0 || (rc != MDB_NOTFOUND)) {
        mdb_txn_abort(txn);
        snprintf(why, why_len, "%s: unreadable format stamp (%s)", dir, rc ? mdb_strerror(rc) : "bad size");
        return rc ? map_rc(rc) : STORE_ERR_CORRUPTED;
    }
    uint8_t b[4];
    be32_put(b, STORE_FORMAT_VERSION);
    v = (MDB_val){4, b};
    rc = mdb_put(txn, s->dbi[STORE_DB_META], &k, &v, 0);
    rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    if (rc)
        snprintf(why, why_len, "cannot write to %s: %s", dir, mdb_strerror(rc));
    return map_rc(rc);
}

static int env_open(store_t *s, const store_opts_t *o, char *why, size_t why_len)
{
    int rc = mdb_env_create(&s->env);
    if (!rc)
        rc = mdb_env_set_maxdbs(s->env, 64); /* room for every module's databases */
    if (!rc)
        rc = mdb_env_set_mapsize(s->env, o->map_size);
    if (!rc)
        rc = mdb_env_set_maxreaders(s->env, 126);
    /* NOTLS: read transactions are recycled on the loop thread and the
     * write transaction lives on the writer thread. NOMETASYNC: see
     * store_sync in store.h (the writer's pipelined flushes). No
     * WRITEMAP: LMDB has no nested transactions with it (store_nested_*),
     * and a full disk would turn a write through the map into SIGBUS. */
    unsigned flags = MDB_NOTLS | (o->no_sync ? MDB_NOSYNC : MDB_NOMETASYNC);
    if (!rc)
        rc = mdb_env_open(s->env, o->dir, flags, 0644);
    if (rc) {
        snprintf(why, why_len, "cannot open LMDB environment in %s: %s%s", o->dir, mdb_strerror(rc),
                 rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH ? " (data.mdb is not an LMDB file ddbd can read)"
                                                                 : "");
        return map_rc(rc) ? map_rc(rc) : STORE_ERR_IO;
    }
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->map_size = info.me_mapsize;
    return 0;
}

static void store_free(store_t *s)
{
    if (s->env)
        mdb_env_close(s->env);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* after LMDB is done with the file */
    if (s->dir_fd >= 0)
        close(s->dir_fd);
    pthread_rwlock_destroy(&s->remap);
    free(s);
}

int store_open(const store_opts_t *o, store_t **out, char *why, size_t why_len)
{
    if (mkdir(o->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(why, why_len, "cannot create %s: %s", o->dir, strerror(errno));
        return STORE_ERR_IO;
    }
    store_t *s = xcalloc(1, sizeof *s);
    s->lock_fd = s->dir_fd = -1;
    s->max_size = o->max_size;
    pthread_rwlock_init(&s->remap, NULL);
    int rc = lock_dir(s, o, why, why_len);
    if (!rc)
        rc = env_open(s, o, why, why_len);
    if (!rc)
        rc = check_length(s, o->dir, why, why_len);
    if (rc) {
        store_free(s);
        return rc;
    }
    /* Readers left behind by a killed process would pin old pages. */
    int dead;
    mdb_reader_check(s->env, &dead);
    rc = open_dbs(s, why, why_len);
    if (!rc)
        rc = check_format(s, o->dir, why, why_len);
    if (rc) {
        store_free(s);
        return rc;
    }
    s->read.store = s->write.store = s;
    s->no_sync = o->no_sync;
    *out = s;
    return 0;
}

size_t store_map_size(const store_t *s) { return s->map_size; }

void store_close(store_t *s)
{
    if (!s)
        return;
    if (s->read_live)
        mdb_txn_abort(s->read.txn);
    mdb_env_sync(s->env, 1);
    store_free(s);
}

int store_read_begin(store_t *s, store_txn_t **out)
{
    pthread_rwlock_rdlock(&s->remap);
    int rc = s->read_live ? mdb_txn_renew(s->read.txn) : mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->read.txn);
    if (rc) {
        pthread_rwlock_unlock(&s->remap);
        return map_rc(rc);
    }
    s->read_live = s->read_active = true;
    *out = &s->read;
    return 0;
}

void store_read_end(store_txn_t *t)
{
    if (!t || !t->store->read_active)
        return;
    mdb_txn_reset(t->txn);
    t->store->read_active = false;
    pthread_rwlock_unlock(&t->store->remap);
}

/* Writer thread, between transactions: the last write found the map
 * full, so it doubles (up to max_size) while no read runs. */
static void grow_map(store_t *s)
{
    if (!atomic_exchange(&s->want_grow, false))
        return;
    size_t next = s->map_size * 2;
    if (s->max_size && next > s->max_size)
        next = s->max_size;
    if (next <= s->map_size)
        return; /* at --max-size: the write fails with MAP_FULL */
    pthread_rwlock_wrlock(&s->remap);
    int rc = mdb_env_set_mapsize(s->env, next);
    pthread_rwlock_unlock(&s->remap);
    if (rc) {
        log_error("store: cannot grow the map to %zu bytes: %s", next, mdb_strerror(rc));
        return;
    }
    log_warn("store: the database map was full; grown from %zu to %zu MB", s->map_size >> 20, next >> 20);
    s->map_size = next;
}

int store_write_begin(store_t *s, store_txn_t **out)
{
    grow_map(s);
    int rc = mdb_txn_begin(s->env, NULL, 0, &s->write.txn);
    if (rc)
        return map_rc(rc);
    *out = &s->write;
    return 0;
}

int store_write_commit(store_txn_t *t)
{
    int rc = mdb_txn_commit(t->txn);
    t->txn = NULL;
    return write_rc(t, rc);
}

void store_write_abort(store_txn_t *t)
{
    mdb_txn_abort(t->txn);
    t->txn = NULL;
}

bool store_needs_sync(const store_t *s) { return !s->no_sync; }

int store_sync(store_t *s) { return map_rc(mdb_env_sync(s->env, 1)); }

uint64_t store_last_txnid(store_t *s)
{
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    return (uint64_t)info.me_last_txnid;
}

int store_nested_begin(store_txn_t *parent, store_txn_t **out)
{
    store_txn_t *c = xcalloc(1, sizeof *c);
    c->store = parent->store;
    int rc = mdb_txn_begin(parent->store->env, parent->txn, 0, &c->txn);
    if (rc) {
        free(c);
        return map_rc(rc);
    }
    *out = c;
    return 0;
}

int store_nested_commit(store_txn_t *child)
{
    int rc = mdb_txn_commit(child->txn);
    free(child);
    return map_rc(rc);
}

void store_nested_abort(store_txn_t *child)
{
    mdb_txn_abort(child->txn);
    free(child);
}

int store_get(store_txn_t *t, store_db_t db, str_t key, str_t *val)
{
    MDB_val k = to_val(key), v;
    int rc = mdb_get(t->txn, t->store->dbi[db], &k, &v);
    if (rc == 0)
        *val = from_val(v);
    return map_rc(rc);
}

int store_put(store_txn_t *t, store_db_t db, str_t key, str_t val)
{
    MDB_val k = to_val(key), v = to_val(val);
    return write_rc(t, mdb_put(t->txn, t->store->dbi[db], &k, &v, 0));
}

int store_del(store_txn_t *t, store_db_t db, str_t key)
{
    MDB_val k = to_val(key);
    return write_rc(t, mdb_del(t->txn, t->store->dbi[db], &k, NULL));
}

int store_del_prefix(store_txn_t *t, store_db_t db, str_t prefix, uint64_t *deleted)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur);
    if (rc)
        return map_rc(rc);
    MDB_val k = to_val(prefix), v;
    uint64_t n = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= prefix.len && memcmp(k.mv_data, prefix.ptr, prefix.len) == 0) {
        rc = mdb_cursor_del(cur, 0);
        if (rc)
            break;
        n++;
        /* Re-seek rather than rely on where a delete leaves the cursor. */
        k = to_val(prefix);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    }
    mdb_cursor_close(cur);
    if (deleted)
        *deleted = n;
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : write_rc(t, rc);
}

int store_del_range(store_txn_t *t, store_db_t db, str_t prefix, uint64_t *deleted)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &cur);
    if (rc)
        return map_rc(rc);
    MDB_val k = to_val(prefix), v;
    uint64_t n = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size >= prefix.len && memcmp(k.mv_data, prefix.ptr, prefix.len) == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if ((rc = mdb_cursor_del(cur, 0)) != 0)
            break;
        n++;
    }
    mdb_cursor_close(cur);
    if (deleted)
        *deleted = n;
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : map_rc(rc);
}

int store_clear(store_txn_t *t, store_db_t db) { return map_rc(mdb_drop(t->txn, t->store->dbi[db], 0)); }

int store_append(store_txn_t *t, store_db_t db, str_t key, str_t val)
{
    MDB_val k = to_val(key), v = to_val(val);
    return map_rc(mdb_put(t->txn, t->store->dbi[db], &k, &v, MDB_APPEND));
}

const char *store_db_name(store_db_t db) { return db_names[db]; }

int store_db_by_name(str_t name, store_db_t *out)
{
    for (int i = 0; i < STORE_DB_COUNT_; i++)
        if (str_eq_cstr(name, db_names[i])) {
            *out = (store_db_t)i;
            return 0;
        }
    return -1;
}

int store_cursor_open(store_txn_t *t, store_db_t db, store_cursor_t **out)
{
    store_cursor_t *c = xmalloc(sizeof *c);
    int rc = mdb_cursor_open(t->txn, t->store->dbi[db], &c->cur);
    if (rc) {
        free(c);
        return map_rc(rc);
    }
    *out = c;
    return 0;
}

void store_cursor_close(store_cursor_t *c)
{
    if (!c)
        return;
    mdb_cursor_close(c->cur);
    free(c);
}

static int cursor_op(store_cursor_t *c, MDB_val *k, MDB_cursor_op op, str_t *ko, str_t *vo)
{
    MDB_val v;
    int rc = mdb_cursor_get(c->cur, k, &v, op);
    if (rc == 0) {
        *ko = from_val(*k);
        *vo = from_val(v);
    }
    return map_rc(rc);
}

int store_cursor_seek(store_cursor_t *c, str_t key, str_t *k, str_t *v)
{
    MDB_val mk = to_val(key);
    if (key.len == 0)
        return cursor_op(c, &mk, MDB_FIRST, k, v);
    return cursor_op(c, &mk, MDB_SET_RANGE, k, v);
}

int store_cursor_seek_before(store_cursor_t *c, str_t key, str_t *k, str_t *v)
{
    MDB_val mk = to_val(key);
    int rc = cursor_op(c, &mk, MDB_SET_RANGE, k, v);
    if (rc == STORE_NOTFOUND) {
        mk = (MDB_val){0, NULL};
        return cursor_op(c, &mk, MDB_LAST, k, v);
    }
    if (rc)
        return rc;
    return store_cursor_prev(c, k, v);
}

int store_cursor_next(store_cursor_t *c, str_t *k, str_t *v)
{
    MDB_val mk;
    return cursor_op(c, &mk, MDB_NEXT, k, v);
}

int store_cursor_prev(store_cursor_t *c, str_t *k, str_t *v)
{
    MDB_val mk;
    return cursor_op(c, &mk, MDB_PREV, k, v);
}
