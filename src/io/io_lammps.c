/* io_lammps.c - LAMMPS data files, atom_style atomic (format: https://docs.lammps.org/read_data.html).
 *
 * Read: title line; header ("N atoms", "N atom types", "xlo xhi" / "ylo yhi" / "zlo zhi"; zero
 * bond/angle/... counts tolerated; "xy xz yz" rejected); sections Masses (a "# name" comment names
 * the type), Atoms [# atomic] (id type x y z [ix iy iz]), Velocities (id vx vy vz), Pair Coeffs and
 * PairIJ Coeffs (skipped), Atom Type Labels (type names). Atoms are returned sorted by id. Write: the same layout, %.17g. */
#include "io.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io_text.h"

typedef struct lmp_atom {
    int64_t id;
    int type;
    double x[3];
    int image[3];
} lmp_atom;

typedef struct lmp_state {
    io_lex lx;
    long natoms;  /* -1 until read */
    long ntypes;  /* -1 until read */
    double lo[3], hi[3];
    lmp_atom *atoms; /* [natoms] when Atoms was read */
    int have_atoms, have_images, have_masses;
    double *vel;     /* [3 natoms] in sorted order when Velocities was read */
} lmp_state;

static int is_section(const io_lex *lx, const char *name)
{
    /* the section name is the line before any '#', trimmed */
    size_t k = strlen(name);
    const char *p = lx->cur;
    while (*p == ' ' || *p == '\t') p++;
    if (strncmp(p, name, k) != 0) return 0;
    p += k;
    while (*p == ' ' || *p == '\t') p++;
    return *p == '\0' || *p == '#';
}

static const char *const sections[] = {"Masses",        "Atoms",            "Velocities", "Pair Coeffs",
                                       "PairIJ Coeffs", "Atom Type Labels", NULL};

static int section_index(const io_lex *lx)
{
    for (int k = 0; sections[k]; k++)
        if (is_section(lx, sections[k])) return k;
    return -1;
}

/* Next non-blank line, split (comments cut); *eof at the end. */
static int next_content(io_lex *lx, int *eof)
{
    for (;;) {
        SR_TRY(io_lex_next(lx, eof));
        if (*eof) return SR_OK;
        SR_TRY(io_lex_split(lx, '#'));
        if (lx->ntok > 0) return SR_OK;
    }
}

static int parse_header_line(lmp_state *st)
{
    io_lex *lx = &st->lx;
    char **t = lx->tok;
    const int n = lx->ntok;
    long count;
    if (n == 4 && strcmp(t[2] + 1, "lo") == 0 && strcmp(t[3] + 1, "hi") == 0 && t[2][0] == t[3][0] &&
        t[2][0] >= 'x' && t[2][0] <= 'z') {
        const int d = t[2][0] - 'x';
        if (io_parse_double(t[0], &st->lo[d]) || io_parse_double(t[1], &st->hi[d]) || !(st->hi[d] > st->lo[d]))
            return io_lex_fail(lx, lx->cur, "'%clo %chi' with finite %clo < %chi", 'x' + d, 'x' + d, 'x' + d, 'x' + d);
        return SR_OK;
    }
    if (n == 6 && strcmp(t[3], "xy") == 0 && strcmp(t[4], "xz") == 0 && strcmp(t[5], "yz") == 0)
        return io_lex_fail(lx, lx->cur, "an orthorhombic box (triclinic 'xy xz yz' boxes are not supported yet)");
    if (n == 2 && strcmp(t[1], "atoms") == 0) {
        if (io_parse_long(t[0], 0, INT_MAX, &count)) return io_lex_fail(lx, t[0], "a number of atoms in 0..%d", INT_MAX);
        /* each atom line has at least "1 1 0 0 0\n": a count beyond the input is refused before
         * anything is allocated for it */
        if ((size_t)count > io_lex_remaining(lx) / 4)
            return io_lex_fail(lx, t[0], "a number of atoms that fits in the remaining %zu bytes",
                               io_lex_remaining(lx));
        st->natoms = count;
        return SR_OK;
    }
    if (n == 3 && strcmp(t[1], "atom") == 0 && strcmp(t[2], "types") == 0) {
        if (io_parse_long(t[0], 1, IO_MAXTYPES, &count))
            return io_lex_fail(lx, t[0], "a number of atom types in 1..%d", IO_MAXTYPES);
        st->ntypes = count;
        return SR_OK;
    }
    /* topology counts: allowed only as zero for atom_style atomic */
    static const char *const topo[] = {"bonds", "angles", "dihedrals", "impropers", NULL};
    static const char *const topo_types[] = {"bond", "angle", "dihedral", "improper", NULL};
    for (int k = 0; topo[k]; k++)
        if ((n == 2 && strcmp(t[1], topo[k]) == 0) ||
            (n == 3 && strcmp(t[1], topo_types[k]) == 0 && strcmp(t[2], "types") == 0)) {
            if (io_parse_long(t[0], 0, 0, &count))
                return io_lex_fail(lx, lx->cur, "0 %s (atom_style atomic has no topology)", n == 2 ? topo[k] : "types");
            return SR_OK;
        }
    return io_lex_fail(lx, lx->cur, "a header line (N atoms, N atom types, xlo xhi, ylo yhi, zlo zhi) or a "
                                    "section (Masses, Atoms, Velocities, Pair Coeffs)");
}

