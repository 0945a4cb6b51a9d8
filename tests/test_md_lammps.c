/* Potential style lammps (src/md/md_lammps.c): LAMMPS as the force engine.
 *   - LJ through LAMMPS = seedrate's own LJ (two types, shifted, geometric mixing): energy, virial, forces 1e-10;
 *   - NpT with seedrate's integrator: the same trajectory as seedrate's LJ (to rounding), and at every step the
 *     forces of the cheap paths (forces only / list rebuild after a box change) = a full LAMMPS set-up;
 *   - EAM copper (Cu_u3.eam of lammps-data), a potential seedrate does not have: = `lmp` on the same data file
 *     (energy, virial, forces 1e-10); forces = -dE/dx and W_aa = -dE/dln L_a by finite differences; NVE drift;
 *   - the same object reused for systems of other sizes (replicas, seeds) = a fresh one;
 *   - a bad pair_coeff / a missing potential file / a missing include file: a seedrate error naming LAMMPS's
 *     message (create fails, nothing left open).
 * Without LAMMPS in the build, the style's error says so (checked) and the rest is skipped with a message. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "md/md.h"
#include "common/sr_rng.h"
#include "md_testutil.h"

#define EAM_FILE "/usr/share/lammps/potentials/Cu_u3.eam"
#define CU_MASS 63.546
#define CU_A 3.615

static int have_lammps = -1;

static int make_pot(md_system *s, const char *const *kv, md_potential **out, char *err, size_t errcap)
{
    sr_section *sec = sr_section_create("potential");
    for (int k = 0; kv[k]; k += 2) sr_section_set(sec, kv[k], kv[k + 1]);
    sr_errlist el = {0};
    int rc = md_potential_from_section(sec, s, NULL, out, &el);
    if (err) snprintf(err, errcap, "%s", rc ? (el.n ? el.msg[0] : sr_error_message()) : "");
    sr_errlist_clear(&el);
    sr_section_free(sec);
    return rc;
}

/* 1 if this build has LAMMPS; else checks the style's message and prints the skip. */
static int lammps_built(void)
{
    if (have_lammps >= 0) return have_lammps;
    md_system *s = tu_jittered_fcc(2, 0.9, 0.0, 1);
    md_potential *p = NULL;
    char err[1024];
    const char *kv[] = {"style", "lammps", "commands", "pair_style lj/cut 2.5 | pair_coeff 1 1 1 1", "check", "none",
                        NULL};
    int rc = make_pot(s, kv, &p, err, sizeof err);
    md_system_free(s);
    md_potential_free(p);
    if (rc == SR_EUNSUPPORTED) {
        assert_non_null(strstr(err, "built without LAMMPS"));
        assert_non_null(strstr(err, "liblammps-dev"));
        print_message("SKIP: seedrate built without LAMMPS (%s)\n", err);
        have_lammps = 0;
    } else {
        assert_int_equal(rc, 0);
        have_lammps = 1;
    }
    return have_lammps;
}

/* energy, virial and forces (locals) of p on s */
static void eval(md_potential *p, md_system *s, md_result *r, double *f)
{
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), 0.3, p->cls->nlist_kind);
    assert_non_null(nl);
    assert_int_equal(md_nlist_build(nl, s), 0);
    memset(r, 0, sizeof *r);
    assert_int_equal(md_compute(p, s, nl, MD_WANT_ENERGY | MD_WANT_FORCE | MD_WANT_VIRIAL, r), 0);
    if (f) memcpy(f, s->f, 3 * (size_t)s->n * sizeof *f);
    md_nlist_free(nl);
}

