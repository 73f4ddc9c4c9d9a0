/* sigv4.c - Signature Version 4 verification (see sigv4.h), as AWS's
 * "Signature Version 4 signing process" documents it: the canonical
 * request, the string to sign, the key derived from the secret. */
#include "api/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/sha256.h"

/* ---- the keys -------------------------------------------------------------------- */

static void keys_push(sigv4_keys_t *k, const char *key, size_t kl, const char *secret, size_t sl)
{
    k->keys = xrealloc(k->keys, (k->n + 1) * sizeof *k->keys);
    k->keys[k->n].access_key = xasprintf("%.*s", (int)kl, key);
    k->keys[k->n].secret = xasprintf("%.*s", (int)sl, secret);
    k->n++;
}

int sigv4_keys_add(sigv4_keys_t *k, const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || !colon[1])
        return -1;
    keys_push(k, spec, (size_t)(colon - spec), colon + 1, strlen(colon + 1));
    return 0;
}

static str_t trim(str_t s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
        s.ptr++, s.len--;
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' || s.ptr[s.len - 1] == '\r' ||
                     s.ptr[s.len - 1] == '\n'))
        s.len--;
    return s;
}

int sigv4_keys_load(sigv4_keys_t *k, const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, whylen, "cannot read %s", path);
        return -1;
    }
    char line[4096], id[1024] = "", secret[1024] = "";
    while (fgets(line, sizeof line, f)) {
        str_t l = trim(str_from_cstr(line));
        if (!l.len || l.ptr[0] == '#' || l.ptr[0] == ';')
            continue;
        if (l.ptr[0] == '[') { /* a new profile */
            id[0] = secret[0] = '\0';
            continue;
        }
        const char *eq = memchr(l.ptr, '=', l.len);
        if (eq) {
            str_t name = trim((str_t){l.ptr, (size_t)(eq - l.ptr)});
            str_t value = trim((str_t){eq + 1, l.len - (size_t)(eq - l.ptr) - 1});
            char *dst = str_eq_cstr(name, "aws_access_key_id")       ? id
                        : str_eq_cstr(name, "aws_secret_access_key") ? secret
                                                                     : NULL;
            if (dst)
                snprintf(dst, sizeof id, "%.*s", (int)value.len, value.ptr);
            if (id[0] && secret[0]) {
                keys_push(k, id, strlen(id), secret, strlen(secret));
                id[0] = secret[0] = '\0';
            }
            continue;
        }
        char spec[4096];
        snprintf(spec, sizeof spec, "%.*s", (int)l.len, l.ptr);
        if (sigv4_keys_add(k, spec)) {
            snprintf(why, whylen, "%s: a line is neither KEY:SECRET nor name = value", path);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

void sigv4_keys_free(sigv4_keys_t *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->keys[i].access_key);
        free(k->keys[i].secret);
    }
    free(k->keys);
    k->keys = NULL;
    k->n = 0;
}

/* ---- the Authorization header ------------------------------------------------------ */

int sigv4_parse(str_t auth, sigv4_auth_t *out)
{
    static const char scheme[] = "AWS4-HMAC-SHA256 ";
    memset(out, 0, sizeof *out);
    if (!auth.ptr || auth.len < sizeof scheme - 1 || memcmp(auth.ptr, scheme, sizeof scheme - 1) != 0)
        return -1;
    str_t params = {auth.ptr + sizeof scheme - 1, auth.len - (sizeof scheme - 1)};
    str_t cred = trim(auth_param(params, "Credential"));
    out->signed_headers = trim(auth_param(params, "SignedHeaders"));
    out->signature = trim(auth_param(params, "Signature"));
    if (!cred.ptr || !out->signed_headers.ptr || !out->signature.ptr)
        return -1;
    str_t part[5];
    const char *p = cred.ptr, *end = cred.ptr + cred.len;
    for (int i = 0; i < 5; i++) {
        const char *slash = i < 4 ? memchr(p, '/', (size_t)(end - p)) : end;
        if (!slash)
            return -1;
        part[i] = (str_t){p, (size_t)(slash - p)};
        p = slash + (i < 4);
    }
    if (!str_eq_cstr(part[4], "aws4_request") || !part[0].len)
        return -1;
    out->access_key = part[0];
    out->date = part[1];
    out->region = part[2];
    out->service = part[3];
    out->scope = (str_t){part[1].ptr, (size_t)(end - part[1].ptr)};
    return 0;
}

/* ---- the canonical request ------------------------------------------------------------ */

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

