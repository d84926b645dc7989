"""Voxel images: read and write, generate composite cathodes, analyse carrier networks, solve transport.

Arrays are numpy arrays of uint8 labels indexed [z, y, x] (C order, x fastest): the layout of a .npy file that
`ssbnet micro ...` reads, so that an array and the same array saved with numpy.save give the same results. Voxel
sizes are in metres (SI, as everywhere in the library); the command-line tool's options are in micrometres.
"""
import os
import warnings

import numpy as np

from ._lib import Context, SsbFileError, SsbNotFoundError, SsbValueError, ffi, lib

__all__ = ["read_image", "write_image", "generate_cathode", "percolation", "analyze", "transport", "Result",
           "ROLES"]

_AXES = {"x": lib.SSB_AXIS_X, "y": lib.SSB_AXIS_Y, "z": lib.SSB_AXIS_Z}
_AXIS_NAMES = {lib.SSB_AXIS_X: "x", lib.SSB_AXIS_Y: "y", lib.SSB_AXIS_Z: "z"}
ROLES = ("undefined", "active", "se", "carbon", "pore", "coating", "gb", "binder")


class Result(dict):
    """A dict whose keys are also attributes (res.tau == res["tau"]). Keys are the JSON keys of the CLI; where the
    module's short key differs (sigma_eff for sigma_eff_S_per_m), the CLI's key reads the same value."""

    # the CLI's JSON key -> the key stored here (`micro transport --json`, `micro analyze --json` active_material)
    _CLI_KEYS = {"sigma_eff_S_per_m": "sigma_eff", "sigma_bulk_S_per_m": "sigma_bulk", "current_in_A": "current_in",
                 "current_out_A": "current_out", "unknowns": "n_unknowns", "solver_bytes": "peak_bytes",
                 "active_cam_se_area_per_volume_face_1_per_m": "active_area_per_volume_1_per_m",
                 # `eis drt --json` (R_inf, L, R_pol, tau, gamma, rms; peaks: tau, f, gamma, R)
                 "R_inf": "R_inf_Ohm", "L": "L_H", "R_pol": "R_pol_Ohm", "tau": "tau_s", "gamma": "gamma_Ohm",
                 "rms": "rms_Ohm", "f": "f_Hz", "R": "R_Ohm"}

    def __missing__(self, k):
        alias = Result._CLI_KEYS.get(k)
        if alias is not None and dict.__contains__(self, alias):
            return dict.__getitem__(self, alias)
        raise KeyError(k)

    def __contains__(self, k):
        return dict.__contains__(self, k) or (k in Result._CLI_KEYS and dict.__contains__(self, Result._CLI_KEYS[k]))

    def get(self, k, default=None):
        return self[k] if k in self else default

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None

    def __repr__(self):
        def short(v):
            if isinstance(v, np.ndarray) and v.size > 8:
                return "array(shape=%s, dtype=%s)" % (v.shape, v.dtype)
            return repr(v)
        items = ", ".join("%s=%s" % (k, short(v)) for k, v in self.items())
        return "Result(%s)" % items


def _err(msg):
    return SsbValueError(lib.SSB_ERR_ARG, "ssbnet: " + msg)


def _as_labels(array, what="array"):
    """A C-contiguous uint8 3-D view (or copy) of array, with clear errors for what cannot be labels.

    As the CLI reads a .npy: bool, integer and floating arrays whose values are whole numbers 0..255 become labels;
    the first voxel that is not one is named (x, y, z) with the CLI's words."""
    if isinstance(array, (str, os.PathLike)):
        raise _err("%s: expected a numpy array, got the path %r (use ssbnet.read_image first)" % (what, array))
    a = np.asarray(array)
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    elif a.dtype != np.uint8:
        integer = np.issubdtype(a.dtype, np.integer)
        if not integer and not np.issubdtype(a.dtype, np.floating):
            raise _err("%s: dtype %s is not a label type (valid: bool, integers, or floats holding whole numbers "
                       "0 to 255)" % (what, a.dtype))
        if a.size:
            bad = (a < 0) | (a > 255) if integer else ~np.isfinite(a) | (a < 0) | (a > 255) | (a != np.floor(a))
            if bad.any():
                first = int(np.flatnonzero(bad.ravel())[0])
                v = a.ravel()[first]
                idx = np.unravel_index(first, a.shape)[::-1] + (0, 0)  # x fastest: (x, y, z)
                where = "voxel (x=%d, y=%d, z=%d)" % (idx[0], idx[1] if a.ndim > 1 else 0,
                                                      idx[2] if a.ndim > 2 else 0)
                if not integer and np.isnan(v):  # SSB_ERR_RANGE: the CLI's exit 7 for the same .npy
                    raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: %s: gray value NaN at %s cannot be mapped to a "
                                                           "label" % (what, where))
                raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: %s: gray value %s at %s is not a label (the "
                                                       "identity mapping takes integers 0..255); map the values to "
                                                       "labels first (e.g. numpy.digitize)"
                                    % (what, int(v) if integer else "%g" % v, where))
        a = a.astype(np.uint8)
    if a.ndim == 2:
        a = a[np.newaxis, :, :]
    if a.ndim != 3:
        raise _err("%s: %d dimensions (valid: 3, indexed [z, y, x]; or 2, one slice [y, x])" % (what, a.ndim))
    if a.size == 0:
        raise _err("%s: the array is empty (shape %s)" % (what, a.shape))
    return np.ascontiguousarray(a)


