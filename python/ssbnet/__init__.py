"""ssbnet from Python: Li+ and e- transport networks of solid-state battery microstructures, the solid-state cell
model and impedance analysis, over the ssbnet C library (cffi).

    import ssbnet
    a = ssbnet.read_image("tests/reference/microstructure/taufactor/electrode.tiff")   # uint8 [z, y, x]
    r = ssbnet.transport(a, phase=0, axis="z")
    print(r.tau, r.sigma_eff)

Images: read_image, write_image, generate_cathode. Networks: percolation, analyze. Transport: transport.
Cells: cell_rates, cell_discharge, run (the main job). Spectra: read_spectrum, eis_fit, eis_drt, eis_impedance. Errors raise SsbError
(subclasses SsbValueError, SsbFileError, SsbNotFoundError, SsbMemoryError) with the library's message; library
warnings become Python RuntimeWarnings. The extension is found next to the package, in build*/python/ of the repository,
or through $SSBNET_LIBRARY.
"""
import glob as _glob
import os as _os
import sys as _sys
import sysconfig as _sysconfig


def _use_system_packages():
    """numpy and the cffi backend from the system (Debian's python3-numpy, python3-cffi) for an interpreter that has
    none of its own but the same ABI (e.g. a pyenv or venv python 3.11 next to Debian's python3.11)."""
    try:
        import _cffi_backend  # noqa: F401
        import numpy  # noqa: F401
        return
    except ImportError:
        pass
    suffix = _sysconfig.get_config_var("EXT_SUFFIX") or ""
    for d in ("/usr/lib/python3/dist-packages",):
        if d not in _sys.path and suffix and _glob.glob(_os.path.join(d, "_cffi_backend" + suffix)):
            _sys.path.append(d)


_use_system_packages()

from ._lib import (SsbError, SsbFileError, SsbMemoryError, SsbNotFoundError, SsbValueError, ffi, find_extension,
                   lib)
from .cell import discharge as cell_discharge
from .cell import rates as cell_rates
from .eis import drt as eis_drt
from .eis import fit as eis_fit
from .eis import impedance as eis_impedance
from .eis import read_spectrum
from .micro import ROLES, Result, analyze, generate_cathode, percolation, read_image, transport, write_image
from .run import run

__version__ = ffi.string(lib.ssb_version()).decode()

__all__ = ["read_image", "write_image", "generate_cathode", "percolation", "analyze", "transport", "cell_rates",
           "cell_discharge", "run", "read_spectrum", "eis_fit", "eis_drt", "eis_impedance", "Result", "ROLES", "SsbError",
           "SsbValueError", "SsbFileError", "SsbNotFoundError", "SsbMemoryError", "find_extension", "__version__"]
