/* ml_net.c - small dense feed-forward networks with analytic input and parameter derivatives.
 *
 * y = N(x): z_l = W_l h_{l-1} + b_l, h_l = s(z_l) for l = 1..L-1, h_0 = x, y = W_L h_{L-1} + b_L.
 * Forces need dy/dx (reverse pass). Training on forces needs d/dtheta of v . dy/dx: that is the
 * forward tangent hdot_l = s'(z_l) W_l hdot_{l-1} (hdot_0 = v, so v . dy/dx = W_L hdot_{L-1}) followed
 * by one reverse pass through both the values and the tangents ("double back-propagation",
 * Drucker & LeCun, IEEE TNN 3, 991 (1992)):
 *   adj(zdot_l) = adj(hdot_l) s'(z_l)
 *   adj(z_l)    = adj(h_l) s'(z_l) + adj(hdot_l) s''(z_l) zdot_l
 *   dQ/dW_l    += adj(z_l) h_{l-1}^T + adj(zdot_l) hdot_{l-1}^T,  dQ/db_l += adj(z_l)
 *   adj(h_{l-1}) = W_l^T adj(z_l),  adj(hdot_{l-1}) = W_l^T adj(zdot_l). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "ml.h"
#include "ml_simd.h"

/* tanh without a library call, so that a layer's activations vectorise (libm's tanh is a call per
 * element and was a sixth of the network potential's MD time). tanh|x| = e / (e + 2), e = expm1(2|x|) =
 * 2^k expm1(r) + (2^k - 1) with 2|x| = k ln2 + r (sr_vecmath.h), which is expm1(r) itself, without
 * cancellation, when k = 0. |x| is capped at 20 (tanh 20 = 1 - 8e-18, which rounds to 1); NaN gives NaN.
 * Sign, cap and NaN by integer operations on the bits. Agrees with libm's tanh to a few ulp (test_ml_simd). */
ML_INLINE double tanh_kernel(double x)
{
    const uint64_t xb = sr_bits(x), ab = xb & 0x7fffffffffffffffu, cap = 0x4034000000000000u; /* |x|, 20.0 */
    const uint64_t cb = sr_min_abs_bits(ab, cap); /* NaN -> 20 as well */
    double r;
    const double scale = sr_reduce_ln2(2.0 * sr_from_bits(cb), &r);
    const double e = scale * sr_expm1_reduced(r) + (scale - 1.0), t = e / (e + 2.0);
    const uint64_t tb = sr_bits(t) | (xb & 0x8000000000000000u); /* the sign of x */
    return sr_from_bits(sr_nan_through(tb, xb));
}

double ml_tanh(double x) { return tanh_kernel(x); }

/* activation s, s', s'' over a layer's pre-activations z[n] (s may overwrite z) */
ML_INLINE void activation_layer(int kind, int n, const double *z, double *s, double *ds, double *dds)
{
    if (kind == ML_ACT_SILU) {
        /* SiLU s = z sigmoid(z) (Elfwing et al., Neural Networks 107, 3 (2018)) */
        for (int q = 0; q < n; q++) {
            const double zq = z[q], g = 1.0 / (1.0 + exp(-zq));
            s[q] = zq * g;
            ds[q] = g * (1.0 + zq * (1.0 - g));
            dds[q] = g * (1.0 - g) * (2.0 + zq * (1.0 - 2.0 * g));
        }
    } else {
        for (int q = 0; q < n; q++) {
            const double t = tanh_kernel(z[q]);
            s[q] = t;
            ds[q] = 1.0 - t * t;
            dds[q] = -2.0 * t * (1.0 - t * t);
        }
    }
}

/* sum_i a_i b_i in 8 lanes summed in a fixed order, then the tail in order: the same bits with any vector
 * width (ml_simd.h) */
ML_INLINE double dot8(int n, const double *restrict a, const double *restrict b)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
#if defined(__GNUC__)
    typedef double v8 __attribute__((vector_size(64)));
    v8 acc = {0, 0, 0, 0, 0, 0, 0, 0}, va, vb;
    for (; i + 8 <= n; i += 8) {
        memcpy(&va, a + i, sizeof va);
        memcpy(&vb, b + i, sizeof vb);
        acc += va * vb;
    }
    memcpy(s, &acc, sizeof acc);
#else
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) s[l] += a[i + l] * b[i + l];
#endif
    double t = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
    for (; i < n; i++) t += a[i] * b[i];
    return t;
}

