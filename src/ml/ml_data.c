/* ml_data.c - training data: NumPy .npy arrays and DeePMD-kit "npy" systems.
 *
 * .npy format (NumPy NEP 1, "A simple file format for NumPy arrays"): magic "\x93NUMPY", major and
 * minor version bytes, header length (uint16 LE for 1.x, uint32 LE for 2.x/3.x), an ASCII (3.x:
 * UTF-8) Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with
 * spaces and a newline, then the raw data. We accept '<f4' and '<f8' (and '|f8'-free variants are
 * rejected), C order, 0-4 dimensions, and data sizes that match the shape exactly. Every read is
 * bounds checked: the parser is meant to survive a fuzzer.
 *
 * DeePMD-kit system layout (docs "Data: System"): type.raw (one type index per atom),
 * type_map.raw (one element name per type), set.NNN/{box,coord,energy,force}.npy with one row per
 * frame: box 9 values (rows = cell vectors), coord and force 3N atom-major, energy 1. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../io/io.h"
#include "ml.h"

#define NPY_MAX_BYTES ((size_t)1 << 31)

static int read_file(const char *path, unsigned char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot open", path);
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        size_t k = fread(b + n, 1, cap - n, f);
        n += k;
        if (n < cap) break;
        if (cap >= NPY_MAX_BYTES) {
            free(b);
            fclose(f);
            return SR_ERROR(SR_ERANGE, "%s: larger than %zu bytes", path, NPY_MAX_BYTES);
        }
        unsigned char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!b) return SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
    if (err) {
        free(b);
        return SR_ERROR(SR_EIO, "%s: read error", path);
    }
    *buf = b;
    *len = n;
    return SR_OK;
}

/* --- a minimal parser for the header dict ------------------------------------------------------ */
typedef struct hdr {
    const char *p, *end;
} hdr;

static void skip_ws(hdr *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

static int accept(hdr *h, char c)
{
    skip_ws(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return 1;
    }
    return 0;
}

/* quoted string into out (cap bytes); 0 on success */
static int parse_str(hdr *h, char *out, size_t cap)
{
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"')) return -1;
    const char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (n + 1 >= cap) return -1;
        out[n++] = *h->p++;
    }
    if (h->p >= h->end) return -1;
    h->p++;
    out[n] = 0;
    return 0;
}

static int parse_word(hdr *h, const char *w)
{
    skip_ws(h);
    const size_t n = strlen(w);
    if ((size_t)(h->end - h->p) >= n && !memcmp(h->p, w, n)) {
        h->p += n;
        return 1;
    }
    return 0;
}

