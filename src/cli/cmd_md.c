/* seedrate md FILE: molecular dynamics from a sectioned input file. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../common/sr_input.h"
#include "../common/sr_rng.h"
#include "../io/io.h"
#include "../md/md.h"
#include "../ml/ml.h"
#include "../seeding/seed.h"

typedef struct run_config {
    int units;
    long steps;
    long seed;
} run_config;

static const sr_keyword run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(run_config, units), "", "lj", 0, 0, "lj|metal",
     "unit style, as LAMMPS: lj (reduced) or metal (angstrom, eV, ps, g/mol, K, bar)"},
    {"steps", SR_KW_LONG, offsetof(run_config, steps), "", NULL, 0, 1e15, NULL, "number of MD steps"},
    {"seed", SR_KW_LONG, offsetof(run_config, seed), "", "12345", 0, 9.2e18, NULL,
     "seed of every random stream (velocities, thermostat, barostat)"},
    SR_KW_END};

typedef struct output_config {
    char prefix[SR_KW_STRLEN];
    long thermo_every, trajectory_every, checkpoint_every, extxyz_every;
    int velocities;
    int restart;
} output_config;

static const sr_keyword output_keywords[] = {
    {"prefix", SR_KW_STRING, offsetof(output_config, prefix), "", "md", 0, 0, NULL,
     "output files: PREFIX.nc (AMBER trajectory), PREFIX.thermo(.nc), PREFIX.ckpt, PREFIX.extxyz"},
    {"thermo_every", SR_KW_LONG, offsetof(output_config, thermo_every), "steps", "100", 1, 1e15, NULL,
     "thermodynamic output interval"},
    {"trajectory_every", SR_KW_LONG, offsetof(output_config, trajectory_every), "steps", "0", 0, 1e15, NULL,
     "trajectory frame interval (0: no trajectory)"},
    {"checkpoint_every", SR_KW_LONG, offsetof(output_config, checkpoint_every), "steps", "0", 0, 1e15, NULL,
     "checkpoint interval (0: only at the end)"},
    {"extxyz_every", SR_KW_LONG, offsetof(output_config, extxyz_every), "steps", "0", 0, 1e15, NULL,
     "interval of PREFIX.extxyz frames with potential energy and forces (ASE convention; training data for "
     "seedrate train; 0: none)"},
    {"velocities", SR_KW_BOOL, offsetof(output_config, velocities), "", "no", 0, 1, NULL,
     "also write velocities to the trajectory"},
    {"restart", SR_KW_BOOL, offsetof(output_config, restart), "", "yes", 0, 1, NULL,
     "resume from PREFIX.ckpt when it exists"},
    SR_KW_END};

static const char *const md_sections[] = {"run", "structure", "potential", "ensemble", "output", NULL};

static void md_usage(FILE *out)
{
    fprintf(out, "usage: seedrate md FILE.ini      run molecular dynamics\n"
                 "       seedrate md --keys        list every input key with unit and default\n\n"
                 "Sections: [run] [structure] [potential] [ensemble] [output]. Example: data/lj-md.ini\n");
}

static void md_keys(FILE *out)
{
    sr_keywords_print(run_keywords, "run", out);
    sr_keywords_print(seed_structure_keywords, "structure", out);
    fprintf(out, "[potential]\n  style              lj|sw|nn|lammps  (then the style's keys:)\n");
    static const char *const styles[] = {"lj", "sw", "nn", "lammps"};
    for (size_t k = 0; k < sizeof styles / sizeof *styles; k++) {
        const md_potential_class *cls = md_potential_find(styles[k]);
        char head[64];
        snprintf(head, sizeof head, "potential: style = %s", styles[k]);
        if (cls && cls->keywords) sr_keywords_print(cls->keywords, head, out);
    }
    sr_keywords_print(seed_ensemble_keywords, "ensemble", out);
    sr_keywords_print(output_keywords, "output", out);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static long next_event(long step, long every, long end)
{
    if (every <= 0) return end;
    long n = (step / every + 1) * every;
    return n < end ? n : end;
}

/* One extended-XYZ frame (positions, forces on the local atoms, potential energy, box) appended to out:
 * the training-data format that `seedrate train` reads (energy= in the comment line, forces:R:3). */
