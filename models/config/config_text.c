/* config_text: a growable text buffer for messages and the dump, and
 * strings written as libconfig reads them back. */
#include "config/config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void config_sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    config_sb_vprintf(b, fmt, ap);
    va_end(ap);
}

/* The text so far ("" when empty or out of memory); owned by b. */
const char *config_sb_str(const sbuf *b) { return b->s && !b->oom ? b->s : ""; }

void config_sb_free(sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* Append `s` as a libconfig string literal: the escapes libconfig reads back
 * (\" \\ \n \r \t \f \xHH), bytes >= 0x80 (UTF-8) as they are. */
void config_sb_quote(sbuf *b, const char *s)
{
    static const char plain[] = "\"\\\n\r\t\f", escaped[] = "\"\\nrtf";
    config_sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = strchr(plain, *p); /* *p is never the terminator */
        if (esc)
            config_sb_printf(b, "\\%c", escaped[esc - plain]);
        else if (*p < 0x20 || *p == 0x7f)
            config_sb_printf(b, "\\x%02x", *p);
        else
            config_sb_printf(b, "%c", *p);
    }
    config_sb_printf(b, "\"");
}

/* A user's string for a message: quoted, escaped, cut at 60 bytes. */
void config_sb_quote_short(sbuf *b, const char *s)
{
    char cut[64];
    size_t n = strlen(s);
    if (n <= 60) {
        config_sb_quote(b, s);
        return;
    }
    memcpy(cut, s, 57);
    memcpy(cut + 57, "...", 4);
    config_sb_quote(b, cut);
}
