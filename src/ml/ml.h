/* ml.h - neural-network interatomic potentials (Behler-Parrinello type).
 *
 * Pieces, bottom-up:
 *   descriptor   atom-centred symmetry functions G_i of the neighbourhood of atom i (radial G2,
 *                angular G4/G5 with the cosine cutoff; Behler, JCP 134, 074106 (2011)), element
 *                resolved, behind a const class table so that other descriptors can be added;
 *   network      one feed-forward net per element, E_i = N_type(i)((G_i - mu)/sigma);
 *   model        descriptor + nets + normalisation + per-element reference energies + type map,
 *                E = sum_i [N_t(i)(G_i) + e_ref(t(i))], forces and virial analytically;
 *                stored as one versioned, self-describing netCDF file;
 *   potential    md_potential_class "nn" (FULL neighbour list, forces written on ghosts);
 *   data         NumPy .npy reader, DeePMD-kit "npy" system reader, frames;
 *   training     Adam, exponential learning-rate decay, energy+force loss whose prefactors move as
 *                in DeePMD-kit (Wang et al., CPC 228, 178 (2018)), exact force-loss gradient by
 *                double back-propagation.
 *
 * Units: metal (Angstrom, eV). A neighbourhood is given as displacement vectors d_j = r_j - r_i, so
 * the same code serves ghost-atom lists (md) and minimum-image/periodic lists (datasets). */
#ifndef ML_H
#define ML_H

#include <stddef.h>
#include <stdio.h>

#include "../common/sr_error.h"
#include "../common/sr_input.h"
#include "../md/md.h"

#define ML_MAX_ELEMENTS 8
#define ML_NAME_LEN 16
#define ML_MAX_LAYERS 8      /* weight layers per net */
#define ML_MAX_RADIAL 32     /* radial functions per neighbour element */
#define ML_MAX_ANGULAR 64    /* angular functions per neighbour-element pair */
#define ML_MODEL_VERSION 2   /* model-file format version written and read (2: completeness checksum) */
#define ML_COMMITTEE_VERSION 3 /* format of a file holding a committee of K >= 2 networks (dimension member) */
#define ML_MAX_MEMBERS 32    /* networks in a committee */

/* ------------------------------------------------------------------------------------------------
 * Neighbourhood of one centre atom
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_env {
    int type;          /* element of the centre atom (model index) */
    int n;             /* neighbours (all within the descriptor cutoff) */
    const int *ntype;  /* element of each neighbour [n] */
    const double *d;   /* displacements r_j - r_i [3n] */
} ml_env;

/* ------------------------------------------------------------------------------------------------
 * Descriptors
 * ---------------------------------------------------------------------------------------------- */
enum ml_angular_kind { ML_ANGULAR_G4 = 4, ML_ANGULAR_G5 = 5 };

/* Behler-Parrinello symmetry-function parameters (identical for every centre element).
 * Feature layout: radial block [neighbour element b][k], then angular block
 * [element pair (b<=c)][m]. */
typedef struct ml_sf_params {
    int nelem;                          /* number of elements */
    double rc;                          /* radial cutoff (Angstrom) */
    double rc_angular;                  /* angular cutoff (<= rc) */
    int n_radial;                       /* radial functions per neighbour element */
    double rs[ML_MAX_RADIAL];           /* centres (Angstrom) */
    double eta_r[ML_MAX_RADIAL];        /* widths (1/Angstrom^2) */
    int angular_kind;                   /* ML_ANGULAR_G4 or ML_ANGULAR_G5 */
    int n_angular;                      /* angular functions per neighbour-element pair */
    double eta_a[ML_MAX_ANGULAR];       /* 1/Angstrom^2 */
    double zeta[ML_MAX_ANGULAR];        /* integer-valued >= 1 */
    double lambda[ML_MAX_ANGULAR];      /* +1 or -1 */
} ml_sf_params;

/* Systematic parameter set: n_radial shifted Gaussians with centres evenly spaced on
 * [r_min, rc) and widths eta = 1/(2 dr^2) (dr = spacing); angular functions for every combination
 * of eta_a[], zeta[] and lambda = +-1. */
int ml_sf_generate(int nelem, double rc, double rc_angular, int n_radial, double r_min,
                   int angular_kind, int n_eta_a, const double *eta_a, int n_zeta,
                   const double *zeta, ml_sf_params *out);

