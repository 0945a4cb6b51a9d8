/* order.h - local order parameters, solid/liquid classifiers, clusters and threshold calibration.
 *
 * Data flow for one frame:
 *     md_system ──order_nbuilder──► order_neighbors (candidates within a search radius, sorted by
 *     distance, with explicit displacement vectors) ──classifier──► labels[] (0 liquid, >0 a solid
 *     kind) ──is_crystalline──► mask ──order_clusters_find──► N_max, number of clusters, centre, R_g.
 * order_analyze_frame() does all of it in one call with buffers kept between frames.
 * Adding a classifier (CHILL+, polymorph-aware, ...) = one order_classifier_class table in a new
 * file + order_classifier_register(); clustering, seeding and `seedrate analyze` do not change.
 *
 * Order parameters (Steinhardt, Nelson, Ronchetti, PRB 28, 784, 1983):
 *     q_lm(i) = 1/N_b(i) sum_{j in nb(i)} Y_lm(r_ij),   q_l(i) = sqrt(4 pi/(2l+1) sum_m |q_lm(i)|^2)
 * Lechner-Dellago average (JCP 129, 114707, 2008), the atom itself included:
 *     qbar_lm(i) = 1/(N_b(i)+1) sum_{k in {i} U nb(i)} q_lm(k)
 * ten Wolde, Ruiz-Montero, Frenkel solid bonds (JCP 104, 9932, 1996):
 *     d_l(i,j) = Re[q_l(i).q_l(j)*] / (|q_l(i)| |q_l(j)|),  bond solid when d_l > d_c,
 *     atom solid when it has >= xi_c solid bonds.
 * Threshold choice by the mislabeling criterion (Espinosa, Vega, Valeriani, Sanz, JCP 144, 034501,
 * 2016): the threshold where the fraction of bulk-liquid atoms labelled solid equals the fraction of
 * bulk-crystal atoms labelled liquid.
 *
 * Storage of q_lm: only m = 0..l is kept, as (re, im) pairs, 2(l+1) doubles per atom, because
 * q_{l,-m} = (-1)^m conj(q_lm) (the phase convention cancels in every quantity); sums over
 * m = -l..l are done with that symmetry. */
#ifndef ORDER_H
#define ORDER_H

#include <stddef.h>
#include <stdio.h>

#include "../common/sr_error.h"
#include "../common/sr_input.h"
#include "../md/md.h"

#define ORDER_LMAX 12
#define ORDER_PI 3.14159265358979323846

/* ------------------------------------------------------------------------------------------------
 * Neighbor candidates
 * ---------------------------------------------------------------------------------------------- */
/* Neighbors of local atom i are entries first[i] .. first[i+1]-1, sorted by increasing distance
 * (ties by index, so results do not depend on how the list was built).
 * j[k] is the local index (periodic images are mapped to their owner), vec[3k..3k+2] = r_j - r_i
 * (minimum image / ghost position) and dist[k] = |vec|. */
typedef struct order_neighbors {
    int n;
    int *first;   /* [n+1] */
    int *j;       /* [cap] */
    double *vec;  /* [3*cap] */
    double *dist; /* [cap] */
    double cutoff; /* all pairs closer than this are listed */
    int natoms_alloc;
    long cap;
    int cur; /* atom being filled between begin and finish */
} order_neighbors;

order_neighbors *order_neighbors_create(void);
void order_neighbors_free(order_neighbors *nb);
/* Make room for n atoms and npairs entries (keeps nothing). */
int order_neighbors_reserve(order_neighbors *nb, int n, long npairs);
/* Incremental filling: begin(n), then for i = 0..n-1 in order: add(i, ...) any number of times,
 * then finish() sorts every atom's list by distance. */
int order_neighbors_begin(order_neighbors *nb, int n, double cutoff);
int order_neighbors_add(order_neighbors *nb, int i, int j, const double vec[3]);
void order_neighbors_finish(order_neighbors *nb);
/* O(n^2) minimum-image search in an orthorhombic box (small systems, tests, reference results).
 * Needs cutoff < half of every box edge. */
