/* One job description for every MPI command (campaign, cnt, brute, ffs): the input file is parsed once, the
 * shared sections ([run], [structure], [ensemble], [order], [output]) are bound into seed_job, the command's own
 * sections into its own structs (seed_job_spec.own), in one order, so that every command reports the same problems
 * with the same messages. See seed.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "seed.h"
#include "seed_comm.h"

static int in_list(const char *name, const char *const *list)
{
    for (int i = 0; list && list[i]; i++)
        if (strcmp(name, list[i]) == 0) return 1;
    return 0;
}

static void bind_own(seed_job *j, const seed_job_spec *spec, int late, sr_errlist *el)
{
    for (int k = 0; k < spec->nown; k++) {
        const seed_job_section *o = &spec->own[k];
        if (o->late != late) continue;
        if (late && o->required && !sr_input_section(j->in, o->name))
            sr_errlist_add(el, "%s: missing section [%s]", j->file, o->name);
        sr_section_bind(sr_input_section(j->in, o->name), o->keywords, o->target, el, o->name);
    }
}

int seed_job_parse(seed_job *j, const char *file, const seed_job_spec *spec, sr_errlist *el)
{
    j->file = file;
    SR_TRY(sr_input_parse_file(file, &j->in));
    char d[4096];
    snprintf(d, sizeof d, "%s", file);
    snprintf(j->basedir, sizeof j->basedir, "%s", dirname(d));
    sr_input *in = j->in;
    sr_input_check_sections(in, spec->sections, el);
    sr_section_bind(sr_input_section(in, "run"), spec->run_keywords, &j->run, el, "run");
    sr_section_bind(sr_input_section(in, "structure"), seed_structure_keywords, &j->sc, el, "structure");
    sr_section_bind(sr_input_section(in, "ensemble"), seed_ensemble_keywords, &j->ec, el, "ensemble");
    bind_own(j, spec, 0, el);
    sr_section_bind(sr_input_section(in, "output"), spec->output_keywords, &j->oc, el, "output");
    if (!sr_input_section(in, "potential")) sr_errlist_add(el, "%s: missing section [potential]", file);
    for (int k = 0; k < spec->nown; k++)
        if (!spec->own[k].late && spec->own[k].required && !sr_input_section(in, spec->own[k].name))
            sr_errlist_add(el, "%s: missing section [%s]", file, spec->own[k].name);
    bind_own(j, spec, 1, el);
    order_classifier_from_section(sr_input_section(in, "order"), &j->cls, el);
    return el->n ? SR_EINVAL : SR_OK;
}

int seed_job_ensemble(seed_job *j, const seed_job_spec *spec, sr_errlist *el)
{
    const int n0 = el->n;
    if (j->ec.ensemble < spec->min_ensemble) sr_errlist_add(el, "%s: [ensemble] %s", j->file, spec->ensemble_need);
    if (seed_ensemble_params(&j->ec, j->run.units, &j->ip)) sr_errlist_add(el, "%s: %s", j->file, sr_error_message());
    return el->n > n0 ? SR_EINVAL : SR_OK;
}

int seed_job_potential(seed_job *j, const char *const *bound_later, sr_errlist *el)
{
    /* the potential needs the types: build the [structure] system once (cheap) to create it */
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", j->file);
    seed_structure_config sc = j->sc;
    sc.temperature = 0;
    md_system *probe = NULL;
    int rc = seed_structure_build(&sc, j->run.units, j->basedir, where, NULL, &probe);
    if (rc) sr_errlist_add(el, "%s", sr_error_message());
    if (!rc) rc = md_potential_from_section(sr_input_section(j->in, "potential"), probe, j->basedir, &j->pot, el);
    if (el->n == 0)
        for (int i = 0; j->in && i < j->in->n; i++)
            if (!in_list(j->in->sections[i]->name, bound_later)) sr_section_check_unused(j->in->sections[i], el);
    md_system_free(probe);
    return el->n ? SR_EINVAL : rc;
}