def _axis(axis):
    """(ssb_axis, "x"|"y"|"z") of axis as `--axis` takes it: x, y, z in either case, or the library's numbers
    0, 1, 2 (x, y, z; not numpy's axis of the [z, y, x] array). Others raise the library's message."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (str, bytes, int, np.integer)):
        raise _err("axis = %r is invalid (valid: x, y or z)" % (axis,))
    text = axis.decode(errors="replace") if isinstance(axis, bytes) else str(int(axis)) \
        if isinstance(axis, (int, np.integer)) else axis
    out = ffi.new("ssb_axis *")
    with Context() as ctx:
        ctx.check(lib.ssb_axis_parse(ctx.ptr, text.encode(errors="replace"), out))
    return out[0], _AXIS_NAMES[out[0]]


def _voxel(voxel_size):
    v = np.broadcast_to(np.asarray(voxel_size, dtype=float), (3,)) if np.ndim(voxel_size) == 0 else \
        np.asarray(voxel_size, dtype=float)
    if v.shape != (3,) or not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise _err("voxel_size = %r m is invalid (valid: one value or three values (x, y, z) > 0, in metres)"
                   % (voxel_size,))
    if np.any(v > 1e-3) or np.any(v < 1e-9):
        # the CLI takes micrometres (--voxel-um 0.4), this module metres: 0.4 here is a 40 cm voxel
        warnings.warn("ssbnet: voxel_size = %r m is outside 1 nm to 1 mm: sizes here are in metres (0.4 um is "
                      "0.4e-6), not micrometres as --voxel-um" % (voxel_size,), RuntimeWarning, stacklevel=3)
    return [float(x) for x in v]


class _Grid:
    """A library grid owned by Python (freed with the object)."""

    def __init__(self, ctx, ptr):
        self.ctx, self.ptr = ctx, ptr

    @classmethod
    def from_array(cls, ctx, array, voxel_size=1e-6):
        a = _as_labels(array)
        nz, ny, nx = a.shape
        h = _voxel(voxel_size)
        p = ffi.new("ssb_grid **")
        ctx.check(lib.ssb_grid_create(ctx.ptr, nx, ny, nz, h[0], h[1], h[2], p))
        g = cls(ctx, p[0])
        ffi.memmove(lib.ssb_grid_get_labels(g.ptr), ffi.from_buffer(a), a.size)
        return g

    def apply_table(self, table):
        """Set the phases of a table {label: {name, role, material, sigma_ion_S_per_m, sigma_el_S_per_m,
        thickness_m}} (read_image's info["phases"], _phase_table) on the grid."""
        for label, ph in table.items():
            if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or \
                    not 0 <= int(label) <= 255 or not isinstance(ph, dict):
                raise _err("phases: %r: %r is invalid (valid: label 0 to 255: {name, role, ...})" % (label, ph))
            e = ffi.new("ssb_phase *")
            e.label = int(label)
            r = ffi.new("ssb_phase_role *")
            if lib.ssb_role_parse(str(ph.get("role", "undefined")).encode(), r) != 0:
                raise _err("phases: label %d: role %r is invalid (valid: %s)" % (label, ph.get("role"),
                                                                                 ", ".join(ROLES)))
            e.role = r[0]
            e.name = str(ph.get("name") or "label%d" % label).encode()[:len(e.name) - 1]
            e.material = str(ph.get("material") or "").encode()[:len(e.material) - 1]
            e.sigma_ion = float(ph.get("sigma_ion_S_per_m", 0.0))
            e.sigma_el = float(ph.get("sigma_el_S_per_m", 0.0))
            e.thickness = float(ph.get("thickness_m", 0.0))
            self.ctx.check(lib.ssb_grid_set_phase(self.ctx.ptr, self.ptr, e))

    def dims(self):
        d = ffi.new("int64_t[3]")
        lib.ssb_grid_get_dims(self.ptr, d)
        return int(d[0]), int(d[1]), int(d[2])

    def voxel_size(self):
        h = ffi.new("double[3]")
        lib.ssb_grid_get_voxel_size(self.ptr, h)
        return (h[0], h[1], h[2])

    def to_array(self):
        nx, ny, nz = self.dims()
        buf = ffi.buffer(lib.ssb_grid_get_labels(self.ptr), nx * ny * nz)
        return np.frombuffer(buf, dtype=np.uint8).reshape(nz, ny, nx).copy()

    def phases(self):
        out = {}
        for i in range(lib.ssb_grid_get_nphases(self.ptr)):
            ph = lib.ssb_grid_get_phase(self.ptr, i)
            out[int(ph.label)] = {"name": ffi.string(ph.name).decode(), "role": ROLES[int(ph.role)],
                                  "material": ffi.string(ph.material).decode(),
                                  "sigma_ion_S_per_m": ph.sigma_ion, "sigma_el_S_per_m": ph.sigma_el,
                                  "thickness_m": ph.thickness}
        return out

    def __del__(self):
        if getattr(self, "ptr", None) is not None:
            p = ffi.new("ssb_grid **", self.ptr)
            lib.ssb_grid_destroy(p)
            self.ptr = None


def _read(ctx, path, voxel_size=None, thresholds=None, label_map=None):
    rp = ffi.new("ssb_io_read_params *", lib.ssb_io_read_params_default())
    if voxel_size is not None:
        h = _voxel(voxel_size)
        for k in range(3):
            rp.voxel_size[k] = h[k]
    keep = []  # the arrays the params point to, alive through the call
    if thresholds is not None and label_map is not None:
        raise _err("give thresholds or label_map, not both (as --threshold / --label-map)")
    if thresholds is not None:
        # as --threshold T[,T...]: gray < t[0] -> 0, t[0] <= gray < t[1] -> 1, ... (the library checks them)
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(thresholds, dtype=float)))
        keep.append(ffi.new("double[]", list(t)))
        rp.map, rp.nthresholds, rp.thresholds = lib.SSB_IO_MAP_THRESHOLDS, t.size, keep[-1]
    if label_map is not None:
        # as --label-map G:L,...: gray value G becomes label L (a value not in the map is an error)
        if not isinstance(label_map, dict) or not label_map:
            raise _err("label_map = %r is invalid (valid: {gray value: label 0 to 255}, as --label-map G:L,...)"
                       % (label_map,))
        for lab in label_map.values():
            if isinstance(lab, (bool, np.bool_)) or not isinstance(lab, (int, np.integer)) or not 0 <= lab <= 255:
                raise _err("label_map: label %r is invalid (valid: 0 to 255)" % (lab,))
        keep.append(ffi.new("double[]", [float(g) for g in label_map]))
        keep.append(ffi.new("uint8_t[]", [int(v) for v in label_map.values()]))
        rp.map, rp.map_n, rp.map_gray, rp.map_label = lib.SSB_IO_MAP_LABELS, len(label_map), keep[-2], keep[-1]
    info = ffi.new("ssb_io_read_info *")
    rp.info = info
    p = ffi.new("ssb_grid **")
    ctx.check(lib.ssb_io_read_image(ctx.ptr, os.fsencode(path), rp, p))
    g = _Grid(ctx, p[0])
    if info.voxel_size_defaulted and voxel_size is None:
        # no voxel size in the file: the phase table's voxel_size_um, as the CLI takes it (else the 1 um default)
        vs = _phase_table(path, voxel=True)
        if vs is not None:
            h = ffi.new("double[3]", vs)
            ctx.check(lib.ssb_grid_set_voxel_size(ctx.ptr, g.ptr, h))
    return g


