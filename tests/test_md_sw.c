/* Stillinger-Weber (md_sw.c): forces = -grad E and virial diagonal W_aa = -dE/dln L_a by central finite
 * differences (mW and a two-element file), the analytic energy of a tetrahedral cluster (the three-body
 * term vanishes at cos theta0 = -1/3 and equals lambda eps (cos - cos0)^2 g g when bent), and the
 * file/keyword error paths. With `--write-lmp DIR` it writes configurations, parameter files and our
 * energies/virials for tests/test_md_sw_lmp.sh (comparison with LAMMPS pair_style sw). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "md_testutil.h"

extern const md_potential_class md_potential_sw;

#define MW_FILE SEEDRATE_SOURCE_DIR "/data/mW.sw"
#define MW_MASS 18.015
#define AVOGADRO_CM3_A3 0.602214076 /* N_A * 1e-24: g/cm^3 -> (g/mol)/A^3 */

/* mW parameters (data/mW.sw) for analytic checks */
static const double EPS = 0.26838044, SIG = 2.3925, A_ = 1.8, LAM = 23.15, GAM = 1.2, COS0 = -1.0 / 3.0,
                    BIGA = 7.049556277, BIGB = 0.6022245584;

/* A two-element file: symmetric two-body entries, three-body entries that differ per centre element
 * ((Aa,Aa,Aa) vs (Bb,Aa,Aa) ...), unused fields (sigma, a, gamma of (i,j,k) with j != k) that differ
 * between (i,j,k) and (i,k,j), p and q not 4 and 0. */
static const char *two_elem_sw =
    "# test file: two invented elements\n"
    "Aa Aa Aa 0.30 2.30 1.80 21.0 1.20 -0.333333333333333 7.05 0.60 4.0 0.0 0.0\n"
    "Bb Bb Bb 0.21 2.50 1.75 25.0 1.10 -0.30 6.90 0.55 4.5 0.5 0.0\n"
    "Aa Bb Bb 0.25 2.40 1.78 19.0 1.15 -0.35\n   7.00 0.58 4.2 0.2 0.0\n"
    "Bb Aa Aa 0.25 2.40 1.78 17.0 1.25 -0.32 7.00 0.58 4.2 0.2 0.0\n"
    "Aa Aa Bb 0.27 2.35 1.79 22.0 1.30 -0.40 0 0 0 0 0.0\n"
    "Aa Bb Aa 0.27 2.20 1.60 22.0 1.00 -0.40 0 0 0 0 0.0\n"
    "Bb Aa Bb 0.22 2.45 1.77 24.0 1.05 -0.25 0 0 0 0 0.0\n"
    "Bb Bb Aa 0.22 2.10 1.50 24.0 1.40 -0.25 0 0 0 0 0.0\n"
    "Cc Cc Cc 9 9 9 9 9 9 9 9 9 9 9  # unused element: ignored\n";

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int make_sw(const char *file, const char *elements, md_system *s, md_potential **out)
{
    assert_int_equal(md_potential_register(&md_potential_sw), 0);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "sw");
    sr_section_set(sec, "file", file);
    if (elements) sr_section_set(sec, "elements", elements);
    sr_errlist el = {0};
    int rc = md_potential_from_section(sec, s, NULL, out, &el);
    if (rc) print_message("(expected?) error: %s\n", el.n ? el.msg[0] : sr_error_message());
    sr_errlist_clear(&el);
    sr_section_free(sec);
    return rc;
}

/* Liquid-like mW configuration: diamond lattice at rho (g/cm^3) with random displacements. */
static md_system *mw_config(int nc, double rho_gcm3, double jitter, unsigned long seed)
{
    const double n = rho_gcm3 * AVOGADRO_CM3_A3 / MW_MASS;
    md_system *s = NULL;
    if (md_lattice_build(MD_LATTICE_DIAMOND, md_lattice_nn_for_density(MD_LATTICE_DIAMOND, n), nc, nc, nc,
                         MD_UNITS_METAL, &s))
        return NULL;
    const double m = MW_MASS;
    md_system_set_types(s, 1, &m, NULL);
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += jitter * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return s;
}

