/* io_text.c - line lexer, strict number parsing and atomic text output shared by the text formats. */
#include "io_text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/sr_error.h"

void io_lex_init(io_lex *lx, const char *buf, size_t len, const char *name)
{
    memset(lx, 0, sizeof *lx);
    lx->buf = buf;
    lx->len = buf ? len : 0;
    lx->name = name ? name : "(buffer)";
}

void io_lex_free(io_lex *lx)
{
    free(lx->cur);
    free(lx->work);
    free(lx->tok);
    lx->cur = lx->work = NULL;
    lx->tok = NULL;
}

static int grow(char **p, size_t *cap, size_t need)
{
    if (need <= *cap) return SR_OK;
    size_t c = *cap ? *cap : 128;
    while (c < need) c *= 2;
    char *q = realloc(*p, c);
    if (!q) return SR_ERROR(SR_ENOMEM, "out of memory reading text input");
    *p = q;
    *cap = c;
    return SR_OK;
}

int io_lex_next(io_lex *lx, int *eof)
{
    lx->ntok = 0;
    SR_TRY(grow(&lx->cur, &lx->curcap, 1));
    if (lx->pos >= lx->len) {
        *eof = 1;
        lx->cur[0] = '\0';
        lx->curlen = 0;
        return SR_OK;
    }
    *eof = 0;
    const char *start = lx->buf + lx->pos;
    const char *nl = memchr(start, '\n', lx->len - lx->pos);
    size_t n = nl ? (size_t)(nl - start) : lx->len - lx->pos;
    lx->pos += n + (nl ? 1 : 0);
    lx->line++;
    if (n > 0 && start[n - 1] == '\r') n--;
    SR_TRY(grow(&lx->cur, &lx->curcap, n + 1));
    memcpy(lx->cur, start, n);
    lx->cur[n] = '\0';
    lx->curlen = strlen(lx->cur); /* an embedded NUL ends the line */
    return SR_OK;
}

size_t io_lex_remaining(const io_lex *lx) { return lx->len - lx->pos; }

int io_lex_split(io_lex *lx, char comment_char)
{
    lx->ntok = 0;
    SR_TRY(grow(&lx->work, &lx->workcap, lx->curlen + 1));
    memcpy(lx->work, lx->cur, lx->curlen + 1);
    if (comment_char) {
        char *c = strchr(lx->work, comment_char);
        if (c) *c = '\0';
    }
    char *p = lx->work;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        if (lx->ntok == lx->tokcap) {
            int cap = lx->tokcap ? 2 * lx->tokcap : 16;
            char **t = realloc(lx->tok, (size_t)cap * sizeof *t);
            if (!t) return SR_ERROR(SR_ENOMEM, "out of memory reading text input");
            lx->tok = t;
            lx->tokcap = cap;
        }
        lx->tok[lx->ntok++] = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        if (*p) *p++ = '\0';
    }
    return SR_OK;
}

/* Quote `got` for a one-line message: at most 40 characters, control bytes shown as '?'. */
static void clean(const char *got, char *out, size_t size)
{
    size_t k = 0, i = 0;
    const size_t max = 40;
    out[k++] = '\'';
    for (; got[i] && i < max && k + 5 < size; i++) out[k++] = isprint((unsigned char)got[i]) ? got[i] : '?';
    if (got[i] && k + 5 < size) {
        out[k++] = '.';
        out[k++] = '.';
        out[k++] = '.';
    }
    out[k++] = '\'';
    out[k] = '\0';
}

static int vfail(const io_lex *lx, const char *got_clean, const char *fmt, va_list ap)
{
    char expected[256];
    vsnprintf(expected, sizeof expected, fmt, ap);
    return SR_ERROR(SR_EPARSE, "%s:%ld: expected %s, got %s", lx->name, lx->line, expected, got_clean);
}

int io_lex_fail(const io_lex *lx, const char *got, const char *expected_fmt, ...)
{
    char g[64];
    clean(got ? got : "", g, sizeof g);
    va_list ap;
    va_start(ap, expected_fmt);
    int rc = vfail(lx, g, expected_fmt, ap);
    va_end(ap);
    return rc;
}

int io_lex_fail_eof(const io_lex *lx, const char *expected_fmt, ...)
{
    va_list ap;
    va_start(ap, expected_fmt);
    int rc = vfail(lx, "end of file", expected_fmt, ap);
    va_end(ap);
    return rc;
}

int io_parse_double(const char *tok, double *out)
{
    if (!tok || !*tok) return -1;
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (end == tok || *end != '\0' || !isfinite(v)) return -1;
    if (errno == ERANGE && fabs(v) > 1.0) return -1; /* overflow; underflow to ~0 is fine */
    *out = v;
    return 0;
}

int io_parse_long(const char *tok, long lo, long hi, long *out)
{
    if (!tok || !*tok) return -1;
    char *end;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (end == tok || *end != '\0' || errno == ERANGE || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int io_read_file(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return SR_ERROR(SR_EIO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) {
        fclose(f);
        return SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", path);
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > SIZE_MAX / 2) break;
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                fclose(f);
                return SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", path);
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(b);
        return SR_ERROR(SR_EIO, "cannot read '%s'", path);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return SR_OK;
}

int io_text_open(const char *path, FILE **f, char **tmp)
{
    *f = NULL;
    *tmp = malloc(strlen(path) + 5);
    if (!*tmp) return SR_ERROR(SR_ENOMEM, "out of memory");
    sprintf(*tmp, "%s.tmp", path);
    *f = fopen(*tmp, "w");
    if (!*f) {
        int rc = SR_ERROR(SR_EIO, "cannot create '%s': %s", *tmp, strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return rc;
    }
    return SR_OK;
}

int io_text_close(FILE *f, char *tmp, const char *path, int commit)
{
    int rc = SR_OK;
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (commit && bad) rc = SR_ERROR(SR_EIO, "cannot write '%s'", tmp);
    if (commit && !rc && rename(tmp, path) != 0)
        rc = SR_ERROR(SR_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (!commit || rc) remove(tmp);
    free(tmp);
    return rc;
}