def read_image(path, voxel_size=None, with_info=False, thresholds=None, label_map=None):
    """Read a segmented image (.tif/.tiff stack, .raw with its .json sidecar, .npy) as a uint8 array indexed
    [z, y, x] (.vti files are written for ParaView, not read).

    voxel_size: metres (one value or (x, y, z)) overriding the file's. with_info: also return a dict with
    `voxel_size_m` (x, y, z) and `phases` ({label: {name, role, material, sigma_ion_S_per_m, sigma_el_S_per_m,
    thickness_m}} from IMAGE.phases.json beside the file, as `ssbnet micro ...` reads it; {} without one).
    Gray values (a 16-bit or float tomogram) become labels by `thresholds` ([t0, t1, ...]: gray < t0 -> 0,
    t0 <= gray < t1 -> 1, ...; as --threshold) or `label_map` ({gray: label}; as --label-map); without them the
    values must be whole numbers 0..255.
    Errors raise SsbError subclasses carrying the library's message (the same text as `ssbnet micro ...`)."""
    with Context() as ctx:
        g = _read(ctx, path, voxel_size, thresholds, label_map)
        a = g.to_array()
        info = {"voxel_size_m": g.voxel_size(), "phases": g.phases()}
        del g
    if with_info:
        # the phase table beside the image, as the CLI reads it (the library's readers do not): without it
        # analyze(a, {label: p["role"]}) had no roles for a file that `micro generate` or `ssbnet run` wrote
        info["phases"].update(_phase_table(path))
    return (a, info) if with_info else a


