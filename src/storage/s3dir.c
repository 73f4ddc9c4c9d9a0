/* s3dir.c - the directory that stands in for S3 (see s3dir.h). */
#include "storage/s3dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/buf.h"

#define IO_CHUNK (64 * 1024)

static char *root;

static int whyf(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int whyf(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

int s3dir_set_root(const char *dir, char *why, size_t why_len)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return whyf(why, why_len, "cannot create %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return whyf(why, why_len, "%s is not a directory", dir);
    free(root);
    root = xstrdup(dir);
    return 0;
}

const char *s3dir_root(void) { return root; }

void s3dir_reset(void)
{
    free(root);
    root = NULL;
}

bool s3dir_key_ok(str_t key)
{
    if (key.len > S3DIR_KEY_MAX || memchr(key.ptr, '\0', key.len))
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= key.len; i++) {
        if (i < key.len && key.ptr[i] != '/')
            continue;
        size_t n = i - start;
        const char *seg = key.ptr + start;
        /* an empty segment is fine at the very end (a prefix "p/") */
        if ((n == 0 && i < key.len) || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        start = i + 1;
    }
    return true;
}

static char *path_of(const char *bucket, const char *key)
{
    return key ? xasprintf("%s/%s/%s", root, bucket, key) : xasprintf("%s/%s", root, bucket);
}

static bool bucket_ok(const char *bucket)
{
    return root && *bucket && !strchr(bucket, '/') && strcmp(bucket, ".") != 0 && strcmp(bucket, "..") != 0;
}

bool s3dir_bucket_exists(const char *bucket)
{
    if (!bucket_ok(bucket))
        return false;
    char *p = path_of(bucket, NULL);
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return ok;
}

/* ---- listing ------------------------------------------------------------------ */

typedef struct walk {
    const char *prefix;
    size_t plen;
    s3dir_object_t *list;
    size_t n, cap, limit;
    int err;
} walk_t;

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Whether a key under directory rel (with its "/") could start with prefix. */
static bool may_match(const walk_t *w, const char *rel)
{
    size_t n = strlen(rel);
    return strncmp(rel, w->prefix, n < w->plen ? n : w->plen) == 0;
}

static void walk_dir(walk_t *w, const char *abs, const char *rel, int depth)
{
    DIR *d = opendir(abs);
    if (!d) {
        w->err = errno;
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL && w->n < w->limit) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || ends_with(de->d_name, S3DIR_TMP_SUFFIX))
            continue;
        char *a = xasprintf("%s/%s", abs, de->d_name);
        char *r = xasprintf("%s%s", rel, de->d_name);
        struct stat st;
        if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
            char *rd = xasprintf("%s/", r);
            if (depth < S3DIR_WALK_DEPTH && may_match(w, rd))
                walk_dir(w, a, rd, depth + 1);
            free(rd);
        } else if (S_ISREG(st.st_mode) && strncmp(r, w->prefix, w->plen) == 0 && strlen(r) <= S3DIR_KEY_MAX) {
            if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 16;
                w->list = xreallocarray(w->list, w->cap, sizeof *w->list);
            }
            w->list[w->n++] = (s3dir_object_t){r, (uint64_t)st.st_size};
            r = NULL;
        }
        free(a);
        free(r);
    }
    closedir(d);
}

static int key_cmp(const void *x, const void *y)
{
    return strcmp(((const s3dir_object_t *)x)->key, ((const s3dir_object_t *)y)->key);
}

int s3dir_list(const char *bucket, const char *prefix, size_t max, s3dir_object_t **out, size_t *n, bool *more,
               bool *no_bucket, char *why, size_t why_len)
{
    *out = NULL;
    *n = 0;
    *more = false;
    *no_bucket = !s3dir_bucket_exists(bucket);
    if (*no_bucket)
        return whyf(why, why_len, "The specified bucket does not exist");
    /* walk everything that may match, sort, then cut at max: S3 lists in
     * key order, and a directory's entries come in no order */
    walk_t w = {prefix, strlen(prefix), NULL, 0, 0, (size_t)-1, 0};
    char *abs = path_of(bucket, NULL);
    walk_dir(&w, abs, "", 0);
    free(abs);
    if (w.err && !w.n) {
        s3dir_list_free(w.list, w.n);
        return whyf(why, why_len, "cannot list bucket %s: %s", bucket, strerror(w.err));
    }
    qsort(w.list, w.n, sizeof *w.list, key_cmp);
    if (w.n > max) {
        for (size_t i = max; i < w.n; i++)
            free(w.list[i].key);
        w.n = max;
        *more = true;
    }
    *out = w.list;
    *n = w.n;
    return 0;
}

void s3dir_list_free(s3dir_object_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].key);
    free(list);
}

/* ---- writing -------------------------------------------------------------------- */

