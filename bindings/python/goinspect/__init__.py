"""goinspect: read Go binaries (and, later, cores and traces) from Python.

A Pythonic layer over libgoinspect's SWIG module (goinspect.core), which
takes raw handles and borrowed pointers and is not meant to be used
directly.

    import goinspect
    with goinspect.Binary("/usr/local/bin/app") as b:
        print(b.go_version, b.arch, b.build_info.main)
        for dep in b.build_info.deps:
            print(dep.path, dep.version)

Failures raise goinspect.Error subclasses, one per code of the C error table
(GORT_ERROR_LIST), generated when this module is imported and named after the
table's Class column: GORT_ENOTGO -> NotGoError, GORT_ETRUNCATED ->
TruncatedError, GORT_EIO -> IoError. goinspect.errors maps codes and names
to the classes.
"""

import collections
import gc
import os
import threading
from dataclasses import dataclass
from typing import List, NamedTuple, Optional

from . import core as _c

__version__ = _c.gort_version_string()

__all__ = ["Binary", "BuildInfo", "Module", "BuildSetting", "Func", "Frame", "Layout",
           "FieldLayout", "TlsG", "Symbol", "ModuleData", "Types", "Type", "TypeField",
           "Core", "Goroutine", "StackFrameCore", "Thread",
           "Trace", "Event", "StackFrame", "TraceStats", "GoroutineSummary",
           "GoroutineGroup", "RegionGroup", "Pause", "Histogram",
           "Error", "errors", "__version__"]


class Error(Exception):
    """A libgoinspect failure.

    Attributes: code (negative GORT_E* value), name ("ENOTGO"), message (the
    library's one-line message), offset and address (file offset / virtual
    address involved, or None), errno (behind an IoError, else 0).
    """

    code = None
    name = None
    description = None

    def __init__(self, message, offset=None, address=None, errno=0):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.address = address
        self.errno = errno

    def __str__(self):
        return self.message


#: code (int) and name ("ENOTGO") -> Error subclass.
errors = {}




def _make_error_classes():
    for i in range(_c.gi_error_count()):
        name, code = _c.gi_error_name(i), _c.gi_error_code(i)
        if code == 0:
            continue
        desc = _c.gi_error_description(i)
        cls = type(_c.gi_error_class(i) + "Error", (Error,), {
            "__module__": __name__,
            "__doc__": "GORT_%s: %s." % (name, desc),
            "code": code,
            "name": name,
            "description": desc,
        })
        globals()[cls.__name__] = cls
        __all__.append(cls.__name__)
        errors[code] = errors[name] = cls


def _error_factory(code, message, offset, address, errno):
    # Called by the C wrapper with gort_last_error()'s details.
    cls = errors.get(code, Error)
    e = cls(message, offset, address, errno)
    if cls is Error:
        e.code = code
    return e


_make_error_classes()
_c.gi_set_error_factory(_error_factory)


def _enum_names(prefix):
    """Enum values named from SWIG's constants: GORT_FORMAT_ELF -> 'elf'."""
    return {v: k[len(prefix):].lower() for k, v in vars(_c).items()
            if k.startswith(prefix) and isinstance(v, int)}


_FORMATS = _enum_names("GORT_FORMAT_")
_VERSION_SOURCES = _enum_names("GORT_VERSION_FROM_")


@dataclass(frozen=True)
class Module:
    """A Go module: path, version, sum (may be empty) and its replacement."""

    path: str
    version: str = ""
    sum: str = ""
    replace: Optional["Module"] = None

    @classmethod
    def _from(cls, p):
        if p is None:
            return None
        return cls(_c.gi_module_path(p), _c.gi_module_version(p), _c.gi_module_sum(p),
                   cls._from(_c.gi_module_replace(p)))

    def __str__(self):
        s = self.path + (" " + self.version if self.version else "")
        return s + (" => " + str(self.replace) if self.replace else "")


class BuildSetting(NamedTuple):
    """One `build KEY=VALUE` line; dict(build_info.settings) works."""

    key: str
    value: str


class BuildInfo:
    """What `go version -m` prints, copied out of the binary (it stays valid
    after the binary is closed).

    go_version, path (main package), main (Module or None), deps (list of
    Module), settings (list of BuildSetting, in file order); str() is the
    module text as Go's BuildInfo.String() prints it, without the "go" line.
    """

    __slots__ = ("go_version", "path", "main", "deps", "settings", "_text")

    def __init__(self, bi):
        self.go_version = _c.gort_buildinfo_go_version(bi)
        self.path = _c.gort_buildinfo_path(bi)
        self.main = Module._from(_c.gort_buildinfo_main(bi))
        self.deps: List[Module] = [Module._from(_c.gort_buildinfo_dep_at(bi, i))
                                   for i in range(_c.gort_buildinfo_dep_count(bi))]
        self.settings: List[BuildSetting] = []
        for i in range(_c.gort_buildinfo_setting_count(bi)):
            s = _c.gort_buildinfo_setting_at(bi, i)
            self.settings.append(BuildSetting(_c.gi_setting_key(s), _c.gi_setting_value(s)))
        self._text = _c.gort_buildinfo_string(bi)

    def __str__(self):
        return self._text

    def __repr__(self):
        return "<goinspect.BuildInfo %s %s, %d deps>" % (
            self.go_version, self.path or "?", len(self.deps))


@dataclass(frozen=True)
class Frame:
    """A source frame at a PC: the function, file and line, whether it was
    inlined into the next (outer) frame, and the entry PC of the physical
    function it is part of."""

    function: str
    file: str
    line: int
    inlined: bool
    entry: int