/* Descriptor class (const table): compute G[nf] and optionally dG[n][3][nf] = dG_f/d(d_j). */
typedef struct ml_descriptor_class {
    const char *name;
    int (*n_features)(const void *params);
    double (*cutoff)(const void *params);
    /* scratch (bytes) needed for a neighbourhood of nneigh atoms */
    size_t (*work_size)(const void *params, int nneigh);
    void (*compute)(const void *params, const ml_env *env, double *G, double *dG, void *work);
    /* dEdd[3n] = sum_f gw_f dG_f/dd_j without forming dG (force evaluation in MD) */
    void (*contract)(const void *params, const ml_env *env, const double *gw, double *dEdd,
                     void *work);
    /* One-pass force path: G plus a tape (tape_size bytes for nneigh neighbours) from which
     * contract_tape forms dEdd[3n] = sum_f gw_f dG_f/dd_j once gw = dE/dG is known (NULL: not offered) */
    size_t (*tape_size)(const void *params, int nneigh);
    void (*compute_tape)(const void *params, const ml_env *env, double *G, double *tape, void *work);
    void (*contract_tape)(const void *params, const ml_env *env, double *tape, const double *gw,
                          double *dEdd); /* (the tape may hold scratch the contraction overwrites) */
    /* Sparsity of dG/dd_j for a neighbour of element b at distance r: the features that can depend
     * on d_j, as contiguous runs [start, start+len); returns the number of runs (<= ML_MAX_RUNS). */
    int (*runs)(const void *params, int b, double r, int *start, int *len);
} ml_descriptor_class;
#define ML_MAX_RUNS (1 + ML_MAX_ELEMENTS)

extern const ml_descriptor_class ml_descriptor_bp; /* "behler-parrinello" */

/* ------------------------------------------------------------------------------------------------
 * Feed-forward networks
 * ---------------------------------------------------------------------------------------------- */
enum ml_activation { ML_ACT_TANH = 0, ML_ACT_SILU = 1 };

/* Layers z_l = W_l h_{l-1} + b_l, h_l = act(z_l) (l < L), output y = W_L h_{L-1} + b_L (scalar).
 * All parameters in one vector: per layer W_l (row-major [out][in]) then b_l. */
typedef struct ml_net {
    int nlayers;                  /* weight layers L */
    int width[ML_MAX_LAYERS + 1]; /* width[0] = inputs, width[L] = 1 */
    int activation;
    int nparams;
    double *param;
} ml_net;

ml_net *ml_net_create(int n_in, int nhidden, const int *hidden, int activation);
void ml_net_free(ml_net *net);
/* Scratch doubles needed by the functions below. */
size_t ml_net_work_size(const ml_net *net);
/* Glorot-uniform weights, zero biases, from a GSL rng. */
void ml_net_init(ml_net *net, gsl_rng *rng);
/* y = N(x); dydx (may be NULL) [n_in] = dN/dx. */
double ml_net_eval(const ml_net *net, const double *x, double *dydx, double *work);
/* Parameter gradient of Q = gE * N(x) + gF * (v . dN/dx), accumulated into grad[nparams]
 * (double back-propagation: forward tangent along v, then reverse through value and tangent). */
void ml_net_param_grad(const ml_net *net, const double *x, const double *v, double gE, double gF,
                       double *grad, double *work);
const char *ml_activation_name(int activation);
/* the networks' tanh (vectorisable, a few ulp from libm's; ml_net.c) */
double ml_tanh(double x);
int ml_activation_parse(const char *name, int *activation);

/* ------------------------------------------------------------------------------------------------
 * Model
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_model {
    int nelem;
    char type_map[ML_MAX_ELEMENTS][ML_NAME_LEN]; /* element names, model index order */
    const ml_descriptor_class *desc;
    ml_sf_params sf;                       /* descriptor parameters */
    int nf;                                /* features per atom */
    double *g_mean, *g_std;                /* input normalisation [nelem][nf] */
    double e_ref[ML_MAX_ELEMENTS];         /* per-element reference energies (eV) */
    ml_net *net[ML_MAX_ELEMENTS];
    /* provenance (free text, stored as attributes) */
    char provenance[4096];
} ml_model;

