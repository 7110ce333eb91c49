#include "base/log.h"

#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_MODULES 32

static const char *const level_names[N_LOG_LEVELS] = {"error", "warn", "info", "debug"};

static struct {
    char name[32];
    enum log_level level;
} modules[MAX_MODULES];
static int n_modules;
static enum log_level default_level = LOG_WARN;

static int parse_level(const char *s, size_t n, enum log_level *out)
{
    for (int l = 0; l < N_LOG_LEVELS; l++)
        if (strlen(level_names[l]) == n && strncmp(s, level_names[l], n) == 0) {
            *out = (enum log_level)l;
            return 1;
        }
    return 0;
}

int log_init(const char *spec)
{
    if (!spec || !*spec)
        return BS_OK;
    char buf[512];
    if (strlen(spec) >= sizeof buf)
        return bs_fail(BS_EINPUT, "BLOCKSHIFT_LOG: too long");
    strcpy(buf, spec);
    int n_new = 0;
    enum log_level new_default = default_level;
    struct { char name[32]; enum log_level level; } parsed[MAX_MODULES];
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        enum log_level l;
        const char *lv = eq ? eq + 1 : item;
        if (!parse_level(lv, strlen(lv), &l))
            return bs_fail(BS_EINPUT,
                           "BLOCKSHIFT_LOG: unknown level '%s' (use error, warn, info or debug)", lv);
        if (!eq || (eq - item == 1 && item[0] == '*')) {
            new_default = l;
            continue;
        }
        if (n_new == MAX_MODULES || eq - item >= 32)
            return bs_fail(BS_EINPUT, "BLOCKSHIFT_LOG: too many or too long module names");
        memcpy(parsed[n_new].name, item, (size_t)(eq - item));
        parsed[n_new].name[eq - item] = '\0';
        parsed[n_new].level = l;
        n_new++;
    }
    default_level = new_default;
    n_modules = n_new;
    for (int i = 0; i < n_new; i++) {
        strcpy(modules[i].name, parsed[i].name);
        modules[i].level = parsed[i].level;
    }
    return BS_OK;
}

int log_enabled(const char *module, enum log_level level)
{
    for (int i = 0; i < n_modules; i++)
        if (strcmp(modules[i].name, module) == 0)
            return level <= modules[i].level;
    return level <= default_level;
}

void log_write(const char *module, enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%s] %s: ", module, level_names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
