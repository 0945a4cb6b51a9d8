/* LAMMPS as a force engine: a potential style whose forces, energy and virial come from a LAMMPS instance driven
 * through the LAMMPS C library interface (library.h). Everything else — integrators, thermostat, barostat,
 * checkpoints, replicas, classification — stays seedrate's; the model is any pair/many-body style the linked
 * LAMMPS has (EAM, MEAM, Tersoff, SNAP, KIM, plug-ins), given as the user's own LAMMPS commands.
 *
 * Instance: one per potential object, on MPI_COMM_SELF (each seedrate rank runs its own replicas), opened with
 * `-screen none -nocite` and a log in a private temporary directory (for error messages). seedrate issues
 *     units lj|metal, atom_style atomic, atom_modify map array sort 0 0, boundary p p p,
 *     region + create_box (the system's box and type count), mass per type,
 * then the user's lines ([potential] commands, separated by '|', and/or include = FILE of LAMMPS commands), then
 *     neighbor SKIN bin, neigh_modify delay 0 every 1 check no once yes,
 *     compute sr_vir all pressure NULL virial, thermo_style custom step pe c_sr_vir[1..6], thermo 0.
 * LAMMPS type t+1 is seedrate type t; LAMMPS atom id i+1 is local atom i (atoms are reloaded when the number,
 * the ids or the types of the locals change: a new replica, an inserted seed).
 *
 * One force call: the box (orthorhombic; `change_box ... units box` when it changed), the positions written
 * straight into LAMMPS's arrays (lammps_extract_atom, by atom id), then either
 *   - a full set-up, `run 0 pre yes post no` (init, pbc, ghosts, neighbour lists, forces), when the atoms were
 *     reloaded or moved too far since the last one: 2 max|dx| + 2 (box change) > skin, the
 *     criterion of LAMMPS's own `neigh_modify check yes` with its box term; or
 *   - a force-only step, `run 1 pre no post no` with no integration fix: LAMMPS re-uses its lists (`once yes`
 *     forbids it any rebuild of its own) and refreshes the ghosts from the owners with the current box.
 * Between full set-ups the positions sent are kept continuous (the periodic image nearest the last set-up's)
 * so that an atom seedrate wrapped across the box stays where LAMMPS's lists expect it. Forces are read from
 * LAMMPS's force array, the energy from thermo `pe`, the virial W_ab = P^vir_ab V / nktv2p from the virial-only
 * pressure compute (so md_compute keeps it: own_virial). Per-atom energies: compute pe/atom, made part of thermo
 * (so it is tallied on the step) from the first call that asks for them.
 *
 * Errors: a LAMMPS built with exceptions (-DLAMMPS_EXCEPTIONS) reports them through lammps_has_error; the
 * Debian/Ubuntu liblammps0 is not, and its errors end the process (MPI_Finalize; exit(1)). So create() first runs
 * the same commands on the same configuration in a separate `lmp` process (key `check`: the lmp next to the
 * library or on PATH) and turns its "ERROR: ..." into a seedrate error before anything is opened in-process; a
 * LAMMPS error later in a run (lost atoms, ...) is still fatal there, and an exit handler prints its message as
 * one "seedrate: error: LAMMPS: ..." line. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

typedef struct lmp_config {
    char commands[SR_KW_STRLEN];
    char include[SR_KW_STRLEN];
    double skin;
    char check[SR_KW_STRLEN];
    int setup;
    double list_cutoff;
    int integrate;
} lmp_config;

static const sr_keyword lmp_keywords[] = {
    {"commands", SR_KW_STRING, offsetof(lmp_config, commands), "", "", 0, 0, NULL,
     "LAMMPS commands of the model, separated by '|', e.g. pair_style eam/alloy | pair_coeff * * Cu.eam.alloy Cu "
     "(file names as LAMMPS resolves them: the working directory, then $LAMMPS_POTENTIALS)"},
    {"include", SR_KW_STRING, offsetof(lmp_config, include), "", "", 0, 0, NULL,
     "file of LAMMPS commands of the model (relative to the input file), read after `commands`"},
    {"skin", SR_KW_REAL, offsetof(lmp_config, skin), "length", "0", 0, 100, NULL,
     "LAMMPS neighbour skin (0: 0.3 in lj, 2.0 angstrom in metal, LAMMPS's defaults)"},
    {"check", SR_KW_STRING, offsetof(lmp_config, check), "", "auto", 0, 0, NULL,
     "lmp executable that checks the model first when this LAMMPS has no exceptions (auto: $SEEDRATE_LMP, else lmp "
     "on PATH; none: no check - a LAMMPS error then ends the process)"},
    {"list_cutoff", SR_KW_REAL, offsetof(lmp_config, list_cutoff), "length", "0", 0, 1e6, NULL,
     "cutoff of seedrate's own neighbour list with this style (LAMMPS uses its own lists; seedrate's only wraps and "
     "sorts the atoms, in cells of list_cutoff + skin); 0: minimal. The model's cutoff gives the atom order, hence "
     "the velocities drawn for a replica, of seedrate's own potential with that cutoff"},
    {"setup", SR_KW_CHOICE, offsetof(lmp_config, setup), "", "auto", 0, 0, "auto|always",
     "auto: LAMMPS rebuilds its lists only when atoms or the box moved too far (forces alone otherwise); always: a "
     "full LAMMPS set-up (init, lists, forces) at every call - the slow reference"},
    {"integrate", SR_KW_CHOICE, offsetof(lmp_config, integrate), "", "seedrate", 0, 0, "seedrate|lammps",
     "seedrate: seedrate's integrator, LAMMPS computes forces (each box change of the barostat costs a LAMMPS list "
     "rebuild); lammps: each MD segment (the steps between two analyses) runs inside LAMMPS with fixes mapped from "
     "[ensemble] (Bussi -> fix temp/csvr where this LAMMPS has it, else Nose-Hoover chains fix nvt/npt with Tdamp = "
     "tau_t; barostat -> MTK fix npt/nph iso|aniso|z with Pdamp = tau_p), stated in the log; Langevin and harmonic "
     "restraints fall back to seedrate's integrator"},
    SR_KW_END};

#ifndef SEEDRATE_HAVE_LAMMPS
/* ---------------------------------------------------------------------------------------------- built without */
static int lmp_create(void **state, const void *config, const md_system *s, const char *basedir)
{
    (void)config, (void)s, (void)basedir;
    *state = NULL;
    return SR_ERROR(SR_EUNSUPPORTED,
                    "[potential] style = lammps: this seedrate was built without LAMMPS (no liblammps found when it "
                    "was configured); install the LAMMPS library and headers (Debian/Ubuntu: apt-get install "
                    "liblammps-dev; or a LAMMPS built with -DBUILD_SHARED_LIBS=on and installed, found through "
                    "pkg-config liblammps) and reconfigure with cmake -DSEEDRATE_LAMMPS=ON");
}
static int lmp_compute(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r)
{
    (void)state, (void)s, (void)nl, (void)want, (void)r;
    return SR_ERROR(SR_EUNSUPPORTED, "style lammps: built without LAMMPS");
}
static double lmp_cutoff(const void *state)
{
    (void)state;
    return 0.01;
}
static void lmp_describe(const void *state, FILE *out)
{
    (void)state;
    fprintf(out, "lammps: not available (built without LAMMPS)\n");
}
static void lmp_destroy(void *state) { (void)state; }
static int lmp_integrates(void *state, const md_integrator_params *p, int tethered)
{
    (void)state, (void)p, (void)tethered;
    return 0;
}
static int lmp_integrate(void *state, md_system *s, md_engine_segment *seg, md_result *r)
{
    (void)state, (void)s, (void)seg, (void)r;
    return SR_ERROR(SR_EUNSUPPORTED, "style lammps: built without LAMMPS");
}

