/* test_ml_committee.c - a committee of networks (issue 18 item 1): the model deviation is exactly zero for
 * identical members and matches a hand computation for two; committee forces are -grad of the mean energy
 * (finite differences) and the md "nn" style reproduces the frame evaluation and reports the deviation
 * through md's optional uncertainty hook (and the thermo log's model_dev column); a committee of one is the
 * single network bit for bit (file, frame and md), and so is one member chosen from a committee file
 * ([potential] member = N); training K members lowers each member's loss on a fixed
 * set, a committee of one trains exactly as a single network did; the file round-trips and its checksum
 * catches damage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "test_ml_util.h"
#include "io/io.h"
#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_ml_committee")

/* a deep copy of a model through its file */
static ml_model *model_copy(const ml_model *m)
{
    char path[160];
    path_of(path, sizeof path, "copy.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    ml_model *b = NULL;
    assert_int_equal(ml_model_read(path, &b), 0);
    remove(path);
    return b;
}

/* a committee of k random members of one architecture (identical = copies of the first) */
static ml_committee *random_committee(gsl_rng *r, int k, int identical, double rc)
{
    ml_committee *c = ml_committee_create();
    assert_non_null(c);
    ml_model *first = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, rc);
    assert_non_null(first);
    assert_int_equal(ml_committee_add(c, first), 0);
    for (int q = 1; q < k; q++)
        assert_int_equal(ml_committee_add(c, identical ? model_copy(first)
                                                       : tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, rc)), 0);
    return c;
}

/* an md system holding a frame (types by name: O = 0, H = 1 in the model; md order reversed on purpose) */
static md_system *system_of(const ml_frame *fr)
{
    md_system *s = md_system_create(fr->n, 2, MD_UNITS_METAL);
    assert_non_null(s);
    const double mass[2] = {1.008, 15.999};
    const char *names[2] = {"H", "O"};
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    assert_int_equal(md_system_set_box(s, (double[3]){0, 0, 0}, fr->box), 0);
    for (int i = 0; i < fr->n; i++) {
        memcpy(s->x + 3 * i, fr->x + 3 * i, sizeof(double) * 3);
        s->type[i] = fr->type[i] == 0 ? 1 : 0;
    }
    return s;
}

static md_potential *nn_potential(const char *path, const md_system *s)
{
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", path);
    void *state = NULL;
    assert_int_equal(ml_potential_nn.create(&state, &cfg, s, NULL), 0);
    md_potential *pot;
    assert_int_equal(md_potential_wrap(&ml_potential_nn, state, &pot), 0);
    return pot;
}

/* forces (by atom id, after ghost folding), energy and virial of a potential on s */
static void md_eval(md_potential *pot, md_system *s, double *E, double *F, double W[6])
{
    md_nlist *nl = md_nlist_create(md_potential_cutoff(pot), 0.3, MD_NLIST_FULL);
    assert_int_equal(md_nlist_build(nl, s), 0);
    md_result res = {0};
    assert_int_equal(md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res), 0);
    *E = res.energy;
    for (int i = 0; i < s->n; i++) memcpy(F + 3 * (s->id[i] - 1), s->f + 3 * i, sizeof(double) * 3);
    memcpy(W, res.virial, sizeof res.virial);
    md_nlist_free(nl);
}

