/* auth.h - who is calling: the SigV4 Authorization header.
 *
 * ddbd does not verify signatures (any secret works, as with DynamoDB
 * Local); it reads the access key and region from the credential scope to
 * pick the caller's namespace, and rejects requests with no or malformed
 * authentication as DynamoDB does. */
#ifndef DDBD_AUTH_H
#define DDBD_AUTH_H

#include "base/err.h"
#include "base/str.h"

#define AUTH_ACCESS_KEY_MAX 128
#define AUTH_REGION_MAX 32

typedef struct auth_info {
    str_t access_key;
    str_t region;
} auth_info_t;

/* The value of `name=` in a comma-separated parameter list (the SigV4
 * header's Credential=..., SignedHeaders=..., Signature=...), up to ',' or
 * the end; STR_NULL when absent. */
str_t auth_param(str_t params, const char *name);

/* header: the Authorization header's value (ptr NULL when absent). */
int auth_parse(str_t header, auth_info_t *out, err_t *e);

/* The account of an access key, as on AWS where a key belongs to one
 * account: 12 digits from a hash of the key, stable across runs (out gets
 * them and a NUL). ddbd's namespaces already give each key its own
 * tables, so each key gets its own account id. */
void auth_account_id(str_t access_key, char out[13]);

#endif