#else
/* ---------------------------------------------------------------------------------------------- with LAMMPS */
#define LAMMPS_LIB_MPI 1
#include <dirent.h>
#include <fcntl.h>
#include <mpi.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lammps/library.h>

extern char **environ;

/* LAMMPS's atom-id type (tagint): int unless LAMMPS was built with -DLAMMPS_BIGBIG */
#if defined(LAMMPS_BIGBIG)
typedef int64_t lmp_tag;
typedef int64_t lmp_image;
#else
typedef int lmp_tag;
typedef int lmp_image; /* imageint: int unless LAMMPS_BIGBIG */
#endif

#define LMP_MAXTYPES 64
#define LMP_LOG_TRUNCATE 2000 /* calls between truncations of the instance's log */

typedef struct lmp_state {
    void *lmp;
    int units;
    int ntypes;
    double mass[LMP_MAXTYPES];
    double skin;
    int exceptions;             /* this LAMMPS reports errors through lammps_has_error */
    char tmpdir[512];           /* private directory: the instance's log (and the check's files) */
    char logpath[600];
    char model[2 * SR_KW_STRLEN + 64]; /* for describe */
    char checked[SR_KW_STRLEN + 64];
    double nktv2p;
    double list_cutoff;
    /* the configuration LAMMPS holds */
    int natoms;
    int64_t *ids;               /* seedrate id of LAMMPS atom i+1 */
    int *types;
    double lo[3], len[3];       /* box LAMMPS has */
    double *xhold;              /* positions sent at the last full set-up */
    double lo_hold[3], len_hold[3]; /* box when LAMMPS's lists were built */
    double lo_full[3], len_full[3]; /* box at the last full set-up (LAMMPS's bins and ghost slabs) */
    int always_full;                /* setup = always */
    double *xsend;              /* workspace */
    int eatom;                  /* pe/atom is part of thermo */
    /* integrate = lammps: the fixes of the integrator that owns them (fix_owner, 0: none defined) */
    int integrate;
    int has_csvr;               /* this LAMMPS has fix temp/csvr */
    unsigned long fix_owner;
    int fix_thermo;             /* sr_ts (a thermostat fix apart from sr_int) defined */
    int fix_int_scalar;         /* sr_int has an energy scalar (nvt, npt, nph; not nve) */
    int groups_defined;         /* sr_frozen / sr_mobile exist */
    int need_full;              /* LAMMPS moved the atoms itself: the next force call needs a full set-up */
    double fix_energy;          /* energy of the fixes (their scalars) at the end of the last segment */
    char mapping[600];          /* the fixes of the last set-up, for describe */
    long nsegments, nsteps_run, nfallbacks, nfixsets;
    double cpu_segments;        /* CPU seconds of the segments (scatter, run, gather) */
    /* statistics */
    long ncalls, nsetups, nrebuilds, nreloads;
    double cpu_lammps;          /* CPU seconds inside LAMMPS calls */
} lmp_state;

/* instances alive, for the exit handler (a LAMMPS without exceptions exits on an error) */
#define LMP_MAXLIVE 16
static lmp_state *live[LMP_MAXLIVE];
static lmp_state *in_call;     /* the instance inside a LAMMPS call, if any */
static int atexit_done;
static int mpi_inited_here; /* MPI started for LAMMPS (`seedrate md`): finalized at exit */

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void remove_tree(const char *dir)
{
    if (!dir[0]) return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[1200];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

/* The "ERROR..." line of a LAMMPS log (and its "Last command:"), "" if none. */
static void log_error(const char *path, char *msg, size_t cap)
{
    msg[0] = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) return;
    char line[2048], last[1024] = "";
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strncmp(line, "ERROR", 5) && !msg[0]) snprintf(msg, cap, "%s", line);
        else if (!strncmp(line, "Last command:", 13) && msg[0] && !last[0]) snprintf(last, sizeof last, "%.1000s", line);
    }
    fclose(fp);
    if (msg[0] && last[0]) {
        size_t l = strlen(msg);
        snprintf(msg + l, cap - l, " (%s)", last);
    }
}

static void lmp_atexit(void)
{
    if (in_call) {
        char msg[3000];
        log_error(in_call->logpath, msg, sizeof msg);
        fprintf(stderr, "seedrate: error: LAMMPS: %s\n", msg[0] ? msg : "LAMMPS ended the process (no message)");
    }
    for (int i = 0; i < LMP_MAXLIVE; i++)
        if (live[i]) remove_tree(live[i]->tmpdir);
    if (mpi_inited_here && !in_call) lammps_mpi_finalize();
}

/* One LAMMPS command; SR_EFAILED with the LAMMPS message when this LAMMPS reports errors. */
static int lcmd(lmp_state *st, const char *cmd)
{
    const double c0 = cpu_now();
    in_call = st;
    lammps_command(st->lmp, (char *)cmd);
    in_call = NULL;
    st->cpu_lammps += cpu_now() - c0;
    if (st->exceptions && lammps_has_error(st->lmp)) {
        char buf[2048];
        lammps_get_last_error_message(st->lmp, buf, sizeof buf);
        buf[strcspn(buf, "\r\n")] = 0;
        return SR_ERROR(SR_EFAILED, "LAMMPS: %s (command: %s)", buf, cmd);
    }
    return SR_OK;
}