int ml_npy_parse(const unsigned char *buf, size_t len, const char *name, ml_npy *out)
{
    memset(out, 0, sizeof *out);
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (len < 10 || memcmp(buf, magic, 6))
        return SR_ERROR(SR_EPARSE, "%s: not a .npy file (magic \\x93NUMPY missing)", name);
    const int major = buf[6], minor = buf[7];
    size_t hlen, off;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        off = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return SR_ERROR(SR_EPARSE, "%s: truncated .npy header", name);
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        off = 12;
    } else {
        return SR_ERROR(SR_EUNSUPPORTED, "%s: .npy format version %d.%d; versions 1.0, 2.0 and 3.0 "
                        "are supported", name, major, minor);
    }
    if (minor != 0)
        return SR_ERROR(SR_EUNSUPPORTED, "%s: .npy format version %d.%d; versions 1.0, 2.0 and 3.0 "
                        "are supported", name, major, minor);
    if (hlen > len - off)
        return SR_ERROR(SR_EPARSE, "%s: .npy header length %zu exceeds the file (%zu bytes)", name,
                        hlen, len);
    hdr h = {(const char *)buf + off, (const char *)buf + off + hlen};
    char key[64], descr[16] = "";
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0;
    long shape[4];
    int ndim = 0;
    if (!accept(&h, '{')) return SR_ERROR(SR_EPARSE, "%s: .npy header is not a dict", name);
    while (!accept(&h, '}')) {
        if (parse_str(&h, key, sizeof key) || !accept(&h, ':'))
            return SR_ERROR(SR_EPARSE, "%s: malformed .npy header dict", name);
        if (!strcmp(key, "descr")) {
            if (parse_str(&h, descr, sizeof descr))
                return SR_ERROR(SR_EPARSE, "%s: .npy 'descr' is not a simple type string (structured "
                                "dtypes are not supported)", name);
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            if (parse_word(&h, "False")) fortran = 0;
            else if (parse_word(&h, "True")) fortran = 1;
            else return SR_ERROR(SR_EPARSE, "%s: .npy 'fortran_order' is not True/False", name);
            have_order = 1;
        } else if (!strcmp(key, "shape")) {
            if (!accept(&h, '(')) return SR_ERROR(SR_EPARSE, "%s: .npy 'shape' is not a tuple", name);
            while (!accept(&h, ')')) {
                skip_ws(&h);
                long v = 0;
                int digits = 0;
                while (h.p < h.end && *h.p >= '0' && *h.p <= '9') {
                    if (v > (long)1 << 40)
                        return SR_ERROR(SR_ERANGE, "%s: .npy shape entry too large", name);
                    v = 10 * v + (*h.p++ - '0');
                    digits++;
                }
                if (!digits || ndim >= 4)
                    return SR_ERROR(SR_EPARSE, "%s: .npy 'shape' must be a tuple of at most 4 "
                                    "non-negative integers", name);
                shape[ndim++] = v;
                if (!accept(&h, ',')) {
                    if (!accept(&h, ')'))
                        return SR_ERROR(SR_EPARSE, "%s: malformed .npy 'shape' tuple", name);
                    break;
                }
            }
            have_shape = 1;
        } else {
            for (char *c = key; *c; c++)
                if ((unsigned char)*c < 32 || (unsigned char)*c > 126) *c = '?'; /* keep the message one line */
            return SR_ERROR(SR_EPARSE, "%s: unexpected key '%s' in .npy header", name, key);
        }
        if (!accept(&h, ',')) {
            if (!accept(&h, '}')) return SR_ERROR(SR_EPARSE, "%s: malformed .npy header dict", name);
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return SR_ERROR(SR_EPARSE, "%s: .npy header lacks 'descr', 'fortran_order' or 'shape'", name);
    if (fortran)
        return SR_ERROR(SR_EUNSUPPORTED, "%s: Fortran-ordered .npy arrays are not supported", name);
    size_t item;
    if (!strcmp(descr, "<f4")) item = 4;
    else if (!strcmp(descr, "<f8")) item = 8;
    else {
        for (char *c = descr; *c; c++)
            if ((unsigned char)*c < 32 || (unsigned char)*c > 126) *c = '?'; /* keep the message one line */
        return SR_ERROR(SR_EUNSUPPORTED, "%s: .npy dtype '%s'; expected '<f4' or '<f8'", name, descr);
    }
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] && count > ((size_t)1 << 40) / (size_t)shape[d])
            return SR_ERROR(SR_ERANGE, "%s: .npy array too large", name);
        count *= (size_t)shape[d];
    }
    const size_t data_off = off + hlen, avail = len - data_off;
    if (count > avail / item || count * item != avail)
        return SR_ERROR(SR_EPARSE, "%s: .npy data has %zu bytes, shape and dtype need %zu", name,
                        avail, count * item);
    out->data = malloc(sizeof(double) * (count ? count : 1));
    if (!out->data) return SR_ERROR(SR_ENOMEM, "%s: out of memory", name);
    const unsigned char *src = buf + data_off;
    for (size_t k = 0; k < count; k++) {
        /* little-endian decode, independent of the host byte order */
        if (item == 4) {
            uint32_t u = (uint32_t)src[4 * k] | (uint32_t)src[4 * k + 1] << 8 |
                         (uint32_t)src[4 * k + 2] << 16 | (uint32_t)src[4 * k + 3] << 24;
            float f;
            memcpy(&f, &u, 4);
            out->data[k] = f;
        } else {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--) u = u << 8 | src[8 * k + b];
            double d;
            memcpy(&d, &u, 8);
            out->data[k] = d;
        }
    }
    out->ndim = ndim;
    for (int d = 0; d < ndim; d++) out->shape[d] = shape[d];
    out->count = (long)count;
    return SR_OK;
}

