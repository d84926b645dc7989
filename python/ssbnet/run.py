"""The main job from Python (`ssbnet run`): generated cathode -> networks -> hand-over -> cell model -> rates."""
import os

import numpy as np

from ._lib import Context, SsbValueError, ffi, lib
from .cell import _derived_block, _rate_table
from .micro import Result, _voxel

__all__ = ["run"]


def run(cell=None, rates=None, cutoff=None, size=None, seed=None, voxel_size=None, micro=True, set=None,
        threads=0):
    """The whole chain on a cell, as `ssbnet run [CELL.json]`: generate the composite cathode from the cell's
    composition, measure its Li+ and e- networks, hand the measured properties to the cell model and discharge it
    at each C-rate.

    cell: None (built-in default cell) or a cell JSON path (with its optional "microstructure" and "run" blocks).
    rates, cutoff (V), size (in-plane voxels, --size), seed, voxel_size (metres; --voxel-um in um), micro=False
    (--no-micro: the cell's Bruggeman relations), set ({key: value} cell keys in the JSON's units, as --set): the
    CLI's options over the file. A segmented image instead of the generated cathode (--image) is not offered here:
    use the CLI. Returns a Result with the keys of `ssbnet run --json`: rates (numpy arrays under the keys of
    cell_rates), cell (the run's cell block: temperature_K, cathode_thickness_um, separator_thickness_um,
    separator_sigma_eff_S_per_m, cutoff_V; and the keys of `cell rates --json`'s cell block, of the cell with the
    measured properties handed over),
    handover (transport_sigma_i_eff_S_per_m, cell_sigma_i_eff_S_per_m, transport_sigma_e_eff_S_per_m,
    cell_sigma_e_eff_S_per_m, cam_fraction, active_fraction, active_cam_se_area_per_volume_face_1_per_m,
    area_factor, cell_active_area_1_per_m, temperature_K; with micro), transport_z (ionic and electronic tau,
    sigma_eff_S_per_m, eps; with micro), dimensions (nx, ny, nz) and voxel_size_m of the structure."""
    with Context(threads) as ctx:
        db = ffi.new("ssb_materials **")
        p = ffi.new("ssb_cell_params **")
        rp = ffi.new("ssb_run_params *", lib.ssb_run_params_default())
        res = ffi.new("ssb_run_result *")
        try:
            ctx.check(lib.ssb_materials_create(ctx.ptr, db))
            ctx.check(lib.ssb_materials_load_builtin(ctx.ptr, db[0]))
            if cell is None:
                ctx.check(lib.ssb_cell_params_default(ctx.ptr, db[0], p))
            elif isinstance(cell, (str, os.PathLike)):
                ctx.check(lib.ssb_run_load(ctx.ptr, db[0], os.fsencode(cell), p, rp))
            else:
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: cell = %r is invalid (valid: None for the built-in "
                                                     "default cell, or the path of a cell JSON file)" % (cell,))
            if rp.image_file[0] != b"\0" and micro:
                raise SsbValueError(lib.SSB_ERR_UNSUPPORTED, "ssbnet: run: the cell file names an image "
                                    "(microstructure.image); run it with the CLI ('ssbnet run CELL.json'), which "
                                    "loads the image with its phase table")
            if rates is not None:
                cr = np.atleast_1d(np.asarray(rates, dtype=float))
                if cr.ndim != 1 or not 1 <= cr.size <= len(rp.rates) or not np.all(np.isfinite(cr)) or \
                        np.any(cr <= 0):
                    raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: rates = %r is invalid (valid: 1 to %d finite "
                                                           "C-rates > 0, as --rates)" % (rates, len(rp.rates)))
                rp.nrates = cr.size
                for i, c in enumerate(cr):
                    rp.rates[i] = float(c)
            if cutoff is not None:
                rp.cutoff = float(cutoff)
            if size is not None:
                rp.cross_section = int(size)
            if seed is not None:
                if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= 2 ** 53:
                    raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: seed = %r is invalid (valid: a whole number 0 "
                                                           "to 9.0072e+15, as --seed)" % (seed,))
                rp.seed = int(seed)
            if voxel_size is not None:
                rp.voxel_size = _voxel(voxel_size)[0]
            rp.micro = 1 if micro else 0
            for k, v in (set or {}).items():
                ctx.check(lib.ssb_cell_params_set(ctx.ptr, p[0], str(k).encode(), float(v)))
            ctx.check(lib.ssb_run(ctx.ptr, db[0], p[0], rp, res))
            r = res[0]
            # the cell block of `ssbnet run --json` (temperature, thicknesses, separator, cut-off) and the derived
            # quantities of `cell rates --json`'s block, of the cell as handed over
            thick = {}
            for key in ("positive.thickness_um", "separator.thickness_um"):
                v = ffi.new("double *", float("nan"))
                if lib.ssb_cell_params_get(ctx.ptr, r.params, key.encode(), v) < 0:
                    lib.ssb_ctx_clear_error(ctx.ptr)
                thick[key] = v[0]
            block = {"temperature_K": r.temperature, "cathode_thickness_um": thick["positive.thickness_um"],
                     "separator_thickness_um": thick["separator.thickness_um"], "cutoff_V": r.cutoff}
            block.update(_derived_block(r.derived))
            out = Result(rates=_rate_table(r.points, r.nrates), cell=block)
            if r.micro and r.grid != ffi.NULL:
                d = ffi.new("int64_t[3]")
                h = ffi.new("double[3]")
                lib.ssb_grid_get_dims(r.grid, d)
                lib.ssb_grid_get_voxel_size(r.grid, h)
                out["dimensions"] = (int(d[0]), int(d[1]), int(d[2]))
                out["voxel_size_m"] = (h[0], h[1], h[2])
                out["handover"] = {
                    "temperature_K": r.temperature,
                    "transport_sigma_i_eff_S_per_m": r.ion.sigma_eff,
                    "cell_sigma_i_eff_S_per_m": r.derived.sigma_i_eff_pos,
                    "transport_sigma_e_eff_S_per_m": r.el.sigma_eff,
                    "cell_sigma_e_eff_S_per_m": r.derived.sigma_e_eff_pos,
                    "cam_fraction": r.cam.cam_fraction, "active_fraction": r.cam.active_fraction,
                    "active_cam_se_area_per_volume_face_1_per_m": r.area_face, "area_factor": r.area_factor,
                    "cell_active_area_1_per_m": r.derived.a_pos}
                inf = float("inf")
                out["transport_z"] = {
                    name: {"percolates": bool(t.percolates), "tau": t.tau if t.percolates else inf,
                           "sigma_eff_S_per_m": t.sigma_eff, "eps": t.eps}
                    for name, t in (("ionic", r.ion), ("electronic", r.el))}
        finally:
            lib.ssb_run_result_destroy(res)
            lib.ssb_cell_params_destroy(p)
            lib.ssb_materials_destroy(db)
    return out