static int lcmdf(lmp_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lcmdf(lmp_state *st, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return lcmd(st, cmd);
}

/* The model's commands: `commands` split at '|' (blank pieces dropped), then `include FILE`. */
static int model_commands(const lmp_config *c, const char *basedir, char (**out)[SR_KW_STRLEN + 16], int *n)
{
    *n = 0;
    *out = calloc(SR_KW_STRLEN + 2, sizeof **out);
    if (!*out) return SR_ERROR(SR_ENOMEM, "out of memory");
    char buf[SR_KW_STRLEN];
    snprintf(buf, sizeof buf, "%s", c->commands);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        while (isspace((unsigned char)*tok)) tok++;
        size_t l = strlen(tok);
        while (l && isspace((unsigned char)tok[l - 1])) tok[--l] = 0;
        if (l) snprintf((*out)[(*n)++], SR_KW_STRLEN + 16, "%s", tok);
    }
    if (c->include[0]) {
        char path[2 * SR_KW_STRLEN + 8];
        if (c->include[0] == '/' || !basedir || !basedir[0]) snprintf(path, sizeof path, "%s", c->include);
        else snprintf(path, sizeof path, "%s/%s", basedir, c->include);
        FILE *fp = fopen(path, "r");
        if (!fp) {
            free(*out);
            *out = NULL;
            return SR_ERROR(SR_EIO, "[potential] include = %s: cannot open %s: %s", c->include, path, strerror(errno));
        }
        fclose(fp);
        snprintf((*out)[(*n)++], SR_KW_STRLEN + 16, "include %.*s", SR_KW_STRLEN, path);
    }
    if (*n == 0) {
        free(*out);
        *out = NULL;
        return SR_ERROR(SR_EINVAL, "[potential] style = lammps needs the model's LAMMPS commands: commands = "
                                   "\"pair_style ... | pair_coeff ...\" and/or include = FILE");
    }
    return SR_OK;
}

/* Commands before the model (box from s) and after it; `data` != NULL: read_data instead of create_box. */
static void write_prologue(FILE *fp, const lmp_state *st, const md_system *s, const char *data)
{
    fprintf(fp, "units %s\natom_style atomic\natom_modify map array sort 0 0\nboundary p p p\n",
            st->units == MD_UNITS_METAL ? "metal" : "lj");
    if (data) {
        fprintf(fp, "read_data %s\n", data);
        return;
    }
    fprintf(fp, "region sr_box block %.17g %.17g %.17g %.17g %.17g %.17g units box\ncreate_box %d sr_box\n",
            s->box.lo[0], s->box.lo[0] + s->box.len[0], s->box.lo[1], s->box.lo[1] + s->box.len[1], s->box.lo[2],
            s->box.lo[2] + s->box.len[2], st->ntypes);
    for (int t = 0; t < st->ntypes; t++) fprintf(fp, "mass %d %.17g\n", t + 1, st->mass[t]);
}

static void write_epilogue(FILE *fp, const lmp_state *st)
{
    fprintf(fp, "neighbor %.17g bin\nneigh_modify delay 0 every 1 check no once yes\n", st->skin);
    fprintf(fp, "compute sr_vir all pressure NULL virial\n"
                "thermo_style custom step pe c_sr_vir[1] c_sr_vir[2] c_sr_vir[3] c_sr_vir[4] c_sr_vir[5] c_sr_vir[6]\n"
                "thermo_modify norm no lost error\nthermo 0\n");
}

/* Wrapped position of local i along d (in [lo, lo + len)). */
static inline double wrapped(const md_system *s, int i, int d)
{
    const double lo = s->box.lo[d], L = s->box.len[d];
    double x = s->x[3 * i + d];
    x -= floor((x - lo) / L) * L;
    if (x >= lo + L) x -= L;
    if (x < lo) x = lo;
    return x;
}

/* LAMMPS version (YYYYMMDD, as lammps_version) from the first line of a LAMMPS log, "LAMMPS (29 Sep 2021 ...)";
 * 0 if none. */
static int log_version(const char *path)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    char line[256] = "", m[8] = "";
    int d = 0, y = 0, v = 0;
    if (fgets(line, sizeof line, fp) && sscanf(line, "LAMMPS (%d %3s %d", &d, m, &y) == 3)
        for (int k = 0; k < 12; k++)
            if (!strcmp(m, mon[k])) v = y * 10000 + (k + 1) * 100 + d;
    fclose(fp);
    return v;
}

/* Find an executable: a path with '/', else on PATH. */
static int find_exe(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path) return 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(out, cap, "%s/%s", d, name);
        if (access(out, X_OK) == 0) return 1;
    }
    return 0;
}

