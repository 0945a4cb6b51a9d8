/* io_extxyz.c - extended XYZ as written by ASE (ase.io.extxyz): per frame an atom-count line, a
 * comment line of key=value pairs (Lattice="ax ay az bx by bz cx cy cz", Properties=name:T:w:...,
 * energy=..., pbc="T T T") and one line per atom whose columns follow Properties. Columns we do not
 * use are skipped by their declared widths. Only orthorhombic lattices are accepted for now. */
#include "io.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io_text.h"

#define MAX_COLUMNS 4096 /* total declared per-atom width we accept */

typedef struct xyz_header {
    int have_lattice;
    double lattice[9];
    double origin[3];
    double energy;
    int have_virial; /* 1: virial[] from virial=, 2: from stress= (converted once the lattice is known) */
    double virial[9];
    int col_species, col_pos, col_force, col_vel; /* first column index, -1 when absent */
    int width;                                    /* total columns per atom line */
    char properties[128];                         /* for messages */
} xyz_header;

/* Parse "name:T:w:name:T:w..." into column offsets. */
static int parse_properties(const io_lex *lx, char *val, xyz_header *h)
{
    snprintf(h->properties, sizeof h->properties, "%s", val);
    h->col_species = h->col_pos = h->col_force = h->col_vel = -1;
    h->width = 0;
    char *save = NULL;
    char *name = strtok_r(val, ":", &save);
    while (name) {
        char *type = strtok_r(NULL, ":", &save);
        char *wtok = strtok_r(NULL, ":", &save);
        long w;
        if (!type || !wtok || strlen(type) != 1 || !strchr("SRIL", type[0]))
            return io_lex_fail(lx, h->properties, "Properties=name:type:width triples with type S, R, I or L");
        if (io_parse_long(wtok, 1, MAX_COLUMNS, &w) || h->width + w > MAX_COLUMNS)
            return io_lex_fail(lx, wtok, "a column width in 1..%d for property '%s'", MAX_COLUMNS, name);
        const char t = type[0];
        if (strcmp(name, "species") == 0) {
            if (t != 'S' || w != 1) return io_lex_fail(lx, h->properties, "species:S:1 in Properties");
            h->col_species = h->width;
        } else if (strcmp(name, "pos") == 0 || strcmp(name, "positions") == 0) {
            if (t != 'R' || w != 3) return io_lex_fail(lx, h->properties, "pos:R:3 in Properties");
            h->col_pos = h->width;
        } else if (strcmp(name, "forces") == 0 || strcmp(name, "force") == 0) {
            if (t != 'R' || w != 3) return io_lex_fail(lx, h->properties, "forces:R:3 in Properties");
            h->col_force = h->width;
        } else if (strcmp(name, "vel") == 0 || strcmp(name, "velocities") == 0) {
            if (t != 'R' || w != 3) return io_lex_fail(lx, h->properties, "vel:R:3 in Properties");
            h->col_vel = h->width;
        }
        h->width += (int)w;
        name = strtok_r(NULL, ":", &save);
    }
    if (h->col_species < 0 || h->col_pos < 0)
        return io_lex_fail(lx, h->properties, "Properties with species:S:1 and pos:R:3");
    return SR_OK;
}

static int parse_doubles(const io_lex *lx, const char *key, char *val, double *out, int n)
{
    char *save = NULL, *tok = strtok_r(val, " \t", &save);
    int k = 0;
    for (; tok && k < n; k++, tok = strtok_r(NULL, " \t", &save))
        if (io_parse_double(tok, &out[k])) return io_lex_fail(lx, tok, "%d finite numbers in %s=\"...\"", n, key);
    if (k != n || tok) return io_lex_fail(lx, key, "exactly %d numbers in %s=\"...\"", n, key);
    return SR_OK;
}

static int parse_pbc(const io_lex *lx, char *val)
{
    char *save = NULL, *tok = strtok_r(val, " \t", &save);
    int k = 0;
    for (; tok; tok = strtok_r(NULL, " \t", &save), k++)
        if (k >= 3 || !(strcmp(tok, "T") == 0 || strcasecmp(tok, "true") == 0 || strcmp(tok, "1") == 0))
            return io_lex_fail(lx, tok, "pbc=\"T T T\" (only fully periodic systems are supported)");
    if (k != 3) return io_lex_fail(lx, "pbc", "pbc=\"T T T\" with three values");
    return SR_OK;
}