/* A model with fresh nets (normalisation mean 0, std 1; e_ref 0). */
ml_model *ml_model_create(int nelem, const char *const *type_map, const ml_sf_params *sf,
                          int nhidden, const int *hidden, int activation);
void ml_model_free(ml_model *m);
/* Total parameters of all nets, and copying them to/from one vector (element order). */
int ml_model_nparams(const ml_model *m);
void ml_model_get_params(const ml_model *m, double *p);
void ml_model_set_params(ml_model *m, const double *p);
/* Element index of a name; -1 when absent. */
int ml_model_element(const ml_model *m, const char *name);
/* Largest descriptor tape (bytes, per thread) ml_model_atom keeps for the one-pass force path; a
 * neighbourhood whose tape would be larger takes the two-pass path (ml_model.c). */
#define ML_TAPE_MAX ((size_t)2 << 20)
/* Scratch bytes for ml_model_atom with up to nneigh neighbours. */
size_t ml_model_work_size(const ml_model *m, int nneigh);
/* Energy of one atom (net + e_ref) and, when dEdd != NULL, dE_i/d(d_j) [3n]. */
double ml_model_atom(const ml_model *m, const ml_env *env, double *dEdd, void *work);

int ml_model_write(const ml_model *m, const char *path);
/* Read a model file (format version 2): its completeness checksum (io.h) must be present and match, every
 * variable must have the size its dimensions give and finite values; a damaged, unfinished or version-1
 * file is refused with a message naming it (version 1: convert with ml_model_upgrade). */
int ml_model_read(const char *path, ml_model **out);
/* The same from memory (fuzzing); `name` is used in messages as the file name. */
int ml_model_read_buffer(const void *buf, size_t len, const char *name, ml_model **out);
/* Read a version-1 (no checksum) or version-2 model with every structural check and write it as version 2. */
int ml_model_upgrade(const char *old_path, const char *new_path);
void ml_model_describe(const ml_model *m, FILE *out);

/* ------------------------------------------------------------------------------------------------
 * Periodic frames and their neighbourhoods (orthorhombic boxes, any size relative to rc)
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_frame {
    int n;
    int *type;        /* model element index [n] */
    double *x;        /* positions [3n] (need not be wrapped) */
    double box[3];    /* orthorhombic edge lengths */
    double energy;    /* reference energy (eV); NAN if none */
    double *force;    /* reference forces [3n] or NULL */
    int has_virial;   /* 1: virial[] is a reference */
    double virial[6]; /* reference virial W_ab = sum r_a f_b (eV): xx yy zz xy xz yz */
} ml_frame;

/* All neighbours j (with periodic images) of every atom within rc: atom i's neighbours are
 * first[i] .. first[i+1]-1 with owner index j[], element type[] and displacement d[3*]. */
typedef struct ml_neigh {
    int n;
    int *first;   /* [n+1] */
    int *j;       /* owner atom of each neighbour */
    int *type;
    double *d;
    int cap;
} ml_neigh;

int ml_neigh_build(const ml_frame *fr, double rc, ml_neigh *nb);
void ml_neigh_free(ml_neigh *nb);
/* View of atom i's neighbourhood. */
ml_env ml_neigh_env(const ml_neigh *nb, const ml_frame *fr, int i);

/* Energy, forces [3n] (may be NULL) and virial W_ab = sum r_a f_b (xx yy zz xy xz yz, may be
 * NULL) of a frame. */
int ml_model_frame(const ml_model *m, const ml_frame *fr, double *energy, double *force,
                   double *virial);

/* ------------------------------------------------------------------------------------------------
 * Committee: K networks of one architecture and descriptor (different initial weights and minibatch
 * orders), evaluated together; E, F and virial are the member means and the spread of the members'
 * forces measures where the potential is unreliable (DP-GEN's model deviation, Zhang et al., Comput.
 * Phys. Commun. 253, 107206 (2020)). A committee of one is a single network: the file is then written
 * in format ML_MODEL_VERSION exactly as ml_model_write writes it, and any single-network file reads as
 * a committee of one. K >= 2: format ML_COMMITTEE_VERSION, each per-network variable (e_ref,
 * feature_mean, feature_std, weights_E) gets a leading dimension `member`.
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_committee {
    int k;
    ml_model *member[ML_MAX_MEMBERS];
} ml_committee;

ml_committee *ml_committee_create(void);
/* Frees the members too. NULL ok. */
void ml_committee_free(ml_committee *c);
/* Append a member (ownership passes to c, also on failure); it must have member 0's elements, descriptor,
 * layer widths and activation. */