class Func:
    """A function of the binary's pclntab, copied out of it.

    entry, end (debug/gosym's Func.Entry and Func.End), name, start_line
    (0 before Go 1.20), func_id, flags, args_size, index (table position).
    file is looked up on first use, so it needs the binary still open.
    """

    __slots__ = ("entry", "end", "name", "start_line", "func_id", "flags",
                 "args_size", "index", "_binary", "_file")

    def __init__(self, binary, t):
        (self.entry, self.end, self.name, self.start_line, self.func_id,
         self.flags, self.args_size, self.index) = t
        self._binary = binary
        self._file = None

    @property
    def file(self):
        """The file the function is in (where its entry PC is)."""
        if self._file is None:
            frames = self._binary.lookup(self.entry)
            self._file = frames[-1].file if frames else ""
        return self._file

    def __repr__(self):
        return "<goinspect.Func %s [%#x, %#x)>" % (self.name, self.entry, self.end)


# Names of the steps progress callbacks report (enum gort_trace_step,
# enum gort_core_step); a step a later library adds comes as its number.
_TRACE_STEPS = {1: "decompress", 2: "index", 3: "futile"}
_CORE_STEPS = {1: "decompress", 2: "notes"}


class _Progress:
    """progress=fn as the library calls it: fn(step, done, total) with the
    step's name, done of total units of that step. An exception fn raises
    is kept (and fn not called again) until the call into the library
    returns; check() then raises it there, never across C."""

    def __init__(self, fn, steps):
        if not callable(fn):
            raise TypeError("progress must be callable or None")
        self.fn, self.steps, self.exc = fn, steps, None

    def __call__(self, step, done, total):
        if self.exc is None:
            try:
                self.fn(self.steps.get(step, step), done, total)
            except BaseException as e:  # raised by check() after the C call
                self.exc = e

    def check(self):
        e, self.exc = self.exc, None
        if e is not None:
            raise e


class _Handle:
    """What every object over a C handle shares: closing on drop and on
    leaving a with block, and refusing use once closed. Subclasses set _h
    and define close()."""

    def __del__(self):
        if getattr(self, "_h", None) is not None:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def closed(self):
        return self._h is None

    def _handle(self):
        if self._h is None:
            raise ValueError("operation on a closed goinspect.%s"
                             % type(self).__name__)
        return self._h


class _BinaryPart:
    """A handle a Binary owns (its layout, its type reader): closed by the
    binary, unusable once the binary is closed. Subclasses set
    _close_handle."""

    def __init__(self, binary, h):
        self._binary = binary
        self._h = h

    def _close(self):
        h, self._h = self._h, None
        if h is not None:
            self._close_handle(h)

    def _handle(self):
        self._binary._handle()  # raises once the binary is closed
        if self._h is None:
            raise ValueError("operation on a closed goinspect.%s"
                             % type(self).__name__)
        return self._h