static int section_masses(lmp_state *st, io_typemap *tm)
{
    io_lex *lx = &st->lx;
    int eof;
    unsigned char seen[IO_MAXTYPES] = {0};
    for (long k = 0; k < st->ntypes; k++) {
        SR_TRY(next_content(lx, &eof));
        if (eof) return io_lex_fail_eof(lx, "Masses line %ld of %ld", k + 1, st->ntypes);
        long t;
        double m;
        if (lx->ntok != 2) return io_lex_fail(lx, lx->cur, "'type mass' (Masses line %ld of %ld)", k + 1, st->ntypes);
        if (io_parse_long(lx->tok[0], 1, st->ntypes, &t) || seen[t - 1])
            return io_lex_fail(lx, lx->tok[0], "a new atom type in 1..%ld", st->ntypes);
        if (io_parse_double(lx->tok[1], &m) || !(m > 0.0)) return io_lex_fail(lx, lx->tok[1], "a positive mass");
        seen[t - 1] = 1;
        tm->mass[t - 1] = m;
        /* a "# name" comment names the type (as LAMMPS write_data does with type labels) */
        const char *c = strchr(lx->cur, '#');
        if (c) {
            c++;
            while (*c == ' ' || *c == '\t') c++;
            size_t len = strcspn(c, " \t");
            if (len > 0 && len < IO_NAMELEN) {
                memcpy(tm->name[t - 1], c, len);
                tm->name[t - 1][len] = '\0';
            }
        }
    }
    st->have_masses = 1;
    return SR_OK;
}

/* "Atom Type Labels" (LAMMPS >= 2022): "type label" lines name the types. */
static int section_type_labels(lmp_state *st, io_typemap *tm)
{
    io_lex *lx = &st->lx;
    int eof;
    for (long k = 0; k < st->ntypes; k++) {
        SR_TRY(next_content(lx, &eof));
        if (eof) return io_lex_fail_eof(lx, "Atom Type Labels line %ld of %ld", k + 1, st->ntypes);
        long t;
        if (lx->ntok != 2 || io_parse_long(lx->tok[0], 1, st->ntypes, &t) || strlen(lx->tok[1]) >= IO_NAMELEN)
            return io_lex_fail(lx, lx->cur, "'type label' with type in 1..%ld and a label of at most %d characters",
                               st->ntypes, IO_NAMELEN - 1);
        strcpy(tm->name[t - 1], lx->tok[1]);
    }
    return SR_OK;
}

static int cmp_atom_id(const void *a, const void *b)
{
    const int64_t x = ((const lmp_atom *)a)->id, y = ((const lmp_atom *)b)->id;
    return (x > y) - (x < y);
}