int ml_committee_add(ml_committee *c, ml_model *m);
int ml_committee_write(const ml_committee *c, const char *path);
/* Formats 2 (a committee of one) and 3, with every check of ml_model_read. */
int ml_committee_read(const char *path, ml_committee **out);
int ml_committee_read_buffer(const void *buf, size_t len, const char *name, ml_committee **out);
/* DP-GEN's per-atom force deviation of K force sets f[m][3n] (m = 0..k-1, member stride 3n):
 * sigma_i = sqrt((1/K) sum_m |F_i^m - <F_i>|^2); atom_dev (may be NULL) [n]; returns max_i sigma_i (0 for
 * n = 0) and its atom in *argmax (may be NULL). */
double ml_force_deviation(int k, int n, const double *f, double *atom_dev, int *argmax);
/* Member mean of v[m * stride], m = 0..k-1, as v_0 + (1/K) sum_m (v_m - v_0) (exactly v_0 for identical
 * members). */
double ml_committee_mean(int k, const double *v, size_t stride);
/* Every member's energy of one atom, e[k], and (dEdd != NULL) dE_i/d(d_j) of member q at dEdd + q * stride
 * (stride >= 3 env->n), with the shared descriptor computed once; work as ml_model_work_size of member 0. */
void ml_committee_atom(const ml_committee *c, const ml_env *env, double *e, double *dEdd, size_t stride, void *work);
/* Member-mean energy, forces [3n] and virial (each may be NULL) of a frame, and the model deviation
 * max_i sigma_i (*dev_max, may be NULL; 0 for K = 1) with sigma_i in atom_dev [n] (may be NULL). */
int ml_committee_frame(const ml_committee *c, const ml_frame *fr, double *energy, double *force,
                       double *virial, double *dev_max, double *atom_dev);

/* ------------------------------------------------------------------------------------------------
 * Data: .npy files and DeePMD-kit systems
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_npy {
    int ndim;
    long shape[4];
    long count;      /* product of shape */
    double *data;    /* converted to double */
} ml_npy;

/* Read a NumPy .npy file (format 1.0/2.0/3.0, '<f4' or '<f8', C order, up to 4 dims). */
int ml_npy_read(const char *path, ml_npy *out);
/* Same from memory (what the file reader uses; `name` labels messages). */
int ml_npy_parse(const unsigned char *buf, size_t len, const char *name, ml_npy *out);
void ml_npy_free(ml_npy *a);
/* Write a float64 array (tests, small outputs). */
int ml_npy_write(const char *path, int ndim, const long *shape, const double *data);

typedef struct ml_dataset {
    int nframes, cap;
    ml_frame *frames;
    int nelem;
    char type_map[ML_MAX_ELEMENTS][ML_NAME_LEN];
} ml_dataset;

/* Append the frames of a DeePMD-kit npy system directory (type.raw, type_map.raw, set.*; force.npy and
 * virial.npy optional). Element names are mapped onto ds->type_map (names not yet known are appended). */
int ml_dataset_read_deepmd(ml_dataset *ds, const char *dir);
/* Append the frames of an extended-XYZ file (io module reader; energy required, forces and virial= / stress=
 * optional). */
int ml_dataset_read_extxyz(ml_dataset *ds, const char *path);
void ml_dataset_free(ml_dataset *ds);
/* Deep copy of one frame onto the end of ds. */
int ml_dataset_add(ml_dataset *ds, const ml_frame *fr);
/* All frames with energies, forces and virials as extended XYZ (io_extxyz_write: %.17g, path.tmp -> path), so
 * that ml_dataset_read_extxyz gives the same doubles back. */
int ml_dataset_write_extxyz(const ml_dataset *ds, const char *path);
/* Structural fingerprint of a frame for de-duplication: per element, the mean over its atoms of the
 * descriptor in units of the model's feature_std, fp[nelem * nf] (zero for an absent element). */
int ml_frame_fingerprint(const ml_model *m, const ml_frame *fr, double *fp);