static void test_deviation_zero_for_identical_members(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(181, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 3, 1, 3.9);
    ml_frame fr;
    tml_random_frame(r, 40, (double[3]){7.3, 7.9, 7.1}, 1.0, &fr);
    double E1, E, dev = -1, *F1 = malloc(sizeof(double) * 3 * fr.n), *F = malloc(sizeof(double) * 3 * fr.n);
    double *ad = malloc(sizeof(double) * fr.n);
    assert_int_equal(ml_model_frame(c->member[0], &fr, &E1, F1, NULL), 0);
    assert_int_equal(ml_committee_frame(c, &fr, &E, F, NULL, &dev, ad), 0);
    assert_true(dev == 0.0);
    for (int i = 0; i < fr.n; i++) assert_true(ad[i] == 0.0);
    assert_true(E == E1);
    assert_memory_equal(F, F1, sizeof(double) * 3 * fr.n);
    /* through md: the hook reports exactly 0 for every atom, and the means are member 0's values */
    char path[160];
    path_of(path, sizeof path, "identical.nc");
    assert_int_equal(ml_committee_write(c, path), 0);
    md_system *s = system_of(&fr);
    md_potential *pot = nn_potential(path, s);
    md_uncertainty u;
    assert_int_equal(md_potential_uncertainty(pot, &u), 0); /* nothing computed yet */
    double Em, W[6], *Fm = malloc(sizeof(double) * 3 * fr.n);
    md_eval(pot, s, &Em, Fm, W);
    assert_int_equal(md_potential_uncertainty(pot, &u), 1);
    assert_int_equal(u.members, 3);
    assert_int_equal(u.n, fr.n);
    assert_true(u.force_dev_max == 0.0 && u.force_dev_mean == 0.0 && u.energy_dev == 0.0);
    for (int i = 0; i < fr.n; i++) assert_true(u.force_dev[i] == 0.0);
    for (int k = 0; k < 3 * fr.n; k++) assert_true(fabs(Fm[k] - F1[k]) < 1e-10);
    md_potential_free(pot);
    md_system_free(s);
    free(F1);
    free(F);
    free(Fm);
    free(ad);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* K = 2: sigma_i = |F_i^1 - F_i^2| / 2 */
static void test_deviation_two_members_by_hand(void **st)
{
    (void)st;
    /* the function itself on numbers worked out by hand: atom 0 differs by (0.8, -1.2, -0.6), |d| =
     * sqrt(2.44), sigma = sqrt(2.44)/2 = 0.78102497...; atom 1 identical; atom 2 differs by (0, 0, 3.1) */
    const double f[2 * 9] = {1.5, -0.3, 2.0, 0.25, 0.5, -4.0, 1.0, 2.0, 3.0,
                             0.7, 0.9, 2.6, 0.25, 0.5, -4.0, 1.0, 2.0, -0.1};
    double ad[3];
    int imax = -1;
    const double d = ml_force_deviation(2, 3, f, ad, &imax);
    assert_true(fabs(ad[0] - 0.7810249675906654) < 1e-15);
    assert_true(ad[1] == 0.0);
    assert_true(fabs(ad[2] - 1.55) < 1e-15);
    assert_true(d == ad[2] && imax == 2);
    /* K = 3 population standard deviation: components 1, 2, 6 on x -> var = 14/3, sigma = 2.1602469 */
    const double g[3 * 3] = {1, 0, 0, 2, 0, 0, 6, 0, 0};
    assert_true(fabs(ml_force_deviation(3, 1, g, NULL, NULL) - sqrt(14.0 / 3.0)) < 1e-14);

    /* two different networks through md: the hook's sigma_i from each member's own forces */
    gsl_rng *r = sr_rng_create(182, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 2, 0, 3.9);
    ml_frame fr;
    tml_random_frame(r, 200, (double[3]){12.3, 11.9, 12.1}, 1.0, &fr);
    double *F1 = malloc(sizeof(double) * 3 * fr.n), *F2 = malloc(sizeof(double) * 3 * fr.n), E1, E2;
    assert_int_equal(ml_model_frame(c->member[0], &fr, &E1, F1, NULL), 0);
    assert_int_equal(ml_model_frame(c->member[1], &fr, &E2, F2, NULL), 0);
    double hand_max = 0, hand_sum = 0, *hand = malloc(sizeof(double) * fr.n);
    for (int i = 0; i < fr.n; i++) {
        double d2 = 0;
        for (int q = 0; q < 3; q++) d2 += (F1[3 * i + q] - F2[3 * i + q]) * (F1[3 * i + q] - F2[3 * i + q]);
        hand[i] = 0.5 * sqrt(d2);
        hand_sum += hand[i];
        if (hand[i] > hand_max) hand_max = hand[i];
    }
    assert_true(hand_max > 1e-2);
    char path[160];
    path_of(path, sizeof path, "two.nc");
    assert_int_equal(ml_committee_write(c, path), 0);
    md_system *s = system_of(&fr);
    md_potential *pot = nn_potential(path, s);
    double Em, W[6], *Fm = malloc(sizeof(double) * 3 * fr.n);
    md_uncertainty u;
    /* serial and threaded (private member force arrays per thread: 200 atoms give 3 threads) */
    for (int threads = 3; threads >= 1; threads -= 2) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        md_eval(pot, s, &Em, Fm, W);
        assert_int_equal(md_potential_uncertainty(pot, &u), 1);
        assert_true(fabs(u.force_dev_max - hand_max) < 1e-10 * hand_max);
        for (int k = 0; k < 3 * fr.n; k++) assert_true(fabs(Fm[k] - 0.5 * (F1[k] + F2[k])) < 1e-10);
    }
#ifdef _OPENMP
    /* [potential] threads = 3: three blocks of atoms; the same bits on 3 threads and on one thread (the result
     * depends on the block count only, md.h "Threads inside one replica") */
    assert_int_equal(md_potential_set_threads(pot, 3), 0);
    double E3[2], W3[2][6], *F3[2] = {malloc(sizeof(double) * 3 * fr.n), malloc(sizeof(double) * 3 * fr.n)};
    md_eval(pot, s, &E3[0], F3[0], W3[0]);
    const int levels = omp_get_max_active_levels();
    omp_set_max_active_levels(0);
    md_eval(pot, s, &E3[1], F3[1], W3[1]);
    omp_set_max_active_levels(levels);
    assert_memory_equal(F3[0], F3[1], sizeof(double) * 3 * fr.n);
    assert_memory_equal(&E3[0], &E3[1], sizeof(double));
    for (int k = 0; k < 3 * fr.n; k++) assert_true(fabs(F3[0][k] - 0.5 * (F1[k] + F2[k])) < 1e-10);
    free(F3[0]);
    free(F3[1]);
    md_eval(pot, s, &Em, Fm, W);
    assert_int_equal(md_potential_uncertainty(pot, &u), 1);
#endif
    assert_int_equal(u.members, 2);
    assert_true(fabs(u.force_dev_max - hand_max) < 1e-10 * hand_max);
    assert_true(fabs(u.force_dev_mean - hand_sum / fr.n) < 1e-10 * hand_max);
    assert_true(fabs(u.energy_dev - 0.5 * fabs(E1 - E2)) < 1e-9 * (1 + fabs(E1)));
    for (int i = 0; i < s->n; i++) assert_true(fabs(u.force_dev[i] - hand[s->id[i] - 1]) < 1e-10 * hand_max);
    assert_true(fabs(Em - 0.5 * (E1 + E2)) < 1e-10 * fabs(E1));
    for (int k = 0; k < 3 * fr.n; k++) assert_true(fabs(Fm[k] - 0.5 * (F1[k] + F2[k])) < 1e-10);
    md_potential_free(pot);
    md_system_free(s);
    free(F1);
    free(F2);
    free(Fm);
    free(hand);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* F = -grad <E> and W = -d<E>/d eps by central differences; md (serial and threaded) = frame evaluation */
static void test_committee_forces_finite_differences(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(183, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 3, 0, 3.9);
    ml_frame fr;
    tml_random_frame(r, 17, (double[3]){6.1, 5.7, 6.6}, 1.1, &fr); /* box < 2 rc: several images in range */
    double E, W[6], *F = malloc(sizeof(double) * 3 * fr.n);
    assert_int_equal(ml_committee_frame(c, &fr, &E, F, W, NULL, NULL), 0);
    const double h = 1e-5;
    double fmax = 0, err = 0;
    for (int k = 0; k < 3 * fr.n; k++) {
        const double keep = fr.x[k];
        double ep, em;
        fr.x[k] = keep + h;
        assert_int_equal(ml_committee_frame(c, &fr, &ep, NULL, NULL, NULL, NULL), 0);
        fr.x[k] = keep - h;
        assert_int_equal(ml_committee_frame(c, &fr, &em, NULL, NULL, NULL, NULL), 0);
        fr.x[k] = keep;
        const double fd = -(ep - em) / (2 * h);
        if (fabs(F[k]) > fmax) fmax = fabs(F[k]);
        if (fabs(fd - F[k]) > err) err = fabs(fd - F[k]);
    }
    assert_true(fmax > 1e-2);
    assert_true(err <= 1e-6 * fmax);
    /* diagonal virial: uniform strain of box and positions */
    for (int a = 0; a < 3; a++) {
        double e[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            const double eps = sgn ? -h : h;
            ml_frame g = fr;
            g.x = malloc(sizeof(double) * 3 * fr.n);
            for (int i = 0; i < fr.n; i++)
                for (int q = 0; q < 3; q++) g.x[3 * i + q] = fr.x[3 * i + q] * (q == a ? 1 + eps : 1);
            g.box[a] *= 1 + eps;
            assert_int_equal(ml_committee_frame(c, &g, &e[sgn], NULL, NULL, NULL, NULL), 0);
            free(g.x);
        }
        const double fd = -(e[0] - e[1]) / (2 * h);
        assert_true(fabs(fd - W[a]) <= 1e-6 * (fabs(W[0]) + fabs(W[1]) + fabs(W[2])));
    }
    /* md with ghosts, serial and threaded */
    char path[160];
    path_of(path, sizeof path, "fd.nc");
    assert_int_equal(ml_committee_write(c, path), 0);
    md_system *s = system_of(&fr);
    md_potential *pot = nn_potential(path, s);
    for (int threads = 1; threads <= 3; threads += 2) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        double Em, Wm[6], *Fm = malloc(sizeof(double) * 3 * fr.n);
        md_eval(pot, s, &Em, Fm, Wm);
        assert_true(fabs(Em - E) < 1e-10 * fabs(E));
        for (int k = 0; k < 3 * fr.n; k++) assert_true(fabs(Fm[k] - F[k]) < 1e-10);
        for (int q = 0; q < 6; q++) assert_true(fabs(Wm[q] - W[q]) < 1e-9 * (1 + fabs(W[q])));
        free(Fm);
    }
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    md_potential_free(pot);
    md_system_free(s);
    free(F);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* a committee of one = the single network: the same file, bit-identical frame and md results, no
 * uncertainty reported (so the thermo log has no model_dev column) */
static void test_committee_of_one_is_the_network(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(184, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 1, 0, 3.9);
    ml_frame fr;
    tml_random_frame(r, 150, (double[3]){11.3, 11.9, 11.1}, 1.0, &fr);
    char single[160], one[160];
    path_of(single, sizeof single, "single.nc");
    path_of(one, sizeof one, "one.nc");
    assert_int_equal(ml_model_write(c->member[0], single), 0);
    assert_int_equal(ml_committee_write(c, one), 0);
    /* the committee-of-one file is a format-2 single-network file: ml_model_read takes it */
    ml_model *b = NULL;
    assert_int_equal(ml_model_read(one, &b), 0);
    ml_model_free(b);
    double E1, E2, W1[6], W2[6], *F1 = malloc(sizeof(double) * 3 * fr.n), *F2 = malloc(sizeof(double) * 3 * fr.n);
    assert_int_equal(ml_model_frame(c->member[0], &fr, &E1, F1, W1), 0);
    double dev = -1;
    assert_int_equal(ml_committee_frame(c, &fr, &E2, F2, W2, &dev, NULL), 0);
    assert_true(dev == 0.0);
    assert_memory_equal(&E1, &E2, sizeof E1);
    assert_memory_equal(F1, F2, sizeof(double) * 3 * fr.n);
    assert_memory_equal(W1, W2, sizeof W1);
    for (int threads = 1; threads <= 2; threads++) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        md_system *s1 = system_of(&fr), *s2 = system_of(&fr);
        md_potential *p1 = nn_potential(single, s1), *p2 = nn_potential(one, s2);
        md_eval(p1, s1, &E1, F1, W1);
        md_eval(p2, s2, &E2, F2, W2);
        assert_memory_equal(&E1, &E2, sizeof E1);
        assert_memory_equal(F1, F2, sizeof(double) * 3 * fr.n);
        assert_memory_equal(W1, W2, sizeof W1);
        md_uncertainty u;
        assert_int_equal(md_potential_uncertainty(p2, &u), 0);
        assert_true(isnan(u.force_dev_max));
        md_potential_free(p1);
        md_potential_free(p2);
        md_system_free(s1);
        md_system_free(s2);
    }
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    free(F1);
    free(F2);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* [potential] member = N: member N of a committee file alone is that network, bit for bit (energy, forces, virial
 * through md, no uncertainty reported); the members differ from each other (so the choice is real); a member past
 * the committee's size is refused with the count */
static void test_member_alone_is_that_network(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(185, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 3, 0, 3.9);
    ml_frame fr;
    tml_random_frame(r, 60, (double[3]){8.3, 8.9, 8.1}, 1.0, &fr);
    char com[160];
    path_of(com, sizeof com, "three.nc");
    assert_int_equal(ml_committee_write(c, com), 0);
    double Eprev = NAN;
    for (int q = 1; q <= 3; q++) {
        char single[160];
        path_of(single, sizeof single, "member.nc");
        assert_int_equal(ml_model_write(c->member[q - 1], single), 0);
        md_system *s1 = system_of(&fr), *s2 = system_of(&fr);
        md_potential *p1 = nn_potential(single, s1);
        ml_potential_config cfg = {0};
        snprintf(cfg.model, sizeof cfg.model, "%s", com);
        cfg.member = q;
        void *state = NULL;
        assert_int_equal(ml_potential_nn.create(&state, &cfg, s2, NULL), 0);
        md_potential *p2;
        assert_int_equal(md_potential_wrap(&ml_potential_nn, state, &p2), 0);
        double E1, E2, W1[6], W2[6], *F1 = malloc(sizeof(double) * 3 * fr.n), *F2 = malloc(sizeof(double) * 3 * fr.n);
        md_eval(p1, s1, &E1, F1, W1);
        md_eval(p2, s2, &E2, F2, W2);
        assert_memory_equal(&E1, &E2, sizeof E1);
        assert_memory_equal(F1, F2, sizeof(double) * 3 * fr.n);
        assert_memory_equal(W1, W2, sizeof W1);
        assert_true(E2 != Eprev);
        Eprev = E2;
        md_uncertainty u;
        assert_int_equal(md_potential_uncertainty(p2, &u), 0);
        md_potential_free(p1);
        md_potential_free(p2);
        md_system_free(s1);
        md_system_free(s2);
        free(F1);
        free(F2);
        remove(single);
    }
    md_system *s = system_of(&fr);
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", com);
    cfg.member = 4;
    void *state = NULL;
    sr_error_clear();
    assert_int_equal(ml_potential_nn.create(&state, &cfg, s, NULL), SR_EINVAL);
    assert_null(state);
    assert_non_null(strstr(sr_error_message(), "member = 4, but model"));
    assert_non_null(strstr(sr_error_message(), "has 3 networks"));
    md_system_free(s);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* labelled frames from a teacher network */
static void teacher_dataset(gsl_rng *r, const ml_model *teacher, int nframes, int natoms, ml_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->nelem = 2;
    strcpy(ds->type_map[0], "O");
    strcpy(ds->type_map[1], "H");
    for (int k = 0; k < nframes; k++) {
        ml_frame fr;
        tml_random_frame(r, natoms, (double[3]){6.3, 6.1, 6.6}, 1.0, &fr);
        fr.force = malloc(sizeof(double) * 3 * natoms);
        assert_int_equal(ml_model_frame(teacher, &fr, &fr.energy, fr.force, NULL), 0);
        assert_int_equal(ml_dataset_add(ds, &fr), 0);
        tml_frame_free(&fr);
    }
}

static void small_params(ml_train_params *p, int k)
{
    ml_train_defaults(p);
    p->seed = 2385;
    p->steps = 150;
    p->batch = 2;
    p->lr_start = 3e-3;
    p->lr_stop = 3e-4;
    p->decay_steps = 50;
    p->eval_every = 50;
    p->pe_start = 20;
    p->pe_limit = 20;
    p->pf_start = 10;
    p->pf_limit = 10;
    p->threads = 1;
    p->committee = k;
}

static void test_training_lowers_each_members_loss(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(185, 0, SR_RNG_USER);
    ml_model *teacher = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_model *tmpl = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_SILU, 3.6);
    ml_dataset train, fixed;
    teacher_dataset(r, teacher, 10, 12, &train);
    teacher_dataset(r, teacher, 4, 12, &fixed);
    ml_train_params p;
    small_params(&p, 3);
    ml_train_report rep[3];
    ml_committee *c = ml_committee_create();
    assert_int_equal(ml_train_committee(c, tmpl, &train, &fixed, &p, rep), 0);
    assert_int_equal(c->k, 3);
    ml_cache *cache;
    assert_int_equal(ml_cache_create(tmpl, &fixed, &cache), 0);
    const int idx[4] = {0, 1, 2, 3};
    for (int q = 0; q < 3; q++) {
        /* the member as it started: its initial-weight stream, normalisation fitted on the training set */
        ml_model *m0 = model_copy(c->member[q]);
        gsl_rng *ri = sr_rng_create((uint64_t)p.seed, 2 * (uint64_t)q + 1, SR_RNG_TRAINING);
        for (int e = 0; e < m0->nelem; e++) ml_net_init(m0->net[e], ri);
        gsl_rng_free(ri);
        const double before = ml_cache_loss(m0, cache, idx, 4, 20, 10, 0, NULL);
        const double after = ml_cache_loss(c->member[q], cache, idx, 4, 20, 10, 0, NULL);
        printf("member %d: loss on the fixed set %.4g -> %.4g\n", q + 1, before, after);
        assert_true(after < 0.5 * before);
        ml_model_free(m0);
        if (q) {
            /* different initial weights and minibatch orders: members differ */
            const int np = ml_model_nparams(c->member[0]);
            double *a = malloc(sizeof(double) * np), *b = malloc(sizeof(double) * np);
            ml_model_get_params(c->member[0], a);
            ml_model_get_params(c->member[q], b);
            assert_true(memcmp(a, b, sizeof(double) * np) != 0);
            free(a);
            free(b);
        }
    }
    /* the committee disagrees less on the training data than on configurations far from it */
    double dev_fixed = 0;
    for (int k = 0; k < fixed.nframes; k++) {
        double d;
        assert_int_equal(ml_committee_frame(c, &fixed.frames[k], NULL, NULL, NULL, &d, NULL), 0);
        dev_fixed += d / fixed.nframes;
    }
    assert_true(dev_fixed > 0);
    for (int q = 0; q < 3; q++) ml_train_report_free(&rep[q]);

    /* a committee of one trains exactly as a single network: init stream 1, ml_train with member 0 */
    ml_committee *c1 = ml_committee_create();
    small_params(&p, 1);
    assert_int_equal(ml_train_committee(c1, tmpl, &train, &fixed, &p, rep), 0);
    ml_train_report_free(&rep[0]);
    ml_model *single = model_copy(tmpl);
    gsl_rng *ri = sr_rng_create((uint64_t)p.seed, 1, SR_RNG_TRAINING);
    for (int e = 0; e < single->nelem; e++) ml_net_init(single->net[e], ri);
    gsl_rng_free(ri);
    p.committee = 0; /* ml_train ignores it */
    assert_int_equal(ml_train(single, &train, &fixed, &p, NULL, &rep[0]), 0);
    ml_train_report_free(&rep[0]);
    const int np = ml_model_nparams(single);
    double *a = malloc(sizeof(double) * np), *b = malloc(sizeof(double) * np);
    ml_model_get_params(single, a);
    ml_model_get_params(c1->member[0], b);
    assert_memory_equal(a, b, sizeof(double) * np);
    /* member 0 of the K = 3 committee is that same network */
    ml_model_get_params(c->member[0], b);
    assert_memory_equal(a, b, sizeof(double) * np);
    free(a);
    free(b);
    ml_model_free(single);
    ml_committee_free(c1);
    ml_cache_free(cache);
    ml_committee_free(c);
    ml_dataset_free(&train);
    ml_dataset_free(&fixed);
    ml_model_free(teacher);
    ml_model_free(tmpl);
    gsl_rng_free(r);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void test_file_round_trip_and_checksum(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(186, 0, SR_RNG_USER);
    ml_committee *c = random_committee(r, 4, 0, 3.9);
    c->member[2]->e_ref[1] = -0.4417; /* per-member values must come back per member */
    c->member[3]->g_std[5] = 2.385;
    char path[160];
    path_of(path, sizeof path, "four.nc");
    assert_int_equal(ml_committee_write(c, path), 0);
    ml_committee *b = NULL;
    assert_int_equal(ml_committee_read(path, &b), 0);
    assert_int_equal(b->k, 4);
    for (int q = 0; q < 4; q++) {
        const ml_model *x = c->member[q], *y = b->member[q];
        assert_memory_equal(x->e_ref, y->e_ref, sizeof x->e_ref);
        assert_memory_equal(x->g_mean, y->g_mean, sizeof(double) * 2 * x->nf);
        assert_memory_equal(x->g_std, y->g_std, sizeof(double) * 2 * x->nf);
        for (int e = 0; e < 2; e++)
            assert_memory_equal(x->net[e]->param, y->net[e]->param, sizeof(double) * x->net[e]->nparams);
    }
    ml_frame fr;
    tml_random_frame(r, 30, (double[3]){7.0, 7.2, 6.9}, 1.0, &fr);
    double E1, E2, d1, d2, *F1 = malloc(sizeof(double) * 3 * fr.n), *F2 = malloc(sizeof(double) * 3 * fr.n);
    assert_int_equal(ml_committee_frame(c, &fr, &E1, F1, NULL, &d1, NULL), 0);
    assert_int_equal(ml_committee_frame(b, &fr, &E2, F2, NULL, &d2, NULL), 0);
    assert_true(E1 == E2 && d1 == d2 && d1 > 0);
    assert_memory_equal(F1, F2, sizeof(double) * 3 * fr.n);
    ml_committee_free(b);
    /* the single-network reader names the committee instead of reading one member */
    ml_model *m = NULL;
    assert_int_equal(ml_model_read(path, &m), SR_EUNSUPPORTED);
    assert_null(m);
    assert_non_null(strstr(sr_error_message(), "committee of 4"));
    /* the checksum covers the member variables: one flipped byte in the last weights, a cut file */
    size_t len;
    unsigned char *bytes = slurp(path, &len);
    assert_int_equal(ml_committee_read_buffer(bytes, len, "mem.nc", &b), 0);
    ml_committee_free(b);
    bytes[len - 9] ^= 0x10;
    b = NULL;
    assert_int_equal(ml_committee_read_buffer(bytes, len, "mem-flip.nc", &b), SR_EPARSE);
    assert_null(b);
    bytes[len - 9] ^= 0x10;
    assert_int_equal(ml_committee_read_buffer(bytes, len - 40, "mem-cut.nc", &b), SR_EPARSE);
    assert_null(b);
    free(bytes);
    /* members must share the architecture */
    ml_committee *bad = ml_committee_create();
    assert_int_equal(ml_committee_add(bad, tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.9)), 0);
    assert_int_equal(ml_committee_add(bad, tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 4.2)), SR_EINVAL);
    assert_int_equal(bad->k, 1);
    ml_committee_free(bad);
    free(F1);
    free(F2);
    tml_frame_free(&fr);
    ml_committee_free(c);
    gsl_rng_free(r);
}

