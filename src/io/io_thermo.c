/* io_thermo.c - thermodynamic log: a text table with units in the header and/or a netCDF file with
 * one variable per column along the unlimited dimension `record`.
 *
 * A potential with a model uncertainty (a committee of networks: md_thermo.has_model_dev) adds one last
 * column, model_dev (force units). Whether it is there is decided by the first record, so the header and the
 * netCDF definitions are written with it; logs of other potentials are unchanged. */
#include "io.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COL_STEP, COL_TIME, COL_T, COL_P, COL_PE, COL_KE, COL_ETOT, COL_VOL, COL_H, COL_CONS, NCOLS };

typedef struct thermo_column {
    const char *name;      /* column / variable name */
    const char *long_name;
} thermo_column;

static const thermo_column columns[NCOLS] = {
    [COL_STEP] = {"step", "MD step"},
    [COL_TIME] = {"time", "simulation time"},
    [COL_T] = {"temperature", "instantaneous kinetic temperature"},
    [COL_P] = {"pressure", "scalar pressure (virial + kinetic)"},
    [COL_PE] = {"pe", "potential energy"},
    [COL_KE] = {"ke", "kinetic energy"},
    [COL_ETOT] = {"etotal", "total energy pe + ke"},
    [COL_VOL] = {"volume", "box volume"},
    [COL_H] = {"enthalpy", "enthalpy etotal + P_target V"},
    [COL_CONS] = {"conserved", "total energy plus thermostat/barostat work (constant for exact dynamics)"},
};

static const char *column_units(const io_unit_names *u, int c)
{
    switch (c) {
    case COL_STEP: return "1";
    case COL_TIME: return u->time;
    case COL_T: return u->temperature;
    case COL_P: return u->pressure;
    case COL_VOL: return u->volume;
    default: return u->energy;
    }
}

static void column_values(const md_thermo *t, double v[NCOLS])
{
    v[COL_STEP] = (double)t->step;
    v[COL_TIME] = t->time;
    v[COL_T] = t->temperature;
    v[COL_P] = t->pressure;
    v[COL_PE] = t->pe;
    v[COL_KE] = t->ke;
    v[COL_ETOT] = t->etotal;
    v[COL_VOL] = t->volume;
    v[COL_H] = t->enthalpy;
    v[COL_CONS] = t->conserved;
}

/* the optional column */
static const thermo_column model_dev_column = {
    "model_dev", "committee model deviation: max over atoms of the force standard deviation across members"};

static const char *force_units(int units) { return md_units_get(units)->force; }

struct io_thermo_writer {
    FILE *text;
    char *text_path;
    io_ncfile *nc;
    size_t nrec;
    int units;
    int started;       /* header / netCDF definitions written */
    int has_model_dev; /* the optional column is present */
};

int io_thermo_header(int units, char *buf, size_t size)
{
    const io_unit_names *u = io_units(units);
    size_t used = 0;
    if (size == 0) return SR_ERROR(SR_EINVAL, "io_thermo_header: empty buffer");
    buf[0] = '\0';
    for (int c = 0; c < NCOLS; c++) {
        int k = snprintf(buf + used, size - used, c == 0 ? "# %s[%s]" : " %s[%s]", columns[c].name,
                         column_units(u, c));
        if (k < 0 || (size_t)k >= size - used) return SR_ERROR(SR_ERANGE, "io_thermo_header: buffer too small");
        used += (size_t)k;
    }
    return SR_OK;
}

static int define_nc(io_thermo_writer *w, int units, int has_model_dev)
{
    const io_unit_names *u = io_units(units);
    const char *dims[] = {"record"};
    SR_TRY(io_ncfile_put_att_text(w->nc, NULL, "title", "seedrate thermodynamic log"));
    SR_TRY(io_ncfile_put_att_text(w->nc, NULL, "program", "seedrate"));
    SR_TRY(io_ncfile_put_att_text(w->nc, NULL, "units_style", units == MD_UNITS_LJ ? "lj" : "metal"));
    SR_TRY(io_ncfile_def_dim(w->nc, "record", 0));
    for (int c = 0; c < NCOLS; c++)
        SR_TRY(io_ncfile_def_var(w->nc, columns[c].name, c == COL_STEP ? IO_NC_INT : IO_NC_DOUBLE, 1, dims,
                                 column_units(u, c), columns[c].long_name));
    if (has_model_dev)
        SR_TRY(io_ncfile_def_var(w->nc, model_dev_column.name, IO_NC_DOUBLE, 1, dims, force_units(units),
                                 model_dev_column.long_name));
    return io_ncfile_enddef(w->nc);
}

static void writer_discard(io_thermo_writer *w)
{
    if (w->text) fclose(w->text);
    io_ncfile_abort(w->nc);
    free(w->text_path);
    free(w);
}

