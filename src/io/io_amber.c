/* io_amber.c - AMBER NetCDF trajectories (convention 1.0: https://ambermd.org/netcdf/nctraj.xhtml).
 *
 * Layout written: global Conventions="AMBER", ConventionVersion="1.0", program, programVersion;
 * dims frame (unlimited), spatial=3, atom, cell_spatial=3, cell_angular=3, label=5; char labels
 * spatial="xyz", cell_spatial="abc", cell_angular={"alpha","beta ","gamma"}; float time(frame),
 * float coordinates(frame,atom,spatial), double cell_lengths(frame,cell_spatial),
 * double cell_angles(frame,cell_angular) = 90 (orthorhombic), optional float velocities, and
 * int atom_types(frame,atom) plus the caller's extra per-atom variables (readers that follow the
 * convention ignore variables they do not know). Classic 64-bit-offset format, as the convention
 * requires. Atoms are written in id order, so atom index a of the file is the atom with id a+1. */
#include "io.h"

#include <math.h>
#include <netcdf.h>
#include <stdlib.h>
#include <string.h>

#ifndef IO_PROGRAM_VERSION
#define IO_PROGRAM_VERSION "0.1.0"
#endif

#define AMBER_LABEL 5

typedef struct amber_extra {
    char *name;
    int is_int;
} amber_extra;

struct io_amber_writer {
    io_ncfile *nc;
    int natoms;
    long nframes;
    int has_vel;
    int nextras;
    amber_extra *extras;
    int *perm;    /* perm[a] = local index of the atom with id a+1 */
    float *fbuf;  /* [3 natoms] */
    int *ibuf;    /* [natoms] */
    double *dbuf; /* [natoms] */
};

static void writer_release(io_amber_writer *w)
{
    if (!w) return;
    for (int j = 0; j < w->nextras; j++) free(w->extras[j].name);
    free(w->extras);
    free(w->perm);
    free(w->fbuf);
    free(w->ibuf);
    free(w->dbuf);
    free(w);
}

static int writer_alloc(int natoms, const io_amber_extra *extras, int nextras, io_amber_writer **out)
{
    *out = NULL;
    if (natoms <= 0) return SR_ERROR(SR_EINVAL, "AMBER trajectory: natoms must be > 0, got %d", natoms);
    if (nextras < 0 || (nextras > 0 && !extras))
        return SR_ERROR(SR_EINVAL, "AMBER trajectory: bad extras list (%d)", nextras);
    io_amber_writer *w = calloc(1, sizeof *w);
    if (!w) return SR_ERROR(SR_ENOMEM, "AMBER trajectory: out of memory");
    w->natoms = natoms;
    w->perm = malloc((size_t)natoms * sizeof *w->perm);
    w->fbuf = malloc(3 * (size_t)natoms * sizeof *w->fbuf);
    w->ibuf = malloc((size_t)natoms * sizeof *w->ibuf);
    w->dbuf = malloc((size_t)natoms * sizeof *w->dbuf);
    w->extras = calloc(nextras > 0 ? (size_t)nextras : 1, sizeof *w->extras);
    if (!w->perm || !w->fbuf || !w->ibuf || !w->dbuf || !w->extras) {
        writer_release(w);
        return SR_ERROR(SR_ENOMEM, "AMBER trajectory: out of memory");
    }
    for (int j = 0; j < nextras; j++) {
        if (!extras[j].name || !*extras[j].name) {
            writer_release(w);
            return SR_ERROR(SR_EINVAL, "AMBER trajectory: extra variable %d has no name", j);
        }
        size_t len = strlen(extras[j].name) + 1;
        w->extras[j].name = malloc(len);
        if (!w->extras[j].name) {
            writer_release(w);
            return SR_ERROR(SR_ENOMEM, "AMBER trajectory: out of memory");
        }
        memcpy(w->extras[j].name, extras[j].name, len);
        w->extras[j].is_int = extras[j].is_int != 0;
        w->nextras = j + 1;
    }
    *out = w;
    return SR_OK;
}

