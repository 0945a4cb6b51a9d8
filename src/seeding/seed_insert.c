/* Seed insertion: cut a compact spherical seed from a crystal and put it into a liquid.
 *
 * Overlap criterion (documented in README): after the seed is placed, every liquid atom closer than
 * `overlap` (default 0.85 of the crystal's nearest-neighbour distance) to any seed atom is removed. The seed
 * keeps exactly the requested number of atoms; the liquid loses the atoms that would overlap it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seed.h"

typedef struct dist_idx {
    double d2;
    int i;
} dist_idx;

static int cmp_dist(const void *a, const void *b)
{
    const dist_idx *x = a, *y = b;
    if (x->d2 < y->d2) return -1;
    if (x->d2 > y->d2) return 1;
    return x->i - y->i;
}

double seed_sphere_max_atoms(const seed_structure_config *sc)
{
    if (!sc || sc->file[0] || sc->cells.n != 3) return 0;
    double cell[3];
    int na = 0;
    if (md_lattice_cell(sc->lattice, cell, &na) != 0 || na < 1) {
        sr_error_clear();
        return 0;
    }
    const double nn = sc->nn > 0 ? sc->nn : sc->density > 0 ? md_lattice_nn_for_density(sc->lattice, sc->density) : 0;
    if (!(nn > 0)) return 0;
    const double rho = na / (cell[0] * cell[1] * cell[2] * nn * nn * nn);
    double lmin = INFINITY;
    for (int k = 0; k < 3; k++) lmin = fmin(lmin, sc->cells.v[k] * cell[k] * nn);
    return 3.14159265358979323846 / 6.0 * rho * lmin * lmin * lmin;
}

void seed_sizes_check(const seed_structure_config *sc, const sr_reals *sizes, const char *file, sr_errlist *el)
{
    const double nmax = seed_sphere_max_atoms(sc);
    for (int k = 0; k < sizes->n && nmax > 0; k++)
        if (sizes->v[k] >= nmax) {
            sr_errlist_add(el, "%s: [campaign] seed_sizes: a seed of %g atoms does not fit in the [structure] crystal "
                           "(at most ~%.0f atoms for cells %g %g %g): raise [structure] cells", file, sizes->v[k], nmax,
                           sc->cells.v[0], sc->cells.v[1], sc->cells.v[2]);
            return;
        }
}

int seed_cut_sphere(const md_system *xtal, int n0, md_system **out, double *radius)
{
    *out = NULL;
    if (n0 < 1 || n0 > xtal->n)
        return SR_ERROR(SR_EINVAL, "seed of %d atoms cannot be cut from a crystal of %d atoms", n0, xtal->n);
    /* centre: the atom nearest to the box centre */
    double c[3];
    for (int k = 0; k < 3; k++) c[k] = xtal->box.lo[k] + 0.5 * xtal->box.len[k];
    int ic = 0;
    double best = INFINITY;
    for (int i = 0; i < xtal->n; i++) {
        double d[3];
        for (int k = 0; k < 3; k++) d[k] = xtal->x[3 * i + k] - c[k];
        md_box_minimum_image(&xtal->box, d);
        double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (r2 < best) {
            best = r2;
            ic = i;
        }
    }
    dist_idx *di = malloc((size_t)xtal->n * sizeof *di);
    if (!di) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int i = 0; i < xtal->n; i++) {
        double d[3];
        for (int k = 0; k < 3; k++) d[k] = xtal->x[3 * i + k] - xtal->x[3 * ic + k];
        md_box_minimum_image(&xtal->box, d);
        di[i].d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        di[i].i = i;
    }
    qsort(di, (size_t)xtal->n, sizeof *di, cmp_dist);
    double rmax = sqrt(di[n0 - 1].d2);
    for (int k = 0; k < 3; k++)
        if (2.0 * rmax >= xtal->box.len[k]) {
            free(di);
            return SR_ERROR(SR_EINVAL, "seed of %d atoms (radius %.3g) does not fit in the crystal box (edge %.3g)", n0,
                            rmax, xtal->box.len[k]);
        }
    md_system *s = md_system_create(n0, xtal->ntypes, xtal->units);
    if (!s) {
        free(di);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    memcpy(s->mass, xtal->mass, (size_t)xtal->ntypes * sizeof(double));
    memcpy(s->type_name, xtal->type_name, (size_t)xtal->ntypes * sizeof *xtal->type_name);
    for (int q = 0; q < n0; q++) {
        int i = di[q].i;
        double d[3];
        for (int k = 0; k < 3; k++) d[k] = xtal->x[3 * i + k] - xtal->x[3 * ic + k];
        md_box_minimum_image(&xtal->box, d);
        for (int k = 0; k < 3; k++) s->x[3 * q + k] = d[k]; /* relative to the centre atom */
        s->type[q] = xtal->type[i];
    }
    s->box = xtal->box;
    free(di);
    if (radius) *radius = rmax;
    *out = s;
    return SR_OK;
}