/* stress="..." with 9 (3 x 3) or 6 (Voigt xx yy zz yz xz xy) numbers, as a 3 x 3 matrix in out[9] */
static int parse_stress(const io_lex *lx, char *val, double *out)
{
    double v[9];
    char *save = NULL, *tok = strtok_r(val, " \t", &save);
    int k = 0;
    for (; tok && k < 9; k++, tok = strtok_r(NULL, " \t", &save))
        if (io_parse_double(tok, &v[k])) return io_lex_fail(lx, tok, "finite numbers in stress=\"...\"");
    if (tok || (k != 9 && k != 6))
        return io_lex_fail(lx, "stress", "9 numbers (3 x 3) or 6 (Voigt xx yy zz yz xz xy) in stress=\"...\"");
    if (k == 9) {
        memcpy(out, v, sizeof v);
    } else {
        const double m[9] = {v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]};
        memcpy(out, m, sizeof m);
    }
    return SR_OK;
}

/* Scan the comment line as key=value pairs (values bare, "quoted" or {braced}). */
static int parse_comment(io_lex *lx, xyz_header *h)
{
    memset(h, 0, sizeof *h);
    h->energy = NAN;
    char props_default[] = "species:S:1:pos:R:3";
    int have_props = 0;
    char *w = malloc(lx->curlen + 1);
    if (!w) return SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", lx->name);
    memcpy(w, lx->cur, lx->curlen + 1);
    int rc = SR_OK;
    char *p = w;
    while (!rc) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        char *key = p;
        while (*p && *p != '=' && !isspace((unsigned char)*p)) p++;
        if (*p != '=') { /* a bare flag: ignored */
            if (*p) *p++ = '\0';
            continue;
        }
        *p++ = '\0';
        char *val = p;
        if (*p == '"' || *p == '{') {
            const char close = *p == '"' ? '"' : '}';
            val = ++p;
            while (*p && *p != close) {
                if (*p == '\\' && p[1]) p++;
                p++;
            }
            if (*p != close) {
                rc = io_lex_fail(lx, key, "a closing %c for the value of %s", close, key);
                break;
            }
            *p++ = '\0';
        } else {
            while (*p && !isspace((unsigned char)*p)) p++;
            if (*p) *p++ = '\0';
        }
        if (strcasecmp(key, "Lattice") == 0) {
            rc = parse_doubles(lx, "Lattice", val, h->lattice, 9);
            h->have_lattice = 1;
        } else if (strcasecmp(key, "Origin") == 0) {
            rc = parse_doubles(lx, "Origin", val, h->origin, 3);
        } else if (strcasecmp(key, "Properties") == 0) {
            rc = parse_properties(lx, val, h);
            have_props = 1;
        } else if (strcasecmp(key, "energy") == 0) {
            if (io_parse_double(val, &h->energy)) rc = io_lex_fail(lx, val, "a finite number after energy=");
        } else if (strcasecmp(key, "virial") == 0) {
            rc = parse_doubles(lx, "virial", val, h->virial, 9);
            h->have_virial = 1;
        } else if (strcasecmp(key, "stress") == 0) {
            double st[9]; /* checked in any case; virial= wins when both are given */
            rc = parse_stress(lx, val, st);
            if (!rc && h->have_virial != 1) {
                memcpy(h->virial, st, sizeof st);
                h->have_virial = 2;
            }
        } else if (strcasecmp(key, "pbc") == 0) {
            rc = parse_pbc(lx, val);
        }
    }
    if (!rc && !have_props) rc = parse_properties(lx, props_default, h);
    free(w);
    if (rc) return rc;
    if (!h->have_lattice)
        return io_lex_fail(lx, lx->cur, "Lattice=\"ax ay az bx by bz cx cy cz\" in the comment line");
    const double *L = h->lattice;
    const double scale = fmax(fabs(L[0]), fmax(fabs(L[4]), fabs(L[8])));
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            if (a != b && fabs(L[3 * a + b]) > 1e-10 * scale) {
                char got[160];
                snprintf(got, sizeof got, "%g %g %g %g %g %g %g %g %g", L[0], L[1], L[2], L[3], L[4], L[5], L[6],
                         L[7], L[8]);
                return io_lex_fail(lx, got, "an orthorhombic Lattice (off-diagonal components 0; triclinic cells "
                                            "are not supported yet)");
            }
    for (int a = 0; a < 3; a++)
        if (!(L[4 * a] > 0.0)) return io_lex_fail(lx, "Lattice", "positive diagonal Lattice components");
    return SR_OK;
}