/* The AMBER convention fixes the unit labels (angstrom, picosecond, degree), and its readers (MDAnalysis,
 * cpptraj, VMD, OVITO) accept no other: MDAnalysis refuses time in "tau". An LJ trajectory therefore carries
 * the AMBER labels with its reduced numbers (1 sigma is written as 1 "angstrom", 1 tau as 1 "picosecond": a
 * reader shows the reduced values unchanged), and says what they are in attributes a program can read: global
 * units_style = "lj" and reduced_units, and per variable seedrate_units = "sigma", "tau", "sigma/tau". */
static int put_reduced(io_ncfile *f, const char *var, const char *unit)
{
    return io_ncfile_put_att_text(f, var, "seedrate_units", unit);
}

static int define_file(io_amber_writer *w, int units, const io_amber_extra *extras)
{
    io_ncfile *f = w->nc;
    const io_unit_names *amber = io_units(MD_UNITS_METAL), *u = io_units(units);
    const int lj = units == MD_UNITS_LJ;
    SR_TRY(io_ncfile_put_att_text(f, NULL, "Conventions", "AMBER"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "ConventionVersion", "1.0"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "program", "seedrate"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "programVersion", IO_PROGRAM_VERSION));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "title", lj ? "seedrate trajectory (LJ reduced units)" : "seedrate trajectory"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "units_style", lj ? "lj" : "metal"));
    if (lj)
        SR_TRY(io_ncfile_put_att_text(f, NULL, "reduced_units",
                                      "LJ reduced units under the AMBER labels: lengths in sigma (label angstrom), time "
                                      "in tau (label picosecond), velocities in sigma/tau (label angstrom/picosecond); "
                                      "each such variable's seedrate_units attribute names its reduced unit"));
    SR_TRY(io_ncfile_def_dim(f, "frame", 0));
    SR_TRY(io_ncfile_def_dim(f, "spatial", 3));
    SR_TRY(io_ncfile_def_dim(f, "atom", (size_t)w->natoms));
    SR_TRY(io_ncfile_def_dim(f, "cell_spatial", 3));
    SR_TRY(io_ncfile_def_dim(f, "cell_angular", 3));
    SR_TRY(io_ncfile_def_dim(f, "label", AMBER_LABEL));

    const char *d_sp[] = {"spatial"}, *d_csp[] = {"cell_spatial"}, *d_cang[] = {"cell_angular", "label"};
    const char *d_t[] = {"frame"}, *d_xyz[] = {"frame", "atom", "spatial"};
    const char *d_cl[] = {"frame", "cell_spatial"}, *d_ca[] = {"frame", "cell_angular"};
    const char *d_atom[] = {"frame", "atom"};
    SR_TRY(io_ncfile_def_var(f, "spatial", IO_NC_CHAR, 1, d_sp, "1", "spatial dimension labels"));
    SR_TRY(io_ncfile_def_var(f, "cell_spatial", IO_NC_CHAR, 1, d_csp, "1", "cell length labels"));
    SR_TRY(io_ncfile_def_var(f, "cell_angular", IO_NC_CHAR, 2, d_cang, "1", "cell angle labels"));
    SR_TRY(io_ncfile_def_var(f, "time", IO_NC_FLOAT, 1, d_t, amber->time, "simulation time"));
    SR_TRY(io_ncfile_def_var(f, "coordinates", IO_NC_FLOAT, 3, d_xyz, amber->length, "atom positions"));
    SR_TRY(io_ncfile_def_var(f, "cell_lengths", IO_NC_DOUBLE, 2, d_cl, amber->length, "cell edge lengths"));
    if (lj) {
        SR_TRY(put_reduced(f, "time", u->time));
        SR_TRY(put_reduced(f, "coordinates", u->length));
        SR_TRY(put_reduced(f, "cell_lengths", u->length));
    }
    SR_TRY(io_ncfile_def_var(f, "cell_angles", IO_NC_DOUBLE, 2, d_ca, "degree", "cell angles"));
    if (w->has_vel) {
        SR_TRY(io_ncfile_def_var(f, "velocities", IO_NC_FLOAT, 3, d_xyz, amber->velocity, "atom velocities"));
        if (lj) SR_TRY(put_reduced(f, "velocities", u->velocity));
    }
    SR_TRY(io_ncfile_def_var(f, "atom_types", IO_NC_INT, 2, d_atom, "1", "atom type index (0-based)"));
    for (int j = 0; j < w->nextras; j++)
        SR_TRY(io_ncfile_def_var(f, extras[j].name, extras[j].is_int ? IO_NC_INT : IO_NC_FLOAT, 2, d_atom,
                                 extras[j].units ? extras[j].units : "1",
                                 extras[j].long_name ? extras[j].long_name : extras[j].name));
    SR_TRY(io_ncfile_enddef(f));
    SR_TRY(io_ncfile_put_text(f, "spatial", NULL, NULL, "xyz"));
    SR_TRY(io_ncfile_put_text(f, "cell_spatial", NULL, NULL, "abc"));
    SR_TRY(io_ncfile_put_text(f, "cell_angular", NULL, NULL, "alphabeta gamma"));
    return SR_OK;
}

