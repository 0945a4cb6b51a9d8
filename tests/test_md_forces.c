/* LJ forces = -grad E and virial pressure = -dE/dV by central finite differences; neighbor lists equal
 * an O(N^2) search, also for boxes smaller than twice the cutoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md_testutil.h"

static double energy_of(md_potential *p, md_system *s, double cut)
{
    md_nlist *nl = md_nlist_create(cut, 0.0, p->cls->nlist_kind);
    md_result r = {0};
    assert_int_equal(md_nlist_build(nl, s), 0);
    assert_int_equal(md_compute(p, s, nl, MD_WANT_ENERGY | MD_WANT_FORCE | MD_WANT_VIRIAL, &r), 0);
    md_nlist_free(nl);
    return r.energy;
}

static void check_forces(md_system *s, md_potential *p, double tol)
{
    const double cut = md_potential_cutoff(p);
    md_nlist *nl = md_nlist_create(cut, 0.3, p->cls->nlist_kind);
    md_result r = {0};
    assert_int_equal(md_nlist_build(nl, s), 0);
    assert_int_equal(md_compute(p, s, nl, MD_WANT_ENERGY | MD_WANT_FORCE | MD_WANT_VIRIAL, &r), 0);
    double *f = malloc(3 * (size_t)s->n * sizeof(double));
    memcpy(f, s->f, 3 * (size_t)s->n * sizeof(double));
    double fmax = 0;
    for (int i = 0; i < 3 * s->n; i++) fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
    const double h = 1e-5;
    double worst = 0;
    for (int t = 0; t < 40; t++) {
        int i = (t * 7919) % s->n, k = t % 3;
        double x0 = s->x[3 * i + k];
        s->x[3 * i + k] = x0 + h;
        double ep = energy_of(p, s, cut);
        s->x[3 * i + k] = x0 - h;
        double em = energy_of(p, s, cut);
        s->x[3 * i + k] = x0;
        double fd = -(ep - em) / (2 * h);
        double err = fabs(fd - f[3 * i + k]) / (fabs(f[3 * i + k]) + 1e-3 * fmax);
        if (err > worst) worst = err;
    }
    print_message("max relative force error %.3g\n", worst);
    assert_true(worst < tol);

    /* virial: P_vir V = -dE/dlnV * ... : W = sum r.f = -3 V dE/dV under affine scaling */
    const double eps = 1e-6;
    md_system *c = md_system_copy(s);
    for (int sign = -1; sign <= 1; sign += 2) {
        double sc = 1.0 + sign * eps;
        md_system *d = md_system_copy(s);
        for (int i = 0; i < 3 * d->n; i++) d->x[i] *= sc;
        for (int k = 0; k < 3; k++) {
            d->box.len[k] *= sc;
            d->box.lo[k] *= sc;
        }
        double e = energy_of(p, d, cut);
        if (sign < 0) c->time = e; else c->step = 0, c->f[0] = e;
        md_system_free(d);
    }
    double dEdlnL = (c->f[0] - c->time) / (2 * eps);  /* dE/dln(L) = 3 V dE/dV */
    double W = r.virial[0] + r.virial[1] + r.virial[2];
    print_message("virial %.10g  -dE/dlnL %.10g\n", W, -dEdlnL);
    assert_true(fabs(W + dEdlnL) < 1e-6 * (fabs(W) + 1.0));
    md_system_free(c);
    free(f);
    md_nlist_free(nl);
}

static void test_lj_forces_dense(void **state)
{
    (void)state;
    md_system *s = tu_jittered_fcc(4, 0.95, 0.08, 11);
    md_lj_params lp = {.ntypes = 1, .epsilon = {1.0}, .sigma = {1.0}, .cutoff = 2.5, .shift = 1};
    md_potential *p;
    assert_int_equal(md_lj_create(&lp, &p), 0);
    check_forces(s, p, 1e-6);
    md_potential_free(p);
    md_system_free(s);
}

static void test_lj_forces_two_types_small_box(void **state)
{
    (void)state;
    /* 2x2x2 fcc cells at rho 0.9: box ~2.6 < 2 rc, so atoms see several images of each other */
    md_system *s = tu_jittered_fcc(2, 0.9, 0.07, 12);
    double m[2] = {1.0, 2.385};
    assert_int_equal(md_system_set_types(s, 2, m, NULL), 0);
    for (int i = 0; i < s->n; i++) s->type[i] = i % 3 == 0;
    md_lj_params lp = {.ntypes = 2, .epsilon = {1.0, 0.731}, .sigma = {1.0, 1.113}, .cutoff = 2.5,
                       .shift = 0, .mixing = 1};
    md_potential *p;
    assert_int_equal(md_lj_create(&lp, &p), 0);
    check_forces(s, p, 1e-6);
    md_potential_free(p);
    md_system_free(s);
}

