/* md_system: atoms (structure of arrays), box, type table, kinetic quantities. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "md.h"

static int grow(void **p, size_t elem, int rows)
{
    void *q = realloc(*p, (size_t)rows * elem);
    if (!q && rows > 0) return SR_ERROR(SR_ENOMEM, "out of memory (%d atoms)", rows);
    *p = q;
    return SR_OK;
}

int md_system_reserve(md_system *s, int rows)
{
    if (rows <= s->capacity) return SR_OK;
    int cap = s->capacity ? s->capacity : 16;
    while (cap < rows) cap = cap + cap / 2 + 16;
    SR_TRY(grow((void **)&s->x, 3 * sizeof(double), cap));
    SR_TRY(grow((void **)&s->v, 3 * sizeof(double), cap));
    SR_TRY(grow((void **)&s->f, 3 * sizeof(double), cap));
    SR_TRY(grow((void **)&s->type, sizeof(int), cap));
    SR_TRY(grow((void **)&s->id, sizeof(int64_t), cap));
    SR_TRY(grow((void **)&s->image, 3 * sizeof(int), cap));
    SR_TRY(grow((void **)&s->ghost_owner, sizeof(int), cap));
    SR_TRY(grow((void **)&s->ghost_shift, 3 * sizeof(int), cap));
    s->capacity = cap;
    return SR_OK;
}

int md_system_set_types(md_system *s, int ntypes, const double *mass, const char *const *names)
{
    if (ntypes < 1) return SR_ERROR(SR_EINVAL, "number of atom types must be >= 1 (got %d)", ntypes);
    double *m = realloc(s->mass, (size_t)ntypes * sizeof *m);
    if (!m) return SR_ERROR(SR_ENOMEM, "out of memory");
    s->mass = m;
    char(*tn)[16] = realloc(s->type_name, (size_t)ntypes * sizeof *tn);
    if (!tn) return SR_ERROR(SR_ENOMEM, "out of memory");
    s->type_name = tn;
    for (int t = 0; t < ntypes; t++) {
        double mt = mass ? mass[t] : 1.0;
        if (!(mt > 0.0) || !isfinite(mt))
            return SR_ERROR(SR_EINVAL, "mass of type %d must be positive (got %g)", t + 1, mt);
        s->mass[t] = mt;
        memset(s->type_name[t], 0, sizeof s->type_name[t]); /* whole label written to checkpoints */
        if (names && names[t])
            snprintf(s->type_name[t], sizeof s->type_name[t], "%s", names[t]);
        else
            snprintf(s->type_name[t], sizeof s->type_name[t], "%d", t + 1);
    }
    s->ntypes = ntypes;
    return SR_OK;
}

md_system *md_system_create(int n, int ntypes, int units)
{
    if (n < 0 || ntypes < 1) {
        SR_ERROR(SR_EINVAL, "md_system_create: n = %d, ntypes = %d", n, ntypes);
        return NULL;
    }
    md_system *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->units = units;
    if (md_system_reserve(s, n > 0 ? n : 1) || md_system_set_types(s, ntypes, NULL, NULL)) {
        md_system_free(s);
        return NULL;
    }
    s->n = n;
    memset(s->x, 0, 3 * (size_t)s->capacity * sizeof(double));
    memset(s->v, 0, 3 * (size_t)s->capacity * sizeof(double));
    memset(s->f, 0, 3 * (size_t)s->capacity * sizeof(double));
    memset(s->type, 0, (size_t)s->capacity * sizeof(int));
    memset(s->image, 0, 3 * (size_t)s->capacity * sizeof(int));
    for (int i = 0; i < n; i++) s->id[i] = i + 1;
    for (int k = 0; k < 3; k++) s->box.len[k] = 1.0;
    return s;
}