/* h[r] = b[r] + dot8(ni, W + r ni, x) for the eight rows r = 0..7 of W (row-major, ni columns) at once, in
 * dot8's operation order row by row, so the bits are dot8's: each row's eight lanes are summed by the same tree
 * ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), done for the eight rows together by shuffles (14 shuffles
 * and 7 vector adds instead of eight serial horizontal sums, which were most of a layer's time). */
ML_INLINE void dot8_rows8(int ni, const double *restrict W, const double *restrict x, const double *restrict b,
                          double *restrict h)
{
    double t[8];
    int i = 0;
#if defined(__GNUC__) && !defined(__clang__)
    typedef double v8 __attribute__((vector_size(64)));
    typedef long long m8 __attribute__((vector_size(64)));
    v8 acc[8], vx, w;
    for (int r = 0; r < 8; r++) acc[r] = (v8){0, 0, 0, 0, 0, 0, 0, 0};
    for (; i + 8 <= ni; i += 8) {
        memcpy(&vx, x + i, sizeof vx);
        for (int r = 0; r < 8; r++) {
            memcpy(&w, W + (size_t)r * ni + i, sizeof w);
            acc[r] += w * vx;
        }
    }
    /* lanes l and l + 4 of rows 2p and 2p + 1: c[p] = (row 2p: s_l + s_l+4, l < 4 | row 2p + 1: the same) */
    const m8 lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15};
    const m8 lo2 = {0, 1, 4, 5, 8, 9, 12, 13}, hi2 = {2, 3, 6, 7, 10, 11, 14, 15};
    const m8 ev = {0, 2, 4, 6, 8, 10, 12, 14}, od = {1, 3, 5, 7, 9, 11, 13, 15};
    v8 c[4], d[2];
    for (int p = 0; p < 4; p++)
        c[p] = __builtin_shuffle(acc[2 * p], acc[2 * p + 1], lo4) + __builtin_shuffle(acc[2 * p], acc[2 * p + 1], hi4);
    /* (s0 + s4) + (s2 + s6) and (s1 + s5) + (s3 + s7) of rows 4k .. 4k + 3 */
    for (int k = 0; k < 2; k++)
        d[k] = __builtin_shuffle(c[2 * k], c[2 * k + 1], lo2) + __builtin_shuffle(c[2 * k], c[2 * k + 1], hi2);
    const v8 e = __builtin_shuffle(d[0], d[1], ev) + __builtin_shuffle(d[0], d[1], od);
    memcpy(t, &e, sizeof t);
#else
    i = ni; /* dot8 row by row, its tail included */
    for (int r = 0; r < 8; r++) t[r] = dot8(ni, W + (size_t)r * ni, x);
#endif
    for (; i < ni; i++)
        for (int r = 0; r < 8; r++) t[r] += W[(size_t)r * ni + i] * x[i];
    for (int r = 0; r < 8; r++) h[r] = b[r] + t[r];
}

const char *ml_activation_name(int a) { return a == ML_ACT_SILU ? "silu" : "tanh"; }

int ml_activation_parse(const char *name, int *a)
{
    if (!strcmp(name, "tanh")) *a = ML_ACT_TANH;
    else if (!strcmp(name, "silu")) *a = ML_ACT_SILU;
    else return SR_ERROR(SR_EINVAL, "activation '%s': expected tanh or silu", name);
    return SR_OK;
}

ml_net *ml_net_create(int n_in, int nhidden, const int *hidden, int act)
{
    if (n_in < 1 || nhidden < 0 || nhidden + 1 > ML_MAX_LAYERS) {
        SR_ERROR(SR_ERANGE, "network: %d inputs and %d hidden layers (at most %d)", n_in, nhidden,
                 ML_MAX_LAYERS - 1);
        return NULL;
    }
    ml_net *net = calloc(1, sizeof *net);
    if (!net) {
        SR_ERROR(SR_ENOMEM, "network: out of memory");
        return NULL;
    }
    net->nlayers = nhidden + 1;
    net->width[0] = n_in;
    for (int l = 0; l < nhidden; l++) {
        if (hidden[l] < 1 || hidden[l] > 4096) {
            free(net);
            SR_ERROR(SR_ERANGE, "network: hidden width %d, expected 1..4096", hidden[l]);
            return NULL;
        }
        net->width[l + 1] = hidden[l];
    }
    net->width[net->nlayers] = 1;
    net->activation = act;
    for (int l = 1; l <= net->nlayers; l++) net->nparams += net->width[l] * (net->width[l - 1] + 1);
    net->param = calloc((size_t)net->nparams, sizeof(double));
    if (!net->param) {
        free(net);
        SR_ERROR(SR_ENOMEM, "network: out of memory");
        return NULL;
    }
    return net;
}

