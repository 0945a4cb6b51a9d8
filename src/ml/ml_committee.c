/* ml_committee.c - a committee of K networks: member means and the model deviation.
 *
 * E = (1/K) sum_m E_m, F = (1/K) sum_m F_m = -grad E, W likewise (all linear in the members). The model
 * deviation of DP-GEN (Zhang et al., Comput. Phys. Commun. 253, 107206 (2020), eq. 6) is
 *     sigma_i = sqrt( (1/K) sum_m |F_i^m - <F_i>|^2 ),   model_dev = max_i sigma_i,
 * the population standard deviation (numpy's std), as dpgen's calc_model_devi_f. Members are independent
 * fits to the same data, so sigma is small where the data constrain the networks and large where they
 * extrapolate (Schran et al., J. Chem. Phys. 153, 104105 (2020), for committee networks in MD). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ml.h"

ml_committee *ml_committee_create(void)
{
    ml_committee *c = calloc(1, sizeof *c);
    if (!c) SR_ERROR(SR_ENOMEM, "committee: out of memory");
    return c;
}

void ml_committee_free(ml_committee *c)
{
    if (!c) return;
    for (int q = 0; q < c->k; q++) ml_model_free(c->member[q]);
    free(c);
}

/* same elements, descriptor, layer widths and activation as member 0 */
static int compatible(const ml_model *a, const ml_model *b)
{
    if (a->nelem != b->nelem || a->nf != b->nf || a->desc != b->desc) return 0;
    if (memcmp(a->type_map, b->type_map, sizeof a->type_map)) return 0;
    if (memcmp(&a->sf, &b->sf, sizeof a->sf)) return 0;
    for (int e = 0; e < a->nelem; e++) {
        const ml_net *x = a->net[e], *y = b->net[e];
        if (x->nlayers != y->nlayers || x->activation != y->activation || x->nparams != y->nparams) return 0;
        for (int l = 0; l <= x->nlayers; l++)
            if (x->width[l] != y->width[l]) return 0;
    }
    return 1;
}

int ml_committee_add(ml_committee *c, ml_model *m)
{
    if (!m) return SR_ERROR(SR_EINVAL, "committee: no model to add");
    if (c->k >= ML_MAX_MEMBERS) {
        ml_model_free(m);
        return SR_ERROR(SR_ERANGE, "committee: at most %d networks", ML_MAX_MEMBERS);
    }
    if (c->k > 0 && !compatible(c->member[0], m)) {
        ml_model_free(m);
        return SR_ERROR(SR_EINVAL, "committee: member %d differs from member 1 in elements, descriptor or "
                        "network architecture", c->k + 1);
    }
    c->member[c->k++] = m;
    return SR_OK;
}

double ml_committee_mean(int k, const double *v, size_t stride)
{
    /* v_0 + (1/K) sum_m (v_m - v_0): identical members give v_0 exactly, whatever K */
    double s = 0.0;
    for (int q = 1; q < k; q++) s += v[(size_t)q * stride] - v[0];
    return v[0] + s / k;
}

double ml_force_deviation(int k, int n, const double *f, double *atom_dev, int *argmax)
{
    double dmax = 0.0;
    int imax = 0;
    const size_t stride = 3 * (size_t)n;
    for (int i = 0; i < n; i++) {
        /* shifted by member 0 (the variance of F^m - F^0 is that of F^m): identical members give exactly 0 */
        const double *f0 = f + 3 * (size_t)i;
        double mean[3] = {0, 0, 0};
        for (int q = 1; q < k; q++)
            for (int d = 0; d < 3; d++) mean[d] += f[q * stride + 3 * (size_t)i + d] - f0[d];
        for (int d = 0; d < 3; d++) mean[d] /= k;
        double var = 0.0;
        for (int q = 0; q < k; q++)
            for (int d = 0; d < 3; d++) {
                const double u = f[q * stride + 3 * (size_t)i + d] - f0[d] - mean[d];
                var += u * u;
            }
        const double sigma = sqrt(var / k);
        if (atom_dev) atom_dev[i] = sigma;
        if (sigma > dmax) {
            dmax = sigma;
            imax = i;
        }
    }
    if (argmax) *argmax = imax;
    return dmax;
}

int ml_committee_frame(const ml_committee *c, const ml_frame *fr, double *energy, double *force,
                       double *virial, double *dev_max, double *atom_dev)
{
    if (!c || c->k < 1) return SR_ERROR(SR_EINVAL, "committee: no networks");
    if (c->k == 1) {
        /* a single network: its own evaluation, bit for bit */
        SR_TRY(ml_model_frame(c->member[0], fr, energy, force, virial));
        if (dev_max) *dev_max = 0.0;
        if (atom_dev) memset(atom_dev, 0, sizeof(double) * (size_t)fr->n);
        return SR_OK;
    }
    const int k = c->k, want_f = force || dev_max || atom_dev;
    const size_t n3 = 3 * (size_t)fr->n;
    double *fm = want_f ? malloc(sizeof(double) * (n3 * (size_t)k + 1)) : NULL;
    if (want_f && !fm) return SR_ERROR(SR_ENOMEM, "committee: out of memory");
    double em[ML_MAX_MEMBERS], wm[ML_MAX_MEMBERS][6];
    int rc = SR_OK;
    for (int q = 0; q < k && !rc; q++)
        rc = ml_model_frame(c->member[q], fr, &em[q], want_f ? fm + (size_t)q * n3 : NULL, virial ? wm[q] : NULL);
    if (!rc) {
        if (energy) *energy = ml_committee_mean(k, em, 1);
        if (virial)
            for (int a = 0; a < 6; a++) virial[a] = ml_committee_mean(k, &wm[0][a], 6);
        if (force)
            for (size_t j = 0; j < n3; j++) force[j] = ml_committee_mean(k, fm + j, n3);
        if (dev_max || atom_dev) {
            const double d = ml_force_deviation(k, fr->n, fm, atom_dev, NULL);
            if (dev_max) *dev_max = d;
        }
    }
    free(fm);
    return rc;
}
