/* err.h - DynamoDB's errors, from one list.
 *
 * ERR_LIST gives, per error: the enum name, the __type name, the HTTP
 * status, and the __type namespace (DynamoDB's own, or the Coral service
 * framework's for errors raised before an operation runs). Handlers set an
 * error once with err_set(); only response.c turns it into bytes. */
#ifndef DDBD_ERR_H
#define DDBD_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define ERR_NS_DYNAMODB "com.amazonaws.dynamodb.v20120810#"
#define ERR_NS_CORAL "com.amazon.coral.service#"
#define ERR_NS_CORAL_VALIDATE "com.amazon.coral.validate#"

/*        enum                       __type                                   status namespace */
#define ERR_LIST(X)                                                                                                    \
    X(ERR_VALIDATION, "ValidationException", 400, ERR_NS_DYNAMODB)                                                     \
    X(ERR_SERIALIZATION, "SerializationException", 400, ERR_NS_CORAL)                                                  \
    X(ERR_UNKNOWN_OPERATION, "UnknownOperationException", 400, ERR_NS_CORAL)                                           \
    X(ERR_MISSING_AUTH_TOKEN, "MissingAuthenticationTokenException", 400, ERR_NS_CORAL)                                \
    X(ERR_INCOMPLETE_SIGNATURE, "IncompleteSignatureException", 400, ERR_NS_CORAL)                                     \
    X(ERR_UNRECOGNIZED_CLIENT, "UnrecognizedClientException", 400, ERR_NS_CORAL)                                       \
    X(ERR_INVALID_SIGNATURE, "InvalidSignatureException", 400, ERR_NS_CORAL)                                           \
    X(ERR_ACCESS_DENIED, "AccessDeniedException", 400, ERR_NS_CORAL)                                                   \
    X(ERR_RESOURCE_NOT_FOUND, "ResourceNotFoundException", 400, ERR_NS_DYNAMODB)                                       \
    X(ERR_RESOURCE_IN_USE, "ResourceInUseException", 400, ERR_NS_DYNAMODB)                                             \
    X(ERR_CONDITIONAL_CHECK_FAILED, "ConditionalCheckFailedException", 400, ERR_NS_DYNAMODB)                           \
    X(ERR_DUPLICATE_ITEM, "DuplicateItemException", 400, ERR_NS_DYNAMODB)                                             \
    X(ERR_LIMIT_EXCEEDED, "LimitExceededException", 400, ERR_NS_DYNAMODB)                                              \
    X(ERR_ITEM_COLLECTION_SIZE, "ItemCollectionSizeLimitExceededException", 400, ERR_NS_DYNAMODB)                      \
    X(ERR_TRANSACTION_CANCELED, "TransactionCanceledException", 400, ERR_NS_DYNAMODB)                                  \
    X(ERR_TRANSACTION_CONFLICT, "TransactionConflictException", 400, ERR_NS_DYNAMODB)                                  \
    X(ERR_TRANSACTION_IN_PROGRESS, "TransactionInProgressException", 400, ERR_NS_DYNAMODB)                             \
    X(ERR_IDEMPOTENT_MISMATCH, "IdempotentParameterMismatchException", 400, ERR_NS_DYNAMODB)                           \
    X(ERR_EXPIRED_ITERATOR, "ExpiredIteratorException", 400, ERR_NS_DYNAMODB)                                          \
    X(ERR_TRIMMED_DATA, "TrimmedDataAccessException", 400, ERR_NS_DYNAMODB)                                            \
    X(ERR_BACKUP_NOT_FOUND, "BackupNotFoundException", 400, ERR_NS_DYNAMODB)                                           \
    X(ERR_BACKUP_IN_USE, "BackupInUseException", 400, ERR_NS_DYNAMODB)                                                 \
    X(ERR_TABLE_NOT_FOUND, "TableNotFoundException", 400, ERR_NS_DYNAMODB)                                             \
    X(ERR_TABLE_ALREADY_EXISTS, "TableAlreadyExistsException", 400, ERR_NS_DYNAMODB)                                   \
    X(ERR_TABLE_IN_USE, "TableInUseException", 400, ERR_NS_DYNAMODB)                                                   \
    X(ERR_PITR_UNAVAILABLE, "PointInTimeRecoveryUnavailableException", 400, ERR_NS_DYNAMODB)                           \
    X(ERR_INVALID_RESTORE_TIME, "InvalidRestoreTimeException", 400, ERR_NS_DYNAMODB)                                   \
    X(ERR_CONTINUOUS_BACKUPS_UNAVAILABLE, "ContinuousBackupsUnavailableException", 400, ERR_NS_DYNAMODB)               \
    X(ERR_EXPORT_CONFLICT, "ExportConflictException", 400, ERR_NS_DYNAMODB)                                            \
    X(ERR_EXPORT_NOT_FOUND, "ExportNotFoundException", 400, ERR_NS_DYNAMODB)                                           \
    X(ERR_INVALID_EXPORT_TIME, "InvalidExportTimeException", 400, ERR_NS_DYNAMODB)                                     \
    X(ERR_IMPORT_CONFLICT, "ImportConflictException", 400, ERR_NS_DYNAMODB)                                            \
    X(ERR_IMPORT_NOT_FOUND, "ImportNotFoundException", 400, ERR_NS_DYNAMODB)                                           \
    X(ERR_POLICY_NOT_FOUND, "PolicyNotFoundException", 400, ERR_NS_DYNAMODB)                                           \
    X(ERR_GLOBAL_TABLE_NOT_FOUND, "GlobalTableNotFoundException", 400, ERR_NS_DYNAMODB)                                \
    X(ERR_REQUEST_TOO_LARGE, "RequestEntityTooLarge", 413, ERR_NS_CORAL)                                               \
    X(ERR_INTERNAL, "InternalServerError", 500, ERR_NS_DYNAMODB)                                                       \
    X(ERR_SERVICE_UNAVAILABLE, "ServiceUnavailable", 503, ERR_NS_CORAL)

typedef enum err_code {
    ERR_NONE = 0,
#define X(e, name, status, ns) e,
    ERR_LIST(X)
#undef X
        ERR_COUNT_
} err_code_t;

#define ERR_MSG_MAX 2048

typedef struct err {
    err_code_t code; /* ERR_NONE: no error */
    char msg[ERR_MSG_MAX];
    /* Extra JSON members for the error body (e.g. "Item" with
     * ReturnValuesOnConditionCheckFailure), already serialized without
     * braces: "Item":{...}. NULL when none; owned by the request arena. */
    const char *extra_json;
    /* The whole message when it is longer than msg holds (msg has its
     * start); NULL otherwise. Owned by the request arena. */
    const char *msg_long;
} err_t;

/* Sets the error (first error wins: a second err_set is ignored) and
 * returns -1, so handlers can write `return err_set(e, ERR_..., "...")`. */
int err_set(err_t *e, err_code_t code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_vset(err_t *e, err_code_t code, const char *fmt, va_list ap);
void err_clear(err_t *e);

const char *err_type_name(err_code_t code); /* "ValidationException" */
const char *err_namespace(err_code_t code); /* "com.amazonaws.dynamodb.v20120810#" */
int err_http_status(err_code_t code);

#endif