static int section_atoms(lmp_state *st)
{
    io_lex *lx = &st->lx;
    int eof;
    const char *c = strchr(lx->cur, '#');
    if (c) { /* style hint: must be atomic */
        c++;
        while (*c == ' ' || *c == '\t') c++;
        if (*c && strncmp(c, "atomic", 6) != 0) return io_lex_fail(lx, c, "atom style 'atomic' after 'Atoms #'");
    }
    st->atoms = malloc((st->natoms > 0 ? (size_t)st->natoms : 1) * sizeof *st->atoms);
    if (!st->atoms) return SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", lx->name);
    for (long k = 0; k < st->natoms; k++) {
        SR_TRY(next_content(lx, &eof));
        if (eof) return io_lex_fail_eof(lx, "Atoms line %ld of %ld", k + 1, st->natoms);
        lmp_atom *a = &st->atoms[k];
        long v;
        if (lx->ntok != 5 && lx->ntok != 8)
            return io_lex_fail(lx, lx->cur, "'id type x y z [ix iy iz]' (Atoms line %ld of %ld)", k + 1, st->natoms);
        if (k == 0) st->have_images = lx->ntok == 8;
        if (st->have_images != (lx->ntok == 8))
            return io_lex_fail(lx, lx->cur, "image flags on all Atoms lines or on none");
        if (io_parse_long(lx->tok[0], 1, LONG_MAX, &v)) return io_lex_fail(lx, lx->tok[0], "a positive atom id");
        a->id = v;
        if (io_parse_long(lx->tok[1], 1, st->ntypes, &v))
            return io_lex_fail(lx, lx->tok[1], "an atom type in 1..%ld", st->ntypes);
        a->type = (int)v - 1;
        for (int d = 0; d < 3; d++) {
            if (io_parse_double(lx->tok[2 + d], &a->x[d]))
                return io_lex_fail(lx, lx->tok[2 + d], "a finite coordinate");
            a->image[d] = 0;
            if (st->have_images) {
                if (io_parse_long(lx->tok[5 + d], -1000000000L, 1000000000L, &v))
                    return io_lex_fail(lx, lx->tok[5 + d], "an integer image flag");
                a->image[d] = (int)v;
            }
        }
    }
    qsort(st->atoms, (size_t)st->natoms, sizeof *st->atoms, cmp_atom_id);
    for (long k = 1; k < st->natoms; k++)
        if (st->atoms[k].id == st->atoms[k - 1].id) {
            char got[32];
            snprintf(got, sizeof got, "%lld", (long long)st->atoms[k].id);
            return io_lex_fail(lx, got, "unique atom ids in the Atoms section");
        }
    st->have_atoms = 1;
    return SR_OK;
}

static int section_velocities(lmp_state *st)
{
    io_lex *lx = &st->lx;
    int eof;
    if (!st->have_atoms) return io_lex_fail(lx, lx->cur, "the Atoms section before Velocities");
    st->vel = calloc(3 * (st->natoms > 0 ? (size_t)st->natoms : 1), sizeof *st->vel);
    unsigned char *seen = calloc(st->natoms > 0 ? (size_t)st->natoms : 1, 1);
    int rc = SR_OK;
    if (!st->vel || !seen) rc = SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", lx->name);
    for (long k = 0; k < st->natoms && !rc; k++) {
        if ((rc = next_content(lx, &eof))) break;
        if (eof) {
            rc = io_lex_fail_eof(lx, "Velocities line %ld of %ld", k + 1, st->natoms);
            break;
        }
        long id;
        if (lx->ntok != 4) {
            rc = io_lex_fail(lx, lx->cur, "'id vx vy vz' (Velocities line %ld of %ld)", k + 1, st->natoms);
            break;
        }
        lmp_atom key = {0};
        if (io_parse_long(lx->tok[0], 1, LONG_MAX, &id)) {
            rc = io_lex_fail(lx, lx->tok[0], "a positive atom id");
            break;
        }
        key.id = id;
        lmp_atom *a = bsearch(&key, st->atoms, (size_t)st->natoms, sizeof *st->atoms, cmp_atom_id);
        if (!a || seen[a - st->atoms]) {
            rc = io_lex_fail(lx, lx->tok[0], "an atom id of the Atoms section, once");
            break;
        }
        const size_t i = (size_t)(a - st->atoms);
        seen[i] = 1;
        for (int d = 0; d < 3 && !rc; d++)
            if (io_parse_double(lx->tok[1 + d], &st->vel[3 * i + d]))
                rc = io_lex_fail(lx, lx->tok[1 + d], "a finite velocity component");
    }
    free(seen);
    return rc;
}