/* Brute force: every image pair within rc (so small boxes count multiple images). */
static long brute_pairs(const md_system *s, double rc)
{
    long count = 0;
    int m[3];
    for (int k = 0; k < 3; k++) m[k] = (int)ceil(rc / s->box.len[k]) + 1;
    for (int i = 0; i < s->n; i++)
        for (int j = i; j < s->n; j++)
            for (int a = -m[0]; a <= m[0]; a++)
                for (int b = -m[1]; b <= m[1]; b++)
                    for (int c = -m[2]; c <= m[2]; c++) {
                        if (i == j && (a > 0 || (a == 0 && (b > 0 || (b == 0 && c >= 0))))) continue;
                        double d[3] = {s->x[3 * j] + a * s->box.len[0] - s->x[3 * i],
                                       s->x[3 * j + 1] + b * s->box.len[1] - s->x[3 * i + 1],
                                       s->x[3 * j + 2] + c * s->box.len[2] - s->x[3 * i + 2]};
                        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rc * rc) count++;
                    }
    return count;
}

static long list_pairs(const md_nlist *nl, const md_system *s, double rc)
{
    long count = 0;
    for (int i = 0; i < nl->n; i++)
        for (int q = 0; q < nl->num[i]; q++) {
            int j = nl->neigh[nl->first[i] + q];
            double d[3];
            for (int k = 0; k < 3; k++) d[k] = s->x[3 * j + k] - s->x[3 * i + k];
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < rc * rc) count++;
        }
    return count;
}

static void test_nlist_matches_brute_force(void **state)
{
    (void)state;
    const double rcs[3] = {1.3, 2.5, 3.7};
    const int ncs[3] = {1, 2, 4};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            md_system *s = tu_jittered_fcc(ncs[a], 0.8442, 0.2, 100 + a * 3 + b);
            /* stretch one axis so the box is not cubic */
            for (int i = 0; i < s->n; i++) s->x[3 * i + 1] *= 1.17;
            s->box.len[1] *= 1.17;
            /* put some atoms outside the box: the list must wrap them */
            s->x[0] += 2.3 * s->box.len[0];
            s->x[4] -= 1.1 * s->box.len[1];
            double rc = rcs[b];
            md_system *c = md_system_copy(s);
            md_system_wrap(c);
            long ref = brute_pairs(c, rc);
            md_nlist *half = md_nlist_create(rc, 0.0, MD_NLIST_HALF);
            md_nlist *full = md_nlist_create(rc, 0.0, MD_NLIST_FULL);
            assert_int_equal(md_nlist_build(half, s), 0);
            long h = list_pairs(half, s, rc);
            assert_int_equal(md_nlist_build(full, s), 0);
            long f = list_pairs(full, s, rc);
            print_message("n=%d box=%.2f rc=%.1f: brute %ld half %ld full %ld\n", s->n, s->box.len[0], rc, ref,
                          h, f);
            assert_int_equal(h, ref);
            assert_int_equal(f, 2 * ref);
            md_nlist_free(half);
            md_nlist_free(full);
            md_system_free(c);
            md_system_free(s);
        }
}

static void test_nlist_rebuild_on_displacement(void **state)
{
    (void)state;
    md_system *s = tu_jittered_fcc(3, 0.8442, 0.1, 7);
    md_nlist *nl = md_nlist_create(2.5, 0.3, MD_NLIST_HALF);
    int rebuilt = -1;
    assert_int_equal(md_nlist_build(nl, s), 0);
    s->x[0] += 0.1; /* < skin/2 */
    assert_int_equal(md_nlist_update(nl, s, &rebuilt), 0);
    assert_int_equal(rebuilt, 0);
    s->x[0] += 0.1; /* now 0.2 > skin/2 */
    assert_int_equal(md_nlist_update(nl, s, &rebuilt), 0);
    assert_int_equal(rebuilt, 1);
    md_nlist_free(nl);
    md_system_free(s);
}

static void test_lattice_counts_and_density(void **state)
{
    (void)state;
    const int natoms[] = {1, 2, 4, 4, 8, 8};
    for (int k = 0; k < MD_LATTICE_NKINDS; k++) {
        md_system *s;
        double rho = 0.8442;
        double nn = md_lattice_nn_for_density(k, rho);
        assert_int_equal(md_lattice_build(k, nn, 3, 4, 5, MD_UNITS_LJ, &s), 0);
        assert_int_equal(s->n, 60 * natoms[k]);
        assert_float_equal(s->n / md_system_volume(s), rho, 1e-12);
        double dmin;
        assert_int_equal(md_system_min_distance(s, &dmin, NULL, NULL), 0);
        print_message("%-10s n=%d nn=%.6f dmin=%.6f\n", md_lattice_name(k), s->n, nn, dmin);
        assert_float_equal(dmin, nn, 1e-9);
        md_system_free(s);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    md_system *s;
    assert_int_equal(md_lattice_build(MD_LATTICE_FCC, -1.0, 2, 2, 2, MD_UNITS_LJ, &s), SR_EINVAL);
    assert_int_equal(md_lattice_build(MD_LATTICE_FCC, 1.0, 0, 2, 2, MD_UNITS_LJ, &s), SR_EINVAL);
    assert_null(md_nlist_create(-1.0, 0.3, MD_NLIST_HALF));
    md_lj_params lp = {.ntypes = 1, .epsilon = {1.0}, .sigma = {-1.0}, .cutoff = 2.5};
    md_potential *p;
    assert_int_equal(md_lj_create(&lp, &p), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "sigma"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lj_forces_dense),
        cmocka_unit_test(test_lj_forces_two_types_small_box),
        cmocka_unit_test(test_nlist_matches_brute_force),
        cmocka_unit_test(test_nlist_rebuild_on_displacement),
        cmocka_unit_test(test_lattice_counts_and_density),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
