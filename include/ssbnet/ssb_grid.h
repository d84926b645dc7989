/*
 * ssb_grid.h - the voxel grid: dimensions, voxel size per axis, uint8 labels and the phase table.
 *
 * Layout: x is the fastest index, then y, then z: index = x + nx*(y + ny*z), 64-bit (2048^3 does not overflow).
 * For a TIFF stack z is the page index, y the row and x the column. Voxel sizes are in metres and need not be
 * equal (FIB-SEM voxels are often not cubic). Every label present in the image must have a phase-table entry
 * before transport or analysis uses it (ssb_grid_check_phases).
 */
#ifndef SSB_GRID_H
#define SSB_GRID_H

#include <ssbnet/ssb_core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSB_ROLE_UNDEFINED = 0,
    SSB_ROLE_ACTIVE,  /* active material (CAM or anode active material) */
    SSB_ROLE_SE,      /* solid electrolyte (grain interior) */
    SSB_ROLE_CARBON,  /* carbon or conductive binder (electronic network) */
    SSB_ROLE_PORE,    /* void / pore */
    SSB_ROLE_COATING, /* coating on the active material */
    SSB_ROLE_GB,      /* grain-boundary phase of a solid electrolyte */
    SSB_ROLE_BINDER,  /* non-conducting binder */
    SSB_ROLE_COUNT
} ssb_phase_role;

/* Name of a role ("active", "se", "carbon", "pore", "coating", "gb", "binder", "undefined"). */
const char *ssb_role_name(ssb_phase_role role);
/* Parse a role name (case-insensitive; also "cam", "electrolyte", "cbd", "void"). SSB_ERR_NOTFOUND if unknown. */
int ssb_role_parse(const char *name, ssb_phase_role *role);

#define SSB_NAME_MAX 64

typedef struct {
    uint8_t label;              /* voxel value of this phase */
    char name[SSB_NAME_MAX];    /* user-facing name, e.g. "NCM811" */
    ssb_phase_role role;
    char material[SSB_NAME_MAX];/* materials-database name ("" if none) */
    double sigma_ion;           /* ionic conductivity, S/m (0 = blocking) */
    double sigma_el;            /* electronic conductivity, S/m (0 = blocking) */
    double thickness;           /* a grain-boundary phase: its drawn thickness in the image, m (0 = not given);
                                 * ssb_run_assign_materials scales a database GB conductivity by thickness / the
                                 * record's gb_thickness (see there) */
} ssb_phase;

typedef enum { SSB_AXIS_X = 0, SSB_AXIS_Y = 1, SSB_AXIS_Z = 2 } ssb_axis;
/* "x", "y", "z". */
const char *ssb_axis_name(ssb_axis axis);
/* Parse "x|y|z" (case-insensitive) or "0|1|2" as x|y|z. SSB_ERR_ARG names the value and "x, y or z". */
int ssb_axis_parse(ssb_ctx *ctx, const char *s, ssb_axis *axis);

typedef struct ssb_grid ssb_grid;

/* Create an nx x ny x nz grid of zero labels with voxel size dx, dy, dz (m, > 0) and an empty phase table.
 * Errors: SSB_ERR_RANGE (a dimension < 1 or a voxel size <= 0 or not finite), SSB_ERR_NOMEM. */
int ssb_grid_create(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double dx, double dy, double dz,
                    ssb_grid **grid);
/* Deep copy (labels and phases). */
int ssb_grid_duplicate(ssb_ctx *ctx, const ssb_grid *src, ssb_grid **dst);
/* Destroy; no-op on NULL; sets *grid = NULL. */
void ssb_grid_destroy(ssb_grid **grid);

void ssb_grid_get_dims(const ssb_grid *g, int64_t dims[3]);
int64_t ssb_grid_get_nvoxels(const ssb_grid *g);
/* Voxel size in metres per axis. */
void ssb_grid_get_voxel_size(const ssb_grid *g, double h[3]);
int ssb_grid_set_voxel_size(ssb_ctx *ctx, ssb_grid *g, const double h[3]);
/* Borrowed label array (nvoxels bytes, x fastest); valid for the grid's lifetime. */
uint8_t *ssb_grid_get_labels(ssb_grid *g);
const uint8_t *ssb_grid_get_labels_const(const ssb_grid *g);

/* Phase table. set_phase adds or replaces the entry for phase->label. */
int ssb_grid_set_phase(ssb_ctx *ctx, ssb_grid *g, const ssb_phase *phase);
int ssb_grid_get_nphases(const ssb_grid *g);
/* i-th phase entry in ascending label order (0 <= i < nphases), borrowed. */
const ssb_phase *ssb_grid_get_phase(const ssb_grid *g, int i);
/* Entry for a label, or NULL. */
const ssb_phase *ssb_grid_find_phase(const ssb_grid *g, uint8_t label);
/* Entry by name (case-insensitive) or by decimal label string, or NULL. */
const ssb_phase *ssb_grid_find_phase_name(const ssb_grid *g, const char *name);
/* Remove all phase entries. */
void ssb_grid_clear_phases(ssb_grid *g);

/* Count voxels per label: counts[256]. Multi-threaded. */
void ssb_grid_histogram(const ssb_grid *g, int64_t counts[256]);
/* Every label present has a phase entry; otherwise SSB_ERR_NOTFOUND naming the first undefined label. */
int ssb_grid_check_phases(ssb_ctx *ctx, const ssb_grid *g);

/* Connectivity of the flood fills: 6 (faces, default), 18 (faces+edges) or 26 (faces+edges+corners). */
typedef enum { SSB_CONN_6 = 6, SSB_CONN_18 = 18, SSB_CONN_26 = 26 } ssb_connectivity;

/* Flood fills of the voxel set {v : in_set[labels[v]] != 0} from the inlet plane (index 0 along axis) and from the
 * outlet plane (index n-1). On return mask[v] has bit 1 set if v is reached from the inlet and bit 2 if reached from
 * the outlet (so 3 = connected to both planes, the percolating set). mask has nvoxels bytes (caller-owned).
 * counts (optional) receives [n_set, n_inlet_only, n_outlet_only, n_both].
 * Errors: SSB_ERR_ARG, SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssb_grid_through_mask(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_axis axis,
                          ssb_connectivity conn, uint8_t *mask, int64_t counts[4]);

#ifdef __cplusplus
}
#endif
#endif