int io_amber_create(const char *path, int natoms, int units, int with_velocities,
                    const io_amber_extra *extras, int nextras, io_amber_writer **out)
{
    io_amber_writer *w;
    *out = NULL;
    if (units != MD_UNITS_LJ && units != MD_UNITS_METAL)
        return SR_ERROR(SR_EINVAL, "AMBER trajectory '%s': unknown units style %d", path, units);
    SR_TRY(writer_alloc(natoms, extras, nextras, &w));
    w->has_vel = with_velocities != 0;
    int rc = io_ncfile_create(path, &w->nc);
    /* no completeness checksum: trajectories are read by other programs too, appended to by restarts, and
     * can be large (hashing them at every close would read them back) */
    if (!rc) io_ncfile_set_checksum(w->nc, 0);
    if (!rc) rc = define_file(w, units, extras);
    if (rc) {
        io_ncfile_abort(w->nc);
        writer_release(w);
        return rc;
    }
    *out = w;
    return SR_OK;
}

/* Check a file opened for append: AMBER convention, atom count, extras present with their types. */
static int check_append(io_amber_writer *w, const char *path)
{
    int ncid = io_ncfile_ncid(w->nc);
    char conv[64] = "";
    size_t len = 0;
    if (nc_inq_attlen(ncid, NC_GLOBAL, "Conventions", &len) != NC_NOERR || len >= sizeof conv ||
        nc_get_att_text(ncid, NC_GLOBAL, "Conventions", conv) != NC_NOERR || !strstr(conv, "AMBER"))
        return SR_ERROR(SR_EPARSE, "%s: expected an AMBER NetCDF trajectory to append to, got a file "
                        "without Conventions=\"AMBER\"", path);
    size_t natoms, nframes;
    SR_TRY(io_ncfile_dim_len(w->nc, "atom", &natoms));
    SR_TRY(io_ncfile_dim_len(w->nc, "frame", &nframes));
    if (natoms != (size_t)w->natoms)
        return SR_ERROR(SR_EINVAL, "%s: expected %d atoms to append, got a file with %zu", path, w->natoms,
                        natoms);
    w->nframes = (long)nframes;
    int varid;
    w->has_vel = nc_inq_varid(ncid, "velocities", &varid) == NC_NOERR;
    for (int j = 0; j < w->nextras; j++) {
        nc_type t;
        if (nc_inq_varid(ncid, w->extras[j].name, &varid) != NC_NOERR)
            return SR_ERROR(SR_EINVAL, "%s: expected variable '%s' to append to, got none", path,
                            w->extras[j].name);
        IO_NC(nc_inq_vartype(ncid, varid, &t), w->extras[j].name, path);
        if ((t == NC_INT) != w->extras[j].is_int)
            return SR_ERROR(SR_EINVAL, "%s: variable '%s' is %s in the file, not %s", path, w->extras[j].name,
                            t == NC_INT ? "int" : "float", w->extras[j].is_int ? "int" : "float");
    }
    return SR_OK;
}

