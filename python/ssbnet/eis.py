"""Impedance spectra: equivalent-circuit fits and the distribution of relaxation times (`ssbnet eis fit|drt`)."""
import os
import warnings

import numpy as np

from ._lib import Context, SsbValueError, ffi, lib, report_row
from .micro import Result

__all__ = ["fit", "drt", "impedance", "read_spectrum"]


def _spectrum(ctx, f, Z, fmin=None, fmax=None, drop_inductive=False):
    """The library's spectrum of (f, Z), or of the file f (Z None: CSV, ZPlot .z, BioLogic .mpt, Gamry .DTA, as
    `ssbnet eis ...` reads them), restricted to fmin <= f <= fmax and without the inductive points (Z'' > 0) when
    asked, as `--fmin`, `--fmax`, `--drop-inductive`. The caller destroys it."""
    sp = ffi.new("ssb_eis_spectrum **")
    if isinstance(f, (str, bytes, os.PathLike)):
        if Z is not None:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: give either a spectrum file or (f, Z), not both (Z is "
                                                 "read from the file)")
        ctx.check(lib.ssb_eis_spectrum_read(ctx.ptr, os.fsencode(f), lib.SSB_EIS_FORMAT_AUTO, sp))
    else:
        if Z is None:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: Z is missing (give f in Hz and Z complex in Ohm, or the "
                                                 "path of a spectrum file)")
        fa = np.asarray(f)
        if np.iscomplexobj(fa):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: f must be real (Hz), got dtype %s (f and Z swapped?)"
                                                 % fa.dtype)
        try:
            fa = np.ascontiguousarray(fa, dtype=float).ravel()
        except (TypeError, ValueError):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: f must be numbers (Hz), got dtype %s" % fa.dtype) from None
        Z = np.asarray(Z)
        if not np.iscomplexobj(Z):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: Z must be complex (Z' + 1j Z'', capacitive Z'' < 0), got "
                                                 "dtype %s" % Z.dtype)
        Z = Z.ravel()
        if fa.size != Z.size or fa.size == 0:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: f has %d values and Z %d (they must match, >= 1)"
                                                 % (fa.size, Z.size))
        ctx.check(lib.ssb_eis_spectrum_create(ctx.ptr, fa.size, sp))
        s = sp[0]
        ffi.memmove(s.f, ffi.from_buffer(fa), 8 * fa.size)
        ffi.memmove(s.zre, ffi.from_buffer(np.ascontiguousarray(Z.real, dtype=float)), 8 * fa.size)
        ffi.memmove(s.zim, ffi.from_buffer(np.ascontiguousarray(Z.imag, dtype=float)), 8 * fa.size)
    try:
        if fmin is not None or fmax is not None:
            ctx.check(lib.ssb_eis_spectrum_select(ctx.ptr, sp[0], 0.0 if fmin is None else float(fmin),
                                                  float("inf") if fmax is None else float(fmax), ffi.NULL))
        if drop_inductive:
            ctx.check(lib.ssb_eis_spectrum_drop_inductive(ctx.ptr, sp[0], ffi.NULL))
    except BaseException:
        lib.ssb_eis_spectrum_destroy(sp)
        raise
    return sp


def read_spectrum(path, fmin=None, fmax=None, drop_inductive=False):
    """Read an impedance spectrum as `ssbnet eis fit|drt FILE` reads it: CSV / text (f, Z', Z'' columns, or a
    header naming them, e.g. ",Freq,Real,Imag"), ZPlot/ZView .z, BioLogic .mpt, Gamry .DTA. Returns (f, Z):
    f in Hz and Z complex in Ohm (capacitive Z'' < 0), numpy arrays in file order. fmin / fmax (Hz) and
    drop_inductive select points as `--fmin`, `--fmax`, `--drop-inductive`. Errors raise SsbError with the
    library's message (file, line, value)."""
    with Context() as ctx:
        sp = _spectrum(ctx, path, None, fmin, fmax, drop_inductive)
        try:
            s = sp[0]
            n = int(s.n)
            f = np.frombuffer(ffi.buffer(s.f, 8 * n), dtype=np.float64).copy()
            Z = np.frombuffer(ffi.buffer(s.zre, 8 * n), dtype=np.float64) + \
                1j * np.frombuffer(ffi.buffer(s.zim, 8 * n), dtype=np.float64)
        finally:
            lib.ssb_eis_spectrum_destroy(sp)
    return f, Z


def _circuit(ctx, circuit):
    cp = ffi.new("ssb_eis_circuit **")
    ctx.check(lib.ssb_eis_circuit_parse(ctx.ptr, str(circuit).encode(), cp))
    return cp


