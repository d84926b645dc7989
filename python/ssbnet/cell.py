"""The solid-state cell model: discharges and rate sweeps (`ssbnet cell run|rates`)."""
import os

import numpy as np

from ._lib import Context, SsbValueError, ffi, lib
from .micro import Result

__all__ = ["rates", "discharge"]


class _Cell:
    """Materials database + cell parameters (+ the cell object) for one call."""

    def __init__(self, ctx, cell, set_keys, bpx=None):
        self.ctx = ctx
        self.db = ffi.new("ssb_materials **")
        self.p = ffi.new("ssb_cell_params **")
        self.c = ffi.new("ssb_cell **")
        try:
            self._open(ctx, cell, set_keys, bpx)
        except BaseException:
            self.close()  # the database and parameters made so far are not leaked on a bad key or file
            raise

    def _open(self, ctx, cell, set_keys, bpx):
        ctx.check(lib.ssb_materials_create(ctx.ptr, self.db))
        ctx.check(lib.ssb_materials_load_builtin(ctx.ptr, self.db[0]))
        if bpx is not None:
            # a Battery Parameter eXchange file, as --bpx FILE (the cell JSON reader refuses its keys)
            if cell is not None:
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: give cell or bpx, not both (as CELL.json or --bpx)")
            if not isinstance(bpx, (str, os.PathLike)):
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: bpx = %r is invalid (valid: the path of a BPX JSON "
                                                     "file)" % (bpx,))
            ctx.check(lib.ssb_cell_params_from_bpx(ctx.ptr, self.db[0], os.fsencode(bpx), self.p))
        elif cell is None:
            ctx.check(lib.ssb_cell_params_default(ctx.ptr, self.db[0], self.p))
        elif isinstance(cell, (str, os.PathLike)):
            ctx.check(lib.ssb_cell_params_from_json(ctx.ptr, self.db[0], os.fsencode(cell), self.p))
        else:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: cell = %r is invalid (valid: None for the built-in default "
                                                 "cell, or the path of a cell JSON file)" % (cell,))
        if set_keys is not None and not isinstance(set_keys, dict):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: set = %r is invalid (valid: {key: value} with the cell "
                                                 "JSON's keys in its units, e.g. {\"positive.thickness_um\": 80})"
                                % (set_keys,))
        for k, v in (set_keys or {}).items():
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: set: %s = %r is not a number" % (k, v)) from None
            ctx.check(lib.ssb_cell_params_set(ctx.ptr, self.p[0], str(k).encode(), v))
        ctx.check(lib.ssb_cell_create(ctx.ptr, self.p[0], self.c))

    def get(self, key):
        v = ffi.new("double *")
        self.ctx.check(lib.ssb_cell_params_get(self.ctx.ptr, self.p[0], key.encode(), v))
        return v[0]

    def close(self):
        lib.ssb_cell_destroy(self.c)
        lib.ssb_cell_params_destroy(self.p)
        lib.ssb_materials_destroy(self.db)