int order_neighbors_build_brute(order_neighbors *nb, const double *x, int n, const md_box *box,
                                double cutoff);

/* Builder on md's cell/Verlet list (FULL kind) using a private copy of the system, so the caller's
 * system is never modified (md_nlist_build wraps atoms and appends ghosts). Reused frame after frame. */
typedef struct order_nbuilder order_nbuilder;
order_nbuilder *order_nbuilder_create(double cutoff);
void order_nbuilder_free(order_nbuilder *b);
int order_nbuilder_build(order_nbuilder *b, const md_system *s, order_neighbors *nb);

/* Which neighbors enter q_lm: the first nsel[i] of the sorted candidates. */
enum order_neigh_mode {
    ORDER_NEIGH_CUTOFF = 0,  /* all with r < cutoff */
    ORDER_NEIGH_NEAREST = 1, /* the N nearest */
    ORDER_NEIGH_SANN = 2     /* solid-angle based (van Meel, Filion, Valeriani, Frenkel, JCP 136, 234107, 2012) */
};
/* "cutoff|nearest|sann" */
#define ORDER_NEIGH_CHOICES "cutoff|nearest|sann"
/* Fill nsel[0..n-1]. Fails (SR_ERANGE, naming the atom) when an atom has fewer than `nnearest`
 * candidates (nearest) or SANN does not converge inside the candidate list (raise the search radius). */
int order_neighbors_select(const order_neighbors *nb, int mode, double cutoff, int nnearest, int *nsel);

/* ------------------------------------------------------------------------------------------------
 * Spherical harmonics and Steinhardt parameters (order_ylm.c)
 * ---------------------------------------------------------------------------------------------- */
/* Y_lm(r/|r|) for m = 0..l into y[2(l+1)] (re, im), orthonormal on the sphere (no Condon-Shortley
 * phase; the phase cancels in every quantity below). 0 <= l <= ORDER_LMAX; r must be non-zero. */
void order_ylm(int l, const double r[3], double *y);
/* q_lm of one atom from its neighbor vectors vec[3*k] (k < nvec) into qlm[2(l+1)]; zeros if nvec == 0. */
void order_qlm_one(int l, const double *vec, int nvec, double *qlm);
/* q_l = sqrt(4 pi/(2l+1) sum_{m=-l..l} |q_lm|^2). */
double order_ql_from_qlm(int l, const double *qlm);
/* Re[sum_m a_lm b_lm*] over m = -l..l. */
double order_qlm_dot(int l, const double *a, const double *b);
/* d_l(i,j) = Re[q_l(i).q_l(j)*] / (|q_l(i)| |q_l(j)|); 0 when either vector vanishes. */
double order_bond_correlation(int l, const double *a, const double *b);

/* Per-atom versions over a neighbor list (nsel may be NULL = all candidates). Arrays are n * 2(l+1). */
int order_qlm_atoms(const order_neighbors *nb, const int *nsel, int l, double *qlm);
void order_ql_atoms(int n, int l, const double *qlm, double *ql);
/* Lechner-Dellago average over {i} U nb(i). */
int order_qlm_average(const order_neighbors *nb, const int *nsel, int l, const double *qlm,
                      double *qbar_lm);
/* Number of solid bonds of each atom: neighbors j with d_l(i,j) > dc. */
int order_solid_bonds(const order_neighbors *nb, const int *nsel, int l, const double *qlm, double dc,
                      int *nbonds);

/* ------------------------------------------------------------------------------------------------
 * Classifiers (plug-ins, registry by name)
 * ---------------------------------------------------------------------------------------------- */