static int read_frame(io_lex *lx, long n, io_typemap *tm, io_frame *fr)
{
    xyz_header h;
    int eof;
    SR_TRY(io_lex_next(lx, &eof));
    if (eof) return io_lex_fail_eof(lx, "the comment line of a frame of %ld atoms", n);
    SR_TRY(parse_comment(lx, &h));
    fr->n = (int)n;
    fr->energy = h.energy;
    for (int d = 0; d < 3; d++) {
        fr->lo[d] = h.origin[d];
        fr->len[d] = h.lattice[4 * d];
    }
    if (h.have_virial) {
        /* ASE: virial = -stress x volume */
        const double sc = h.have_virial == 2 ? -(fr->len[0] * fr->len[1] * fr->len[2]) : 1.0;
        double v6[6];
        md_virial_from_matrix(h.virial, v6);
        for (int c = 0; c < 6; c++) {
            fr->virial[c] = sc * v6[c];
            if (!isfinite(fr->virial[c])) return io_lex_fail(lx, "virial", "a finite virial (or stress x volume)");
        }
        fr->has_virial = 1;
    }
    const size_t sz = n > 0 ? (size_t)n : 1;
    fr->type = malloc(sz * sizeof *fr->type);
    fr->x = malloc(3 * sz * sizeof *fr->x);
    if (h.col_force >= 0) fr->f = malloc(3 * sz * sizeof *fr->f);
    if (h.col_vel >= 0) fr->v = malloc(3 * sz * sizeof *fr->v);
    if (!fr->type || !fr->x || (h.col_force >= 0 && !fr->f) || (h.col_vel >= 0 && !fr->v))
        return SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", lx->name);
    for (long i = 0; i < n; i++) {
        SR_TRY(io_lex_next(lx, &eof));
        if (eof) return io_lex_fail_eof(lx, "atom line %ld of %ld", i + 1, n);
        SR_TRY(io_lex_split(lx, 0));
        if (lx->ntok != h.width)
            return io_lex_fail(lx, lx->cur, "%d columns (Properties=%s)", h.width, h.properties);
        const char *sp = lx->tok[h.col_species];
        if (io_typemap_find(tm, sp) < 0 && tm->fixed)
            return io_lex_fail(lx, sp, "a species of the type map");
        if (io_typemap_add(tm, sp, &fr->type[i])) return io_lex_fail(lx, sp, "a species name (at most %d characters, "
                                                                      "at most %d species)", IO_NAMELEN - 1, IO_MAXTYPES);
        for (int d = 0; d < 3; d++) {
            const char *t = lx->tok[h.col_pos + d];
            if (io_parse_double(t, &fr->x[3 * i + d])) return io_lex_fail(lx, t, "a finite position component");
            if (fr->f) {
                t = lx->tok[h.col_force + d];
                if (io_parse_double(t, &fr->f[3 * i + d])) return io_lex_fail(lx, t, "a finite force component");
            }
            if (fr->v) {
                t = lx->tok[h.col_vel + d];
                if (io_parse_double(t, &fr->v[3 * i + d])) return io_lex_fail(lx, t, "a finite velocity component");
            }
        }
    }
    return SR_OK;
}

