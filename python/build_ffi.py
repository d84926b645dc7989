#!/usr/bin/env python3
"""Generate the C source of ssbnet's Python extension module (cffi "API mode", out of line).

The declarations below are the part of the public C API (include/ssbnet/*.h) that the Python package uses. Structs
are declared partially (the trailing "...;"): the C compiler, not this file, decides their layout, so they cannot
drift from the headers. CMake runs this script and compiles the emitted C file against the library:

    python3 python/build_ffi.py OUTPUT.c
"""
import sys

import cffi

CDEF = r"""
typedef struct ssb_ctx ssb_ctx;
typedef enum { SSB_OK = 0, SSB_ERR_NOMEM = -1, SSB_ERR_ARG = -2, SSB_ERR_IO = -3, SSB_ERR_FORMAT = -4,
               SSB_ERR_RANGE = -5, SSB_ERR_NOTFOUND = -6, SSB_ERR_NOCONV = -7, SSB_ERR_UNSUPPORTED = -8,
               SSB_ERR_NOPERC = -9, SSB_ERR_CANCELLED = -10, SSB_ERR_BACKEND = -11, SSB_ERR_INTERNAL = -12,
               SSB_ERR_CUTOFF = -13, ... } ssb_errcode;
typedef enum { SSB_LOG_ERROR = 0, SSB_LOG_WARN = 1, SSB_LOG_INFO = 2, SSB_LOG_DEBUG = 3 } ssb_log_level;
typedef void (*ssb_log_fn)(void *user, ssb_log_level level, const char *object, const char *message);
int ssb_ctx_create(ssb_ctx **ctx);
void ssb_ctx_destroy(ssb_ctx **ctx);
void ssb_ctx_set_log(ssb_ctx *ctx, ssb_log_fn fn, void *user, ssb_log_level max_level);
void ssb_ctx_set_threads(ssb_ctx *ctx, int nthreads);
int ssb_ctx_get_error_code(const ssb_ctx *ctx);
const char *ssb_ctx_get_error(const ssb_ctx *ctx);
void ssb_ctx_clear_error(ssb_ctx *ctx);
const char *ssb_version(void);
const char *ssb_errcode_name(int code);
const char *ssb_errcode_message(int code);
extern "Python" void ssbpy_log(void *user, ssb_log_level level, const char *object, const char *message);

/* units (ssb_units.h): display conversions from the library's one units table */
typedef enum { SSB_UNIT_A_PER_M2, SSB_UNIT_MA_PER_CM2, SSB_UNIT_MAH_PER_CM2, SSB_UNIT_MWH_PER_CM2,
               SSB_UNIT_MAH_PER_G, SSB_UNIT_UM, ... } ssb_unit;
double ssb_unit_from_si(ssb_unit u, double si_value);

/* grid */
typedef enum { SSB_AXIS_X = 0, SSB_AXIS_Y = 1, SSB_AXIS_Z = 2 } ssb_axis;
typedef enum { SSB_ROLE_UNDEFINED = 0, SSB_ROLE_ACTIVE, SSB_ROLE_SE, SSB_ROLE_CARBON, SSB_ROLE_PORE,
               SSB_ROLE_COATING, SSB_ROLE_GB, SSB_ROLE_BINDER, SSB_ROLE_COUNT } ssb_phase_role;
typedef struct { uint8_t label; char name[...]; ssb_phase_role role; char material[...]; double sigma_ion;
                 double sigma_el; double thickness; ...; } ssb_phase;
typedef struct ssb_grid ssb_grid;
int ssb_grid_create(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double dx, double dy, double dz,
                    ssb_grid **grid);
void ssb_grid_destroy(ssb_grid **grid);
void ssb_grid_get_dims(const ssb_grid *g, int64_t dims[3]);
void ssb_grid_get_voxel_size(const ssb_grid *g, double h[3]);
int ssb_grid_set_voxel_size(ssb_ctx *ctx, ssb_grid *g, const double h[3]);
uint8_t *ssb_grid_get_labels(ssb_grid *g);
void ssb_grid_histogram(const ssb_grid *g, int64_t counts[256]);
int ssb_grid_set_phase(ssb_ctx *ctx, ssb_grid *g, const ssb_phase *phase);
int ssb_grid_get_nphases(const ssb_grid *g);
const ssb_phase *ssb_grid_get_phase(const ssb_grid *g, int i);
int ssb_role_parse(const char *name, ssb_phase_role *role);
int ssb_axis_parse(ssb_ctx *ctx, const char *s, ssb_axis *axis);
const char *ssb_role_name(ssb_phase_role role);

/* io */
typedef enum { SSB_IO_MAP_IDENTITY = 0, SSB_IO_MAP_LABELS, SSB_IO_MAP_THRESHOLDS } ssb_io_map_kind;
typedef struct { int voxel_size_defaulted; ...; } ssb_io_read_info;
typedef struct { ssb_io_map_kind map; int map_n; const double *map_gray; const uint8_t *map_label; int nthresholds;
                 const double *thresholds; const uint8_t *threshold_labels; double voxel_size[3];
                 ssb_io_read_info *info; ...; } ssb_io_read_params;
ssb_io_read_params ssb_io_read_params_default(void);
int ssb_io_read_image(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid);
typedef struct { ...; } ssb_io_write_params;
ssb_io_write_params ssb_io_write_params_default(void);
int ssb_io_write_image(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p);

/* transport */
typedef enum { SSB_DIRICHLET_FACE = 0, SSB_DIRICHLET_CELL = 1 } ssb_transport_dirichlet;
typedef struct { double rtol; double flux_tol; int64_t max_iter; char backend[...]; int nthreads;
                 int want_fields; int error_if_not_converged; ssb_transport_dirichlet dirichlet; ...; }
    ssb_transport_params;
typedef struct { ssb_axis axis; int percolates; double sigma_eff; double sigma_bulk; double sigma_rel; double eps;
                 double eps_percolating; double tau; double tau_percolating; double macmullin; double current_in;
                 double current_out; double flux_mismatch; double length; double area; int64_t n_unknowns;
                 int64_t iterations; double rel_residual; int converged; char reason[...]; char backend[...];
                 double time_s; double setup_time_s; int64_t peak_bytes; double *potential; double *current;
                 double tau_rel_error_est; ...; } ssb_transport_result;
ssb_transport_params ssb_transport_params_default(void);
typedef enum { SSB_CARRIER_ION = 0, SSB_CARRIER_ELECTRON = 1 } ssb_carrier;
int ssb_transport_sigma_from_phases(ssb_ctx *ctx, const ssb_grid *g, ssb_carrier carrier, double sigma[256]);
int ssb_transport_solve(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                        const ssb_transport_params *params, ssb_transport_result *result);
void ssb_transport_result_destroy(ssb_transport_result *result);

/* microstructure generation */
typedef enum { SSB_MICRO_PSD_MONO = 0, SSB_MICRO_PSD_LOGNORMAL_GSD, ... } ssb_micro_psd_kind;
typedef struct { ssb_micro_psd_kind kind; double d_mean; double gsd; double d_sd; double d_min; double d_max;
                 ...; } ssb_micro_psd;
typedef struct { uint8_t label; char name[...]; ssb_phase_role role; double fraction; ssb_micro_psd psd; ...; }
    ssb_micro_particle_phase;
typedef struct { int nphases; ssb_micro_particle_phase phase[...]; uint8_t matrix_label; char matrix_name[...];
                 ssb_phase_role matrix_role; double overlap; int periodic; uint64_t seed; ...; }
    ssb_micro_electrode_params;
typedef struct { uint8_t label; double target; double fraction; int64_t nvoxels; int64_t nparticles; ...; }
    ssb_micro_phase_result;
typedef struct { int nphases; ssb_micro_phase_result phase[...]; double matrix_fraction; ...; }
    ssb_micro_electrode_result;
ssb_micro_electrode_params ssb_micro_electrode_params_default(void);
int ssb_micro_generate_electrode(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_electrode_params *params,
                                 ssb_micro_electrode_result *result);

/* materials and cell */
typedef struct ssb_materials ssb_materials;
int ssb_materials_create(ssb_ctx *ctx, ssb_materials **db);
int ssb_materials_load_builtin(ssb_ctx *ctx, ssb_materials *db);
void ssb_materials_destroy(ssb_materials **db);
typedef struct ssb_cell_params ssb_cell_params;
int ssb_cell_params_default(ssb_ctx *ctx, const ssb_materials *db, ssb_cell_params **p);
int ssb_cell_params_from_json(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **p);
int ssb_cell_params_from_bpx(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **p);
void ssb_cell_params_destroy(ssb_cell_params **p);
int ssb_cell_params_set(ssb_ctx *ctx, ssb_cell_params *p, const char *key, double value);
int ssb_cell_params_get(ssb_ctx *ctx, const ssb_cell_params *p, const char *key, double *value);
/* the run chain's cathode recipe (ssb_run.h) */
typedef struct { ...; } ssb_cell_values;
void ssb_cell_params_get_values(const ssb_cell_params *p, ssb_cell_values *v);
typedef struct { char cam[...]; char se[...]; char carbon[...]; double cam_fraction; double carbon_fraction;
                 double pore_fraction; double cam_diameter; double cam_gsd; double carbon_diameter;
                 double pore_diameter; double overlap; int64_t dims[3]; double voxel_size; uint64_t seed; ...; }
    ssb_run_cathode;
typedef struct { int micro; char image_file[...]; double voxel_size; int64_t cross_section; uint64_t seed;
                 int nrates; double rates[...]; double cutoff; ...; } ssb_run_params;
ssb_run_params ssb_run_params_default(void);
int ssb_run_cathode_from_cell(ssb_ctx *ctx, const ssb_cell_values *cell, const ssb_run_params *params,
                              ssb_run_cathode *c);
int ssb_run_generate_cathode(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_cathode *c, double T,
                             ssb_grid **grid, ssb_micro_electrode_result *gen);
int ssb_run_assign_materials(ssb_ctx *ctx, const ssb_materials *db, ssb_grid *g, double T, int *n_unknown);
enum { SSB_RUN_LABEL_PORE = 0, SSB_RUN_LABEL_SE = 1, SSB_RUN_LABEL_CAM = 2, SSB_RUN_LABEL_CARBON = 3 };

/* network analysis */
typedef enum { SSB_CONN_6 = 6, SSB_CONN_18 = 18, SSB_CONN_26 = 26 } ssb_connectivity;
typedef struct { int64_t n_set; double set_fraction; int percolates[3]; double percolating_fraction[3];
                 double dead_end_fraction[3]; double isolated_fraction[3]; ...; } ssb_micro_percolation;
int ssb_micro_percolation_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn,
                                  ssb_micro_percolation *out);
typedef enum { SSB_MICRO_SIDE_LOW = 0, SSB_MICRO_SIDE_HIGH = 1 } ssb_micro_side;
typedef struct { ssb_axis axis; ssb_micro_side cc_side; ...; } ssb_micro_cam_params;
typedef struct { double area; double per_volume; ...; } ssb_micro_area;
typedef struct { int64_t n_cam; double cam_fraction; int64_t n_particles; int64_t n_particles_active;
                 double active_fraction; double dead_no_e_fraction; double dead_no_li_fraction;
                 double dead_neither_fraction; ssb_micro_area active_cam_se; ssb_micro_area active_cam_se_mc;
                 double mc_face_ratio; int electronic_percolates; int ionic_percolates;
                 double electronic_percolating_fraction; double ionic_percolating_fraction; ...; }
    ssb_micro_cam_result;
ssb_micro_cam_params ssb_micro_cam_params_default(void);
int ssb_micro_cam_classify(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params, uint8_t *cls,
                           ssb_micro_cam_result *out);

typedef struct ssb_cell ssb_cell;
int ssb_cell_create(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell **cell);
void ssb_cell_destroy(ssb_cell **cell);
typedef int... ssb_cell_loss;
typedef struct ssb_cell_result ssb_cell_result;
typedef struct { double crate; double current; double capacity; double energy; double v_mean; double wh_per_kg;
                 double wh_per_l; ssb_cell_loss bottleneck; double specific_capacity; int sustained;
                 char reason[...]; ...; } ssb_cell_rate_point;
int ssb_cell_rate_sweep(ssb_ctx *ctx, ssb_cell *cell, int n, const double *crates, double v_cut,
                        ssb_cell_rate_point *out, ssb_cell_result **results);
const char *ssb_cell_loss_name(ssb_cell_loss k);
const char *ssb_cell_params_protocol(const ssb_cell_params *p);
typedef struct { double nominal_capacity; double sigma_e_eff_pos, sigma_i_eff_pos, a_pos; double sigma_sep_eff;
                 double ocv_init; double mass; double volume; double mass_am_pos; ...; } ssb_cell_derived;
const ssb_cell_derived *ssb_cell_get_derived(const ssb_cell *cell);
typedef enum { SSB_CELL_END_DURATION = 0, SSB_CELL_END_VOLTAGE, SSB_CELL_END_CURRENT, SSB_CELL_END_SKIPPED,
               SSB_CELL_END_EXHAUSTED, SSB_CELL_END_DEPLETED, SSB_CELL_END_SATURATED, ... } ssb_cell_end_reason;
typedef struct { int index; const char *text; ssb_cell_end_reason end; double t_start, t_end; double capacity;
                 double energy; double v_start, v_end; double i_mean; ...; } ssb_cell_step_result;
int ssb_cell_result_nsteps(const ssb_cell_result *res);
int ssb_cell_result_step(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_step_result *s);
int ssb_cell_result_bottleneck(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_loss *k, double *value);
int ssb_cell_result_energy_density(ssb_ctx *ctx, const ssb_cell_result *res, int step, double *wh_per_kg,
                                   double *wh_per_l);
typedef struct { ...; } ssb_cell_run_params;
ssb_cell_run_params ssb_cell_run_params_default(void);
int ssb_cell_run_protocol(ssb_ctx *ctx, ssb_cell *cell, const char *protocol, const ssb_cell_run_params *rp,
                          ssb_cell_result **res);
void ssb_cell_result_destroy(ssb_cell_result **res);
typedef enum { SSB_CELL_T = 0, SSB_CELL_V, SSB_CELL_I, SSB_CELL_Q, SSB_CELL_E, SSB_CELL_OCV, SSB_CELL_STEP,
               SSB_CELL_SERIES_COUNT } ssb_cell_series;
int ssb_cell_result_npoints(const ssb_cell_result *res);
const double *ssb_cell_result_series(const ssb_cell_result *res, ssb_cell_series s);

/* impedance */
typedef struct { int64_t n; double *f; double *zre; double *zim; } ssb_eis_spectrum;
int ssb_eis_spectrum_create(ssb_ctx *ctx, int64_t n, ssb_eis_spectrum **s);
void ssb_eis_spectrum_destroy(ssb_eis_spectrum **s);
int ssb_eis_spectrum_drop_inductive(ssb_ctx *ctx, ssb_eis_spectrum *s, int64_t *ndropped);
int ssb_eis_spectrum_select(ssb_ctx *ctx, ssb_eis_spectrum *s, double fmin, double fmax, int64_t *nremoved);
typedef enum { SSB_EIS_FORMAT_AUTO = 0, SSB_EIS_FORMAT_CSV, SSB_EIS_FORMAT_ZPLOT, SSB_EIS_FORMAT_BIOLOGIC,
               SSB_EIS_FORMAT_GAMRY } ssb_eis_format;
int ssb_eis_spectrum_read(ssb_ctx *ctx, const char *path, ssb_eis_format format, ssb_eis_spectrum **s);
typedef struct ssb_eis_circuit ssb_eis_circuit;
int ssb_eis_circuit_parse(ssb_ctx *ctx, const char *str, ssb_eis_circuit **c);
void ssb_eis_circuit_destroy(ssb_eis_circuit **c);
int ssb_eis_circuit_get_nparams(const ssb_eis_circuit *c);
const char *ssb_eis_circuit_get_param_name(const ssb_eis_circuit *c, int i);
const char *ssb_eis_circuit_get_param_unit(const ssb_eis_circuit *c, int i);
int ssb_eis_circuit_impedance(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n, const double *f,
                              double *zre, double *zim);
typedef enum { SSB_EIS_WEIGHT_UNIT = 0, SSB_EIS_WEIGHT_PROPORTIONAL, SSB_EIS_WEIGHT_MODULUS } ssb_eis_weight;
int ssb_eis_weight_parse(ssb_ctx *ctx, const char *s, ssb_eis_weight *w);
const char *ssb_eis_weight_name(ssb_eis_weight w);
typedef struct { ssb_eis_weight weight; const int *fixed; double confidence; int global; int n_starts;
                 uint64_t seed; ...; } ssb_eis_fit_params;
ssb_eis_fit_params ssb_eis_fit_params_default(void);
typedef struct { int nparams; double *p; double *std_err; double *ci_low; double *ci_high; double confidence;
                 double *cov; int64_t npoints; int dof; double rss; double rss_unit; double chi2_red; int iterations;
                 int converged; const char *reason; int starts; int rank_deficient; int status; ...; }
    ssb_eis_fit_result;
typedef struct { char name[...]; char unit[...]; double value, std_err, ci_low, ci_high; int fixed; char flags[...];
                 double corr_max; } ssb_eis_fit_param_row;
int ssb_eis_fit_param_row_get(const ssb_eis_circuit *c, const ssb_eis_fit_result *res, const int *fixed, int k,
                              ssb_eis_fit_param_row *row);
int ssb_eis_fit_guess(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, double *p);
int ssb_eis_fit(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *guess,
                const ssb_eis_fit_params *params, ssb_eis_fit_result **res);
int ssb_eis_fit_auto(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *start,
                     const ssb_eis_fit_params *params, ssb_eis_fit_result **res, int *retried);
void ssb_eis_fit_result_destroy(ssb_eis_fit_result **res);
const char *ssb_eis_fit_status_name(int status);
typedef struct { double lambda; double lambda_min; double lambda_max; double fwhm_coeff; int inductance;
                 int ppd_out; ...; } ssb_eis_drt_params;
ssb_eis_drt_params ssb_eis_drt_params_default(void);
typedef struct { double lambda; double gcv; int lambda_at_bound; double eps; int capacitive_tail; double R_inf;
                 double L; double R_pol; int64_t ntau;
                 double *tau; double *gamma; double rms; int npeaks; double *peak_tau; double *peak_gamma;
                 double *peak_R; ...; } ssb_eis_drt_result;
int ssb_eis_drt(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_drt_params *params,
                ssb_eis_drt_result **res);
void ssb_eis_drt_result_destroy(ssb_eis_drt_result **res);

/* report descriptions (ssb_report.h): the CLI's JSON keys and shown units of a result type */
typedef enum { SSB_FIELD_DOUBLE = 0, SSB_FIELD_INT64, SSB_FIELD_INT, SSB_FIELD_BOOL, SSB_FIELD_STRING,
               SSB_FIELD_ENUM } ssb_field_kind;
typedef struct { const char *key; ssb_field_kind kind; const char *(*name_of)(int); ...; } ssb_report_field;
typedef struct { const char *name; int nfields; const ssb_report_field *fields; } ssb_report_type;
int ssb_report_field_key(const ssb_report_field *f, char *buf, size_t n);
double ssb_report_field_value(const ssb_report_field *f, const void *row);
int ssb_report_field_format(const ssb_report_field *f, const void *row, char *buf, size_t n);
typedef enum { SSB_EIS_REPORT_FIT_PARAM = 0, SSB_EIS_REPORT_FIT, SSB_EIS_REPORT_CAPACITANCE, ... }
    ssb_eis_report_kind;
const ssb_report_type *ssb_eis_report_type(ssb_eis_report_kind k);
typedef enum { SSB_EIS_CAP_PARALLEL = 0, SSB_EIS_CAP_SERIES } ssb_eis_cap_kind;
typedef struct { int kind; int iR, iQ, in; char name[...]; ...; } ssb_eis_cap;
int ssb_eis_cpe_capacitances(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, const double *cov,
                             ssb_eis_cap **caps, int *ncaps);
void free(void *ptr);

/* the main job (ssb_run.h) */
typedef struct { int stage; ssb_cell_params *params; double temperature; int micro; ssb_grid *grid; ssb_micro_cam_result cam;
                 ssb_transport_result ion, el; double area_face; double area_factor; ssb_cell_derived derived;
                 int nrates; double cutoff; ssb_cell_rate_point points[...]; ...; } ssb_run_result;
int ssb_run_load(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **cell,
                 ssb_run_params *rp);
int ssb_run(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *params,
            ssb_run_result *res);
void ssb_run_result_destroy(ssb_run_result *res);
typedef struct { double tau; double f; double gamma; double R; } ssb_eis_drt_peak;
int ssb_eis_drt_peak_get(const ssb_eis_drt_result *d, int k, ssb_eis_drt_peak *peak);
"""

SOURCE = r"""
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_eis.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>
#include <ssbnet/ssb_report.h>
#include <stdlib.h>
"""


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: build_ffi.py OUTPUT.c\n")
        return 2
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    ffi.set_source("_ssbnet", SOURCE)
    ffi.emit_c_code(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
