/* kmc_ising.c - Ising nucleation testbed: n-fold-way Glauber kMC, clusters, droplets, brute-force and
 * seeding rates. See kmc_ising.h for the model and units (J = k_B = 1, time in MC sweeps). */
#include "kmc/kmc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_ellint.h>
#include <gsl/gsl_sort.h>

#include "common/sr_error.h"
#include "common/sr_rng.h"

#define ISING_MAX_CLASSES 14 /* 2 (z+1), z <= 6 */

struct kmc_ising {
    int dim, L, z;
    size_t n;
    double T, h;
    enum kmc_ising_dynamics dynamics;
    signed char *s;    /* spins ±1 */
    unsigned char *nup;/* number of up neighbours (with multiplicity) */
    int *nbr;          /* n * z neighbour table: +x, -x, +y, -y, +z, -z */
    int nclass;
    double rate[ISING_MAX_CLASSES];
    size_t count[ISING_MAX_CLASSES];
    int *members;      /* nclass lists of capacity n: members[c * n + k] */
    int *pos;          /* position of site i in its class list */
    long total_spin;
    double energy;
    double time;
    int *parent;       /* union-find workspace */
    int *size;         /* cluster-size workspace */
    double *key;       /* droplet-insertion workspace (2 n) */
    size_t *order;
};

/* ---- lattice ------------------------------------------------------------------------------------- */

static inline int class_of(const kmc_ising *m, size_t i)
{
    return (m->s[i] > 0 ? m->z + 1 : 0) + m->nup[i];
}

/* Flip rate of a spin s with n_up up neighbours, ΔE = 2 s (J (2 n_up - z) + h), x = ΔE/T:
 * Glauber (heat bath) 1/(1 + e^x); Metropolis min(1, e^-x). Both satisfy w(x)/w(-x) = e^-x (detailed balance). */
static double flip_rate(enum kmc_ising_dynamics dyn, double T, double h, int z, int spin, int n_up)
{
    double dE = 2.0 * spin * ((2.0 * n_up - z) + h);
    double x = dE / T;
    if (x > 700.0) return 0.0;
    if (dyn == KMC_ISING_METROPOLIS) return x <= 0.0 ? 1.0 : exp(-x);
    return 1.0 / (1.0 + exp(x));
}

static void set_class_rates(kmc_ising *m)
{
    for (int c = 0; c < m->nclass; c++) {
        int spin = c > m->z ? 1 : -1;
        int n_up = c > m->z ? c - (m->z + 1) : c;
        m->rate[c] = flip_rate(m->dynamics, m->T, m->h, m->z, spin, n_up);
    }
}

static void class_insert(kmc_ising *m, size_t i, int c)
{
    size_t k = m->count[c]++;
    m->members[(size_t)c * m->n + k] = (int)i;
    m->pos[i] = (int)k;
}

static void class_remove(kmc_ising *m, size_t i, int c)
{
    size_t k = (size_t)m->pos[i];
    size_t last = --m->count[c];
    int moved = m->members[(size_t)c * m->n + last];
    m->members[(size_t)c * m->n + k] = moved;
    m->pos[moved] = (int)k;
}

/* Up neighbours and the sum of the neighbour spins of site i. */
static void site_sums(const kmc_ising *m, size_t i, int *up, int *sum)
{
    int u = 0, t = 0;
    for (int k = 0; k < m->z; k++) {
        const int j = m->nbr[i * m->z + k];
        u += m->s[j] > 0;
        t += m->s[j];
    }
    *up = u;
    *sum = t;
}

static void rebuild(kmc_ising *m)
{
    memset(m->count, 0, sizeof m->count);
    m->total_spin = 0;
    double bonds = 0.0;
    for (size_t i = 0; i < m->n; i++) {
        int up, sum;
        site_sums(m, i, &up, &sum);
        m->nup[i] = (unsigned char)up;
        m->total_spin += m->s[i];
        bonds += m->s[i] * sum;
    }
    m->energy = -0.5 * bonds - m->h * (double)m->total_spin;
    for (size_t i = 0; i < m->n; i++) class_insert(m, i, class_of(m, i));
}

