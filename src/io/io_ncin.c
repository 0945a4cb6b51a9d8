/* io_ncin.c - the completeness checksum of seedrate's netCDF files and the checked reader of them.
 *
 * Why: netCDF-C reads a classic-format file past its end as zeros (or fill values), so a result file
 * cut short by a full disk, an interrupted copy or `head -c` opens and reads "fine" and a report of
 * zeros and NaN follows (issue #19). Every file made by io_ncfile_create therefore carries, written
 * as its last change before the rename, the global attribute IO_NC_CHECKSUM_ATT: a 64-bit FNV-1a hash
 * of the dimensions, the variables (name, type, dimensions, attributes) and every value, global
 * attributes included (the marker itself excepted). The reader recomputes it on open and refuses a file
 * whose hash differs or that has none. Values are hashed in little-endian byte order, so the checksum
 * does not depend on the machine that wrote or reads the file. */
#include "io.h"

#include <inttypes.h>
#include <math.h>
#include <netcdf.h>
#include <netcdf_mem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/sr_hash.h"

#define CHECKSUM_PREFIX "fnv1a64:"

struct io_ncin {
    int ncid;
    char *path; /* file name used in messages */
    void *mem;  /* private copy of the bytes (from-memory files) */
};

/* ---- the checksum ---- */
static int host_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static uint64_t mix_u64(uint64_t h, uint64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)(v >> (8 * k));
    return sr_fnv1a64(h, b, 8);
}

static uint64_t mix_str(uint64_t h, const char *s) { return sr_fnv1a64(h, s, strlen(s) + 1); }

/* n elements of `size` bytes each, in little-endian order whatever the host */
static uint64_t mix_values(uint64_t h, const unsigned char *p, size_t n, size_t size)
{
    if (size == 1 || host_little_endian()) return sr_fnv1a64(h, p, n * size);
    unsigned char e[8];
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < size; k++) e[k] = p[i * size + size - 1 - k];
        h = sr_fnv1a64(h, e, size);
    }
    return h;
}

/* Size of one value of an atomic, fixed-size type (0 for strings, user-defined and unknown types). */
static size_t type_size(nc_type t)
{
    switch (t) {
    case NC_BYTE: case NC_CHAR: case NC_UBYTE: return 1;
    case NC_SHORT: case NC_USHORT: return 2;
    case NC_INT: case NC_UINT: case NC_FLOAT: return 4;
    case NC_DOUBLE: case NC_INT64: case NC_UINT64: return 8;
    default: return 0;
    }
}

static int unsupported_type(const char *path, const char *what, nc_type t)
{
    return SR_ERROR(SR_EPARSE, "%s: %s has netCDF type %d; expected a fixed-size atomic type (classic model)", path,
                    what, (int)t);
}

static int mix_atts(int ncid, int varid, int natts, const char *path, uint64_t *h)
{
    for (int a = 0; a < natts; a++) {
        char name[NC_MAX_NAME + 1];
        nc_type t;
        size_t len;
        IO_NC(nc_inq_attname(ncid, varid, a, name), name, path);
        if (varid == NC_GLOBAL && strcmp(name, IO_NC_CHECKSUM_ATT) == 0) continue;
        IO_NC(nc_inq_att(ncid, varid, name, &t, &len), name, path);
        const size_t sz = type_size(t);
        if (sz == 0) return unsupported_type(path, name, t);
        unsigned char *buf = malloc(len * sz + 1);
        if (!buf) return SR_ERROR(SR_ENOMEM, "%s: out of memory for attribute %s", path, name);
        int st = nc_get_att(ncid, varid, name, buf);
        if (st) {
            free(buf);
            return SR_ERROR(SR_EPARSE, "%s: damaged: attribute '%s' cannot be read (%s)", path, name, nc_strerror(st));
        }
        *h = mix_str(*h, name);
        *h = mix_u64(*h, (uint64_t)t);
        *h = mix_u64(*h, (uint64_t)len);
        *h = mix_values(*h, buf, len, sz);
        free(buf);
    }
    return SR_OK;
}