def rates(crates=(0.1, 0.2, 0.5, 1, 2, 3, 5, 10), cell=None, cutoff=3.5, set=None, threads=0, bpx=None):
    """Rate capability: discharge from the initial (charged) state at each C-rate to `cutoff` (V); the default
    rates are those of `ssbnet cell rates` (0.1, 0.2, 0.5, 1, 2, 3, 5, 10).

    cell: None (built-in default cell) or a cell JSON path; bpx: a BPX parameter file instead (as --bpx);
    set: {key: value} overrides by the cell JSON's keys in its units, as `--set KEY=VALUE` (e.g.
    {"positive.thickness_um": 80, "temperature_C": 60}). cutoff: V, below the open-circuit voltage at the start
    (else SsbValueError, as the CLI's exit 7). Returns a Result of numpy arrays, one
    value per rate, with the keys of `ssbnet cell rates --json`: c_rate, current_mA_per_cm2, sustained,
    capacity_mAh_per_cm2, specific_capacity_mAh_per_g, energy_mWh_per_cm2, mean_voltage_V,
    energy_density_Wh_per_kg, energy_density_Wh_per_L, bottleneck (loss names); and reason (why a rate is not
    sustained, "" otherwise); cutoff_V; cell (the derived cell block of the CLI's JSON: nominal_capacity_mAh_per_cm2,
    ocv_initial_V, effective conductivities, stack mass and thickness, positive_active_material_g_per_cm2)."""
    cr = np.atleast_1d(np.asarray(crates, dtype=float))
    # as --rates: every finite rate > 0 (a rate the cell cannot sustain comes back sustained = False with the
    # reason, as in `cell rates`; 200C was refused here while the CLI reports it)
    if cr.ndim != 1 or cr.size == 0 or not np.all(np.isfinite(cr)) or np.any(cr <= 0):
        raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: crates = %r is invalid (valid: one or more finite C-rates "
                                               "> 0)" % (crates,))
    try:
        cut = float(cutoff)
    except (TypeError, ValueError):
        cut = float("nan")
    if not np.isfinite(cut):
        raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: cutoff = %r V is not a finite number" % (cutoff,))
    cutoff = cut
    with Context(threads) as ctx:
        c = _Cell(ctx, cell, set, bpx)
        try:
            ocv0 = lib.ssb_cell_get_derived(c.c[0]).ocv_init
            if not cutoff < ocv0:  # the CLI's check (exit 7): the sweep would report 0 mAh at every rate
                raise SsbValueError(lib.SSB_ERR_RANGE, "cutoff %g V is not below the open-circuit voltage at the start "
                                                       "(%.4f V): a discharge would end before it starts"
                                    % (cutoff, ocv0))
            n = cr.size
            pts = ffi.new("ssb_cell_rate_point[]", n)
            ctx.check(lib.ssb_cell_rate_sweep(ctx.ptr, c.c[0], n, ffi.from_buffer("double[]", cr), float(cutoff),
                                              pts, ffi.NULL))
            derived = _derived(c.c[0])
        finally:
            c.close()
    out = _rate_table(pts, n)
    out["c_rate"] = cr.copy()  # the rates as asked, bit for bit
    return Result(cutoff_V=cutoff, cell=derived, **out)


def _derived_block(d):
    """The cell block of `cell rates|run --json` from an ssb_cell_derived: the CLI's keys and units."""
    return {"nominal_capacity_mAh_per_cm2": lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_CM2, d.nominal_capacity),
            "ocv_initial_V": d.ocv_init, "positive_sigma_e_eff_S_per_m": d.sigma_e_eff_pos,
            "positive_sigma_i_eff_S_per_m": d.sigma_i_eff_pos, "positive_active_area_per_m": d.a_pos,
            "separator_sigma_eff_S_per_m": d.sigma_sep_eff, "stack_mass_kg_per_m2": d.mass,
            "stack_thickness_um": lib.ssb_unit_from_si(lib.SSB_UNIT_UM, d.volume),
            "positive_active_material_g_per_cm2": d.mass_am_pos * 0.1}


def _derived(cell):
    return _derived_block(lib.ssb_cell_get_derived(cell))


def _rate_table(pts, n):
    """A Result of numpy arrays, one value per rate point, under the keys of `cell rates --json`."""
    col = lambda f: np.array([f(pts[i]) for i in range(n)])
    return Result(c_rate=col(lambda p: p.crate),
                  current_mA_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MA_PER_CM2, p.current)),
                  sustained=col(lambda p: bool(p.sustained)),
                  capacity_mAh_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_CM2, p.capacity)),
                  specific_capacity_mAh_per_g=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_G,
                                                                                 p.specific_capacity)),
                  energy_mWh_per_cm2=col(lambda p: lib.ssb_unit_from_si(lib.SSB_UNIT_MWH_PER_CM2, p.energy)),
                  mean_voltage_V=col(lambda p: p.v_mean),
                  energy_density_Wh_per_kg=col(lambda p: p.wh_per_kg),
                  energy_density_Wh_per_L=col(lambda p: p.wh_per_l),
                  bottleneck=[ffi.string(lib.ssb_cell_loss_name(pts[i].bottleneck)).decode() for i in range(n)],
                  reason=[ffi.string(pts[i].reason).decode() for i in range(n)])


_END = {lib.SSB_CELL_END_DURATION: "duration", lib.SSB_CELL_END_VOLTAGE: "voltage",
        lib.SSB_CELL_END_CURRENT: "current", lib.SSB_CELL_END_SKIPPED: "skipped",
        lib.SSB_CELL_END_EXHAUSTED: "exhausted", lib.SSB_CELL_END_DEPLETED: "depleted",
        lib.SSB_CELL_END_SATURATED: "saturated"}