/* Run the model on s's configuration in a separate lmp (no MPI environment of ours: a singleton). */
static int check_with_lmp(lmp_state *st, const lmp_config *c, const md_system *s, char (*cmds)[SR_KW_STRLEN + 16],
                          int ncmd)
{
    const char *want = c->check;
    if (!strcmp(want, "none")) {
        snprintf(st->checked, sizeof st->checked, "not checked (check = none)");
        return SR_OK;
    }
    char exe[1024];
    int found = 0;
    if (!strcmp(want, "auto")) {
        const char *env = getenv("SEEDRATE_LMP");
        found = env && env[0] ? find_exe(env, exe, sizeof exe) : find_exe("lmp", exe, sizeof exe);
        if (!found && env && env[0]) return SR_ERROR(SR_EINVAL, "SEEDRATE_LMP=%s: not an executable", env);
        if (!found) {
            snprintf(st->checked, sizeof st->checked, "not checked (no lmp on PATH; a LAMMPS error ends the run)");
            return SR_OK;
        }
    } else if (!(found = find_exe(want, exe, sizeof exe)))
        return SR_ERROR(SR_EINVAL, "[potential] check = %s: not an executable", want);

    char data[700], in[700], log[700];
    snprintf(data, sizeof data, "%s/check.data", st->tmpdir);
    snprintf(in, sizeof in, "%s/check.in", st->tmpdir);
    snprintf(log, sizeof log, "%s/check.log", st->tmpdir);
    FILE *fp = fopen(data, "w");
    if (!fp) return SR_ERROR(SR_EIO, "cannot write %s: %s", data, strerror(errno));
    fprintf(fp, "seedrate configuration for the LAMMPS model check\n\n%d atoms\n%d atom types\n\n", s->n, st->ntypes);
    for (int d = 0; d < 3; d++)
        fprintf(fp, "%.17g %.17g %clo %chi\n", s->box.lo[d], s->box.lo[d] + s->box.len[d], 'x' + d, 'x' + d);
    fprintf(fp, "\nMasses\n\n");
    for (int t = 0; t < st->ntypes; t++) fprintf(fp, "%d %.17g\n", t + 1, st->mass[t]);
    if (s->n > 0) {
        fprintf(fp, "\nAtoms # atomic\n\n");
        for (int i = 0; i < s->n; i++)
            fprintf(fp, "%d %d %.17g %.17g %.17g\n", i + 1, s->type[i] + 1, wrapped(s, i, 0), wrapped(s, i, 1),
                    wrapped(s, i, 2));
    }
    int werr = fclose(fp);
    fp = werr ? NULL : fopen(in, "w");
    if (!fp) return SR_ERROR(SR_EIO, "cannot write %s", in);
    write_prologue(fp, st, s, data);
    for (int k = 0; k < ncmd; k++) fprintf(fp, "%s\n", cmds[k]);
    write_epilogue(fp, st);
    fprintf(fp, "run 0 post no\n");
    if (fclose(fp)) return SR_ERROR(SR_EIO, "cannot write %s", in);

    /* environment without the MPI launcher's variables: lmp must start as its own singleton */
    size_t nenv = 0;
    while (environ[nenv]) nenv++;
    char **envp = calloc(nenv + 1, sizeof *envp);
    if (!envp) return SR_ERROR(SR_ENOMEM, "out of memory");
    size_t m = 0;
    for (size_t k = 0; k < nenv; k++) {
        const char *e = environ[k];
        if (!strncmp(e, "OMPI_", 5) || !strncmp(e, "PMIX_", 5) || !strncmp(e, "PMI_", 4) || !strncmp(e, "OPAL_", 5) ||
            !strncmp(e, "ORTE_", 5) || !strncmp(e, "HYDRA_", 6) || !strncmp(e, "MPIR_", 5))
            if (strncmp(e, "OMPI_ALLOW_RUN_AS_ROOT", 22) && strncmp(e, "OMPI_MCA_rmaps_base_oversubscribe", 33))
                continue;
        envp[m++] = (char *)e;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {exe, "-in", in, "-log", log, "-screen", "none", "-nocite", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, exe, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    if (rc) return SR_ERROR(SR_EIO, "cannot start %s to check the LAMMPS model: %s", exe, strerror(rc));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return SR_ERROR(SR_EIO, "waiting for %s: %s", exe, strerror(errno));
    char msg[3000], note[300] = "";
    log_error(log, msg, sizeof msg);
    const int vcheck = log_version(log), vlib = lammps_version(st->lmp);
    if (vcheck != vlib)
        snprintf(note, sizeof note, " [the check ran %.120s of LAMMPS %d, seedrate uses the LAMMPS library %d: set "
                 "[potential] check = the lmp of that LAMMPS, or none]", exe, vcheck, vlib);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg[0])
        return SR_ERROR(SR_EINVAL, "[potential] style = lammps: LAMMPS rejected the model: %s%s",
                        msg[0] ? msg : "lmp failed without an ERROR line", note);
    snprintf(st->checked, sizeof st->checked, "checked by %.200s%s", exe,
             vcheck != vlib ? " (another LAMMPS version than the library)" : "");
    return SR_OK;
}

static void lmp_destroy(void *state)
{
    lmp_state *st = state;
    if (!st) return;
    if (st->lmp) lammps_close(st->lmp);
    remove_tree(st->tmpdir);
    for (int i = 0; i < LMP_MAXLIVE; i++)
        if (live[i] == st) live[i] = NULL;
    free(st->ids);
    free(st->types);
    free(st->xhold);
    free(st->xsend);
    free(st);
}

static int lmp_create(void **state, const void *config, const md_system *s, const char *basedir)
{
    const lmp_config *c = config;
    *state = NULL;
    if (s->ntypes > LMP_MAXTYPES) return SR_ERROR(SR_ERANGE, "style lammps: at most %d atom types", LMP_MAXTYPES);
    if (s->box.tilt[0] != 0 || s->box.tilt[1] != 0 || s->box.tilt[2] != 0)
        return SR_ERROR(SR_EUNSUPPORTED, "style lammps: triclinic boxes are not supported");
    lmp_state *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "out of memory");
    st->units = s->units;
    st->ntypes = s->ntypes;
    for (int t = 0; t < s->ntypes; t++) st->mass[t] = s->mass[t];
    st->skin = c->skin > 0 ? c->skin : (s->units == MD_UNITS_METAL ? 2.0 : 0.3);
    st->exceptions = lammps_config_has_exceptions();
    st->always_full = c->setup == 1;
    st->list_cutoff = c->list_cutoff;
    st->integrate = c->integrate == 1;
    st->nktv2p = md_units_get(s->units)->nktv2p;

    char (*cmds)[SR_KW_STRLEN + 16] = NULL;
    int ncmd = 0;
    int rc = model_commands(c, basedir, &cmds, &ncmd);
    if (rc) {
        free(st);
        return rc;
    }
    snprintf(st->model, sizeof st->model, "%s%s%s%s", c->commands, c->commands[0] && c->include[0] ? " | " : "",
             c->include[0] ? "include " : "", c->include);

    const char *tmp = getenv("TMPDIR");
    snprintf(st->tmpdir, sizeof st->tmpdir, "%s/seedrate-lammps-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(st->tmpdir)) {
        rc = SR_ERROR(SR_EIO, "style lammps: cannot create a temporary directory %s: %s", st->tmpdir, strerror(errno));
        st->tmpdir[0] = 0;
        goto fail;
    }
    snprintf(st->logpath, sizeof st->logpath, "%s/lammps.log", st->tmpdir);
    for (int i = 0; i < LMP_MAXLIVE; i++)
        if (!live[i]) {
            live[i] = st;
            break;
        }
    if (!atexit_done) {
        atexit(lmp_atexit);
        atexit_done = 1;
    }

    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) { /* `seedrate md`, tests: a singleton, finalized at exit */
        lammps_mpi_init();
        mpi_inited_here = 1;
    }
    char *argv[] = {"seedrate", "-log", st->logpath, "-screen", "none", "-nocite", NULL};
    in_call = st;
    st->lmp = lammps_open(6, argv, MPI_COMM_SELF, NULL);
    in_call = NULL;
    if (!st->lmp) {
        rc = SR_ERROR(SR_EFAILED, "style lammps: lammps_open failed");
        goto fail;
    }
    /* the model is checked by a separate lmp before this instance sees it */
    if (!st->exceptions) rc = check_with_lmp(st, c, s, cmds, ncmd);
    else snprintf(st->checked, sizeof st->checked, "errors reported by LAMMPS (exceptions)");
    if (rc) goto fail;
    {
        char *buf = NULL;
        size_t blen = 0;
        FILE *fp = open_memstream(&buf, &blen);
        if (!fp) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
            goto fail;
        }
        write_prologue(fp, st, s, NULL);
        for (int k = 0; k < ncmd; k++) fprintf(fp, "%s\n", cmds[k]);
        write_epilogue(fp, st);
        fclose(fp);
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save))
            rc = lcmd(st, line);
        free(buf);
        if (rc) goto fail;
    }
    double *nk = lammps_extract_global(st->lmp, "nktv2p");
    if (nk) st->nktv2p = *nk;
    st->has_csvr = lammps_has_style(st->lmp, "fix", "temp/csvr");
    for (int d = 0; d < 3; d++) st->lo[d] = s->box.lo[d], st->len[d] = s->box.len[d];
    st->natoms = 0;
    free(cmds);
    *state = st;
    return SR_OK;
