/* sigv4.h - verifying AWS Signature Version 4 (--auth verify).
 *
 * By default ddbd, like DynamoDB Local, accepts any signature: the access
 * key only picks the caller's tables. With --auth verify it checks each
 * request's signature as AWS does, against the secrets it was given
 * (--credentials KEY:SECRET, --credentials-file F), and answers as AWS
 * does: UnrecognizedClientException for a key it does not know,
 * InvalidSignatureException for a wrong signature or an X-Amz-Date more
 * than 15 minutes from now. Presigned URLs are not supported. */
#ifndef DDBD_SIGV4_H
#define DDBD_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"
#include "base/str.h"
#include "net/http.h"

#define SIGV4_MAX_SKEW 900 /* seconds X-Amz-Date may be from now */
#define SIGV4_MAX_SIGNED_HEADERS 64

typedef struct sigv4_key {
    char *access_key;
    char *secret;
} sigv4_key_t;

typedef struct sigv4_keys {
    sigv4_key_t *keys;
    size_t n;
} sigv4_keys_t;

/* Adds "KEY:SECRET"; -1 when it is not of that form. */
int sigv4_keys_add(sigv4_keys_t *k, const char *spec);
/* Adds the keys of a file: lines "KEY:SECRET", or an AWS credentials file
 * (aws_access_key_id = ... / aws_secret_access_key = ... per [section]);
 * '#' and ';' start comments. -1 with why set when it cannot be read. */
int sigv4_keys_load(sigv4_keys_t *k, const char *path, char *why, size_t whylen);
void sigv4_keys_free(sigv4_keys_t *k);

/* Checks hr's Authorization (auth: its value) and X-Amz-Date against the
 * keys at time now (the real clock: ddbd's own may be moved by tests). */
int sigv4_verify(const http_request_t *hr, str_t auth, const sigv4_keys_t *keys, time_t now, err_t *e);

/* The parts of an Authorization header; 0, or -1 when it has no
 * Credential with five parts, SignedHeaders or Signature. */
typedef struct sigv4_auth {
    str_t access_key, date, region, service; /* the credential scope */
    str_t scope; /* date/region/service/aws4_request */
    str_t signed_headers; /* "host;x-amz-date;x-amz-target" */
    str_t signature; /* hex */
} sigv4_auth_t;
int sigv4_parse(str_t auth, sigv4_auth_t *out);

#endif
