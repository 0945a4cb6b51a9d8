#include "sr_error.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char err_msg[2048];
static _Thread_local char err_where[256];
static _Thread_local int err_status;
static int err_verbose;

static const char *const status_names[SR_NSTATUS] = {
    [SR_OK] = "success",
    [SR_EINVAL] = "invalid input",
    [SR_ENOMEM] = "out of memory",
    [SR_EIO] = "input/output error",
    [SR_EPARSE] = "parse error",
    [SR_ENUMERIC] = "numerical failure",
    [SR_ERANGE] = "value out of range",
    [SR_EUNSUPPORTED] = "not supported in this build",
    [SR_ENETCDF] = "netCDF error",
    [SR_EMPI] = "MPI error",
    [SR_EFAILED] = "run failed",
};

const char *sr_strerror(int status)
{
    if (status < 0 || status >= SR_NSTATUS) return "unknown error";
    return status_names[status];
}

int sr_error_vset(int status, const char *file, int line, const char *fmt, va_list ap)
{
    char tmp[sizeof err_msg]; /* the arguments may point into err_msg (wrapping the previous error) */
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    /* one line: names read from damaged files may hold control characters (newlines) */
    for (char *c = tmp; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    memcpy(err_msg, tmp, sizeof err_msg);
    const char *base = strrchr(file, '/');
    snprintf(err_where, sizeof err_where, "%s:%d", base ? base + 1 : file, line);
    err_status = status;
    if (err_verbose) fprintf(stderr, "seedrate: error: %s [%s]\n", err_msg, err_where);
    return status;
}

int sr_error_set(int status, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(status, file, line, fmt, ap);
    va_end(ap);
    return status;
}

const char *sr_error_message(void) { return err_msg; }
const char *sr_error_where(void) { return err_where; }
int sr_error_status(void) { return err_status; }
void sr_error_clear(void)
{
    err_msg[0] = '\0';
    err_where[0] = '\0';
    err_status = SR_OK;
}
void sr_error_set_verbose(int on) { err_verbose = on; }
