/* eis: descriptions of the fit and DRT result types for the report layer (ssb_report.h). Every writer of a fit
 * or a DRT (the CLI's tables, JSON and CSV) takes keys, headers and units from here. */
#include "eis_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

int ssb_eis_fit_param_row_get(const ssb_eis_circuit *c, const ssb_eis_fit_result *res, const int *fixed, int k,
                              ssb_eis_fit_param_row *row)
{
    if (!c || !res || !row || k < 0 || k >= res->nparams || k >= ssb_eis_circuit_get_nparams(c))
        return SSB_ERR_ARG;
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", ssb_eis_circuit_get_param_name(c, k));
    snprintf(row->unit, sizeof row->unit, "%s", ssb_eis_circuit_get_param_unit(c, k));
    row->value = res->p[k];
    row->std_err = res->std_err[k];
    row->ci_low = res->ci_low[k];
    row->ci_high = res->ci_high[k];
    row->fixed = fixed ? fixed[k] != 0 : 0;
    ssb_eis_param_flags_string(res->flags ? res->flags[k] : 0u, row->flags, sizeof row->flags);
    row->corr_max = res->corr_max ? res->corr_max[k] : 0.0;
    return SSB_OK;
}

int ssb_eis_drt_peak_get(const ssb_eis_drt_result *d, int k, ssb_eis_drt_peak *peak)
{
    if (!d || !peak || k < 0 || k >= d->npeaks)
        return SSB_ERR_ARG;
    peak->tau = d->peak_tau[k];
    peak->f = 1.0 / (2.0 * 3.14159265358979323846 * d->peak_tau[k]);
    peak->gamma = d->peak_gamma[k];
    peak->R = d->peak_R[k];
    return SSB_OK;
}

static const char *status_name(int s)
{
    return ssb_eis_fit_status_name(s);
}

static const char *cap_kind_name(int k)
{
    return k == SSB_EIS_CAP_PARALLEL ? "parallel" : "series";
}

static const char *cap_kind_label(int k)
{
    return k == SSB_EIS_CAP_PARALLEL ? "R||CPE" : "series (Brug)";
}

static const char *bound_name(int b)
{
    return b < 0 ? "lower" : b > 0 ? "upper" : "no";
}

#define N_ SSB_UNIT_NONE
#define D_ SSB_FIELD_DOUBLE

#define PR(m) offsetof(ssb_eis_fit_param_row, m)
static const ssb_report_field param_fields[] = {
    {"parameter", "parameter", N_, N_, SSB_FIELD_STRING, PR(name), NULL, NULL, NULL},
    {"unit", "unit", N_, N_, SSB_FIELD_STRING, PR(unit), NULL, NULL, NULL},
    {"value", "value", N_, N_, D_, PR(value), NULL, NULL, NULL},
    {"stderr", "std err", N_, N_, D_, PR(std_err), NULL, NULL, NULL},
    {"ci_low", "CI low", N_, N_, D_, PR(ci_low), NULL, NULL, NULL},
    {"ci_high", "CI high", N_, N_, D_, PR(ci_high), NULL, NULL, NULL},
    {"fixed", "fixed", N_, N_, SSB_FIELD_BOOL, PR(fixed), NULL, NULL, NULL},
    {"flags", "flags", N_, N_, SSB_FIELD_STRING, PR(flags), NULL, NULL, NULL},
    {"corr_max", "max |correlation|", N_, N_, D_, PR(corr_max), "%.5f", NULL, NULL},
};
#undef PR

#define FR(m) offsetof(ssb_eis_fit_result, m)
static const ssb_report_field fit_fields[] = {
    {"status", "status", N_, N_, SSB_FIELD_ENUM, FR(status), NULL, status_name, NULL},
    {"n_flagged", "flagged parameters", N_, N_, SSB_FIELD_INT, FR(n_flagged), NULL, NULL, NULL},
    {"confidence", "confidence level", N_, N_, D_, FR(confidence), "%g", NULL, NULL},
    {"rss", "rss (weighted)", N_, N_, D_, FR(rss), NULL, NULL, NULL},
    {"rss_unweighted", "rss unweighted", SSB_UNIT_OHM2, SSB_UNIT_OHM2, D_, FR(rss_unit), NULL, NULL, NULL},
    {"chi2_red", "reduced chi-square", N_, N_, D_, FR(chi2_red), NULL, NULL, NULL},
    {"dof", "degrees of freedom", N_, N_, SSB_FIELD_INT, FR(dof), NULL, NULL, NULL},
    {"npoints", "points", N_, N_, SSB_FIELD_INT64, FR(npoints), NULL, NULL, NULL},
    {"converged", "converged", N_, N_, SSB_FIELD_BOOL, FR(converged), NULL, NULL, NULL},
    {"iterations", "iterations", N_, N_, SSB_FIELD_INT, FR(iterations), NULL, NULL, NULL},
    {"starts", "starts", N_, N_, SSB_FIELD_INT, FR(starts), NULL, NULL, NULL},
    {"rank_deficient", "J^T J singular", N_, N_, SSB_FIELD_BOOL, FR(rank_deficient), NULL, NULL, NULL},
};
#undef FR

