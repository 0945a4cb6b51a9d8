/* cnt_theory.c - CNT quantities for a spherical nucleus and unit conversions.
 *
 * With N_c the critical size, dmu = mu_s - mu_l (< 0), rho_s the solid density (Espinosa et al.,
 * JCP 144, 034501 (2016), eqs. 2-6; Kelton, Solid State Phys. 45, 75 (1991)):
 *   dG(N) = N dmu + gamma A(N),  A = (36 pi)^(1/3) (N/rho_s)^(2/3)        (sphere)
 *   N_c   = 32 pi gamma^3 / (3 rho_s^2 |dmu|^3)  <=>  gamma = (3 N_c |dmu|^3 rho_s^2 / (32 pi))^(1/3)
 *   dG*   = 16 pi gamma^3 / (3 rho_s^2 dmu^2) = N_c |dmu| / 2
 *   Z     = sqrt(|dmu| / (6 pi kT N_c))
 *   J     = rho_l Z f+ exp(-dG* /kT). */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <gsl/gsl_math.h>

static int positive_finite(double v) { return isfinite(v) && v > 0; }

int cnt_compute(const cnt_inputs *in, cnt_result *out)
{
    if (!in || !out) return SR_ERROR(SR_EINVAL, "cnt_compute: NULL argument");
    const double adm = fabs(in->dmu);
    const struct { const char *name; double v; } chk[] = {
        {"N_c", in->n_c}, {"|dmu|", adm}, {"rho_s", in->rho_s}, {"rho_l", in->rho_l},
        {"f+", in->f_plus}, {"kT", in->kT}};
    for (size_t i = 0; i < sizeof chk / sizeof chk[0]; i++)
        if (!positive_finite(chk[i].v))
            return SR_ERROR(SR_EINVAL, "cnt_compute: %s = %g, expected a finite value > 0", chk[i].name, chk[i].v);
    out->gamma = cbrt(3.0 * in->n_c * adm * adm * adm * in->rho_s * in->rho_s / (32.0 * M_PI));
    out->dG_star = 0.5 * in->n_c * adm;
    out->beta_dG = out->dG_star / in->kT;
    out->zeldovich = sqrt(adm / (6.0 * M_PI * in->kT * in->n_c));
    out->log10_J = log10(in->rho_l * out->zeldovich * in->f_plus) - out->beta_dG / M_LN10;
    out->J = pow(10.0, out->log10_J);
    return SR_OK;
}

int cnt_critical_size(double gamma, double dmu, double rho_s, double *n_c, double *dG_star)
{
    double adm = fabs(dmu);
    if (!positive_finite(gamma) || !positive_finite(adm) || !positive_finite(rho_s))
        return SR_ERROR(SR_EINVAL, "cnt_critical_size: gamma=%g, |dmu|=%g, rho_s=%g must be finite and > 0",
                        gamma, adm, rho_s);
    double g3 = gamma * gamma * gamma;
    if (n_c) *n_c = 32.0 * M_PI * g3 / (3.0 * rho_s * rho_s * adm * adm * adm);
    if (dG_star) *dG_star = 16.0 * M_PI * g3 / (3.0 * rho_s * rho_s * adm * adm);
    return SR_OK;
}

/* ---- units ---------------------------------------------------------------------------------------
 * tau = sigma sqrt(m/epsilon): sigma [m] = 1e-10 sigma_A, m [kg] = 1e-3 M / N_A, epsilon [J] = e * eps_eV;
 * tau [ps] = 1e12 tau [s] (LAMMPS `units lj` documentation). */
int cnt_lj_units_init(double sigma_A, double epsilon_eV, double mass_gmol, cnt_lj_units *u)
{
    if (!u) return SR_ERROR(SR_EINVAL, "cnt_lj_units_init: NULL output");
    if (!positive_finite(sigma_A) || !positive_finite(epsilon_eV) || !positive_finite(mass_gmol))
        return SR_ERROR(SR_EINVAL, "cnt_lj_units_init: sigma=%g A, epsilon=%g eV, mass=%g g/mol must all be "
                        "finite and > 0", sigma_A, epsilon_eV, mass_gmol);
    double m_kg = 1e-3 * mass_gmol / CNT_AVOGADRO, eps_J = epsilon_eV * CNT_EV_IN_J;
    u->sigma_A = sigma_A;
    u->epsilon_eV = epsilon_eV;
    u->mass_gmol = mass_gmol;
    u->tau_ps = 1e12 * 1e-10 * sigma_A * sqrt(m_kg / eps_J);
    return SR_OK;
}

double cnt_lj_to_metal_energy(const cnt_lj_units *u, double e) { return e * u->epsilon_eV; }
double cnt_lj_to_metal_temperature(const cnt_lj_units *u, double T) { return T * u->epsilon_eV / CNT_KB_EV_PER_K; }
double cnt_lj_to_metal_time(const cnt_lj_units *u, double t) { return t * u->tau_ps; }
double cnt_lj_to_metal_density(const cnt_lj_units *u, double rho)
{
    return rho / (u->sigma_A * u->sigma_A * u->sigma_A);
}
double cnt_lj_to_metal_rate(const cnt_lj_units *u, double J)
{
    return J / (u->sigma_A * u->sigma_A * u->sigma_A * u->tau_ps);
}
double cnt_metal_to_lj_rate(const cnt_lj_units *u, double J)
{
    return J * (u->sigma_A * u->sigma_A * u->sigma_A * u->tau_ps);
}
double cnt_metal_to_lj_energy(const cnt_lj_units *u, double e) { return e / u->epsilon_eV; }
double cnt_metal_to_lj_temperature(const cnt_lj_units *u, double T) { return T * CNT_KB_EV_PER_K / u->epsilon_eV; }
double cnt_metal_to_lj_time(const cnt_lj_units *u, double t) { return t / u->tau_ps; }
double cnt_metal_to_lj_density(const cnt_lj_units *u, double rho)
{
    return rho * (u->sigma_A * u->sigma_A * u->sigma_A);
}
double cnt_lj_to_metal_tension(const cnt_lj_units *u, double g)
{
    return g * u->epsilon_eV / (u->sigma_A * u->sigma_A);
}
/* 1 A^-3 = 1e30 m^-3, 1 ps^-1 = 1e12 s^-1 */
double cnt_metal_to_si_rate(double J) { return J * 1e42; }
double cnt_si_to_metal_rate(double J) { return J * 1e-42; }
double cnt_metal_to_si_log10_rate(double log10_J) { return log10_J + 42.0; }
/* 1 eV/A^2 = 1.602176634e-19 J / 1e-20 m^2 */
double cnt_metal_to_si_tension(double g) { return g * CNT_EV_IN_J * 1e20; }