fail:
    free(cmds);
    lmp_destroy(st);
    return rc;
}

/* Remove the integration fixes of integrate = lammps (before a force-only call, which must not integrate, and before
 * the atoms change); the next segment defines them afresh. */
static int drop_fixes(lmp_state *st)
{
    if (!st->fix_owner) return SR_OK;
    st->fix_owner = 0;
    SR_TRY(lcmd(st, "unfix sr_int"));
    if (st->fix_thermo) SR_TRY(lcmd(st, "unfix sr_ts"));
    st->fix_thermo = 0;
    return SR_OK;
}

/* Give LAMMPS the locals of s (ids 1..n in local order, types + 1), wrapped into the box. */
static int reload_atoms(lmp_state *st, const md_system *s)
{
    SR_TRY(drop_fixes(st));
    if (st->natoms > 0) SR_TRY(lcmd(st, "delete_atoms group all compress yes"));
    int64_t *ids = realloc(st->ids, (size_t)(s->n > 0 ? s->n : 1) * sizeof *ids);
    if (ids) st->ids = ids;
    int *types = realloc(st->types, (size_t)(s->n > 0 ? s->n : 1) * sizeof *types);
    if (types) st->types = types;
    double *xh = realloc(st->xhold, 3 * (size_t)(s->n > 0 ? s->n : 1) * sizeof *xh);
    if (xh) st->xhold = xh;
    double *xs = realloc(st->xsend, 3 * (size_t)(s->n > 0 ? s->n : 1) * sizeof *xs);
    if (xs) st->xsend = xs;
    lmp_tag *tag = malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *tag);
    int *lt = malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *lt);
    if (!ids || !types || !xh || !xs || !tag || !lt) {
        free(tag);
        free(lt);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    for (int i = 0; i < s->n; i++) {
        if (s->type[i] < 0 || s->type[i] >= st->ntypes) {
            free(tag);
            free(lt);
            return SR_ERROR(SR_EINVAL, "style lammps: atom %lld has type %d, the model has %d type(s)",
                            (long long)s->id[i], s->type[i] + 1, st->ntypes);
        }
        st->ids[i] = s->id[i];
        st->types[i] = s->type[i];
        tag[i] = i + 1;
        lt[i] = s->type[i] + 1;
        for (int d = 0; d < 3; d++) st->xsend[3 * i + d] = wrapped(s, i, d);
    }
    const double c0 = cpu_now();
    in_call = st;
    const int made = lammps_create_atoms(st->lmp, s->n, tag, lt, st->xsend, NULL, NULL, 0);
    in_call = NULL;
    st->cpu_lammps += cpu_now() - c0;
    free(tag);
    free(lt);
    if (st->exceptions && lammps_has_error(st->lmp)) {
        char buf[2048];
        lammps_get_last_error_message(st->lmp, buf, sizeof buf);
        return SR_ERROR(SR_EFAILED, "LAMMPS: %s (creating %d atoms)", buf, s->n);
    }
    if (made != s->n)
        return SR_ERROR(SR_EFAILED, "style lammps: LAMMPS created %d of %d atoms (atoms outside the box?)", made, s->n);
    st->natoms = s->n;
    st->nreloads++;
    return SR_OK;
}

/* The system's box to LAMMPS if it differs from the one LAMMPS has (change_box: LAMMPS's ghosts are cleared, its lists
 * must be rebuilt); *changed (may be NULL) = 1 then. */
static int send_box(lmp_state *st, const md_system *s, int *changed)
{
    int diff = 0;
    for (int d = 0; d < 3; d++)
        if (s->box.lo[d] != st->lo[d] || s->box.len[d] != st->len[d]) diff = 1;
    if (changed) *changed = diff;
    if (!diff) return SR_OK;
    SR_TRY(lcmdf(st, "change_box all x final %.17g %.17g y final %.17g %.17g z final %.17g %.17g units box",
                 s->box.lo[0], s->box.lo[0] + s->box.len[0], s->box.lo[1], s->box.lo[1] + s->box.len[1], s->box.lo[2],
                 s->box.lo[2] + s->box.len[2]));
    for (int d = 0; d < 3; d++) st->lo[d] = s->box.lo[d], st->len[d] = s->box.len[d];
    return SR_OK;
}

/* Virial W_ab = P^vir_ab V / nktv2p of LAMMPS's last step (the virial-only pressure compute, tallied on thermo steps:
 * every force call and the last step of a segment). */
static int read_virial(lmp_state *st, md_result *r)
{
    const double *pv = lammps_extract_compute(st->lmp, "sr_vir", LMP_STYLE_GLOBAL, LMP_TYPE_VECTOR);
    const double *blo = lammps_extract_global(st->lmp, "boxlo"), *bhi = lammps_extract_global(st->lmp, "boxhi");
    if (!pv || !blo || !bhi) return SR_ERROR(SR_EFAILED, "style lammps: no virial from LAMMPS");
    const double vol = (bhi[0] - blo[0]) * (bhi[1] - blo[1]) * (bhi[2] - blo[2]);
    for (int k = 0; k < 6; k++) r->virial[k] = pv[k] * vol / st->nktv2p;
    return SR_OK;
}

static int same_atoms(const lmp_state *st, const md_system *s)
{
    if (st->natoms != s->n || s->n == 0) return 0;
    for (int i = 0; i < s->n; i++)
        if (st->ids[i] != s->id[i] || st->types[i] != s->type[i]) return 0;
    return 1;
}