kmc_ising *kmc_ising_create(int dim, int L, double T, double h)
{
    if (dim != 2 && dim != 3) {
        SR_ERROR(SR_EINVAL, "ising: dimension must be 2 or 3, got %d", dim);
        return NULL;
    }
    if (L < 2 || (dim == 2 && L > 46340) || (dim == 3 && L > 1290)) {
        SR_ERROR(SR_EINVAL, "ising: lattice size L must be >= 2 (and L^d < 2^31), got %d", L);
        return NULL;
    }
    if (!(T > 0.0) || !isfinite(T) || !isfinite(h)) {
        SR_ERROR(SR_EINVAL, "ising: temperature must be > 0 and field finite (T = %g, h = %g, units of J)", T, h);
        return NULL;
    }
    kmc_ising *m = calloc(1, sizeof *m);
    if (!m) {
        SR_ERROR(SR_ENOMEM, "ising: out of memory");
        return NULL;
    }
    m->dim = dim;
    m->L = L;
    m->z = 2 * dim;
    m->T = T;
    m->h = h;
    m->n = (size_t)L * (size_t)L * (dim == 3 ? (size_t)L : 1);
    m->nclass = 2 * (m->z + 1);
    m->s = malloc(m->n);
    m->nup = malloc(m->n);
    m->nbr = malloc(m->n * (size_t)m->z * sizeof *m->nbr);
    m->members = malloc((size_t)m->nclass * m->n * sizeof *m->members);
    m->pos = malloc(m->n * sizeof *m->pos);
    m->parent = malloc(m->n * sizeof *m->parent);
    m->size = malloc(m->n * sizeof *m->size);
    m->key = malloc(2 * m->n * sizeof *m->key);
    m->order = malloc(m->n * sizeof *m->order);
    if (!m->s || !m->nup || !m->nbr || !m->members || !m->pos || !m->parent || !m->size || !m->key ||
        !m->order) {
        size_t n = m->n;
        kmc_ising_free(m);
        SR_ERROR(SR_ENOMEM, "ising: out of memory for %zu sites", n);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        size_t x = i % (size_t)L, y = (i / (size_t)L) % (size_t)L, zc = i / ((size_t)L * (size_t)L);
        size_t c[3] = {x, y, zc};
        size_t stride[3] = {1, (size_t)L, (size_t)L * (size_t)L};
        for (int d = 0; d < dim; d++) {
            size_t up = (c[d] + 1) % (size_t)L, dn = (c[d] + (size_t)L - 1) % (size_t)L;
            m->nbr[i * m->z + 2 * d] = (int)(i + (up - c[d]) * stride[d]);
            m->nbr[i * m->z + 2 * d + 1] = (int)(i + (dn - c[d]) * stride[d]);
        }
    }
    m->dynamics = KMC_ISING_GLAUBER;
    set_class_rates(m);
    memset(m->s, -1, m->n);
    rebuild(m);
    return m;
}

void kmc_ising_free(kmc_ising *m)
{
    if (!m) return;
    free(m->s);
    free(m->nup);
    free(m->nbr);
    free(m->members);
    free(m->pos);
    free(m->parent);
    free(m->size);
    free(m->key);
    free(m->order);
    free(m);
}

int kmc_ising_set_dynamics(kmc_ising *m, enum kmc_ising_dynamics dynamics)
{
    if (dynamics != KMC_ISING_GLAUBER && dynamics != KMC_ISING_METROPOLIS)
        return SR_ERROR(SR_EINVAL, "ising: unknown dynamics %d (Glauber %d, Metropolis %d)", (int)dynamics,
                        (int)KMC_ISING_GLAUBER, (int)KMC_ISING_METROPOLIS);
    m->dynamics = dynamics;
    set_class_rates(m);
    return SR_OK;
}

enum kmc_ising_dynamics kmc_ising_get_dynamics(const kmc_ising *m) { return m->dynamics; }