def write_image(path, array, voxel_size=1e-6, phases=None):
    """Write a uint8 label array ([z, y, x]) as .tif, .raw (+ .json sidecar), .npy or .vti (chosen by the
    extension; written atomically).

    phases: {label: {"name", "role", "material", "sigma_ion_S_per_m", "sigma_el_S_per_m"}} (the `phases` of
    read_image's or generate_cathode's info) also writes the phase table IMAGE.phases.json that `ssbnet micro ...`
    reads with the image, as `micro generate` writes it; its roles are checked first."""
    table = None
    if phases is not None:
        if not isinstance(phases, dict):
            raise _err("phases = %r is invalid (valid: {label: {name, role, ...}})" % (phases,))
        h = _voxel(voxel_size)
        table = {"voxel_size_um": [x * 1e6 for x in h], "phases": []}
        for label in sorted(phases):
            ph = phases[label]
            if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) or \
                    not 0 <= label <= 255 or not isinstance(ph, dict):
                raise _err("phases: %r: %r is invalid (valid: label 0 to 255: {name, role, ...})" % (label, ph))
            r = ffi.new("ssb_phase_role *")
            role = ph.get("role", "undefined")
            if lib.ssb_role_parse(str(role).encode(), r) != 0:
                raise _err("phases: label %d: role %r is invalid (valid: %s)" % (label, role, ", ".join(ROLES)))
            entry = {"label": int(label), "name": str(ph.get("name") or "label%d" % label), "role": ROLES[int(r[0])]}
            if ph.get("material"):
                entry["material"] = str(ph["material"])
            for key in ("sigma_ion_S_per_m", "sigma_el_S_per_m"):
                if key in ph:
                    entry[key] = float(ph[key])
            if ph.get("thickness_m"):
                entry["thickness_um"] = float(ph["thickness_m"]) * 1e6
            table["phases"].append(entry)
    with Context() as ctx:
        g = _Grid.from_array(ctx, array, voxel_size)
        wp = ffi.new("ssb_io_write_params *", lib.ssb_io_write_params_default())
        ctx.check(lib.ssb_io_write_image(ctx.ptr, os.fsencode(path), g.ptr, wp))
        del g
    if table is not None:
        import json
        import tempfile
        tpath = os.fsdecode(path) + ".phases.json"
        fd, tmp = tempfile.mkstemp(prefix=".ssbtmp-", dir=os.path.dirname(tpath) or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(table, f, indent=1)
            mask = os.umask(0o22)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)  # what any new file gets (mkstemp makes 0600), as the CLI's outputs
            os.replace(tmp, tpath)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def generate_cathode(shape=(96, 96, 96), voxel_size=0.4e-6, cam_fraction=None, carbon_fraction=None,
                     pore_fraction=None, cam_diameter=None, cam_gsd=None, carbon_diameter=None, pore_diameter=None,
                     overlap=None, seed=1, with_info=False, threads=0):
    """Generate a composite cathode: CAM, carbon and pore spheres in a solid-electrolyte matrix, the generator of
    `ssbnet micro generate` and `ssbnet run`. Labels: 0 pore, 1 SE, 2 CAM, 3 carbon.

    shape: (nz, ny, nx) voxels. voxel_size: one edge in metres (cubic voxels, as --voxel-um). Sizes in metres.
    Parameters left at None take the built-in default cell's recipe
    (NCM811 60 vol% of 5 um, Super P 3 vol%, 5 % voids, Li6PS5Cl). Returns the label array, or (array, info) with
    with_info (phase table with conductivities at 25 C, achieved fractions)."""
    shape = tuple(int(x) for x in shape)
    if len(shape) != 3 or min(shape) < 1:
        raise _err("shape = %r is invalid (valid: three whole numbers >= 1, (nz, ny, nx))" % (shape,))
    h = _voxel(voxel_size)
    if h[1] != h[0] or h[2] != h[0]:
        # the generator places spheres on cubic voxels (one --voxel-um); taking h[0] silently misstated the others
        raise _err("voxel_size = %r m: the generator takes cubic voxels (one value, as --voxel-um)" % (voxel_size,))
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= 2 ** 53:
        raise _err("seed = %r is invalid (valid: a whole number 0 to 9.0072e+15, as --seed)" % (seed,))
    with Context(threads) as ctx:
        dbp = ffi.new("ssb_materials **")
        ctx.check(lib.ssb_materials_create(ctx.ptr, dbp))
        try:
            ctx.check(lib.ssb_materials_load_builtin(ctx.ptr, dbp[0]))
            cp = ffi.new("ssb_cell_params **")
            ctx.check(lib.ssb_cell_params_default(ctx.ptr, dbp[0], cp))
            vals = ffi.new("ssb_cell_values *")
            lib.ssb_cell_params_get_values(cp[0], vals)
            lib.ssb_cell_params_destroy(cp)
            rp = ffi.new("ssb_run_params *", lib.ssb_run_params_default())
            c = ffi.new("ssb_run_cathode *")
            ctx.check(lib.ssb_run_cathode_from_cell(ctx.ptr, vals, rp, c))
            for k, v in (("cam_fraction", cam_fraction), ("carbon_fraction", carbon_fraction),
                         ("pore_fraction", pore_fraction), ("cam_diameter", cam_diameter), ("cam_gsd", cam_gsd),
                         ("carbon_diameter", carbon_diameter), ("pore_diameter", pore_diameter),
                         ("overlap", overlap)):
                if v is not None:
                    setattr(c, k, float(v))
            c.dims[0], c.dims[1], c.dims[2] = shape[2], shape[1], shape[0]
            c.voxel_size = h[0]
            c.seed = int(seed)
            gp = ffi.new("ssb_grid **")
            gen = ffi.new("ssb_micro_electrode_result *")
            ctx.check(lib.ssb_run_generate_cathode(ctx.ptr, dbp[0], c, 298.15, gp, gen))
            g = _Grid(ctx, gp[0])
            a = g.to_array()
            info = {"voxel_size_m": g.voxel_size(), "phases": g.phases(),
                    "fractions": {int(gen.phase[k].label): gen.phase[k].fraction for k in range(gen.nphases)}}
            del g
        finally:
            lib.ssb_materials_destroy(dbp)
    return (a, info) if with_info else a