static double energy_of(md_potential *p, md_system *s, md_result *res)
{
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), 0.0, p->cls->nlist_kind);
    md_result r = {0};
    assert_int_equal(md_nlist_build(nl, s), 0);
    assert_int_equal(md_compute(p, s, nl, MD_WANT_ENERGY | MD_WANT_FORCE | MD_WANT_VIRIAL, &r), 0);
    md_nlist_free(nl);
    if (res) *res = r;
    return r.energy;
}

/* Max relative error of forces vs -dE/dx over all coordinates of `natoms` atoms, and of W_aa vs
 * -dE/dln L_a (affine scaling of axis a). */
static void fd_errors(md_potential *p, md_system *s, int natoms, double *ferr, double *werr)
{
    md_result r;
    energy_of(p, s, &r);
    const int n3 = 3 * s->n;
    double *f = malloc((size_t)n3 * sizeof *f);
    memcpy(f, s->f, (size_t)n3 * sizeof *f);
    double fmax = 0;
    for (int i = 0; i < n3; i++) fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
    const double h = 1e-5;
    double worst = 0;
    for (int t = 0; t < 3 * natoms; t++) {
        const int c = (t / 3 * 7919 % s->n) * 3 + t % 3;
        const double x0 = s->x[c];
        s->x[c] = x0 + h;
        const double ep = energy_of(p, s, NULL);
        s->x[c] = x0 - h;
        const double em = energy_of(p, s, NULL);
        s->x[c] = x0;
        const double fd = -(ep - em) / (2 * h);
        const double err = fabs(fd - f[c]) / (fabs(f[c]) + 1e-3 * fmax);
        if (err > worst) worst = err;
    }
    *ferr = worst;
    const double eps = 1e-6;
    double wworst = 0;
    for (int a = 0; a < 3; a++) {
        double e[2];
        for (int sg = 0; sg < 2; sg++) {
            md_system *d = md_system_copy(s);
            const double sc = 1.0 + (sg ? eps : -eps);
            for (int i = 0; i < d->n; i++) d->x[3 * i + a] *= sc;
            d->box.len[a] *= sc;
            d->box.lo[a] *= sc;
            e[sg] = energy_of(p, d, NULL);
            md_system_free(d);
        }
        const double dEdlnL = (e[1] - e[0]) / (2 * eps);
        const double err = fabs(r.virial[a] + dEdlnL) / (fabs(r.virial[a]) + 1e-3 * fabs(r.energy));
        print_message("W_%c%c %.10g  -dE/dlnL %.10g\n", "xyz"[a], "xyz"[a], r.virial[a], -dEdlnL);
        if (err > wworst) wworst = err;
    }
    *werr = wworst;
    free(f);
}

static void test_mw_forces_and_virial(void **state)
{
    (void)state;
    md_system *s = mw_config(3, 1.05, 0.35, 71);
    md_potential *p = NULL;
    assert_int_equal(make_sw(MW_FILE, NULL, s, &p), 0);
    double ferr, werr;
    fd_errors(p, s, 40, &ferr, &werr);
    print_message("mW: max relative force error %.3g, virial error %.3g\n", ferr, werr);
    assert_true(ferr < 1e-6);
    assert_true(werr < 1e-6);
    md_potential_free(p);
    md_system_free(s);
}

static md_system *two_element_config(unsigned long seed)
{
    md_system *s = mw_config(3, 1.0, 0.4, seed);
    const double m[2] = {18.0, 30.0};
    const char *names[2] = {"Aa", "Bb"};
    md_system_set_types(s, 2, m, names);
    gsl_rng *r = sr_rng_create(seed, 1, SR_RNG_STRUCTURE);
    for (int i = 0; i < s->n; i++) s->type[i] = gsl_rng_uniform(r) < 0.4;
    gsl_rng_free(r);
    return s;
}

static void test_two_element_forces_and_virial(void **state)
{
    (void)state;
    char path[] = "/tmp/sr_sw2_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_text(path, two_elem_sw);
    md_system *s = two_element_config(5);
    md_potential *p = NULL;
    /* types are named Aa, Bb: no `elements` needed for a multi-element file */
    assert_int_equal(make_sw(path, NULL, s, &p), 0);
    double ferr, werr;
    fd_errors(p, s, 40, &ferr, &werr);
    print_message("two elements: max relative force error %.3g, virial error %.3g\n", ferr, werr);
    assert_true(ferr < 1e-6);
    assert_true(werr < 1e-6);
    /* swapping the mapping changes the energy (the file is really read per element) */
    md_potential *q = NULL;
    assert_int_equal(make_sw(path, "Bb Aa", s, &q), 0);
    const double e1 = energy_of(p, s, NULL), e2 = energy_of(q, s, NULL);
    assert_true(fabs(e1 - e2) > 1e-3 * fabs(e1));
    md_potential_free(q);
    md_potential_free(p);
    md_system_free(s);
    unlink(path);
}