size_t kmc_ising_nsites(const kmc_ising *m) { return m->n; }
int kmc_ising_dim(const kmc_ising *m) { return m->dim; }
int kmc_ising_coordination(const kmc_ising *m) { return m->z; }
const signed char *kmc_ising_spins(const kmc_ising *m) { return m->s; }
double kmc_ising_time(const kmc_ising *m) { return m->time; }
void kmc_ising_set_time(kmc_ising *m, double t) { m->time = t; }
long kmc_ising_total_spin(const kmc_ising *m) { return m->total_spin; }
double kmc_ising_energy(const kmc_ising *m) { return m->energy; }

double kmc_ising_total_rate(const kmc_ising *m)
{
    double r = 0.0;
    for (int c = 0; c < m->nclass; c++) r += (double)m->count[c] * m->rate[c];
    return r;
}

static int class_index(const kmc_ising *m, int spin, int n_up)
{
    if ((spin != 1 && spin != -1) || n_up < 0 || n_up > m->z) return -1;
    return (spin > 0 ? m->z + 1 : 0) + n_up;
}

size_t kmc_ising_class_count(const kmc_ising *m, int spin, int n_up)
{
    int c = class_index(m, spin, n_up);
    return c < 0 ? 0 : m->count[c];
}

double kmc_ising_class_rate(const kmc_ising *m, int spin, int n_up)
{
    int c = class_index(m, spin, n_up);
    return c < 0 ? 0.0 : m->rate[c];
}

int kmc_ising_fill(kmc_ising *m, int spin)
{
    if (spin != 1 && spin != -1) return SR_ERROR(SR_EINVAL, "ising: spin must be +1 or -1, got %d", spin);
    memset(m->s, spin, m->n);
    rebuild(m);
    return SR_OK;
}

int kmc_ising_set_spins(kmc_ising *m, const signed char *spins)
{
    for (size_t i = 0; i < m->n; i++)
        if (spins[i] != 1 && spins[i] != -1)
            return SR_ERROR(SR_EINVAL, "ising: spin %zu is %d, expected +1 or -1", i, spins[i]);
    memcpy(m->s, spins, m->n);
    rebuild(m);
    return SR_OK;
}

static void flip_site(kmc_ising *m, size_t i)
{
    int old = m->s[i];
    int sum = 0;
    for (int k = 0; k < m->z; k++) sum += m->s[m->nbr[i * m->z + k]];
    m->energy += 2.0 * old * (sum + m->h);
    m->total_spin -= 2 * old;
    class_remove(m, i, class_of(m, i));
    m->s[i] = (signed char)-old;
    class_insert(m, i, class_of(m, i));
    for (int k = 0; k < m->z; k++) {
        size_t j = (size_t)m->nbr[i * m->z + k];
        class_remove(m, j, class_of(m, j));
        m->nup[j] = (unsigned char)(m->nup[j] - old); /* old = -1: one more up neighbour */
        class_insert(m, j, class_of(m, j));
    }
}

int kmc_ising_flip(kmc_ising *m, size_t site)
{
    if (site >= m->n) return SR_ERROR(SR_ERANGE, "ising: site %zu outside lattice of %zu sites", site, m->n);
    flip_site(m, site);
    return SR_OK;
}

int kmc_ising_step(kmc_ising *m, gsl_rng *rng, double *dt)
{
    double R = kmc_ising_total_rate(m);
    if (!(R > 0.0))
        return SR_ERROR(SR_ENUMERIC, "ising: total flip rate is zero (T = %g, h = %g): frozen", m->T, m->h);
    double x = gsl_rng_uniform(rng) * R, acc = 0.0;
    int chosen = -1;
    for (int c = 0; c < m->nclass; c++) {
        if (m->count[c] == 0 || m->rate[c] <= 0.0) continue;
        chosen = c;
        acc += (double)m->count[c] * m->rate[c];
        if (x < acc) break;
    }
    size_t k = gsl_rng_uniform_int(rng, m->count[chosen]);
    size_t i = (size_t)m->members[(size_t)chosen * m->n + k];
    double tau = -log(gsl_rng_uniform_pos(rng)) / R;
    m->time += tau;
    if (dt) *dt = tau;
    flip_site(m, i);
    return SR_OK;
}

