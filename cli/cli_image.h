/* Image loading for the micro commands: reader options, the phases file, conductivity tables. */
#ifndef SSB_CLI_IMAGE_H
#define SSB_CLI_IMAGE_H

#include "cli.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>

/* Reader options collected from the command line. */
typedef struct {
    const char *phases_path;   /* --phases FILE (default: IMAGE.phases.json if it exists) */
    const char *phase_map;     /* --phase-map "LABEL=NAME:ROLE[:SIGMA_ION:SIGMA_EL],..." (S/m) */
    double voxel_um;           /* --voxel-um (0 = from the file) */
    double thresholds[16];     /* --threshold T1[,T2...] */
    int nthresholds;
    double map_gray[256];      /* --label-map GRAY:LABEL,... */
    uint8_t map_label[256];
    int map_n;
    const char *sidecar;       /* --sidecar FILE */
    long long raw_dims[3];     /* --raw-dims NX,NY,NZ */
    const char *raw_dtype;     /* --raw-dtype NAME */
    int64_t first_planes;      /* not an option: > 0 reads only the first planes (the phase table of an image that the
                                  MPI ranks read slab by slab); 0 = the whole image */
} cli_image_opts;

/* If argv[*i] is an image option, consume it (and its value) and return 1; return 0 if not an image option;
 * return minus the exit status (after printing) on a bad value: -2 malformed, -7 out of range. */
int cli_image_parse_opt(cli_env *env, cli_image_opts *o, int argc, char **argv, int *i);
/* Help text of the image options. */
void cli_image_help(FILE *out);
/* The reader options of o (mapping, voxel size, raw layout). Returns an exit status. */
int cli_image_read_params(cli_env *env, const cli_image_opts *o, ssb_io_read_params *p);
/* The same for the image at path: the voxel size is --voxel-um, else the phases file's voxel_size_um (--phases or
 * PATH.phases.json), else left to the file (its metadata or sidecar, else 1 um). */
int cli_image_read_params_for(cli_env *env, const cli_image_opts *o, const char *path, ssb_io_read_params *p);
/* Read an image and its phase table. Returns an exit status. */
int cli_image_load(cli_env *env, const cli_image_opts *o, const char *path, ssb_grid **grid);
/* The same, and hist (optional) receives the voxels per label of the whole image: with first_planes under MPI
 * ranks, counted by the ranks over all planes (the phase table is checked against those labels, not only the
 * first planes'). Collective under MPI when first_planes > 0. */
int cli_image_load_hist(cli_env *env, const cli_image_opts *o, const char *path, ssb_grid **grid, int64_t hist[256]);
/* Write the phase table of g (and its voxel size) as a phases file; atomic. Returns an exit status. */
int cli_phases_write(cli_env *env, const ssb_grid *g, const char *path);
/* Read a phases file into g's phase table (and voxel size if the file gives one and set_voxel). */
int cli_phases_read(cli_env *env, ssb_grid *g, const char *path, int set_voxel);
/* Parse a comma-separated list of phases (names or labels) into in_set[256]. Returns an exit status. */
int cli_parse_phase_set(cli_env *env, const ssb_grid *g, const char *list, uint8_t in_set[256]);
/* The same with the labels present given by hist (voxels per label of the whole image) instead of g's. */
int cli_parse_phase_set_hist(cli_env *env, const ssb_grid *g, const int64_t hist[256], const char *list,
                             uint8_t in_set[256]);

#endif