int ml_npy_read(const char *path, ml_npy *out)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    SR_TRY(read_file(path, &buf, &len));
    int rc = ml_npy_parse(buf, len, path, out);
    free(buf);
    return rc;
}

void ml_npy_free(ml_npy *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

int ml_npy_write(const char *path, int ndim, const long *shape, const double *data)
{
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (");
    long count = 1;
    for (int d = 0; d < ndim; d++) {
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%ld%s", shape[d],
                      (ndim == 1 || d + 1 < ndim) ? ", " : "");
        count *= shape[d];
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* pad so that the data start is a multiple of 64 */
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot create", path);
    const unsigned hl = (unsigned)(n + pad + 1);
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hl & 255),
                              (unsigned char)(hl >> 8)};
    fwrite(head, 1, 10, f);
    fwrite(dict, 1, (size_t)n, f);
    for (int k = 0; k < pad; k++) fputc(' ', f);
    fputc('\n', f);
    fwrite(data, sizeof(double), (size_t)count, f);
    return fclose(f) ? SR_ERROR(SR_EIO, "%s: write error", path) : SR_OK;
}

/* --- datasets ---------------------------------------------------------------------------------- */
void ml_dataset_free(ml_dataset *ds)
{
    if (!ds) return;
    for (int k = 0; k < ds->nframes; k++) {
        free(ds->frames[k].type);
        free(ds->frames[k].x);
        free(ds->frames[k].force);
    }
    free(ds->frames);
    memset(ds, 0, sizeof *ds);
}

int ml_dataset_add(ml_dataset *ds, const ml_frame *fr)
{
    if (ds->nframes == ds->cap) {
        int cap = ds->cap ? 2 * ds->cap : 64;
        ml_frame *nf = realloc(ds->frames, sizeof(ml_frame) * (size_t)cap);
        if (!nf) return SR_ERROR(SR_ENOMEM, "dataset: out of memory");
        ds->frames = nf;
        ds->cap = cap;
    }
    ml_frame *d = &ds->frames[ds->nframes];
    *d = *fr;
    d->type = malloc(sizeof(int) * (size_t)fr->n);
    d->x = malloc(sizeof(double) * 3 * (size_t)fr->n);
    d->force = fr->force ? malloc(sizeof(double) * 3 * (size_t)fr->n) : NULL;
    if (!d->type || !d->x || (fr->force && !d->force)) {
        free(d->type);
        free(d->x);
        free(d->force);
        return SR_ERROR(SR_ENOMEM, "dataset: out of memory");
    }
    memcpy(d->type, fr->type, sizeof(int) * (size_t)fr->n);
    memcpy(d->x, fr->x, sizeof(double) * 3 * (size_t)fr->n);
    if (fr->force) memcpy(d->force, fr->force, sizeof(double) * 3 * (size_t)fr->n);
    ds->nframes++;
    return SR_OK;
}