/* phi2 and the radial factor of mW, straight from Molinero & Moore (2009) Eq. 1. */
static double mw_phi2(double r)
{
    return BIGA * EPS * (BIGB * pow(SIG / r, 4) - 1.0) * exp(SIG / (r - A_ * SIG));
}
static double mw_g(double r)
{
    return exp(GAM * SIG / (r - A_ * SIG));
}

static void test_tetrahedron_analytic(void **state)
{
    (void)state;
    /* centre + 4 vertices at r = 2.76 A: vertices are 4.507 A apart, beyond a sigma = 4.3065 A */
    const double r0 = 2.76, L = 40.0;
    md_system *s = md_system_create(5, 1, MD_UNITS_METAL);
    const double lo[3] = {0, 0, 0}, len[3] = {L, L, L};
    md_system_set_box(s, lo, len);
    const double v[4][3] = {{1, 1, 1}, {1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}};
    const double c[3] = {20.1, 19.7, 20.3};
    for (int k = 0; k < 3; k++) s->x[k] = c[k];
    for (int a = 0; a < 4; a++)
        for (int k = 0; k < 3; k++) s->x[3 * (a + 1) + k] = c[k] + r0 * v[a][k] / sqrt(3.0);
    md_potential *p = NULL;
    assert_int_equal(make_sw(MW_FILE, "mW", s, &p), 0);
    const double e_tet = energy_of(p, s, NULL);
    print_message("tetrahedron: E = %.15g, 4 phi2 = %.15g\n", e_tet, 4 * mw_phi2(r0));
    assert_true(fabs(e_tet - 4 * mw_phi2(r0)) < 1e-12 * fabs(e_tet));
    /* bend: move vertex 1 to another distance and direction; E = sum phi2 + sum over the 6 angles */
    const double dir[3] = {1.1, 0.95, 1.0}, r1 = 2.70;
    const double dn = sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    for (int k = 0; k < 3; k++) s->x[3 + k] = c[k] + r1 * dir[k] / dn;
    double u[4][3], r[4];
    for (int a = 0; a < 4; a++) {
        r[a] = 0;
        for (int k = 0; k < 3; k++) {
            u[a][k] = s->x[3 * (a + 1) + k] - c[k];
            r[a] += u[a][k] * u[a][k];
        }
        r[a] = sqrt(r[a]);
    }
    /* the vertices stay out of each other's range: only the centre has a three-body term */
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++) {
            const double dx = u[a][0] - u[b][0], dy = u[a][1] - u[b][1], dz = u[a][2] - u[b][2];
            assert_true(sqrt(dx * dx + dy * dy + dz * dz) > A_ * SIG);
        }
    double expect = 0;
    for (int a = 0; a < 4; a++) expect += mw_phi2(r[a]);
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++) {
            const double cs = (u[a][0] * u[b][0] + u[a][1] * u[b][1] + u[a][2] * u[b][2]) / (r[a] * r[b]);
            expect += LAM * EPS * (cs - COS0) * (cs - COS0) * mw_g(r[a]) * mw_g(r[b]);
        }
    const double e_bent = energy_of(p, s, NULL);
    print_message("bent: E = %.15g, analytic %.15g (three-body part %.6g eV)\n", e_bent, expect,
                  e_bent - (mw_phi2(r1) + 3 * mw_phi2(r0)));
    assert_true(e_bent - (mw_phi2(r1) + 3 * mw_phi2(r0)) > 1e-4);
    assert_true(fabs(e_bent - expect) < 1e-12 * fabs(expect));
    md_potential_free(p);
    md_system_free(s);
}