void md_system_free(md_system *s)
{
    if (!s) return;
    free(s->x);
    free(s->v);
    free(s->f);
    free(s->type);
    free(s->id);
    free(s->image);
    free(s->ghost_owner);
    free(s->ghost_shift);
    free(s->mass);
    free(s->type_name);
    free(s);
}

md_system *md_system_copy(const md_system *s)
{
    md_system *c = md_system_create(s->n, s->ntypes, s->units);
    if (!c) return NULL;
    size_t n = (size_t)s->n;
    memcpy(c->x, s->x, 3 * n * sizeof(double));
    memcpy(c->v, s->v, 3 * n * sizeof(double));
    memcpy(c->f, s->f, 3 * n * sizeof(double));
    memcpy(c->type, s->type, n * sizeof(int));
    memcpy(c->id, s->id, n * sizeof(int64_t));
    memcpy(c->image, s->image, 3 * n * sizeof(int));
    memcpy(c->mass, s->mass, (size_t)s->ntypes * sizeof(double));
    memcpy(c->type_name, s->type_name, (size_t)s->ntypes * sizeof *s->type_name);
    c->box = s->box;
    c->step = s->step;
    c->time = s->time;
    return c;
}

int md_system_resize(md_system *s, int n)
{
    if (n < 0) return SR_ERROR(SR_EINVAL, "negative atom count %d", n);
    SR_TRY(md_system_reserve(s, n));
    for (int i = s->n; i < n; i++) {
        for (int k = 0; k < 3; k++) {
            s->x[3 * i + k] = s->v[3 * i + k] = s->f[3 * i + k] = 0.0;
            s->image[3 * i + k] = 0;
        }
        s->type[i] = 0;
        s->id[i] = i + 1;
    }
    s->n = n;
    s->nghost = 0;
    return SR_OK;
}

int md_system_permute(md_system *s, const int *perm)
{
    const size_t n = (size_t)s->n;
    double *d = malloc(3 * n * sizeof(double) + 1);
    int64_t *l = malloc(n * sizeof(int64_t) + 1);
    int *t = malloc(3 * n * sizeof(int) + 1);
    if (!d || !l || !t) {
        free(d);
        free(l);
        free(t);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    double *arr[3] = {s->x, s->v, s->f};
    for (int a = 0; a < 3; a++) {
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < 3; k++) d[3 * i + k] = arr[a][3 * (size_t)perm[i] + k];
        memcpy(arr[a], d, 3 * n * sizeof(double));
    }
    for (size_t i = 0; i < n; i++) l[i] = s->id[perm[i]];
    memcpy(s->id, l, n * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) t[i] = s->type[perm[i]];
    memcpy(s->type, t, n * sizeof(int));
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) t[3 * i + k] = s->image[3 * (size_t)perm[i] + k];
    memcpy(s->image, t, 3 * n * sizeof(int));
    free(d);
    free(l);
    free(t);
    s->nghost = 0;
    return SR_OK;
}

int md_system_filter(md_system *s, const unsigned char *keep)
{
    int m = 0;
    for (int i = 0; i < s->n; i++) {
        if (!keep[i]) continue;
        if (m != i) {
            for (int k = 0; k < 3; k++) {
                s->x[3 * m + k] = s->x[3 * i + k];
                s->v[3 * m + k] = s->v[3 * i + k];
                s->f[3 * m + k] = s->f[3 * i + k];
                s->image[3 * m + k] = s->image[3 * i + k];
            }
            s->type[m] = s->type[i];
            s->id[m] = s->id[i];
        }
        m++;
    }
    s->n = m;
    s->nghost = 0;
    return SR_OK;
}