int kmc_ising_advance(kmc_ising *m, gsl_rng *rng, double t_end)
{
    while (m->time < t_end) SR_TRY(kmc_ising_step(m, rng, NULL));
    return SR_OK;
}

int kmc_ising_check(const kmc_ising *m, double rel_tol)
{
    size_t count[ISING_MAX_CLASSES] = {0};
    long total = 0;
    double bonds = 0.0;
    for (size_t i = 0; i < m->n; i++) {
        int up, sum;
        site_sums(m, i, &up, &sum);
        if (up != m->nup[i])
            return SR_ERROR(SR_ENUMERIC, "ising check: site %zu has %d up neighbours, stored %d", i, up,
                            m->nup[i]);
        int c = class_of(m, i);
        count[c]++;
        if (m->pos[i] < 0 || (size_t)m->pos[i] >= m->count[c] ||
            m->members[(size_t)c * m->n + (size_t)m->pos[i]] != (int)i)
            return SR_ERROR(SR_ENUMERIC, "ising check: site %zu not found in its class list %d", i, c);
        total += m->s[i];
        bonds += m->s[i] * sum;
    }
    double R = 0.0;
    for (int c = 0; c < m->nclass; c++) {
        if (count[c] != m->count[c])
            return SR_ERROR(SR_ENUMERIC, "ising check: class %d has %zu members, stored count %zu", c, count[c],
                            m->count[c]);
        R += (double)count[c] * m->rate[c];
    }
    double E = -0.5 * bonds - m->h * (double)total;
    if (total != m->total_spin)
        return SR_ERROR(SR_ENUMERIC, "ising check: total spin %ld, stored %ld", total, m->total_spin);
    if (fabs(E - m->energy) > rel_tol * (fabs(E) + 1.0))
        return SR_ERROR(SR_ENUMERIC, "ising check: energy %.17g, stored %.17g", E, m->energy);
    if (fabs(R - kmc_ising_total_rate(m)) > rel_tol * (R + 1e-300))
        return SR_ERROR(SR_ENUMERIC, "ising check: total rate %.17g, stored %.17g", R, kmc_ising_total_rate(m));
    return SR_OK;
}

/* ---- clusters ------------------------------------------------------------------------------------ */

static int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]]; /* path halving */
        i = parent[i];
    }
    return i;
}

/* Union-find over up spins; bonds along +x, +y, +z cover every nearest-neighbour pair once (periodic). */
static void uf_build(kmc_ising *m)
{
    for (size_t i = 0; i < m->n; i++) m->parent[i] = m->s[i] > 0 ? (int)i : -1;
    for (size_t i = 0; i < m->n; i++) {
        if (m->s[i] < 0) continue;
        for (int d = 0; d < m->dim; d++) {
            int j = m->nbr[i * m->z + 2 * d];
            if (m->s[j] < 0) continue;
            int a = uf_find(m->parent, (int)i), b = uf_find(m->parent, j);
            if (a == b) continue;
            if (a < b) m->parent[b] = a; /* root = smallest index */
            else m->parent[a] = b;
        }
    }
}

size_t kmc_ising_largest_cluster(kmc_ising *m)
{
    if ((size_t)((m->total_spin + (long)m->n) / 2) == 0) return 0;
    uf_build(m);
    size_t best = 0;
    for (size_t i = 0; i < m->n; i++) m->size[i] = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->s[i] < 0) continue;
        int r = uf_find(m->parent, (int)i);
        size_t sz = (size_t)++m->size[r];
        if (sz > best) best = sz;
    }
    return best;
}

int kmc_ising_cluster_labels(kmc_ising *m, int *label, size_t *nclusters)
{
    uf_build(m);
    size_t nc = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->s[i] < 0) {
            label[i] = -1;
            continue;
        }
        label[i] = uf_find(m->parent, (int)i); /* smaller index always becomes root: the minimum */
        if (label[i] == (int)i) nc++;
    }
    if (nclusters) *nclusters = nc;
    return SR_OK;
}