class Binary(_Handle):
    """A Go executable or shared object, opened from a path or from bytes.

    Binary(path) or Binary(data=b"..."); max_decompressed bounds the size of
    a zstd-compressed input once decompressed (0: the library's default).
    A context manager; close() is idempotent and also run when the object is
    collected. What it hands out (BuildInfo, Module, strings) are copies,
    valid after close().
    """

    # Bound now: __del__ can run at interpreter exit, after module globals
    # are gone.
    _close_handle = staticmethod(_c.gort_binary_close)

    def __init__(self, path=None, *, data=None, max_decompressed=0):
        self._h = None
        if (path is None) == (data is None):
            raise TypeError("Binary() takes a path or data=bytes")
        if data is not None:
            # bytes are immutable: the C side reads them in place for as
            # long as the binary is open, so self._data keeps them alive.
            self._data = data if type(data) is bytes else bytes(data)
            self.name = None
            self._h = _c.gi_binary_open_memory(self._data, max_decompressed)
        else:
            self._data = None
            path = os.fspath(path)
            self.name = os.fsdecode(path)
            self._h = _c.gi_binary_open(path, max_decompressed)
        self._build_info = None
        self._tab = None
        self._layouts = {}
        self._types = None
        self._lock = threading.Lock()  # lazy opens: one table per binary

    _close_pclntab = staticmethod(_c.gort_pclntab_close)

    def close(self):
        # The type reader borrows a layout, the pclntab and layouts borrow
        # the binary: they go first, in that order.
        types, self._types = getattr(self, "_types", None), None
        if types is not None:
            types._close()
        t, self._tab = getattr(self, "_tab", None), None
        if t is not None:
            self._close_pclntab(t)
        layouts, self._layouts = getattr(self, "_layouts", {}), {}
        for lay in layouts.values():
            lay._close()
        h, self._h = self._h, None
        if h is not None:
            self._close_handle(h)
        self._data = None

    @property
    def format(self):
        """'elf', 'pe', 'macho' or 'unknown'."""
        return _FORMATS.get(_c.gort_binary_format(self._handle()), "unknown")

    @property
    def arch(self):
        """GOARCH spelling: 'amd64', 'arm64', '386', ..."""
        return _c.gort_arch_name(_c.gort_binary_arch(self._handle()))

    @property
    def ptr_size(self):
        return _c.gort_binary_ptr_size(self._handle())

    @property
    def big_endian(self):
        return bool(_c.gort_binary_big_endian(self._handle()))

    def _go_version(self):
        v, source = _c.gort_binary_go_version(self._handle())
        return v, _VERSION_SOURCES.get(source)

    @property
    def go_version(self):
        """'go1.22.12': from the build info, else from runtime.buildVersion.
        Raises NotGoError when neither is there."""
        return self._go_version()[0]

    @property
    def version_source(self):
        """Where go_version came from: 'buildinfo' or 'symbol'."""
        return self._go_version()[1]

    @property
    def build_info(self):
        """BuildInfo; raises NotGoError when the binary has none."""
        if self._build_info is None:
            self._build_info = BuildInfo(_c.gort_binary_buildinfo(self._handle()))
        return self._build_info

    def __repr__(self):
        return "<goinspect.Binary %s%s>" % (
            repr(self.name) if self.name is not None else "<bytes>",
            " closed" if self._h is None else "")

    # -- pclntab ------------------------------------------------------------

    def _pclntab(self):
        h = self._handle()
        if self._tab is None:
            with self._lock:
                if self._tab is None:
                    self._tab = _c.gort_pclntab_open(h)
        return self._tab

    @property
    def pclntab_version(self):
        """Format of the function table: 12 (Go 1.2-1.15), 116, 118 or 120."""
        return _c.gort_pclntab_version(self._pclntab())

    @property
    def func_count(self):
        return _c.gort_pclntab_func_count(self._pclntab())

    @property
    def funcs(self):
        """An iterator over the functions (Func), in table order (by entry)."""
        n = self.func_count

        def gen():
            for i in range(n):
                yield Func(self, _c.gort_pclntab_func_at(self._pclntab(), i))
        return gen()

    def find_func(self, pc):
        """The Func whose [entry, end) holds pc, or None."""
        try:
            return Func(self, _c.gort_pclntab_find_func(self._pclntab(), pc))
        except NotFoundError:  # noqa: F821 (generated from the error table)
            return None

    def lookup(self, pc):
        """The source frames at pc (list of Frame), innermost first: the
        inlined calls, then the physical function; [] when pc is in no
        function. For a return address, pass pc - 1 as tracebacks do."""
        try:
            frames = _c.gi_pclntab_lookup(self._pclntab(), pc)
        except NotFoundError:  # noqa: F821
            return []
        return [Frame(*f) for f in frames]

    def pc_to_line(self, pc):
        """The physical function holding pc with the file:line of pc itself
        (a Frame with inlined False), without expanding inlined calls: what
        `go tool addr2line` and debug/gosym's PCToLine report, and the
        cheapest lookup. None when pc is in no function."""
        try:
            frames = _c.gi_pclntab_pc_to_line(self._pclntab(), pc)
        except NotFoundError:  # noqa: F821
            return None
        return Frame(*frames[0])

    def pc_to_lines(self, pcs):
        """pc_to_line for many PCs at once: a list with, for each PC of
        pcs (any iterable of ints: a list, a range, a generator, an
        array('Q') or numpy uint64 array), its Frame, or None when the PC
        is in no function, in the order given. The fast path for a batch
        (a profile's samples): the lookups are interleaved so that their
        memory accesses overlap, PCs close together are sorted and answered
        in one pass over the table, and each answer is exactly
        pc_to_line's.

        A PC whose lookup meets a corrupt table raises, as pc_to_line
        does, after every other PC was answered: the error (FormatError,
        TruncatedError) describes the first such PC and carries `index`
        (its position in pcs), `results` (the list as it would have been
        returned, None at every PC without an answer) and `errors`
        ({position: Error} for every such PC). Equal answers are one
        shared Frame."""
        # The garbage collector is paused while the answers are made (and
        # left as it was): it would traverse the growing lists again and
        # again, half the time of a large batch.
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            rows, failure = _c.gi_pclntab_pc_to_lines(self._pclntab(), pcs)
            # A profile repeats its PCs: equal answers share one (immutable)
            # Frame, which halves the time of a batch with repeats.
            out, made = [], {}
            add = out.append
            for r in rows:
                if type(r) is tuple:
                    f = made.get(r)
                    if f is None:
                        f = made[r] = Frame(*r)
                    add(f)
                else:
                    add(None)
        finally:
            if collecting:
                gc.enable()
        if failure:
            e = _error_factory(failure["code"], failure["message"], failure.get("offset"),
                               failure.get("address"), failure["errno"])
            e.index, e.results, e.errors = failure["index"], out, {}
            nf = NotFoundError.code  # noqa: F821 (generated from the error table)
            for i, r in enumerate(rows):
                if type(r) is int and r != nf:
                    e.errors[i] = e if i == e.index else _error_factory(
                        r, _c.gort_strerror(r), None, None, 0)
            raise e
        return out

    def frame_size(self, pc):
        """The stack pointer delta at pc (pcsp): bytes the function has pushed
        below the caller's SP there, not counting a return address pushed by
        the call (amd64, 386). None when pc is in no function or has no
        pcsp entry."""
        try:
            return _c.gi_pclntab_frame_size(self._pclntab(), pc)
        except NotFoundError:  # noqa: F821
            return None

    def pcdata(self, pc, table):
        """Value of pcdata table `table` (abi.PCDATA_*) at pc; -1 when the
        function has no such table or no value there. None when pc is in no
        function."""
        try:
            return _c.gi_pclntab_pcdata(self._pclntab(), pc, table)
        except NotFoundError:  # noqa: F821
            return None

    # -- symbols and moduledata ----------------------------------------------

    @property
    def symbols(self):
        """Every symbol (list of Symbol) in address then name order, as
        `go tool nm -sort address` lists them; [] for a stripped binary."""
        return [Symbol(**d) for d in _c.gi_binary_symbols(self._handle())]

    def symbol(self, name):
        """The Symbol named exactly `name`, or None."""
        try:
            return Symbol(**_c.gi_binary_symbol_lookup(self._handle(), name))
        except NotFoundError:  # noqa: F821
            return None

    def symbol_at(self, addr):
        """The defined Symbol whose [value, value+size) holds addr, or None."""
        try:
            return Symbol(**_c.gi_binary_symbol_find(self._handle(), addr))
        except NotFoundError:  # noqa: F821
            return None

    @property
    def moduledata(self):
        """The runtime's first moduledata (ModuleData), found by symbol or,
        in stripped binaries, by scanning the data. NotFoundError when no
        structure matches."""
        d = _c.gi_binary_moduledata(self._handle())
        d.setdefault("next", None)
        return ModuleData(**d)

    @property
    def types(self):
        """The runtime type descriptors of this binary (Types), read with the
        binary's layout(); closed with the binary."""
        lay = self.layout()
        with self._lock:
            if self._types is None:
                self._types = Types(self, _c.gort_types_open(lay._handle()))
        return self._types


    # -- runtime layouts ----------------------------------------------------

    def layout(self, *, no_dwarf=False, allow_nearest=False):
        """The Layout of the runtime's structures in this binary: from its
        DWARF, else from its own runtime type descriptors, else from the
        built-in table of its Go release (no_dwarf ignores DWARF;
        allow_nearest accepts the nearest older release's table for a
        release without one). Raises UnsupportedError when none of them
        answers. Closed with the binary."""
        key = (bool(no_dwarf), bool(allow_nearest))
        h = self._handle()
        with self._lock:
            lay = self._layouts.get(key)
            if lay is None:
                lay = Layout(self, _c.gi_layout_open(h, int(key[0]), int(key[1])))
                self._layouts[key] = lay
        return lay

    @property
    def offsets(self):
        """{"runtime.g.goid": 152, "runtime.g.SIZE": 456, ...}: every name of
        the layout catalogue this binary's release has, as gort-offsets
        prints them."""
        return self.layout().offsets()


