#include "base/quote.h"

#include "base/name.h"

#include <stdio.h>
#include <string.h>

/* An output buffer that keeps `keep` bytes back for the closing part. */
typedef struct qbuf {
    char *out;
    size_t cap, len, keep;
    int cut;
} qbuf;

/* Append n bytes whole, or mark the buffer cut and append nothing more. */
static void put(qbuf *b, const char *s, size_t n)
{
    if (b->cut || b->len + n + b->keep + 1 > b->cap) {
        b->cut = 1;
        return;
    }
    memcpy(b->out + b->len, s, n);
    b->len += n;
}

static void finish(qbuf *b, const char *close)
{
    if (b->cut)
        memcpy(b->out + b->len, "...", 3), b->len += 3;
    memcpy(b->out + b->len, close, strlen(close));
    b->len += strlen(close);
    b->out[b->len] = '\0';
}

/* The text of s for a quoted string: control characters and stray bytes
 * as '?', the character q as qq. */
static void put_text(qbuf *b, const char *s, char q, const char *qq)
{
    while (*s && !b->cut) {
        unsigned cp = 0;
        int n = name_utf8_len(s, &cp);
        if (n == 0 || name_is_control(cp)) {
            put(b, "?", 1);
            s += n ? n : 1;
        } else if (*s == q) {
            put(b, qq, strlen(qq));
            s++;
        } else {
            put(b, s, (size_t)n);
            s += n;
        }
    }
}

/* gnuplot ends a single-quoted string at a ' right after another ' (the
 * opening one too), so '' cannot stand for a ' at the start of the text or
 * after another: a ' is spliced in as a double-quoted "'" instead, which
 * holds nothing gnuplot substitutes, and the whole is one expression in
 * parentheses: ('it'."'".'s'). */
const char *quote_gp(char *out, size_t cap, const char *s)
{
    int paren = strchr(s, '\'') != NULL;
    qbuf b = {out, cap, 0, 5, 0}; /* room for "...')" */
    put(&b, paren ? "('" : "'", paren ? 2 : 1);
    put_text(&b, s, '\'', "'.\"'\".'");
    finish(&b, paren ? "')" : "'");
    return out;
}

const char *quote_gp_data(char *out, size_t cap, const char *s)
{
    qbuf b = {out, cap, 0, 4, 0};
    put(&b, "\"", 1);
    put_text(&b, s, '"', "'");
    finish(&b, "\"");
    return out;
}

int quote_sh(char *out, size_t cap, const char *s)
{
    qbuf b = {out, cap, 0, 1, 0};
    put(&b, "'", 1);
    for (; *s; s++)
        if (*s == '\'')
            put(&b, "'\\''", 4);
        else
            put(&b, s, 1);
    if (b.cut) {
        if (cap)
            out[0] = '\0';
        return -1;
    }
    b.keep = 0;
    put(&b, "'", 1);
    out[b.len] = '\0';
    return 0;
}

const char *quote_print(char *out, size_t cap, const char *s)
{
    qbuf b = {out, cap, 0, 3, 0};
    while (*s && !b.cut) {
        unsigned cp = 0;
        int n = name_utf8_len(s, &cp);
        char esc[16];
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)*s);
            put(&b, esc, strlen(esc));
            s++;
            continue;
        }
        if (cp == '\\')
            put(&b, "\\\\", 2);
        else if (cp == '\n')
            put(&b, "\\n", 2);
        else if (cp == '\t')
            put(&b, "\\t", 2);
        else if (cp == '\r')
            put(&b, "\\r", 2);
        else if (name_is_control(cp)) {
            snprintf(esc, sizeof esc, cp < 0x80 ? "\\x%02x" : "\\u%04x", cp);
            put(&b, esc, strlen(esc));
        } else
            put(&b, s, (size_t)n);
        s += n;
    }
    finish(&b, "");
    return out;
}

int quote_has_control(const char *s)
{
    while (*s) {
        unsigned cp = 0;
        int n = name_utf8_len(s, &cp);
        if (n == 0 || name_is_control(cp))
            return 1;
        s += n;
    }
    return 0;
}