def impedance(circuit, params, f):
    """Impedance of `circuit` (impedance.py syntax, e.g. "R0-p(R1,C1)") with parameter values `params` at
    frequencies f (Hz): a complex numpy array."""
    f = np.ascontiguousarray(np.asarray(f, dtype=float).ravel())
    with Context() as ctx:
        cp = _circuit(ctx, circuit)
        try:
            n = lib.ssb_eis_circuit_get_nparams(cp[0])
            p = np.ascontiguousarray(np.asarray(params, dtype=float).ravel())
            if p.size != n:
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: circuit %s has %d parameters, %d given"
                                                     % (circuit, n, p.size))
            zr, zi = np.empty(f.size), np.empty(f.size)
            ctx.check(lib.ssb_eis_circuit_impedance(ctx.ptr, cp[0], ffi.from_buffer("double[]", p), f.size,
                                                    ffi.from_buffer("double[]", f), ffi.from_buffer("double[]", zr),
                                                    ffi.from_buffer("double[]", zi)))
        finally:
            lib.ssb_eis_circuit_destroy(cp)
    return zr + 1j * zi


def _names(cp, n):
    return [ffi.string(lib.ssb_eis_circuit_get_param_name(cp[0], k)).decode() for k in range(n)]


def _values(what, values, names, circuit, order=None):
    """{index: value} of a list (every parameter in the circuit's order, or the free ones in `order`) or a dict
    {name: value}, with the CLI's messages for a wrong count or an unknown name."""
    out = {}
    if isinstance(values, dict):
        for k, v in values.items():
            if k not in names:
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: %s: %r is not a parameter of %s (parameters: %s)"
                                    % (what, k, circuit, ", ".join(names)))
            out[names.index(k)] = v
    else:
        g = np.asarray(values, dtype=float).ravel()
        if g.size == len(names):
            out = dict(enumerate(g))
        elif order is not None and g.size == len(order) and len(order) < len(names):
            out = dict(zip(order, g))
        else:
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: circuit %s has %d parameters (%s), %s has %d%s"
                                % (circuit, len(names), ", ".join(names), what, g.size,
                                   " (or give only the free ones)" if order is not None and
                                   len(order) < len(names) else ""))
    for k, v in out.items():
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: %s: %s = %r is not a number" % (what, names[k], v)) from None
        if not np.isfinite(out[k]):
            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: %s: %s = %r is not a finite number"
                                % (what, names[k], out[k]))
    return out