/* URI-encodes s (already decoded), keeping '/' when slash is true. */
static void uri_encode(buf_t *b, str_t s, bool slash)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (unreserved(c) || (slash && c == '/'))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* %XX-decodes s into b (as AWS decodes before it encodes again). */
static str_t uri_decode(buf_t *b, str_t s)
{
    buf_reset(b);
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '%' && i + 2 < s.len + 0 && hexval(s.ptr[i + 1]) >= 0 && hexval(s.ptr[i + 2]) >= 0) {
            buf_putc(b, (char)(hexval(s.ptr[i + 1]) * 16 + hexval(s.ptr[i + 2])));
            i += 2;
        } else {
            buf_putc(b, s.ptr[i]);
        }
    }
    return (str_t){b->data, b->len};
}

static int cmp_str(const void *a, const void *b) { return str_cmp(*(const str_t *)a, *(const str_t *)b); }

#define SIGV4_MAX_QUERY 64

/* The query string's parameters, each encoded, sorted, joined with '&'. */
static int canonical_query(buf_t *b, str_t q)
{
    str_t pairs[SIGV4_MAX_QUERY];
    size_t n = 0;
    buf_t enc = BUF_INIT, tmp = BUF_INIT;
    const char *p = q.ptr, *end = q.ptr + q.len;
    while (q.len && p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        str_t item = {p, (size_t)((amp ? amp : end) - p)};
        p = (amp ? amp : end) + 1;
        if (!item.len)
            continue;
        if (n == SIGV4_MAX_QUERY) {
            buf_free(&enc);
            buf_free(&tmp);
            return -1;
        }
        const char *eq = memchr(item.ptr, '=', item.len);
        size_t off = enc.len;
        uri_encode(&enc, uri_decode(&tmp, (str_t){item.ptr, eq ? (size_t)(eq - item.ptr) : item.len}), false);
        buf_putc(&enc, '=');
        if (eq)
            uri_encode(&enc, uri_decode(&tmp, (str_t){eq + 1, item.len - (size_t)(eq - item.ptr) - 1}), false);
        pairs[n++] = (str_t){(const char *)(uintptr_t)off, enc.len - off}; /* offsets until enc stops moving */
    }
    for (size_t i = 0; i < n; i++)
        pairs[i].ptr = enc.data + (uintptr_t)pairs[i].ptr;
    qsort(pairs, n, sizeof *pairs, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, '&');
        buf_append(b, pairs[i].ptr, pairs[i].len);
    }
    buf_free(&enc);
    buf_free(&tmp);
    return 0;
}

/* name:value for one signed header: every header of that name, values
 * trimmed, inner runs of spaces made one, joined with ','. */
static void canonical_header(buf_t *b, const http_request_t *hr, str_t name)
{
    buf_append(b, name.ptr, name.len);
    buf_putc(b, ':');
    bool first = true;
    for (size_t i = 0; i < hr->nheaders; i++) {
        str_t hn = hr->headers[i].name;
        if (hn.len != name.len || strncasecmp(hn.ptr, name.ptr, name.len) != 0)
            continue;
        if (!first)
            buf_putc(b, ',');
        first = false;
        str_t v = trim(hr->headers[i].value);
        bool space = false;
        for (size_t j = 0; j < v.len; j++) {
            if (v.ptr[j] == ' ' || v.ptr[j] == '\t') {
                space = true;
                continue;
            }
            if (space)
                buf_putc(b, ' ');
            space = false;
            buf_putc(b, v.ptr[j]);
        }
    }
    buf_putc(b, '\n');
}

static int canonical_request(buf_t *b, const http_request_t *hr, const sigv4_auth_t *a)
{
    buf_append(b, hr->method.ptr, hr->method.len);
    buf_putc(b, '\n');
    str_t path = hr->path;
    const char *q = memchr(path.ptr, '?', path.len);
    str_t query = q ? (str_t){q + 1, path.len - (size_t)(q - path.ptr) - 1} : STR_NULL;
    if (q)
        path.len = (size_t)(q - path.ptr);
    buf_t tmp = BUF_INIT;
    uri_encode(b, uri_decode(&tmp, path.len ? path : STR_LIT("/")), true);
    buf_free(&tmp);
    buf_putc(b, '\n');
    if (canonical_query(b, query))
        return -1;
    buf_putc(b, '\n');
    str_t rest = a->signed_headers;
    int n = 0;
    while (rest.len) {
        const char *semi = memchr(rest.ptr, ';', rest.len);
        str_t name = {rest.ptr, semi ? (size_t)(semi - rest.ptr) : rest.len};
        rest = semi ? (str_t){semi + 1, rest.len - name.len - 1} : (str_t){rest.ptr + rest.len, 0};
        if (++n > SIGV4_MAX_SIGNED_HEADERS)
            return -1;
        canonical_header(b, hr, name);
    }
    buf_putc(b, '\n');
    buf_append(b, a->signed_headers.ptr, a->signed_headers.len);
    buf_putc(b, '\n');
    uint8_t h[SHA256_LEN];
    char hex[2 * SHA256_LEN + 1];
    sha256(hr->body.ptr, hr->body.len, h);
    hex_encode(h, SHA256_LEN, hex);
    buf_puts(b, hex);
    return 0;
}