int kmc_ising_insert_droplet(kmc_ising *m, size_t n, enum kmc_ising_shape shape)
{
    if (n > m->n) return SR_ERROR(SR_ERANGE, "ising: droplet of %zu spins exceeds the %zu sites", n, m->n);
    if (shape != KMC_ISING_ROUND && shape != KMC_ISING_SQUARE)
        return SR_ERROR(SR_EINVAL, "ising: unknown droplet shape %d", (int)shape);
    int L = m->L;
    double centre = (double)(L / 2);
    /* Round: key = squared Euclidean distance to the centre. Square/cube: a^d box (a = floor(n^(1/d))) grown
     * one face at a time to (a+1) a^(d-1), (a+1)^2 a^(d-2), ...; key = first growth stage whose box holds
     * the site, so the droplet is a box plus one partial face filled in site order. The site index is folded
     * into the key (gsl_sort_index is not stable) so the order is total and reproducible. */
    size_t a = 1;
    while (a + 1 <= (size_t)L && (size_t)pow((double)(a + 1), m->dim) <= n) a++;
    long lo = L / 2 - (long)a / 2; /* box offsets [lo, lo + a]: centred on site L/2 */
    for (size_t i = 0; i < m->n; i++) {
        size_t c[3] = {i % (size_t)L, (i / (size_t)L) % (size_t)L, i / ((size_t)L * (size_t)L)};
        double primary = 0.0;
        if (shape == KMC_ISING_ROUND) {
            for (int d = 0; d < m->dim; d++) {
                double dx = fabs((double)c[d] - centre);
                if (dx > 0.5 * L) dx = L - dx; /* minimum image */
                primary += dx * dx;
            }
        } else {
            int stage = 0; /* smallest k with o_j < a + 1 for j < k and o_j < a for j >= k */
            for (int d = 0; d < m->dim; d++) {
                long o = ((long)c[d] - lo + L) % L;
                if (o > (long)a) stage = m->dim + 1; /* outside the largest box */
                else if (o == (long)a && stage < d + 1) stage = d + 1;
            }
            primary = stage;
        }
        /* primary < 3 L^2 + 1: packing with the site index is exact in a double */
        m->key[i] = primary * (double)m->n + (double)i;
    }
    gsl_sort_index(m->order, m->key, 1, m->n);
    for (size_t k = 0; k < n; k++) {
        size_t i = m->order[k];
        if (m->s[i] < 0) flip_site(m, i);
    }
    return SR_OK;
}

/* ---- equilibrium averages ------------------------------------------------------------------------ */

int kmc_ising_equilibrium(kmc_ising *m, gsl_rng *rng, double t_equil, double t_prod, int nblocks,
                          kmc_ising_averages *out)
{
    if (nblocks < 2 || !(t_prod > 0.0) || t_equil < 0.0)
        return SR_ERROR(SR_EINVAL, "ising: need t_prod > 0, t_equil >= 0, nblocks >= 2 (got %g, %g, %d)",
                        t_prod, t_equil, nblocks);
    memset(out, 0, sizeof *out);
    SR_TRY(kmc_ising_advance(m, rng, m->time + t_equil));
    double N = (double)m->n;
    double t0 = m->time, tb = t_prod / nblocks, t_stop = t0 + t_prod;
    double *acc = calloc(3 * (size_t)nblocks, sizeof *acc); /* per block: ∫m dt, ∫|m| dt, ∫e dt */
    if (!acc) return SR_ERROR(SR_ENOMEM, "ising: out of memory");
    double t = t0;
    while (t < t_stop) {
        double mm = (double)m->total_spin / N, ee = m->energy / N, dt;
        int rc = kmc_ising_step(m, rng, &dt);
        if (rc) {
            free(acc);
            return rc;
        }
        out->events++;
        /* the state before the event lasted [t, t + dt): spread that interval over the blocks it overlaps */
        double t_end = fmin(t + dt, t_stop);
        while (t < t_end) {
            int b = (int)((t - t0) / tb);
            if (b >= nblocks) b = nblocks - 1;
            double seg = fmin(t_end, t0 + (b + 1) * tb) - t;
            if (seg <= 0.0) seg = t_end - t; /* rounding at a block edge */
            acc[3 * b] += seg * mm;
            acc[3 * b + 1] += seg * fabs(mm);
            acc[3 * b + 2] += seg * ee;
            t += seg;
        }
        t = m->time > t_stop ? t_stop : m->time;
    }
    double sm = 0, sm2 = 0, sa = 0, sa2 = 0, se = 0, se2 = 0;
    for (int b = 0; b < nblocks; b++) {
        double bm = acc[3 * b] / tb, ba = acc[3 * b + 1] / tb, be = acc[3 * b + 2] / tb;
        sm += bm; sm2 += bm * bm;
        sa += ba; sa2 += ba * ba;
        se += be; se2 += be * be;
    }
    free(acc);
    double nb = nblocks;
    out->m = sm / nb;
    out->abs_m = sa / nb;
    out->e = se / nb;
    out->m_err = sqrt(fmax(sm2 / nb - out->m * out->m, 0.0) / (nb - 1));
    out->abs_m_err = sqrt(fmax(sa2 / nb - out->abs_m * out->abs_m, 0.0) / (nb - 1));
    out->e_err = sqrt(fmax(se2 / nb - out->e * out->e, 0.0) / (nb - 1));
    return SR_OK;
}

