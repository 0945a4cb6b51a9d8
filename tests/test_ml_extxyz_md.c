/* test_ml_extxyz_md.c - training data written by `seedrate md` ([output] extxyz_every): every frame's
 * energy= and forces are mW's energy and forces of that frame's own positions (recomputed here with the
 * Stillinger-Weber potential from data/mW.sw), frames come at the requested steps, and the file is read
 * back by the training-data reader. Needs the seedrate executable (SEEDRATE_EXE, set by ctest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "test_ml_util.h"
#include "io/io.h"

extern const md_potential_class md_potential_sw;

static void test_md_extxyz_energy_forces(void **st)
{
    (void)st;
    const char *exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    char dir[300], ini[400], xyz[400], cmd[1200];
    snprintf(dir, sizeof dir, "%.200s/test_ml_extxyz_md.d", SEEDRATE_BINARY_DIR);
    mkdir(dir, 0755);
    snprintf(ini, sizeof ini, "%s/run.ini", dir);
    snprintf(xyz, sizeof xyz, "%s/run.extxyz", dir);
    remove(xyz);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[run]\nunits = metal\nsteps = 20\nseed = 7\n\n[structure]\nlattice = diamond\n"
               "density = 0.0334284\ncells = 3 3 3\nmass = 18.015\nelement = mW\ntemperature = 400\n\n"
               "[potential]\nstyle = sw\nfile = %s/data/mW.sw\n\n[ensemble]\nensemble = nvt\n"
               "temperature = 400\ntau_t = 0.1\ndt = 0.010\nskin = 1.0\n\n[output]\nprefix = %s/run\n"
               "thermo_every = 10\nextxyz_every = 10\nrestart = no\n",
            SEEDRATE_SOURCE_DIR, dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' md '%s' > '%s/run.log' 2>&1", exe, ini, dir);
    assert_int_equal(system(cmd), 0);

    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *fr = NULL;
    int nf = 0;
    assert_int_equal(io_extxyz_read(xyz, &tm, &fr, &nf), 0);
    assert_int_equal(nf, 3); /* steps 0, 10, 20 */
    assert_int_equal(tm.ntypes, 1);
    assert_string_equal(tm.name[0], "mW");
    tm.mass[0] = 18.015;
    assert_int_equal(md_potential_register(&md_potential_sw), 0);
    double e_prev = NAN;
    for (int k = 0; k < nf; k++) {
        assert_int_equal(fr[k].n, 216);
        assert_non_null(fr[k].f);
        assert_true(isfinite(fr[k].energy));
        md_system *s = NULL;
        assert_int_equal(io_frame_to_system(&fr[k], &tm, MD_UNITS_METAL, &s), 0);
        sr_section *sec = sr_section_create("potential");
        sr_section_set(sec, "style", "sw");
        char sw[400];
        snprintf(sw, sizeof sw, "%.300s/data/mW.sw", SEEDRATE_SOURCE_DIR);
        sr_section_set(sec, "file", sw);
        sr_errlist el = {0};
        md_potential *pot = NULL;
        assert_int_equal(md_potential_from_section(sec, s, NULL, &pot, &el), 0);
        md_nlist *nl = md_nlist_create(md_potential_cutoff(pot), 0.5, MD_NLIST_FULL);
        assert_int_equal(md_nlist_build(nl, s), 0);
        md_result res = {0};
        assert_int_equal(md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY, &res), 0);
        /* energy of these positions (the file keeps 17 digits) */
        assert_true(fabs(res.energy - fr[k].energy) <= 1e-11 * fabs(res.energy));
        double fbig = 0;
        for (int i = 0; i < s->n; i++) {
            const int a = (int)s->id[i] - 1; /* frame order */
            for (int q = 0; q < 3; q++) {
                fbig = fmax(fbig, fabs(fr[k].f[3 * a + q]));
                assert_true(fabs(s->f[3 * i + q] - fr[k].f[3 * a + q]) <= 1e-10);
            }
        }
        if (k > 0) assert_true(fbig > 0.1); /* after step 0 (a perfect lattice, F = 0) frames are disordered */
        if (k > 0) assert_true(fr[k].energy != e_prev); /* different steps */
        e_prev = fr[k].energy;
        md_nlist_free(nl);
        md_potential_free(pot);
        sr_errlist_clear(&el);
        sr_section_free(sec);
        md_system_free(s);
    }
    io_frames_free(fr, nf);
    /* the training reader takes the same file */
    ml_dataset ds = {0};
    assert_int_equal(ml_dataset_read_extxyz(&ds, xyz), 0);
    assert_int_equal(ds.nframes, 3);
    assert_non_null(ds.frames[2].force);
    ml_dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md_extxyz_energy_forces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