int io_amber_open_append(const char *path, int natoms, const io_amber_extra *extras, int nextras,
                         io_amber_writer **out)
{
    io_amber_writer *w;
    *out = NULL;
    SR_TRY(writer_alloc(natoms, extras, nextras, &w));
    int rc = io_ncfile_open_append(path, &w->nc);
    if (!rc) rc = check_append(w, path);
    if (rc) {
        io_ncfile_abort(w->nc);
        writer_release(w);
        return rc;
    }
    *out = w;
    return SR_OK;
}

static int put_float3(io_amber_writer *w, const char *var, const double *a)
{
    const int n = w->natoms;
    for (int k = 0; k < n; k++)
        for (int d = 0; d < 3; d++) w->fbuf[3 * k + d] = (float)a[3 * w->perm[k] + d];
    int ncid = io_ncfile_ncid(w->nc), varid;
    size_t start[3] = {(size_t)w->nframes, 0, 0}, count[3] = {1, (size_t)n, 3};
    IO_NC(nc_inq_varid(ncid, var, &varid), var, io_ncfile_path(w->nc));
    IO_NC(nc_put_vara_float(ncid, varid, start, count, w->fbuf), var, io_ncfile_path(w->nc));
    return SR_OK;
}

int io_amber_write_frame(io_amber_writer *w, const md_system *s, double time,
                         const void *const *extra_data)
{
    const int n = w->natoms;
    const char *path = io_ncfile_path(w->nc);
    if (s->n != n)
        return SR_ERROR(SR_EINVAL, "AMBER trajectory '%s': expected %d atoms, got a system with %d", path, n,
                        s->n);
    SR_TRY(io_id_order(s, w->perm));
    const size_t fr = (size_t)w->nframes;
    SR_TRY(put_float3(w, "coordinates", s->x));
    if (w->has_vel && s->v) SR_TRY(put_float3(w, "velocities", s->v));

    size_t s1[1] = {fr}, c1[1] = {1};
    size_t s2[2] = {fr, 0}, c3[2] = {1, 3}, cn[2] = {1, (size_t)n};
    const double angles[3] = {90.0, 90.0, 90.0};
    SR_TRY(io_ncfile_put_double(w->nc, "time", s1, c1, &time));
    SR_TRY(io_ncfile_put_double(w->nc, "cell_lengths", s2, c3, s->box.len));
    SR_TRY(io_ncfile_put_double(w->nc, "cell_angles", s2, c3, angles));
    for (int k = 0; k < n; k++) w->ibuf[k] = s->type ? s->type[w->perm[k]] : 0;
    SR_TRY(io_ncfile_put_int(w->nc, "atom_types", s2, cn, w->ibuf));
    for (int j = 0; j < w->nextras; j++) {
        if (!extra_data || !extra_data[j]) continue;
        if (w->extras[j].is_int) {
            const int *src = extra_data[j];
            for (int k = 0; k < n; k++) w->ibuf[k] = src[w->perm[k]];
            SR_TRY(io_ncfile_put_int(w->nc, w->extras[j].name, s2, cn, w->ibuf));
        } else {
            const double *src = extra_data[j];
            for (int k = 0; k < n; k++) w->dbuf[k] = src[w->perm[k]];
            SR_TRY(io_ncfile_put_double(w->nc, w->extras[j].name, s2, cn, w->dbuf));
        }
    }
    w->nframes++;
    return SR_OK;
}

long io_amber_writer_nframes(const io_amber_writer *w) { return w->nframes; }

int io_amber_sync(io_amber_writer *w) { return io_ncfile_sync(w->nc); }

