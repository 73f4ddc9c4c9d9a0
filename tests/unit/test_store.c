/* test_store.c - what store_open refuses, each with a message that says
 * what is wrong: a data directory another store holds, a data file that
 * is truncated or not LMDB's, one a newer ddbd wrote; and the map growing
 * when writes fill it, up to max_size and no further. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/endian.h"
#include "check.h"
#include "storage/store.h"

static char dir[256];

static void fresh_dir(const char *name)
{
    snprintf(dir, sizeof dir, "/tmp/ddbd-test-store-%d-%s", (int)getpid(), name);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static void cleanup(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static store_t *open_store(size_t map, size_t max, char *why, size_t why_len)
{
    store_opts_t o = {dir, map, true, STORE_LOCK_SERVER, max};
    store_t *s = NULL;
    why[0] = '\0';
    return store_open(&o, &s, why, why_len) == 0 ? s : NULL;
}

static int put_one(store_t *s, const char *key, const char *val, size_t len)
{
    store_txn_t *t;
    int rc = store_write_begin(s, &t);
    if (rc)
        return rc;
    rc = store_put(t, STORE_DB_ITEMS, str_from_cstr(key), (str_t){val, len});
    if (rc)
        store_write_abort(t);
    else
        rc = store_write_commit(t);
    return rc;
}

/* Puts n values of len bytes under keys prefix.N in one transaction each;
 * a write that finds the map full is tried once more, as the writer does
 * (the next transaction begins in a grown map). */
static int put_values(store_t *s, const char *prefix, int n, size_t len)
{
    char *val = calloc(1, len);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s.%d", prefix, i);
        rc = put_one(s, key, val, len);
        if (rc == STORE_ERR_MAP_FULL)
            rc = put_one(s, key, val, len);
    }
    free(val);
    return rc;
}

static void test_one_store_per_directory(void)
{
    fresh_dir("lock");
    char why[512];
    store_t *a = open_store(1 << 20, 0, why, sizeof why);
    CHECK(a != NULL);
    store_t *b = open_store(1 << 20, 0, why, sizeof why);
    CHECK(b == NULL);
    CHECK(strstr(why, "in use by another ddbd") != NULL);
    store_close(a);
    b = open_store(1 << 20, 0, why, sizeof why); /* free again */
    CHECK(b != NULL);
    store_close(b);
    cleanup();
}

static void test_newer_format_is_refused(void)
{
    fresh_dir("format");
    char why[512];
    store_t *s = open_store(1 << 20, 0, why, sizeof why);
    CHECK(s != NULL);
    store_txn_t *t;
    CHECK(store_write_begin(s, &t) == 0);
    str_t v;
    CHECK(store_get(t, STORE_DB_META, STR_LIT("format"), &v) == 0 && v.len == 4);
    CHECK(be32_get((const uint8_t *)v.ptr) == STORE_FORMAT_VERSION); /* stamped at the first open */
    uint8_t b[4];
    be32_put(b, STORE_FORMAT_VERSION + 1);
    CHECK(store_put(t, STORE_DB_META, STR_LIT("format"), (str_t){(const char *)b, 4}) == 0);
    CHECK(store_write_commit(t) == 0);
    store_close(s);
    s = open_store(1 << 20, 0, why, sizeof why);
    CHECK(s == NULL);
    CHECK(strstr(why, "written by a newer ddbd") != NULL);
    cleanup();
}

static void damage(const char *what, off_t offset, off_t length, bool truncate_it)
{
    char path[400];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    if (truncate_it) {
        CHECK(ftruncate(fd, offset) == 0);
    } else {
        char junk[8192];
        memset(junk, 0xA5, sizeof junk);
        CHECK(pwrite(fd, junk, (size_t)length, offset) == length);
    }
    close(fd);
    (void)what;
}

static void test_truncated_file_is_refused(void)
{
    fresh_dir("truncated");
    char why[512];
    store_t *s = open_store(16 << 20, 0, why, sizeof why);
    CHECK(s != NULL && put_values(s, "k", 200, 3000) == 0);
    store_close(s);
    struct stat st;
    char path[400];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    CHECK(stat(path, &st) == 0);
    damage("truncate", st.st_size / 2, 0, true);
    s = open_store(16 << 20, 0, why, sizeof why);
    CHECK(s == NULL);
    CHECK(strstr(why, "truncated") != NULL);
    cleanup();
}

static void test_not_an_lmdb_file_is_refused(void)
{
    fresh_dir("garbage");
    char why[512];
    store_t *s = open_store(16 << 20, 0, why, sizeof why);
    CHECK(s != NULL && put_values(s, "k", 10, 100) == 0);
    store_close(s);
    damage("meta pages", 0, 8192, false); /* both meta pages */
    s = open_store(16 << 20, 0, why, sizeof why);
    CHECK(s == NULL);
    CHECK(strstr(why, "not an LMDB file") != NULL);
    cleanup();
}

static void test_map_grows_up_to_max_size(void)
{
    fresh_dir("grow");
    char why[512];
    store_t *s = open_store(1 << 20, 4 << 20, why, sizeof why);
    CHECK(s != NULL);
    CHECK(store_map_size(s) == 1 << 20);
    /* 2.4 MB of values: the 1 MB map fills, grows to 2 MB, then 4 MB */
    int rc = put_values(s, "a", 120, 20000);
    CHECK(rc == 0);
    CHECK(store_map_size(s) == 4 << 20);
    /* past --max-size: the write fails cleanly and reads go on */
    rc = put_values(s, "b", 400, 20000);
    CHECK(rc == STORE_ERR_MAP_FULL);
    CHECK(store_map_size(s) == 4 << 20);
    CHECK(strstr(store_strerror(rc), "--max-size") != NULL);
    store_txn_t *t;
    str_t v;
    CHECK(store_read_begin(s, &t) == 0);
    CHECK(store_get(t, STORE_DB_ITEMS, STR_LIT("a.119"), &v) == 0 && v.len == 20000);
    store_read_end(t);
    store_close(s);
    cleanup();
}

int main(void)
{
    RUN(test_one_store_per_directory);
    RUN(test_newer_format_is_refused);
    RUN(test_truncated_file_is_refused);
    RUN(test_not_an_lmdb_file_is_refused);
    RUN(test_map_grows_up_to_max_size);
    return check_done();
}
