#include "sr_input.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- error lists ---- */

void sr_errlist_add(sr_errlist *el, const char *fmt, ...)
{
    if (!el) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *c = buf; *c; c++) /* one line per message, whatever the input held */
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    if (el->n == el->cap) {
        int cap = el->cap ? 2 * el->cap : 8;
        char **m = realloc(el->msg, (size_t)cap * sizeof *m);
        if (!m) return;
        el->msg = m;
        el->cap = cap;
    }
    el->msg[el->n] = xstrdup(buf);
    if (el->msg[el->n]) el->n++;
}

void sr_errlist_print(const sr_errlist *el, FILE *out)
{
    for (int i = 0; i < el->n; i++) fprintf(out, "seedrate: error: %s\n", el->msg[i]);
}

int sr_errlist_status(const sr_errlist *el)
{
    if (!el || el->n == 0) return SR_OK;
    if (el->n == 1) return SR_ERROR(SR_EINVAL, "%s", el->msg[0]);
    return SR_ERROR(SR_EINVAL, "%s (and %d more problem%s)", el->msg[0], el->n - 1,
                    el->n > 2 ? "s" : "");
}

void sr_errlist_clear(sr_errlist *el)
{
    if (!el) return;
    for (int i = 0; i < el->n; i++) free(el->msg[i]);
    free(el->msg);
    el->msg = NULL;
    el->n = el->cap = 0;
}

/* ---- sections ---- */

sr_section *sr_section_create(const char *name)
{
    sr_section *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->name = xstrdup(name ? name : "");
    s->file = "<built-in>";
    if (!s->name) {
        free(s);
        return NULL;
    }
    return s;
}

void sr_section_free(sr_section *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        free(s->entries[i].key);
        free(s->entries[i].value);
    }
    free(s->entries);
    free(s->name);
    free(s);
}

static int section_add(sr_section *s, const char *key, const char *value, int line)
{
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->entries[i].key, key) == 0) {
            char *v = xstrdup(value);
            if (!v) return SR_ERROR(SR_ENOMEM, "out of memory");
            free(s->entries[i].value);
            s->entries[i].value = v;
            s->entries[i].line = line;
            return SR_OK;
        }
    }
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 8;
        sr_entry *e = realloc(s->entries, (size_t)cap * sizeof *e);
        if (!e) return SR_ERROR(SR_ENOMEM, "out of memory");
        s->entries = e;
        s->cap = cap;
    }
    sr_entry *e = &s->entries[s->n];
    e->key = xstrdup(key);
    e->value = xstrdup(value);
    e->line = line;
    e->used = 0;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    s->n++;
    return SR_OK;
}

int sr_section_set(sr_section *s, const char *key, const char *value)
{
    return section_add(s, key, value, 0);
}

const char *sr_section_get(const sr_section *s, const char *key)
{
    if (!s) return NULL;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->entries[i].key, key) == 0) return s->entries[i].value;
    return NULL;
}

/* ---- parsing ---- */