/* ---- nucleation tasks ----------------------------------------------------------------------------- */

enum { STREAM_BRUTE = 1, STREAM_SEED = 2, STREAM_MSD = 3 };

static uint64_t stream_id(int task, size_t n, size_t replica)
{
    return ((uint64_t)task << 56) ^ ((uint64_t)n << 32) ^ (uint64_t)replica;
}

static int check_params(const kmc_ising_params *p, size_t first, size_t last)
{
    if (first > last) return SR_ERROR(SR_EINVAL, "ising: replica range [%zu, %zu) is reversed", first, last);
    if (!(p->t_max > 0.0) || p->t_equil < 0.0 || p->check_interval < 0.0)
        return SR_ERROR(SR_EINVAL, "ising: need t_max > 0, t_equil >= 0, check_interval >= 0 sweeps "
                                   "(got %g, %g, %g)", p->t_max, p->t_equil, p->check_interval);
    return SR_OK;
}

/* Start replica r of a task: its own random stream, all spins down, relaxation in the metastable phase for
 * t_equil sweeps, clock reset to 0. *rng is the caller's to free (also on failure, when non-NULL). */
static int start_replica(kmc_ising *m, const kmc_ising_params *p, int task, size_t n, size_t r, gsl_rng **rng)
{
    *rng = sr_rng_create(p->seed, stream_id(task, n, r), SR_RNG_KMC);
    if (!*rng) return SR_ERROR(SR_ENOMEM, "ising: cannot allocate random stream");
    kmc_ising_fill(m, -1);
    kmc_ising_set_time(m, 0.0);
    int rc = kmc_ising_advance(m, *rng, p->t_equil);
    kmc_ising_set_time(m, 0.0);
    return rc;
}

/* Cluster analyses on the grid next, next + interval, ...: the first grid time after `now` (interval 0: every
 * event). */
static double next_check_time(double next, double now, double interval)
{
    return interval > 0.0 ? next + interval * floor((now - next) / interval + 1.0) : now;
}

/* The lattice of a replica task: parameters checked, Glauber or Metropolis rates set. NULL on failure. */
static kmc_ising *task_lattice(const kmc_ising_params *p, size_t first, size_t last)
{
    if (check_params(p, first, last) != SR_OK) return NULL;
    kmc_ising *m = kmc_ising_create(p->dim, p->L, p->T, p->h);
    if (m && kmc_ising_set_dynamics(m, p->dynamics) != SR_OK) {
        kmc_ising_free(m);
        return NULL;
    }
    return m;
}