int io_amber_close(io_amber_writer *w, int commit)
{
    if (!w) return SR_OK;
    int rc = SR_OK;
    if (commit)
        rc = io_ncfile_commit(w->nc);
    else
        io_ncfile_abort(w->nc);
    writer_release(w);
    return rc;
}

/* ------------------------------------------------------------------------------------------------
 * Reader
 * ---------------------------------------------------------------------------------------------- */
struct io_amber_reader {
    int ncid;
    char *path;
    long nframes;
    int natoms;
    float *fbuf; /* [3 natoms] */
    int *ibuf;   /* [natoms] */
    char units[128];
};

void io_amber_reader_free(io_amber_reader *r)
{
    if (!r) return;
    if (r->ncid >= 0) nc_close(r->ncid);
    free(r->path);
    free(r->fbuf);
    free(r->ibuf);
    free(r);
}

/* Text attribute into buf (truncated, NUL-terminated); 0 if present. */
static int get_att_text(int ncid, int varid, const char *name, char *buf, size_t size)
{
    size_t len;
    nc_type t;
    buf[0] = '\0';
    if (nc_inq_att(ncid, varid, name, &t, &len) != NC_NOERR || t != NC_CHAR) return -1;
    char *tmp = malloc(len + 1);
    if (!tmp) return -1;
    if (nc_get_att_text(ncid, varid, name, tmp) != NC_NOERR) {
        free(tmp);
        return -1;
    }
    tmp[len] = '\0';
    snprintf(buf, size, "%s", tmp);
    free(tmp);
    return 0;
}

static int reader_check(io_amber_reader *r)
{
    char att[64];
    int dimid, varid;
    size_t len;
    if (get_att_text(r->ncid, NC_GLOBAL, "Conventions", att, sizeof att) || !strstr(att, "AMBER"))
        return SR_ERROR(SR_EPARSE, "%s: expected an AMBER NetCDF trajectory (Conventions=\"AMBER\"), got %s%s%s",
                        r->path, att[0] ? "Conventions=\"" : "no Conventions attribute", att,
                        att[0] ? "\"" : "");
    if (get_att_text(r->ncid, NC_GLOBAL, "ConventionVersion", att, sizeof att) || strcmp(att, "1.0") != 0)
        return SR_ERROR(SR_EPARSE, "%s: expected ConventionVersion=\"1.0\", got \"%s\"", r->path, att);
    if (nc_inq_dimid(r->ncid, "spatial", &dimid) != NC_NOERR || nc_inq_dimlen(r->ncid, dimid, &len) != NC_NOERR ||
        len != 3)
        return SR_ERROR(SR_EPARSE, "%s: expected dimension spatial = 3 (AMBER convention)", r->path);
    if (nc_inq_dimid(r->ncid, "atom", &dimid) != NC_NOERR || nc_inq_dimlen(r->ncid, dimid, &len) != NC_NOERR ||
        len == 0 || len > (size_t)1 << 30)
        return SR_ERROR(SR_EPARSE, "%s: expected dimension atom (1 .. 2^30 atoms)", r->path);
    r->natoms = (int)len;
    if (nc_inq_dimid(r->ncid, "frame", &dimid) != NC_NOERR || nc_inq_dimlen(r->ncid, dimid, &len) != NC_NOERR)
        return SR_ERROR(SR_EPARSE, "%s: expected dimension frame (AMBER convention)", r->path);
    r->nframes = (long)len;
    if (nc_inq_varid(r->ncid, "coordinates", &varid) != NC_NOERR)
        return SR_ERROR(SR_EPARSE, "%s: expected variable coordinates(frame, atom, spatial), got none", r->path);
    return SR_OK;
}