void sr_input_free(sr_input *in)
{
    if (!in) return;
    for (int i = 0; i < in->n; i++) sr_section_free(in->sections[i]);
    free(in->sections);
    free(in->file);
    free(in);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

static int valid_name(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.')) return 0;
    return 1;
}

int sr_input_parse_string(const char *text, const char *name, sr_input **out)
{
    *out = NULL;
    sr_input *in = calloc(1, sizeof *in);
    if (!in) return SR_ERROR(SR_ENOMEM, "out of memory");
    in->file = xstrdup(name ? name : "<string>");
    if (!in->file) {
        free(in);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    sr_section *cur = NULL;
    int lineno = 0, rc = SR_OK;
    const char *p = text;
    char line[4096];
    while (*p && rc == SR_OK) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len >= sizeof line) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: line longer than %zu characters", in->file, lineno,
                          sizeof line - 1);
            break;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl ? nl + 1 : p + len;
        if (memchr(line, '\0', len) != NULL) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: binary data (NUL byte) in input file", in->file, lineno);
            break;
        }
        /* strip comments: '#' or ';' anywhere */
        for (char *c = line; *c; c++)
            if (*c == '#' || *c == ';') {
                *c = '\0';
                break;
            }
        char *t = trim(line);
        if (!*t) continue;
        if (*t == '[') {
            char *close = strchr(t, ']');
            if (!close || close[1] != '\0') {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: expected '[section]', got '%s'", in->file, lineno, t);
                break;
            }
            *close = '\0';
            char *nm = trim(t + 1);
            if (!valid_name(nm)) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: invalid section name '%s' (letters, digits, _ - .)",
                              in->file, lineno, nm);
                break;
            }
            if (sr_input_section(in, nm)) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: section [%s] appears twice", in->file, lineno, nm);
                break;
            }
            if (in->n == in->cap) {
                int cap = in->cap ? 2 * in->cap : 8;
                sr_section **ss = realloc(in->sections, (size_t)cap * sizeof *ss);
                if (!ss) {
                    rc = SR_ERROR(SR_ENOMEM, "out of memory");
                    break;
                }
                in->sections = ss;
                in->cap = cap;
            }
            cur = sr_section_create(nm);
            if (!cur) {
                rc = SR_ERROR(SR_ENOMEM, "out of memory");
                break;
            }
            cur->file = in->file;
            cur->line = lineno;
            in->sections[in->n++] = cur;
            continue;
        }
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: expected 'key = value' or '[section]', got '%s'", in->file,
                          lineno, t);
            break;
        }
        *eq = '\0';
        char *key = trim(t), *val = trim(eq + 1);
        if (!valid_name(key)) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: invalid key '%s' (letters, digits, _ - .)", in->file, lineno,
                          key);
            break;
        }
        if (!cur) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: key '%s' outside any [section]", in->file, lineno, key);
            break;
        }
        if (!*val) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: key '%s' has no value", in->file, lineno, key);
            break;
        }
        for (int i = 0; i < cur->n; i++)
            if (strcmp(cur->entries[i].key, key) == 0) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: key '%s' already set in [%s] at line %d", in->file,
                              lineno, key, cur->name, cur->entries[i].line);
                break;
            }
        if (rc) break;
        rc = section_add(cur, key, val, lineno);
    }
    if (rc) {
        sr_input_free(in);
        return rc;
    }
    *out = in;
    return SR_OK;
}

int sr_input_parse_file(const char *path, sr_input **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return SR_ERROR(SR_EIO, "%s: cannot open input file: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    for (;;) {
        if (n + 4096 > cap) {
            if (cap > (64u << 20)) {
                free(buf);
                fclose(fp);
                return SR_ERROR(SR_EPARSE, "%s: input file larger than 64 MiB", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                return SR_ERROR(SR_ENOMEM, "out of memory");
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, fp);
        n += r;
        if (r == 0) break;
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        return SR_ERROR(SR_EIO, "%s: read error", path);
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return SR_ERROR(SR_EPARSE, "%s: binary data (NUL byte) in input file", path);
    }
    buf[n] = '\0';
    int rc = sr_input_parse_string(buf, path, out);
    free(buf);
    return rc;
}

sr_section *sr_input_section(const sr_input *in, const char *name)
{
    if (!in) return NULL;
    for (int i = 0; i < in->n; i++)
        if (strcmp(in->sections[i]->name, name) == 0) return in->sections[i];
    return NULL;
}

void sr_input_check_sections(const sr_input *in, const char *const *known, sr_errlist *el)
{
    for (int i = 0; i < in->n; i++) {
        int ok = 0;
        for (const char *const *k = known; *k; k++)
            if (strcmp(*k, in->sections[i]->name) == 0) ok = 1;
        if (!ok) {
            char list[512] = "";
            for (const char *const *k = known; *k; k++) {
                strncat(list, k == known ? "" : ", ", sizeof list - strlen(list) - 1);
                strncat(list, *k, sizeof list - strlen(list) - 1);
            }
            sr_errlist_add(el, "%s:%d: unknown section [%s] (expected one of: %s)", in->file,
                           in->sections[i]->line, in->sections[i]->name, list);
        }
    }
}

/* ---- keyword binding ---- */

int sr_parse_reals(const char *text, double *v, int max)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p && (isspace((unsigned char)*p) || *p == ',')) p++;
        if (!*p) break;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(x)) return -1;
        if (*end && !(isspace((unsigned char)*end) || *end == ',')) return -1;
        if (n >= max) return -1;
        v[n++] = x;
        p = end;
    }
    return n;
}