/* Run from the current state until the largest cluster is >= n_hi (returns +1), <= n_lo (0), or
 * t_stop is passed (-1); *t_hit = time of the deciding cluster analysis. n_lo = 0 disables melting. */
static int run_until_cluster(kmc_ising *m, gsl_rng *rng, double check_interval, double t_stop, size_t n_hi,
                             size_t n_lo, int *outcome, double *t_hit)
{
    double next_check = m->time;
    for (;;) {
        if (m->time >= next_check) {
            size_t big = kmc_ising_largest_cluster(m);
            if (big >= n_hi) {
                *outcome = 1;
                *t_hit = m->time;
                return SR_OK;
            }
            if (n_lo > 0 && big <= n_lo) {
                *outcome = 0;
                *t_hit = m->time;
                return SR_OK;
            }
            next_check = next_check_time(next_check, m->time, check_interval);
        }
        if (m->time >= t_stop) {
            *outcome = -1;
            *t_hit = t_stop;
            return SR_OK;
        }
        SR_TRY(kmc_ising_step(m, rng, NULL));
    }
}

int kmc_ising_first_passage(const kmc_ising_params *p, size_t n_stop, size_t first, size_t last, double *tfp)
{
    kmc_ising *m = task_lattice(p, first, last);
    if (!m) return sr_error_status();
    int rc = SR_OK;
    if (n_stop < 1 || n_stop > m->n)
        rc = SR_ERROR(SR_ERANGE, "ising: first-passage target cluster size %zu must be in [1, %zu]", n_stop, m->n);
    const size_t w = n_stop + 1;
    for (size_t r = first; r < last && rc == SR_OK; r++) {
        gsl_rng *rng = NULL;
        double *row = tfp + (r - first) * w;
        for (size_t n = 0; n < w; n++) row[n] = NAN;
        row[0] = 0.0;
        /* the first-passage clock starts after the metastable relaxation */
        rc = start_replica(m, p, STREAM_BRUTE, 0, r, &rng);
        size_t reached = 0;
        double next_check = 0.0;
        while (rc == SR_OK && reached < n_stop && m->time < p->t_max) {
            if (m->time >= next_check) {
                /* the running maximum of the largest cluster sweeps the sizes it passes for the first time */
                size_t big = kmc_ising_largest_cluster(m);
                if (big > n_stop) big = n_stop;
                for (size_t n = reached + 1; n <= big; n++) row[n] = m->time;
                if (big > reached) reached = big;
                next_check = next_check_time(next_check, m->time, p->check_interval);
                if (reached >= n_stop) break;
            }
            rc = kmc_ising_step(m, rng, NULL);
        }
        gsl_rng_free(rng);
    }
    kmc_ising_free(m);
    return rc;
}

int kmc_ising_seed_trials(const kmc_ising_params *p, enum kmc_ising_shape shape, size_t n, size_t n_grow,
                          size_t n_melt, size_t first, size_t last, int *outcome)
{
    if (n_grow <= n || n_melt >= n || n < 2)
        return SR_ERROR(SR_EINVAL, "ising: need melt size < droplet size < grow size, droplet >= 2 (got %zu < "
                                   "%zu < %zu)", n_melt, n, n_grow);
    kmc_ising *m = task_lattice(p, first, last);
    if (!m) return sr_error_status();
    int rc = SR_OK;
    for (size_t r = first; r < last && rc == SR_OK; r++) {
        gsl_rng *rng = NULL;
        rc = start_replica(m, p, STREAM_SEED, n, r, &rng);
        size_t melt = n_melt;
        if (rc == SR_OK && melt == 0) {
            /* automatic: the droplet has melted when the largest cluster is back to background sizes,
             * max(n/4, 1.5 x the largest background cluster + 1), at most n - 1 */
            size_t bg = kmc_ising_largest_cluster(m);
            melt = n / 4 > bg + bg / 2 + 1 ? n / 4 : bg + bg / 2 + 1;
            if (melt >= n) melt = n - 1;
        }
        if (rc == SR_OK) rc = kmc_ising_insert_droplet(m, n, shape);
        if (rc == SR_OK) {
            double t_hit;
            kmc_ising_set_time(m, 0.0);
            rc = run_until_cluster(m, rng, p->check_interval, p->t_max, n_grow, melt, &outcome[r - first], &t_hit);
        }
        gsl_rng_free(rng);
    }
    kmc_ising_free(m);
    return rc;
}