int io_amber_open(const char *path, io_amber_reader **out)
{
    *out = NULL;
    io_amber_reader *r = calloc(1, sizeof *r);
    if (!r) return SR_ERROR(SR_ENOMEM, "AMBER reader: out of memory");
    r->ncid = -1;
    r->path = malloc(strlen(path) + 1);
    if (!r->path) {
        io_amber_reader_free(r);
        return SR_ERROR(SR_ENOMEM, "AMBER reader: out of memory");
    }
    strcpy(r->path, path);
    int rc = nc_open(path, NC_NOWRITE, &r->ncid);
    if (rc != NC_NOERR) {
        r->ncid = -1;
        rc = io_nc_fail(rc, "nc_open", NULL, path, __FILE__, __LINE__);
        io_amber_reader_free(r);
        return rc;
    }
    rc = reader_check(r);
    if (!rc) {
        r->fbuf = malloc(3 * (size_t)r->natoms * sizeof *r->fbuf);
        r->ibuf = malloc((size_t)r->natoms * sizeof *r->ibuf);
        if (!r->fbuf || !r->ibuf) rc = SR_ERROR(SR_ENOMEM, "AMBER reader: out of memory");
    }
    if (rc) {
        io_amber_reader_free(r);
        return rc;
    }
    *out = r;
    return SR_OK;
}

long io_amber_nframes(const io_amber_reader *r) { return r->nframes; }
int io_amber_natoms(const io_amber_reader *r) { return r->natoms; }

int io_amber_has_var(const io_amber_reader *r, const char *name)
{
    int varid;
    return nc_inq_varid(r->ncid, name, &varid) == NC_NOERR;
}

const char *io_amber_units(io_amber_reader *r, const char *name)
{
    int varid;
    r->units[0] = '\0';
    if (nc_inq_varid(r->ncid, name, &varid) == NC_NOERR &&
        get_att_text(r->ncid, varid, "seedrate_units", r->units, sizeof r->units) != 0)
        get_att_text(r->ncid, varid, "units", r->units, sizeof r->units);
    return r->units;
}

/* Variable `name` must be (frame, atom[, spatial]) with `ndims` dimensions. */
static int per_atom_var(io_amber_reader *r, const char *name, int ndims, int *varid)
{
    int nd, dims[NC_MAX_VAR_DIMS], frame_id, atom_id;
    if (nc_inq_varid(r->ncid, name, varid) != NC_NOERR)
        return SR_ERROR(SR_EINVAL, "%s: no variable '%s'", r->path, name);
    IO_NC(nc_inq_varndims(r->ncid, *varid, &nd), name, r->path);
    if (nd != ndims)
        return SR_ERROR(SR_EPARSE, "%s: expected variable '%s' with %d dimensions, got %d", r->path, name, ndims, nd);
    IO_NC(nc_inq_vardimid(r->ncid, *varid, dims), name, r->path);
    IO_NC(nc_inq_dimid(r->ncid, "frame", &frame_id), "frame", r->path);
    IO_NC(nc_inq_dimid(r->ncid, "atom", &atom_id), "atom", r->path);
    if (dims[0] != frame_id || dims[1] != atom_id)
        return SR_ERROR(SR_EPARSE, "%s: expected variable '%s' over (frame, atom%s)", r->path, name,
                        ndims == 3 ? ", spatial" : "");
    return SR_OK;
}

static int read_float3(io_amber_reader *r, const char *name, long k, double *dst)
{
    int varid;
    SR_TRY(per_atom_var(r, name, 3, &varid));
    size_t start[3] = {(size_t)k, 0, 0}, count[3] = {1, (size_t)r->natoms, 3};
    IO_NC(nc_get_vara_float(r->ncid, varid, start, count, r->fbuf), name, r->path);
    for (size_t i = 0; i < 3 * (size_t)r->natoms; i++) {
        if (!isfinite(r->fbuf[i]))
            return SR_ERROR(SR_EPARSE, "%s: frame %ld: expected finite %s, got %g (atom %zu)", r->path, k, name,
                            (double)r->fbuf[i], i / 3 + 1);
        dst[i] = r->fbuf[i];
    }
    return SR_OK;
}

