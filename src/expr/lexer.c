/* lexer.c - tokens of DynamoDB's expression language.
 *
 * The token rules are DynamoDB's, as its syntax errors reveal them:
 *   names          [A-Za-z][A-Za-z0-9_]*   (keywords AND OR NOT BETWEEN IN
 *                                           SET REMOVE ADD DELETE, any case)
 *   #placeholders  #[A-Za-z0-9_]+          :placeholders  :[A-Za-z0-9_]+
 *   numbers        0 | [1-9][0-9]*          ("01" is two tokens: 0, 1)
 *   punctuation    ( ) [ ] , . = <> < <= > >= + -
 *   whitespace     space, tab, CR, LF      (not VT or FF)
 * Anything else is one code point of its own (TK_OTHER), which the parser
 * then reports as the offending token ("_", "é", a lone "#"). */
#include "expr_internal.h"

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_ident(unsigned char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Bytes of the UTF-8 sequence starting with lead byte c (1 for stray bytes,
 * so a malformed input still advances). */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0xC0)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    return 4;
}

static bool word_is(const char *p, size_t n, const char *kw)
{
    if (strlen(kw) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != kw[i])
            return false;
    }
    return true;
}

static expr_tok_kind_t keyword_kind(const char *p, size_t n)
{
    static const struct {
        const char *word;
        expr_tok_kind_t kind;
    } kws[] = {
        {"AND", TK_AND}, {"OR", TK_OR},         {"NOT", TK_NOT}, {"BETWEEN", TK_BETWEEN}, {"IN", TK_IN},
        {"SET", TK_SET}, {"REMOVE", TK_REMOVE}, {"ADD", TK_ADD}, {"DELETE", TK_DELETE},
    };
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (word_is(p, n, kws[i].word))
            return kws[i].kind;
    return TK_NAME;
}

/* Punctuation at p (n bytes left): its kind and length, or TK_OTHER. */
static expr_tok_kind_t punct_kind(const char *p, size_t n, size_t *len)
{
    *len = 1;
    switch (p[0]) {
    case '(': return TK_LPAREN;
    case ')': return TK_RPAREN;
    case '[': return TK_LBRACKET;
    case ']': return TK_RBRACKET;
    case ',': return TK_COMMA;
    case '.': return TK_DOT;
    case '=': return TK_EQ;
    case '+': return TK_PLUS;
    case '-': return TK_MINUS;
    case '<':
        if (n > 1 && p[1] == '>') {
            *len = 2;
            return TK_NE;
        }
        if (n > 1 && p[1] == '=') {
            *len = 2;
            return TK_LE;
        }
        return TK_LT;
    case '>':
        if (n > 1 && p[1] == '=') {
            *len = 2;
            return TK_GE;
        }
        return TK_GT;
    default: return TK_OTHER;
    }
}

/* One token at text[i] (not whitespace); returns its kind and length. */
static expr_tok_kind_t lex_one(str_t text, size_t i, size_t *len)
{
    const char *p = text.ptr + i;
    size_t left = text.len - i, n = 1;
    unsigned char c = (unsigned char)p[0];
    if (is_alpha(c)) {
        while (n < left && is_ident((unsigned char)p[n]))
            n++;
        *len = n;
        return keyword_kind(p, n);
    }
    if ((c == '#' || c == ':') && left > 1 && is_ident((unsigned char)p[1])) {
        while (n < left && is_ident((unsigned char)p[n]))
            n++;
        *len = n;
        return c == '#' ? TK_NAME_PH : TK_VALUE_PH;
    }
    if (is_digit(c)) {
        if (c != '0')
            while (n < left && is_digit((unsigned char)p[n]))
                n++;
        *len = n;
        return TK_NUMBER;
    }
    expr_tok_kind_t k = punct_kind(p, left, len);
    if (k == TK_OTHER) {
        size_t l = utf8_seq_len(c);
        *len = l < left ? l : left;
    }
    return k;
}

void expr__lex(arena_t *a, str_t text, expr_tok_t **toks, size_t *n)
{
    size_t cap = 16, count = 0;
    expr_tok_t *t = arena_alloc(a, cap * sizeof *t);
    size_t i = 0;
    for (;;) {
        while (i < text.len && is_space((unsigned char)text.ptr[i]))
            i++;
        if (count == cap) {
            t = arena_realloc(a, t, cap * sizeof *t, cap * 2 * sizeof *t);
            cap *= 2;
        }
        if (i >= text.len) {
            t[count++] = (expr_tok_t){TK_EOF, (uint32_t)text.len, 0};
            break;
        }
        size_t len;
        expr_tok_kind_t k = lex_one(text, i, &len);
        t[count++] = (expr_tok_t){k, (uint32_t)i, (uint32_t)len};
        i += len;
    }
    *toks = t;
    *n = count;
}

/* Decodes one code point at s[*i] (advancing *i); U+FFFD for bad bytes. */
static uint32_t utf8_next(str_t s, size_t *i)
{
    unsigned char c = (unsigned char)s.ptr[*i];
    size_t l = utf8_seq_len(c);
    if (l == 1 || *i + l > s.len) {
        (*i)++;
        return c < 0x80 ? c : 0xFFFD;
    }
    uint32_t cp = c & (l == 2 ? 0x1F : l == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < l; k++)
        cp = (cp << 6) | ((unsigned char)s.ptr[*i + k] & 0x3F);
    *i += l;
    return cp;
}

size_t expr__utf16_len(str_t s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len;)
        n += utf8_next(s, &i) > 0xFFFF ? 2 : 1;
    return n;
}

int32_t expr__java_hash(str_t s)
{
    uint32_t h = 0; /* Java's int arithmetic wraps: do it unsigned */
    for (size_t i = 0; i < s.len;) {
        uint32_t cp = utf8_next(s, &i);
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

uint32_t expr__java_bucket(str_t s, uint32_t cap)
{
    uint32_t h = (uint32_t)expr__java_hash(s);
    return (h ^ (h >> 16)) & (cap - 1); /* HashMap.hash() spreads the high bits */
}

bool expr__placeholder_syntax(str_t s, char sigil)
{
    if (s.len < 2 || s.ptr[0] != sigil)
        return false;
    for (size_t i = 1; i < s.len; i++)
        if (!is_ident((unsigned char)s.ptr[i]))
            return false;
    return true;
}