int seed_insert(md_system *liq, const md_system *seed, const double centre[3], double overlap,
                unsigned char **is_seed, int *nremoved)
{
    *is_seed = NULL;
    double rmax = 0;
    for (int q = 0; q < seed->n; q++) {
        double r = sqrt(seed->x[3 * q] * seed->x[3 * q] + seed->x[3 * q + 1] * seed->x[3 * q + 1] +
                        seed->x[3 * q + 2] * seed->x[3 * q + 2]);
        if (r > rmax) rmax = r;
    }
    for (int k = 0; k < 3; k++)
        if (2.0 * (rmax + overlap) >= liq->box.len[k])
            return SR_ERROR(SR_EINVAL,
                            "seed of %d atoms (diameter %.3g plus overlap %.3g) is larger than the liquid box "
                            "(edge %c = %.3g): use a bigger liquid or a smaller seed",
                            seed->n, 2 * rmax, overlap, 'x' + k, liq->box.len[k]);
    /* placed seed positions, wrapped into the liquid box */
    md_system *placed = md_system_copy(seed);
    if (!placed) return SR_ERROR(SR_ENOMEM, "out of memory");
    placed->box = liq->box;
    for (int q = 0; q < seed->n; q++)
        for (int k = 0; k < 3; k++) placed->x[3 * q + k] = seed->x[3 * q + k] + centre[k];
    md_system_wrap(placed);
    unsigned char *keep = malloc((size_t)liq->n + 1);
    if (!keep) {
        md_system_free(placed);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    const double ov2 = overlap * overlap, reach2 = (rmax + overlap) * (rmax + overlap);
    int removed = 0;
    for (int i = 0; i < liq->n; i++) {
        keep[i] = 1;
        double d[3];
        for (int k = 0; k < 3; k++) d[k] = liq->x[3 * i + k] - centre[k];
        md_box_minimum_image(&liq->box, d);
        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > reach2) continue;
        for (int q = 0; q < placed->n; q++) {
            double e[3];
            for (int k = 0; k < 3; k++) e[k] = liq->x[3 * i + k] - placed->x[3 * q + k];
            md_box_minimum_image(&liq->box, e);
            if (e[0] * e[0] + e[1] * e[1] + e[2] * e[2] < ov2) {
                keep[i] = 0;
                removed++;
                break;
            }
        }
    }
    int rc = md_system_filter(liq, keep);
    free(keep);
    for (int q = 0; !rc && q < placed->n; q++)
        for (int k = 0; k < 3; k++) placed->v[3 * q + k] = 0.0;
    int nliq = liq->n;
    if (!rc) rc = md_system_append(liq, placed);
    md_system_free(placed);
    if (rc) return rc;
    unsigned char *mask = calloc((size_t)liq->n + 1, 1);
    if (!mask) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int i = nliq; i < liq->n; i++) mask[i] = 1;
    *is_seed = mask;
    if (nremoved) *nremoved = removed;
    return SR_OK;
}