int io_amber_read_frame(io_amber_reader *r, long k, md_system *s, double *time)
{
    const int n = r->natoms;
    if (k < 0 || k >= r->nframes)
        return SR_ERROR(SR_ERANGE, "%s: frame %ld requested, the file has %ld frames", r->path, k, r->nframes);
    if (s->n != n)
        return SR_ERROR(SR_EINVAL, "%s: has %d atoms, the system %d", r->path, n, s->n);
    int varid;
    SR_TRY(read_float3(r, "coordinates", k, s->x));
    double t = 0.0;
    if (nc_inq_varid(r->ncid, "time", &varid) == NC_NOERR) {
        size_t st[1] = {(size_t)k}, ct[1] = {1};
        IO_NC(nc_get_vara_double(r->ncid, varid, st, ct, &t), "time", r->path);
    }
    if (nc_inq_varid(r->ncid, "cell_lengths", &varid) == NC_NOERR) {
        double len[3], ang[3] = {90.0, 90.0, 90.0};
        size_t st[2] = {(size_t)k, 0}, ct[2] = {1, 3};
        IO_NC(nc_get_vara_double(r->ncid, varid, st, ct, len), "cell_lengths", r->path);
        if (nc_inq_varid(r->ncid, "cell_angles", &varid) == NC_NOERR)
            IO_NC(nc_get_vara_double(r->ncid, varid, st, ct, ang), "cell_angles", r->path);
        for (int d = 0; d < 3; d++) {
            if (!(fabs(ang[d] - 90.0) < 1e-4))
                return SR_ERROR(SR_EUNSUPPORTED, "%s: frame %ld: expected an orthorhombic cell (angles 90), got "
                                "%g %g %g", r->path, k, ang[0], ang[1], ang[2]);
            if (!(len[d] > 0.0) || !isfinite(len[d]))
                return SR_ERROR(SR_EPARSE, "%s: frame %ld: expected positive cell lengths, got %g %g %g", r->path,
                                k, len[0], len[1], len[2]);
        }
        for (int d = 0; d < 3; d++) {
            s->box.lo[d] = 0.0;
            s->box.len[d] = len[d];
            s->box.tilt[d] = 0.0;
        }
    }
    if (nc_inq_varid(r->ncid, "atom_types", &varid) == NC_NOERR) {
        SR_TRY(per_atom_var(r, "atom_types", 2, &varid));
        size_t st[2] = {(size_t)k, 0}, ct[2] = {1, (size_t)n};
        IO_NC(nc_get_vara_int(r->ncid, varid, st, ct, r->ibuf), "atom_types", r->path);
        for (int i = 0; i < n; i++)
            if (r->ibuf[i] < 0 || (s->ntypes > 0 && r->ibuf[i] >= s->ntypes))
                return SR_ERROR(SR_EPARSE, "%s: frame %ld: expected atom_types in 0..%d, got %d (atom %d)", r->path,
                                k, s->ntypes - 1, r->ibuf[i], i + 1);
        if (s->type) memcpy(s->type, r->ibuf, (size_t)n * sizeof *s->type);
    } else if (s->type) {
        memset(s->type, 0, (size_t)n * sizeof *s->type);
    }
    if (s->v && io_amber_has_var(r, "velocities")) SR_TRY(read_float3(r, "velocities", k, s->v));
    for (int i = 0; i < n; i++) {
        if (s->id) s->id[i] = i + 1;
        if (s->image) s->image[3 * i] = s->image[3 * i + 1] = s->image[3 * i + 2] = 0;
    }
    s->time = t;
    if (time) *time = t;
    return SR_OK;
}

int io_amber_read_extra(io_amber_reader *r, const char *name, long k, double *out)
{
    int varid;
    if (k < 0 || k >= r->nframes)
        return SR_ERROR(SR_ERANGE, "%s: frame %ld requested, the file has %ld frames", r->path, k, r->nframes);
    SR_TRY(per_atom_var(r, name, 2, &varid));
    size_t st[2] = {(size_t)k, 0}, ct[2] = {1, (size_t)r->natoms};
    IO_NC(nc_get_vara_double(r->ncid, varid, st, ct, out), name, r->path);
    return SR_OK;
}