def fit(f, Z=None, circuit=None, guess=None, weight="modulus", global_search=False, fix=None, fmin=None, fmax=None,
        drop_inductive=False, confidence=0.95, starts=None, seed=None):
    """Complex non-linear least-squares fit of `circuit` to the spectrum (`ssbnet eis fit`): f in Hz and Z complex
    in Ohm, or f the path of a spectrum file (Z None; see read_spectrum; eis_fit(path, circuit) also works).

    guess: start values, all in the circuit's order (or only the free ones with `fix`), or {name: value}; None:
    automatic from the data, with a seeded multi-start retry when needed, like the CLI without --guess.
    weight: "modulus" (default, as the CLI), "proportional" or "unit" (impedance.py's). fix: {name: value} held
    parameters (`--fix`, impedance.py's constants). fmin, fmax (Hz), drop_inductive, confidence, global_search,
    starts, seed: `--fmin`, `--fmax`, `--drop-inductive`, `--confidence`, `--global`, `--starts`, `--seed`.
    Returns a Result with the keys of `ssbnet eis fit --json`: parameters, stderr, ci_low, ci_high, units, fixed,
    flags, corr_max (dicts by parameter name), rss, chi2_red, dof, npoints, status, reason, starts,
    capacitances (one dict per R||CPE pair or series CPE: C_eff and its standard error, apex frequency, ...); and
    names (list) and parameter_values (numpy array, in the circuit's order)."""
    if circuit is None and isinstance(f, (str, bytes, os.PathLike)) and isinstance(Z, str):
        circuit, Z = Z, None  # eis_fit("cell.csv", "R0-p(R1,C1)"): the file and the circuit, as `eis fit FILE`
    if circuit is None:
        raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: circuit is missing (e.g. \"R0-p(R1,CPE1)\")")
    with Context() as ctx:
        sp = _spectrum(ctx, f, Z, fmin, fmax, drop_inductive)
        try:
            cp = _circuit(ctx, circuit)
        except BaseException:
            lib.ssb_eis_spectrum_destroy(sp)
            raise
        res = ffi.new("ssb_eis_fit_result **")
        try:
            n = lib.ssb_eis_circuit_get_nparams(cp[0])
            names = _names(cp, n)
            prm = ffi.new("ssb_eis_fit_params *", lib.ssb_eis_fit_params_default())
            w = ffi.new("ssb_eis_weight *")
            ctx.check(lib.ssb_eis_weight_parse(ctx.ptr, str(weight).encode(), w))
            prm.weight = w[0]
            setattr(prm, "global", 1 if global_search else 0)  # "global" is a Python keyword
            prm.confidence = float(confidence)
            if starts is not None:
                prm.n_starts = int(starts)
            if seed is not None:
                if int(seed) < 0:
                    raise SsbValueError(lib.SSB_ERR_RANGE, "ssbnet: seed = %r is invalid (valid: >= 0)" % (seed,))
                prm.seed = int(seed)
            start = ffi.new("double[]", max(n, 1))
            # the CLI's order: automatic start values first, then --fix, then --guess over them
            ctx.check(lib.ssb_eis_fit_guess(ctx.ptr, cp[0], sp[0], start))
            fixed = ffi.new("int[]", max(n, 1))
            if fix is not None and not isinstance(fix, dict):
                raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: fix must be {name: value} (parameters: %s)"
                                                     % ", ".join(names))
            held = _values("fix", fix, names, circuit) if fix else {}
            for k, v in held.items():
                start[k], fixed[k] = v, 1
            prm.fixed = fixed
            order = [k for k in range(n) if not fixed[k]]
            if guess is None:
                retried = ffi.new("int *")
                ctx.check(lib.ssb_eis_fit_auto(ctx.ptr, cp[0], sp[0], start, prm, res, retried))
            else:
                g = _values("guess", guess, names, circuit, order)
                for k, v in g.items():
                    if fixed[k]:
                        if isinstance(guess, dict):
                            raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: %s is held by fix; a guess for it is not "
                                                                 "used (give it in one of the two)" % names[k])
                        continue
                    start[k] = v
                ctx.check(lib.ssb_eis_fit(ctx.ptr, cp[0], sp[0], start, prm, res))
            r = res[0]
            rows = []
            for k in range(n):
                row = ffi.new("ssb_eis_fit_param_row *")
                ctx.check(lib.ssb_eis_fit_param_row_get(cp[0], r, fixed, k, row))
                rows.append(row)
            per = lambda get: {names[k]: get(rows[k]) for k in range(n)}
            # effective capacitances of every R||CPE pair and series CPE (`eis fit --json` "capacitances": Hirschorn's
            # (Q R^(1-n))^(1/n), Brug's form for a blocking series CPE; with its standard error from the covariance)
            caps, ncaps = ffi.new("ssb_eis_cap **"), ffi.new("int *")
            ctx.check(lib.ssb_eis_cpe_capacitances(ctx.ptr, cp[0], r.p, r.cov, caps, ncaps))
            capacitances = []
            try:
                ctype = lib.ssb_eis_report_type(lib.SSB_EIS_REPORT_CAPACITANCE)
                for q in range(ncaps[0]):
                    e = caps[0] + q
                    row = report_row(ctype, e)
                    if e.kind == lib.SSB_EIS_CAP_PARALLEL:
                        row["R_param"] = names[e.iR]
                    ideal = getattr(e, "in") < 0  # no exponent: a C ("in" is a Python keyword)
                    row["Q_unit"] = "F" if ideal else "F s^(n-1)"
                    row["C_eff_method"] = "ideal capacitor" if ideal else \
                        "(Q R^(1-n))^(1/n) (Hirschorn 2010, Hsu-Mansfeld)" if e.kind == lib.SSB_EIS_CAP_PARALLEL \
                        else "Q^(1/n) R_s^((1-n)/n) (Brug 1984)"
                    capacitances.append(row)
            finally:
                if caps[0] != ffi.NULL:
                    lib.free(caps[0])
            out = Result(circuit=str(circuit), names=names,
                         units=per(lambda x: ffi.string(x.unit).decode()),
                         parameters=per(lambda x: x.value), stderr=per(lambda x: x.std_err),
                         ci_low=per(lambda x: x.ci_low), ci_high=per(lambda x: x.ci_high),
                         fixed=per(lambda x: bool(x.fixed)), flags=per(lambda x: ffi.string(x.flags).decode()),
                         corr_max=per(lambda x: x.corr_max),
                         parameter_values=np.array([r.p[k] for k in range(n)]), rss=r.rss, chi2_red=r.chi2_red,
                         dof=int(r.dof), npoints=int(r.npoints), confidence=r.confidence,
                         rss_unweighted_Ohm2=r.rss_unit, iterations=r.iterations, converged=bool(r.converged),
                         reason=ffi.string(r.reason).decode() if r.reason != ffi.NULL else "",
                         starts=int(r.starts), rank_deficient=bool(r.rank_deficient),
                         status=ffi.string(lib.ssb_eis_fit_status_name(r.status)).decode(),
                         capacitances=capacitances,
                         weight=ffi.string(lib.ssb_eis_weight_name(w[0])).decode())
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_eis_fit_result_destroy(res)
            lib.ssb_eis_circuit_destroy(cp)
            lib.ssb_eis_spectrum_destroy(sp)
    return out