void ml_net_free(ml_net *net)
{
    if (!net) return;
    free(net->param);
    free(net);
}

size_t ml_net_work_size(const ml_net *net)
{
    size_t sum = 0, wmax = 0;
    for (int l = 0; l <= net->nlayers; l++) {
        sum += (size_t)net->width[l];
        if ((size_t)net->width[l] > wmax) wmax = (size_t)net->width[l];
    }
    return 5 * sum + 6 * wmax;
}

void ml_net_init(ml_net *net, gsl_rng *rng)
{
    double *p = net->param;
    for (int l = 1; l <= net->nlayers; l++) {
        const int no = net->width[l], ni = net->width[l - 1];
        /* Glorot & Bengio (AISTATS 2010): U(-a, a), a = sqrt(6/(n_in + n_out)) */
        const double a = sqrt(6.0 / (ni + no));
        for (int k = 0; k < no * ni; k++) p[k] = a * (2.0 * gsl_rng_uniform(rng) - 1.0);
        p += no * ni;
        for (int k = 0; k < no; k++) p[k] = 0.0;
        p += no;
    }
}

/* dst[i] = sum_q W[q][i] g[q] (W row-major [no][ni]), the terms of every dst[i] added for q = 0, 1, ...
 * With GCC eight consecutive i are one vector variable, so the sums stay in registers. */
ML_INLINE void gemv_t(int no, int ni, const double *restrict W, const double *restrict g, double *restrict dst)
{
    int i0 = 0;
#if defined(__GNUC__)
    typedef double v8 __attribute__((vector_size(64)));
    for (; i0 + 8 <= ni; i0 += 8) {
        v8 acc = {0, 0, 0, 0, 0, 0, 0, 0}, w;
        for (int q = 0; q < no; q++) {
            memcpy(&w, W + (size_t)q * ni + i0, sizeof w);
            acc += w * g[q];
        }
        memcpy(dst + i0, &acc, sizeof acc);
    }
#endif
    for (int i = i0; i < ni; i++) {
        double acc = 0.0;
        for (int q = 0; q < no; q++) acc += W[(size_t)q * ni + i] * g[q];
        dst[i] = acc;
    }
}

/* forward pass: h_l (l >= 1), s'_l, s''_l stored in work; returns y */
ML_CLONES static double forward(const ml_net *net, const double *x, double *h, double *sp, double *spp, int *off)
{
    const double *p = net->param, *hin = x;
    double y = 0.0;
    int o = 0;
    for (int l = 1; l <= net->nlayers; l++) {
        const int no = net->width[l], ni = net->width[l - 1];
        const double *W = p, *b = p + no * ni;
        off[l] = o;
        if (l == net->nlayers) {
            y = b[0] + dot8(ni, W, hin);
            break;
        }
        int q = 0;
        for (; q + 8 <= no; q += 8) dot8_rows8(ni, W + (size_t)q * ni, hin, b + q, h + o + q);
        for (; q < no; q++) h[o + q] = b[q] + dot8(ni, W + q * ni, hin);
        activation_layer(net->activation, no, h + o, h + o, sp + o, spp + o);
        hin = h + o;
        o += no;
        p += no * (ni + 1);
    }
    return y;
}

static const double *layer_W(const ml_net *net, int l)
{
    const double *p = net->param;
    for (int k = 1; k < l; k++) p += net->width[k] * (net->width[k - 1] + 1);
    return p;
}