def _phase_table(path, voxel=False):
    """{label: phase} of IMAGE.phases.json beside `path` ({} without one), the table that `ssbnet micro ...` reads by
    default (written by `micro generate` and `ssbnet run`), checked as the CLI checks it. voxel=True: its
    voxel_size_um as (hx, hy, hz) in metres instead (None without one)."""
    tpath = os.fsdecode(path) + ".phases.json"
    if not os.path.isfile(tpath):
        return None if voxel else {}

    def bad(code, msg):
        return SsbValueError(code, "%s: %s" % (tpath, msg))
    import json
    try:
        with open(tpath, encoding="utf-8") as f:
            root = json.load(f)
    except json.JSONDecodeError as e:
        raise SsbValueError(lib.SSB_ERR_FORMAT, "%s:%d:%d: malformed JSON" % (tpath, e.lineno, e.colno)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SsbFileError(lib.SSB_ERR_IO, "cannot read phases file '%s': %s" % (tpath, e)) from None
    vs = root.get("voxel_size_um") if isinstance(root, dict) else None
    if vs is not None:
        ok = isinstance(vs, (int, float)) and not isinstance(vs, bool) or \
            isinstance(vs, list) and len(vs) == 3 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                          for x in vs)
        if not ok:
            raise bad(lib.SSB_ERR_FORMAT, "key 'voxel_size_um' must be a number or [hx, hy, hz]")
        vs = [float(vs)] * 3 if not isinstance(vs, list) else [float(x) for x in vs]
        for x in vs:
            if not 0 < x <= 1e6:
                raise bad(lib.SSB_ERR_RANGE, "key 'voxel_size_um' = %g is invalid (valid: above 0 to 1e6 um)" % x)
    if voxel:
        return None if vs is None else tuple(x * 1e-6 for x in vs)
    phases = root.get("phases") if isinstance(root, dict) else None
    if not isinstance(phases, list):
        raise bad(lib.SSB_ERR_FORMAT, "key 'phases' is missing or not an array")
    out = {}
    for i, ph in enumerate(phases):
        label = ph.get("label") if isinstance(ph, dict) else None
        if isinstance(label, bool) or not isinstance(label, (int, float)) or label != int(label) or \
                not 0 <= label <= 255:
            raise bad(lib.SSB_ERR_FORMAT, "phases[%d].label must be an integer 0..255" % i)
        label = int(label)
        if label in out:
            raise bad(lib.SSB_ERR_FORMAT, "phases[%d].label %d is given twice" % (i, label))
        role = ph.get("role", "undefined")
        r = ffi.new("ssb_phase_role *")
        if not isinstance(role, str) or lib.ssb_role_parse(role.encode(), r) != 0:
            raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "%s: phases[%d].role '%s' is unknown (valid: active, se, "
                                   "carbon, pore, coating, gb, binder)" % (tpath, i, role))
        entry = {"name": ph.get("name") if isinstance(ph.get("name"), str) and ph.get("name") else
                 "label%d" % label, "role": ROLES[int(r[0])],
                 "material": ph.get("material") if isinstance(ph.get("material"), str) else "",
                 "sigma_ion_S_per_m": 0.0, "sigma_el_S_per_m": 0.0, "thickness_m": 0.0}
        for key, scale, dest in (("sigma_ion_S_per_m", 1, "sigma_ion_S_per_m"),
                                 ("sigma_ion_S_per_cm", 100, "sigma_ion_S_per_m"),
                                 ("sigma_el_S_per_m", 1, "sigma_el_S_per_m"),
                                 ("sigma_el_S_per_cm", 100, "sigma_el_S_per_m")):
            if key in ph:
                v = ph[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                    raise bad(lib.SSB_ERR_RANGE, "phases[%d].%s must be a number >= 0" % (i, key))
                entry[dest] = float(v) * scale
        if "thickness_um" in ph:
            v = ph["thickness_um"]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1e4:
                raise bad(lib.SSB_ERR_RANGE, "phases[%d].thickness_um must be a number in (0, 1e4] um" % i)
            entry["thickness_m"] = float(v) * 1e-6
        out[label] = entry
    return out


def _temperature_K(temperature_C):
    try:
        T = 273.15 + float(temperature_C)
    except (TypeError, ValueError):
        T = float("nan")
    if not -100 <= T - 273.15 <= 1000:
        raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: temperature_C = %r is out of range (valid: -100 to 1000, "
                                               "as --temperature-C)" % (temperature_C,))
    return T


def _assign_materials(ctx, g, T):
    """Conductivities of every phase from the materials database at T [K], by material name else name (the
    library's rule that `micro analyze`, `micro transport --carrier` and `ssbnet run` apply)."""
    db = ffi.new("ssb_materials **")
    ctx.check(lib.ssb_materials_create(ctx.ptr, db))
    try:
        ctx.check(lib.ssb_materials_load_builtin(ctx.ptr, db[0]))
        ctx.check(lib.ssb_run_assign_materials(ctx.ptr, db[0], g.ptr, T, ffi.NULL))
    finally:
        lib.ssb_materials_destroy(db)


def _read_with_table(ctx, path, voxel_size=None, phases=None):
    """The grid of an image path with its phase table (`phases`, else IMAGE.phases.json), as `ssbnet micro ...`
    loads an image: a table that leaves a label of the image undefined is refused with the CLI's message."""
    g = _read(ctx, path, voxel_size)
    table = _phase_table(path) if phases is None else phases
    if table:
        hist = ffi.new("int64_t[256]")
        lib.ssb_grid_histogram(g.ptr, hist)
        for k in range(256):
            if hist[k] and k not in table:
                raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "%s: label %d occurs in %d voxels but the phase table "
                                       "does not define it (phase table from %s)"
                                       % (os.fsdecode(path), k, hist[k], "phases=" if phases is not None else
                                          os.fsdecode(path) + ".phases.json"))
        g.apply_table(table)
    return g


def _phase_names(grid):
    """{name: label} of the grid's phase table (for a path, IMAGE.phases.json set by _read_with_table)."""
    return {v["name"]: k for k, v in grid.phases().items()}