static int write_extxyz(FILE *out, md_system *s, double pe)
{
    io_frame fr;
    io_typemap tm;
    SR_TRY(io_frame_from_system(s, 1, &fr, &tm));
    free(fr.v);
    fr.v = NULL;
    fr.energy = pe;
    int rc = io_extxyz_write_frame(out, &fr, &tm);
    if (!rc && fflush(out)) rc = SR_ERROR(SR_EIO, "extxyz: write failed");
    io_frame_free(&fr);
    return rc;
}

static void print_thermo(const md_thermo *t)
{
    printf("%10ld %12.5g %10.5g %12.6g %14.8g %14.8g %14.8g %12.6g %14.8g %14.8g\n", t->step, t->time,
           t->temperature, t->pressure, t->pe, t->ke, t->etotal, t->volume, t->enthalpy, t->conserved);
}

int cmd_md(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        md_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        ml_register();
        md_keys(stdout);
        return 0;
    }
    ml_register();
    const char *file = argv[1];
    sr_input *in = NULL;
    if (sr_input_parse_file(file, &in)) {
        cli_report_error(NULL);
        return 1;
    }
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s", file);
    const char *basedir = dirname(dirbuf);

    sr_errlist el = {0};
    run_config rc_cfg;
    seed_structure_config sc;
    seed_ensemble_config ec;
    output_config oc;
    sr_input_check_sections(in, md_sections, &el);
    sr_section_bind(sr_input_section(in, "run"), run_keywords, &rc_cfg, &el, "run");
    sr_section_bind(sr_input_section(in, "structure"), seed_structure_keywords, &sc, &el, "structure");
    sr_section_bind(sr_input_section(in, "ensemble"), seed_ensemble_keywords, &ec, &el, "ensemble");
    sr_section_bind(sr_input_section(in, "output"), output_keywords, &oc, &el, "output");
    if (!sr_input_section(in, "structure")) sr_errlist_add(&el, "%s: missing section [structure]", file);
    if (!sr_input_section(in, "potential")) sr_errlist_add(&el, "%s: missing section [potential]", file);

    md_system *s = NULL;
    md_potential *pot = NULL;
    md_integrator *integ = NULL;
    gsl_rng *rng = NULL;
    io_amber_writer *traj = NULL;
    io_thermo_writer *thermo = NULL;
    FILE *xyz = NULL;
    int status = 1;
    md_integrator_params ip;

    if (el.n == 0) {
        char where[4200];
        snprintf(where, sizeof where, "%s: [structure]", file);
        rng = sr_rng_create((uint64_t)rc_cfg.seed, 0, SR_RNG_VELOCITIES);
        if (seed_structure_build(&sc, rc_cfg.units, basedir, where, rng, &s))
            sr_errlist_add(&el, "%s", sr_error_message());
        if (seed_ensemble_params(&ec, rc_cfg.units, &ip)) sr_errlist_add(&el, "%s: %s", file, sr_error_message());
    }
    if (el.n == 0) md_potential_from_section(sr_input_section(in, "potential"), s, basedir, &pot, &el);
    /* unknown keys are only meaningful once every table has bound its section */
    if (el.n == 0)
        for (int i = 0; i < in->n; i++) sr_section_check_unused(in->sections[i], &el);
    if (el.n) {
        sr_errlist_print(&el, stderr);
        goto done;
    }

    char path[4200], ckpt[4200];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", oc.prefix);
    /* output directory */
    {
        char d[4200];
        snprintf(d, sizeof d, "%s", oc.prefix);
        char *dn = dirname(d);
        if (strcmp(dn, ".") && mkdir(dn, 0755) && errno != EEXIST) {
            fprintf(stderr, "seedrate: error: cannot create output directory %s: %s\n", dn, strerror(errno));
            goto done;
        }
    }
    int resumed = 0;
    if (oc.restart && access(ckpt, R_OK) == 0) {
        md_system *r = NULL;
        if (md_checkpoint_read(ckpt, &r, NULL)) {
            cli_report_error("restart");
            goto done;
        }
        md_system_free(s);
        s = r;
        resumed = 1;
    }
    gsl_rng *trng = sr_rng_create((uint64_t)rc_cfg.seed, 0, SR_RNG_THERMOSTAT);
    gsl_rng_free(rng);
    rng = trng;
    integ = md_integrator_create(&ip, s, pot, rng);
    if (!integ || (resumed && md_checkpoint_read(ckpt, NULL, integ)) || md_integrator_setup(integ)) {
        cli_report_error("set-up");
        goto done;
    }

    const md_units *u = md_units_get(rc_cfg.units);
    printf("seedrate md: %s\n", file);
    printf("  units %s (length %s, energy %s, time %s, temperature %s, pressure %s)\n", u->name, u->length,
           u->energy, u->time, u->temperature, u->pressure);
    printf("  atoms %d, types %d, box %.6g x %.6g x %.6g %s, density %.6g %s\n", s->n, s->ntypes, s->box.len[0],
           s->box.len[1], s->box.len[2], u->length, s->n / md_system_volume(s), u->density);
    printf("  ");
    pot->cls->describe(pot->state, stdout);
    printf("  ensemble %s, dt %g %s", ec.ensemble == 0 ? "nve" : ec.ensemble == 1 ? "nvt" : "npt", ip.dt, u->time);
    if (ip.thermostat)
        printf(", %s thermostat T %g %s tau %g", ip.thermostat == MD_THERMO_BUSSI ? "Bussi" : "Langevin",
               ip.temperature, u->temperature, ip.tau_t);
    if (ip.barostat)
        printf(", cell-rescaling barostat (%s) P %g %s tau_p %g", ec.barostat == 0 ? "iso" : ec.barostat == 1 ? "aniso" : "z",
               ip.pressure, u->pressure, ip.tau_p);
    printf("\n  neighbor list: cutoff %g + skin %g %s\n", md_integrator_nlist(integ)->cutoff,
           md_integrator_nlist(integ)->skin, u->length);
    if (resumed) printf("  resumed from %s at step %ld\n", ckpt, s->step);

    if (oc.trajectory_every > 0) {
        if (resumed)
            snprintf(path, sizeof path, "%s.from%ld.nc", oc.prefix, s->step);
        else
            snprintf(path, sizeof path, "%s.nc", oc.prefix);
        if (io_amber_create(path, s->n, rc_cfg.units, oc.velocities, NULL, 0, &traj)) {
            cli_report_error("trajectory");
            goto done;
        }
    }
    if (oc.extxyz_every > 0) {
        if (resumed)
            snprintf(path, sizeof path, "%s.from%ld.extxyz", oc.prefix, s->step);
        else
            snprintf(path, sizeof path, "%s.extxyz", oc.prefix);
        xyz = fopen(path, "w");
        if (!xyz) {
            fprintf(stderr, "seedrate: error: cannot open %s for writing: %s\n", path, strerror(errno));
            goto done;
        }
    }
    {
        char tp[4200], np[4200];
        /* a restart keeps the earlier segment's logs: the new ones are named after the restart step */
        if (resumed) {
            snprintf(tp, sizeof tp, "%s.from%ld.thermo", oc.prefix, s->step);
            snprintf(np, sizeof np, "%s.from%ld.thermo.nc", oc.prefix, s->step);
        } else {
            snprintf(tp, sizeof tp, "%s.thermo", oc.prefix);
            snprintf(np, sizeof np, "%s.thermo.nc", oc.prefix);
        }
        if (io_thermo_create(tp, np, rc_cfg.units, &thermo)) {
            cli_report_error("thermo");
            goto done;
        }
    }
    char hdr[512];
    io_thermo_header(rc_cfg.units, hdr, sizeof hdr);
    printf("%s\n", hdr);

    md_thermo t0, t;
    if (md_integrator_thermo(integ, &t0)) {
        cli_report_error(NULL);
        goto done;
    }
    print_thermo(&t0);
    io_thermo_write(thermo, &t0);
    if (xyz && write_extxyz(xyz, s, t0.pe)) {
        cli_report_error("extxyz");
        goto done;
    }
    if (traj && io_amber_write_frame(traj, s, s->time, NULL)) {
        cli_report_error("trajectory");
        goto done;
    }
    const long end = (resumed ? 0 : s->step) + rc_cfg.steps;
    const long start_step = s->step;
    const int n0 = s->n;
    double t_start = now_s(), t_md = 0;
    while (s->step < end) {
        long nxt = next_event(s->step, oc.thermo_every, end);
        if (traj) {
            long c = next_event(s->step, oc.trajectory_every, end);
            if (c < nxt) nxt = c;
        }
        if (oc.checkpoint_every > 0) {
            long c = next_event(s->step, oc.checkpoint_every, end);
            if (c < nxt) nxt = c;
        }
        if (xyz) {
            long c = next_event(s->step, oc.extxyz_every, end);
            if (c < nxt) nxt = c;
        }
        double a = now_s();
        if (md_integrator_run(integ, nxt - s->step)) {
            cli_report_error("md");
            goto done;
        }
        t_md += now_s() - a;
        if (s->step % oc.thermo_every == 0 || s->step == end) {
            if (md_integrator_thermo(integ, &t)) {
                cli_report_error(NULL);
                goto done;
            }
            print_thermo(&t);
            io_thermo_write(thermo, &t);
        }
        if (traj && (s->step % oc.trajectory_every == 0 || s->step == end) && io_amber_write_frame(traj, s, s->time, NULL)) {
            cli_report_error("trajectory");
            goto done;
        }
        if (xyz && s->step % oc.extxyz_every == 0) {
            /* energy and forces of the same positions (md_integrator_thermo computes the energy) */
            if (md_integrator_thermo(integ, &t) || write_extxyz(xyz, s, t.pe)) {
                cli_report_error("extxyz");
                goto done;
            }
        }
        if (oc.checkpoint_every > 0 && s->step % oc.checkpoint_every == 0) {
            if (md_checkpoint_write(ckpt, s, integ) || (traj && io_amber_sync(traj)) || io_thermo_sync(thermo)) {
                cli_report_error("checkpoint");
                goto done;
            }
        }
    }
    if (md_integrator_thermo(integ, &t) || md_checkpoint_write(ckpt, s, integ)) {
        cli_report_error(NULL);
        goto done;
    }
    double wall = now_s() - t_start;
    long nsteps = s->step - start_step;
    printf("\nrun summary\n");
    printf("  steps %ld, atoms %d (start %d: %s)\n", nsteps, s->n, n0, s->n == n0 ? "conserved" : "CHANGED");
    printf("  energy: start %.10g end %.10g %s, conserved-quantity drift %.3g %s/atom\n", t0.etotal, t.etotal,
           u->energy, (t.conserved - t0.conserved) / s->n, u->energy);
    printf("  neighbor-list builds %ld (dangerous builds %ld)\n", md_integrator_nlist(integ)->nbuilds,
           md_integrator_nlist(integ)->ndangerous);
    printf("  wall %.3f s (MD %.3f s): %.4g atom-steps/s, %.4g us/atom-step\n", wall, t_md,
           nsteps > 0 && t_md > 0 ? (double)nsteps * s->n / t_md : 0.0,
           nsteps > 0 ? 1e6 * t_md / ((double)nsteps * s->n) : 0.0);
    printf("  checkpoint %s\n", ckpt);
    status = 0;
done:
    if (traj) {
        if (io_amber_close(traj, status == 0)) {
            cli_report_error("trajectory");
            status = 1;
        }
    }
    if (thermo) io_thermo_close(thermo, status == 0);
    if (xyz && fclose(xyz)) {
        fprintf(stderr, "seedrate: error: closing the extxyz file failed: %s\n", strerror(errno));
        status = 1;
    }
    sr_errlist_clear(&el);
    md_integrator_free(integ);
    md_potential_free(pot);
    md_system_free(s);
    gsl_rng_free(rng);
    sr_input_free(in);
    return status;
}