/* Makes the directories key's file goes in. */
static int make_dirs(const char *bucket, const char *key, char *why, size_t why_len)
{
    char *p = path_of(bucket, key);
    size_t skip = strlen(root) + 1 + strlen(bucket); /* the bucket exists */
    for (char *s = p + skip + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        int bad = mkdir(p, 0777) != 0 && errno != EEXIST;
        int e = errno;
        *s = '/';
        if (bad) {
            free(p);
            return whyf(why, why_len, "cannot create a directory for %s: %s", key, strerror(e));
        }
    }
    free(p);
    return 0;
}

static int check_target(const char *bucket, const char *key, char *why, size_t why_len)
{
    if (!root)
        return whyf(why, why_len, "ddbd has no --s3-dir");
    if (!s3dir_bucket_exists(bucket))
        return whyf(why, why_len, "The specified bucket does not exist");
    if (!s3dir_key_ok(str_from_cstr(key)) || !*key || key[strlen(key) - 1] == '/')
        return whyf(why, why_len, "The key %s cannot be stored in --s3-dir", key);
    return make_dirs(bucket, key, why, why_len);
}

/* fsync, close, rename into place. */
static int finish_file(FILE *f, const char *tmp, const char *path, char *why, size_t why_len)
{
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    bad = fclose(f) != 0 || bad;
    if (!bad && rename(tmp, path) != 0)
        bad = 1, e = errno;
    if (bad) {
        unlink(tmp);
        return whyf(why, why_len, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

int s3dir_put(const char *bucket, const char *key, const void *data, size_t n, char *why, size_t why_len)
{
    if (check_target(bucket, key, why, why_len))
        return -1;
    char *path = path_of(bucket, key), *tmp = xasprintf("%s%s", path, S3DIR_TMP_SUFFIX);
    FILE *f = fopen(tmp, "wb");
    int rc = 0;
    if (!f)
        rc = whyf(why, why_len, "cannot write %s: %s", path, strerror(errno));
    else if (n && fwrite(data, 1, n, f) != n)
        rc = whyf(why, why_len, "cannot write %s: %s", path, strerror(errno)), fclose(f), unlink(tmp);
    else
        rc = finish_file(f, tmp, path, why, why_len);
    free(path);
    free(tmp);
    return rc;
}

struct s3dir_gz {
    FILE *f;
    char *path, *tmp;
    z_stream z;
    md5_t md5;
    uint64_t out_bytes;
    unsigned char out[IO_CHUNK];
};

int s3dir_gz_open(const char *bucket, const char *key, s3dir_gz_t **out, char *why, size_t why_len)
{
    *out = NULL;
    if (check_target(bucket, key, why, why_len))
        return -1;
    s3dir_gz_t *w = xcalloc(1, sizeof *w);
    w->path = path_of(bucket, key);
    w->tmp = xasprintf("%s%s", w->path, S3DIR_TMP_SUFFIX);
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        whyf(why, why_len, "cannot write %s: %s", w->path, strerror(errno));
        free(w->path);
        free(w->tmp);
        free(w);
        return -1;
    }
    /* windowBits 15 + 16: a gzip wrapper, as gzip(1) writes */
    if (deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        s3dir_gz_abort(w);
        return whyf(why, why_len, "zlib cannot start");
    }
    md5_init(&w->md5);
    *out = w;
    return 0;
}

static int gz_pump(s3dir_gz_t *w, int flush, char *why, size_t why_len)
{
    int zr;
    do {
        w->z.next_out = w->out;
        w->z.avail_out = sizeof w->out;
        zr = deflate(&w->z, flush);
        size_t got = sizeof w->out - w->z.avail_out;
        if (got && fwrite(w->out, 1, got, w->f) != got)
            return whyf(why, why_len, "cannot write %s: %s", w->path, strerror(errno));
        md5_update(&w->md5, w->out, got);
        w->out_bytes += got;
    } while (w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

int s3dir_gz_write(s3dir_gz_t *w, const void *data, size_t n, char *why, size_t why_len)
{
    w->z.next_in = (Bytef *)(uintptr_t)data;
    w->z.avail_in = (uInt)n;
    return gz_pump(w, Z_NO_FLUSH, why, why_len);
}

int s3dir_gz_close(s3dir_gz_t *w, uint8_t md5_out[MD5_LEN], uint64_t *size, char *why, size_t why_len)
{
    w->z.next_in = NULL;
    w->z.avail_in = 0;
    int rc = gz_pump(w, Z_FINISH, why, why_len);
    deflateEnd(&w->z);
    if (!rc) {
        md5_final(&w->md5, md5_out);
        *size = w->out_bytes;
        rc = finish_file(w->f, w->tmp, w->path, why, why_len);
    } else {
        fclose(w->f);
        unlink(w->tmp);
    }
    free(w->path);
    free(w->tmp);
    free(w);
    return rc;
}

void s3dir_gz_abort(s3dir_gz_t *w)
{
    if (!w)
        return;
    if (w->z.state)
        deflateEnd(&w->z);
    fclose(w->f);
    unlink(w->tmp);
    free(w->path);
    free(w->tmp);
    free(w);
}

/* ---- reading -------------------------------------------------------------------- */

struct s3dir_reader {
    FILE *f;
    s3dir_codec_t codec;
    uint64_t raw;
    bool in_eof, mid; /* mid: inside a gzip member or zstd frame */
    z_stream z;
    ZSTD_DStream *zs;
    ZSTD_inBuffer zin;
    unsigned char in[IO_CHUNK];
    size_t in_len;
};

int s3dir_open(const char *bucket, const char *key, s3dir_codec_t codec, s3dir_reader_t **out, char *why,
               size_t why_len)
{
    *out = NULL;
    if (!bucket_ok(bucket) || !s3dir_key_ok(str_from_cstr(key)))
        return whyf(why, why_len, "The specified key does not exist.");
    char *path = path_of(bucket, key);
    FILE *f = fopen(path, "rb");
    int e = errno;
    free(path);
    if (!f)
        return whyf(why, why_len, e == ENOENT ? "The specified key does not exist." : "cannot read %s: %s", key,
                    strerror(e));
    s3dir_reader_t *r = xcalloc(1, sizeof *r);
    r->f = f;
    r->codec = codec;
    if (codec == S3DIR_GZIP && inflateInit2(&r->z, 15 + 16) != Z_OK) {
        s3dir_close(r);
        return whyf(why, why_len, "zlib cannot start");
    }
    if (codec == S3DIR_ZSTD && !(r->zs = ZSTD_createDStream())) {
        s3dir_close(r);
        return whyf(why, why_len, "zstd cannot start");
    }
    *out = r;
    return 0;
}

/* Reads the next piece of the file into the input buffer: false at its end. */
static bool refill(s3dir_reader_t *r)
{
    if (r->in_eof)
        return false;
    r->in_len = fread(r->in, 1, sizeof r->in, r->f);
    r->raw += r->in_len;
    r->in_eof = r->in_len < sizeof r->in;
    return true;
}

static ssize_t read_gzip(s3dir_reader_t *r, void *buf, size_t n, char *why, size_t why_len)
{
    r->z.next_out = buf;
    r->z.avail_out = (uInt)n;
    while (r->z.avail_out == n) {
        if (r->z.avail_in == 0) {
            if (!refill(r)) {
                if (r->mid)
                    return whyf(why, why_len, "the gzip data is cut off");
                break;
            }
            r->z.next_in = r->in;
            r->z.avail_in = (uInt)r->in_len;
            continue;
        }
        int zr = inflate(&r->z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) { /* another member may follow */
            r->mid = false;
            inflateReset(&r->z);
        } else if (zr == Z_OK || zr == Z_BUF_ERROR) {
            r->mid = true;
        } else {
            return whyf(why, why_len, "not gzip data (%s)", r->z.msg ? r->z.msg : "inflate failed");
        }
    }
    return (ssize_t)(n - r->z.avail_out);
}

static ssize_t read_zstd(s3dir_reader_t *r, void *buf, size_t n, char *why, size_t why_len)
{
    ZSTD_outBuffer out = {buf, n, 0};
    while (out.pos == 0) {
        if (r->zin.pos == r->zin.size) {
            if (!refill(r)) {
                if (r->mid)
                    return whyf(why, why_len, "the zstd data is cut off");
                break;
            }
            r->zin = (ZSTD_inBuffer){r->in, r->in_len, 0};
            continue;
        }
        size_t left = ZSTD_decompressStream(r->zs, &out, &r->zin);
        if (ZSTD_isError(left))
            return whyf(why, why_len, "not zstd data (%s)", ZSTD_getErrorName(left));
        r->mid = left != 0; /* 0: a frame ended and is flushed */
    }
    return (ssize_t)out.pos;
}

ssize_t s3dir_read(s3dir_reader_t *r, void *buf, size_t n, char *why, size_t why_len)
{
    if (n == 0)
        return 0;
    if (r->codec == S3DIR_GZIP)
        return read_gzip(r, buf, n, why, why_len);
    if (r->codec == S3DIR_ZSTD)
        return read_zstd(r, buf, n, why, why_len);
    size_t got = fread(buf, 1, n, r->f);
    r->raw += got;
    if (got == 0 && ferror(r->f))
        return whyf(why, why_len, "cannot read: %s", strerror(errno));
    return (ssize_t)got;
}

uint64_t s3dir_read_raw(const s3dir_reader_t *r) { return r->raw; }

void s3dir_close(s3dir_reader_t *r)
{
    if (!r)
        return;
    if (r->codec == S3DIR_GZIP)
        inflateEnd(&r->z);
    if (r->zs)
        ZSTD_freeDStream(r->zs);
    fclose(r->f);
    free(r);
}