/* the thermo log: a committee adds the last column model_dev (with units); other potentials keep the
 * columns they had */
static void test_thermo_model_dev_column(void **st)
{
    (void)st;
    for (int with = 0; with < 2; with++) {
        char txt[160], nc[160];
        path_of(txt, sizeof txt, with ? "dev.thermo" : "plain.thermo");
        path_of(nc, sizeof nc, with ? "dev.thermo.nc" : "plain.thermo.nc");
        io_thermo_writer *w;
        assert_int_equal(io_thermo_create(txt, nc, MD_UNITS_METAL, &w), 0);
        for (int k = 0; k < 3; k++) {
            md_thermo t = {0};
            t.step = 10 * k;
            t.pe = -12.5 + k;
            t.has_model_dev = with;
            t.model_dev = with ? 0.0421 * (k + 1) : NAN;
            assert_int_equal(io_thermo_write(w, &t), 0);
        }
        assert_int_equal(io_thermo_close(w, 1), 0);
        FILE *f = fopen(txt, "r");
        char line[512];
        assert_non_null(fgets(line, sizeof line, f));
        assert_true((strstr(line, "conserved[eV] model_dev[eV/angstrom]\n") != NULL) == with);
        assert_non_null(strstr(line, "conserved[eV]"));
        int nrow = 0;
        while (fgets(line, sizeof line, f)) {
            int ncol = 0;
            double last = 0;
            for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n"), ncol++) last = atof(tok);
            assert_int_equal(ncol, with ? 11 : 10);
            if (with) assert_true(fabs(last - 0.0421 * (nrow + 1)) < 1e-12);
            nrow++;
        }
        assert_int_equal(nrow, 3);
        fclose(f);
        double *v = NULL;
        size_t n = 0;
        if (with) {
            assert_int_equal(io_nc_read_double(nc, "model_dev", &v, &n), 0);
            assert_int_equal(n, 3);
            assert_true(fabs(v[2] - 0.1263) < 1e-12);
            char units[64];
            assert_int_equal(io_nc_read_att_text(nc, "model_dev", "units", units, sizeof units), 0);
            assert_string_equal(units, "eV/angstrom");
            free(v);
        } else {
            assert_int_not_equal(io_nc_read_double(nc, "model_dev", &v, &n), 0);
            sr_error_clear();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deviation_zero_for_identical_members),
        cmocka_unit_test(test_deviation_two_members_by_hand),
        cmocka_unit_test(test_committee_forces_finite_differences),
        cmocka_unit_test(test_committee_of_one_is_the_network),
        cmocka_unit_test(test_member_alone_is_that_network),
        cmocka_unit_test(test_training_lowers_each_members_loss),
        cmocka_unit_test(test_file_round_trip_and_checksum),
        cmocka_unit_test(test_thermo_model_dev_column),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