static int skip_lines(lmp_state *st, long nlines, const char *section)
{
    int eof;
    for (long k = 0; k < nlines; k++) {
        SR_TRY(next_content(&st->lx, &eof));
        if (eof) return io_lex_fail_eof(&st->lx, "%s line %ld of %ld", section, k + 1, nlines);
    }
    return SR_OK;
}

static int parse_data(lmp_state *st, io_typemap *tm)
{
    io_lex *lx = &st->lx;
    int eof;
    SR_TRY(io_lex_next(lx, &eof)); /* title line */
    if (eof) return io_lex_fail_eof(lx, "a LAMMPS data file (title line)");
    int sec = -1;
    for (;;) { /* header */
        SR_TRY(next_content(lx, &eof));
        if (eof) break;
        if ((sec = section_index(lx)) >= 0) break;
        SR_TRY(parse_header_line(st));
    }
    if (st->natoms < 0) return io_lex_fail(lx, eof ? "end of file" : lx->cur, "an 'N atoms' header line");
    if (st->ntypes < 0) return io_lex_fail(lx, eof ? "end of file" : lx->cur, "an 'N atom types' header line");
    io_typemap_init(tm);
    tm->ntypes = (int)st->ntypes;
    tm->fixed = 1;
    for (int t = 0; t < tm->ntypes; t++) snprintf(tm->name[t], IO_NAMELEN, "%d", t + 1);
    unsigned char done[6] = {0};
    while (!eof) {
        if (sec < 0)
            return io_lex_fail(lx, lx->cur, "a section name (Masses, Atoms, Velocities, Pair Coeffs, PairIJ Coeffs, "
                                       "Atom Type Labels)");
        if (done[sec]) return io_lex_fail(lx, lx->cur, "each section once");
        done[sec] = 1;
        switch (sec) {
        case 0: SR_TRY(section_masses(st, tm)); break;
        case 1: SR_TRY(section_atoms(st)); break;
        case 2: SR_TRY(section_velocities(st)); break;
        case 3: SR_TRY(skip_lines(st, st->ntypes, "Pair Coeffs")); break;
        case 4: SR_TRY(skip_lines(st, st->ntypes * (st->ntypes + 1) / 2, "PairIJ Coeffs")); break;
        default: SR_TRY(section_type_labels(st, tm)); break;
        }
        SR_TRY(next_content(lx, &eof));
        sec = eof ? -1 : section_index(lx);
    }
    if (!st->have_atoms && st->natoms > 0) return io_lex_fail_eof(lx, "an Atoms section with %ld atoms", st->natoms);
    return SR_OK;
}