static int choice_index(const char *choices, const char *value)
{
    int idx = 0;
    const char *p = choices;
    size_t vl = strlen(value);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == vl && strncmp(p, value, len) == 0) return idx;
        idx++;
        if (!bar) break;
        p = bar + 1;
    }
    return -1;
}

/* Parse one value; returns 0 or appends a message (with `where`) and returns 1. */
static int bind_value(const sr_keyword *k, const char *value, void *target, sr_errlist *el,
                      const char *where, const char *sec)
{
    char *dst = (char *)target + k->offset;
    char *end;
    const char *unit = (k->unit && *k->unit) ? k->unit : "";
    switch (k->type) {
    case SR_KW_REAL: {
        errno = 0;
        double x = strtod(value, &end);
        while (isspace((unsigned char)*end)) end++;
        if (end == value || *end || errno == ERANGE || !isfinite(x)) {
            sr_errlist_add(el, "%s: [%s] %s = '%s': expected a real number%s%s", where, sec, k->name,
                           value, *unit ? " in " : "", unit);
            return 1;
        }
        if (x < k->min || x > k->max) {
            sr_errlist_add(el, "%s: [%s] %s = %g %s is out of range [%g, %g]", where, sec, k->name, x,
                           unit, k->min, k->max);
            return 1;
        }
        *(double *)dst = x;
        return 0;
    }
    case SR_KW_INT:
    case SR_KW_LONG: {
        errno = 0;
        long long x = strtoll(value, &end, 10);
        while (isspace((unsigned char)*end)) end++;
        if (end == value || *end || errno == ERANGE) {
            sr_errlist_add(el, "%s: [%s] %s = '%s': expected an integer", where, sec, k->name, value);
            return 1;
        }
        if ((double)x < k->min || (double)x > k->max) {
            sr_errlist_add(el, "%s: [%s] %s = %lld is out of range [%.0f, %.0f]", where, sec, k->name,
                           x, k->min, k->max);
            return 1;
        }
        if (k->type == SR_KW_INT)
            *(int *)dst = (int)x;
        else
            *(long *)dst = (long)x;
        return 0;
    }
    case SR_KW_BOOL: {
        static const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
        for (int i = 0; i < 4; i++) {
            if (strcmp(value, yes[i]) == 0) {
                *(int *)dst = 1;
                return 0;
            }
            if (strcmp(value, no[i]) == 0) {
                *(int *)dst = 0;
                return 0;
            }
        }
        sr_errlist_add(el, "%s: [%s] %s = '%s': expected yes or no", where, sec, k->name, value);
        return 1;
    }
    case SR_KW_STRING:
        if (strlen(value) >= SR_KW_STRLEN) {
            sr_errlist_add(el, "%s: [%s] %s: value longer than %d characters", where, sec, k->name,
                           SR_KW_STRLEN - 1);
            return 1;
        }
        strcpy(dst, value);
        return 0;
    case SR_KW_CHOICE: {
        int idx = choice_index(k->choices, value);
        if (idx < 0) {
            sr_errlist_add(el, "%s: [%s] %s = '%s': expected one of %s", where, sec, k->name, value,
                           k->choices);
            return 1;
        }
        *(int *)dst = idx;
        return 0;
    }
    case SR_KW_REALS: {
        sr_reals *r = (sr_reals *)dst;
        double tmp[SR_KW_MAXLIST];
        int n = sr_parse_reals(value, tmp, SR_KW_MAXLIST);
        if (n <= 0) {
            sr_errlist_add(el, "%s: [%s] %s = '%s': expected a list of 1 to %d real numbers%s%s",
                           where, sec, k->name, value, SR_KW_MAXLIST, *unit ? " in " : "", unit);
            return 1;
        }
        for (int i = 0; i < n; i++)
            if (tmp[i] < k->min || tmp[i] > k->max) {
                sr_errlist_add(el, "%s: [%s] %s: item %d = %g %s is out of range [%g, %g]", where, sec,
                               k->name, i + 1, tmp[i], unit, k->min, k->max);
                return 1;
            }
        r->n = n;
        memcpy(r->v, tmp, (size_t)n * sizeof *tmp);
        return 0;
    }
    }
    sr_errlist_add(el, "%s: [%s] %s: internal error: unknown keyword type", where, sec, k->name);
    return 1;
}