ML_CLONES double ml_net_eval(const ml_net *net, const double *x, double *dydx, double *work)
{
    size_t sum = 0, wmax = 0;
    for (int l = 0; l <= net->nlayers; l++) {
        sum += (size_t)net->width[l];
        if ((size_t)net->width[l] > wmax) wmax = (size_t)net->width[l];
    }
    double *h = work, *sp = h + sum, *spp = sp + sum, *g = spp + sum, *g2 = g + wmax;
    int off[ML_MAX_LAYERS + 1];
    const double y = forward(net, x, h, sp, spp, off);
    if (!dydx) return y;
    const int L = net->nlayers;
    /* reverse: g = dy/dh_{L-1} = W_L row */
    const double *WL = layer_W(net, L);
    memcpy(g, WL, sizeof(double) * (size_t)net->width[L - 1]);
    for (int l = L - 1; l >= 1; l--) {
        const int no = net->width[l], ni = net->width[l - 1];
        const double *W = layer_W(net, l);
        for (int q = 0; q < no; q++) g[q] *= sp[off[l] + q];
        double *dst = (l == 1) ? dydx : g2;
        gemv_t(no, ni, W, g, dst);
        if (l > 1) {
            double *t = g;
            g = g2;
            g2 = t;
        }
    }
    if (L == 1) memcpy(dydx, WL, sizeof(double) * (size_t)net->width[0]);
    return y;
}

void ml_net_param_grad(const ml_net *net, const double *x, const double *v, double gE, double gF,
                       double *grad, double *work)
{
    size_t sum = 0, wmax = 0;
    for (int l = 0; l <= net->nlayers; l++) {
        sum += (size_t)net->width[l];
        if ((size_t)net->width[l] > wmax) wmax = (size_t)net->width[l];
    }
    double *h = work, *sp = h + sum, *spp = sp + sum, *hd = spp + sum, *zd = hd + sum;
    double *ah = zd + sum, *ahd = ah + wmax, *az = ahd + wmax, *azd = az + wmax, *t1 = azd + wmax,
           *t2 = t1 + wmax;
    int off[ML_MAX_LAYERS + 1];
    const int L = net->nlayers;
    forward(net, x, h, sp, spp, off);
    /* forward tangent along v */
    const double *hdin = v;
    for (int l = 1; l < L; l++) {
        const int no = net->width[l], ni = net->width[l - 1];
        const double *W = layer_W(net, l);
        for (int q = 0; q < no; q++) {
            double z = 0.0;
            const double *Wq = W + q * ni;
            for (int i = 0; i < ni; i++) z += Wq[i] * hdin[i];
            zd[off[l] + q] = z;
            hd[off[l] + q] = sp[off[l] + q] * z;
        }
        hdin = hd + off[l];
    }
    /* output layer: Q = gE (W_L h_{L-1} + b_L) + gF W_L hdot_{L-1} */
    const int nlast = net->width[L - 1];
    const double *hlast = (L == 1) ? x : h + off[L - 1];
    const double *hdlast = (L == 1) ? v : hd + off[L - 1];
    double *gW = grad + (layer_W(net, L) - net->param);
    const double *WL = layer_W(net, L);
    for (int i = 0; i < nlast; i++) gW[i] += gE * hlast[i] + gF * hdlast[i];
    gW[nlast] += gE;
    for (int i = 0; i < nlast; i++) {
        ah[i] = gE * WL[i];
        ahd[i] = gF * WL[i];
    }
    for (int l = L - 1; l >= 1; l--) {
        const int no = net->width[l], ni = net->width[l - 1];
        const double *W = layer_W(net, l);
        double *gl = grad + (W - net->param);
        const double *hin = (l == 1) ? x : h + off[l - 1];
        const double *hdi = (l == 1) ? v : hd + off[l - 1];
        for (int q = 0; q < no; q++) {
            const int k = off[l] + q;
            azd[q] = ahd[q] * sp[k];
            az[q] = ah[q] * sp[k] + ahd[q] * spp[k] * zd[k];
        }
        for (int q = 0; q < no; q++) {
            double *gq = gl + q * ni;
            const double a = az[q], ad = azd[q];
            for (int i = 0; i < ni; i++) gq[i] += a * hin[i] + ad * hdi[i];
            gl[no * ni + q] += a;
        }
        if (l > 1) {
            memset(t1, 0, sizeof(double) * (size_t)ni);
            memset(t2, 0, sizeof(double) * (size_t)ni);
            for (int q = 0; q < no; q++) {
                const double *Wq = W + q * ni;
                const double a = az[q], ad = azd[q];
                for (int i = 0; i < ni; i++) {
                    t1[i] += Wq[i] * a;
                    t2[i] += Wq[i] * ad;
                }
            }
            memcpy(ah, t1, sizeof(double) * (size_t)ni);
            memcpy(ahd, t2, sizeof(double) * (size_t)ni);
        }
    }
}