/* ---- verifying -------------------------------------------------------------------------- */

static void format_amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int parse_amz_date(str_t s, time_t *out)
{
    int f[6];
    static const int at[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    if (s.len != 16 || s.ptr[8] != 'T' || s.ptr[15] != 'Z')
        return -1;
    for (int i = 0; i < 6; i++) {
        f[i] = 0;
        for (int j = 0; j < len[i]; j++) {
            char c = s.ptr[at[i] + j];
            if (c < '0' || c > '9')
                return -1;
            f[i] = f[i] * 10 + (c - '0');
        }
    }
    struct tm tm = {
        .tm_year = f[0] - 1900, .tm_mon = f[1] - 1, .tm_mday = f[2], .tm_hour = f[3], .tm_min = f[4], .tm_sec = f[5]};
    *out = timegm(&tm);
    return 0;
}

static const sigv4_key_t *find_key(const sigv4_keys_t *keys, str_t id)
{
    for (size_t i = 0; i < keys->n; i++)
        if (str_eq_cstr(id, keys->keys[i].access_key))
            return &keys->keys[i];
    return NULL;
}

/* Whether the dates are within the skew, with AWS's words when not. */
static int check_date(str_t amz_date, time_t t, time_t now, err_t *e)
{
    char now_s[17], edge[17];
    format_amz_date(now, now_s);
    if (t < now - SIGV4_MAX_SKEW) {
        format_amz_date(now - SIGV4_MAX_SKEW, edge);
        return err_set(e, ERR_INVALID_SIGNATURE, "Signature expired: %.*s is now earlier than %s (%s - 15 min.)",
                       STR_FMT(amz_date), edge, now_s);
    }
    if (t > now + SIGV4_MAX_SKEW) {
        format_amz_date(now + SIGV4_MAX_SKEW, edge);
        return err_set(e, ERR_INVALID_SIGNATURE,
                       "Signature not yet current: %.*s is still later than %s (%s + 15 min.)", STR_FMT(amz_date), edge,
                       now_s);
    }
    return 0;
}

static void signing_key(const char *secret, const sigv4_auth_t *a, uint8_t out[SHA256_LEN])
{
    char *k = xasprintf("AWS4%s", secret);
    hmac_sha256(k, strlen(k), a->date.ptr, a->date.len, out);
    free(k);
    hmac_sha256(out, SHA256_LEN, a->region.ptr, a->region.len, out);
    hmac_sha256(out, SHA256_LEN, a->service.ptr, a->service.len, out);
    hmac_sha256(out, SHA256_LEN, "aws4_request", 12, out);
}

int sigv4_verify(const http_request_t *hr, str_t auth, const sigv4_keys_t *keys, time_t now, err_t *e)
{
    sigv4_auth_t a;
    if (sigv4_parse(auth, &a))
        return err_set(e, ERR_INCOMPLETE_SIGNATURE,
                       "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. "
                       "Authorization=%.*s",
                       STR_FMT(auth));
    const sigv4_key_t *key = find_key(keys, a.access_key);
    if (!key)
        return err_set(e, ERR_UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
    str_t amz_date = http_header_get(hr, "x-amz-date");
    time_t t;
    if (!amz_date.ptr || parse_amz_date(amz_date, &t))
        return err_set(e, ERR_INCOMPLETE_SIGNATURE,
                       "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                       "Authorization=%.*s",
                       STR_FMT(auth));
    if (check_date(amz_date, t, now, e))
        return -1;
    buf_t creq = BUF_INIT, sts = BUF_INIT;
    int rc = canonical_request(&creq, hr, &a);
    uint8_t h[SHA256_LEN], k[SHA256_LEN], sig[SHA256_LEN];
    char hex[2 * SHA256_LEN + 1];
    if (!rc) {
        sha256(creq.data, creq.len, h);
        hex_encode(h, SHA256_LEN, hex);
        buf_printf(&sts, "AWS4-HMAC-SHA256\n%.*s\n%.*s\n%s", STR_FMT(amz_date), STR_FMT(a.scope), hex);
        signing_key(key->secret, &a, k);
        hmac_sha256(k, SHA256_LEN, sts.data, sts.len, sig);
        hex_encode(sig, SHA256_LEN, hex);
    }
    /* compared in constant time: the signature is a secret's witness */
    unsigned diff = rc != 0 || a.signature.len != 2 * SHA256_LEN;
    for (size_t i = 0; !rc && i < 2 * SHA256_LEN && i < a.signature.len; i++)
        diff |= (unsigned)(hex[i] ^ a.signature.ptr[i]);
    buf_free(&creq);
    buf_free(&sts);
    if (diff)
        return err_set(e, ERR_INVALID_SIGNATURE,
                       "The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    return 0;
}