# -- runtime layouts ----------------------------------------------------------

_LAYOUT_SOURCES = _enum_names("GORT_LAYOUT_")
_LABELS_KINDS = _enum_names("GORT_LABELS_")


class FieldLayout(NamedTuple):
    """Where a field sits in its structure, and where the answer came from
    ('dwarf', 'types', 'table', 'nearest', 'binary' or 'abi')."""

    offset: int
    size: int
    source: str


class TlsG(NamedTuple):
    """The TLS slot of a thread's current g: offset (bytes from the thread
    pointer, negative below it) from the register base ('fs', 'gs',
    'tpidr_el0')."""

    offset: int
    base: str
    source: str


class Layout(_BinaryPart):
    """Offsets and sizes of the Go runtime's structures (runtime.g, m, p,
    gobuf, ...) in one binary, plus the tables its release carries (wait
    reasons, status names, TLS slot of g, labels representation). From
    Binary.layout(); valid while the binary is open."""

    _close_handle = staticmethod(_c.gort_layout_close)

    def field(self, type, field):
        """FieldLayout of `field` in `type` ("runtime.g", "goid").
        Raises NotFoundError when this release has no such field."""
        off, size, src = _c.gi_layout_field(self._handle(), type, field)
        return FieldLayout(off, size, _LAYOUT_SOURCES.get(src))

    def size(self, type):
        """Byte size of the structure `type` ("runtime.g")."""
        return _c.gi_layout_size(self._handle(), type)[0]

    def offsets(self):
        """{"TYPE.SIZE": n, "TYPE.FIELD": offset} for every name of the
        catalogue that this release has, in catalogue order; a type no
        source covers (schedt of a release without a table) is left out."""
        h = self._handle()
        out = {}
        for i in range(_c.gi_layout_catalogue_count()):
            t, f = _c.gi_layout_catalogue_type(i), _c.gi_layout_catalogue_field(i)
            try:
                if f is None:
                    out[t + ".SIZE"] = _c.gi_layout_size(h, t)[0]
                else:
                    out[t + "." + f] = _c.gi_layout_field(h, t, f)[0]
            except (NotFoundError, UnsupportedError):  # noqa: F821 (generated)
                pass
        return out

    def structs(self):
        """{type: {"size", "source", "fields": {field: {"offset", "size",
        "source"}}}} for every structure of the catalogue this release has,
        in catalogue order: the "types" member of `gort-offsets --json`."""
        h = self._handle()
        out, cur = {}, None
        for i in range(_c.gi_layout_catalogue_count()):
            t, f = _c.gi_layout_catalogue_type(i), _c.gi_layout_catalogue_field(i)
            try:
                if f is None:
                    size, src = _c.gi_layout_size(h, t)
                    cur = out[t] = {"size": size, "source": _LAYOUT_SOURCES.get(src),
                                    "fields": {}}
                    continue
                if t not in out:
                    continue
                off, size, src = _c.gi_layout_field(h, t, f)
                cur["fields"][f] = {"offset": off, "size": size,
                                    "source": _LAYOUT_SOURCES.get(src)}
            except (NotFoundError, UnsupportedError):  # noqa: F821 (generated)
                pass
        return out

    def _release(self, fn):
        try:
            major, minor = fn(self._handle())
        except NotFoundError:  # noqa: F821
            return None
        return (major, minor)

    @property
    def go_release(self):
        """(1, 22) for a go1.22.x binary; None when unknown."""
        return self._release(_c.gi_layout_go_release)

    @property
    def table_release(self):
        """Release of the built-in table in use; None when DWARF answers alone."""
        return self._release(_c.gi_layout_table_release)

    def _names(self, count, name):
        h = self._handle()
        out = []
        for i in range(count(h)):
            try:
                out.append(name(h, i)[0])
            except NotFoundError:  # noqa: F821
                out.append(None)
        return out

    @property
    def wait_reasons(self):
        """The release's wait reason strings, indexed by g.waitreason."""
        return self._names(_c.gi_layout_wait_reason_count, _c.gort_layout_wait_reason)

    @property
    def status_names(self):
        """Goroutine status names, indexed by g.atomicstatus (None: unnamed)."""
        return self._names(_c.gi_layout_status_count, _c.gort_layout_status_name)

    @property
    def tls_g(self):
        """TlsG, or None where the release keeps no TLS slot for g."""
        h = self._handle()
        try:
            off, src = _c.gi_layout_tls_g(h)
        except NotFoundError:  # noqa: F821
            return None
        return TlsG(off, _c.gi_layout_tls_base(h), _LAYOUT_SOURCES.get(src))

    @property
    def labels_kind(self):
        """How g.labels is represented: 'map' (to Go 1.23) or 'slice'."""
        try:
            return _LABELS_KINDS.get(_c.gort_layout_labels_kind(self._handle()))
        except NotFoundError:  # noqa: F821
            return None

    def __repr__(self):
        return "<goinspect.Layout of %r%s>" % (
            self._binary, " closed" if self._h is None else "")


# -- symbols, moduledata, types -----------------------------------------------


