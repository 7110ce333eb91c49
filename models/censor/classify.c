#include "censor/classify.h"

#include "world/world.h"

#include <string.h>

int classify_in_range(const classify_range *r, uint32_t addr)
{
    if (r->prefix <= 0)
        return 1;
    uint32_t mask = r->prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> r->prefix);
    return (addr & mask) == (r->base & mask);
}

static int in_ranges(const classify_rule *r, uint32_t addr)
{
    for (int k = 0; k < r->n_ranges; k++)
        if (classify_in_range(&r->ranges[k], addr))
            return 1;
    return 0;
}

/* name is `pat`, or ends in "." pat. */
static int name_matches(const char *name, const char *pat)
{
    size_t n = strlen(name), p = strlen(pat);
    if (p == 0 || n < p)
        return 0;
    if (n == p)
        return strcmp(name, pat) == 0;
    return name[n - p - 1] == '.' && strcmp(name + n - p, pat) == 0;
}

int classify_match(const classify_rule *r, const classify_flow *f)
{
    switch (r->technique) {
    case TECH_IP:
        return in_ranges(r, f->addr);
    case TECH_SNI:
        if (f->first_type != CLASSIFY_TLS_RECORD || !f->sni[0])
            return 0;
        for (int k = 0; k < r->n_names; k++)
            if (name_matches(f->sni, r->names[k]))
                return 1;
        return 0;
    case TECH_STUN:
        return f->stun_cookie == CLASSIFY_STUN_COOKIE && (r->n_ranges == 0 || in_ranges(r, f->addr));
    case TECH_VPN:
        for (int k = 0; k < r->n_prints; k++)
            if (f->first_type == r->prints[k].type &&
                (r->prints[k].len == 0 || f->first_len == r->prints[k].len))
                return 1;
        return r->tls_in_ranges && f->first_type == CLASSIFY_TLS_RECORD && in_ranges(r, f->addr);
    default:
        return 0;
    }
}
