/* export_jobs.h - ExportTableToPointInTime's work: writing a table's items
 * as they were (a full export) or its changes in a window (an incremental
 * one) into the --s3-dir, in AWS's layout (developer guide, "DynamoDB
 * table export output format"):
 *
 *   <prefix>/AWSDynamoDB/<ExportId>/_started                (empty, first)
 *   <prefix>/AWSDynamoDB/<ExportId>/data/<name>.json.gz     (full exports)
 *   <prefix>/AWSDynamoDB/data/<name>.json.gz                (incremental ones:
 *                                                            a shared folder)
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-files.json     (JSON lines: itemCount,
 *                                                            md5Checksum, etag, dataFileS3Key)
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-files.checksum
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.json   (last: the export is whole)
 *   <prefix>/AWSDynamoDB/<ExportId>/manifest-summary.checksum
 *
 * (.ion.gz for ION). md5Checksum is the base64 MD5 of the stored (gzipped)
 * object; etag is S3's ETag of a one-part multipart upload, the hex MD5 of
 * that MD5 followed by "-1", as in the guide's example; a .checksum file
 * holds the hex MD5 of its manifest (our choice: the guide does not say).
 * A data file holds up to EXPORT_FILE_ITEMS items; an empty export still
 * writes one (empty) data file, as AWS does for an empty partition.
 *
 * The job (backup_store.h, kind BACKUP_JOB_EXPORT, named by the export id)
 * runs one chunk per writer transaction, like a backup copy. A data file
 * is one gzip stream written across chunks; the job row records where the
 * file started, so when the writer thread's open file does not belong to
 * the row (a restart, a retried commit) the file is written again from
 * there. The export's record (BACKUP_REC_EXPORT, see ops/export.c) becomes
 * COMPLETED with its item count and billed size, or FAILED with a
 * FailureCode (S3NoSuchBucket when the bucket's directory is missing,
 * S3AccessDenied when a file cannot be written). */
#ifndef DDBD_EXPORT_JOBS_H
#define DDBD_EXPORT_JOBS_H

#include <stddef.h>

#include "storage/backup_store.h"
#include "storage/catalog.h"
#include "storage/store.h"

#define EXPORT_FILE_ITEMS 100000 /* items per data file (DDBD_TEST_EXPORT_FILE_ITEMS lowers it) */

/* Writer thread: the next chunk (about max items) of export job j. */
int export_job_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, size_t max);
/* After the writer stopped: drops a data file left half-written. */
void export_jobs_release(void);

#endif
