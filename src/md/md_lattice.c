/* Lattice builders: orthorhombic unit cells, scaled so the nearest-neighbour distance is `nn`. */
#include <math.h>
#include <string.h>

#include "md.h"

typedef struct lattice_def {
    const char *name;
    double cell[3]; /* edge lengths for nearest-neighbour distance 1 */
    int natoms;
    double basis[8][3]; /* fractional coordinates */
} lattice_def;

#define S3 1.7320508075688772  /* sqrt(3) */
#define S83 1.6329931618554521 /* sqrt(8/3): ideal c/a of hcp */

static const lattice_def lattices[MD_LATTICE_NKINDS] = {
    [MD_LATTICE_SC] = {"sc", {1, 1, 1}, 1, {{0, 0, 0}}},
    [MD_LATTICE_BCC] = {"bcc", {2 / S3, 2 / S3, 2 / S3}, 2, {{0, 0, 0}, {.5, .5, .5}}},
    [MD_LATTICE_FCC] = {"fcc", {1.4142135623730951, 1.4142135623730951, 1.4142135623730951}, 4,
                        {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}}},
    /* hcp, ideal c/a: a x sqrt(3)a x c, layers A (z=0) and B (z=1/2) */
    [MD_LATTICE_HCP] = {"hcp", {1, S3, S83}, 4,
                        {{0, 0, 0}, {.5, .5, 0}, {0, 1. / 3, .5}, {.5, 5. / 6, .5}}},
    /* cubic diamond (ice Ic oxygens): fcc + (1/4,1/4,1/4), a = 4 nn / sqrt(3) */
    [MD_LATTICE_DIAMOND] = {"diamond", {4 / S3, 4 / S3, 4 / S3}, 8,
                            {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5},
                             {.25, .25, .25}, {.75, .75, .25}, {.75, .25, .75}, {.25, .75, .75}}},
    /* hexagonal diamond (ice Ih oxygens), ideal tetrahedra: a = sqrt(8/3) nn, c = 8/3 nn; hcp sites
     * doubled along c by u = 3/8. Orthorhombic a x sqrt(3)a x c: near-cubic boxes for nx:ny:nz ~ 5:3:3. */
    [MD_LATTICE_HEXDIAMOND] = {"hexdiamond", {S83, S83 * S3, 8.0 / 3.0}, 8,
                               {{0, 0, 0}, {.5, .5, 0}, {0, 1. / 3, .5}, {.5, 5. / 6, .5},
                                {0, 0, .375}, {.5, .5, .375}, {0, 1. / 3, .875}, {.5, 5. / 6, .875}}},
};

int md_lattice_parse(const char *name, int *kind)
{
    for (int k = 0; k < MD_LATTICE_NKINDS; k++)
        if (strcmp(name, lattices[k].name) == 0) {
            *kind = k;
            return SR_OK;
        }
    if (strcmp(name, "ice_ih") == 0 || strcmp(name, "iceIh") == 0) {
        *kind = MD_LATTICE_HEXDIAMOND;
        return SR_OK;
    }
    if (strcmp(name, "ice_ic") == 0 || strcmp(name, "iceIc") == 0) {
        *kind = MD_LATTICE_DIAMOND;
        return SR_OK;
    }
    return SR_ERROR(SR_EINVAL,
                    "unknown lattice '%s' (expected sc, bcc, fcc, hcp, diamond, hexdiamond, ice_ih, ice_ic)",
                    name);
}

const char *md_lattice_name(int kind)
{
    return (kind >= 0 && kind < MD_LATTICE_NKINDS) ? lattices[kind].name : "?";
}

int md_lattice_cell(int kind, double cell[3], int *natoms)
{
    if (kind < 0 || kind >= MD_LATTICE_NKINDS) return SR_ERROR(SR_EINVAL, "unknown lattice kind %d", kind);
    for (int k = 0; k < 3; k++) cell[k] = lattices[kind].cell[k];
    *natoms = lattices[kind].natoms;
    return SR_OK;
}

double md_lattice_nn_for_density(int kind, double rho)
{
    if (kind < 0 || kind >= MD_LATTICE_NKINDS || !(rho > 0)) return NAN;
    const lattice_def *L = &lattices[kind];
    double v1 = L->cell[0] * L->cell[1] * L->cell[2];
    return cbrt(L->natoms / (rho * v1));
}

int md_lattice_build(int kind, double nn, int nx, int ny, int nz, int units, md_system **out)
{
    *out = NULL;
    if (kind < 0 || kind >= MD_LATTICE_NKINDS) return SR_ERROR(SR_EINVAL, "unknown lattice kind %d", kind);
    if (!(nn > 0) || !isfinite(nn))
        return SR_ERROR(SR_EINVAL, "nearest-neighbour distance must be positive (got %g)", nn);
    if (nx < 1 || ny < 1 || nz < 1 || (double)nx * ny * nz * lattices[kind].natoms > 1e8)
        return SR_ERROR(SR_EINVAL, "lattice repetitions %d x %d x %d out of range", nx, ny, nz);
    const lattice_def *L = &lattices[kind];
    int n = nx * ny * nz * L->natoms;
    md_system *s = md_system_create(n, 1, units);
    if (!s) return SR_ERROR(SR_ENOMEM, "out of memory building %d atoms", n);
    double a[3], lo[3] = {0, 0, 0}, len[3];
    for (int k = 0; k < 3; k++) a[k] = L->cell[k] * nn;
    len[0] = nx * a[0];
    len[1] = ny * a[1];
    len[2] = nz * a[2];
    md_system_set_box(s, lo, len);
    int i = 0;
    for (int iz = 0; iz < nz; iz++)
        for (int iy = 0; iy < ny; iy++)
            for (int ix = 0; ix < nx; ix++)
                for (int b = 0; b < L->natoms; b++, i++) {
                    s->x[3 * i + 0] = (ix + L->basis[b][0]) * a[0];
                    s->x[3 * i + 1] = (iy + L->basis[b][1]) * a[1];
                    s->x[3 * i + 2] = (iz + L->basis[b][2]) * a[2];
                }
    *out = s;
    return SR_OK;
}