def _label_set(labels, what, grid=None, names=None):
    """The uint8_t[256] membership table of `labels`; with `grid`, a label the image does not hold is refused with
    the command-line tool's message (SsbNotFoundError), as `ssbnet micro transport|percolation --phase` does."""
    if isinstance(labels, (int, np.integer, str)):
        labels = [labels]
    elif isinstance(labels, np.ndarray):
        labels = labels.ravel().tolist()
    elif not isinstance(labels, (list, tuple, set, frozenset, range)):
        raise _err("%s: %r is invalid (valid: a label 0 to 255, a phase name, or a list of them)" % (what, labels))
    s = ffi.new("uint8_t[256]")
    hist = None
    if grid is not None:
        hist = ffi.new("int64_t[256]")
        lib.ssb_grid_histogram(grid.ptr, hist)
    if names is None:
        names = _phase_names(grid) if grid is not None else {}
    for x in labels:
        # as `--phase P[,P...]` (cli_parse_phase_set): a phase name of the image's table, else a label 0..255
        # (also written as text), with the CLI's messages
        tok = x
        if isinstance(x, str):
            if x in names:
                x = names[x]
            elif x.strip().isdigit() and int(x) <= 255:
                x = int(x)
            else:
                known = ", ".join("%s = %d" % (n, k) for n, k in sorted(names.items(), key=lambda i: i[1]))
                raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "phase '%s' is neither a label (0..255) nor a phase "
                                       "name in the table (%s)" % (x, ("names: " + known) if known else
                                                                   "no phase table: names need a file read "
                                                                   "with its IMAGE.phases.json"))
        elif isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            raise _err("%s: %r is invalid (valid: a label 0 to 255, a phase name, or a list of them)" % (what, x))
        elif not 0 <= int(x) <= 255:
            raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "phase '%d' is neither a label (0..255) nor a phase name "
                                   "in the table" % int(x))
        if hist is not None and hist[int(x)] == 0:
            present = ", ".join(str(k) for k in range(256) if hist[k])
            raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "label %d ('%s') is not in the image (labels present: %s)"
                                   % (int(x), tok, present))
        s[int(x)] = 1
    return s


def percolation(array, phase, connectivity=6, threads=0):
    """Percolating / dead-end / isolated fractions of the voxels with the given label(s) along x, y, z.

    array: labels [z, y, x] or an image path (phase names then from its IMAGE.phases.json, as `--phase NAME`).
    Returns a Result with `set_fraction` (also `volume_fraction`, the key of `micro analyze --json`) and per
    property a dict keyed "x", "y", "z": `percolates`, `percolating_fraction`, `dead_end_fraction`,
    `isolated_fraction` (of the set's volume); and `x`, `y`, `z`, each {percolates, percolating_fraction,
    dead_end_fraction, isolated_fraction}: the layout of a phase's "percolation" in `micro analyze --json`."""
    if connectivity not in (6, 18, 26):
        raise _err("connectivity = %r is invalid (valid: 6, 18, 26)" % (connectivity,))
    with Context(threads) as ctx:
        if isinstance(array, (str, os.PathLike)):
            g = _read_with_table(ctx, array)
        else:
            g = _Grid.from_array(ctx, array)
        names = _phase_names(g)
        out = ffi.new("ssb_micro_percolation *")
        ctx.check(lib.ssb_micro_percolation_compute(ctx.ptr, g.ptr, _label_set(phase, "phase", g, names),
                                                    connectivity, out))
        del g
    ax = "xyz"
    r = Result(set_fraction=out.set_fraction, volume_fraction=out.set_fraction,
               percolates={ax[k]: bool(out.percolates[k]) for k in range(3)},
               percolating_fraction={ax[k]: out.percolating_fraction[k] for k in range(3)},
               dead_end_fraction={ax[k]: out.dead_end_fraction[k] for k in range(3)},
               isolated_fraction={ax[k]: out.isolated_fraction[k] for k in range(3)})
    for k in range(3):
        r[ax[k]] = {"percolates": bool(out.percolates[k]), "percolating_fraction": out.percolating_fraction[k],
                    "dead_end_fraction": out.dead_end_fraction[k], "isolated_fraction": out.isolated_fraction[k]}
    return r


