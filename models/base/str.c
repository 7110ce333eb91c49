#include "base/str.h"

#include <stdlib.h>
#include <string.h>

char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