/* The values of variable v, one slab of the first dimension at a time (a trajectory need not fit in memory). */
static int mix_var_values(int ncid, int v, const char *name, int nd, const size_t *len, size_t sz, const char *path,
                          uint64_t *h)
{
    size_t slab = 1; /* values per index of the first dimension (the whole scalar when nd == 0) */
    for (int d = 1; d < nd; d++) {
        if (len[d] && slab > SIZE_MAX / 8 / len[d]) return SR_ERROR(SR_EPARSE, "%s: variable %s is too large", path, name);
        slab *= len[d];
    }
    const size_t nslab = nd ? len[0] : 1;
    if (slab == 0 || nslab == 0) return SR_OK;
    unsigned char *buf = malloc(slab * sz);
    if (!buf) return SR_ERROR(SR_ENOMEM, "%s: out of memory reading variable %s", path, name);
    size_t start[NC_MAX_VAR_DIMS] = {0}, count[NC_MAX_VAR_DIMS];
    for (int d = 0; d < nd; d++) count[d] = len[d];
    if (nd) count[0] = 1;
    int rc = SR_OK;
    for (size_t i = 0; i < nslab && !rc; i++) {
        if (nd) start[0] = i;
        int st = nc_get_vara(ncid, v, start, count, buf);
        if (st)
            rc = SR_ERROR(SR_EPARSE, "%s: damaged: the values of variable '%s' cannot be read (%s): cut short or "
                          "corrupted", path, name, nc_strerror(st));
        else *h = mix_values(*h, buf, slab, sz);
    }
    free(buf);
    return rc;
}

static int file_checksum(int ncid, const char *path, uint64_t *out)
{
    int ndims, nvars, ngatts, unlim;
    IO_NC(nc_inq(ncid, &ndims, &nvars, &ngatts, &unlim), NULL, path);
    uint64_t h = mix_str(SR_FNV1A64_INIT, "seedrate netCDF checksum 1");
    h = mix_u64(h, (uint64_t)ndims);
    for (int d = 0; d < ndims; d++) {
        char name[NC_MAX_NAME + 1];
        size_t len;
        IO_NC(nc_inq_dim(ncid, d, name, &len), name, path);
        h = mix_str(h, name);
        h = mix_u64(h, (uint64_t)len);
        h = mix_u64(h, d == unlim);
    }
    SR_TRY(mix_atts(ncid, NC_GLOBAL, ngatts, path, &h));
    h = mix_u64(h, (uint64_t)nvars);
    for (int v = 0; v < nvars; v++) {
        char name[NC_MAX_NAME + 1];
        nc_type t;
        int nd, dimids[NC_MAX_VAR_DIMS], natts;
        IO_NC(nc_inq_var(ncid, v, name, &t, &nd, dimids, &natts), name, path);
        const size_t sz = type_size(t);
        if (sz == 0) return unsupported_type(path, name, t);
        size_t len[NC_MAX_VAR_DIMS];
        h = mix_str(h, name);
        h = mix_u64(h, (uint64_t)t);
        h = mix_u64(h, (uint64_t)nd);
        for (int d = 0; d < nd; d++) {
            IO_NC(nc_inq_dimlen(ncid, dimids[d], &len[d]), name, path);
            h = mix_u64(h, (uint64_t)dimids[d]);
        }
        SR_TRY(mix_atts(ncid, v, natts, path, &h));
        SR_TRY(mix_var_values(ncid, v, name, nd, len, sz, path, &h));
    }
    *out = h;
    return SR_OK;
}

static void format_checksum(uint64_t h, char *buf, size_t n) { snprintf(buf, n, CHECKSUM_PREFIX "%016" PRIx64, h); }

int io_nc_put_checksum(int ncid, const char *path)
{
    uint64_t h;
    /* data mode: the values are read back as they will be in the file */
    int st = nc_enddef(ncid);
    if (st && st != NC_ENOTINDEFINE) return io_nc_fail(st, "nc_enddef", NULL, path, __FILE__, __LINE__);
    SR_TRY(file_checksum(ncid, path, &h));
    char text[64];
    format_checksum(h, text, sizeof text);
    IO_NC(nc_redef(ncid), IO_NC_CHECKSUM_ATT, path);
    IO_NC(nc_put_att_text(ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT, strlen(text), text), IO_NC_CHECKSUM_ATT, path);
    IO_NC(nc_enddef(ncid), IO_NC_CHECKSUM_ATT, path);
    return SR_OK;
}

