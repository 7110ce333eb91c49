#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[2048];
static _Thread_local int last_status;

int bs_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_status = code;
    return code;
}

int bs_nomem(const char *fmt, ...)
{
    static const char head[] = "out of memory: ";
    memcpy(last_error, head, sizeof head);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error + sizeof head - 1, sizeof last_error - (sizeof head - 1), fmt, ap);
    va_end(ap);
    last_status = BS_ENOMEM;
    return BS_ENOMEM;
}

const char *bs_last_error(void) { return last_error; }

int bs_last_status(void) { return last_status; }

void bs_clear_error(void)
{
    last_error[0] = '\0';
    last_status = BS_OK;
}

int bs_exit_code(int status)
{
    if (status == BS_OK)
        return 0;
    return status == BS_EINPUT ? 2 : 1;
}
