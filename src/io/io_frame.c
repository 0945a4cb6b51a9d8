/* io_frame.c - type maps and frames: the neutral in-memory form of extxyz / LAMMPS data input. */
#include "io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void io_typemap_init(io_typemap *m)
{
    memset(m, 0, sizeof *m);
    for (int t = 0; t < IO_MAXTYPES; t++) m->mass[t] = NAN;
}

int io_typemap_find(const io_typemap *m, const char *name)
{
    for (int t = 0; t < m->ntypes && t < IO_MAXTYPES; t++)
        if (strncmp(m->name[t], name, IO_NAMELEN) == 0) return t;
    return -1;
}

int io_typemap_add(io_typemap *m, const char *name, int *index)
{
    if (!name || !*name) return SR_ERROR(SR_EINVAL, "empty species name");
    if (strlen(name) >= IO_NAMELEN)
        return SR_ERROR(SR_EINVAL, "species name '%.*s...' longer than %d characters", IO_NAMELEN, name,
                        IO_NAMELEN - 1);
    int t = io_typemap_find(m, name);
    if (t >= 0) {
        *index = t;
        return SR_OK;
    }
    if (m->fixed) return SR_ERROR(SR_EINVAL, "species '%s' is not in the type map", name);
    if (m->ntypes >= IO_MAXTYPES) return SR_ERROR(SR_ERANGE, "more than %d species", IO_MAXTYPES);
    t = m->ntypes++;
    strcpy(m->name[t], name);
    m->mass[t] = NAN;
    *index = t;
    return SR_OK;
}

void io_frame_free(io_frame *fr)
{
    if (!fr) return;
    free(fr->type);
    free(fr->x);
    free(fr->v);
    free(fr->f);
    free(fr->id);
    free(fr->image);
    memset(fr, 0, sizeof *fr);
    fr->energy = NAN;
}

void io_frames_free(io_frame *frames, int nframes)
{
    if (!frames) return;
    for (int k = 0; k < nframes; k++) io_frame_free(&frames[k]);
    free(frames);
}

int io_id_order(const md_system *s, int *order)
{
    const int n = s->n;
    for (int a = 0; a < n; a++) order[a] = s->id ? -1 : a;
    if (!s->id) return SR_OK;
    for (int i = 0; i < n; i++) {
        const int64_t id = s->id[i];
        if (id < 1 || id > n || order[id - 1] >= 0)
            return SR_ERROR(SR_EINVAL, "atom ids must be a permutation of 1..%d (id %lld at index %d is %s)", n,
                            (long long)id, i, id < 1 || id > n ? "out of range" : "repeated");
        order[id - 1] = i;
    }
    return SR_OK;
}

int io_frame_from_system(const md_system *s, int with_forces, io_frame *fr, io_typemap *tm)
{
    const int n = s->n;
    memset(fr, 0, sizeof *fr);
    fr->energy = NAN;
    if (n < 0) return SR_ERROR(SR_EINVAL, "io_frame_from_system: n = %d", n);
    /* order[a] = local index of the atom with id a+1 (index order when ids are absent) */
    int *order = malloc((n > 0 ? (size_t)n : 1) * sizeof *order);
    fr->type = malloc((n > 0 ? (size_t)n : 1) * sizeof *fr->type);
    fr->x = malloc((n > 0 ? 3 * (size_t)n : 1) * sizeof *fr->x);
    if (s->v) fr->v = malloc((n > 0 ? 3 * (size_t)n : 1) * sizeof *fr->v);
    if (with_forces && s->f) fr->f = malloc((n > 0 ? 3 * (size_t)n : 1) * sizeof *fr->f);
    if (!order || !fr->type || !fr->x || (s->v && !fr->v) || (with_forces && s->f && !fr->f)) {
        free(order);
        io_frame_free(fr);
        return SR_ERROR(SR_ENOMEM, "io_frame_from_system: out of memory");
    }
    int rc = io_id_order(s, order);
    if (rc) {
        free(order);
        io_frame_free(fr);
        return rc;
    }
    fr->n = n;
    for (int a = 0; a < n; a++) {
        const int i = order[a];
        fr->type[a] = s->type ? s->type[i] : 0;
        for (int d = 0; d < 3; d++) {
            fr->x[3 * a + d] = s->x[3 * i + d];
            if (fr->v) fr->v[3 * a + d] = s->v[3 * i + d];
            if (fr->f) fr->f[3 * a + d] = s->f[3 * i + d];
        }
    }
    free(order);
    for (int d = 0; d < 3; d++) {
        fr->lo[d] = s->box.lo[d];
        fr->len[d] = s->box.len[d];
    }
    if (tm) {
        io_typemap_init(tm);
        tm->ntypes = s->ntypes < IO_MAXTYPES ? s->ntypes : IO_MAXTYPES;
        for (int t = 0; t < tm->ntypes; t++) {
            if (s->type_name)
                snprintf(tm->name[t], IO_NAMELEN, "%s", s->type_name[t]);
            else
                snprintf(tm->name[t], IO_NAMELEN, "%d", t + 1);
            if (s->mass) tm->mass[t] = s->mass[t];
        }
        tm->fixed = 1;
    }
    return SR_OK;
}