int io_thermo_create(const char *text_path, const char *nc_path, int units, io_thermo_writer **out)
{
    *out = NULL;
    if (units != MD_UNITS_LJ && units != MD_UNITS_METAL)
        return SR_ERROR(SR_EINVAL, "thermo log: unknown units style %d", units);
    io_thermo_writer *w = calloc(1, sizeof *w);
    if (!w) return SR_ERROR(SR_ENOMEM, "thermo log: out of memory");
    int rc = SR_OK;
    if (text_path) {
        w->text_path = malloc(strlen(text_path) + 1);
        if (!w->text_path) {
            writer_discard(w);
            return SR_ERROR(SR_ENOMEM, "thermo log: out of memory");
        }
        strcpy(w->text_path, text_path);
        w->text = fopen(text_path, "w");
        if (!w->text) {
            rc = SR_ERROR(SR_EIO, "cannot create thermo log '%s': %s", text_path, strerror(errno));
            writer_discard(w);
            return rc;
        }
    }
    if (nc_path) {
        rc = io_ncfile_create(nc_path, &w->nc);
        if (rc) {
            writer_discard(w);
            return rc;
        }
    }
    w->units = units;
    *out = w;
    return SR_OK;
}

/* header and definitions, once: with the model_dev column when the first record has one */
static int writer_start(io_thermo_writer *w, int has_model_dev)
{
    if (w->started) return SR_OK;
    w->started = 1;
    w->has_model_dev = has_model_dev;
    if (w->text) {
        char header[512];
        SR_TRY(io_thermo_header(w->units, header, sizeof header));
        fprintf(w->text, "%s", header);
        if (has_model_dev) fprintf(w->text, " %s[%s]", model_dev_column.name, force_units(w->units));
        fputc('\n', w->text);
        if (fflush(w->text) != 0 || ferror(w->text))
            return SR_ERROR(SR_EIO, "cannot write thermo log '%s': %s", w->text_path, strerror(errno));
    }
    if (w->nc) SR_TRY(define_nc(w, w->units, has_model_dev));
    return SR_OK;
}

int io_thermo_write(io_thermo_writer *w, const md_thermo *t)
{
    double v[NCOLS];
    column_values(t, v);
    SR_TRY(writer_start(w, t->has_model_dev));
    const double dev = t->has_model_dev ? t->model_dev : NAN;
    if (w->text) {
        fprintf(w->text, "%ld", t->step);
        for (int c = 1; c < NCOLS; c++) fprintf(w->text, " %.10g", v[c]);
        if (w->has_model_dev) fprintf(w->text, " %.10g", dev);
        fputc('\n', w->text);
        if (fflush(w->text) != 0 || ferror(w->text))
            return SR_ERROR(SR_EIO, "cannot write thermo log '%s': %s", w->text_path, strerror(errno));
    }
    if (w->nc) {
        size_t start[1] = {w->nrec}, count[1] = {1};
        int step = (int)t->step;
        if ((long)step != t->step)
            return SR_ERROR(SR_ERANGE, "thermo netCDF '%s': step %ld exceeds the int range", io_ncfile_path(w->nc),
                            t->step);
        SR_TRY(io_ncfile_put_int(w->nc, columns[COL_STEP].name, start, count, &step));
        for (int c = 1; c < NCOLS; c++) SR_TRY(io_ncfile_put_double(w->nc, columns[c].name, start, count, &v[c]));
        if (w->has_model_dev) SR_TRY(io_ncfile_put_double(w->nc, model_dev_column.name, start, count, &dev));
    }
    w->nrec++;
    return SR_OK;
}

int io_thermo_sync(io_thermo_writer *w)
{
    SR_TRY(writer_start(w, 0));
    if (w->text && fflush(w->text) != 0)
        return SR_ERROR(SR_EIO, "cannot write thermo log '%s': %s", w->text_path, strerror(errno));
    if (w->nc) SR_TRY(io_ncfile_sync(w->nc));
    return SR_OK;
}

int io_thermo_close(io_thermo_writer *w, int commit)
{
    if (!w) return SR_OK;
    int rc = writer_start(w, 0); /* a log closed before its first record still gets its header */
    if (w->text && fclose(w->text) != 0)
        rc = SR_ERROR(SR_EIO, "cannot close thermo log '%s': %s", w->text_path, strerror(errno));
    w->text = NULL;
    if (w->nc) {
        if (commit) {
            int rc2 = io_ncfile_commit(w->nc);
            if (!rc) rc = rc2;
        } else {
            io_ncfile_abort(w->nc);
        }
        w->nc = NULL;
    }
    free(w->text_path);
    free(w);
    return rc;
}