/* Two atoms whose r^2 is the double just below (a sigma)^2, where sqrt(r^2) rounds up to a sigma itself: without
 * care dr = 1/(r - a sigma) = +inf and the pair energy is huge or infinite; the limit r -> a sigma is exp(-inf) = 0.
 * (Positions found by search: u = (0x1.c77c257391486p+3 - 10, 0x1.59325b85d3c26p+3 - 10, 0), r^2 = 0x1.28bc2df0d4132p+4
 * with the kernels' ux*ux + uy*uy + uz*uz.) */
static void test_cutoff_rounding(void **state)
{
    (void)state;
    md_system *s = md_system_create(2, 1, MD_UNITS_METAL);
    const double lo[3] = {0, 0, 0}, len[3] = {40, 40, 40};
    md_system_set_box(s, lo, len);
    const double x[6] = {10.0, 10.0, 10.0, 0x1.c77c257391486p+3, 0x1.59325b85d3c26p+3, 10.0};
    for (int k = 0; k < 6; k++) s->x[k] = x[k];
    const double ux = x[3] - x[0], uy = x[4] - x[1], uz = x[5] - x[2], rsq = ux * ux + uy * uy + uz * uz;
    assert_true(rsq < (A_ * SIG) * (A_ * SIG) && sqrt(rsq) >= A_ * SIG);
    md_potential *p = NULL;
    assert_int_equal(make_sw(MW_FILE, "mW", s, &p), 0);
    md_result r;
    const double e = energy_of(p, s, &r);
    print_message("pair at r^2 = %a (sqrt rounds to a sigma = %.17g): E = %g\n", rsq, A_ * SIG, e);
    assert_true(e == 0.0);
    for (int k = 0; k < 6; k++) assert_true(s->f[k] == 0.0);
    md_potential_free(p);
    md_system_free(s);
}

static void expect_bad_file(const char *text, md_system *s, const char *elements, const char *what)
{
    char path[] = "/tmp/sr_swbad_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_text(path, text);
    md_potential *p = NULL;
    print_message("%s: ", what);
    assert_int_not_equal(make_sw(path, elements, s, &p), 0);
    assert_null(p);
    unlink(path);
}

static void test_bad_files(void **state)
{
    (void)state;
    md_system *s1 = mw_config(1, 1.0, 0.0, 1);
    md_system *s2 = two_element_config(2);
    const char *ok = "X X X 0.27 2.39 1.8 23.15 1.2 -0.3333 7.05 0.60 4 0 0\n";
    expect_bad_file("X X X 0.27 2.39 1.8 23.15 1.2 -0.3333 7.05 0.60 4 zero 0\n", s1, NULL, "not a number");
    expect_bad_file("X X X 0.27 2.39 1.8 23.15 1.2 -0.3333 7.05 0.60 4\n", s1, NULL, "incomplete entry");
    expect_bad_file("X X X 0.27 2.39 1.8 -23.15 1.2 -0.3333 7.05 0.60 4 0 0\n", s1, NULL, "negative lambda");
    expect_bad_file("# only comments\n", s1, NULL, "no entry");
    char dup[256];
    snprintf(dup, sizeof dup, "%s%s", ok, ok);
    expect_bad_file(dup, s1, NULL, "duplicate entry");
    expect_bad_file(ok, s1, "Y", "element not in the file");
    expect_bad_file(ok, s2, "X", "elements count differs from the types");
    /* two-element file with a missing triplet (drop the Bb Bb Aa line) */
    char *missing = strdup(two_elem_sw);
    *strstr(missing, "Bb Bb Aa") = 0;
    expect_bad_file(missing, s2, NULL, "missing triplet");
    free(missing);
    /* asymmetric two-body parameters: (Aa Bb Bb) and (Bb Aa Aa) disagree in A */
    char *asym = strdup(two_elem_sw);
    char *q = strstr(asym, "Bb Aa Aa 0.25 2.40 1.78 17.0 1.25 -0.32 7.00");
    q[strlen("Bb Aa Aa 0.25 2.40 1.78 17.0 1.25 -0.32 7.0")] = '9';
    expect_bad_file(asym, s2, NULL, "asymmetric pair term");
    free(asym);
    /* three-body entries (Bb Aa Bb) and (Bb Bb Aa) with different lambda */
    char *asym3 = strdup(two_elem_sw);
    memcpy(strstr(asym3, "Bb Bb Aa 0.22 2.10 1.50 24.0") + strlen("Bb Bb Aa 0.22 2.10 1.50 2"), "5", 1);
    expect_bad_file(asym3, s2, NULL, "asymmetric triplet term");
    free(asym3);
    /* several elements in the file and type names that are not elements */
    md_system *s3 = mw_config(1, 1.0, 0.0, 1);
    expect_bad_file(two_elem_sw, s3, NULL, "multi-element file, type '1' unknown");
    md_potential *p = NULL;
    print_message("missing file: ");
    assert_int_not_equal(make_sw("/nonexistent/mW.sw", NULL, s1, &p), 0);
    /* a half-list is refused at compute time */
    assert_int_equal(make_sw(MW_FILE, NULL, s1, &p), 0);
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), 0.0, MD_NLIST_HALF);
    assert_int_equal(md_nlist_build(nl, s1), 0);
    md_result r = {0};
    assert_int_not_equal(md_compute(p, s1, nl, MD_WANT_FORCE, &r), 0);
    md_nlist_free(nl);
    md_potential_free(p);
    md_system_free(s1);
    md_system_free(s2);
    md_system_free(s3);
}