static double max_abs(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

/* max |a-b| / max |b| over forces; relative energy; virial relative to its largest component */
static void compare(const char *what, const md_result *ra, const double *fa, const md_result *rb, const double *fb,
                    int n, double tol)
{
    double df = 0, dw = 0;
    for (int i = 0; i < 3 * n; i++) df = fmax(df, fabs(fa[i] - fb[i]));
    for (int k = 0; k < 6; k++) dw = fmax(dw, fabs(ra->virial[k] - rb->virial[k]));
    const double fs = max_abs(fb, 3 * n), ws = max_abs(rb->virial, 6);
    const double de = fabs(ra->energy - rb->energy) / fabs(rb->energy);
    print_message("%s: energy %.15g vs %.15g (rel %.1e), virial rel %.1e, forces rel %.1e\n", what, ra->energy,
                  rb->energy, de, dw / ws, df / fs);
    assert_true(de < tol);
    assert_true(dw / ws < tol);
    assert_true(df / fs < tol);
}

static md_system *lj_two_types(int nc, unsigned long seed)
{
    md_system *s = tu_jittered_fcc(nc, 0.95, 0.08, seed);
    const double mass[2] = {1.0, 2.385};
    md_system_set_types(s, 2, mass, NULL);
    for (int i = 0; i < s->n; i++) s->type[i] = (i % 3 == 0);
    return s;
}

static const char *LJ_OWN[] = {"style", "lj", "epsilon", "1.0 0.731", "sigma", "1.0 1.113", "cutoff", "2.5",
                               "shift", "yes", "mixing", "geometric", NULL};
#define LJ_LAMMPS_COMMANDS                                                                                          \
    "pair_style lj/cut 2.5 | pair_coeff 1 1 1.0 1.0 | pair_coeff 2 2 0.731 1.113 | pair_modify mix geometric shift yes"

static void test_lj_equals_own(void **unused)
{
    (void)unused;
    if (!lammps_built()) return;
    md_system *s = lj_two_types(4, 2385);
    md_potential *own = NULL, *lmp = NULL;
    const char *kv[] = {"style", "lammps", "commands", LJ_LAMMPS_COMMANDS, "check", "none", NULL};
    assert_int_equal(make_pot(s, LJ_OWN, &own, NULL, 0), 0);
    assert_int_equal(make_pot(s, kv, &lmp, NULL, 0), 0);
    double *fa = malloc(3 * sizeof(double) * s->n), *fb = malloc(3 * sizeof(double) * s->n);
    md_result ra, rb;
    eval(lmp, s, &ra, fa);
    eval(own, s, &rb, fb);
    compare("LJ, LAMMPS vs seedrate", &ra, fa, &rb, fb, s->n, 1e-10);
    /* a second call on moved atoms in a changed box (the cheap paths) */
    const double lo[3] = {-0.3, 0.2, 0.0}, len[3] = {s->box.len[0] * 1.01, s->box.len[1] * 0.995, s->box.len[2]};
    for (int i = 0; i < s->n; i++)
        for (int d = 0; d < 3; d++)
            s->x[3 * i + d] = lo[d] + (s->x[3 * i + d] - s->box.lo[d]) * len[d] / s->box.len[d] + 0.01 * (d - 1);
    md_system_set_box(s, lo, len);
    eval(lmp, s, &ra, fa);
    eval(own, s, &rb, fb);
    compare("LJ, box changed", &ra, fa, &rb, fb, s->n, 1e-10);
    lmp->cls->describe(lmp->state, stdout);
    free(fa);
    free(fb);
    md_potential_free(own);
    md_potential_free(lmp);
    md_system_free(s);
}

/* NpT: seedrate's LJ and LAMMPS's LJ follow the same trajectory; the forces seedrate gets through the cheap paths
 * equal a full LAMMPS set-up on the same configuration at every step. */
static void test_lj_npt_trajectory(void **unused)
{
    (void)unused;
    if (!lammps_built()) return;
    md_system *sa = lj_two_types(4, 77), *sb = NULL;
    gsl_rng *rv = sr_rng_create(11, 0, SR_RNG_VELOCITIES);
    md_velocity_create(sa, 1.1, rv);
    gsl_rng_free(rv);
    sb = md_system_copy(sa);
    md_system *sc = md_system_copy(sa);
    md_potential *own = NULL, *lmp = NULL, *ref = NULL;
    const char *kv[] = {"style", "lammps", "commands", LJ_LAMMPS_COMMANDS, "check", "none", NULL};
    const char *kvref[] = {"style", "lammps", "commands", LJ_LAMMPS_COMMANDS, "check", "none", "setup", "always",
                           NULL};
    assert_int_equal(make_pot(sa, LJ_OWN, &own, NULL, 0), 0);
    assert_int_equal(make_pot(sb, kv, &lmp, NULL, 0), 0);
    assert_int_equal(make_pot(sb, kvref, &ref, NULL, 0), 0);
    md_integrator_params ip = {.dt = 0.004, .thermostat = MD_THERMO_BUSSI, .temperature = 1.1, .tau_t = 0.1,
                               .barostat = MD_BARO_ISO, .pressure = 2.0, .tau_p = 0.5, .compressibility = 0.05};
    gsl_rng *ra = sr_rng_create(5, 1, SR_RNG_THERMOSTAT), *rb = sr_rng_create(5, 1, SR_RNG_THERMOSTAT);
    md_integrator *ia = md_integrator_create(&ip, sa, own, ra), *ib = md_integrator_create(&ip, sb, lmp, rb);
    assert_non_null(ia);
    assert_non_null(ib);
    assert_int_equal(md_integrator_setup(ia), 0);
    assert_int_equal(md_integrator_setup(ib), 0);
    double worst_path = 0;
    const int nsteps = 300;
    for (int step = 0; step < nsteps; step++) {
        assert_int_equal(md_integrator_run(ia, 1), 0);
        assert_int_equal(md_integrator_run(ib, 1), 0);
        /* the full set-up on a copy of the LAMMPS run's configuration */
        md_system_free(sc);
        sc = md_system_copy(sb);
        md_result rr;
        eval(ref, sc, &rr, NULL);
        const double fs = max_abs(sc->f, 3 * sc->n);
        for (int i = 0; i < 3 * sb->n; i++) worst_path = fmax(worst_path, fabs(sb->f[i] - sc->f[i]) / fs);
    }
    /* by id and minimum image: the two runs sort and wrap atoms at their own list builds */
    int *where = malloc(sizeof(int) * (size_t)(sb->n + 1));
    for (int i = 0; i < sb->n; i++) where[sb->id[i]] = i;
    double dx = 0;
    for (int i = 0; i < sa->n; i++) {
        const int j = where[sa->id[i]];
        double d[3] = {sa->x[3 * i] - sb->x[3 * j], sa->x[3 * i + 1] - sb->x[3 * j + 1], sa->x[3 * i + 2] - sb->x[3 * j + 2]};
        md_box_minimum_image(&sa->box, d);
        dx = fmax(dx, fmax(fabs(d[0]), fmax(fabs(d[1]), fabs(d[2]))));
    }
    free(where);
    const double dv = fabs(md_system_volume(sa) - md_system_volume(sb)) / md_system_volume(sa);
    print_message("NpT %d steps: positions differ by %.2e sigma, volume %.2e relative (%.6g -> %.6g); cheap paths vs "
                  "full set-up: forces rel %.1e\n",
                  nsteps, dx, dv, 4 * 4 * 4 * 4 / 0.95, md_system_volume(sb), worst_path);
    lmp->cls->describe(lmp->state, stdout);
    assert_true(worst_path < 1e-10);
    assert_true(dx < 1e-8);
    assert_true(dv < 1e-10);
    md_integrator_free(ia);
    md_integrator_free(ib);
    gsl_rng_free(ra);
    gsl_rng_free(rb);
    md_potential_free(own);
    md_potential_free(lmp);
    md_potential_free(ref);
    md_system_free(sa);
    md_system_free(sb);
    md_system_free(sc);
}

static md_system *cu_fcc(int nc, double jitter, unsigned long seed)
{
    md_system *s = NULL;
    if (md_lattice_build(MD_LATTICE_FCC, CU_A / sqrt(2.0), nc, nc, nc, MD_UNITS_METAL, &s)) return NULL;
    const double m = CU_MASS;
    const char *names[] = {"Cu"};
    md_system_set_types(s, 1, &m, names);
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += jitter * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return s;
}

static int have_eam(void)
{
    if (access(EAM_FILE, R_OK) == 0) return 1;
    print_message("SKIP: %s not found (Debian package lammps-data)\n", EAM_FILE);
    return 0;
}

static md_potential *cu_eam(md_system *s)
{
    md_potential *p = NULL;
    const char *kv[] = {"style", "lammps", "commands", "pair_style eam | pair_coeff 1 1 " EAM_FILE, "check", "none",
                        NULL};
    char err[1024];
    if (make_pot(s, kv, &p, err, sizeof err)) fail_msg("%s", err);
    return p;
}

/* forces = -dE/dx (central differences), W_aa = -dE/d ln L_a (affine scaling) */
static void test_eam_finite_differences(void **unused)
{
    (void)unused;
    if (!lammps_built() || !have_eam()) return;
    md_system *s = cu_fcc(3, 0.12, 31);
    md_potential *p = cu_eam(s);
    md_result r0, rp, rm;
    double *f = malloc(3 * sizeof(double) * s->n);
    eval(p, s, &r0, f);
    const double h = 1e-5, fs = max_abs(f, 3 * s->n);
    double ferr = 0;
    for (int i = 0; i < s->n; i += 7)
        for (int d = 0; d < 3; d++) {
            const double x0 = s->x[3 * i + d];
            s->x[3 * i + d] = x0 + h;
            eval(p, s, &rp, NULL);
            s->x[3 * i + d] = x0 - h;
            eval(p, s, &rm, NULL);
            s->x[3 * i + d] = x0;
            ferr = fmax(ferr, fabs(-(rp.energy - rm.energy) / (2 * h) - f[3 * i + d]) / fs);
        }
    double werr = 0;
    const double ws = max_abs(r0.virial, 3);
    for (int a = 0; a < 3; a++) {
        md_system *c = md_system_copy(s);
        double e[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            const double sc = exp(sgn ? -h : h);
            double len[3] = {s->box.len[0], s->box.len[1], s->box.len[2]};
            len[a] *= sc;
            for (int i = 0; i < s->n; i++) c->x[3 * i + a] = s->box.lo[a] + (s->x[3 * i + a] - s->box.lo[a]) * sc;
            md_system_set_box(c, s->box.lo, len);
            eval(p, c, &rp, NULL);
            e[sgn] = rp.energy;
        }
        werr = fmax(werr, fabs(-(e[0] - e[1]) / (2 * h) - r0.virial[a]) / ws);
        md_system_free(c);
    }
    print_message("EAM Cu, %d atoms: forces vs -dE/dx rel %.1e, W_aa vs -dE/dlnL_a rel %.1e (h = %g)\n", s->n, ferr,
                  werr, h);
    assert_true(ferr < 1e-6);
    assert_true(werr < 1e-6);
    free(f);
    md_potential_free(p);
    md_system_free(s);
}

/* NVE with seedrate's velocity Verlet and LAMMPS's EAM: the total energy is conserved */
static void test_eam_nve_drift(void **unused)
{
    (void)unused;
    if (!lammps_built() || !have_eam()) return;
    md_system *s = cu_fcc(4, 0.05, 8);
    gsl_rng *rv = sr_rng_create(3, 0, SR_RNG_VELOCITIES);
    md_velocity_create(s, 900.0, rv);
    gsl_rng_free(rv);
    md_potential *p = cu_eam(s);
    md_integrator_params ip = {.dt = 0.002};
    md_integrator *in = md_integrator_create(&ip, s, p, NULL);
    assert_non_null(in);
    assert_int_equal(md_integrator_setup(in), 0);
    md_thermo t0, t;
    md_integrator_thermo(in, &t0);
    double worst = 0;
    for (int k = 0; k < 50; k++) {
        assert_int_equal(md_integrator_run(in, 10), 0);
        md_integrator_thermo(in, &t);
        worst = fmax(worst, fabs(t.etotal - t0.etotal) / s->n);
    }
    print_message("EAM Cu NVE, %d atoms, 500 x 2 fs from 900 K (T now %.0f K): max |E - E0| = %.2e eV/atom\n", s->n,
                  t.temperature, worst);
    p->cls->describe(p->state, stdout);
    assert_true(worst < 2e-4);
    assert_true(t.temperature > 200);
    md_integrator_free(in);
    md_potential_free(p);
    md_system_free(s);
}

/* The same numbers as the lmp executable on the same data file */
static void test_eam_equals_lmp(void **unused)
{
    (void)unused;
    if (!lammps_built() || !have_eam()) return;
    if (system("command -v lmp > /dev/null 2>&1") != 0) {
        print_message("SKIP: lmp (Debian package lammps) not found\n");
        return;
    }
    char dir[] = "/tmp/test_md_lammps_XXXXXX";
    assert_non_null(mkdtemp(dir));
    md_system *s = cu_fcc(3, 0.15, 99);
    const double lo[3] = {-0.7, 0.3, 1.1}, len[3] = {s->box.len[0], s->box.len[1] * 1.02, s->box.len[2] * 0.99};
    for (int i = 0; i < s->n; i++)
        for (int d = 0; d < 3; d++) s->x[3 * i + d] = lo[d] + (s->x[3 * i + d] - s->box.lo[d]) * len[d] / s->box.len[d];
    md_system_set_box(s, lo, len);
    md_system_wrap(s);
    char path[512];
    snprintf(path, sizeof path, "%s/conf.data", dir);
    FILE *fp = fopen(path, "w");
    fprintf(fp, "jittered Cu\n\n%d atoms\n1 atom types\n\n", s->n);
    for (int d = 0; d < 3; d++) fprintf(fp, "%.17g %.17g %clo %chi\n", lo[d], lo[d] + len[d], 'x' + d, 'x' + d);
    fprintf(fp, "\nMasses\n\n1 %.17g\n\nAtoms # atomic\n\n", CU_MASS);
    for (int i = 0; i < s->n; i++)
        fprintf(fp, "%d 1 %.17g %.17g %.17g\n", i + 1, s->x[3 * i], s->x[3 * i + 1], s->x[3 * i + 2]);
    fclose(fp);
    snprintf(path, sizeof path, "%s/in.lmp", dir);
    fp = fopen(path, "w");
    fprintf(fp, "units metal\natom_style atomic\nread_data %s/conf.data\npair_style eam\npair_coeff 1 1 %s\n"
                "compute v all pressure NULL virial\nthermo_style custom pe c_v[1] c_v[2] c_v[3] c_v[4] c_v[5] c_v[6] vol\n"
                "thermo_modify norm no format float %%.17g\n"
                "dump f all custom 1 %s/forces.dump id fx fy fz\ndump_modify f sort id format float %%.17g\n"
                "run 0\nprint \"SRVALS $(pe:%%.17g) $(c_v[1]:%%.17g) $(c_v[2]:%%.17g) $(c_v[3]:%%.17g) "
                "$(c_v[4]:%%.17g) $(c_v[5]:%%.17g) $(c_v[6]:%%.17g) $(vol:%%.17g)\" file %s/vals.txt\n",
            dir, EAM_FILE, dir, dir);
    fclose(fp);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && lmp -in in.lmp -log none -screen none -nocite > lmp.out 2>&1", dir);
    assert_int_equal(system(cmd), 0);
    md_result rl = {0};
    double vol = 0, pv[6];
    snprintf(path, sizeof path, "%s/vals.txt", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    assert_int_equal(fscanf(fp, "SRVALS %lf %lf %lf %lf %lf %lf %lf %lf", &rl.energy, &pv[0], &pv[1], &pv[2], &pv[3],
                            &pv[4], &pv[5], &vol),
                     8);
    fclose(fp);
    const double nktv2p = md_units_get(MD_UNITS_METAL)->nktv2p;
    for (int k = 0; k < 6; k++) rl.virial[k] = pv[k] * vol / nktv2p;
    double *fl = calloc(3 * (size_t)s->n, sizeof *fl);
    snprintf(path, sizeof path, "%s/forces.dump", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    char line[512];
    int nread = 0;
    while (fgets(line, sizeof line, fp)) {
        int id;
        double f3[3];
        if (sscanf(line, "%d %lf %lf %lf", &id, &f3[0], &f3[1], &f3[2]) == 4 && id >= 1 && id <= s->n &&
            strchr(line, '.')) {
            memcpy(&fl[3 * (id - 1)], f3, sizeof f3);
            nread++;
        }
    }
    fclose(fp);
    assert_int_equal(nread, s->n);
    md_potential *p = cu_eam(s);
    md_result rs;
    double *fs = malloc(3 * sizeof(double) * s->n);
    eval(p, s, &rs, fs);
    compare("EAM Cu, engine vs lmp", &rs, fs, &rl, fl, s->n, 1e-10);
    free(fl);
    free(fs);
    md_potential_free(p);
    md_system_free(s);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* One object, systems of other sizes and ids (replicas, inserted seeds): = a fresh object */
static void test_reload(void **unused)
{
    (void)unused;
    if (!lammps_built()) return;
    md_system *a = lj_two_types(4, 5), *b = lj_two_types(3, 6);
    const char *kv[] = {"style", "lammps", "commands", LJ_LAMMPS_COMMANDS, "check", "none", NULL};
    md_potential *p = NULL, *q = NULL;
    assert_int_equal(make_pot(a, kv, &p, NULL, 0), 0);
    md_result r1, r2;
    double *f1 = malloc(3 * sizeof(double) * a->n), *f2 = malloc(3 * sizeof(double) * a->n);
    eval(p, a, &r1, NULL);
    eval(p, b, &r1, f1);
    assert_int_equal(make_pot(b, kv, &q, NULL, 0), 0);
    eval(q, b, &r2, f2);
    compare("reused for a smaller system", &r1, f1, &r2, f2, b->n, 1e-12);
    /* drop atoms (ids no longer 1..n in order) */
    unsigned char *keep = malloc((size_t)a->n);
    for (int i = 0; i < a->n; i++) keep[i] = (i % 5) != 2;
    md_system_filter(a, keep);
    eval(p, a, &r1, f1);
    md_potential_free(q);
    q = NULL;
    assert_int_equal(make_pot(a, kv, &q, NULL, 0), 0);
    eval(q, a, &r2, f2);
    compare("reused after atoms were removed", &r1, f1, &r2, f2, a->n, 1e-12);
    free(keep);
    free(f1);
    free(f2);
    md_potential_free(p);
    md_potential_free(q);
    md_system_free(a);
    md_system_free(b);
}

/* LAMMPS errors become seedrate errors naming LAMMPS's message; nothing is created */
static void test_errors(void **unused)
{
    (void)unused;
    if (!lammps_built()) return;
    if (system("command -v lmp > /dev/null 2>&1") != 0) {
        print_message("SKIP: lmp not found: this LAMMPS has no exceptions and its errors cannot be checked first\n");
        return;
    }
    md_system *s = tu_jittered_fcc(2, 0.9, 0.02, 3);
    md_potential *p = NULL;
    char err[2048];
    const char *bad_coeff[] = {"style", "lammps", "commands", "pair_style lj/cut 2.5 | pair_coeff 1 1 1.0", NULL};
    assert_int_not_equal(make_pot(s, bad_coeff, &p, err, sizeof err), 0);
    print_message("bad pair_coeff: %s\n", err);
    assert_null(p);
    assert_non_null(strstr(err, "LAMMPS"));
    assert_non_null(strstr(err, "ERROR"));
    assert_non_null(strstr(err, "pair_coeff"));
    assert_null(strchr(err, '\n'));

    md_system *cu = cu_fcc(2, 0.0, 1);
    const char *missing[] = {"style", "lammps", "commands", "pair_style eam | pair_coeff 1 1 no_such_dir/Cu_none.eam",
                             NULL};
    assert_int_not_equal(make_pot(cu, missing, &p, err, sizeof err), 0);
    print_message("missing potential file: %s\n", err);
    assert_null(p);
    assert_non_null(strstr(err, "ERROR"));
    assert_non_null(strstr(err, "no_such_dir/Cu_none.eam"));

    const char *noinc[] = {"style", "lammps", "include", "no_such_model.lmp", NULL};
    assert_int_not_equal(make_pot(cu, noinc, &p, err, sizeof err), 0);
    print_message("missing include: %s\n", err);
    assert_non_null(strstr(err, "no_such_model.lmp"));

    const char *nothing[] = {"style", "lammps", NULL};
    assert_int_not_equal(make_pot(cu, nothing, &p, err, sizeof err), 0);
    print_message("no commands: %s\n", err);
    assert_non_null(strstr(err, "commands"));

    const char *badexe[] = {"style", "lammps", "commands", "pair_style lj/cut 2.5 | pair_coeff 1 1 1 1", "check",
                            "no_such_lmp_exe", NULL};
    assert_int_not_equal(make_pot(cu, badexe, &p, err, sizeof err), 0);
    print_message("bad check executable: %s\n", err);
    assert_non_null(strstr(err, "no_such_lmp_exe"));
    /* a check by an lmp of another LAMMPS (a plug-in style it lacks): the message says so */
    char fake[] = "/tmp/test_md_lammps_lmp_XXXXXX";
    const int fd = mkstemp(fake);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -log ] && log=$2; shift; done\n"
                "printf 'LAMMPS (2 Aug 2023)\\nERROR: Unrecognized pair style deepmd (src/force.cpp:279)\\n' > \"$log\"\n"
                "exit 1\n");
    fclose(fp);
    chmod(fake, 0700);
    const char *other[] = {"style", "lammps", "commands", "pair_style deepmd graph.pb | pair_coeff * *", "check", fake,
                           NULL};
    assert_int_not_equal(make_pot(cu, other, &p, err, sizeof err), 0);
    print_message("check by another LAMMPS: %s\n", err);
    assert_non_null(strstr(err, "Unrecognized pair style deepmd"));
    assert_non_null(strstr(err, "LAMMPS 20230802"));
    assert_non_null(strstr(err, "check = "));
    unlink(fake);
    md_system_free(s);
    md_system_free(cu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lj_equals_own),     cmocka_unit_test(test_lj_npt_trajectory),
        cmocka_unit_test(test_eam_finite_differences), cmocka_unit_test(test_eam_nve_drift),
        cmocka_unit_test(test_eam_equals_lmp),    cmocka_unit_test(test_reload),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