class Symbol(NamedTuple):
    """A symbol of the binary's symbol table: name, value (address), size
    and kind, `go tool nm`'s letter (T text, R read-only data, D data, B
    bss, U undefined, C constant; lower case for local symbols)."""

    name: str
    value: int
    size: int
    kind: str


@dataclass(frozen=True)
class ModuleData:
    """The runtime's first moduledata (runtime/symtab.go): its address and
    the addresses and sizes it records. next is None when the binary's Go
    version does not tell where it is."""

    addr: int
    pclntab: int
    pclntab_size: int
    ftab: int
    findfunctab: int
    minpc: int
    maxpc: int
    text: int
    etext: int
    noptrdata: int
    enoptrdata: int
    data: int
    edata: int
    bss: int
    ebss: int
    noptrbss: int
    enoptrbss: int
    end: int
    gcdata: int
    gcbss: int
    types: int
    etypes: int
    next: Optional[int]


_KINDS = _enum_names("GORT_KIND_")


class TypeField(NamedTuple):
    """A field of a struct type: name, type_addr (its type's descriptor),
    offset in bytes, embedded."""

    name: str
    type_addr: int
    offset: int
    embedded: bool


class Type:
    """A runtime type descriptor, copied out of the binary.

    addr, name (as reflect.Type.String() prints it), kind ("struct",
    "pointer", "map", ... from reflect.Kind; kind_code the number), size,
    len (arrays), fields (list of TypeField, structs), elem_addr and
    key_addr (0 when none); elem and key read those types (needing the
    binary still open), as does field_type(field).
    """

    __slots__ = ("addr", "name", "kind", "kind_code", "size", "len", "fields",
                 "elem_addr", "key_addr", "_types")

    def __init__(self, types, d):
        self._types = types  # keeps the binary alive for elem / key
        self.addr, self.name, self.size, self.len = d["addr"], d["name"], d["size"], d["len"]
        self.kind_code = d["kind"]
        self.kind = _KINDS.get(self.kind_code, "invalid")
        self.elem_addr, self.key_addr = d["elem"], d["key"]
        self.fields = [TypeField(f["name"], f["type"], f["offset"], f["embedded"])
                       for f in d["fields"]]

    @property
    def elem(self):
        """The element Type (pointer, slice, array, chan, map), or None."""
        return self._types.at(self.elem_addr) if self.elem_addr else None

    @property
    def key(self):
        """The key Type of a map, or None."""
        return self._types.at(self.key_addr) if self.key_addr else None

    def field_type(self, field):
        """The Type of a TypeField of this struct."""
        return self._types.at(field.type_addr)

    def __repr__(self):
        return "<goinspect.Type %s %s size=%d>" % (self.name, self.kind, self.size)


class Types(_BinaryPart):
    """The type descriptors of one binary (Binary.types): at(addr) reads the
    one at an address (an interface's type word, a map's type), typelinks()
    the addresses the module lists (Go 1.15 to 1.26; UnsupportedError on
    Go 1.27, which has no typelinks); iterating reads each listed Type.
    Valid while the binary is open."""

    _close_handle = staticmethod(_c.gort_types_close)

    def at(self, addr):
        """The Type whose descriptor is at addr (FaultError, FormatError
        name the address when it is not one)."""
        return Type(self, _c.gi_type_read(self._handle(), addr))

    def typelinks(self):
        """Descriptor addresses of the module's typelinks, in their order."""
        return _c.gi_types_list(self._handle())

    def __iter__(self):
        return (self.at(a) for a in self.typelinks())

    def __repr__(self):
        return "<goinspect.Types of %r>" % (self._binary,)


# -- cores --------------------------------------------------------------------


class Thread(NamedTuple):
    """An OS thread of the core, with the registers the unwinder uses."""

    tid: int
    pc: int
    sp: int
    fp: int
    lr: int


@dataclass(frozen=True)
class StackFrameCore:
    """A frame of a goroutine's stack, innermost first: function, file,
    line and whether it was inlined into the next frame, plus the physical
    frame's pc (a return address for callers), entry, sp and fp; trap when
    pc is the faulting instruction itself."""

    function: str
    file: str
    line: int
    inlined: bool
    pc: int
    entry: int
    sp: int
    fp: int
    trap: bool


@dataclass(frozen=True)
class Goroutine:
    """One goroutine of a core, copied out of it with its whole stack.

    status and wait_reason are the runtime's own names ("waiting",
    "chan receive"); wait_since is g.waitsince (runtime nanotime, 0 when
    unknown); wait_minutes is how long it has waited, in minutes as the
    runtime's traceback prints them (truncated), measured against the
    clock read when a running process was opened, or, for a core file, as
    estimated from the runtime's own timestamps (a lower bound:
    gort_core_clock), None when unknown or not waiting;
    labels is a dict of pprof labels; frames the stack, innermost first
    (stack_error says why it stops early, if it does); created_by the
    function holding the go statement, created_in its goroutine id (Go
    1.21+, else 0); stack_error_name the error's name ("EUNSUPPORTED"
    for a running goroutine whose registers are elsewhere)."""

    id: int
    addr: int
    status_value: int
    status: str
    wait_reason: str
    scan: bool
    wait_since: int
    locked_to_thread: bool
    m_id: int
    thread_id: int
    start_pc: int
    start_func: str
    creator_pc: int
    creator_entry: int
    created_by: str
    creator_file: str
    creator_line: int
    created_in: int
    stack_lo: int
    stack_hi: int
    labels: dict
    frames: list
    stack_error: Optional[str]
    stack_error_name: Optional[str] = None
    wait_minutes: Optional[int] = None


