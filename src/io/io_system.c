/* io_system.c - build an md_system from a frame read by io (the only io file calling md functions). */
#include "io.h"

#include <math.h>
#include <string.h>

int io_frame_to_system(const io_frame *fr, const io_typemap *tm, int units, md_system **out)
{
    *out = NULL;
    if (!tm || tm->ntypes < 1 || tm->ntypes > IO_MAXTYPES)
        return SR_ERROR(SR_EINVAL, "io_frame_to_system: the type map has no types");
    for (int t = 0; t < tm->ntypes; t++)
        if (!(tm->mass[t] > 0.0) || !isfinite(tm->mass[t]))
            return SR_ERROR(SR_EINVAL, "mass of type %d ('%s') is unknown or not positive: set it in the type map",
                            t + 1, tm->name[t]);
    for (int i = 0; i < fr->n; i++)
        if (fr->type[i] < 0 || fr->type[i] >= tm->ntypes)
            return SR_ERROR(SR_EINVAL, "io_frame_to_system: atom %d has type %d outside the type map (0..%d)", i + 1,
                            fr->type[i], tm->ntypes - 1);
    md_system *s = md_system_create(fr->n, tm->ntypes, units);
    if (!s) return SR_ERROR(SR_ENOMEM, "io_frame_to_system: cannot create a system of %d atoms", fr->n);
    const char *names[IO_MAXTYPES];
    for (int t = 0; t < tm->ntypes; t++) names[t] = tm->name[t];
    int rc = md_system_set_types(s, tm->ntypes, tm->mass, names);
    if (!rc) rc = md_system_set_box(s, fr->lo, fr->len);
    if (rc) {
        md_system_free(s);
        return rc;
    }
    for (int i = 0; i < fr->n; i++) {
        s->type[i] = fr->type[i];
        s->id[i] = i + 1;
        for (int d = 0; d < 3; d++) {
            s->x[3 * i + d] = fr->x[3 * i + d];
            s->v[3 * i + d] = fr->v ? fr->v[3 * i + d] : 0.0;
            s->image[3 * i + d] = fr->image ? fr->image[3 * i + d] : 0;
        }
    }
    *out = s;
    return SR_OK;
}
