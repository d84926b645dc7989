"""Loading of the compiled extension and the error machinery shared by the package's modules."""
import glob
import importlib.machinery
import importlib.util
import os
import sys
import warnings

__all__ = ["ffi", "lib", "SsbError", "Context", "find_extension"]


def _candidates():
    """Places to look for the compiled extension _ssbnet*.so without $SSBNET_LIBRARY, in order."""
    here = os.path.dirname(os.path.abspath(__file__))
    yield from sorted(glob.glob(os.path.join(here, "_ssbnet*.so")))  # installed next to the package
    root = os.path.dirname(os.path.dirname(here))  # repository root when run from python/
    try:
        others = sorted(d for d in os.listdir(root) if d.startswith("build") and d != "build")
    except OSError:  # an installed package: no repository around it
        others = []
    for build in ["build"] + others:
        yield from sorted(glob.glob(os.path.join(root, build, "python", "_ssbnet*.so")))


def find_extension():
    """Path of the compiled extension that `import ssbnet` uses.

    Order: $SSBNET_LIBRARY (the .so itself or its directory), next to the package (installed), then
    build*/python/ in the repository (the README's build). Raises ImportError naming every place tried."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    env = os.environ.get("SSBNET_LIBRARY")
    if env:
        # an explicit choice: say what is wrong with it rather than "not found"
        if os.path.isdir(env):
            found = sorted(glob.glob(os.path.join(env, "_ssbnet*.so")))
            for path in found:
                if any(path.endswith(s) for s in suffixes):
                    return path
            raise ImportError(
                "ssbnet: SSBNET_LIBRARY = %s is a directory without the extension _ssbnet%s (%s); point it to the "
                "build's python/ directory or to the extension itself"
                % (env, suffixes[0], ("found only: " + ", ".join(found)) if found else "no _ssbnet*.so there"))
        if not os.path.exists(env):
            raise ImportError("ssbnet: SSBNET_LIBRARY = %s does not exist (expected the extension _ssbnet%s, which "
                              "the build writes to build/python/)" % (env, suffixes[0]))
        if not any(env.endswith(s) for s in suffixes):
            raise ImportError(
                "ssbnet: SSBNET_LIBRARY = %s is not a Python extension of this interpreter (its name must end in "
                "%s; the library libssbnet is not the extension: use build/python/_ssbnet%s)"
                % (env, " or ".join(suffixes), suffixes[0]))
        return env
    tried = []
    for path in _candidates():
        tried.append(path)
        if os.path.isfile(path) and any(path.endswith(s) for s in suffixes):
            return path
    raise ImportError(
        "ssbnet: the compiled extension _ssbnet%s was not found (tried: %s). Build the project first "
        "(cmake -S . -B build && cmake --build build, or `make build`), or set SSBNET_LIBRARY to the "
        "extension's path." % (suffixes[0], ", ".join(tried) if tried else "no build*/python/ directory"))


def _load():
    path = find_extension()
    spec = importlib.util.spec_from_file_location("_ssbnet", path)
    try:
        mod = importlib.util.module_from_spec(spec)  # dlopen happens here: a file that is no extension fails here
        spec.loader.exec_module(mod)
    except ImportError as e:  # not an ELF file, built for another Python version, missing symbols
        raise ImportError("ssbnet: cannot load %s with %s %s: %s (rebuild it with this interpreter, or set "
                          "SSBNET_LIBRARY to the extension built for it)"
                          % (path, sys.executable, sys.version.split()[0], e)) from None
    return mod


_mod = _load()
ffi = _mod.ffi
lib = _mod.lib


class SsbError(Exception):
    """An error reported by the ssbnet library.

    Attributes: `code` (the library's error name, e.g. "SSB_ERR_RANGE"), `status` (the negative integer code) and
    `message` (the library's message, the same text the command-line tool prints)."""

    def __init__(self, status, message):
        self.status = status
        self.code = ffi.string(lib.ssb_errcode_name(status)).decode()
        self.message = message
        super().__init__(message)

    def __reduce__(self):
        # pickled as (status, message): an error raised in a worker process (multiprocessing,
        # concurrent.futures) reaches the parent as itself, not as "missing 1 required positional argument"
        return (type(self), (self.status, self.message))


class SsbValueError(SsbError, ValueError):
    """Invalid argument, value out of range, malformed input or an unsupported format (SSB_ERR_ARG, SSB_ERR_RANGE,
    SSB_ERR_FORMAT, SSB_ERR_UNSUPPORTED)."""


class SsbFileError(SsbError, OSError):
    """A file could not be opened, read or written (SSB_ERR_IO)."""


class SsbNotFoundError(SsbError, LookupError):
    """An unknown name or label (SSB_ERR_NOTFOUND)."""


class SsbMemoryError(SsbError, MemoryError):
    """Out of memory (SSB_ERR_NOMEM)."""


_ERRCLASS = {
    "SSB_ERR_ARG": SsbValueError, "SSB_ERR_RANGE": SsbValueError, "SSB_ERR_FORMAT": SsbValueError,
    "SSB_ERR_UNSUPPORTED": SsbValueError,  # e.g. an image extension that is not read or written
    "SSB_ERR_IO": SsbFileError, "SSB_ERR_NOTFOUND": SsbNotFoundError, "SSB_ERR_NOMEM": SsbMemoryError,
}


def report_row(rtype, row):
    """{key: value} of one row (a cdata pointer to the struct) under the CLI's JSON keys and shown units of a
    report description (ssb_report.h), as the CLI's JSON writer walks it: booleans, strings, enum names, numbers."""
    out = {}
    key = ffi.new("char[160]")
    cell = ffi.new("char[256]")
    for k in range(rtype.nfields):
        f = rtype.fields + k
        lib.ssb_report_field_key(f, key, 160)
        name = ffi.string(key).decode()
        if f.kind == lib.SSB_FIELD_BOOL:
            out[name] = lib.ssb_report_field_value(f, row) != 0
        elif f.kind == lib.SSB_FIELD_STRING:
            lib.ssb_report_field_format(f, row, cell, 256)
            out[name] = ffi.string(cell).decode(errors="replace")
        elif f.kind == lib.SSB_FIELD_ENUM:
            nm = f.name_of(int(lib.ssb_report_field_value(f, row))) if f.name_of != ffi.NULL else ffi.NULL
            out[name] = ffi.string(nm).decode() if nm != ffi.NULL else "?"
        else:
            v = lib.ssb_report_field_value(f, row)
            out[name] = int(v) if f.kind in (lib.SSB_FIELD_INT, lib.SSB_FIELD_INT64) else v
    return out


@ffi.def_extern()
def ssbpy_log(user, level, obj, message):
    """Library warnings become Python warnings (category RuntimeWarning)."""
    if user != ffi.NULL and getattr(ffi.from_handle(user), "mute", False):
        return  # a caller that reports the matter itself (Context.mute)
    if level <= lib.SSB_LOG_WARN:
        text = ffi.string(message).decode(errors="replace")
        where = ffi.string(obj).decode(errors="replace") if obj != ffi.NULL else "ssbnet"
        warnings.warn("%s: %s" % (where, text), RuntimeWarning, stacklevel=3)


SSB_ERR_ARG = lib.SSB_ERR_ARG


class Context:
    """One library context (error state, log, threads). Functions of the package make their own; pass
    `threads=` to them to set the number of OpenMP threads."""

    def __init__(self, threads=0):
        p = ffi.new("ssb_ctx **")
        if lib.ssb_ctx_create(p) != 0:
            raise MemoryError("ssbnet: cannot create a library context")
        self.ptr = p[0]
        self.mute = False  # True: library warnings are dropped (the caller says what matters itself)
        self._handle = ffi.new_handle(self)  # kept alive with the context: the log callback's user data
        lib.ssb_ctx_set_log(self.ptr, lib.ssbpy_log, self._handle, lib.SSB_LOG_WARN)
        if threads is not None and not isinstance(threads, bool) and hasattr(threads, "__index__"):
            threads = threads.__index__()  # numpy integers too
        if threads:
            if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
                raise SsbValueError(SSB_ERR_ARG, "ssbnet: threads = %r is invalid (valid: an integer >= 0)"
                                    % (threads,))
            lib.ssb_ctx_set_threads(self.ptr, threads)

    def check(self, status):
        """Raise the library's error for a negative status; return status otherwise."""
        if status < 0:
            msg = ffi.string(lib.ssb_ctx_get_error(self.ptr)).decode(errors="replace")
            if not msg:
                msg = ffi.string(lib.ssb_errcode_message(status)).decode()
            lib.ssb_ctx_clear_error(self.ptr)
            cls = _ERRCLASS.get(ffi.string(lib.ssb_errcode_name(status)).decode(), SsbError)
            raise cls(status, msg)
        return status

    def close(self):
        if self.ptr is not None:
            p = ffi.new("ssb_ctx **", self.ptr)
            lib.ssb_ctx_destroy(p)
            self.ptr = None
            self._handle = None  # the log callback is gone with the context: break the handle's reference cycle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