typedef struct order_classifier_class {
    const char *name;            /* style name in the input, e.g. "bonds", "qbar", "chillplus" */
    const char *doc;             /* one line */
    const sr_keyword *keywords;  /* keys of the [order] section this style reads */
    size_t config_size;          /* size of the struct the keywords bind into */
    int (*create)(void **state, const void *config);
    /* labels[i] for the s->n local atoms: 0 liquid, > 0 a solid kind. nb lists candidates up to at
     * least cutoff(state). s may be used for types; the Steinhardt classes accept s == NULL. */
    int (*classify)(void *state, const md_system *s, const order_neighbors *nb, int *labels);
    double (*cutoff)(const void *state);            /* neighbor-candidate radius it needs */
    int (*is_crystalline)(const void *state, int label); /* labels that count for clustering */
    const char *(*label_name)(const void *state, int label);
    /* Optional (may be NULL): per-atom score of the last classify and its name (e.g. "qbar6"). */
    const double *(*score)(const void *state, const char **name);
    void (*describe)(const void *state, FILE *out);
    void (*destroy)(void *state);
} order_classifier_class;

typedef struct order_classifier {
    const order_classifier_class *cls;
    void *state;
} order_classifier;

/* Registry: the built-in classes plus those registered at start-up (at most 16 extra). */
int order_classifier_register(const order_classifier_class *cls);
const order_classifier_class *order_classifier_find(const char *name);
/* Names of all classes, "a|b|c" (static buffer). */
const char *order_classifier_names(void);
/* Parse an [order] section: key `style` picks the class, whose keywords bind the rest. Problems go to
 * el (all at once); unknown keys are reported. sec may be NULL (style "bonds", defaults). */
int order_classifier_from_section(sr_section *sec, order_classifier **out, sr_errlist *el);
int order_classifier_create(const order_classifier_class *cls, const void *config,
                            order_classifier **out);
void order_classifier_free(order_classifier *c);
int order_classify(order_classifier *c, const md_system *s, const order_neighbors *nb, int *labels);
double order_classifier_cutoff(const order_classifier *c);
/* mask[i] = is_crystalline(labels[i]). */
void order_classifier_mask(const order_classifier *c, int n, const int *labels, unsigned char *mask);
/* The `style` key, bound into a char[SR_KW_STRLEN] at offset 0 (default "bonds"). */
extern const sr_keyword order_style_keywords[];

/* A classifier from command-line options: `--input FILE` (its [order] section), `--style NAME` and
 * `--KEY VALUE` for every keyword of the chosen class (dashes read as underscores: --bond-threshold);
 * options override the file. used[argc] (zeroed by the caller) marks the arguments consumed, so the
 * command can treat the rest as its own. Problems go to el, all at once. */
int order_classifier_from_args(int argc, char **argv, unsigned char *used, order_classifier **out,
                               sr_errlist *el);

/* Steinhardt-family configuration shared by the built-in classes "bonds" (ten Wolde et al. solid
 * bonds on q_l) and "qbar" (Lechner-Dellago qbar_l > threshold). */
typedef struct order_steinhardt_config {
    int l;                    /* 6 */
    int neighbors;            /* enum order_neigh_mode */
    double cutoff;            /* neighbor cutoff (cutoff mode) / candidate search radius (others) */
    int nnearest;             /* N for nearest mode */
    double bond_threshold;    /* d_c */
    int min_bonds;            /* xi_c */
    double qbar_threshold;    /* qbar_l threshold */
} order_steinhardt_config;

/* The configuration of a "bonds" or "qbar" classifier; NULL for other classes. */
const order_steinhardt_config *order_steinhardt_get_config(const order_classifier *c);

extern const order_classifier_class order_classifier_bonds;
extern const order_classifier_class order_classifier_qbar;
/* CHILL+ for water (Nguyen & Molinero, J. Phys. Chem. B 119, 9369, 2015; order_chill.c). */
extern const order_classifier_class order_classifier_chillplus;
/* Defaults of a class's keywords into config (cfg must be config_size bytes). */
int order_config_defaults(const order_classifier_class *cls, void *config);

