"""ssbnet from Python: Li+ and e- transport networks of solid-state battery microstructures, the solid-state cell
model and impedance analysis, over the ssbnet C library (cffi).

    import ssbnet
    a = ssbnet.read_image("tests/reference/microstructure/taufactor/electrode.tiff")   # uint8 [z, y, x]
    r = ssbnet.transport(a, phase=0, axis="z")
    print(r.tau, r.sigma_eff)

Images: read_image, write_image, generate_cathode. Networks: percolation, analyze. Transport: transport.
Cells: cell_rates, cell_discharge. Spectra: eis_fit, eis_drt, eis_impedance. Errors raise SsbError (subclasses
SsbValueError, SsbFileError, SsbNotFoundError, SsbMemoryError) with the library's message; library warnings
become Python RuntimeWarnings. The extension is found next to the package, in build*/python/ of the repository,
or through $SSBNET_LIBRARY.
"""
from ._lib import (SsbError, SsbFileError, SsbMemoryError, SsbNotFoundError, SsbValueError, ffi, find_extension,
                   lib)
from .cell import discharge as cell_discharge
from .cell import rates as cell_rates
from .eis import drt as eis_drt
from .eis import fit as eis_fit
from .eis import impedance as eis_impedance
from .micro import ROLES, Result, analyze, generate_cathode, percolation, read_image, transport, write_image

__version__ = ffi.string(lib.ssb_version()).decode()

__all__ = ["read_image", "write_image", "generate_cathode", "percolation", "analyze", "transport", "cell_rates",
           "cell_discharge", "eis_fit", "eis_drt", "eis_impedance", "Result", "ROLES", "SsbError", "SsbValueError",
           "SsbFileError", "SsbNotFoundError", "SsbMemoryError", "find_extension", "__version__"]