int md_system_append(md_system *s, const md_system *o)
{
    if (o->units != s->units) return SR_ERROR(SR_EINVAL, "cannot append atoms in other units");
    int n0 = s->n;
    int64_t maxid = 0;
    for (int i = 0; i < n0; i++)
        if (s->id[i] > maxid) maxid = s->id[i];
    SR_TRY(md_system_reserve(s, n0 + o->n));
    if (o->ntypes > s->ntypes) {
        double m[64];
        const char *nm[64];
        if (o->ntypes > 64) return SR_ERROR(SR_EINVAL, "too many atom types (%d)", o->ntypes);
        for (int t = 0; t < o->ntypes; t++) {
            m[t] = t < s->ntypes ? s->mass[t] : o->mass[t];
            nm[t] = t < s->ntypes ? s->type_name[t] : o->type_name[t];
        }
        char names[64][16];
        for (int t = 0; t < o->ntypes; t++) {
            snprintf(names[t], 16, "%s", nm[t]);
            nm[t] = names[t];
        }
        SR_TRY(md_system_set_types(s, o->ntypes, m, nm));
    }
    for (int j = 0; j < o->n; j++) {
        int i = n0 + j;
        for (int k = 0; k < 3; k++) {
            s->x[3 * i + k] = o->x[3 * j + k];
            s->v[3 * i + k] = o->v[3 * j + k];
            s->f[3 * i + k] = 0.0;
            s->image[3 * i + k] = 0;
        }
        s->type[i] = o->type[j];
        s->id[i] = maxid + 1 + j;
    }
    s->n = n0 + o->n;
    s->nghost = 0;
    return SR_OK;
}

int md_system_set_box(md_system *s, const double lo[3], const double len[3])
{
    for (int k = 0; k < 3; k++)
        if (!(len[k] > 0.0) || !isfinite(len[k]) || !isfinite(lo[k]))
            return SR_ERROR(SR_EINVAL, "box edge %c must be positive and finite (got %g)", 'x' + k,
                            len[k]);
    for (int k = 0; k < 3; k++) {
        s->box.lo[k] = lo[k];
        s->box.len[k] = len[k];
        s->box.tilt[k] = 0.0;
    }
    return SR_OK;
}

double md_system_volume(const md_system *s)
{
    return s->box.len[0] * s->box.len[1] * s->box.len[2];
}

void md_system_wrap(md_system *s)
{
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) {
            const double L = s->box.len[k], lo = s->box.lo[k];
            double x = s->x[3 * i + k];
            if (x >= lo && x < lo + L) continue;
            double nimg = floor((x - lo) / L);
            x -= nimg * L;
            if (x >= lo + L) { x -= L; nimg += 1; } /* round-off guard */
            if (x < lo) { x += L; nimg -= 1; }
            s->x[3 * i + k] = x;
            s->image[3 * i + k] += (int)nimg;
        }
}