/* ------------------------------------------------------------------------------------------------
 * Clusters (order_cluster.c)
 * ---------------------------------------------------------------------------------------------- */
typedef struct order_cluster_result {
    int n_solid;      /* crystalline atoms */
    int n_clusters;   /* connected components among them (isolated atoms count) */
    int nmax;         /* size of the largest cluster (0 if none) */
    int largest;      /* cluster index of the largest (ties: the one holding the lowest atom index) */
    double centre[3]; /* centre of the largest cluster, unwrapped along its bonds, wrapped into the box */
    double rg;        /* its radius of gyration */
    int percolating;  /* the largest cluster connects to its own periodic image */
} order_cluster_result;

typedef struct order_cluster_ws order_cluster_ws;
order_cluster_ws *order_cluster_ws_create(int n);
void order_cluster_ws_free(order_cluster_ws *ws);
/* Crystalline atoms (mask) closer than rcut are connected (union-find with path compression over
 * the neighbor candidates, whose radius must be >= rcut). x gives local positions (for the centre). */
int order_clusters_find(order_cluster_ws *ws, const order_neighbors *nb, const double *x,
                        const md_box *box, const unsigned char *mask, double rcut,
                        order_cluster_result *res);
/* After order_clusters_find: cluster index of every atom (-1 when not crystalline), and sizes. */
const int *order_cluster_index(const order_cluster_ws *ws);
const int *order_cluster_sizes(const order_cluster_ws *ws);

/* ------------------------------------------------------------------------------------------------
 * Per-frame analysis in one call (order_analyzer.c): neighbor list, classify, mask, clusters.
 * ---------------------------------------------------------------------------------------------- */
typedef struct order_analyzer order_analyzer;
/* Borrows the classifier (free it after the analyzer). cluster_cutoff <= 0: the classifier's cutoff. */
int order_analyzer_create(order_classifier *c, double cluster_cutoff, order_analyzer **out);
void order_analyzer_free(order_analyzer *a);
/* Classify the local atoms of s (s is not modified) and find the clusters. */
int order_analyze_frame(order_analyzer *a, const md_system *s, order_cluster_result *res);
/* Results of the last frame, indexed like s's local atoms: labels, score (NULL if the class has
 * none; *name gets e.g. "qbar6"), cluster index (-1: not crystalline; res.largest is the largest). */
const int *order_analyzer_labels(const order_analyzer *a);
const double *order_analyzer_score(const order_analyzer *a, const char **name);
const int *order_analyzer_cluster_index(const order_analyzer *a);
/* Sizes of the last frame's clusters, by cluster index (0 .. res.n_clusters-1). */
const int *order_analyzer_cluster_sizes(const order_analyzer *a);
double order_analyzer_cluster_cutoff(const order_analyzer *a);

/* ------------------------------------------------------------------------------------------------
 * Mislabeling calibration (order_mislabel.c, order_calibrate.c)
 * ---------------------------------------------------------------------------------------------- */
typedef struct order_mislabel {
    double threshold;       /* atoms with score >= threshold are labelled solid */
    double liquid_as_solid; /* fraction of liquid scores >= threshold */
    double solid_as_liquid; /* fraction of crystal scores < threshold */
    double fraction;        /* mean of the two (equal at an exact crossing) */
    int extrapolated;       /* 1: the sampled sets do not overlap; threshold from normal fits (see below) */
} order_mislabel;

/* Continuous scores: empirical CDFs (plotting positions (k+1/2)/n, linear between samples) of both
 * sets; the threshold is where P_liq(score >= t) = P_xtal(score < t), found by bisection to `tol`.
 * When the samples do not overlap (nobody mislabelled anywhere in a gap), the criterion is applied to
 * normal distributions with the samples' means and standard deviations, t = (mu_l s_x + mu_x s_l) /
 * (s_l + s_x), clamped into the gap (extrapolated = 1): the gap's midpoint would drift with the sample size.
 * SR_EINVAL for empty sets or NaN scores. */
