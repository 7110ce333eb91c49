/* wire: numbers and strings as bytes (see wire.h). */
#include "base/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void wire_put_u64(FILE *f, uint64_t x) { fwrite(&x, sizeof x, 1, f); }
void wire_put_f64(FILE *f, double x) { fwrite(&x, sizeof x, 1, f); }

void wire_put_str(FILE *f, const char *s)
{
    s = s ? s : "";
    uint64_t n = strlen(s);
    wire_put_u64(f, n);
    fwrite(s, 1, n, f);
}

/* Copy the next n bytes to dst; 0 if they are not all there. */
static int take(wire_reader *r, void *dst, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return 0;
    }
    memcpy(dst, r->p, n);
    r->p += n;
    return 1;
}

uint64_t wire_get_u64(wire_reader *r)
{
    uint64_t x = 0;
    return take(r, &x, sizeof x) ? x : 0;
}

double wire_get_f64(wire_reader *r)
{
    double x = 0;
    return take(r, &x, sizeof x) ? x : 0;
}

char *wire_get_str(wire_reader *r)
{
    uint64_t n = wire_get_u64(r);
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        r->bad = r->nomem = 1;
        return NULL;
    }
    take(r, s, n);
    s[n] = '\0';
    return s;
}

int wire_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}