int io_nc_verify_checksum(int ncid, const char *path, int mode)
{
    nc_type t;
    size_t len = 0;
    if (nc_inq_att(ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT, &t, &len) != NC_NOERR) {
        if (mode == IO_NCIN_LEGACY) return SR_OK;
        return SR_ERROR(SR_EPARSE, "%s: no completeness checksum (global attribute %s): the file was never finished, "
                        "or it was written by a seedrate older than its reader; rerun the command that wrote it "
                        "(campaign and cnt jobs resume from their journals and write it again)", path,
                        IO_NC_CHECKSUM_ATT);
    }
    char have[64] = "";
    if (t != NC_CHAR || len >= sizeof have || nc_get_att_text(ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT, have) != NC_NOERR)
        return SR_ERROR(SR_EPARSE, "%s: damaged: global attribute %s is not a checksum text", path,
                        IO_NC_CHECKSUM_ATT);
    have[len] = '\0';
    uint64_t h;
    int rc = file_checksum(ncid, path, &h);
    if (rc) return rc;
    char want[64];
    format_checksum(h, want, sizeof want);
    if (strcmp(have, want) != 0)
        return SR_ERROR(SR_EPARSE, "%s: damaged: its contents give checksum %s, the file records %s (cut short or "
                        "altered after it was written); refusing to read it", path, want, have);
    return SR_OK;
}

/* ---- the checked reader ---- */
void io_ncin_close(io_ncin *r)
{
    if (!r) return;
    if (r->ncid >= 0) nc_close(r->ncid);
    free(r->path);
    free(r->mem);
    free(r);
}