#define CP(m) offsetof(ssb_eis_cap, m)
static const ssb_report_field cap_fields[] = {
    {"element", "element", N_, N_, SSB_FIELD_STRING, CP(name), NULL, NULL, NULL},
    {"kind", "kind", N_, N_, SSB_FIELD_ENUM, CP(kind), NULL, cap_kind_name, cap_kind_label},
    {"R", "R", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, CP(R), NULL, NULL, NULL},
    {"Q", "Q", N_, N_, D_, CP(Q), NULL, NULL, NULL},
    {"n", "n", N_, N_, D_, CP(n), NULL, NULL, NULL},
    {"R_s", "R_s", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, CP(R_s), NULL, NULL, NULL},
    {"f_max", "f_max", SSB_UNIT_HZ, SSB_UNIT_HZ, D_, CP(f_max), NULL, NULL, NULL},
    {"C_eff", "C_eff", SSB_UNIT_F, SSB_UNIT_F, D_, CP(C_eff), NULL, NULL, NULL},
    {"C_eff_std_err", "C_eff std err", SSB_UNIT_F, SSB_UNIT_F, D_, CP(C_eff_std_err), NULL, NULL, NULL},
    {"C_hsu_mansfeld", "C Hsu-Mansfeld", SSB_UNIT_F, SSB_UNIT_F, D_, CP(C_hsu_mansfeld), NULL, NULL, NULL},
    {"C_brug", "C Brug", SSB_UNIT_F, SSB_UNIT_F, D_, CP(C_brug), NULL, NULL, NULL},
};
#undef CP

/* The DRT's JSON keeps its historical keys without unit suffixes and names the units in a "units" object; the
 * fields carry the units for headers and that object (the key suffix of Ohm would otherwise be added). */
#define DR(m) offsetof(ssb_eis_drt_result, m)
static const ssb_report_field drt_fields[] = {
    {"lambda", "lambda", N_, N_, D_, DR(lambda), NULL, NULL, NULL},
    {"gcv", "GCV score", N_, N_, D_, DR(gcv), NULL, NULL, NULL},
    {"lambda_at_bound", "lambda on a GCV bound", N_, N_, SSB_FIELD_ENUM, DR(lambda_at_bound), NULL, bound_name,
     NULL},
    {"capacitive_tail", "capacitive tail", N_, N_, SSB_FIELD_BOOL, DR(capacitive_tail), NULL, NULL, NULL},
    {"eps", "RBF shape eps", N_, N_, D_, DR(eps), NULL, NULL, NULL},
    {"R_inf", "R_inf", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, DR(R_inf), NULL, NULL, NULL},
    {"L", "L", SSB_UNIT_HENRY, SSB_UNIT_HENRY, D_, DR(L), NULL, NULL, NULL},
    {"R_pol", "R_pol", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, DR(R_pol), NULL, NULL, NULL},
    {"rms", "rms residual", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, DR(rms), NULL, NULL, NULL},
};
#undef DR

#define PK(m) offsetof(ssb_eis_drt_peak, m)
static const ssb_report_field peak_fields[] = {
    {"tau", "tau", SSB_UNIT_S, SSB_UNIT_S, D_, PK(tau), NULL, NULL, NULL},
    {"f", "f", SSB_UNIT_HZ, SSB_UNIT_HZ, D_, PK(f), NULL, NULL, NULL},
    {"gamma", "gamma", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, PK(gamma), NULL, NULL, NULL},
    {"R", "R", SSB_UNIT_OHM, SSB_UNIT_OHM, D_, PK(R), NULL, NULL, NULL},
};
#undef PK

#define NF(a) ((int)(sizeof a / sizeof a[0]))
static const ssb_report_type types[SSB_EIS_REPORT_COUNT] = {
    [SSB_EIS_REPORT_FIT_PARAM] = {"fit_parameter", NF(param_fields), param_fields},
    [SSB_EIS_REPORT_FIT] = {"fit", NF(fit_fields), fit_fields},
    [SSB_EIS_REPORT_CAPACITANCE] = {"capacitance", NF(cap_fields), cap_fields},
    [SSB_EIS_REPORT_DRT] = {"drt", NF(drt_fields), drt_fields},
    [SSB_EIS_REPORT_DRT_PEAK] = {"drt_peak", NF(peak_fields), peak_fields},
};

const ssb_report_type *ssb_eis_report_type(ssb_eis_report_kind k)
{
    return (int)k >= 0 && k < SSB_EIS_REPORT_COUNT ? &types[k] : NULL;
}
