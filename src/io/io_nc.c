/* io_nc.c - netCDF error wrapping and the atomic output-file helper (path.tmp -> path). */
#include "io.h"

#include <errno.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct io_ncfile {
    int ncid;
    int append;  /* opened an existing file in place */
    int defmode; /* in define mode */
    char *path;  /* final path */
    char *tmp;   /* path.tmp (created files) */
    int checksum; /* write the completeness checksum at commit (default 1) */
};

int io_nc_fail(int ncstatus, const char *call, const char *var, const char *path, const char *srcfile,
               int srcline)
{
    if (ncstatus == NC_NOERR) return SR_OK;
    /* keep only the function name of the call text */
    char fn[64];
    size_t k = 0;
    while (call && call[k] && call[k] != '(' && k + 1 < sizeof fn) {
        fn[k] = call[k];
        k++;
    }
    fn[k] = '\0';
    return sr_error_set(SR_ENETCDF, srcfile, srcline, "netCDF: %s on variable '%s' of file '%s' failed: %s",
                        fn, var ? var : "(global)", path ? path : "?", nc_strerror(ncstatus));
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void ncfile_release(io_ncfile *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

int io_ncfile_create(const char *path, io_ncfile **out)
{
    *out = NULL;
    if (!path || !*path) return SR_ERROR(SR_EINVAL, "io_ncfile_create: empty path");
    io_ncfile *f = calloc(1, sizeof *f);
    if (!f) return SR_ERROR(SR_ENOMEM, "io_ncfile_create: out of memory");
    f->path = dup_str(path);
    f->tmp = malloc(strlen(path) + 5);
    if (!f->path || !f->tmp) {
        ncfile_release(f);
        return SR_ERROR(SR_ENOMEM, "io_ncfile_create: out of memory");
    }
    sprintf(f->tmp, "%s.tmp", path);
    int rc = nc_create(f->tmp, NC_CLOBBER | NC_64BIT_OFFSET, &f->ncid);
    if (rc != NC_NOERR) {
        rc = io_nc_fail(rc, "nc_create", NULL, f->tmp, __FILE__, __LINE__);
        ncfile_release(f);
        return rc;
    }
    f->defmode = 1;
    f->checksum = 1;
    *out = f;
    return SR_OK;
}

int io_ncfile_open_append(const char *path, io_ncfile **out)
{
    *out = NULL;
    io_ncfile *f = calloc(1, sizeof *f);
    if (!f) return SR_ERROR(SR_ENOMEM, "io_ncfile_open_append: out of memory");
    f->path = dup_str(path);
    if (!f->path) {
        ncfile_release(f);
        return SR_ERROR(SR_ENOMEM, "io_ncfile_open_append: out of memory");
    }
    int rc = nc_open(path, NC_WRITE, &f->ncid);
    if (rc != NC_NOERR) {
        rc = io_nc_fail(rc, "nc_open", NULL, path, __FILE__, __LINE__);
        ncfile_release(f);
        return rc;
    }
    f->append = 1;
    /* the records appended now make the file's checksum stale: it goes until the commit writes a new one, so a
     * file left by a crash in between reads as unfinished */
    nc_type t;
    size_t len;
    if (nc_inq_att(f->ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT, &t, &len) == NC_NOERR) {
        f->checksum = 1;
        rc = nc_redef(f->ncid);
        if (!rc) rc = nc_del_att(f->ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT);
        if (!rc) rc = nc_enddef(f->ncid);
        if (!rc) rc = nc_sync(f->ncid);
        if (rc) {
            rc = io_nc_fail(rc, "nc_del_att", IO_NC_CHECKSUM_ATT, path, __FILE__, __LINE__);
            nc_close(f->ncid);
            ncfile_release(f);
            return rc;
        }
    }
    *out = f;
    return SR_OK;
}

void io_ncfile_set_checksum(io_ncfile *f, int on) { f->checksum = on != 0; }

static int ensure_define(io_ncfile *f, const char *var)
{
    if (!f->defmode) {
        IO_NC(nc_redef(f->ncid), var, f->path);
        f->defmode = 1;
    }
    return SR_OK;
}

int io_ncfile_enddef(io_ncfile *f)
{
    if (f->defmode) {
        /* h_minfree: room in the header for the checksum attribute added at commit, so that adding it does not
         * move the data (a copy of the whole file in classic format) */
        IO_NC(nc__enddef(f->ncid, 128, 4, 0, 4), NULL, f->path);
        f->defmode = 0;
    }
    return SR_OK;
}

int io_ncfile_def_dim(io_ncfile *f, const char *name, size_t len)
{
    int dimid;
    SR_TRY(ensure_define(f, name));
    IO_NC(nc_def_dim(f->ncid, name, len == 0 ? NC_UNLIMITED : len, &dimid), name, f->path);
    return SR_OK;
}

static nc_type to_nc_type(int type)
{
    switch (type) {
    case IO_NC_DOUBLE: return NC_DOUBLE;
    case IO_NC_FLOAT: return NC_FLOAT;
    case IO_NC_INT: return NC_INT;
    case IO_NC_CHAR: return NC_CHAR;
    case IO_NC_BYTE: return NC_BYTE;
    default: return NC_NAT;
    }
}

int io_ncfile_def_var(io_ncfile *f, const char *name, int type, int ndims, const char *const *dims,
                      const char *units, const char *long_name)
{
    if (!units || !long_name)
        return SR_ERROR(SR_EINVAL, "netCDF variable '%s' of '%s': units and long_name are mandatory", name,
                        f->path);
    nc_type t = to_nc_type(type);
    if (t == NC_NAT) return SR_ERROR(SR_EINVAL, "netCDF variable '%s': unknown type %d", name, type);
    if (ndims < 0 || ndims > NC_MAX_VAR_DIMS)
        return SR_ERROR(SR_EINVAL, "netCDF variable '%s': %d dimensions", name, ndims);
    int dimids[NC_MAX_VAR_DIMS];
    SR_TRY(ensure_define(f, name));
    for (int d = 0; d < ndims; d++) IO_NC(nc_inq_dimid(f->ncid, dims[d], &dimids[d]), dims[d], f->path);
    int varid;
    IO_NC(nc_def_var(f->ncid, name, t, ndims, dimids, &varid), name, f->path);
    IO_NC(nc_put_att_text(f->ncid, varid, "units", strlen(units), units), name, f->path);
    IO_NC(nc_put_att_text(f->ncid, varid, "long_name", strlen(long_name), long_name), name, f->path);
    return SR_OK;
}

static int var_id(io_ncfile *f, const char *var, int *varid)
{
    if (!var) {
        *varid = NC_GLOBAL;
        return SR_OK;
    }
    IO_NC(nc_inq_varid(f->ncid, var, varid), var, f->path);
    return SR_OK;
}

int io_ncfile_put_att_text(io_ncfile *f, const char *var, const char *name, const char *value)
{
    int varid;
    SR_TRY(ensure_define(f, var));
    SR_TRY(var_id(f, var, &varid));
    IO_NC(nc_put_att_text(f->ncid, varid, name, strlen(value), value), var, f->path);
    return SR_OK;
}

int io_ncfile_put_att_double(io_ncfile *f, const char *var, const char *name, double value)
{
    int varid;
    SR_TRY(ensure_define(f, var));
    SR_TRY(var_id(f, var, &varid));
    IO_NC(nc_put_att_double(f->ncid, varid, name, NC_DOUBLE, 1, &value), var, f->path);
    return SR_OK;
}

/* start/count NULL: the whole (fixed-size) variable. */
static int put_prepare(io_ncfile *f, const char *var, int *varid)
{
    SR_TRY(io_ncfile_enddef(f));
    SR_TRY(var_id(f, var, varid));
    return SR_OK;
}

int io_ncfile_put_double(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                         const double *data)
{
    int varid;
    SR_TRY(put_prepare(f, var, &varid));
    if (start && count)
        IO_NC(nc_put_vara_double(f->ncid, varid, start, count, data), var, f->path);
    else
        IO_NC(nc_put_var_double(f->ncid, varid, data), var, f->path);
    return SR_OK;
}

int io_ncfile_put_int(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                      const int *data)
{
    int varid;
    SR_TRY(put_prepare(f, var, &varid));
    if (start && count)
        IO_NC(nc_put_vara_int(f->ncid, varid, start, count, data), var, f->path);
    else
        IO_NC(nc_put_var_int(f->ncid, varid, data), var, f->path);
    return SR_OK;
}

int io_ncfile_put_text(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                       const char *data)
{
    int varid;
    SR_TRY(put_prepare(f, var, &varid));
    if (start && count)
        IO_NC(nc_put_vara_text(f->ncid, varid, start, count, data), var, f->path);
    else
        IO_NC(nc_put_var_text(f->ncid, varid, data), var, f->path);
    return SR_OK;
}

int io_ncfile_dim_len(io_ncfile *f, const char *dim, size_t *len)
{
    int dimid;
    IO_NC(nc_inq_dimid(f->ncid, dim, &dimid), dim, f->path);
    IO_NC(nc_inq_dimlen(f->ncid, dimid, len), dim, f->path);
    return SR_OK;
}

int io_ncfile_sync(io_ncfile *f)
{
    SR_TRY(io_ncfile_enddef(f));
    IO_NC(nc_sync(f->ncid), NULL, f->path);
    return SR_OK;
}

int io_ncfile_commit(io_ncfile *f)
{
    if (!f) return SR_ERROR(SR_EINVAL, "io_ncfile_commit: no file");
    /* the completeness checksum is the last thing written, before the close and the rename */
    if (f->checksum) {
        int crc = io_ncfile_enddef(f);
        if (!crc) crc = io_nc_put_checksum(f->ncid, f->append ? f->path : f->tmp);
        if (crc) {
            io_ncfile_abort(f);
            return crc;
        }
    }
    int rc = nc_close(f->ncid);
    if (rc != NC_NOERR) {
        rc = io_nc_fail(rc, "nc_close", NULL, f->append ? f->path : f->tmp, __FILE__, __LINE__);
        if (!f->append) remove(f->tmp);
        ncfile_release(f);
        return rc;
    }
    if (!f->append && rename(f->tmp, f->path) != 0) {
        rc = SR_ERROR(SR_EIO, "cannot rename '%s' to '%s': %s", f->tmp, f->path, strerror(errno));
        remove(f->tmp);
        ncfile_release(f);
        return rc;
    }
    ncfile_release(f);
    return SR_OK;
}

void io_ncfile_abort(io_ncfile *f)
{
    if (!f) return;
    nc_close(f->ncid);
    if (!f->append) remove(f->tmp);
    ncfile_release(f);
}

int io_ncfile_ncid(const io_ncfile *f) { return f->ncid; }
const char *io_ncfile_path(const io_ncfile *f) { return f->path; }

/* Unit names follow LAMMPS `units lj` / `units metal` (https://docs.lammps.org/units.html), spelled
 * as UDUNITS/AMBER expect ("angstrom", "picosecond"); lj quantities are reduced (sigma, epsilon, tau). */
static const io_unit_names units_lj = {
    .length = "sigma", .time = "tau", .energy = "epsilon", .temperature = "epsilon/k_B",
    .pressure = "epsilon/sigma^3", .velocity = "sigma/tau", .volume = "sigma^3",
};
static const io_unit_names units_metal = {
    .length = "angstrom", .time = "picosecond", .energy = "eV", .temperature = "K",
    .pressure = "bar", .velocity = "angstrom/picosecond", .volume = "angstrom^3",
};

const io_unit_names *io_units(int md_units_style)
{
    return md_units_style == MD_UNITS_LJ ? &units_lj : &units_metal;
}
