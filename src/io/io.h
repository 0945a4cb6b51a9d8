/* io.h - file formats: netCDF output helper, AMBER NetCDF trajectories, thermo logs, extended XYZ
 * and LAMMPS data files.
 *
 * Conventions of this module:
 *  - every function returns an sr_status (0 ok); parse errors are SR_EPARSE with a one-line message
 *    "file:line: expected ..., got ...", netCDF failures SR_ENETCDF naming the call, variable and file;
 *  - finished output files appear atomically: they are written as `path.tmp` and renamed on commit,
 *    so an aborted or failed writer never leaves a half-written file at `path`;
 *  - every netCDF variable carries `units` and `long_name` attributes;
 *  - parsers have from-memory twins (`*_read_buffer`) that never read outside [buf, buf+len), so a
 *    fuzz harness can call them without files; a failed read frees everything it allocated.
 * Only this module talks to netCDF-C. */
#ifndef IO_H
#define IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/sr_error.h"
#include "../md/md.h"

/* ================================================================================================
 * netCDF helpers
 * ============================================================================================== */

/* Turn a failed netCDF call into SR_ENETCDF: "netCDF: <call> on variable '<var>' of file '<path>'
 * failed: <nc_strerror>". Returns SR_OK when ncstatus == 0. `var` may be NULL (global). */
int io_nc_fail(int ncstatus, const char *call, const char *var, const char *path, const char *srcfile,
               int srcline);