def discharge(protocol=None, cell=None, set=None, threads=0, bpx=None):
    """Run a protocol (the text of `ssbnet cell run -p`, e.g. "Discharge at 1C until 3.5 V; Rest for 30 min";
    None: the cell file's "protocol", else "Discharge at 1C until 3.5 V", as the CLI) and return its time series
    as numpy arrays: time_s, voltage_V, current_A_per_m2, capacity_C_per_m2, energy_J_per_m2, ocv_V, step; and
    `steps`, one Result per protocol step with the keys of `ssbnet cell run --json`'s steps: step, end, t_start_s,
    t_end_s, V_start_V, V_end_V, capacity_mAh_per_cm2, specific_capacity_mAh_per_g, energy_mWh_per_cm2,
    energy_density_Wh_per_kg, energy_density_Wh_per_L (NaN where undefined), bottleneck. cell, bpx, set: as in
    cell_rates."""
    with Context(threads) as ctx:
        c = _Cell(ctx, cell, set, bpx)
        res = ffi.new("ssb_cell_result **")
        try:
            if protocol is None:
                stored = lib.ssb_cell_params_protocol(c.p[0])
                protocol = ffi.string(stored).decode() if stored != ffi.NULL else "Discharge at 1C until 3.5 V"
            rp = ffi.new("ssb_cell_run_params *", lib.ssb_cell_run_params_default())
            ctx.check(lib.ssb_cell_run_protocol(ctx.ptr, c.c[0], str(protocol).encode(), rp, res))
            n = lib.ssb_cell_result_npoints(res[0])
            out = Result(protocol=str(protocol))
            for key, s in (("time_s", lib.SSB_CELL_T), ("voltage_V", lib.SSB_CELL_V),
                           ("current_A_per_m2", lib.SSB_CELL_I), ("capacity_C_per_m2", lib.SSB_CELL_Q),
                           ("energy_J_per_m2", lib.SSB_CELL_E), ("ocv_V", lib.SSB_CELL_OCV),
                           ("step", lib.SSB_CELL_STEP)):
                ptr = lib.ssb_cell_result_series(res[0], s)
                out[key] = np.frombuffer(ffi.buffer(ptr, 8 * n), dtype=np.float64).copy()
            d = lib.ssb_cell_get_derived(c.c[0])
            steps = []
            for i in range(lib.ssb_cell_result_nsteps(res[0])):
                st = ffi.new("ssb_cell_step_result *")
                ctx.check(lib.ssb_cell_result_step(ctx.ptr, res[0], i, st))
                wk, wl = ffi.new("double *", float("nan")), ffi.new("double *", float("nan"))
                if st.capacity > 0 and lib.ssb_cell_result_energy_density(ctx.ptr, res[0], i, wk, wl) < 0:
                    lib.ssb_ctx_clear_error(ctx.ptr)  # a cell without densities: NaN, as the CLI's null
                    wk[0] = wl[0] = float("nan")
                row = Result(step=ffi.string(st.text).decode(), end=_END.get(st.end, "duration"),
                             t_start_s=st.t_start, t_end_s=st.t_end, V_start_V=st.v_start, V_end_V=st.v_end,
                             capacity_mAh_per_cm2=lib.ssb_unit_from_si(lib.SSB_UNIT_MAH_PER_CM2, st.capacity),
                             specific_capacity_mAh_per_g=lib.ssb_unit_from_si(
                                 lib.SSB_UNIT_MAH_PER_G, st.capacity / d.mass_am_pos) if d.mass_am_pos > 0 else
                             float("nan"),
                             energy_mWh_per_cm2=lib.ssb_unit_from_si(lib.SSB_UNIT_MWH_PER_CM2, st.energy),
                             energy_density_Wh_per_kg=wk[0], energy_density_Wh_per_L=wl[0])
                bk, bv = ffi.new("ssb_cell_loss *"), ffi.new("double *")
                if st.capacity != 0 and lib.ssb_cell_result_bottleneck(ctx.ptr, res[0], i, bk, bv) == 0 and bv[0]:
                    row["bottleneck"] = ffi.string(lib.ssb_cell_loss_name(bk[0])).decode()
                steps.append(row)
            out["steps"] = steps
            out["cell"] = _derived(c.c[0])
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_cell_result_destroy(res)
            c.close()
    return out