def analyze(array, roles=None, voxel_size=None, axis="z", classes=False, threads=0, cc_side="low",
            temperature_C=25.0):
    """Composite-electrode network analysis (`ssbnet micro analyze`): active CAM (wired to the current collector at
    the `cc_side` of `axis` and touching electrolyte that reaches the separator at the other side), dead CAM by
    cause, active CAM|SE area, percolation of the ionic and electronic networks.

    roles: the phase table, {label: role} with roles from ssbnet.ROLES ("active", "se", "carbon", "pore",
    "coating", ...) or {label: {name, role, material, ...}} (read_image's or generate_cathode's info["phases"]),
    every label of the array included. As the CLI, every phase takes its conductivities from the materials
    database at temperature_C by its material, else its name: a coating is part of the ionic network when it
    conducts Li+ (LiNbO3 does), so give coatings their material (a bare role has no conductivity). array may be
    an image path: its IMAGE.phases.json is the table (unless `roles` is given) and the file gives the voxel
    size (unless `voxel_size`, metres; default 1e-6 for an array), as `ssbnet micro analyze IMAGE`.
    classes=True adds `classes`: a uint8 array of per-voxel codes (0 not CAM, 1 active, 2 dead: no e- path,
    3 dead: no Li+ path, 4 dead: neither)."""
    ax, _ = _axis(axis)
    if cc_side not in ("low", "high"):
        raise _err("cc_side = %r is invalid (valid: low, high, as --cc-side)" % (cc_side,))
    T = _temperature_K(temperature_C)
    bare = set()  # labels given by a role alone: no material, no name to look up
    if roles is not None:
        if not isinstance(roles, dict):
            raise _err("roles = %r is invalid (valid: {label: role} or {label: {name, role, material, ...}})"
                       % (roles,))
        bare = {k for k, v in roles.items() if not isinstance(v, dict)}
        roles = {k: v if isinstance(v, dict) else {"role": v} for k, v in roles.items()}
    with Context(threads) as ctx:
        if isinstance(array, (str, os.PathLike)):
            g = _read_with_table(ctx, array, voxel_size, roles)
        else:
            if roles is None:
                raise _err("roles: missing ({label: role} for every label of the array, roles from ssbnet.ROLES)")
            g = _Grid.from_array(ctx, array, 1e-6 if voxel_size is None else voxel_size)
            g.apply_table(roles)
        # bare roles are not in the database by design: no warning per phase; only a coating that stays without
        # Li+ conductivity changes the result (it blocks Li+), and that is said below
        ctx.mute = bool(bare)
        try:
            _assign_materials(ctx, g, T)
        finally:
            ctx.mute = False
        blocking = [k for k, ph in g.phases().items() if k in bare and ph["role"] == "coating" and
                    not ph["sigma_ion_S_per_m"] > 0]
        prm = ffi.new("ssb_micro_cam_params *", lib.ssb_micro_cam_params_default())
        prm.axis = ax
        prm.cc_side = lib.SSB_MICRO_SIDE_HIGH if cc_side == "high" else lib.SSB_MICRO_SIDE_LOW
        out = ffi.new("ssb_micro_cam_result *")
        nx, ny, nz = g.dims()
        cls = np.zeros((nz, ny, nx), dtype=np.uint8)
        ctx.check(lib.ssb_micro_cam_classify(ctx.ptr, g.ptr, prm, ffi.from_buffer(cls), out))
        del g
    r = Result(cam_fraction=out.cam_fraction, active_fraction=out.active_fraction,
               dead_no_e_fraction=out.dead_no_e_fraction, dead_no_li_fraction=out.dead_no_li_fraction,
               dead_neither_fraction=out.dead_neither_fraction, particles=int(out.n_particles),
               particles_active=int(out.n_particles_active),
               active_area_per_volume_1_per_m=out.active_cam_se.per_volume,
               electronic_percolates=bool(out.electronic_percolates), ionic_percolates=bool(out.ionic_percolates),
               electronic_percolating_fraction=out.electronic_percolating_fraction,
               ionic_percolating_fraction=out.ionic_percolating_fraction)
    if classes:
        r["classes"] = cls
    for k in blocking:
        warnings.warn("ssbnet: analyze: coating label %d has no Li+ conductivity (a role alone names no material): "
                      "it blocks Li+ as an insulating coating; give {'role': 'coating', 'material': 'LiNbO3'} (or "
                      "sigma_ion_S_per_m) for a Li+-conducting one" % k, RuntimeWarning, stacklevel=2)
    return r