int sr_keywords_defaults(const sr_keyword *table, void *target)
{
    sr_errlist el = {0};
    for (const sr_keyword *k = table; k->name; k++)
        if (k->def) bind_value(k, k->def, target, &el, "<default>", "defaults");
    int n = el.n;
    if (n) sr_errlist_status(&el);
    sr_errlist_clear(&el);
    return n ? SR_EINVAL : SR_OK;
}

int sr_section_bind(sr_section *s, const sr_keyword *table, void *target, sr_errlist *el,
                    const char *section_name)
{
    int bad = 0;
    const char *sec = s ? s->name : section_name;
    for (const sr_keyword *k = table; k->name; k++) {
        sr_entry *e = NULL;
        if (s)
            for (int i = 0; i < s->n; i++)
                if (strcmp(s->entries[i].key, k->name) == 0) e = &s->entries[i];
        if (e) {
            char where[512];
            snprintf(where, sizeof where, "%s:%d", s->file ? s->file : "<input>", e->line);
            e->used = 1;
            bad += bind_value(k, e->value, target, el, where, sec);
        } else if (k->def) {
            bad += bind_value(k, k->def, target, el, "<default>", sec);
        } else {
            if (s)
                sr_errlist_add(el, "%s:%d: [%s] missing required key '%s' (%s%s%s)",
                               s->file ? s->file : "<input>", s->line, sec, k->name, k->doc,
                               (k->unit && *k->unit) ? ", in " : "", k->unit ? k->unit : "");
            else
                sr_errlist_add(el, "missing section [%s] with required key '%s' (%s)", sec, k->name,
                               k->doc);
            bad++;
        }
    }
    return bad;
}

void sr_section_check_unused(const sr_section *s, sr_errlist *el)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++)
        if (!s->entries[i].used)
            sr_errlist_add(el, "%s:%d: unknown key '%s' in [%s]", s->file ? s->file : "<input>",
                           s->entries[i].line, s->entries[i].key, s->name);
}

void sr_keywords_print(const sr_keyword *table, const char *section_name, FILE *out)
{
    fprintf(out, "[%s]\n", section_name);
    for (const sr_keyword *k = table; k->name; k++) {
        const char *type = "";
        switch (k->type) {
        case SR_KW_REAL: type = "real"; break;
        case SR_KW_INT: case SR_KW_LONG: type = "integer"; break;
        case SR_KW_BOOL: type = "yes|no"; break;
        case SR_KW_STRING: type = "text"; break;
        case SR_KW_CHOICE: type = k->choices; break;
        case SR_KW_REALS: type = "list of reals"; break;
        }
        fprintf(out, "  %-18s %-14s %-12s default %-10s %s\n", k->name, type,
                (k->unit && *k->unit) ? k->unit : "-", k->def ? k->def : "(required)", k->doc);
    }
}
