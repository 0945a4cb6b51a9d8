/* sr_error.h - project-wide status codes and error recording.
 *
 * Every function that can fail returns an int status (SR_OK == 0). The SR_ERROR macro records
 * the message together with the source location through one function (sr_error_set) that a
 * debugger can break on, then yields the code, so `return SR_ERROR(SR_EINVAL, "...")` reads well.
 * Messages meant for users carry the input's own file:line in the text. Only main() exits. */
#ifndef SR_ERROR_H
#define SR_ERROR_H

#include <stdarg.h>

enum sr_status {
    SR_OK = 0,
    SR_EINVAL,      /* invalid argument or input value */
    SR_ENOMEM,      /* allocation failed */
    SR_EIO,         /* file could not be opened, read or written */
    SR_EPARSE,      /* malformed input file */
    SR_ENUMERIC,    /* NaN/Inf, exploding energy, failed convergence */
    SR_ERANGE,      /* value out of its allowed range */
    SR_EUNSUPPORTED,/* feature not available in this build */
    SR_ENETCDF,     /* a netCDF call failed */
    SR_EMPI,        /* an MPI call failed */
    SR_EFAILED,     /* a replica or sub-run failed (not the whole input) */
    SR_NSTATUS
};

const char *sr_strerror(int status);

/* Record an error message (printf-style) raised at file:line and return `status`. */
int sr_error_set(int status, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int sr_error_vset(int status, const char *file, int line, const char *fmt, va_list ap);

/* The last recorded message (thread-local); "" when none. */
const char *sr_error_message(void);
/* Source location of the last recorded error ("file.c:123"). */
const char *sr_error_where(void);
int sr_error_status(void);
void sr_error_clear(void);

/* When set (default off), each recorded error is also printed to stderr immediately. */
void sr_error_set_verbose(int on);

#define SR_ERROR(status, ...) sr_error_set((status), __FILE__, __LINE__, __VA_ARGS__)

/* Propagate a non-zero status. */
#define SR_TRY(expr)                 \
    do {                             \
        int sr_try_rc_ = (expr);     \
        if (sr_try_rc_) return sr_try_rc_; \
    } while (0)

#endif
