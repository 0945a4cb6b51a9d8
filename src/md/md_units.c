/* Unit systems, as LAMMPS Update::set_units() defines them (lammps.org, "units" command). */
#include <string.h>

#include "md.h"

static const md_units units_lj = {
    .style = MD_UNITS_LJ, .name = "lj",
    .boltz = 1.0, .mvv2e = 1.0, .ftm2v = 1.0, .nktv2p = 1.0, .dt_default = 0.005,
    .length = "sigma", .energy = "epsilon", .time = "tau", .mass = "m", .temperature = "epsilon/k_B",
    .pressure = "epsilon/sigma^3", .velocity = "sigma/tau", .force = "epsilon/sigma",
    .density = "sigma^-3",
};

/* metal: Å, eV, ps, g/mol, K, bar. k_B = 8.617343e-5 eV/K; 1 g/mol Å^2/ps^2 = 1.0364269e-4 eV;
 * 1 eV/Å^3 = 1.6021765e6 bar (LAMMPS update.cpp). */
static const md_units units_metal = {
    .style = MD_UNITS_METAL, .name = "metal",
    .boltz = 8.617343e-5, .mvv2e = 1.0364269e-4, .ftm2v = 1.0 / 1.0364269e-4, .nktv2p = 1.6021765e6,
    .dt_default = 0.001,
    .length = "angstrom", .energy = "eV", .time = "picosecond", .mass = "g/mol", .temperature = "K",
    .pressure = "bar", .velocity = "angstrom/picosecond", .force = "eV/angstrom",
    .density = "angstrom^-3",
};

const md_units *md_units_get(int style)
{
    return style == MD_UNITS_METAL ? &units_metal : &units_lj;
}

int md_units_parse(const char *name, int *style)
{
    if (strcmp(name, "lj") == 0) {
        *style = MD_UNITS_LJ;
        return SR_OK;
    }
    if (strcmp(name, "metal") == 0) {
        *style = MD_UNITS_METAL;
        return SR_OK;
    }
    return SR_ERROR(SR_EINVAL, "unknown units '%s' (expected lj or metal)", name);
}