def transport(array, phase=0, axis="z", sigma=None, voxel_size=None, rtol=1e-8, fields=False, backend="auto",
              dirichlet="face", threads=0, flux_tol=None, max_iter=None, strict=False, carrier=None,
              temperature_C=25.0, phases=None):
    """Steady conduction through the voxels of `phase` along `axis` (`ssbnet micro transport`): tortuosity factor
    and effective conductivity.

    array: uint8 labels [z, y, x] (other integer dtypes are converted when their values fit; a path is read with
    read_image). phase: a label or a list of labels that conduct (or phase names, for a path with its
    IMAGE.phases.json) (1 S/m each unless `sigma` = {label or name: S/m}; as `--sigma`, a phase given there
    conducts even when it is not in `phase`). axis: "x", "y" or "z" (either case; or 0, 1, 2 as `--axis` takes them:
    x, y, z, which is not numpy's axis of the [z, y, x] array).
    voxel_size: metres (default: the file's for a path, else 1e-6; tau does not depend on it).
    rtol, flux_tol, max_iter, backend, dirichlet: `--rtol`, `--flux-tol`, `--max-iter`, `--backend`,
    `--dirichlet` (None: the CLI's defaults). A solve that does not converge gives a RuntimeWarning (the CLI's
    warning) and converged = False; strict=True raises SsbError (SSB_ERR_NOCONV) instead, as `--strict`.
    carrier: "ion" or "electron" takes every chosen phase's conductivity from the materials database at
    temperature_C (the phase's material, else its name; as `--carrier`, `--temperature-C`): the phase table is
    the file's IMAGE.phases.json, or `phases` ({label: {name, role, material, ...}}, e.g. generate_cathode's
    info["phases"]) for an array. `sigma` overrides it.
    fields=True adds `potential` (V, for 1 V across) and `current` (A/m2 along the axis) arrays [z, y, x] (None
    where the phase does not percolate along the axis); they are copies that the Result owns.
    Returns a Result with the CLI's JSON keys: tau, sigma_eff (S/m), sigma_rel, eps, eps_percolating,
    tau_percolating, percolates, converged, iterations, ..."""
    ax, axis_name = _axis(axis)
    if dirichlet not in ("face", "cell"):
        raise _err("dirichlet = %r is invalid (valid: face, cell)" % (dirichlet,))
    if isinstance(phase, (list, tuple, set, np.ndarray)) and len(phase) == 0:
        raise _err("empty phase list (valid: one or more labels 0 to 255 or phase names, as --phase)")
    if carrier not in (None, "ion", "electron"):
        raise _err("carrier = %r is invalid (valid: ion, electron)" % (carrier,))
    T = _temperature_K(temperature_C)
    with Context(threads) as ctx:
        if isinstance(array, (str, os.PathLike)):
            g = _read_with_table(ctx, array, voxel_size, phases)
        else:
            g = _Grid.from_array(ctx, array, 1e-6 if voxel_size is None else voxel_size)
            g.apply_table(phases or {})
        names = _phase_names(g)
        sig = ffi.new("double[256]")
        chosen = _label_set(phase, "phase", g, names)
        if carrier is not None:
            # the CLI's rule: database conductivities at T for every phase (ssb_run_assign_materials), then the
            # chosen phases' ionic or electronic one (ssb_transport_sigma_from_phases)
            table = g.phases()
            for k in range(256):
                if chosen[k] and k not in table:
                    raise SsbNotFoundError(lib.SSB_ERR_NOTFOUND, "carrier %s: label %d has no phase-table entry "
                                           "(read a file with its IMAGE.phases.json, or give phases=)"
                                           % (carrier, k))
            _assign_materials(ctx, g, T)
            every = ffi.new("double[256]")
            ctx.check(lib.ssb_transport_sigma_from_phases(
                ctx.ptr, g.ptr, lib.SSB_CARRIER_ION if carrier == "ion" else lib.SSB_CARRIER_ELECTRON, every))
            for k in range(256):
                sig[k] = every[k] if chosen[k] else 0.0
        else:
            for k in range(256):
                sig[k] = 1.0 if chosen[k] else 0.0
        for k, v in (sigma or {}).items():
            # as --sigma P:S: P a label or a phase name that the image holds (the CLI's messages)
            one = _label_set([k], "sigma", g, names)
            label = next(i for i in range(256) if one[i])
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise _err("sigma: %r: %r is not a number (valid: S/m >= 0, finite)" % (k, v)) from None
            if not np.isfinite(v) or v < 0:
                raise _err("sigma: %r: %r S/m is invalid (valid: >= 0, finite)" % (k, v))
            sig[label] = v
        if not any(chosen[k] and sig[k] > 0 for k in range(256)):
            # the CLI's check (exit 7): with every chosen phase at 0 S/m nothing conducts; tau = inf would hide it
            raise SsbValueError(lib.SSB_ERR_RANGE, "the chosen phases have zero conductivity%s (sigma = %s)"
                                % (" for carrier " + carrier if carrier else "", dict(sigma or {})))
        tp = ffi.new("ssb_transport_params *", lib.ssb_transport_params_default())
        tp.rtol = float(rtol)
        if flux_tol is not None:
            tp.flux_tol = float(flux_tol)
        if max_iter is not None:
            if isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, (int, np.integer)) or \
                    not 1 <= max_iter <= 1000000:
                raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: max_iter = %r is invalid (valid: a whole number 1 to "
                                                       "1e+06)" % (max_iter,))
            tp.max_iter = int(max_iter)
        be = str(backend).encode()
        if len(be) >= len(tp.backend):
            raise _err("backend = %r is invalid (valid: auto, gmg, hypre)" % (backend,))
        tp.backend = be
        tp.want_fields = 1 if fields else 0
        tp.error_if_not_converged = 1 if strict else 0
        tp.dirichlet = lib.SSB_DIRICHLET_CELL if dirichlet == "cell" else lib.SSB_DIRICHLET_FACE
        res = ffi.new("ssb_transport_result *")  # zeroed: destroying it is safe whatever the solve returns
        try:
            # SSB_ERR_NOCONV (strict) still fills res: it is released below, not leaked
            ctx.check(lib.ssb_transport_solve(ctx.ptr, g.ptr, sig, ax, tp, res))
            inf = float("inf")
            out = Result(axis=axis_name, percolates=bool(res.percolates),
                         tau=res.tau if res.percolates else inf, sigma_eff=res.sigma_eff,
                         sigma_bulk=res.sigma_bulk, sigma_rel=res.sigma_rel, eps=res.eps,
                         eps_percolating=res.eps_percolating,
                         tau_percolating=res.tau_percolating if res.percolates else inf,
                         macmullin=res.macmullin if res.percolates else inf, current_in=res.current_in,
                         current_out=res.current_out, flux_mismatch=res.flux_mismatch,
                         n_unknowns=int(res.n_unknowns), iterations=int(res.iterations),
                         rel_residual=res.rel_residual, converged=bool(res.converged),
                         reason=ffi.string(res.reason).decode(), backend=ffi.string(res.backend).decode(),
                         time_s=res.time_s, peak_bytes=int(res.peak_bytes),
                         tau_rel_error_est=res.tau_rel_error_est)
            if fields:
                nx, ny, nz = g.dims()
                n = nx * ny * nz
                for key, ptr in (("potential", res.potential), ("current", res.current)):
                    # no conducting path (tau = inf): the library has no field; None, not memory read at NULL
                    out[key] = None if ptr == ffi.NULL else \
                        np.frombuffer(ffi.buffer(ptr, 8 * n), dtype=np.float64).reshape(nz, ny, nx).copy()
        finally:
            lib.ssb_transport_result_destroy(res)
        del g
    if not out.converged:
        # the CLI's warning: the numbers of a solve that stopped early are not to be trusted silently
        warnings.warn("ssbnet: axis %s did not converge: %s (residual %.3g, flux mismatch %.3g)"
                      % (axis_name, out.reason, out.rel_residual, out.flux_mismatch), RuntimeWarning, stacklevel=2)
    return out
