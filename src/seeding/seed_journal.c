/* Resume journal of `seedrate cnt`: one line per finished task, appended with a single write() to
 * PREFIX.cnt.journal (O_APPEND, so ranks can share the file) and fsync'ed. A line is
 *     TAG HASH INDEX N v_1 ... v_N
 * with the values in %.17g (exact round trip, so a resumed run gives the numbers of an uninterrupted one).
 * HASH identifies the inputs the task depends on (seed_input_hash): lines of another input are ignored,
 * as are lines cut by a crash. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seed_cnt.h"
#include "../common/sr_hash.h"

static uint64_t fnv1a(uint64_t h, const char *s) { return sr_fnv1a64(h, s, strlen(s)); }

static int skipped(const char *key, const char *const *skip)
{
    for (int i = 0; skip && skip[i]; i++) {
        size_t n = strlen(skip[i]);
        if (n > 0 && skip[i][n - 1] == '*') {
            if (strncmp(key, skip[i], n - 1) == 0) return 1;
        } else if (strcmp(key, skip[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

uint64_t seed_input_hash(uint64_t h, const sr_section *s, const char *const *skip)
{
    if (h == 0) h = SR_FNV1A64_INIT;
    if (!s) return fnv1a(h, "[-]");
    h = fnv1a(h, "[");
    h = fnv1a(h, s->name);
    h = fnv1a(h, "]");
    for (int i = 0; i < s->n; i++) {
        if (skipped(s->entries[i].key, skip)) continue;
        h = fnv1a(h, s->entries[i].key);
        h = fnv1a(h, "=");
        h = fnv1a(h, s->entries[i].value);
        h = fnv1a(h, "\n");
    }
    return h;
}

static void journal_path(const char *prefix, char *buf, size_t n)
{
    snprintf(buf, n, "%s.cnt.journal", prefix);
}

int seed_journal_append(const char *prefix, const char *tag, uint64_t hash, long index, const double *v, size_t n)
{
    size_t cap = 64 + strlen(tag) + 26 * n;
    char *line = malloc(cap);
    if (!line) return SR_ERROR(SR_ENOMEM, "out of memory");
    size_t len = (size_t)snprintf(line, cap, "%s %016llx %ld %zu", tag, (unsigned long long)hash, index, n);
    for (size_t i = 0; i < n && len < cap; i++) len += (size_t)snprintf(line + len, cap - len, " %.17g", v[i]);
    if (len + 1 >= cap) {
        free(line);
        return SR_ERROR(SR_EINVAL, "journal line too long");
    }
    line[len++] = '\n';
    char path[4400];
    journal_path(prefix, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int rc = SR_OK;
    if (fd < 0) {
        rc = SR_ERROR(SR_EIO, "%s: cannot open the journal: %s", path, strerror(errno));
    } else {
        ssize_t w = write(fd, line, len);
        if (w != (ssize_t)len || fsync(fd) != 0)
            rc = SR_ERROR(SR_EIO, "%s: cannot write the journal: %s", path, strerror(errno));
        close(fd);
    }
    free(line);
    return rc;
}

long seed_journal_load(const char *prefix, const char *tag, uint64_t hash, long nindex, size_t n, double *values,
                       unsigned char *have)
{
    char path[4400];
    journal_path(prefix, path, sizeof path);
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long loaded = 0;
    const size_t tl = strlen(tag);
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    while (tmp && (len = getline(&line, &cap, fp)) > 0) {
        if (line[len - 1] != '\n') break; /* cut by a crash */
        if (strncmp(line, tag, tl) != 0 || line[tl] != ' ') continue;
        unsigned long long h;
        long k;
        size_t m;
        int used;
        if (sscanf(line + tl, " %llx %ld %zu%n", &h, &k, &m, &used) != 3) continue;
        if (h != hash || k < 0 || k >= nindex || m != n || have[k]) continue;
        char *p = line + tl + used;
        int ok = 1;
        for (size_t i = 0; i < n && ok; i++) {
            char *end;
            tmp[i] = strtod(p, &end);
            if (end == p) ok = 0;
            p = end;
        }
        if (!ok) continue;
        memcpy(values + (size_t)k * n, tmp, n * sizeof *tmp);
        have[k] = 1;
        loaded++;
    }
    free(tmp);
    free(line);
    fclose(fp);
    return loaded;
}
