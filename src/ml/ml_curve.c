/* ml_curve.c - the learning curve of a training run as a netCDF file (one record per evaluation). */
#include <string.h>

#include <netcdf.h>

#include "ml.h"

static int curve_fail(int st, const char *call, const char *var, const char *path)
{
    return SR_ERROR(SR_ENETCDF, "%s: %s (%s): %s", path, call, var, nc_strerror(st));
}

#define NCC(call, var)                                       \
    do {                                                     \
        int st_ = (call);                                    \
        if (st_ != NC_NOERR) {                               \
            rc = curve_fail(st_, #call, (var), path);        \
            goto done;                                       \
        }                                                    \
    } while (0)

int ml_train_report_write(const ml_train_report *r, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return SR_ERROR(SR_EINVAL, "file name too long: %s", path);
    int rc = SR_OK, ncid = -1, dim, v[6];
    static const char *names[6] = {"step", "learning_rate", "rmse_e_train", "rmse_f_train",
                                   "rmse_e_validation", "rmse_f_validation"};
    static const char *units[6] = {"1", "1", "eV", "eV angstrom-1", "eV", "eV angstrom-1"};
    static const char *longn[6] = {"Adam step", "learning rate",
                                   "RMSE of the energy per atom, training frames",
                                   "RMSE of force components, training frames",
                                   "RMSE of the energy per atom, validation frames",
                                   "RMSE of force components, validation frames"};
    const double *data[6] = {NULL, r->lr, r->rmse_e_train, r->rmse_f_train, r->rmse_e_val,
                             r->rmse_f_val};
    NCC(nc_create(tmp, NC_CLOBBER | NC_64BIT_OFFSET, &ncid), tmp);
    NCC(nc_def_dim(ncid, "point", (size_t)(r->npoints > 0 ? r->npoints : 1), &dim), "point");
    for (int k = 0; k < 6; k++) {
        NCC(nc_def_var(ncid, names[k], k ? NC_DOUBLE : NC_INT, 1, &dim, &v[k]), names[k]);
        NCC(nc_put_att_text(ncid, v[k], "units", strlen(units[k]), units[k]), names[k]);
        NCC(nc_put_att_text(ncid, v[k], "long_name", strlen(longn[k]), longn[k]), names[k]);
    }
    const char *title = "seedrate train: learning curve";
    NCC(nc_put_att_text(ncid, NC_GLOBAL, "title", strlen(title), title), "title");
    NCC(nc_put_att_long(ncid, NC_GLOBAL, "best_step", NC_INT, 1, &r->best_step), "best_step");
    NCC(nc_put_att_double(ncid, NC_GLOBAL, "seconds", NC_DOUBLE, 1, &r->seconds), "seconds");
    NCC(nc_enddef(ncid), tmp);
    if (r->npoints > 0) {
        for (int p = 0; p < r->npoints; p++) {
            const size_t idx = (size_t)p;
            const int s = (int)r->step[p];
            NCC(nc_put_var1_int(ncid, v[0], &idx, &s), "step");
        }
        for (int k = 1; k < 6; k++) NCC(nc_put_var_double(ncid, v[k], data[k]), names[k]);
    }
    NCC(nc_close(ncid), tmp);
    ncid = -1;
    if (rename(tmp, path)) rc = SR_ERROR(SR_EIO, "%s: cannot rename to %s", tmp, path);
done:
    if (ncid >= 0) nc_close(ncid);
    return rc;
}
