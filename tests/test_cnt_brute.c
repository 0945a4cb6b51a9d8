/* test_cnt_brute.c - first-passage statistics shared by `seedrate brute` and `seedrate ising` (cnt_brute_*):
 * on synthetic shifted-exponential waiting times with censoring the plain MLE gives 1/(lag + 1/k) and the lag
 * MLE gives k and the lag; the bootstrap interval covers k; an MFPT curve built from synthetic first-passage
 * rows fits back to its plateau. (test_seeding_brute.c tests them on further synthetic data.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

static void test_mle_with_lag_and_censoring(void **state)
{
    (void)state;
    size_t n = 4000;
    double k = 0.00731, lag = 13.7, t_max = 300.0;
    double *t = malloc(n * sizeof *t);
    int *reached = malloc(n * sizeof *reached);
    gsl_rng *rng = sr_rng_create(601, 0, SR_RNG_USER);
    for (size_t i = 0; i < n; i++) {
        double x = lag + gsl_ran_exponential(rng, 1.0 / k);
        reached[i] = x < t_max;
        t[i] = reached[i] ? x : t_max;
    }
    cnt_brute_mle m, ml;
    double t_lag;
    assert_int_equal(cnt_brute_mle_fit(n, t, reached, &m), SR_OK);
    assert_int_equal(cnt_brute_mle_fit_lag(n, t, reached, &ml, &t_lag), SR_OK);
    print_message("k = %g, lag %g: plain MLE %.5g +- %.2g (expect 1/(lag + 1/k) = %.5g), lag MLE %.5g +- %.2g, "
                  "lag %.2f\n", k, lag, m.k, m.k_err, 1.0 / (lag + 1.0 / k), ml.k, ml.k_err, t_lag);
    /* the plain MLE counts the lag as waiting; censoring at t_max keeps it consistent */
    assert_true(fabs(m.k - 1.0 / (lag + 1.0 / k)) < 4.0 * m.k_err);
    assert_true(fabs(ml.k - k) < 4.0 * ml.k_err);
    assert_true(t_lag >= lag && t_lag < lag + 0.5); /* earliest of ~2800 passages */
    cnt_interval iv;
    assert_int_equal(cnt_brute_mle_bootstrap(n, t, reached, 500, rng, &iv), SR_OK);
    assert_true(iv.lo95 < m.k && m.k < iv.hi95);
    assert_true(fabs((iv.hi68 - iv.lo68) / 2 - m.k_err) < 0.2 * m.k_err); /* bootstrap ~ Fisher error */
    free(t);
    free(reached);
    gsl_rng_free(rng);
}

/* rows of first-passage times whose mean is an erf in n: t(n) = tau_J/2 (1 + erf(c (n - n*))) x (a per-row
 * factor of mean 1): the fit recovers n* and tau_J and the bootstrap covers them. */
static void test_mfpt_curve_and_fit(void **state)
{
    (void)state;
    enum { NREP = 200, NSTOP = 60 };
    const int w = NSTOP + 1;
    cnt_mfpt_fit truth = {.tau_J = 523.0, .c = 0.173, .n_star = 27.4};
    double *tfp = malloc(NREP * w * sizeof *tfp), tau[NSTOP + 1];
    int count[NSTOP + 1];
    gsl_rng *rng = sr_rng_create(602, 0, SR_RNG_USER);
    for (int r = 0; r < NREP; r++) {
        double f = gsl_ran_exponential(rng, 1.0);
        for (int n = 0; n < w; n++) tfp[r * w + n] = f * cnt_mfpt_wsr_eval(&truth, n);
    }
    tfp[5 * w + NSTOP] = NAN; /* replica 5 never reached n_stop */
    assert_int_equal(cnt_brute_mfpt_curve(NREP, NSTOP, tfp, tau, count), SR_OK);
    assert_int_equal(count[NSTOP], NREP - 1);
    assert_int_equal(count[NSTOP - 1], NREP);
    cnt_brute_mfpt f;
    assert_int_equal(cnt_brute_mfpt_fit(tau, 1, NSTOP - 1, &f), SR_OK);
    assert_true(fabs(f.fit.n_star - 27.4) < 1e-3);
    assert_true(fabs(f.Z - 0.173 / sqrt(M_PI)) < 1e-4);
    cnt_interval it, in;
    size_t skipped = 0;
    assert_int_equal(cnt_brute_mfpt_bootstrap(NREP, NSTOP, tfp, 1, NSTOP - 1, 200, rng, &it, &in, NULL, &skipped),
                     SR_OK);
    assert_true(it.lo95 < 523.0 && 523.0 < it.hi95);
    assert_true(fabs(in.median - 27.4) < 1e-3);
    assert_int_equal(cnt_brute_mfpt_fit(tau, 5, 7, &f), SR_EINVAL);
    sr_error_clear();
    free(tfp);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mle_with_lag_and_censoring),
        cmocka_unit_test(test_mfpt_curve_and_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