int io_extxyz_read_buffer(const char *buf, size_t len, const char *name, io_typemap *tm, io_frame **frames,
                          int *nframes)
{
    *frames = NULL;
    *nframes = 0;
    io_typemap local;
    if (!tm) { /* caller does not need the names: first-seen order */
        io_typemap_init(&local);
        tm = &local;
    }
    io_lex lx;
    io_lex_init(&lx, buf, len, name);
    io_typemap backup = *tm; /* restored on failure */
    io_frame *fr = NULL;
    int nfr = 0, cap = 0, rc = SR_OK;
    for (;;) {
        int eof;
        if ((rc = io_lex_next(&lx, &eof))) break;
        if (eof) break;
        if ((rc = io_lex_split(&lx, 0))) break;
        if (lx.ntok == 0) continue; /* blank lines between frames */
        long n;
        if (lx.ntok != 1 || io_parse_long(lx.tok[0], 1, INT_MAX, &n)) {
            rc = io_lex_fail(&lx, lx.cur, "the number of atoms of a frame (a positive integer)");
            break;
        }
        /* every atom line has at least "S x y z": a count larger than the rest of the input is a
         * lie, caught before allocating for it */
        if ((size_t)n > io_lex_remaining(&lx) / 4) {
            rc = io_lex_fail(&lx, lx.cur, "an atom count that fits in the remaining %zu bytes",
                             io_lex_remaining(&lx));
            break;
        }
        if (nfr == cap) {
            int nc = cap ? 2 * cap : 8;
            io_frame *g = realloc(fr, (size_t)nc * sizeof *g);
            if (!g) {
                rc = SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", lx.name);
                break;
            }
            fr = g;
            cap = nc;
        }
        memset(&fr[nfr], 0, sizeof fr[nfr]);
        nfr++;
        if ((rc = read_frame(&lx, n, tm, &fr[nfr - 1]))) break;
    }
    if (!rc && nfr == 0) rc = io_lex_fail_eof(&lx, "at least one frame (an atom count line)");
    io_lex_free(&lx);
    if (rc) {
        io_frames_free(fr, nfr);
        *tm = backup;
        return rc;
    }
    *frames = fr;
    *nframes = nfr;
    return SR_OK;
}

int io_extxyz_read(const char *path, io_typemap *tm, io_frame **frames, int *nframes)
{
    char *buf;
    size_t len;
    *frames = NULL;
    *nframes = 0;
    SR_TRY(io_read_file(path, &buf, &len));
    int rc = io_extxyz_read_buffer(buf, len, path, tm, frames, nframes);
    free(buf);
    return rc;
}

int io_extxyz_write_frame(FILE *out, const io_frame *fr, const io_typemap *tm)
{
    for (int i = 0; i < fr->n; i++)
        if (fr->type[i] < 0 || fr->type[i] >= tm->ntypes)
            return SR_ERROR(SR_EINVAL, "extxyz write: atom %d has type %d, the type map has %d types", i + 1,
                            fr->type[i], tm->ntypes);
    fprintf(out, "%d\n", fr->n);
    fprintf(out, "Lattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\"", fr->len[0], fr->len[1], fr->len[2]);
    if (fr->lo[0] != 0.0 || fr->lo[1] != 0.0 || fr->lo[2] != 0.0)
        fprintf(out, " Origin=\"%.17g %.17g %.17g\"", fr->lo[0], fr->lo[1], fr->lo[2]);
    fprintf(out, " Properties=species:S:1:pos:R:3%s%s", fr->v ? ":vel:R:3" : "", fr->f ? ":forces:R:3" : "");
    if (isfinite(fr->energy)) fprintf(out, " energy=%.17g", fr->energy);
    if (fr->has_virial) {
        double w[9];
        md_virial_to_matrix(fr->virial, w);
        fprintf(out, " virial=\"%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\"", w[0], w[1], w[2], w[3], w[4],
                w[5], w[6], w[7], w[8]);
    }
    fprintf(out, " pbc=\"T T T\"\n");
    for (int i = 0; i < fr->n; i++) {
        fprintf(out, "%s %.17g %.17g %.17g", tm->name[fr->type[i]], fr->x[3 * i], fr->x[3 * i + 1], fr->x[3 * i + 2]);
        if (fr->v) fprintf(out, " %.17g %.17g %.17g", fr->v[3 * i], fr->v[3 * i + 1], fr->v[3 * i + 2]);
        if (fr->f) fprintf(out, " %.17g %.17g %.17g", fr->f[3 * i], fr->f[3 * i + 1], fr->f[3 * i + 2]);
        fputc('\n', out);
    }
    return ferror(out) ? SR_ERROR(SR_EIO, "extxyz write failed") : SR_OK;
}

int io_extxyz_write(const char *path, const io_frame *frames, int nframes, const io_typemap *tm)
{
    FILE *f;
    char *tmp;
    SR_TRY(io_text_open(path, &f, &tmp));
    int rc = SR_OK;
    for (int k = 0; k < nframes && !rc; k++) rc = io_extxyz_write_frame(f, &frames[k], tm);
    int rc2 = io_text_close(f, tmp, path, rc == SR_OK);
    return rc ? rc : rc2;
}