int io_lammps_data_read_buffer(const char *buf, size_t len, const char *name, io_frame *fr, io_typemap *tm)
{
    io_typemap local;
    if (!tm) tm = &local; /* masses and names not wanted */
    lmp_state st;
    memset(&st, 0, sizeof st);
    memset(fr, 0, sizeof *fr);
    fr->energy = NAN;
    io_lex_init(&st.lx, buf, len, name);
    st.natoms = st.ntypes = -1;
    for (int d = 0; d < 3; d++) { /* LAMMPS defaults */
        st.lo[d] = -0.5;
        st.hi[d] = 0.5;
    }
    io_typemap saved = *tm;
    int rc = parse_data(&st, tm);
    if (!rc) {
        const size_t n = st.natoms > 0 ? (size_t)st.natoms : 1;
        fr->n = (int)st.natoms;
        fr->type = malloc(n * sizeof *fr->type);
        fr->x = malloc(3 * n * sizeof *fr->x);
        fr->id = malloc(n * sizeof *fr->id);
        if (st.have_images) fr->image = malloc(3 * n * sizeof *fr->image);
        if (!fr->type || !fr->x || !fr->id || (st.have_images && !fr->image))
            rc = SR_ERROR(SR_ENOMEM, "out of memory reading '%s'", name);
    }
    if (!rc) {
        for (int i = 0; i < fr->n; i++) {
            fr->type[i] = st.atoms[i].type;
            fr->id[i] = st.atoms[i].id;
            for (int d = 0; d < 3; d++) {
                fr->x[3 * i + d] = st.atoms[i].x[d];
                if (fr->image) fr->image[3 * i + d] = st.atoms[i].image[d];
            }
        }
        for (int d = 0; d < 3; d++) {
            fr->lo[d] = st.lo[d];
            fr->len[d] = st.hi[d] - st.lo[d];
        }
        fr->v = st.vel;
        st.vel = NULL;
    }
    free(st.atoms);
    free(st.vel);
    io_lex_free(&st.lx);
    if (rc) {
        io_frame_free(fr);
        *tm = saved;
    }
    return rc;
}

int io_lammps_data_read(const char *path, io_frame *fr, io_typemap *tm)
{
    char *buf;
    size_t len;
    memset(fr, 0, sizeof *fr);
    fr->energy = NAN;
    SR_TRY(io_read_file(path, &buf, &len));
    int rc = io_lammps_data_read_buffer(buf, len, path, fr, tm);
    free(buf);
    return rc;
}

int io_lammps_data_write(const char *path, const md_system *s, const char *title)
{
    const int n = s->n;
    if (s->ntypes < 1) return SR_ERROR(SR_EINVAL, "LAMMPS data '%s': the system has no atom types", path);
    int *order = malloc((n > 0 ? (size_t)n : 1) * sizeof *order);
    if (!order) return SR_ERROR(SR_ENOMEM, "out of memory writing '%s'", path);
    int rc = io_id_order(s, order);
    FILE *f = NULL;
    char *tmp = NULL;
    if (!rc) rc = io_text_open(path, &f, &tmp);
    if (rc) {
        free(order);
        return rc;
    }
    fprintf(f, "LAMMPS data file (atom_style atomic) written by seedrate%s%s\n\n", title ? ": " : "", title ? title : "");
    fprintf(f, "%d atoms\n%d atom types\n\n", n, s->ntypes);
    for (int d = 0; d < 3; d++)
        fprintf(f, "%.17g %.17g %clo %chi\n", s->box.lo[d], s->box.lo[d] + s->box.len[d], 'x' + d, 'x' + d);
    if (s->mass) {
        fprintf(f, "\nMasses\n\n");
        for (int t = 0; t < s->ntypes; t++) {
            fprintf(f, "%d %.17g", t + 1, s->mass[t]);
            if (s->type_name && s->type_name[t][0]) fprintf(f, " # %.15s", s->type_name[t]);
            fputc('\n', f);
        }
    }
    fprintf(f, "\nAtoms # atomic\n\n");
    for (int a = 0; a < n; a++) {
        const int i = order[a];
        const int *im = s->image ? &s->image[3 * i] : NULL;
        fprintf(f, "%d %d %.17g %.17g %.17g %d %d %d\n", a + 1, s->type[i] + 1, s->x[3 * i], s->x[3 * i + 1],
                s->x[3 * i + 2], im ? im[0] : 0, im ? im[1] : 0, im ? im[2] : 0);
    }
    if (s->v) {
        fprintf(f, "\nVelocities\n\n");
        for (int a = 0; a < n; a++) {
            const int i = order[a];
            fprintf(f, "%d %.17g %.17g %.17g\n", a + 1, s->v[3 * i], s->v[3 * i + 1], s->v[3 * i + 2]);
        }
    }
    free(order);
    return io_text_close(f, tmp, path, 1);
}