/* --write-lmp DIR: data files + parameter files + our energy and virial (for test_md_sw_lmp.sh). */
static void write_data(const char *path, const md_system *s)
{
    FILE *fp = fopen(path, "w");
    if (!fp) exit(2);
    fprintf(fp, "seedrate test configuration\n\n%d atoms\n%d atom types\n\n", s->n, s->ntypes);
    const char *ax = "xyz";
    for (int k = 0; k < 3; k++)
        fprintf(fp, "%.17g %.17g %clo %chi\n", s->box.lo[k], s->box.lo[k] + s->box.len[k], ax[k], ax[k]);
    fprintf(fp, "\nMasses\n\n");
    for (int t = 0; t < s->ntypes; t++) fprintf(fp, "%d %.17g\n", t + 1, s->mass[t]);
    fprintf(fp, "\nAtoms # atomic\n\n");
    for (int i = 0; i < s->n; i++)
        fprintf(fp, "%d %d %.17g %.17g %.17g\n", i + 1, s->type[i] + 1, s->x[3 * i], s->x[3 * i + 1],
                s->x[3 * i + 2]);
    fclose(fp);
}

static int write_lmp_case(const char *dir, const char *name, md_system *s, const char *file, const char *elem)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.data", dir, name);
    md_system_wrap(s);
    write_data(path, s);
    md_potential *p = NULL;
    if (make_sw(file, elem, s, &p)) return 1;
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), 0.0, MD_NLIST_FULL);
    md_result r = {0};
    if (md_nlist_build(nl, s) || md_compute(p, s, nl, MD_WANT_ENERGY | MD_WANT_VIRIAL | MD_WANT_FORCE, &r))
        return 1;
    snprintf(path, sizeof path, "%s/%s.ours", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    /* energy, then W_ab / V (energy/volume): LAMMPS prints the virial pressure times V/nktv2p */
    const double V = md_system_volume(s);
    fprintf(fp, "%.17g %.17g", r.energy, V);
    for (int k = 0; k < 6; k++) fprintf(fp, " %.17g", r.virial[k]);
    fprintf(fp, "\n");
    fclose(fp);
    md_nlist_free(nl);
    md_potential_free(p);
    return 0;
}

static int write_lmp(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/two.sw", dir);
    /* one tol > 0 entry (Aa Aa Aa): LAMMPS shortens that cutoff the same way */
    char *text = strdup(two_elem_sw);
    char *t = strstr(text, "Aa Aa Aa");
    memcpy(strstr(t, "4.0 0.0 0.0\n"), "4 0.0 0.001\n", 12);
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    fputs(text, fp);
    fclose(fp);
    free(text);
    md_system *s = mw_config(4, 1.0, 0.45, 2026);
    md_system *s2 = two_element_config(77);
    int rc = write_lmp_case(dir, "mw", s, MW_FILE, "mW") || write_lmp_case(dir, "two", s2, path, "Aa Bb");
    md_system_free(s);
    md_system_free(s2);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-lmp") == 0) return write_lmp(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mw_forces_and_virial),
        cmocka_unit_test(test_two_element_forces_and_virial),
        cmocka_unit_test(test_tetrahedron_analytic),
        cmocka_unit_test(test_cutoff_rounding),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
