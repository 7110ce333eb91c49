#include "base/name.h"

#include <stdio.h>
#include <string.h>

int name_utf8_len(const char *s, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    int n;
    unsigned c, min;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0)
        n = 2, c = u[0] & 0x1Fu, min = 0x80;
    else if ((u[0] & 0xF0) == 0xE0)
        n = 3, c = u[0] & 0x0Fu, min = 0x800;
    else if ((u[0] & 0xF8) == 0xF0)
        n = 4, c = u[0] & 0x07u, min = 0x10000;
    else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return 0;
        c = (c << 6) | (u[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

int name_is_control(unsigned cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

int name_check(const char *s, size_t max, int file, char *why, size_t size)
{
    size_t len = strlen(s);
    if (len > max) {
        snprintf(why, size, "a name of %zu bytes is too long (at most %zu)", len, max);
        return -1;
    }
    for (size_t i = 0; i < len;) {
        unsigned cp = 0;
        int n = name_utf8_len(s + i, &cp);
        if (n == 0) {
            snprintf(why, size, "is not valid UTF-8 (byte %zu, 0x%02x)", i + 1,
                     (unsigned char)s[i]);
            return -1;
        }
        if (name_is_control(cp)) {
            snprintf(why, size,
                     "holds a control character (U+%04X at byte %zu): names are printable text",
                     cp, i + 1);
            return -1;
        }
        i += (size_t)n;
    }
    if (file && (len == 0 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strchr(s, '/'))) {
        snprintf(why, size, "%s: it names a file or folder (not empty, \".\" or \"..\", no \"/\")",
                 len == 0             ? "is empty"
                 : strchr(s, '/')     ? "holds \"/\""
                 : strcmp(s, "..") == 0 ? "is \"..\""
                                      : "is \".\"");
        return -1;
    }
    return 0;
}