int md_system_min_distance(const md_system *s, double *dmin, int64_t *id_a, int64_t *id_b)
{
    /* Cell search with cells of edge >= h, h chosen from the density (~2 atoms per cell). */
    *dmin = INFINITY;
    if (id_a) *id_a = 0;
    if (id_b) *id_b = 0;
    if (s->n < 2) return SR_OK;
    const double V = md_system_volume(s);
    double h = cbrt(2.0 * V / s->n);
    int nc[3];
    for (int k = 0; k < 3; k++) {
        nc[k] = (int)(s->box.len[k] / h);
        if (nc[k] < 3) nc[k] = 1;
        if (nc[k] > 256) nc[k] = 256;
    }
    long ncell = (long)nc[0] * nc[1] * nc[2];
    int *head = malloc((size_t)ncell * sizeof(int)), *next = malloc((size_t)s->n * sizeof(int));
    if (!head || !next) {
        free(head);
        free(next);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    for (long c = 0; c < ncell; c++) head[c] = -1;
    for (int i = 0; i < s->n; i++) {
        int c[3];
        for (int k = 0; k < 3; k++) {
            double u = (s->x[3 * i + k] - s->box.lo[k]) / s->box.len[k];
            u -= floor(u);
            c[k] = (int)(u * nc[k]);
            if (c[k] >= nc[k]) c[k] = nc[k] - 1;
        }
        long ci = ((long)c[2] * nc[1] + c[1]) * nc[0] + c[0];
        next[i] = head[ci];
        head[ci] = i;
    }
    /* The nearest pair is found exactly if it lies within one cell edge; otherwise dmin is an upper
     * bound that exceeds every cell edge, which is all callers need (overlap checks). */
    double best2 = INFINITY;
    for (int cz = 0; cz < nc[2]; cz++)
        for (int cy = 0; cy < nc[1]; cy++)
            for (int cx = 0; cx < nc[0]; cx++) {
                long ci = ((long)cz * nc[1] + cy) * nc[0] + cx;
                for (int dz = -1; dz <= 1; dz++)
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) {
                            int ox = (cx + dx + nc[0]) % nc[0], oy = (cy + dy + nc[1]) % nc[1],
                                oz = (cz + dz + nc[2]) % nc[2];
                            long cj = ((long)oz * nc[1] + oy) * nc[0] + ox;
                            if (cj < ci) continue;
                            for (int i = head[ci]; i >= 0; i = next[i])
                                for (int j = (cj == ci ? next[i] : head[cj]); j >= 0; j = next[j]) {
                                    double d[3];
                                    for (int k = 0; k < 3; k++) d[k] = s->x[3 * j + k] - s->x[3 * i + k];
                                    md_box_minimum_image(&s->box, d);
                                    double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                                    if (r2 < best2) {
                                        best2 = r2;
                                        if (id_a) *id_a = s->id[i];
                                        if (id_b) *id_b = s->id[j];
                                    }
                                }
                            if (nc[0] == 1 && nc[1] == 1 && nc[2] == 1) goto done;
                        }
            }
done:
    free(head);
    free(next);
    *dmin = sqrt(best2);
    return SR_OK;
}

double md_kinetic_energy(const md_system *s)
{
    double ke = 0.0;
    for (int i = 0; i < s->n; i++) {
        const double *v = &s->v[3 * i];
        ke += s->mass[s->type[i]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    }
    return 0.5 * md_units_get(s->units)->mvv2e * ke;
}

int md_default_dof(const md_system *s)
{
    return s->n > 1 ? 3 * s->n - 3 : 3 * s->n;
}

double md_temperature(const md_system *s, int dof)
{
    if (dof <= 0) dof = md_default_dof(s);
    if (dof <= 0) return 0.0;
    return 2.0 * md_kinetic_energy(s) / (dof * md_units_get(s->units)->boltz);
}

void md_total_momentum(const md_system *s, double p[3])
{
    p[0] = p[1] = p[2] = 0.0;
    for (int i = 0; i < s->n; i++) {
        double m = s->mass[s->type[i]];
        for (int k = 0; k < 3; k++) p[k] += m * s->v[3 * i + k];
    }
}

int md_velocity_create(md_system *s, double T, gsl_rng *rng)
{
    if (!(T >= 0.0) || !isfinite(T))
        return SR_ERROR(SR_EINVAL, "temperature must be >= 0 (got %g)", T);
    const md_units *u = md_units_get(s->units);
    double mtot = 0.0, p[3] = {0, 0, 0};
    for (int i = 0; i < s->n; i++) {
        double m = s->mass[s->type[i]];
        double sd = sqrt(u->boltz * T / (m * u->mvv2e));
        for (int k = 0; k < 3; k++) {
            s->v[3 * i + k] = gsl_ran_gaussian_ziggurat(rng, sd);
            p[k] += m * s->v[3 * i + k];
        }
        mtot += m;
    }
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) s->v[3 * i + k] -= p[k] / mtot;
    double Tnow = md_temperature(s, 0);
    double scale = (Tnow > 0.0) ? sqrt(T / Tnow) : 0.0;
    for (int i = 0; i < 3 * s->n; i++) s->v[i] *= scale;
    return SR_OK;
}