int seed_job_fail(sr_errlist *el, int rc)
{
    if (!el->n && !rc) return SR_OK;
    if (seed_comm_rank() == 0) {
        if (el->n) sr_errlist_print(el, stderr);
        else fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    if (el->n) {
        sr_errlist_status(el);
        rc = SR_EINVAL;
    }
    sr_errlist_clear(el);
    return rc;
}

int seed_job_make_outdir(const seed_job *j)
{
    char d[4096];
    snprintf(d, sizeof d, "%s", j->oc.prefix);
    const char *dn = dirname(d);
    if (strcmp(dn, ".") && mkdir(dn, 0755) && errno != EEXIST)
        return SR_ERROR(SR_EIO, "cannot create output directory %s: %s", dn, strerror(errno));
    return SR_OK;
}

int seed_share_system_from(const char *path, int rc_prep, const md_system *liq, md_system **out, int root)
{
    long len = 0;
    char *buf = NULL;
    int rc = rc_prep;
    if (seed_comm_rank() == root && !rc) {
        rc = md_checkpoint_write(path, liq, NULL);
        FILE *fp = rc ? NULL : fopen(path, "rb");
        if (!rc && !fp) rc = SR_ERROR(SR_EIO, "%s: cannot read back: %s", path, strerror(errno));
        if (fp) {
            if (fseek(fp, 0, SEEK_END) == 0) len = ftell(fp);
            rewind(fp);
            buf = len > 0 ? malloc((size_t)len) : NULL;
            if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len)
                rc = SR_ERROR(SR_EIO, "%s: cannot read back the liquid checkpoint", path);
            fclose(fp);
        }
    }
    if (seed_comm_any(rc)) {
        free(buf);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_bcast_long_from(&len, root);
    if (!rc && seed_comm_rank() != root) {
        buf = malloc((size_t)len);
        if (!buf) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }
    if (seed_comm_any(rc)) {
        free(buf);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_bcast_bytes_from(buf, (size_t)len, root);
    if (!rc) rc = md_checkpoint_read_buffer(buf, (size_t)len, path, out, NULL);
    free(buf);
    return rc;
}

int seed_share_system(const char *path, int rc_prep, const md_system *liq, md_system **out)
{
    return seed_share_system_from(path, rc_prep, liq, out, 0);
}

void seed_job_free(seed_job *j)
{
    if (!j) return;
    md_potential_free(j->pot);
    order_classifier_free(j->cls);
    sr_input_free(j->in);
    j->pot = NULL;
    j->cls = NULL;
    j->in = NULL;
}

void seed_job_print_keys(FILE *out, const sr_keyword *run_kw, const char *own, const sr_keyword *own_kw,
                         const sr_keyword *out_kw)
{
    sr_keywords_print(run_kw, "run", out);
    sr_keywords_print(seed_structure_keywords, "structure", out);
    fprintf(out, "[potential]\n  style              potential style and its keys (as in `seedrate md`)\n");
    sr_keywords_print(seed_ensemble_keywords, "ensemble", out);
    fprintf(out, "[order]\n  style              classifier: %s (then its keys; see seedrate order keys)\n",
            order_classifier_names());
    sr_keywords_print(own_kw, own, out);
    sr_keywords_print(out_kw, "output", out);
}

void seed_job_print_log_rate(const seed_job *j, const char *what, double J, double lo, double hi)
{
    const md_units *u = md_units_get(j->run.units);
    printf("    log10 %s = %.3f", what, log10(J));
    if (isfinite(lo) && isfinite(hi) && lo > 0) printf("  [%.3f, %.3f]", log10(lo), log10(hi));
    printf(" (%s^-3 %s^-1)", u->length, u->time);
    if (j->run.units == MD_UNITS_METAL) printf(" = %.3f m^-3 s^-1", log10(J) + 42.0); /* A^-3 ps^-1 = 1e42 m^-3 s^-1 */
    printf("\n");
}
