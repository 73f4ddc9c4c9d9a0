/* validate_pattern.c - the service model's patterns, one matcher each.
 *
 * The model writes them as Java regular expressions (model_rules.h names
 * each); the generator refuses a pattern that has no matcher here, so a new
 * one in the model means a new case below. Java matches the whole value and
 * counts UTF-16 units; the matchers decode UTF-8 where the class goes past
 * ASCII. */
#include "api/validate.h"

#include <stdbool.h>

static bool is_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
static bool is_word(unsigned char c) { return is_alnum(c) || c == '_'; }
static bool is_hex_lower(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* [a-zA-Z0-9_.-]+ */
static bool match_name(const unsigned char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

/* One UTF-8 sequence at s (jansson has validated it): its code point and length. */
static unsigned utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    if (s[0] < 0x80 || n < 2) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0 || n < 3) {
        *len = 2;
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    if (s[0] < 0xF0 || n < 4) {
        *len = 3;
        return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    }
    *len = 4;
    return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
}

/* [\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*: XML's
 * characters (the surrogate-pair range is every supplementary character). */
static bool match_xml_chars(const unsigned char *s, size_t n)
{
    for (size_t i = 0, len; i < n; i += len) {
        unsigned c = utf8_next(s + i, n - i, &len);
        if (!(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
              c >= 0x10000))
            return false;
    }
    return true;
}

/* [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} */
static bool match_uuid(const unsigned char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !is_hex_lower(s[i]))
            return false;
    return true;
}

/* ^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$: alphanumerics at both ends, word
 * characters, dots and hyphens between. */
static bool match_bucket(const unsigned char *s, size_t n)
{
    if (n < 2 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

/* [A-Za-z0-9][A-Za-z0-9\-\_\.]{0,126}[A-Za-z0-9] */
static bool match_export_name(const unsigned char *s, size_t n)
{
    if (n < 2 || n > 128 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static bool match_ascii_class(const unsigned char *s, size_t n, bool (*ok)(unsigned char))
{
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return false;
    return true;
}

static bool is_print(unsigned char c) { return c >= 0x20 && c <= 0x7E; } /* Java's \p{Print} */
static bool is_csv_header(unsigned char c) { return is_print(c) && c != '"' && c != ','; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_not_dollar(unsigned char c) { return c != '$'; }

bool validate_pattern_match(int pattern, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    switch ((mr_pattern_t)pattern) {
    case MR_PAT_NONE: return true;
    case MR_PAT_NAME: return match_name(s, n);
    case MR_PAT_PRINT: return n > 0 && match_ascii_class(s, n, is_print);
    case MR_PAT_XML_CHARS: return match_xml_chars(s, n);
    case MR_PAT_UUID: return match_uuid(s, n);
    case MR_PAT_BUCKET: return match_bucket(s, n);
    case MR_PAT_CSV_DELIMITER: return n == 1 && (s[0] == ',' || s[0] == ';' || s[0] == ':' || s[0] == '|' ||
                                                 s[0] == '\t' || s[0] == ' ');
    case MR_PAT_NO_DOLLAR: return n > 0 && match_ascii_class(s, n, is_not_dollar);
    case MR_PAT_ACCOUNT: return n == 12 && match_ascii_class(s, n, is_digit);
    case MR_PAT_EXPORT_NAME: return match_export_name(s, n);
    case MR_PAT_CSV_HEADER: return match_ascii_class(s, n, is_csv_header);
    case MR_PAT_HEX16: return n > 0 && n % 16 == 0 && match_ascii_class(s, n, is_hex_lower);
    case MR_PAT_COUNT_: break;
    }
    return true;
}