int order_mislabel_crossing(const double *liq, size_t nliq, const double *xtal, size_t nxtal,
                            double tol, order_mislabel *out);
/* Integer scores (e.g. solid-bond counts): the integer threshold minimising
 * |P_liq(score >= t) - P_xtal(score < t)| (ties: the smaller mean). */
int order_mislabel_integer(const int *liq, size_t nliq, const int *xtal, size_t nxtal,
                           order_mislabel *out);

enum order_calib_kind {
    ORDER_CALIB_QBAR = 0, /* threshold on qbar_l */
    ORDER_CALIB_BONDS = 1 /* xi_c for each d_c of a grid; the d_c with the smallest fraction wins */
};
typedef struct order_calibration {
    int kind;
    double qbar_threshold; /* QBAR */
    double bond_threshold; /* BONDS: chosen d_c */
    int min_bonds;         /* BONDS: chosen xi_c */
    order_mislabel result; /* at the chosen threshold(s) */
    long n_liquid, n_crystal; /* atoms sampled */
} order_calibration;

/* From bulk liquid and bulk crystal frames at the same (T, p). cfg gives l, the neighbor mode and
 * cutoff. For BONDS, dc_grid[ngrid] lists the d_c values tried (NULL: 0.30, 0.35, ..., 0.80).
 * The chosen thresholds are also written back into the returned calibration only (cfg is const). */
int order_calibrate(const order_steinhardt_config *cfg, int kind, md_system *const *liq, int nliq,
                    md_system *const *xtal, int nxtal, const double *dc_grid, int ngrid,
                    order_calibration *out);

/* ------------------------------------------------------------------------------------------------
 * State-point calibration (the accuracy protocol, issue #14; order_statepoint.c)
 * The classifier's definition (l, neighbours, d_c for "bonds") is the user's; its threshold is chosen
 * where the two mislabelling fractions of the bulk liquid and the bulk crystal AT THE CAMPAIGN'S (T, p)
 * are equal (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501 (2016)). The neighbouring settings
 * (bonds: xi_c - 1 and xi_c + 1; qbar: threshold -+ 10% of the distance between the two phases' median
 * scores) are kept for the systematic.
 * ---------------------------------------------------------------------------------------------- */
#define ORDER_STATEPOINT_MAX_MISLABEL 0.01 /* above this at the optimum, the phases cannot be told apart */
typedef struct order_statepoint {
    int kind;                  /* ORDER_CALIB_BONDS or ORDER_CALIB_QBAR */
    double threshold;          /* chosen xi_c (bonds) or qbar threshold */
    double neighbour[2];       /* the two neighbouring thresholds (lower, higher) */
    double liquid_as_solid;    /* fractions at the chosen threshold */
    double solid_as_liquid;
    double bond_threshold;     /* d_c used (bonds) */
    long n_liquid, n_crystal;  /* atoms sampled */
    int extrapolated;          /* qbar: the sampled phases do not overlap, threshold from their normal fits */
} order_statepoint;

/* Pure selection from the bulk scores (bond counts as doubles for bonds, qbar values for qbar).
 * SR_EFAILED with a message naming both fractions when the larger one exceeds max_mislabel. */
int order_statepoint_choose(int kind, const double *liq, size_t nliq, const double *xtal, size_t nxtal,
                            double max_mislabel, order_statepoint *out);
/* From frames: scores of the base classifier's definition ("bonds" or "qbar"; SR_EINVAL otherwise), then
 * order_statepoint_choose. */
int order_statepoint_calibrate(const order_classifier *base, md_system *const *liq, int nliq,
                               md_system *const *xtal, int nxtal, double max_mislabel, order_statepoint *out);
/* A copy of the base classifier ("bonds"/"qbar") with threshold t (xi_c rounded for bonds). */
int order_classifier_with_threshold(const order_classifier *base, double t, order_classifier **out);

#endif