/* ------------------------------------------------------------------------------------------------
 * Training
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_train_params {
    long seed;
    long steps;            /* Adam steps (one minibatch each) */
    int batch;             /* frames per minibatch */
    double lr_start, lr_stop; /* lr(t) = lr_start * (lr_stop/lr_start)^(t/steps), stepped every decay_steps */
    long decay_steps;
    double pe_start, pe_limit, pf_start, pf_limit; /* p(t) = p_limit + (p_start - p_limit) lr(t)/lr0 */
    double pv_start, pv_limit; /* the virial's, the same schedule; 0 and 0 (default): no virial term */
    double val_fraction;   /* of the training frames, when no validation set is given */
    long eval_every;       /* steps between learning-curve points */
    int patience;          /* learning-curve points without validation improvement before stopping (0 = never) */
    double max_minutes;    /* wall-time budget (0 = none) */
    double ema_decay;      /* 0: off; d in (0, 1): evaluate, select and keep the exponential moving average of the
                            * parameters, theta_ema <- d theta_ema + (1 - d) theta after every Adam step */
    int threads;           /* OpenMP threads (0 = default) */
    int verbose;
    int committee;         /* networks K trained by ml_train_committee (ml_train ignores it) */
    int member;            /* committee member index: its minibatch order comes from its own stream (member 0
                            * uses the stream of a single network); the validation split is shared */
} ml_train_params;

typedef struct ml_train_report {
    int npoints;
    long *step;
    double *lr;
    double *rmse_e_train, *rmse_f_train, *rmse_e_val, *rmse_f_val; /* eV/atom, eV/Angstrom */
    double best_e_val, best_f_val;
    long best_step;
    double seconds;
} ml_train_report;

void ml_train_defaults(ml_train_params *p);
/* Fit normalisation and reference energies on `train`, then train the nets; the model ends with the
 * parameters of the best validation point. `checkpoint` (may be NULL) is rewritten at every new best.
 * val may be NULL (a val_fraction of train is held out). */
int ml_train(ml_model *m, const ml_dataset *train, const ml_dataset *val, const ml_train_params *p,
             const char *checkpoint, ml_train_report *rep);
void ml_train_report_free(ml_train_report *r);
/* Frames ml_train holds out of n (>= 2) when it has no validation set: round(fraction n), at least 1, at most n - 1. */
int ml_train_heldout(int n, double fraction);
/* Train p->committee members into c (which must be empty): member m gets initial weights from stream
 * (seed, 2m + 1) and its minibatch order from (seed, 2m) (for m = 0 the streams of a single network, so a
 * committee of one is today's model), all with the same validation split. rep[] has p->committee entries
 * (free each with ml_train_report_free). `template` gives elements, descriptor and architecture. */
int ml_train_committee(ml_committee *c, const ml_model *template_model, const ml_dataset *train,
                       const ml_dataset *val, const ml_train_params *p, ml_train_report *rep);
/* Learning curve to netCDF (written to path.tmp, then renamed). */
int ml_train_report_write(const ml_train_report *r, const char *path);
/* RMSE of energy per atom and force components over a dataset. */
int ml_model_rmse(const ml_model *m, const ml_dataset *ds, double *rmse_e_atom, double *rmse_f);

/* Fit input normalisation (per element mean/std of every feature) and per-element reference
 * energies (least squares, minimum-norm for rank-deficient compositions) on a dataset. */
int ml_model_fit_statistics(ml_model *m, const ml_dataset *ds);

/* Loss of a set of frames with precomputed descriptors, and its exact parameter gradient (tests). */
typedef struct ml_cache ml_cache;
int ml_cache_create(const ml_model *m, const ml_dataset *ds, ml_cache **out);
void ml_cache_free(ml_cache *c);
/* Mean loss over frames idx[0..nidx) with prefactors pe, pf, pv (the virial's, on frames with a reference
 * virial); grad (may be NULL) [nparams]. NaN when scratch memory cannot be allocated. */
double ml_cache_loss(const ml_model *m, const ml_cache *c, const int *idx, int nidx, double pe,
                     double pf, double pv, double *grad);

/* ------------------------------------------------------------------------------------------------
 * The "nn" potential for md
 * ---------------------------------------------------------------------------------------------- */
typedef struct ml_potential_config {
    char model[SR_KW_STRLEN];
    int member; /* 0: the whole committee; N >= 1: member N alone */
} ml_potential_config;

extern const md_potential_class ml_potential_nn;
/* Register "nn" with md (idempotent). */
int ml_register(void);

#endif