int kmc_ising_size_traces(const kmc_ising_params *p, enum kmc_ising_shape shape, size_t n, double dt,
                          size_t nsamples, size_t first, size_t last, double *trace)
{
    if (!(dt > 0.0) || nsamples < 2)
        return SR_ERROR(SR_EINVAL, "ising: size traces need dt > 0 sweeps and >= 2 samples (got %g, %zu)", dt,
                        nsamples);
    kmc_ising *m = task_lattice(p, first, last);
    if (!m) return sr_error_status();
    int rc = SR_OK;
    for (size_t r = first; r < last && rc == SR_OK; r++) {
        gsl_rng *rng = NULL;
        double *row = trace + (r - first) * nsamples;
        rc = start_replica(m, p, STREAM_MSD, n, r, &rng);
        if (rc == SR_OK) rc = kmc_ising_insert_droplet(m, n, shape);
        if (rc == SR_OK) {
            kmc_ising_set_time(m, 0.0);
            row[0] = (double)kmc_ising_largest_cluster(m);
            for (size_t k = 1; k < nsamples && rc == SR_OK; k++) {
                /* analyse the first state at or after t = k dt (overshoot O(1/R), about one flip) */
                rc = kmc_ising_advance(m, rng, (double)k * dt);
                row[k] = (double)kmc_ising_largest_cluster(m);
            }
        }
        gsl_rng_free(rng);
    }
    kmc_ising_free(m);
    return rc;
}

/* ---- exact 2D results ----------------------------------------------------------------------------- */

double kmc_ising_onsager_sigma(double T)
{
    if (!(T > 0.0) || T >= KMC_ISING_TC_2D) return 0.0;
    return 2.0 + T * log(tanh(1.0 / T));
}

/* Wulff shape |y|(x) = T acosh(c - cosh(x/T)), c = cosh(2/T) coth(2/T); its x extent is the Onsager σ(0).
 * W = 4 ∫_0^{x_max} y dx by Simpson's rule in the variable x = x_max sin(φ) (removes the square-root edge). */
double kmc_ising_wulff_area(double T)
{
    if (!(T > 0.0) || T >= KMC_ISING_TC_2D) return 0.0;
    double K = 1.0 / T;
    double c = cosh(2.0 * K) / tanh(2.0 * K);
    double xmax = kmc_ising_onsager_sigma(T);
    const int n = 4000; /* even */
    double sum = 0.0;
    for (int k = 0; k <= n; k++) {
        double phi = 0.5 * M_PI * k / n;
        double x = xmax * sin(phi);
        double arg = c - cosh(x * K);
        double y = arg > 1.0 ? T * acosh(arg) : 0.0;
        double f = y * xmax * cos(phi);
        sum += f * (k == 0 || k == n ? 1.0 : (k % 2 ? 4.0 : 2.0));
    }
    return 4.0 * sum * (0.5 * M_PI / n) / 3.0;
}

double kmc_ising_spontaneous_m_2d(double T)
{
    if (!(T > 0.0) || T >= KMC_ISING_TC_2D) return 0.0;
    double s = sinh(2.0 / T);
    return pow(1.0 - pow(s, -4.0), 0.125);
}

double kmc_ising_energy_2d(double T)
{
    double K = 1.0 / T;
    double k = 2.0 * sinh(2.0 * K) / (cosh(2.0 * K) * cosh(2.0 * K));
    double t2 = tanh(2.0 * K);
    if (fabs(k - 1.0) < 1e-12) return -sqrt(2.0); /* T_c: the K(k) term is multiplied by zero */
    return -(1.0 / t2) * (1.0 + (2.0 / M_PI) * (2.0 * t2 * t2 - 1.0) * gsl_sf_ellint_Kcomp(k, GSL_PREC_DOUBLE));
}
