"""Impedance spectra: equivalent-circuit fits and the distribution of relaxation times (`ssbnet eis fit|drt`)."""
import numpy as np

from ._lib import Context, SsbValueError, ffi, lib
from .micro import Result

__all__ = ["fit", "drt", "impedance"]


def _spectrum(ctx, f, Z):
    f = np.ascontiguousarray(np.asarray(f, dtype=float).ravel())
    Z = np.asarray(Z)
    if not np.iscomplexobj(Z):
        raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: Z must be complex (Z' + 1j Z'', capacitive Z'' < 0), got dtype "
                                             "%s" % Z.dtype)
    Z = Z.ravel()
    if f.size != Z.size or f.size == 0:
        raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: f has %d values and Z %d (they must match, >= 1)"
                                             % (f.size, Z.size))
    sp = ffi.new("ssb_eis_spectrum **")
    ctx.check(lib.ssb_eis_spectrum_create(ctx.ptr, f.size, sp))
    s = sp[0]
    for k in range(f.size):
        s.f[k], s.zre[k], s.zim[k] = f[k], Z[k].real, Z[k].imag
    return sp


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


def fit(f, Z, circuit, guess=None, weight="modulus", global_search=False):
    """Complex non-linear least-squares fit of `circuit` to the spectrum (f in Hz, Z complex in Ohm).

    guess: start values (None: automatic from the data, with a seeded multi-start retry when needed, like the
    CLI without --guess). weight: "modulus" (default), "proportional" or "unit" (impedance.py's). Returns a
    Result with the keys of `ssbnet eis fit --json`: parameters, stderr, ci_low, ci_high, units (dicts by parameter
    name), rss, status; and names (list) and parameter_values (numpy array, in the circuit's order)."""
    with Context() as ctx:
        sp = _spectrum(ctx, f, Z)
        cp = _circuit(ctx, circuit)
        res = ffi.new("ssb_eis_fit_result **")
        try:
            n = lib.ssb_eis_circuit_get_nparams(cp[0])
            prm = ffi.new("ssb_eis_fit_params *", lib.ssb_eis_fit_params_default())
            w = ffi.new("ssb_eis_weight *")
            ctx.check(lib.ssb_eis_weight_parse(ctx.ptr, str(weight).encode(), w))
            prm.weight = w[0]
            setattr(prm, "global", 1 if global_search else 0)  # "global" is a Python keyword
            start = ffi.new("double[]", n)
            if guess is None:
                ctx.check(lib.ssb_eis_fit_guess(ctx.ptr, cp[0], sp[0], start))
                retried = ffi.new("int *")
                ctx.check(lib.ssb_eis_fit_auto(ctx.ptr, cp[0], sp[0], start, prm, res, retried))
            else:
                g = np.asarray(guess, dtype=float).ravel()
                if g.size != n:
                    raise SsbValueError(lib.SSB_ERR_ARG, "ssbnet: circuit %s has %d parameters, guess has %d"
                                                         % (circuit, n, g.size))
                for k in range(n):
                    start[k] = g[k]
                ctx.check(lib.ssb_eis_fit(ctx.ptr, cp[0], sp[0], start, prm, res))
            r = res[0]
            names = [ffi.string(lib.ssb_eis_circuit_get_param_name(cp[0], k)).decode() for k in range(n)]
            per = lambda p: {names[k]: p[k] for k in range(n)}
            out = Result(circuit=str(circuit), names=names,
                         units={names[k]: ffi.string(lib.ssb_eis_circuit_get_param_unit(cp[0], k)).decode()
                                for k in range(n)},
                         parameters=per(r.p), stderr=per(r.std_err), ci_low=per(r.ci_low), ci_high=per(r.ci_high),
                         parameter_values=np.array([r.p[k] for k in range(n)]), rss=r.rss, chi2_red=r.chi2_red,
                         iterations=r.iterations, converged=bool(r.converged),
                         status=ffi.string(lib.ssb_eis_fit_status_name(r.status)).decode(), weight=str(weight))
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_eis_fit_result_destroy(res)
            lib.ssb_eis_circuit_destroy(cp)
            lib.ssb_eis_spectrum_destroy(sp)
    return out


def drt(f, Z, lam=None, inductance=True, ppd=40):
    """Distribution of relaxation times by Tikhonov regression (pyDRTtools' method): lam None chooses the
    regularisation by generalised cross-validation. Returns a Result: tau_s, gamma_Ohm (numpy arrays), lambda,
    lambda_at_bound, R_inf_Ohm, L_H, R_pol_Ohm, rms_Ohm, peaks (list of dicts tau_s, gamma_Ohm, R_Ohm)."""
    with Context() as ctx:
        sp = _spectrum(ctx, f, Z)
        res = ffi.new("ssb_eis_drt_result **")
        try:
            prm = ffi.new("ssb_eis_drt_params *", lib.ssb_eis_drt_params_default())
            if lam is not None:
                setattr(prm, "lambda", float(lam))  # "lambda" is a Python keyword
            prm.inductance = 1 if inductance else 0
            prm.ppd_out = int(ppd)
            ctx.check(lib.ssb_eis_drt(ctx.ptr, sp[0], prm, res))
            r = res[0]
            n = int(r.ntau)
            out = Result(tau_s=np.frombuffer(ffi.buffer(r.tau, 8 * n), dtype=np.float64).copy(),
                         gamma_Ohm=np.frombuffer(ffi.buffer(r.gamma, 8 * n), dtype=np.float64).copy(),
                         R_inf_Ohm=r.R_inf, L_H=r.L, R_pol_Ohm=r.R_pol, rms_Ohm=r.rms,
                         lambda_at_bound=int(r.lambda_at_bound),
                         peaks=[{"tau_s": r.peak_tau[k], "gamma_Ohm": r.peak_gamma[k], "R_Ohm": r.peak_R[k]}
                                for k in range(r.npeaks)])
            out["lambda"] = getattr(r, "lambda")
        finally:
            if res[0] != ffi.NULL:
                lib.ssb_eis_drt_result_destroy(res)
            lib.ssb_eis_spectrum_destroy(sp)
    return out
