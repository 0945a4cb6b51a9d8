/* Checkpoints: a versioned little binary format with an FNV-1a checksum, written to path.tmp and renamed.
 * Layout: "SRCKPT01" | u32 version | i32 units n ntypes | i64 step | f64 time heat | box lo[3] len[3] |
 *         masses | names[16] | x v (3n f64) | type (n i32) | id (n i64) | image (3n i32) |
 *         i32 rng bytes | rng state | u64 checksum of everything before it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "../common/sr_hash.h"

#define CKPT_MAGIC "SRCKPT01"
#define CKPT_VERSION 1u

void md_integrator_state_get(const md_integrator *in, double *heat, gsl_rng **rng);
void md_integrator_state_set(md_integrator *in, double heat);

typedef struct wbuf {
    FILE *fp;
    uint64_t h;
    int err;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    if (w->err || n == 0) return;
    if (fwrite(p, 1, n, w->fp) != n) w->err = 1;
    w->h = sr_fnv1a64(w->h, p, n);
}

int md_checkpoint_write(const char *path, const md_system *s, const md_integrator *in)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return SR_ERROR(SR_EINVAL, "checkpoint path too long");
    FILE *fp = fopen(tmp, "wb");
    if (!fp) return SR_ERROR(SR_EIO, "%s: cannot write checkpoint: %s", tmp, strerror(errno));
    wbuf w = {fp, SR_FNV1A64_INIT, 0};
    uint32_t ver = CKPT_VERSION;
    int32_t hdr[3] = {s->units, s->n, s->ntypes};
    int64_t step = s->step;
    double heat = 0.0;
    gsl_rng *rng = NULL;
    if (in) md_integrator_state_get(in, &heat, &rng);
    double t2[2] = {s->time, heat};
    put(&w, CKPT_MAGIC, 8);
    put(&w, &ver, sizeof ver);
    put(&w, hdr, sizeof hdr);
    put(&w, &step, sizeof step);
    put(&w, t2, sizeof t2);
    put(&w, s->box.lo, 3 * sizeof(double));
    put(&w, s->box.len, 3 * sizeof(double));
    put(&w, s->mass, (size_t)s->ntypes * sizeof(double));
    put(&w, s->type_name, (size_t)s->ntypes * sizeof *s->type_name);
    put(&w, s->x, 3 * (size_t)s->n * sizeof(double));
    put(&w, s->v, 3 * (size_t)s->n * sizeof(double));
    put(&w, s->type, (size_t)s->n * sizeof(int32_t));
    put(&w, s->id, (size_t)s->n * sizeof(int64_t));
    put(&w, s->image, 3 * (size_t)s->n * sizeof(int32_t));
    int32_t rbytes = rng ? (int32_t)gsl_rng_size(rng) : 0;
    put(&w, &rbytes, sizeof rbytes);
    if (rng) put(&w, gsl_rng_state(rng), (size_t)rbytes);
    uint64_t h = w.h;
    put(&w, &h, sizeof h);
    if (fflush(fp) != 0) w.err = 1;
    if (fclose(fp) != 0) w.err = 1;
    if (w.err) {
        remove(tmp);
        return SR_ERROR(SR_EIO, "%s: write failed (disk full?)", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return SR_ERROR(SR_EIO, "%s: cannot rename checkpoint: %s", path, strerror(errno));
    }
    return SR_OK;
}

typedef struct rbuf {
    const unsigned char *p;
    size_t len, off;
    uint64_t h;
    const char *path;
} rbuf;

static int get(rbuf *r, void *dst, size_t n, const char *what)
{
    if (n > r->len - r->off)
        return SR_ERROR(SR_EPARSE, "%s: offset %zu: truncated checkpoint (expected %zu bytes of %s)", r->path,
                        r->off, n, what);
    memcpy(dst, r->p + r->off, n);
    r->h = sr_fnv1a64(r->h, r->p + r->off, n);
    r->off += n;
    return SR_OK;
}

int md_checkpoint_read(const char *path, md_system **sout, md_integrator *in)
{
    if (sout) *sout = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return SR_ERROR(SR_EIO, "%s: cannot open checkpoint: %s", path, strerror(errno));
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (len < 0 || len > (1L << 34)) {
        fclose(fp);
        return SR_ERROR(SR_EPARSE, "%s: not a checkpoint (size %ld)", path, len);
    }
    unsigned char *buf = malloc((size_t)len + 1);
    if (!buf) {
        fclose(fp);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    size_t got = fread(buf, 1, (size_t)len, fp);
    fclose(fp);
    int rc = got == (size_t)len ? SR_OK : SR_ERROR(SR_EIO, "%s: read error", path);
    md_system *s = NULL;
    rc = rc ? rc : md_checkpoint_read_buffer(buf, (size_t)len, path, &s, in);
    free(buf);
    if (rc) return rc;
    if (sout)
        *sout = s;
    else
        md_system_free(s);
    return SR_OK;
}

int md_checkpoint_read_buffer(const void *data, size_t len, const char *path, md_system **sout,
                              md_integrator *in)
{
    *sout = NULL;
    rbuf r = {data, len, 0, SR_FNV1A64_INIT, path};
    char magic[8];
    uint32_t ver = 0;
    int32_t hdr[3] = {0, 0, 0};
    int64_t step = 0;
    double t2[2] = {0, 0};
    SR_TRY(get(&r, magic, 8, "magic"));
    if (memcmp(magic, CKPT_MAGIC, 8) != 0)
        return SR_ERROR(SR_EPARSE, "%s: offset 0: not a seedrate checkpoint (expected magic %s)", path, CKPT_MAGIC);
    SR_TRY(get(&r, &ver, sizeof ver, "version"));
    if (ver != CKPT_VERSION)
        return SR_ERROR(SR_EPARSE, "%s: offset 8: checkpoint version %u, this seedrate reads version %u", path,
                        ver, CKPT_VERSION);
    SR_TRY(get(&r, hdr, sizeof hdr, "header"));
    if ((hdr[0] != MD_UNITS_LJ && hdr[0] != MD_UNITS_METAL) || hdr[1] < 0 || hdr[2] < 1 || hdr[2] > 64 ||
        (size_t)hdr[1] > len / 40)
        return SR_ERROR(SR_EPARSE, "%s: offset 12: bad header (units %d, atoms %d, types %d)", path, hdr[0],
                        hdr[1], hdr[2]);
    SR_TRY(get(&r, &step, sizeof step, "step"));
    SR_TRY(get(&r, t2, sizeof t2, "time"));
    md_system *s = md_system_create(hdr[1], hdr[2], hdr[0]);
    if (!s) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = SR_OK;
    double lo[3], L[3];
    rc = rc ? rc : get(&r, lo, sizeof lo, "box");
    rc = rc ? rc : get(&r, L, sizeof L, "box");
    rc = rc ? rc : md_system_set_box(s, lo, L);
    rc = rc ? rc : get(&r, s->mass, (size_t)hdr[2] * sizeof(double), "masses");
    rc = rc ? rc : get(&r, s->type_name, (size_t)hdr[2] * sizeof *s->type_name, "type names");
    rc = rc ? rc : get(&r, s->x, 3 * (size_t)hdr[1] * sizeof(double), "positions");
    rc = rc ? rc : get(&r, s->v, 3 * (size_t)hdr[1] * sizeof(double), "velocities");
    rc = rc ? rc : get(&r, s->type, (size_t)hdr[1] * sizeof(int32_t), "types");
    rc = rc ? rc : get(&r, s->id, (size_t)hdr[1] * sizeof(int64_t), "ids");
    rc = rc ? rc : get(&r, s->image, 3 * (size_t)hdr[1] * sizeof(int32_t), "images");
    int32_t rbytes = 0;
    rc = rc ? rc : get(&r, &rbytes, sizeof rbytes, "rng size");
    unsigned char rstate[8192];
    if (!rc && (rbytes < 0 || rbytes > (int32_t)sizeof rstate))
        rc = SR_ERROR(SR_EPARSE, "%s: offset %zu: bad random-state size %d", path, r.off, rbytes);
    rc = rc ? rc : get(&r, rstate, (size_t)rbytes, "random state");
    if (!rc) {
        uint64_t expect = r.h, h = 0;
        rc = get(&r, &h, sizeof h, "checksum");
        if (!rc && h != expect)
            rc = SR_ERROR(SR_EPARSE, "%s: offset %zu: checksum mismatch (file corrupted)", path, r.off - 8);
        if (!rc && r.off != len)
            rc = SR_ERROR(SR_EPARSE, "%s: offset %zu: %zu trailing bytes", path, r.off, len - r.off);
    }
    for (int i = 0; !rc && i < hdr[1]; i++) {
        if (s->type[i] < 0 || s->type[i] >= hdr[2])
            rc = SR_ERROR(SR_EPARSE, "%s: atom %d has type %d outside [1, %d]", path, i + 1, s->type[i] + 1, hdr[2]);
        for (int k = 0; k < 3 && !rc; k++)
            if (!isfinite(s->x[3 * i + k]) || !isfinite(s->v[3 * i + k]))
                rc = SR_ERROR(SR_EPARSE, "%s: atom %d has a non-finite position or velocity", path, i + 1);
    }
    for (int t = 0; !rc && t < hdr[2]; t++) {
        s->type_name[t][15] = '\0';
        if (!(s->mass[t] > 0)) rc = SR_ERROR(SR_EPARSE, "%s: type %d has mass %g", path, t + 1, s->mass[t]);
    }
    if (rc) {
        md_system_free(s);
        return rc;
    }
    s->step = step;
    s->time = t2[0];
    if (in) {
        double heat;
        gsl_rng *rng;
        md_integrator_state_get(in, &heat, &rng);
        if (rng) {
            if ((size_t)rbytes != gsl_rng_size(rng)) {
                md_system_free(s);
                return SR_ERROR(SR_EPARSE, "%s: random state of %d bytes does not fit this generator (%zu)", path,
                                rbytes, gsl_rng_size(rng));
            }
            memcpy(gsl_rng_state(rng), rstate, (size_t)rbytes);
        }
        md_integrator_state_set(in, t2[1]);
    }
    *sout = s;
    return SR_OK;
}
