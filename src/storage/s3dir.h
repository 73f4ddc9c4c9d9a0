/* s3dir.h - a local directory that stands in for Amazon S3 (--s3-dir):
 * bucket b, key k is the file DIR/b/k. Exports write there, imports and
 * bulk puts read from there.
 *
 * As in S3, a bucket must exist (a directory made beforehand) and keys
 * are flat strings: a prefix matches every key that starts with it, "/"
 * included or not. What a file system cannot hold is refused: keys with an
 * empty, "." or ".." path segment (S3 would take them literally), keys
 * over 1024 bytes. Objects appear whole: a written object goes to a
 * temporary name (ending S3DIR_TMP_SUFFIX, never listed) and is renamed
 * into place, after an fsync.
 *
 * Objects are read through a decompressing stream (none, gzip with
 * concatenated members, zstd with concatenated frames) and written
 * gzip-compressed with their MD5 kept, for the checksums S3 and DynamoDB
 * report. */
#ifndef DDBD_S3DIR_H
#define DDBD_S3DIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/md5.h"
#include "base/str.h"

#define S3DIR_TMP_SUFFIX ".ddbd-tmp"
#define S3DIR_KEY_MAX 1024
#define S3DIR_WALK_DEPTH 64 /* directory levels listed below a bucket */

/* Start-up, before any thread: the directory (created when missing).
 * Until set, s3dir_root() is NULL and nothing here is usable. */
int s3dir_set_root(const char *dir, char *why, size_t why_len);
const char *s3dir_root(void);
void s3dir_reset(void); /* forget the root (tests) */

/* A key (or a key prefix) a file system can hold here. */
bool s3dir_key_ok(str_t key);
bool s3dir_bucket_exists(const char *bucket);

typedef struct s3dir_object {
    char *key;
    uint64_t size;
} s3dir_object_t;

/* The keys of bucket starting with prefix, in S3's order (bytewise), at
 * most max of them (*more when others remain). Returns 0, or -1 with why
 * (a missing bucket: *no_bucket). The list is malloc'ed. */
int s3dir_list(const char *bucket, const char *prefix, size_t max, s3dir_object_t **out, size_t *n, bool *more,
               bool *no_bucket, char *why, size_t why_len);
void s3dir_list_free(s3dir_object_t *list, size_t n);

/* A whole small object, written as it is. */
int s3dir_put(const char *bucket, const char *key, const void *data, size_t n, char *why, size_t why_len);

/* ---- a gzip-compressed object being written ---- */
typedef struct s3dir_gz s3dir_gz_t;
int s3dir_gz_open(const char *bucket, const char *key, s3dir_gz_t **out, char *why, size_t why_len);
int s3dir_gz_write(s3dir_gz_t *w, const void *data, size_t n, char *why, size_t why_len);
/* Finishes and puts the object in place: its MD5 and size as stored. */
int s3dir_gz_close(s3dir_gz_t *w, uint8_t md5_out[MD5_LEN], uint64_t *size, char *why, size_t why_len);
void s3dir_gz_abort(s3dir_gz_t *w); /* drops the temporary file */

/* ---- an object being read ---- */
typedef enum s3dir_codec { S3DIR_NONE = 0, S3DIR_GZIP, S3DIR_ZSTD } s3dir_codec_t;
typedef struct s3dir_reader s3dir_reader_t;
int s3dir_open(const char *bucket, const char *key, s3dir_codec_t codec, s3dir_reader_t **out, char *why,
               size_t why_len);
/* Up to n decompressed bytes: their count, 0 at the end, -1 with why. */
ssize_t s3dir_read(s3dir_reader_t *r, void *buf, size_t n, char *why, size_t why_len);
/* Object bytes read so far (compressed ones, for a compressed object). */
uint64_t s3dir_read_raw(const s3dir_reader_t *r);
void s3dir_close(s3dir_reader_t *r);

#endif