def drt(f, Z=None, lam=None, inductance=True, ppd=40, fmin=None, fmax=None, drop_inductive=False, lambda_min=None,
        lambda_max=None, fwhm=None):
    """Distribution of relaxation times by Tikhonov regression (pyDRTtools' method, `ssbnet eis drt`): f in Hz and
    Z complex in Ohm, or f the path of a spectrum file (Z None; see read_spectrum).

    lam: the regularisation parameter (> 0); None chooses it by generalised cross-validation over lambda_min ..
    lambda_max (default 1e-7 .. 1). fwhm, inductance (False: `--no-inductance`), fmin, fmax, drop_inductive: the
    CLI's options. Returns a Result with the keys of `ssbnet eis drt --json` (tau, gamma, R_inf, L, R_pol,
    lambda, gcv, lambda_at_bound, capacitive_tail, rms, peaks) under their unit names tau_s, gamma_Ohm (numpy
    arrays), R_inf_Ohm, L_H, R_pol_Ohm, rms_Ohm (the CLI's keys read the same values); peaks is a list of
    Results tau_s, f_Hz, gamma_Ohm, R_Ohm (also tau, f, gamma, R)."""
    if lam is not None and not (isinstance(lam, (int, float, np.integer, np.floating)) and np.isfinite(lam)
                                and lam > 0):
        raise SsbValueError(lib.SSB_ERR_RANGE, "eis drt: lambda %r must be > 0 (omit it for GCV)" % (lam,))
    with Context() as ctx:
        sp = _spectrum(ctx, f, Z, fmin, fmax, drop_inductive)
        res = ffi.new("ssb_eis_drt_result **")
        try:
            prm = ffi.new("ssb_eis_drt_params *", lib.ssb_eis_drt_params_default())
            if lam is not None:
                setattr(prm, "lambda", float(lam))  # "lambda" is a Python keyword
            if lambda_min is not None:
                prm.lambda_min = float(lambda_min)
            if lambda_max is not None:
                prm.lambda_max = float(lambda_max)
            if fwhm is not None:
                prm.fwhm_coeff = float(fwhm)
            prm.inductance = 1 if inductance else 0
            prm.ppd_out = int(ppd)
            lmin, lmax = prm.lambda_min, prm.lambda_max
            ctx.check(lib.ssb_eis_drt(ctx.ptr, sp[0], prm, res))
            r = res[0]
            n = int(r.ntau)
            peaks = []
            for k in range(r.npeaks):
                pk = ffi.new("ssb_eis_drt_peak *")
                ctx.check(lib.ssb_eis_drt_peak_get(r, k, pk))
                peaks.append(Result(tau_s=pk.tau, f_Hz=pk.f, gamma_Ohm=pk.gamma, R_Ohm=pk.R))
            out = Result(tau_s=np.frombuffer(ffi.buffer(r.tau, 8 * n), dtype=np.float64).copy(),
                         gamma_Ohm=np.frombuffer(ffi.buffer(r.gamma, 8 * n), dtype=np.float64).copy(),
                         R_inf_Ohm=r.R_inf, L_H=r.L, R_pol_Ohm=r.R_pol, rms_Ohm=r.rms, gcv=r.gcv, eps=r.eps,
                         lambda_at_bound=int(r.lambda_at_bound), capacitive_tail=bool(r.capacitive_tail),
                         peaks=peaks)
            out["lambda"] = getattr(r, "lambda")
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_eis_drt_result_destroy(res)
            lib.ssb_eis_spectrum_destroy(sp)
    if out.capacitive_tail:
        warnings.warn("ssbnet: eis drt: the spectrum ends in a capacitive tail (blocking electrode, no low-frequency "
                      "intercept) that the DRT model cannot describe; exclude it with fmin", RuntimeWarning,
                      stacklevel=2)
    if out.lambda_at_bound:
        warnings.warn("ssbnet: eis drt: GCV chose lambda = %g at the %s end of its search range [%g, %g]; the "
                      "optimum may lie beyond it: widen it with lambda_%s or give lam"
                      % (out["lambda"], "lower" if out.lambda_at_bound < 0 else "upper", lmin, lmax,
                         "min" if out.lambda_at_bound < 0 else "max"), RuntimeWarning, stacklevel=2)
    return out