/* Inside a function returning int: IO_NC(nc_put_att_text(id, v, ...), "time", path); */
#define IO_NC(call, var, path)                                                               \
    do {                                                                                     \
        int io_nc_rc_ = (call);                                                              \
        if (io_nc_rc_) return io_nc_fail(io_nc_rc_, #call, (var), (path), __FILE__, __LINE__); \
    } while (0)

/* Variable types offered by the output helper (classic format: no 64-bit integers). */
enum io_nctype { IO_NC_DOUBLE = 0, IO_NC_FLOAT, IO_NC_INT, IO_NC_CHAR, IO_NC_BYTE };

typedef struct io_ncfile io_ncfile;

/* ---- completeness checksum and checked reading of seedrate's own files (issue #19) ----
 * netCDF-C reads a classic file past its end as zeros, so a file cut short opens and reads "fine". Every file
 * made by io_ncfile_create therefore gets, as the last write before its rename, the global attribute
 * IO_NC_CHECKSUM_ATT = "fnv1a64:<16 hex digits>": FNV-1a over its dimensions, variables (name, type, dims,
 * attributes) and every value, global attributes included (the marker excepted), little-endian. Readers of
 * seedrate's result files (campaign, rates, brute, model files) open them with io_ncin_open, which recomputes
 * it: a file whose contents do not match, or that has no checksum (never finished, or written before the
 * checksum existed: rerun the command that writes it), is refused with SR_EPARSE naming the file. */
#define IO_NC_CHECKSUM_ATT "seedrate_checksum"
enum io_ncin_mode {
    IO_NCIN_VERIFY = 0, /* the checksum must be present and match */
    IO_NCIN_LEGACY = 1  /* checked when present; a file without one is accepted (old files, on request) */
};
/* Hash the open file (data mode) and add the checksum attribute; leaves the file in data mode. */
int io_nc_put_checksum(int ncid, const char *path);
/* Verify an open file's checksum (mode as above). */
int io_nc_verify_checksum(int ncid, const char *path, int mode);

typedef struct io_ncin io_ncin;
/* Open for reading and verify. On failure *out is NULL and the message names the file. */
int io_ncin_open(const char *path, int mode, io_ncin **out);
/* The same from memory (a private copy is kept); `name` is the file name used in messages. */
int io_ncin_open_buffer(const void *buf, size_t len, const char *name, int mode, io_ncin **out);
void io_ncin_close(io_ncin *r); /* NULL ok */
int io_ncin_ncid(const io_ncin *r);
const char *io_ncin_path(const io_ncin *r);
/* A whole variable (any shape, converted to double) into a new array of *n values (caller frees);
 * SR_ENETCDF naming the file and variable when it is missing, SR_EPARSE when a value is the fill value
 * (never written). */
int io_ncin_read_double(io_ncin *r, const char *var, double **v, size_t *n);
/* Exactly n values into the caller's array: SR_EPARSE naming the file and variable when the variable has
 * another number of values or holds the fill value. */
int io_ncin_get_double(io_ncin *r, const char *var, size_t n, double *out);
int io_ncin_get_int(io_ncin *r, const char *var, size_t n, int *out);
int io_ncin_get_text(io_ncin *r, const char *var, size_t n, char *out);
/* A text attribute of var (NULL = global) into buf (NUL-terminated). */
int io_ncin_read_att_text(io_ncin *r, const char *var, const char *att, char *buf, size_t len);
/* One global numeric attribute. */
int io_ncin_get_att_double(io_ncin *r, const char *att, double *v);
int io_ncin_get_att_int(io_ncin *r, const char *att, int *v);
int io_ncin_dim_len(io_ncin *r, const char *dim, size_t *len);
/* One-shot: open (IO_NCIN_VERIFY), read one variable / text attribute, close. */
int io_nc_read_double(const char *path, const char *var, double **v, size_t *n);
int io_nc_read_att_text(const char *path, const char *var, const char *att, char *buf, size_t len);

/* Create `path.tmp` (classic 64-bit-offset format, define mode). Nothing appears at `path` until
 * io_ncfile_commit(). */
int io_ncfile_create(const char *path, io_ncfile **out);
/* Open an existing file to append records in place (data mode). Not atomic: a crash mid-record can
 * leave the last record partly written; sync at checkpoints. A checksum the file has is removed now and
 * written anew by the commit (a crash in between leaves a file that reads as unfinished). Commit = close;
 * abort = close. */
int io_ncfile_open_append(const char *path, io_ncfile **out);
/* on = 0: no completeness checksum at commit (AMBER trajectories: read by other programs too, and large). */
void io_ncfile_set_checksum(io_ncfile *f, int on);
/* Define a dimension; len 0 = the unlimited (record) dimension. */
int io_ncfile_def_dim(io_ncfile *f, const char *name, size_t len);
/* Define a variable over named dimensions (ndims 0 = scalar); units and long_name are mandatory. */
int io_ncfile_def_var(io_ncfile *f, const char *name, int type, int ndims, const char *const *dims,
                      const char *units, const char *long_name);
/* Text attribute on a variable (var NULL = global attribute). */
int io_ncfile_put_att_text(io_ncfile *f, const char *var, const char *name, const char *value);
int io_ncfile_put_att_double(io_ncfile *f, const char *var, const char *name, double value);
/* Leave define mode (done automatically by the first put). */
int io_ncfile_enddef(io_ncfile *f);
/* Write a hyperslab (start/count per dimension, as nc_put_vara; NULL start/count = whole variable
 * for fixed-size variables). Values are converted to the variable's type. */
int io_ncfile_put_double(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                         const double *data);
int io_ncfile_put_int(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                      const int *data);
int io_ncfile_put_text(io_ncfile *f, const char *var, const size_t *start, const size_t *count,
                       const char *data);
/* Current length of a dimension (the record count for the unlimited one). */
int io_ncfile_dim_len(io_ncfile *f, const char *dim, size_t *len);
/* Flush to disk (nc_sync): call at checkpoints. */
int io_ncfile_sync(io_ncfile *f);
/* Close; a created file is renamed path.tmp -> path. The completeness checksum is written first (last
 * change of the file), unless switched off. Frees f (also on failure, then tmp removed). */
int io_ncfile_commit(io_ncfile *f);
/* Close and delete path.tmp (created files) or just close (appended files). Frees f; NULL ok. */
void io_ncfile_abort(io_ncfile *f);
/* The netCDF id and the final path, for calls the helper does not wrap. */
int io_ncfile_ncid(const io_ncfile *f);
const char *io_ncfile_path(const io_ncfile *f);

/* Unit names for `units` attributes (LAMMPS lj / metal styles; md's internal units). */
typedef struct io_unit_names {
    const char *length, *time, *energy, *temperature, *pressure, *velocity, *volume;
} io_unit_names;
const io_unit_names *io_units(int md_units_style);

/* ================================================================================================
 * AMBER NetCDF trajectories (Conventions "AMBER" 1.0, https://ambermd.org/netcdf/nctraj.xhtml)
 * ============================================================================================== */

/* An extra per-atom variable (frame, atom), e.g. {"label", 1, "1", "solid-like label"}. */
typedef struct io_amber_extra {
    const char *name;
    int is_int;             /* 1: int variable (data: const int *), 0: float (data: const double *) */
    const char *units;
    const char *long_name;
} io_amber_extra;

typedef struct io_amber_writer io_amber_writer;

/* Create path.tmp for natoms atoms. units: MD_UNITS_METAL (angstrom, picosecond) or MD_UNITS_LJ (sigma,
 * tau, written under the AMBER labels angstrom and picosecond, which the convention's readers require, with
 * global units_style = "lj" and a seedrate_units attribute naming each variable's reduced unit; metal files
 * have units_style = "metal"). with_velocities adds `velocities`. extras (may be
 * NULL) are declared now, after `atom_types` (int, frame x atom, 0-based). */
int io_amber_create(const char *path, int natoms, int units, int with_velocities,
                    const io_amber_extra *extras, int nextras, io_amber_writer **out);
/* Reopen an existing AMBER file to append frames (campaign restart). natoms and every extra must
 * match the file; velocities are written if the file has them. */
int io_amber_open_append(const char *path, int natoms, const io_amber_extra *extras, int nextras,
                         io_amber_writer **out);
/* Append one frame: local atoms of s (s->n == natoms) sorted by id (ids 1..n), box, types and
 * extra_data[j] per extra (indexed like s's local arrays; NULL entry = leave the fill value).
 * `time` in the file's time unit. */
int io_amber_write_frame(io_amber_writer *w, const md_system *s, double time,
                         const void *const *extra_data);
long io_amber_writer_nframes(const io_amber_writer *w);
int io_amber_sync(io_amber_writer *w);
/* commit != 0: close and rename to the final path; commit == 0: discard (delete the tmp file).
 * A writer from io_amber_open_append only closes (frames already appended stay). Frees w; NULL ok.
 * Returns the status of the close/rename. */
int io_amber_close(io_amber_writer *w, int commit);

typedef struct io_amber_reader io_amber_reader;

/* Open and check the AMBER convention (SR_EPARSE naming the file and what is missing otherwise). */
int io_amber_open(const char *path, io_amber_reader **out);
void io_amber_reader_free(io_amber_reader *r);
long io_amber_nframes(const io_amber_reader *r);
int io_amber_natoms(const io_amber_reader *r);
/* 1 if the file has the variable. */
int io_amber_has_var(const io_amber_reader *r, const char *name);
/* Read frame k (0-based) into s, which must have s->n == natoms: positions as stored, box
 * (lo = 0, len = cell_lengths: AMBER stores no origin; non-orthogonal cells rejected), types
 * (atom_types, else 0; each must be < s->ntypes when s->ntypes > 0), ids 1..n in file order,
 * velocities if present and s->v, image flags 0, s->time. *time (may be NULL) gets the time. */
int io_amber_read_frame(io_amber_reader *r, long k, md_system *s, double *time);
/* Per-atom variable `name` of frame k as doubles, out[natoms]. */
int io_amber_read_extra(io_amber_reader *r, const char *name, long k, double *out);
/* The unit of a variable: its seedrate_units attribute (LJ files: "sigma", "tau", ...), else its units
 * attribute ("" when absent); valid until the next call on r. */
const char *io_amber_units(io_amber_reader *r, const char *name);

/* ================================================================================================
 * Thermo log: text table and/or netCDF (dimension `record`, one variable per column)
 * ============================================================================================== */
typedef struct io_thermo_writer io_thermo_writer;

/* Either path may be NULL. The text file is written in place and flushed per record (so it can
 * be followed while the run goes); the netCDF file goes through path.tmp -> path on commit. */
int io_thermo_create(const char *text_path, const char *nc_path, int units, io_thermo_writer **out);
/* The first record decides the optional last column model_dev (force units): present when t->has_model_dev
 * (a committee potential), and then in every row. */
int io_thermo_write(io_thermo_writer *w, const md_thermo *t);
/* Flush text, nc_sync the netCDF file. */
int io_thermo_sync(io_thermo_writer *w);
/* commit != 0: finish both files; 0: discard the netCDF tmp (the text log stays). NULL ok. */
int io_thermo_close(io_thermo_writer *w, int commit);
/* The header line of the text table, with units ("# step time[ps] T[K] ..."), for logs. */
int io_thermo_header(int units, char *buf, size_t size);

/* ================================================================================================
 * Frames and type maps (extxyz, LAMMPS data)
 * ============================================================================================== */
#define IO_MAXTYPES 64
#define IO_NAMELEN 16

/* Species name <-> 0-based type index. With fixed = 0, readers append unseen species in first
 * seen order; with fixed = 1 an unknown species is an error. */
typedef struct io_typemap {
    int ntypes;
    int fixed;
    char name[IO_MAXTYPES][IO_NAMELEN];
    double mass[IO_MAXTYPES]; /* NAN when unknown */
} io_typemap;

void io_typemap_init(io_typemap *m);
/* Index of `name`, or -1. */
int io_typemap_find(const io_typemap *m, const char *name);
/* Index of `name`, adding it when absent and the map is not fixed (SR_EINVAL otherwise). */
int io_typemap_add(io_typemap *m, const char *name, int *index);

/* One configuration as read from a file. Arrays are owned by the frame (io_frame_free). */
typedef struct io_frame {
    int n;
    int *type;        /* 0-based type index [n] */
    double *x;        /* positions [3n], as in the file (may be outside the box) */
    double *v;        /* velocities [3n] or NULL */
    double *f;        /* forces [3n] or NULL */
    int64_t *id;      /* atom ids [n] (LAMMPS data, sorted ascending) or NULL (= 1..n) */
    int *image;       /* image flags [3n] (LAMMPS data) or NULL */
    double energy;    /* NAN when absent */
    double lo[3];     /* box lower corner */
    double len[3];    /* box edge lengths (orthorhombic) */
    int has_virial;   /* extxyz virial= or stress= present */
    double virial[6]; /* W_ab = sum r_a f_b, xx yy zz xy xz yz (energy units; ASE's virial = -stress x volume) */
} io_frame;

/* order[a] = local index of the atom with id a+1 (ids must be a permutation of 1..s->n; index
 * order when s->id is NULL). order has s->n entries. */
int io_id_order(const md_system *s, int *order);

void io_frame_free(io_frame *fr); /* frees the arrays, zeroes the struct; NULL ok */
void io_frames_free(io_frame *frames, int nframes); /* frees arrays and the array itself */
/* Local atoms of s in id order (x, v, types; f when with_forces), box; energy NAN.
 * tm (may be NULL) receives s's type names and masses. */
int io_frame_from_system(const md_system *s, int with_forces, io_frame *fr, io_typemap *tm);
/* New md_system from a frame (ids 1..n in frame order, images 0 unless given; velocities if
 * present). Masses from tm (NAN -> SR_EINVAL naming the type). */
int io_frame_to_system(const io_frame *fr, const io_typemap *tm, int units, md_system **out);

/* ================================================================================================
 * Extended XYZ (ASE convention)
 * ============================================================================================== */
/* Read all frames. tm is in/out (species -> type; NULL = first-seen order, names not returned);
 * *frames is a new array of *nframes frames (io_frames_free). On failure tm is left unchanged. */
int io_extxyz_read(const char *path, io_typemap *tm, io_frame **frames, int *nframes);
/* Same from memory; `name` is used in messages as the file name. */
int io_extxyz_read_buffer(const char *buf, size_t len, const char *name, io_typemap *tm,
                          io_frame **frames, int *nframes);
/* Write one frame to a stream (Lattice, Properties=species:S:1:pos:R:3[:vel:R:3][:forces:R:3],
 * energy when finite, virial="xx xy xz yx yy yz zx zy zz" when has_virial, pbc="T T T"); %.17g so that a
 * read gives the same doubles back. Reading also takes ASE's stress= (9 values, or 6 in Voigt order
 * xx yy zz yz xz xy) as virial = -stress x volume; off-diagonal virial pairs are averaged. */
int io_extxyz_write_frame(FILE *out, const io_frame *fr, const io_typemap *tm);
/* Write frames to path atomically (path.tmp -> path). */
int io_extxyz_write(const char *path, const io_frame *frames, int nframes, const io_typemap *tm);

/* ================================================================================================
 * LAMMPS data files, atom_style atomic
 * ============================================================================================== */
/* Read atoms (sorted by id), box, masses into tm (type names from an Atom Type Labels section or
 * "# name" comments on Masses lines, else "1", "2", ...; tm may be NULL), velocities and image
 * flags when present. fr->id keeps the file's ids. */
int io_lammps_data_read(const char *path, io_frame *fr, io_typemap *tm);
int io_lammps_data_read_buffer(const char *buf, size_t len, const char *name, io_frame *fr,
                               io_typemap *tm);
/* Write s (local atoms, id order, image flags, velocities) as a data file LAMMPS reads with
 * `read_data` (atom_style atomic). Atomic (path.tmp -> path). */
int io_lammps_data_write(const char *path, const md_system *s, const char *title);

#endif