static int ncin_new(const char *name, io_ncin **out)
{
    *out = NULL;
    io_ncin *r = calloc(1, sizeof *r);
    if (!r) return SR_ERROR(SR_ENOMEM, "out of memory");
    r->ncid = -1;
    const char *nm = name && *name ? name : "<netCDF buffer>";
    r->path = malloc(strlen(nm) + 1);
    if (!r->path) {
        free(r);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    strcpy(r->path, nm);
    *out = r;
    return SR_OK;
}

/* ---- header sanity before netCDF-C sees the bytes ----
 * netCDF-C 4.9 allocates what a classic header's counts say (an attribute of 7 GB, found by the fuzz harness)
 * before it compares them with the file's size. The classic formats (CDF-1, CDF-2 64-bit offset, CDF-5; the
 * layout of the netCDF "File Format Specification") are walked here first: every count times its element size
 * must fit in the bytes that remain, else the file is damaged. Bytes beyond those read (`n` < `total` for large
 * files) end the walk without a verdict; other formats (HDF5) are left to the library. */
typedef struct hdr_walk {
    const unsigned char *p;
    size_t n, pos;
    uint64_t total;
    int v5, v2;
} hdr_walk;

enum { HDR_OK = 0, HDR_BAD = -1, HDR_STOP = 1 };

static int hdr_u(hdr_walk *h, int bytes, uint64_t *v)
{
    if ((uint64_t)h->pos + bytes > h->total) return HDR_BAD;
    if (h->pos + (size_t)bytes > h->n) return HDR_STOP;
    uint64_t x = 0;
    for (int k = 0; k < bytes; k++) x = x << 8 | h->p[h->pos + k];
    h->pos += (size_t)bytes;
    *v = x;
    return HDR_OK;
}

static int hdr_count(hdr_walk *h, uint64_t *v) { return hdr_u(h, h->v5 ? 8 : 4, v); }

static int hdr_skip(hdr_walk *h, uint64_t bytes)
{
    if (bytes > h->total - h->pos) return HDR_BAD;
    if (bytes > h->n - h->pos) return HDR_STOP;
    h->pos += (size_t)bytes;
    return HDR_OK;
}

#define HDR_TRY(x)                                                                                        \
    do {                                                                                                  \
        const int hr_ = (x);                                                                              \
        if (hr_) return hr_;                                                                              \
    } while (0)

/* a name: netCDF-C 4.9 reads any length, then copies it into the caller's NC_MAX_NAME + 1 bytes (nc_inq_attname,
 * nc_inq_dim, nc_inq_var; a stack overflow found by the fuzz harness): a longer name is damage */
static int hdr_name(hdr_walk *h)
{
    uint64_t len;
    HDR_TRY(hdr_count(h, &len));
    if (len > NC_MAX_NAME) return HDR_BAD;
    return hdr_skip(h, (len + 3) / 4 * 4);
}

/* a list header: ABSENT (two zeros) or tag + count, the count bounded by the bytes each entry needs at least */
static int hdr_list(hdr_walk *h, uint64_t tag, uint64_t min_entry, uint64_t *count)
{
    uint64_t t;
    HDR_TRY(hdr_u(h, 4, &t));
    HDR_TRY(hdr_count(h, count));
    if (t == 0 && *count == 0) return HDR_OK;
    if (t != tag || *count > (h->total - h->pos) / min_entry) return HDR_BAD;
    return HDR_OK;
}

/* bytes of one value of classic nc_type 1..11 (NC_BYTE .. NC_UINT64) */
static const int hdr_tsize[12] = {0, 1, 1, 2, 4, 4, 8, 1, 2, 4, 8, 8};

static int hdr_atts(hdr_walk *h)
{
    uint64_t na;
    HDR_TRY(hdr_list(h, 0x0C, 12, &na));
    for (uint64_t a = 0; a < na; a++) {
        uint64_t type, ne;
        HDR_TRY(hdr_name(h));
        HDR_TRY(hdr_u(h, 4, &type));
        if (type < 1 || type > (h->v5 ? 11u : 6u)) return HDR_BAD;
        HDR_TRY(hdr_count(h, &ne));
        if (ne > h->total) return HDR_BAD;
        HDR_TRY(hdr_skip(h, (ne * (uint64_t)hdr_tsize[type] + 3) / 4 * 4));
    }
    return HDR_OK;
}

static int hdr_walk_classic(const unsigned char *p, size_t n, uint64_t total)
{
    if (n < 4 || memcmp(p, "CDF", 3) != 0 || (p[3] != 1 && p[3] != 2 && p[3] != 5)) return HDR_OK; /* not classic */
    hdr_walk h = {.p = p, .n = n, .pos = 4, .total = total, .v5 = p[3] == 5, .v2 = p[3] == 2};
    uint64_t numrecs, nd, nv;
    HDR_TRY(hdr_count(&h, &numrecs));
    HDR_TRY(hdr_list(&h, 0x0A, 8, &nd));
    /* dimension lengths, to check the variables' shapes: one record dimension (length 0) at most, used only as a
     * variable's first dimension; every dimension id in range (netCDF-C divides by the shape's sizes) */
    unsigned char *isrec = calloc(nd ? (size_t)nd : 1, 1);
    uint64_t *dlen = calloc(nd ? (size_t)nd : 1, sizeof *dlen);
    if (!isrec || !dlen) {
        free(isrec);
        free(dlen);
        return HDR_STOP;
    }
    int rc = HDR_OK, nrec = 0;
    for (uint64_t d = 0; d < nd && !rc; d++) {
        uint64_t len = 0;
        rc = hdr_name(&h);
        if (!rc) rc = hdr_count(&h, &len);
        if (!rc) dlen[d] = len;
        if (!rc && len == 0) {
            isrec[d] = 1;
            if (++nrec > 1) rc = HDR_BAD;
        }
    }
    if (!rc) rc = hdr_atts(&h);
    if (!rc) rc = hdr_list(&h, 0x0B, 16, &nv);
    for (uint64_t v = 0; v < nv && !rc; v++) {
        uint64_t ndims = 0, type = 0, vsize, begin, nelem = 1;
        int record = 0;
        rc = hdr_name(&h);
        if (!rc) rc = hdr_count(&h, &ndims);
        if (!rc && ndims > (h.total - h.pos) / 4) rc = HDR_BAD;
        for (uint64_t k = 0; k < ndims && !rc; k++) {
            uint64_t id;
            rc = hdr_count(&h, &id);
            if (!rc && (id >= nd || (isrec[id] && k > 0))) rc = HDR_BAD;
            if (!rc && isrec[id]) record = 1;
            else if (!rc) nelem = dlen[id] && nelem > h.total / dlen[id] ? h.total + 1 : nelem * dlen[id];
        }
        if (!rc) rc = hdr_atts(&h);
        if (!rc) rc = hdr_u(&h, 4, &type);
        if (!rc && (type < 1 || type > (h.v5 ? 11u : 6u))) rc = HDR_BAD;
        if (!rc) rc = hdr_u(&h, h.v5 ? 8 : 4, &vsize);
        if (!rc) rc = hdr_u(&h, h.v5 || h.v2 ? 8 : 4, &begin);
        /* a fixed-size variable's values must lie inside the file: netCDF-C would read a cut-off tail as zeros,
         * which the checksum cannot tell from stored zeros (the padding after the last values is not required) */
        if (!rc && !record &&
            (begin > h.total || nelem > h.total || nelem * (uint64_t)hdr_tsize[type] > h.total - begin))
            rc = HDR_BAD;
        /* a record variable: numrecs records of nelem values each, disjoint, inside the file (the records are
         * interleaved, so this is necessary, not sufficient); netCDF-C would otherwise read billions of records
         * past the end of the bytes (memory growing with each, found by the fuzz harness). With no records the
         * file may end at the first record variable's begin (a thermo file committed before its first record) */
        if (!rc && record && numrecs &&
            (begin > h.total || nelem > h.total || nelem * (uint64_t)hdr_tsize[type] > (h.total - begin) / numrecs))
            rc = HDR_BAD;
    }
    free(isrec);
    free(dlen);
    return rc;
}

/* *stop (may be NULL) = 1 when the walk reached the end of the n bytes before a verdict */
static int hdr_check(const io_ncin *r, const unsigned char *p, size_t n, uint64_t total, int *stop)
{
    const int w = hdr_walk_classic(p, n, total);
    if (stop) *stop = w == HDR_STOP;
    if (w == HDR_BAD)
        return SR_ERROR(SR_EPARSE, "%s: damaged: its netCDF header declares more data than the file's %" PRIu64
                        " bytes hold (cut short or altered after it was written)", r->path, total);
    return SR_OK;
}

static int ncin_finish(io_ncin *r, int st, int mode, io_ncin **out)
{
    int rc = SR_OK;
    if (st != NC_NOERR) {
        r->ncid = -1;
        /* a missing or unreadable file is an I/O matter (SR_ENETCDF); bytes that are no netCDF file are damaged */
        rc = SR_ERROR(st == NC_ENOTNC || st == NC_EINVAL || r->mem ? SR_EPARSE : SR_ENETCDF,
                      "%s: cannot open as netCDF (damaged, cut short or not a netCDF file): %s", r->path,
                      nc_strerror(st));
    }
    if (!rc) rc = io_nc_verify_checksum(r->ncid, r->path, mode);
    if (rc) {
        io_ncin_close(r);
        return rc;
    }
    *out = r;
    return SR_OK;
}

int io_ncin_open(const char *path, int mode, io_ncin **out)
{
    io_ncin *r;
    *out = NULL;
    SR_TRY(ncin_new(path, &r));
    FILE *fp = fopen(path, "rb");
    if (fp) {
        /* the header sanity walk on the first MiB (enough for any header seedrate writes), more while the walk
         * needs it: a header it has not seen to its end could hold the long name that overflows netCDF-C's copy
         * (hdr_name); one beyond 64 MiB is refused */
        int rc = SR_OK, stop = 0;
        long sz = -1;
        if (fseek(fp, 0, SEEK_END) == 0) sz = ftell(fp);
        for (size_t cap = (size_t)1 << 20; sz >= 0 && !rc; cap *= 8) {
            unsigned char *buf = malloc(cap);
            if (!buf) {
                rc = SR_ERROR(SR_ENOMEM, "%s: out of memory reading the header", r->path);
                break;
            }
            rewind(fp);
            const size_t n = fread(buf, 1, cap, fp);
            rc = hdr_check(r, buf, n, (uint64_t)sz, &stop);
            free(buf);
            if (rc || !stop || n < cap) break; /* a verdict, or the whole file was seen */
            if (cap >= (size_t)64 << 20) {
                rc = SR_ERROR(SR_EPARSE, "%s: its netCDF header goes on beyond 64 MiB: not a file seedrate writes "
                              "(damaged or altered)", r->path);
                break;
            }
        }
        fclose(fp);
        if (rc) {
            io_ncin_close(r);
            return rc;
        }
    }
    return ncin_finish(r, nc_open(path, NC_NOWRITE, &r->ncid), mode, out);
}

int io_ncin_open_buffer(const void *buf, size_t len, const char *name, int mode, io_ncin **out)
{
    io_ncin *r;
    *out = NULL;
    SR_TRY(ncin_new(name, &r));
    /* netCDF-C keeps the memory until nc_close and takes it as non-const: give it a private copy */
    r->mem = malloc(len ? len : 1);
    if (!r->mem) {
        io_ncin_close(r);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    if (len) memcpy(r->mem, buf, len);
    const int rc = hdr_check(r, r->mem, len, len, NULL);
    if (rc) {
        io_ncin_close(r);
        return rc;
    }
    return ncin_finish(r, nc_open_mem(r->path, NC_NOWRITE, len, r->mem, &r->ncid), mode, out);
}

int io_ncin_ncid(const io_ncin *r) { return r->ncid; }
const char *io_ncin_path(const io_ncin *r) { return r->path; }

/* Variable id, type and number of values. */
static int var_shape(io_ncin *r, const char *var, int *vid, nc_type *t, size_t *n)
{
    int nd, dims[NC_MAX_VAR_DIMS];
    int st = nc_inq_varid(r->ncid, var, vid);
    if (st == NC_ENOTVAR) return SR_ERROR(SR_ENETCDF, "%s: no variable '%s'", r->path, var);
    if (st) return io_nc_fail(st, "nc_inq_varid", var, r->path, __FILE__, __LINE__);
    IO_NC(nc_inq_var(r->ncid, *vid, NULL, t, &nd, dims, NULL), var, r->path);
    size_t len = 1;
    for (int k = 0; k < nd; k++) {
        size_t l;
        IO_NC(nc_inq_dimlen(r->ncid, dims[k], &l), var, r->path);
        if (l && len > SIZE_MAX / 16 / l) return SR_ERROR(SR_EPARSE, "%s: variable '%s' is too large", r->path, var);
        len *= l;
    }
    *n = len;
    return SR_OK;
}

/* The value that marks "never written": the variable's _FillValue, else netCDF's default for its type. */
static double fill_value(io_ncin *r, int vid, nc_type t)
{
    double f;
    if (nc_get_att_double(r->ncid, vid, "_FillValue", &f) == NC_NOERR) return f;
    switch (t) {
    case NC_FLOAT: return (double)NC_FILL_FLOAT;
    case NC_DOUBLE: return NC_FILL_DOUBLE;
    case NC_INT: return (double)NC_FILL_INT;
    case NC_SHORT: return (double)NC_FILL_SHORT;
    default: return NAN; /* bytes and chars: every value is a legitimate one */
    }
}

static int check_fill(io_ncin *r, const char *var, int vid, nc_type t, const double *v, size_t n)
{
    const double f = fill_value(r, vid, t);
    if (isnan(f)) return SR_OK;
    for (size_t i = 0; i < n; i++)
        if (v[i] == f)
            return SR_ERROR(SR_EPARSE, "%s: variable '%s' holds the fill value at index %zu (never written: the file "
                            "is incomplete)", r->path, var, i);
    return SR_OK;
}

int io_ncin_read_double(io_ncin *r, const char *var, double **v, size_t *n)
{
    int vid;
    nc_type t;
    size_t len;
    *v = NULL;
    *n = 0;
    SR_TRY(var_shape(r, var, &vid, &t, &len));
    double *buf = malloc((len ? len : 1) * sizeof *buf);
    if (!buf) return SR_ERROR(SR_ENOMEM, "%s: out of memory reading '%s'", r->path, var);
    int st = len ? nc_get_var_double(r->ncid, vid, buf) : NC_NOERR;
    int rc = st ? io_nc_fail(st, "nc_get_var_double", var, r->path, __FILE__, __LINE__) : SR_OK;
    if (!rc) rc = check_fill(r, var, vid, t, buf, len);
    if (rc) {
        free(buf);
        return rc;
    }
    *v = buf;
    *n = len;
    return SR_OK;
}

int io_ncin_get_double(io_ncin *r, const char *var, size_t n, double *out)
{
    int vid;
    nc_type t;
    size_t len;
    SR_TRY(var_shape(r, var, &vid, &t, &len));
    if (len != n)
        return SR_ERROR(SR_EPARSE, "%s: variable '%s' has %zu values, expected %zu", r->path, var, len, n);
    if (n) IO_NC(nc_get_var_double(r->ncid, vid, out), var, r->path);
    return check_fill(r, var, vid, t, out, n);
}

int io_ncin_get_int(io_ncin *r, const char *var, size_t n, int *out)
{
    int vid;
    nc_type t;
    size_t len;
    SR_TRY(var_shape(r, var, &vid, &t, &len));
    if (len != n)
        return SR_ERROR(SR_EPARSE, "%s: variable '%s' has %zu values, expected %zu", r->path, var, len, n);
    if (n) IO_NC(nc_get_var_int(r->ncid, vid, out), var, r->path);
    const double f = fill_value(r, vid, t);
    for (size_t i = 0; i < n; i++)
        if ((double)out[i] == f)
            return SR_ERROR(SR_EPARSE, "%s: variable '%s' holds the fill value at index %zu (never written: the file "
                            "is incomplete)", r->path, var, i);
    return SR_OK;
}

int io_ncin_get_text(io_ncin *r, const char *var, size_t n, char *out)
{
    int vid;
    nc_type t;
    size_t len;
    SR_TRY(var_shape(r, var, &vid, &t, &len));
    if (t != NC_CHAR) return SR_ERROR(SR_EPARSE, "%s: variable '%s' is not text", r->path, var);
    if (len != n)
        return SR_ERROR(SR_EPARSE, "%s: variable '%s' has %zu characters, expected %zu", r->path, var, len, n);
    if (n) IO_NC(nc_get_var_text(r->ncid, vid, out), var, r->path);
    return SR_OK;
}

int io_ncin_read_att_text(io_ncin *r, const char *var, const char *att, char *buf, size_t len)
{
    int vid = NC_GLOBAL;
    nc_type t;
    size_t l = 0;
    if (var) IO_NC(nc_inq_varid(r->ncid, var, &vid), var, r->path);
    int st = nc_inq_att(r->ncid, vid, att, &t, &l);
    if (st) return io_nc_fail(st, "nc_inq_att", att, r->path, __FILE__, __LINE__);
    if (t != NC_CHAR) return SR_ERROR(SR_EPARSE, "%s: attribute '%s' is not text", r->path, att);
    if (l + 1 > len) return SR_ERROR(SR_ERANGE, "%s: attribute '%s' is longer than %zu characters", r->path, att, len - 1);
    IO_NC(nc_get_att_text(r->ncid, vid, att, buf), att, r->path);
    buf[l] = '\0';
    return SR_OK;
}

int io_ncin_get_att_double(io_ncin *r, const char *att, double *v)
{
    nc_type t;
    size_t l = 0;
    int st = nc_inq_att(r->ncid, NC_GLOBAL, att, &t, &l);
    if (st) return io_nc_fail(st, "nc_inq_att", att, r->path, __FILE__, __LINE__);
    if (l != 1 || t == NC_CHAR) return SR_ERROR(SR_EPARSE, "%s: attribute '%s': expected one number", r->path, att);
    IO_NC(nc_get_att_double(r->ncid, NC_GLOBAL, att, v), att, r->path);
    return SR_OK;
}

int io_ncin_get_att_int(io_ncin *r, const char *att, int *v)
{
    double d;
    SR_TRY(io_ncin_get_att_double(r, att, &d));
    if (!(d >= -2147483647.0 && d <= 2147483647.0) || d != floor(d))
        return SR_ERROR(SR_EPARSE, "%s: attribute '%s' = %g, expected an integer", r->path, att, d);
    *v = (int)d;
    return SR_OK;
}

int io_ncin_dim_len(io_ncin *r, const char *dim, size_t *len)
{
    int id;
    int st = nc_inq_dimid(r->ncid, dim, &id);
    if (st == NC_EBADDIM) return SR_ERROR(SR_EPARSE, "%s: no dimension '%s'", r->path, dim);
    if (st) return io_nc_fail(st, "nc_inq_dimid", dim, r->path, __FILE__, __LINE__);
    IO_NC(nc_inq_dimlen(r->ncid, id, len), dim, r->path);
    return SR_OK;
}

/* ---- one-shot readers (checked, the marker required) ---- */
int io_nc_read_double(const char *path, const char *var, double **v, size_t *n)
{
    io_ncin *r;
    SR_TRY(io_ncin_open(path, IO_NCIN_VERIFY, &r));
    int rc = io_ncin_read_double(r, var, v, n);
    io_ncin_close(r);
    return rc;
}

int io_nc_read_att_text(const char *path, const char *var, const char *att, char *buf, size_t len)
{
    io_ncin *r;
    SR_TRY(io_ncin_open(path, IO_NCIN_VERIFY, &r));
    int rc = io_ncin_read_att_text(r, var, att, buf, len);
    io_ncin_close(r);
    return rc;
}
