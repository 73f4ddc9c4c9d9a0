/* import_jobs.h - the work of ImportTable and StartBulkPutItems: reading
 * the objects under an S3 prefix in the --s3-dir (DynamoDB JSON lines, Ion
 * values, CSV records; uncompressed, gzip or zstd) and writing their items,
 * through itemstore (indexes, streams, history as for any write), into the
 * table the import created or the existing table a bulk put names.
 *
 * The job (backup_store.h, kind BACKUP_JOB_IMPORT) runs one chunk of
 * records per writer transaction. Its row keeps the object list (taken at
 * the first chunk, in key order), the object and decompressed byte offset
 * of the next record, the record's index in its object, a CSV object's
 * header, and the counts; the decompressing reader stays open on the
 * writer thread between chunks, and is opened again and skipped forward
 * when it does not match the row (a restart, a retried commit).
 *
 * What AWS's developer guide says of import errors ("Import format quotas
 * and validation"), done so: an item that fails validation (a missing or
 * mistyped key, an index key of the wrong type, more than 400 KB) is
 * skipped and counted (ErrorCount), and an error record goes to the import's
 * log in the shape of the CloudWatch events AWS writes to the log group
 * /aws-dynamodb/imports, stream <import id>/error:
 *   {"itemS3Pointer":{"bucket","key","itemIndex"},"importArn","errorMessages":[...]}
 * (kept with the import, read through GET /_ddbd/imports/<id>/errors, and
 * logged). A DynamoDB JSON line that is not JSON counts one error and the
 * next line is read (lines stand alone); an Ion or CSV syntax error, or an
 * object that cannot be decompressed, counts one error and the rest of
 * that object is skipped (the guide: "we may skip processing the remaining
 * portion of the object"). Items with the same key overwrite each other. At the end an
 * import with errors is FAILED (ItemValidationError, the guide's words) and
 * its table ACTIVE with what was imported; a missing bucket fails it before
 * anything is written (S3NoSuchBucket) and the table is not kept. A bulk put
 * ends COMPLETED or COMPLETED_WITH_ERRORS (FailedItemCount), or CANCELLED
 * after CancelBulkOperation. */
#ifndef DDBD_IMPORT_JOBS_H
#define DDBD_IMPORT_JOBS_H

#include <stddef.h>

#include "storage/backup_store.h"
#include "storage/catalog.h"
#include "storage/store.h"

#define IMPORT_MAX_OBJECTS 50000
#define IMPORT_LOG_MAX 10000 /* error records kept per import */
#define IMPORT_LOG_REC 'L' /* their rows: id "<import id>/<8 digits>" */

/* Writer thread: the next chunk (about max records) of job j. */
int import_job_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, size_t max);
/* After the writer stopped: closes a reader left open. */
void import_jobs_release(void);

#endif
