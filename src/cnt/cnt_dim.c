/* cnt_dim.c - CNT quantities in two or three dimensions (cnt.h, section 9).
 *
 * A d-dimensional compact nucleus of N particles at density rho_s has the free energy
 *     dG(N) = -N |dmu| + a N^((d-1)/d),
 * stationary at N_c with a = d |dmu| N_c^(1/d) / (d - 1), hence dG* = N_c |dmu| / (d - 1) and
 * dG''(N_c) = -|dmu| / (d N_c), so the Zeldovich factor Z = sqrt(-dG''/(2 pi kT)) = sqrt(|dmu| / (2 pi d kT N_c))
 * (Kelton, Solid State Phys. 45, 75 (1991)). d = 3 is cnt_compute (sphere, gamma from a). d = 2: a disc of area
 * N/rho_s and perimeter 2 sqrt(pi N / rho_s), a = 2 gamma sqrt(pi / rho_s), so gamma = |dmu| sqrt(N_c rho_s / pi)
 * is a line tension [energy/length] and J = rho_l Z f+ exp(-dG* /kT) a rate per area. */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <gsl/gsl_math.h>

int cnt_compute_dim(int dim, const cnt_inputs *in, cnt_result *out)
{
    if (dim != 2 && dim != 3) return SR_ERROR(SR_EINVAL, "cnt_compute_dim: dimension %d, expected 2 or 3", dim);
    SR_TRY(cnt_compute(in, out)); /* validates the inputs; the 3D result */
    if (dim == 3) return SR_OK;
    const double adm = fabs(in->dmu);
    out->gamma = adm * sqrt(in->n_c * in->rho_s / M_PI);
    out->dG_star = in->n_c * adm;
    out->beta_dG = out->dG_star / in->kT;
    out->zeldovich = sqrt(adm / (4.0 * M_PI * in->kT * in->n_c));
    out->log10_J = log10(in->rho_l * out->zeldovich * in->f_plus) - out->beta_dG / M_LN10;
    out->J = pow(10.0, out->log10_J);
    return SR_OK;
}