class Core(_Handle):
    """An ELF core of a Go process (also zstd-compressed), with its
    executable: Core(core_path, exe_path=None) takes the executable named
    in the core when exe_path is None; Core(data=buf, exe_path=...) reads
    a core held in memory; Core.open_pid(pid) a running process.
    allow_mismatch opens a core whose executable is another build (answers
    may be wrong). progress=fn is called as fn(step, done, total) while a
    core is opened: "decompress" (a zstd core), then "notes" (threads and
    mapped files); an exception it raises is raised by Core()."""

    _close_handle = staticmethod(_c.gort_core_close)
    _free_stack = staticmethod(_c.gort_stack_iter_free)
    _free_goroutines = staticmethod(_c.gi_goroutines_free)

    def __init__(self, core_path=None, exe_path=None, *, data=None,
                 max_decompressed=0, allow_mismatch=False, progress=None):
        self._h = None
        self._data = None
        self._pid = None
        self._goroutines = None
        self.errors = []
        if (core_path is None) == (data is None):
            raise TypeError("Core() takes a core path or data=bytes")
        exe = _exe_arg(exe_path)
        hook = _Progress(progress, _CORE_STEPS) if progress is not None else None
        if data is not None:
            # Read in place, for as long as the core is open: the
            # memoryview keeps the buffer alive (and a bytearray from
            # being resized) until close().
            mv = memoryview(data)
            mv = mv.cast("B") if mv.c_contiguous else memoryview(mv.tobytes())
            self._data = mv
            self.name = None
            self._h = _c.gi_core_open_memory(mv, exe, max_decompressed,
                                             int(bool(allow_mismatch)), hook)
        else:
            core_path = os.fspath(core_path)
            self.name = os.fsdecode(core_path)
            self._h = _c.gi_core_open(core_path, exe, max_decompressed,
                                      int(bool(allow_mismatch)), hook)
        if hook is not None:  # called only while opening
            try:
                hook.check()
            except BaseException:
                self.close()
                raise

    @classmethod
    def open_pid(cls, pid, exe_path=None, *, keep_stopped=False, allow_mismatch=False):
        """The running Go process pid (Linux), opened as a core: its threads
        are stopped (ptrace, no signal) while their registers are read,
        then resumed, unless keep_stopped, which keeps them stopped until
        resume() or close() so that every read sees that instant. exe_path
        None takes /proc/PID/exe. Memory is read from the process as it is
        asked for: a goroutine parked throughout reads exactly, one that
        runs meanwhile may not (see docs/cores.md). Needs ptrace rights
        on the process: IoError with errno EPERM otherwise (ENOENT / ESRCH
        when there is no such process)."""
        self = cls.__new__(cls)
        self._h = None
        self._data = None
        self._goroutines = None
        self.errors = []
        self.name = None
        self._pid = int(pid)
        self._h = _c.gi_core_open_pid(int(pid), _exe_arg(exe_path), int(bool(keep_stopped)),
                                      int(bool(allow_mismatch)))
        return self

    @property
    def pid(self):
        """The process id of a core opened with open_pid(), else None."""
        return _c.gort_core_pid(self._handle()) or None

    def resume(self):
        """Let the threads that keep_stopped kept stopped run again (reads
        then see the running process); nothing for a core file."""
        _c.gort_core_resume(self._handle())

    def close(self):
        h, self._h = self._h, None
        if h is not None:
            self._close_handle(h)  # resumes a live process's threads
        data, self._data = getattr(self, "_data", None), None
        if data is not None:
            try:
                data.release()  # a bytearray can be resized again
            except BufferError:
                pass

    @property
    def arch(self):
        return _c.gort_arch_name(_c.gort_core_arch(self._handle()))

    @property
    def load_bias(self):
        """What the executable was moved by (PIE), 0 otherwise."""
        return _c.gort_core_load_bias(self._handle())

    @property
    def threads(self):
        h = self._handle()
        return [Thread(*_c.gort_core_thread_at(h, i))
                for i in range(_c.gort_core_thread_count(h))]

    def read(self, addr, size):
        """size bytes of the process's memory at addr; FaultError names the
        first address neither the core nor the executable holds."""
        return _c.gi_core_read(self._handle(), addr, size)

    def _stack(self, h, it):
        frames, err = [], None
        try:
            st = _c.gi_goroutine_stack(h, it)
        except Error as e:
            return frames, e
        try:
            while True:
                try:
                    frames.append(StackFrameCore(*_c.gort_stack_iter_next(st)))
                except EndOfIterationError:  # noqa: F821
                    break
                except Error as e:
                    err = e
                    break
        finally:
            self._free_stack(st)
        return frames, err

    @property
    def goroutines(self):
        """Every goroutine of runtime.allgs (dead ones skipped, as the
        runtime's own dump does), as a list of Goroutine, read once.
        Goroutines that cannot be read are left out and their errors kept
        in self.errors."""
        if self._goroutines is None:
            h = self._handle()
            it = _c.gi_goroutines_new(h)
            out = []
            try:
                while True:
                    try:
                        t = _c.gi_goroutines_next(it)
                    except EndOfIterationError:  # noqa: F821
                        break
                    except Error as e:
                        self.errors.append(e)
                        continue
                    frames, err = self._stack(h, it)
                    (gid, addr, sv, status, wr, scan, since, locked, m_id, tid,
                     spc, sfn, cpc, cfn, cfile, cline, cid, lo, hi, labels, centry,
                     wait_ns) = t
                    out.append(Goroutine(
                        id=gid, addr=addr, status_value=sv, status=status, wait_reason=wr,
                        scan=bool(scan), wait_since=since, locked_to_thread=bool(locked),
                        m_id=m_id, thread_id=tid, start_pc=spc, start_func=sfn,
                        creator_pc=cpc, creator_entry=centry, created_by=cfn,
                        creator_file=cfile, creator_line=cline, created_in=cid,
                        stack_lo=lo, stack_hi=hi, labels=dict(labels), frames=frames,
                        stack_error=str(err) if err else None,
                        stack_error_name=err.name if err else None,
                        wait_minutes=wait_ns // 60000000000 if wait_ns >= 0 else None))
            finally:
                self._free_goroutines(it)
            self._goroutines = out
        return self._goroutines

    def __repr__(self):
        what = ("pid %d" % self._pid if self._pid is not None
                else repr(self.name) if self.name is not None else "<bytes>")
        return "<goinspect.Core %s%s>" % (what, " closed" if self._h is None else "")


def _exe_arg(exe_path):
    return None if exe_path is None else os.fsdecode(os.fspath(exe_path))


# -- traces -------------------------------------------------------------------

_RESOURCE_KINDS = _enum_names("GORT_TRACE_RESOURCE_")


class StackFrame(NamedTuple):
    """A frame of a trace event's stack."""

    pc: int
    func: str
    file: str
    line: int


class Event:
    """One event of a trace, copied out of it.

    kind ("StateTransition", "Metric", ... as Go's trace.EventKind prints),
    kind_code, type (wire type), time (ns, trace clock), goroutine, proc,
    thread (None when there is none), stack (list of StackFrame, innermost
    first, or None); str() is the event as `go tool trace -d=parsed` prints
    it. Kind-specific fields are attributes too: for StateTransition
    resource_kind ("goroutine" / "proc"), resource, state_from, state_to
    (state names, "Running"...), reason, transition_stack; for Metric name,
    value; for Log task, category, message; for Label label, resource_kind,
    resource; for Task*/Region* task, parent, type; for Range* name,
    scope_kind, scope.
    """

    def __init__(self, t):
        (self.kind_code, self.type, self.time, self.goroutine, self.proc, self.thread,
         self._text, stack, detail) = t
        self.kind = _c.gort_trace_event_kind_name(self.kind_code)
        self.stack = [StackFrame(*f) for f in stack] if stack is not None else None
        for k in ("resource_kind", "scope_kind"):
            if k in detail:
                detail[k] = _RESOURCE_KINDS.get(detail[k], detail[k])
        if self.kind_code == _c.GORT_TRACE_EVENT_STATE_TRANSITION:
            name = (_c.gort_trace_go_state_name if detail["resource_kind"] == "goroutine"
                    else _c.gort_trace_proc_state_name)
            detail["state_from"] = name(detail.pop("from"))
            detail["state_to"] = name(detail.pop("to"))
            ts = detail["transition_stack"]
            detail["transition_stack"] = [StackFrame(*f) for f in ts] if ts is not None else None
        self.__dict__.update(detail)

    def __str__(self):
        return self._text

    def __repr__(self):
        return "<goinspect.Event %s t=%d>" % (self.kind, self.time)


class Trace(_Handle):
    """A Go execution trace (runtime/trace), from a path or from bytes.

    Trace(path) or Trace(data=b"..."), zstd-compressed or not. version is
    the format (N of "go 1.N trace"); events() iterates over the events in
    order, as Go's reader orders them, holding one generation at a time;
    stats() counts them. A context manager; closing it ends its iterators.

    progress=fn is called as fn(step, done, total) during the passes over
    the whole trace before an event can be returned: "decompress" (a zstd
    trace, while opening), then for traces of Go 1.5-1.21 "index" and
    "futile" (Go 1.5-1.7) each time events are read (events(), stats(),
    export()); done of total units, every MiB or so and once at the end of
    each step. An exception it raises stops the reports and is raised by
    the call that ran it.
    """

    _close_handle = staticmethod(_c.gort_trace_close)
    _free_iter = staticmethod(_c.gort_trace_event_iter_free)

    def __init__(self, path=None, *, data=None, max_decompressed=0, progress=None):
        self._h = None
        self._iters = {}  # id -> live iterator handle, freed before the trace
        if (path is None) == (data is None):
            raise TypeError("Trace() takes a path or data=bytes")
        # Kept for as long as the trace: its iterators report to it too.
        self._progress = _Progress(progress, _TRACE_STEPS) if progress is not None else None
        if data is not None:
            self._data = data if type(data) is bytes else bytes(data)
            self.name = None
            self._h = _c.gi_trace_open_memory(self._data, max_decompressed, self._progress)
        else:
            self._data = None
            path = os.fspath(path)
            self.name = os.fsdecode(path)
            self._h = _c.gi_trace_open(path, max_decompressed, self._progress)
        try:
            self._check_progress()
        except BaseException:
            self.close()
            raise

    def _check_progress(self):
        if self._progress is not None:
            self._progress.check()

    def close(self):
        iters, self._iters = getattr(self, "_iters", {}), {}
        for it in iters.values():
            self._free_iter(it)
        h, self._h = self._h, None
        if h is not None:
            self._close_handle(h)
        self._data = None

    @property
    def version(self):
        return _c.gort_trace_version(self._handle())

    def events(self):
        """An iterator over the events (Event), in order."""
        it = _c.gort_trace_event_iter_new(self._handle())
        key = id(it)
        self._iters[key] = it
        try:
            self._check_progress()  # old formats: the index pass reported
        except BaseException:
            self._free_iter(self._iters.pop(key))
            raise
        return self._events(key, it)

    def _events(self, key, it):
        try:
            while True:
                if self._iters.get(key) is not it:
                    raise ValueError("the goinspect.Trace was closed")
                try:
                    t = _c.gort_trace_event_iter_next(it)
                except EndOfIterationError:  # noqa: F821 (generated from the error table)
                    return
                yield Event(t)
        finally:
            if self._iters.pop(key, None) is not None:
                self._free_iter(it)

    def counts(self):
        """{kind: number of events} in the order of the kinds' codes, as
        `gort-trace count` prints them (reads every event)."""
        n = collections.Counter()
        for ev in self.events():
            n[ev.kind_code] += 1
        return {_c.gort_trace_event_kind_name(k): n[k] for k in sorted(n)}

    def stats(self, *, max_pauses=0, strict=False):
        """The trace's summary (TraceStats): Go's goroutine analysis
        (internal/trace/summary.go) per goroutine and grouped by start
        function as `go tool trace` groups them, user regions, GC mark
        phases and stop-the-world pauses (at most max_pauses of each are
        listed; 0: a million), latency histograms. Reads the whole trace.

        A trace that breaks off (truncated, corrupt midway) is summarized
        up to the break, as `gort-trace stats` and `go tool trace` do: the
        summary's `error` is then the Error that ended the reading (None
        for a trace read to its end). It raises when not one event could
        be read, and, with strict=True, at any read error."""
        if strict:
            s, failure = _c.gi_trace_summarize(self._handle(), max_pauses), None
        else:
            s, failure = _c.gi_trace_summarize_partial(self._handle(), max_pauses)
        try:
            self._check_progress()
            st = TraceStats(_c.gi_trace_summary_value(s))
        finally:
            self._free_summary(s)
        if failure:
            st.error = _error_factory(failure["code"], failure["message"],
                                      failure.get("offset"), failure.get("address"),
                                      failure["errno"])
        return st

    _free_summary = staticmethod(_c.gort_trace_summary_free)

    def export(self, format="perfetto", path=None):
        """The trace in another format: "perfetto" (Chrome/Perfetto Trace
        Event JSON, for ui.perfetto.dev), "csv" (one row per event) or
        "goroutines-csv" (one row per goroutine of the summary). Written to
        path when given (returns None), else returned as a str."""
        code = _EXPORT_FORMATS.get(format)
        if code is None:
            raise ValueError("unknown export format %r (one of %s)"
                             % (format, ", ".join(_EXPORT_FORMATS)))
        if path is not None:
            _c.gort_trace_export_file(self._handle(), code, os.fspath(path))
            self._check_progress()
            return None
        text = _c.gi_trace_export_string(self._handle(), code)
        self._check_progress()
        return text.decode("utf-8", "surrogateescape")

    def __repr__(self):
        return "<goinspect.Trace %s%s>" % (
            repr(self.name) if self.name is not None else "<bytes>",
            " closed" if self._h is None else "")


_EXPORT_FORMATS = {"perfetto": _c.GORT_TRACE_EXPORT_PERFETTO,
                   "json": _c.GORT_TRACE_EXPORT_PERFETTO,
                   "csv": _c.GORT_TRACE_EXPORT_CSV,
                   "goroutines-csv": _c.GORT_TRACE_EXPORT_GOROUTINES_CSV}


class Pause(NamedTuple):
    """A GC mark phase or a stop-the-world pause: start and end (trace
    clock, ns; end 0 when still running at the end of the trace), reason
    (the STW reason, "" for GC)."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Histogram:
    """Durations of one kind (ns): count, sum, min, max, and buckets (64
    counts: bucket 0 for <= 0 ns, bucket i for [2^(i-1), 2^i) ns); p50, p90,
    p99 are upper bounds of the buckets holding those quantiles (within a
    factor of 2, clamped to max)."""

    count: int
    sum: int
    min: int
    max: int
    p50: int
    p90: int
    p99: int
    buckets: list

    @property
    def mean(self):
        """sum // count (0 when empty), as gort-trace prints it."""
        return self.sum // self.count if self.count else 0


@dataclass(frozen=True)
class GoroutineSummary:
    """Go's GoroutineSummary for one goroutine (ns on the trace clock; 0 =
    never): id, name (start function, "" when no stack was seen), pc,
    creation/start/end times, exec, scheduler wait, syscall, syscall block,
    total and unknown times, block_time (sum of block), block {reason: ns}
    and range {name: ns} in the summary's (sorted) order."""

    id: int
    name: str
    pc: int
    creation_time: int
    start_time: int
    end_time: int
    exec_time: int
    sched_wait_time: int
    syscall_time: int
    syscall_block_time: int
    total_time: int
    unknown_time: int
    block_time: int
    block: dict
    range: dict


@dataclass(frozen=True)
class GoroutineGroup:
    """Goroutines sharing a start function (go tool trace's groups): name,
    count and the sums of their times, block and range as in
    GoroutineSummary."""

    name: str
    count: int
    exec_time: int
    sched_wait_time: int
    syscall_time: int
    syscall_block_time: int
    total_time: int
    unknown_time: int
    block_time: int
    block: dict
    range: dict


@dataclass(frozen=True)
class RegionGroup:
    """User regions of one name over all goroutines: count and the sums of
    Go's UserRegionSummary times."""

    name: str
    count: int
    exec_time: int
    sched_wait_time: int
    syscall_time: int
    syscall_block_time: int
    total_time: int
    block_time: int


def _named(d):
    d = dict(d)
    d["block"] = {b["name"]: b["ns"] for b in d["block"]}
    d["range"] = {r["name"]: r["ns"] for r in d["range"]}
    return d


class TraceStats:
    """Trace.stats(): what `gort-trace stats` prints, as objects.

    events, start_time, end_time, duration (end - start, ns);
    goroutines (GoroutineSummary, by id), groups (GoroutineGroup, by
    execution time descending), regions (RegionGroup, by name); gc and stw
    (Pause lists in time order) with gc_dropped / stw_dropped (past
    max_pauses); histograms {"sched", "block", "syscall", "stw", "gc":
    Histogram}; error: None, or the Error that broke the trace off (the
    summary then covers the events before it).
    """

    error = None

    def __init__(self, d):
        self.events = d["events"]
        self.start_time, self.end_time = d["start_time"], d["end_time"]
        self.duration = self.end_time - self.start_time
        self.goroutines = [GoroutineSummary(**_named(g)) for g in d["goroutines"]]
        self.groups = [GoroutineGroup(**_named(g)) for g in d["groups"]]
        self.regions = [RegionGroup(**r) for r in d["regions"]]
        self.gc = [Pause(**p) for p in d["gc"]]
        self.stw = [Pause(**p) for p in d["stw"]]
        self.gc_dropped, self.stw_dropped = d["gc_dropped"], d["stw_dropped"]
        self.histograms = {k: Histogram(**h) for k, h in d["histograms"].items()}

    def __repr__(self):
        return "<goinspect.TraceStats %d events, %d goroutines%s>" % (
            self.events, len(self.goroutines),
            ", broken off: %s" % self.error.name if self.error is not None else "")