static int lmp_compute(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r)
{
    (void)nl;
    lmp_state *st = state;
    if (s->units != st->units) return SR_ERROR(SR_EINVAL, "style lammps: the system's units differ from the model's");
    if (s->ntypes > st->ntypes)
        return SR_ERROR(SR_EINVAL, "style lammps: the system has %d types, the model %d", s->ntypes, st->ntypes);
    st->ncalls++;
    SR_TRY(drop_fixes(st));
    /* what LAMMPS must redo: the box (change_box clears LAMMPS's ghosts: lists rebuilt), the atoms (a full
     * set-up), or nothing but the forces if no pair can have entered the lists' reach since they were built */
    enum { STEP_FORCE = 0, STEP_REBUILD, STEP_FULL };
    int mode = STEP_FORCE;
    int box_changed = 0;
    SR_TRY(send_box(st, s, &box_changed));
    if (box_changed) mode = STEP_REBUILD;
    if (!same_atoms(st, s)) {
        SR_TRY(reload_atoms(st, s));
        mode = STEP_FULL;
    }
    if (st->always_full || st->need_full) mode = STEP_FULL;
    st->need_full = 0;
    if ((want & MD_WANT_EATOM) && r->eatom && !st->eatom) {
        SR_TRY(lcmd(st, "compute sr_pea all pe/atom"));
        SR_TRY(lcmd(st, "compute sr_peasum all reduce sum c_sr_pea"));
        SR_TRY(lcmd(st, "thermo_style custom step pe c_sr_vir[1] c_sr_vir[2] c_sr_vir[3] c_sr_vir[4] c_sr_vir[5] "
                        "c_sr_vir[6] c_sr_peasum"));
        SR_TRY(lcmd(st, "thermo_modify norm no lost error"));
        st->eatom = 1;
        mode = STEP_FULL;
    }
    /* box drift since the last full set-up (LAMMPS's bins and ghost slabs) and since the lists were built */
    double dfull = 0, dbox = 0;
    for (int d = 0; d < 3; d++) {
        const double lo = s->box.lo[d], hi = s->box.lo[d] + s->box.len[d];
        dfull = fmax(dfull, fabs(lo - st->lo_full[d]) + fabs(hi - st->lo_full[d] - st->len_full[d]));
        dbox = fmax(dbox, fabs(lo - st->lo_hold[d]) + fabs(hi - st->lo_hold[d] - st->len_hold[d]));
    }
    double *xs = st->xsend;
    if (mode == STEP_FORCE) {
        /* positions continuous with those the lists were built for (the image nearest each) */
        double maxd2 = 0;
        for (int i = 0; i < s->n; i++) {
            double d2 = 0;
            for (int d = 0; d < 3; d++) {
                const double L = s->box.len[d], x = s->x[3 * i + d], h = st->xhold[3 * i + d];
                const double xc = x + L * nearbyint((h - x) / L);
                xs[3 * i + d] = xc;
                d2 += (xc - h) * (xc - h);
            }
            if (d2 > maxd2) maxd2 = d2;
        }
        /* a pair's distance changed by at most 2 max|dx| + 2 dbox (an image moves with its owner and the box, one
         * box length away at most: box edges >= LAMMPS's rc + skin); the ghost shell is dfull thinner */
        if (2.0 * sqrt(maxd2) + 2.0 * dbox + dfull > st->skin) mode = STEP_REBUILD;
    }
    if (mode == STEP_REBUILD && dfull > 0.1 * st->skin) mode = STEP_FULL;
    if (mode != STEP_FORCE)
        for (int i = 0; i < s->n; i++)
            for (int d = 0; d < 3; d++) xs[3 * i + d] = wrapped(s, i, d);
    {
        const int nlocal = *(int *)lammps_extract_global(st->lmp, "nlocal");
        double **x = lammps_extract_atom(st->lmp, "x");
        const lmp_tag *tag = lammps_extract_atom(st->lmp, "id");
        if (nlocal != s->n) return SR_ERROR(SR_EFAILED, "style lammps: LAMMPS has %d atoms, seedrate %d", nlocal, s->n);
        for (int k = 0; k < nlocal; k++) {
            const double *src = &xs[3 * (tag[k] - 1)];
            x[k][0] = src[0], x[k][1] = src[1], x[k][2] = src[2];
        }
    }
    if (st->ncalls % LMP_LOG_TRUNCATE == 0) SR_TRY(lcmdf(st, "log %s", st->logpath)); /* keep the log short */
    if (mode == STEP_FULL) {
        SR_TRY(lcmd(st, "run 0 pre yes post no"));
        for (int d = 0; d < 3; d++) st->lo_full[d] = s->box.lo[d], st->len_full[d] = s->box.len[d];
        st->nsetups++;
    } else if (mode == STEP_REBUILD) {
        /* one step in which LAMMPS rebuilds its ghosts and lists (pbc, borders, neighbor build) */
        SR_TRY(lcmd(st, "neigh_modify once no"));
        SR_TRY(lcmd(st, "run 1 pre no post no"));
        SR_TRY(lcmd(st, "neigh_modify once yes"));
        st->nrebuilds++;
    } else
        SR_TRY(lcmd(st, "run 1 pre no post no"));
    if (mode != STEP_FORCE) {
        memcpy(st->xhold, xs, 3 * (size_t)s->n * sizeof *xs);
        for (int d = 0; d < 3; d++) st->lo_hold[d] = s->box.lo[d], st->len_hold[d] = s->box.len[d];
    }
    /* results */
    {
        const int nlocal = *(int *)lammps_extract_global(st->lmp, "nlocal");
        double **f = lammps_extract_atom(st->lmp, "f");
        const lmp_tag *tag = lammps_extract_atom(st->lmp, "id");
        for (int k = 0; k < nlocal; k++) {
            double *dst = &s->f[3 * (tag[k] - 1)];
            dst[0] += f[k][0], dst[1] += f[k][1], dst[2] += f[k][2];
        }
        if ((want & MD_WANT_EATOM) && r->eatom) {
            double *pea = lammps_extract_compute(st->lmp, "sr_pea", LMP_STYLE_ATOM, LMP_TYPE_VECTOR);
            if (!pea) return SR_ERROR(SR_EFAILED, "style lammps: no per-atom energies from LAMMPS");
            for (int k = 0; k < nlocal; k++) r->eatom[tag[k] - 1] += pea[k];
        }
    }
    r->energy = lammps_get_thermo(st->lmp, "pe");
    if (want & MD_WANT_VIRIAL) SR_TRY(read_virial(st, r));
    return SR_OK;
}

/* ------------------------------------------------------------------ integrate = lammps: segments run by LAMMPS */

/* Segments LAMMPS does not take (seedrate's integrator runs them, counted and described):
 *  - harmonic tethers (k > 0): no fix here;
 *  - the Langevin thermostat: fix langevin applies a fresh random force in the set-up of every `run`, so at each
 *    segment boundary the two half kicks carry two independent half-weight noises instead of one full one: the noise
 *    power drops by 1/(2 x segment length) and so does T (measured: <T> 1.156 instead of 1.200 for segments of 10
 *    steps, 1.202 for one long run). Bussi/Nose-Hoover and MTK act in the steps themselves and are unaffected. */
static int lmp_integrates(void *state, const md_integrator_params *p, int tethered)
{
    lmp_state *st = state;
    if (!st->integrate) return 0;
    if (tethered || p->thermostat == MD_THERMO_LANGEVIN) {
        st->nfallbacks++;
        return 0;
    }
    return 1;
}