/* whitespace-separated tokens of a small text file; returns count or -1 */
static int read_tokens(const char *path, char (*tok)[ML_NAME_LEN], int max)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int n = 0;
    char w[256];
    while (fscanf(f, "%255s", w) == 1) {
        if (n >= max || strlen(w) >= ML_NAME_LEN) {
            fclose(f);
            return -2;
        }
        strcpy(tok[n++], w);
    }
    fclose(f);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_set(ml_dataset *ds, const char *dir, const char *set, int natoms, const int *type)
{
    char path[4096];
    ml_npy box = {0}, coord = {0}, energy = {0}, force = {0}, virial = {0};
    int rc = SR_OK, have_force, have_virial;
#define LOAD(arr, file)                                                              \
    snprintf(path, sizeof path, "%s/%s/%s", dir, set, file);                         \
    if ((rc = ml_npy_read(path, &arr))) goto done
    LOAD(box, "box.npy");
    LOAD(coord, "coord.npy");
    LOAD(energy, "energy.npy");
#undef LOAD
    snprintf(path, sizeof path, "%s/%s/force.npy", dir, set);
    FILE *probe = fopen(path, "rb");
    have_force = probe != NULL;
    if (probe) fclose(probe);
    if (have_force && (rc = ml_npy_read(path, &force))) goto done;
    /* virial.npy (optional): 9 values per frame, eV, DeePMD-kit's = ASE's virial (-stress x volume) */
    snprintf(path, sizeof path, "%s/%s/virial.npy", dir, set);
    probe = fopen(path, "rb");
    have_virial = probe != NULL;
    if (probe) fclose(probe);
    if (have_virial && (rc = ml_npy_read(path, &virial))) goto done;
    const long nf = box.ndim >= 1 ? box.shape[0] : 0;
    if (box.count != 9 * nf || coord.count != 3L * natoms * nf || energy.count != nf ||
        (have_force && force.count != 3L * natoms * nf) || (have_virial && virial.count != 9 * nf) || nf < 1) {
        rc = SR_ERROR(SR_EPARSE, "%s/%s: inconsistent shapes: box %ld values, coord %ld, energy "
                      "%ld, force %ld, virial %ld for %ld frames of %d atoms", dir, set, box.count, coord.count,
                      energy.count, have_force ? force.count : 0L, have_virial ? virial.count : 0L, nf, natoms);
        goto done;
    }
    for (long k = 0; k < nf; k++) {
        const double *b = box.data + 9 * k;
        if (b[1] != 0 || b[2] != 0 || b[3] != 0 || b[5] != 0 || b[6] != 0 || b[7] != 0 ||
            !(b[0] > 0) || !(b[4] > 0) || !(b[8] > 0)) {
            rc = SR_ERROR(SR_EUNSUPPORTED, "%s/%s/box.npy frame %ld: only orthorhombic cells "
                          "(diagonal box matrix, positive edges) are supported", dir, set, k);
            goto done;
        }
        ml_frame fr = {natoms, (int *)type, coord.data + 3L * natoms * k, {b[0], b[4], b[8]},
                       energy.data[k], have_force ? force.data + 3L * natoms * k : NULL, 0, {0}};
        if (have_virial) {
            double v6[6];
            md_virial_from_matrix(virial.data + 9 * k, v6);
            for (int c = 0; c < 6; c++)
                if (!isfinite(v6[c])) {
                    rc = SR_ERROR(SR_ENUMERIC, "%s/%s/virial.npy frame %ld: non-finite virial", dir, set, k);
                    goto done;
                }
            memcpy(fr.virial, v6, sizeof v6);
            fr.has_virial = 1;
        }
        for (long q = 0; q < 3L * natoms; q++)
            if (!isfinite(fr.x[q]) || (fr.force && !isfinite(fr.force[q]))) {
                rc = SR_ERROR(SR_ENUMERIC, "%s/%s frame %ld: non-finite coordinate or force", dir,
                              set, k);
                goto done;
            }
        if ((rc = ml_dataset_add(ds, &fr))) goto done;
    }
done:
    ml_npy_free(&box);
    ml_npy_free(&coord);
    ml_npy_free(&energy);
    ml_npy_free(&force);
    ml_npy_free(&virial);
    return rc;
}

