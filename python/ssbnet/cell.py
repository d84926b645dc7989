"""The solid-state cell model: discharges and rate sweeps (`ssbnet cell run|rates`)."""
import os

import numpy as np

from ._lib import Context, SsbValueError, ffi, lib
from .micro import Result

__all__ = ["rates", "discharge"]


class _Cell:
    """Materials database + cell parameters (+ the cell object) for one call."""

    def __init__(self, ctx, cell, set_keys):
        self.ctx = ctx
        self.db = ffi.new("ssb_materials **")
        self.p = ffi.new("ssb_cell_params **")
        self.c = ffi.new("ssb_cell **")
        ctx.check(lib.ssb_materials_create(ctx.ptr, self.db))
        ctx.check(lib.ssb_materials_load_builtin(ctx.ptr, self.db[0]))
        if cell is None:
            ctx.check(lib.ssb_cell_params_default(ctx.ptr, self.db[0], self.p))
        elif isinstance(cell, (str, os.PathLike)):
            ctx.check(lib.ssb_cell_params_from_json(ctx.ptr, self.db[0], os.fsencode(cell), self.p))
        else:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: cell = %r is invalid (valid: None for the built-in default "
                                                 "cell, or the path of a cell JSON file)" % (cell,))
        for k, v in (set_keys or {}).items():
            ctx.check(lib.ssb_cell_params_set(ctx.ptr, self.p[0], str(k).encode(), float(v)))
        ctx.check(lib.ssb_cell_create(ctx.ptr, self.p[0], self.c))

    def get(self, key):
        v = ffi.new("double *")
        self.ctx.check(lib.ssb_cell_params_get(self.ctx.ptr, self.p[0], key.encode(), v))
        return v[0]

    def close(self):
        lib.ssb_cell_destroy(self.c)
        lib.ssb_cell_params_destroy(self.p)
        lib.ssb_materials_destroy(self.db)


def rates(crates=(0.1, 0.2, 0.5, 1, 2), cell=None, cutoff=3.5, set=None, threads=0):
    """Rate capability: discharge from the initial (charged) state at each C-rate to `cutoff` (V).

    cell: None (built-in default cell) or a cell JSON path; set: {key: value} cell keys in SI as
    ssb_cell_params_set takes them (e.g. {"positive.thickness": 80e-6}). Returns a Result of numpy arrays, one
    value per rate, with the keys of `ssbnet cell rates --json`: c_rate, current_mA_per_cm2, sustained,
    capacity_mAh_per_cm2, specific_capacity_mAh_per_g, energy_mWh_per_cm2, mean_voltage_V,
    energy_density_Wh_per_kg, energy_density_Wh_per_L, bottleneck (loss names); and reason (why a rate is not
    sustained, "" otherwise)."""
    cr = np.atleast_1d(np.asarray(crates, dtype=float))
    if cr.ndim != 1 or cr.size == 0 or not np.all(np.isfinite(cr)) or np.any(cr <= 0) or np.any(cr > 100):
        raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: crates = %r is invalid (valid: one or more C-rates in "
                                               "(0, 100])" % (crates,))
    with Context(threads) as ctx:
        c = _Cell(ctx, cell, set)
        try:
            n = cr.size
            pts = ffi.new("ssb_cell_rate_point[]", n)
            ctx.check(lib.ssb_cell_rate_sweep(ctx.ptr, c.c[0], n, ffi.from_buffer("double[]", cr), float(cutoff),
                                              pts, ffi.NULL))
        finally:
            c.close()
    col = lambda f: np.array([f(pts[i]) for i in range(n)])
    return Result(c_rate=cr.copy(), current_mA_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MA_PER_CM2, p.current)),
                  sustained=col(lambda p: bool(p.sustained)),
                  capacity_mAh_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_CM2, p.capacity)),
                  specific_capacity_mAh_per_g=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_G, p.specific_capacity)),
                  energy_mWh_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MWH_PER_CM2, p.energy)),
                  mean_voltage_V=col(lambda p: p.v_mean),
                  energy_density_Wh_per_kg=col(lambda p: p.wh_per_kg),
                  energy_density_Wh_per_L=col(lambda p: p.wh_per_l),
                  bottleneck=[ffi.string(lib.ssb_cell_loss_name(pts[i].bottleneck)).decode() for i in range(n)],
                  reason=[ffi.string(pts[i].reason).decode() for i in range(n)])


def discharge(protocol="Discharge at 1C until 3.5 V", cell=None, set=None, threads=0):
    """Run a protocol (the text of `ssbnet cell run -p`, e.g. "Discharge at 1C until 3.5 V") and return its time
    series as numpy arrays: time_s, voltage_V, current_A_per_m2, capacity_C_per_m2, energy_J_per_m2, ocv_V, step."""
    with Context(threads) as ctx:
        c = _Cell(ctx, cell, set)
        res = ffi.new("ssb_cell_result **")
        try:
            rp = ffi.new("ssb_cell_run_params *", lib.ssb_cell_run_params_default())
            ctx.check(lib.ssb_cell_run_protocol(ctx.ptr, c.c[0], str(protocol).encode(), rp, res))
            n = lib.ssb_cell_result_npoints(res[0])
            out = Result()
            for key, s in (("time_s", lib.SSB_CELL_T), ("voltage_V", lib.SSB_CELL_V),
                           ("current_A_per_m2", lib.SSB_CELL_I), ("capacity_C_per_m2", lib.SSB_CELL_Q),
                           ("energy_J_per_m2", lib.SSB_CELL_E), ("ocv_V", lib.SSB_CELL_OCV),
                           ("step", lib.SSB_CELL_STEP)):
                ptr = lib.ssb_cell_result_series(res[0], s)
                out[key] = np.frombuffer(ffi.buffer(ptr, 8 * n), dtype=np.float64).copy()
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_cell_result_destroy(res)
            c.close()
    return out