/* "a:b c d:e" ranges of the LAMMPS ids (local index + 1) of the marked atoms, appended to fp; their number. */
static int id_ranges(FILE *fp, const unsigned char *mark, int n)
{
    int count = 0;
    for (int i = 0; i < n;) {
        if (!mark[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < n && mark[j + 1]) j++;
        if (j > i) fprintf(fp, " %d:%d", i + 1, j + 1);
        else fprintf(fp, " %d", i + 1);
        count += j - i + 1;
        i = j + 1;
    }
    return count;
}

/* LAMMPS fixes for the integrator's parameters (seedrate's thermostat and barostat mapped to what this LAMMPS has),
 * on the atoms that are not frozen; seeds of stochastic fixes drawn from the integrator's stream. */
static int define_fixes(lmp_state *st, const md_system *s, const md_engine_segment *seg)
{
    const md_integrator_params *p = seg->p;
    SR_TRY(drop_fixes(st));
    SR_TRY(lcmdf(st, "timestep %.17g", p->dt));
    const char *g = "all";
    int nfrozen = 0;
    if (seg->frozen) {
        char *buf = NULL;
        size_t blen = 0;
        FILE *fp = open_memstream(&buf, &blen);
        if (!fp) return SR_ERROR(SR_ENOMEM, "out of memory");
        fprintf(fp, "group sr_frozen id");
        nfrozen = id_ranges(fp, seg->frozen, s->n);
        fclose(fp);
        int rc = SR_OK;
        if (st->groups_defined) rc = lcmd(st, "group sr_frozen clear");
        if (!rc && nfrozen > 0) rc = lcmd(st, buf);
        free(buf);
        SR_TRY(rc);
        if (st->groups_defined) SR_TRY(lcmd(st, "group sr_mobile clear"));
        SR_TRY(lcmd(st, nfrozen > 0 ? "group sr_mobile subtract all sr_frozen" : "group sr_mobile union all"));
        st->groups_defined = 1;
        g = "sr_mobile";
    }
    const double T = p->temperature, P = p->pressure;
    char baro[200] = "";
    if (p->barostat != MD_BARO_NONE)
        snprintf(baro, sizeof baro, " %s %.17g %.17g %.17g",
                 p->barostat == MD_BARO_ISO ? "iso" : p->barostat == MD_BARO_ANISO ? "aniso" : "z", P, P, p->tau_p);
    if (p->thermostat == MD_THERMO_LANGEVIN) /* lmp_integrates declines it */
        return SR_ERROR(SR_EINVAL, "integrate = lammps: the Langevin thermostat runs through seedrate's integrator");
    const int bussi = p->thermostat == MD_THERMO_BUSSI;
    const int nose_hoover = bussi && !st->has_csvr;
    if (bussi && !nose_hoover && !seg->rng)
        return SR_ERROR(SR_EINVAL, "integrate = lammps: a stochastic thermostat needs the integrator's random stream");
    /* LAMMPS seeds: 1 .. 900000000 (RanMars) */
    const unsigned long seed = bussi && !nose_hoover ? 1 + gsl_rng_uniform_int(seg->rng, 899999999) : 0;
    char fint[400], fts[300] = "";
    if (nose_hoover)
        snprintf(fint, sizeof fint, "fix sr_int %s %s temp %.17g %.17g %.17g%s", g, baro[0] ? "npt" : "nvt", T, T,
                 p->tau_t, baro);
    else
        snprintf(fint, sizeof fint, "fix sr_int %s %s%s", g, baro[0] ? "nph" : "nve", baro);
    if (bussi && !nose_hoover)
        snprintf(fts, sizeof fts, "fix sr_ts %s temp/csvr %.17g %.17g %.17g %lu", g, T, T, p->tau_t, seed);
    SR_TRY(lcmd(st, fint));
    st->fix_owner = seg->owner;
    st->fix_int_scalar = nose_hoover || baro[0];
    if (fts[0]) {
        SR_TRY(lcmd(st, fts));
        st->fix_thermo = 1;
    }
    /* seedrate's degrees of freedom (dof key), where LAMMPS's thermostat uses a temperature compute */
    if (p->dof > 0 && (nose_hoover || bussi)) {
        const int ng = s->n - nfrozen;
        SR_TRY(lcmdf(st, "compute_modify %s extra/dof %d", nose_hoover ? "sr_int_temp" : "sr_ts_temp", 3 * ng - p->dof));
    }
    snprintf(st->mapping, sizeof st->mapping, "%s%s%s%s", fint, fts[0] ? " + " : "", fts,
             nose_hoover ? " (Bussi thermostat mapped to Nose-Hoover chains: this LAMMPS has no fix temp/csvr)" : "");
    st->fix_energy = 0.0; /* fresh fixes: thermostat and barostat variables at rest, vol0 = the volume now */
    st->nfixsets++;
    return SR_OK;
}

/* Sum of the energy scalars of the integration fixes (Nose-Hoover/MTK extended energy incl. P0 (V - V0); energy
 * removed by csvr): E + that sum is LAMMPS's conserved quantity (thermo econserve). */
static double fixes_energy(lmp_state *st)
{
    double e = 0.0;
    const char *ids[2] = {st->fix_int_scalar ? "sr_int" : NULL, st->fix_thermo ? "sr_ts" : NULL};
    for (int k = 0; k < 2; k++) {
        if (!ids[k]) continue;
        double *v = lammps_extract_fix(st->lmp, ids[k], LMP_STYLE_GLOBAL, LMP_TYPE_SCALAR, 0, 0);
        if (v) {
            e += *v;
            lammps_free(v);
        }
    }
    return e;
}

static int lmp_integrate(void *state, md_system *s, md_engine_segment *seg, md_result *r)
{
    lmp_state *st = state;
    const md_integrator_params *p = seg->p;
    if (s->units != st->units) return SR_ERROR(SR_EINVAL, "style lammps: the system's units differ from the model's");
    if (s->ntypes > st->ntypes)
        return SR_ERROR(SR_EINVAL, "style lammps: the system has %d types, the model %d", s->ntypes, st->ntypes);
    const double c0 = cpu_now(), cpu_calls = st->cpu_lammps; /* a segment's time is not a force call's */
    /* scatter: atoms (reloaded when they changed: that drops the fixes), box, wrapped positions with zero images,
     * velocities (0 for frozen atoms) */
    if (!same_atoms(st, s)) SR_TRY(reload_atoms(st, s));
    SR_TRY(send_box(st, s, NULL));
    md_system_wrap(s);
    if (st->fix_owner != seg->owner) SR_TRY(define_fixes(st, s, seg));
    const double V0 = md_system_volume(s), e0 = st->fix_energy;
    {
        const int nlocal = *(int *)lammps_extract_global(st->lmp, "nlocal");
        double **x = lammps_extract_atom(st->lmp, "x"), **v = lammps_extract_atom(st->lmp, "v");
        const lmp_tag *tag = lammps_extract_atom(st->lmp, "id");
        lmp_image *img = lammps_extract_atom(st->lmp, "image");
        if (nlocal != s->n) return SR_ERROR(SR_EFAILED, "style lammps: LAMMPS has %d atoms, seedrate %d", nlocal, s->n);
        const lmp_image zero = lammps_encode_image_flags(0, 0, 0);
        for (int k = 0; k < nlocal; k++) {
            const int i = (int)(tag[k] - 1);
            const int fz = seg->frozen && seg->frozen[i];
            for (int d = 0; d < 3; d++) {
                x[k][d] = s->x[3 * i + d];
                v[k][d] = fz ? 0.0 : s->v[3 * i + d];
            }
            img[k] = zero;
        }
    }
    if ((st->nsegments + 1) % (LMP_LOG_TRUNCATE / 10) == 0) SR_TRY(lcmdf(st, "log %s", st->logpath)); /* short log */
    SR_TRY(lcmd(st, "neigh_modify delay 0 every 1 check yes once no"));
    SR_TRY(lcmdf(st, "run %ld pre yes post no", seg->nsteps));
    SR_TRY(lcmd(st, "neigh_modify delay 0 every 1 check no once yes"));
    st->need_full = 1;
    /* gather: box, positions and image counters, velocities, forces, energy, virial */
    {
        const double *blo = lammps_extract_global(st->lmp, "boxlo"), *bhi = lammps_extract_global(st->lmp, "boxhi");
        double lo[3], len[3];
        for (int d = 0; d < 3; d++) lo[d] = blo[d], len[d] = bhi[d] - blo[d];
        SR_TRY(md_system_set_box(s, lo, len));
        for (int d = 0; d < 3; d++) st->lo[d] = lo[d], st->len[d] = len[d];
        const int nlocal = *(int *)lammps_extract_global(st->lmp, "nlocal");
        double **x = lammps_extract_atom(st->lmp, "x"), **v = lammps_extract_atom(st->lmp, "v");
        double **f = lammps_extract_atom(st->lmp, "f");
        const lmp_tag *tag = lammps_extract_atom(st->lmp, "id");
        const lmp_image *img = lammps_extract_atom(st->lmp, "image");
        if (nlocal != s->n) return SR_ERROR(SR_EFAILED, "style lammps: LAMMPS has %d atoms, seedrate %d", nlocal, s->n);
        s->nghost = 0; /* seedrate's periodic images are stale */
        for (int k = 0; k < nlocal; k++) {
            const int i = (int)(tag[k] - 1);
            int im[3];
            lammps_decode_image_flags(img[k], im);
            const int fz = seg->frozen && seg->frozen[i];
            for (int d = 0; d < 3; d++) {
                s->x[3 * i + d] = x[k][d];
                s->image[3 * i + d] += im[d];
                s->v[3 * i + d] = v[k][d];
                s->f[3 * i + d] = fz ? 0.0 : f[k][d];
            }
        }
    }
    md_system_wrap(s);
    s->step += seg->nsteps;
    s->time += (double)seg->nsteps * p->dt;
    r->energy = lammps_get_thermo(st->lmp, "pe");
    SR_TRY(read_virial(st, r));
    /* energy the fixes took: their scalars' change, less the P0 dV work the MTK scalar contains (seedrate's
     * conserved quantity adds P0 V itself) */
    st->fix_energy = fixes_energy(st);
    seg->heat = st->fix_energy - e0;
    if (p->barostat != MD_BARO_NONE) seg->heat -= p->pressure * (md_system_volume(s) - V0) / st->nktv2p;
    st->nsegments++;
    st->nsteps_run += seg->nsteps;
    st->cpu_segments += cpu_now() - c0;
    st->cpu_lammps = cpu_calls;
    return SR_OK;
}

static double lmp_cutoff(const void *state)
{
    const lmp_state *st = state;
    return st->list_cutoff > 0 ? st->list_cutoff : 0.01; /* seedrate's own list is not used by this style */
}

static void lmp_describe(const void *state, FILE *out)
{
    const lmp_state *st = state;
    fprintf(out, "lammps: LAMMPS library (version %d) on MPI_COMM_SELF, units %s, %d type(s), model: %s; skin %g, "
                 "%s; %s",
            lammps_version(st->lmp), st->units == MD_UNITS_METAL ? "metal" : "lj", st->ntypes, st->model, st->skin,
            st->always_full ? "a full set-up at every call (setup = always)"
                            : "lists rebuilt when 2 max|dx| + 2 box change > skin or the box changed, else forces only",
            st->checked);
    if (st->ncalls)
        fprintf(out, "; %ld force calls: %ld full set-ups, %ld list rebuilds, %ld atom reloads; %.3g ms CPU per call in "
                     "LAMMPS",
                st->ncalls, st->nsetups, st->nrebuilds, st->nreloads, 1e3 * st->cpu_lammps / (double)st->ncalls);
    if (st->integrate) {
        fprintf(out, "; integrate = lammps: MD segments run inside LAMMPS (run N between analyses) with fixes for "
                     "[ensemble]: NVE fix nve; Bussi %s; barostat iso|aniso|z -> MTK fix %s iso|aniso|z with Pdamp = "
                     "tau_p (an inertial barostat: volume oscillations of period ~tau_p instead of the first-order "
                     "stochastic cell rescaling; compressibility unused; z = NpzAT); seeds from seedrate's stream; "
                     "frozen atoms excluded from the fixes (thermostat on the mobile atoms); the Langevin thermostat "
                     "and harmonic restraints run by seedrate's integrator (fix langevin re-draws its force at each "
                     "run's set-up: segment boundaries would cool); the fixes' state is not checkpointed (a resumed "
                     "run restarts them)",
                st->has_csvr ? "-> fix nve/nph + fix temp/csvr (tau_t)"
                             : "-> Nose-Hoover chains, fix nvt/npt with Tdamp = tau_t (this LAMMPS has no fix "
                               "temp/csvr; deterministic, same canonical ensemble)",
                st->has_csvr ? "nph" : "npt (nph without a thermostat)");
        if (st->nsegments || st->nfallbacks)
            fprintf(out, "; %ld segments, %ld steps run by LAMMPS (%ld fix set-ups, %.3g ms CPU per step), %ld "
                         "segments left to seedrate's integrator (Langevin, harmonic restraints); last fixes: %s",
                    st->nsegments, st->nsteps_run, st->nfixsets,
                    st->nsteps_run ? 1e3 * st->cpu_segments / (double)st->nsteps_run : 0.0, st->nfallbacks,
                    st->mapping[0] ? st->mapping : "none");
    }
    fprintf(out, "\n");
}
#endif

const md_potential_class md_potential_lammps = {
    .name = "lammps",
    .keywords = lmp_keywords,
    .config_size = sizeof(lmp_config),
    .create = lmp_create,
    .compute = lmp_compute,
    .cutoff = lmp_cutoff,
    .nlist_kind = MD_NLIST_HALF,
    .describe = lmp_describe,
    .destroy = lmp_destroy,
    .own_virial = 1,
    .integrates = lmp_integrates,
    .integrate = lmp_integrate,
};