int ml_dataset_read_deepmd(ml_dataset *ds, const char *dir)
{
    char path[4096];
    char names[ML_MAX_ELEMENTS][ML_NAME_LEN];
    snprintf(path, sizeof path, "%s/type_map.raw", dir);
    int nnames = read_tokens(path, names, ML_MAX_ELEMENTS);
    if (nnames == -1) return SR_ERROR(SR_EIO, "%s: cannot open (DeePMD system needs type_map.raw)", path);
    if (nnames < 1)
        return SR_ERROR(SR_EPARSE, "%s: expected 1..%d element names of < %d characters", path,
                        ML_MAX_ELEMENTS, ML_NAME_LEN);
    /* map file types onto the dataset's element list */
    int map[ML_MAX_ELEMENTS];
    for (int t = 0; t < nnames; t++) {
        int e = -1;
        for (int k = 0; k < ds->nelem; k++)
            if (!strcmp(ds->type_map[k], names[t])) e = k;
        if (e < 0) {
            if (ds->nelem >= ML_MAX_ELEMENTS)
                return SR_ERROR(SR_ERANGE, "%s: more than %d elements in the data", path,
                                ML_MAX_ELEMENTS);
            e = ds->nelem++;
            strcpy(ds->type_map[e], names[t]);
        }
        map[t] = e;
    }
    snprintf(path, sizeof path, "%s/type.raw", dir);
    FILE *f = fopen(path, "r");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot open", path);
    int cap = 256, n = 0, t;
    int *type = malloc(sizeof(int) * (size_t)cap);
    while (type && fscanf(f, "%d", &t) == 1) {
        if (t < 0 || t >= nnames) {
            fclose(f);
            free(type);
            return SR_ERROR(SR_EPARSE, "%s: atom %d has type %d, type_map.raw names %d types", path,
                            n + 1, t, nnames);
        }
        if (n == cap) {
            int *nt = realloc(type, sizeof(int) * (size_t)(cap *= 2));
            if (!nt) {
                free(type);
                type = NULL;
                break;
            }
            type = nt;
        }
        type[n++] = map[t];
    }
    const int bad = !feof(f);
    fclose(f);
    if (!type) return SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
    if (bad || n < 1) {
        free(type);
        return SR_ERROR(SR_EPARSE, "%s: expected one non-negative integer per atom", path);
    }
    DIR *dp = opendir(dir);
    if (!dp) {
        free(type);
        return SR_ERROR(SR_EIO, "%s: cannot open directory", dir);
    }
    char *sets[1024];
    int nsets = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && nsets < 1024)
        if (!strncmp(de->d_name, "set.", 4)) sets[nsets++] = strdup(de->d_name);
    closedir(dp);
    qsort(sets, (size_t)nsets, sizeof(char *), cmp_str);
    int rc = nsets ? SR_OK : SR_ERROR(SR_EIO, "%s: no set.* directories", dir);
    for (int k = 0; k < nsets; k++) {
        if (!rc) rc = read_set(ds, dir, sets[k], n, type);
        free(sets[k]);
    }
    free(type);
    return rc;
}

/* Extended XYZ through the io module's reader (ASE convention: Lattice, Properties with species,
 * pos and optionally forces, energy in the comment line). Orthorhombic cells only. */
int ml_dataset_read_extxyz(ml_dataset *ds, const char *path)
{
    io_typemap tm;
    io_typemap_init(&tm);
    for (int e = 0; e < ds->nelem; e++) {
        int idx;
        SR_TRY(io_typemap_add(&tm, ds->type_map[e], &idx));
    }
    io_frame *frames = NULL;
    int nframes = 0;
    SR_TRY(io_extxyz_read(path, &tm, &frames, &nframes));
    int rc = SR_OK, map[IO_MAXTYPES];
    for (int t = 0; t < tm.ntypes && !rc; t++) {
        int e = -1;
        for (int k = 0; k < ds->nelem; k++)
            if (!strcmp(ds->type_map[k], tm.name[t])) e = k;
        if (e < 0) {
            if (ds->nelem >= ML_MAX_ELEMENTS || strlen(tm.name[t]) >= ML_NAME_LEN) {
                rc = SR_ERROR(SR_ERANGE, "%s: more than %d elements (or a name too long)", path,
                              ML_MAX_ELEMENTS);
                break;
            }
            e = ds->nelem++;
            strcpy(ds->type_map[e], tm.name[t]);
        }
        map[t] = e;
    }
    for (int k = 0; k < nframes && !rc; k++) {
        const io_frame *f = &frames[k];
        if (!isfinite(f->energy)) {
            rc = SR_ERROR(SR_EPARSE, "%s: frame %d has no energy (energy=... in the comment line)",
                          path, k + 1);
            break;
        }
        if (!(f->len[0] > 0) || !(f->len[1] > 0) || !(f->len[2] > 0)) {
            rc = SR_ERROR(SR_EPARSE, "%s: frame %d has no periodic orthorhombic Lattice", path, k + 1);
            break;
        }
        int *type = malloc(sizeof(int) * (size_t)(f->n ? f->n : 1));
        if (!type) {
            rc = SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
            break;
        }
        for (int i = 0; i < f->n; i++) type[i] = map[f->type[i]];
        ml_frame fr = {f->n, type, f->x, {f->len[0], f->len[1], f->len[2]}, f->energy, f->f, f->has_virial, {0}};
        memcpy(fr.virial, f->virial, sizeof fr.virial);
        rc = ml_dataset_add(ds, &fr);
        free(type);
    }
    io_frames_free(frames, nframes);
    return rc;
}

int ml_dataset_write_extxyz(const ml_dataset *ds, const char *path)
{
    io_typemap tm;
    io_typemap_init(&tm);
    for (int e = 0; e < ds->nelem; e++) {
        int idx;
        SR_TRY(io_typemap_add(&tm, ds->type_map[e], &idx));
    }
    io_frame *fr = calloc((size_t)(ds->nframes ? ds->nframes : 1), sizeof *fr);
    if (!fr) return SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
    /* views of the frames (lower corner 0: ml frames are periodic with the box at the origin) */
    for (int k = 0; k < ds->nframes; k++) {
        const ml_frame *f = &ds->frames[k];
        fr[k].n = f->n;
        fr[k].type = f->type;
        fr[k].x = f->x;
        fr[k].f = f->force;
        fr[k].energy = f->energy;
        fr[k].has_virial = f->has_virial;
        memcpy(fr[k].virial, f->virial, sizeof f->virial);
        memcpy(fr[k].len, f->box, sizeof f->box);
    }
    int rc = io_extxyz_write(path, fr, ds->nframes, &tm);
    free(fr);
    return rc;
}

int ml_frame_fingerprint(const ml_model *m, const ml_frame *fr, double *fp)
{
    const int nf = m->nf, ne = m->nelem;
    ml_neigh nb = {0};
    SR_TRY(ml_neigh_build(fr, m->desc->cutoff(&m->sf), &nb));
    int nmax = 0;
    for (int i = 0; i < fr->n; i++)
        if (nb.first[i + 1] - nb.first[i] > nmax) nmax = nb.first[i + 1] - nb.first[i];
    double *G = malloc(sizeof(double) * (size_t)nf);
    void *work = malloc(m->desc->work_size(&m->sf, nmax) + 64);
    int cnt[ML_MAX_ELEMENTS] = {0};
    if (!G || !work) {
        free(G);
        free(work);
        ml_neigh_free(&nb);
        return SR_ERROR(SR_ENOMEM, "fingerprint: out of memory");
    }
    memset(fp, 0, sizeof(double) * (size_t)ne * nf);
    for (int i = 0; i < fr->n; i++) {
        const ml_env env = ml_neigh_env(&nb, fr, i);
        m->desc->compute(&m->sf, &env, G, NULL, work);
        const int t = env.type;
        const double *sd = m->g_std + (size_t)t * nf;
        for (int f = 0; f < nf; f++) fp[(size_t)t * nf + f] += G[f] / sd[f];
        cnt[t]++;
    }
    for (int t = 0; t < ne; t++)
        for (int f = 0; f < nf && cnt[t]; f++) fp[(size_t)t * nf + f] /= cnt[t];
    free(G);
    free(work);
    ml_neigh_free(&nb);
    return SR_OK;
}
