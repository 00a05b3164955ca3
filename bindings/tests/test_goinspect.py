"""Tests of the Python bindings against the C tool, gort-version -m.

Run by ctest (bindings.python) with PYTHONPATH at the build tree and
GORT_VERSION_TOOL, GORT_BINDINGS_FIXTURE in the environment; runs under
unittest or pytest:
    PYTHONPATH=build/bindings/python python3 bindings/tests/test_goinspect.py -v
"""

import gc
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import goinspect

TOOL = os.environ.get("GORT_VERSION_TOOL", "")
if TOOL and not os.access(TOOL, os.X_OK):
    TOOL = ""  # configured but not built: comparisons are skipped
FIXTURE = os.environ.get("GORT_BINDINGS_FIXTURE", "")


def go_binaries():
    """Real Go binaries nobody here built: every toolchain's gofmt, plus the
    fixture with a replaced dependency when it was built."""
    files = sorted(glob.glob("/usr/lib/go-1.*/bin/gofmt"))
    if FIXTURE and os.path.exists(os.path.join(FIXTURE, "prog")):
        files.append(os.path.join(FIXTURE, "prog"))
    return files


def tool(*args):
    """gort-version ARGS: (exit status, stdout, stderr)."""
    p = subprocess.run([TOOL, *args], capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), \
        p.stderr.decode("utf-8", "surrogateescape")


def tool_modinfo(path):
    """gort-version -m PATH -> (go version, module text as BuildInfo.String()
    prints it, i.e. without the tab `go version -m` adds to each line)."""
    rc, out, err = tool("-m", path)
    assert rc == 0, err
    first, _, rest = out.partition("\n")
    version = first.split(": ", 1)[1]
    if not rest:
        return version, ""
    lines = rest.split("\n")
    assert lines[-1] == "", repr(rest)
    return version, "\n".join(l[1:] for l in lines[:-1]) + "\n"


def go_quote(s, key=False):
    """runtime/debug (mod.go): quoteKey / quoteValue, then strconv.Quote
    (for the ASCII our inputs hold)."""
    if not ((key and (s == "" or "=" in s)) or any(c in " \t\r\n\"`" for c in s)):
        return s
    out = '"'
    for c in s:
        out += {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, c)
    return out + '"'


def text_from_objects(bi):
    """BuildInfo.String() rebuilt from the Python objects, as
    runtime/debug/mod.go writes it (without the "go" line)."""
    out = []
    if bi.path:
        out.append("path\t%s\n" % bi.path)

    def mod(word, m):
        out.append("%s\t%s\t%s" % (word, m.path, m.version))
        if m.replace is None:
            out.append("\t" + m.sum)
        else:
            out.append("\n")
            mod("=>", m.replace)
        out.append("\n")

    if bi.main is not None:
        mod("mod", bi.main)
    for d in bi.deps:
        mod("dep", d)
    for k, v in bi.settings:
        out.append("build\t%s=%s\n" % (go_quote(k, True), go_quote(v)))
    return "".join(out)


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
class AgainstTheCTool(unittest.TestCase):
    def test_have_binaries(self):
        self.assertTrue(go_binaries(), "no Go toolchain installed (/usr/lib/go-1.*)")

    def test_version_and_modinfo(self):
        for path in go_binaries():
            with self.subTest(path=path):
                version, text = tool_modinfo(path)
                with goinspect.Binary(path) as b:
                    self.assertEqual(b.go_version, version)
                    self.assertEqual(b.version_source, "buildinfo")
                    bi = b.build_info
                    self.assertEqual(bi.go_version, version)
                    self.assertEqual(str(bi), text)
                    self.assertEqual(b.format, "elf")
                    settings = dict(bi.settings)
                    if "GOARCH" in settings:
                        self.assertEqual(b.arch, settings["GOARCH"])
                    self.assertEqual(b.ptr_size, 8 if b.arch in ("amd64", "arm64") else 4)
                    self.assertFalse(b.big_endian)
                # The objects say what the text says.
                self.assertEqual(text_from_objects(bi), text)

    def test_from_bytes(self):
        for path in go_binaries():
            with self.subTest(path=path):
                with open(path, "rb") as f:
                    data = f.read()
                from_path = goinspect.Binary(path)
                from_bytes = goinspect.Binary(data=data)
                self.assertEqual(from_bytes.go_version, from_path.go_version)
                self.assertEqual(str(from_bytes.build_info), str(from_path.build_info))
                self.assertEqual(from_bytes.build_info.deps, from_path.build_info.deps)
                # bytearray / memoryview are copied, the result is the same
                self.assertEqual(goinspect.Binary(data=bytearray(data)).go_version,
                                 from_path.go_version)

    @unittest.skipUnless(shutil.which("zstd"), "zstd not installed")
    def test_zstd_bytes(self):
        path = go_binaries()[-1]
        data = subprocess.run(["zstd", "-q", "-c", path], capture_output=True, check=True).stdout
        b = goinspect.Binary(data=data)
        self.assertEqual(str(b.build_info), tool_modinfo(path)[1])
        with self.assertRaises(goinspect.TooLargeError):
            goinspect.Binary(data=data, max_decompressed=4096).go_version

    def test_replacement(self):
        if not (FIXTURE and os.path.exists(os.path.join(FIXTURE, "prog"))):
            self.skipTest("no fixture (no Go toolchain)")
        bi = goinspect.Binary(os.path.join(FIXTURE, "prog")).build_info
        self.assertEqual(bi.path, "example.com/gibind")
        self.assertEqual(bi.main, goinspect.Module("example.com/gibind", "(devel)", ""))
        self.assertEqual(len(bi.deps), 1)
        dep = bi.deps[0]
        self.assertEqual((dep.path, dep.version), ("example.com/gidep", "v1.2.3"))
        self.assertEqual(dep.replace, goinspect.Module("./dep", "(devel)", ""))
        self.assertIn(("-ldflags", '-X "main.unused=a b"'), bi.settings)

    def test_version_from_symbol(self):
        noinfo = os.path.join(FIXTURE, "noinfo") if FIXTURE else ""
        if not os.path.exists(noinfo):
            self.skipTest("no fixture (no Go toolchain)")
        rc, out, _ = tool(noinfo)
        self.assertEqual(rc, 0)
        b = goinspect.Binary(noinfo)
        self.assertEqual(b.go_version, out.strip().split(": ", 1)[1])
        self.assertEqual(b.version_source, "symbol")
        with self.assertRaises(goinspect.NotGoError):
            b.build_info

    def test_library_version(self):
        rc, out, _ = tool("--version")
        self.assertEqual(rc, 0)
        self.assertEqual(out.split()[-1], goinspect.__version__)


def tool_run(name, args, stdin=b""):
    exe = os.path.join(os.path.dirname(TOOL), name)
    p = subprocess.run([exe, *args], input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape")


def addr2line_text(b, pcs, inlines):
    """What gort-addr2line [-i] prints for pcs, from the Python objects."""
    out = []
    for pc in pcs:
        frames = b.lookup(pc)
        if not frames:
            out.append("?\n?:0\n")
        elif inlines:
            out += ["%s\n%s:%d\n" % (f.function, f.file, f.line) for f in frames]
        else:
            out.append("%s\n%s:%d\n" % (frames[-1].function, frames[0].file, frames[0].line))
    return "".join(out)


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
class Pclntab(unittest.TestCase):
    """Against gort-funcs and gort-addr2line (themselves checked against
    debug/gosym and go tool addr2line)."""

    def test_funcs(self):
        for path in go_binaries():
            with self.subTest(path=path), goinspect.Binary(path) as b:
                rc, out = tool_run("gort-funcs", [path])
                self.assertEqual(rc, 0)
                funcs = list(b.funcs)
                self.assertEqual(len(funcs), b.func_count)
                self.assertEqual("".join("%#x %#x %s\n" % (f.entry, f.end, f.name) for f in funcs), out)
                self.assertEqual([f.index for f in funcs], list(range(len(funcs))))
                self.assertIn(b.pclntab_version, (12, 116, 118, 120))
                mid = funcs[len(funcs) // 2]
                self.assertEqual(b.find_func(mid.entry).name, mid.name)
                self.assertEqual(b.find_func(mid.end - 1).entry, mid.entry)
                self.assertIsNone(b.find_func(0x10))
                self.assertTrue(mid.file)  # "x/y.go", or "<autogenerated>"
                if b.pclntab_version >= 120:
                    self.assertGreater(mid.start_line, 0)

    def test_lookup(self):
        for path in go_binaries():
            with self.subTest(path=path), goinspect.Binary(path) as b:
                funcs = list(b.funcs)
                pcs = [0x10, 0]
                for f in funcs[::7]:
                    pcs += [f.entry, f.entry + (f.end - f.entry) // 2, f.end - 1]
                stdin = "".join("%#x\n" % pc for pc in pcs).encode()
                inlined = 0
                for flag in (["-i"], []):
                    rc, out = tool_run("gort-addr2line", flag + [path], stdin)
                    self.assertEqual(rc, 0)
                    self.assertEqual(addr2line_text(b, pcs, bool(flag)), out)
                for pc in pcs:
                    frames = b.lookup(pc)
                    if frames:
                        self.assertFalse(frames[-1].inlined)
                        self.assertTrue(all(f.inlined for f in frames[:-1]))
                        self.assertEqual(frames[-1].entry, b.find_func(pc).entry)
                        inlined += len(frames) - 1
                if b.pclntab_version >= 118:  # inlining tables since Go 1.12; checked where common
                    self.assertGreater(inlined, 0, "no inlined frames seen")

    def test_not_go_and_closed(self):
        with self.assertRaises(goinspect.NotGoError):
            goinspect.Binary("/bin/ls").func_count
        b = goinspect.Binary(go_binaries()[-1])
        funcs = b.funcs
        first = next(funcs)
        b.close()
        self.assertTrue(first.name)  # copied
        with self.assertRaises(ValueError):
            next(funcs)
        with self.assertRaises(ValueError):
            b.lookup(first.entry)


def trace_file():
    p = os.path.join(FIXTURE, "trace.out") if FIXTURE else ""
    return p if p and os.path.exists(p) else None


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
class Layouts(unittest.TestCase):
    """Against gort-offsets (itself checked against DWARF)."""

    def test_offsets(self):
        for path in go_binaries():
            for no_dwarf in (False, True):
                with self.subTest(path=path, no_dwarf=no_dwarf), goinspect.Binary(path) as b:
                    rc, out = tool_run("gort-offsets", (["--no-dwarf"] if no_dwarf else []) + [path])
                    try:
                        lay = b.layout(no_dwarf=no_dwarf)
                    except goinspect.UnsupportedError:  # noqa: F821
                        self.assertNotEqual(rc, 0)
                        continue
                    self.assertEqual(rc, 0)
                    got = "".join("%s %d\n" % kv for kv in lay.offsets().items())
                    self.assertEqual(got, out)
                    if not no_dwarf:
                        self.assertEqual(b.offsets, lay.offsets())
                    goid = lay.field("runtime.g", "goid")
                    self.assertEqual(goid.offset, lay.offsets()["runtime.g.goid"])
                    self.assertIn(goid.source, ("dwarf", "types"))
                    self.assertEqual(lay.size("runtime.g"), lay.offsets()["runtime.g.SIZE"])
                    self.assertEqual(lay.go_release[0], 1)
                    self.assertIn(lay.labels_kind, ("map", "slice"))
                    self.assertIn("chan receive", lay.wait_reasons)
                    self.assertEqual(lay.status_names[2], "running")
                    with self.assertRaises(goinspect.NotFoundError):  # noqa: F821
                        lay.field("runtime.g", "no_such_field")

    def test_lifetime(self):
        b = goinspect.Binary(go_binaries()[-1])
        lay = b.layout()
        self.assertIs(b.layout(), lay)
        b.close()
        with self.assertRaises(ValueError):
            lay.size("runtime.g")
        with self.assertRaises(goinspect.NotGoError):
            goinspect.Binary("/bin/ls").layout()


CORES = sorted(glob.glob(os.path.join(os.environ.get("GORT_FIXTURES_DIR", ""),
                                     "go1.*", "*", "*", "core.zst")))


@unittest.skipUnless(CORES, "no fixture cores")
class Cores(unittest.TestCase):
    """Against the runtime's own crash dump (crash.txt) of each core."""

    def test_goroutines(self):
        for path in CORES[:: max(1, len(CORES) // 6)]:
            d = os.path.dirname(path)
            want = {}
            with open(os.path.join(d, "crash.txt"), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("goroutine ") and line.rstrip().endswith(":"):
                        gid = int(line.split()[1])
                        want[gid] = line.split("[", 1)[1].split("]", 1)[0]
            with self.subTest(core=path), goinspect.Core(path, os.path.join(d, "prog")) as c:
                gs = {g.id: g for g in c.goroutines}
                self.assertEqual(set(gs), set(want))
                for gid, status in want.items():
                    g = gs[gid]
                    # runtime/traceback.go: the wait reason names a waiting goroutine.
                    shown = g.wait_reason if g.status == "waiting" and g.wait_reason else g.status
                    self.assertTrue(status.startswith(shown), (gid, status, g))
                    if g.status == "waiting":
                        self.assertTrue(g.frames, g)
                        self.assertFalse(g.frames[-1].inlined)
                labelled = [g for g in gs.values() if g.labels]
                self.assertTrue(labelled)
                self.assertEqual(labelled[0].labels.get("fixture"), "gortfixture")
                self.assertTrue(c.threads)
                g = next(iter(gs.values()))
                self.assertEqual(len(c.read(g.addr, 16)), 16)
        with self.assertRaises(goinspect.Error):
            goinspect.Core("/bin/ls")


class Traces(unittest.TestCase):
    """Against gort-trace dump (itself checked against go tool trace -d=parsed)."""

    def setUp(self):
        self.path = trace_file()
        if not self.path:
            self.skipTest("no trace fixture (no Go toolchain)")

    def test_dump(self):
        rc, want = tool_run("gort-trace", ["dump", self.path])
        self.assertEqual(rc, 0)
        with open(self.path, "rb") as f:
            data = f.read()
        for t in (goinspect.Trace(self.path), goinspect.Trace(data=data)):
            with t:
                self.assertGreaterEqual(t.version, 22)
                events = list(t.events())
                self.assertEqual("".join(str(e) + "\n" for e in events), want)
        kinds = {e.kind for e in events}
        self.assertTrue({"Sync", "StateTransition", "TaskBegin", "RegionBegin", "Log"} <= kinds, kinds)
        for e in events:
            self.assertIn("%s Time=%d" % (e.kind, e.time), str(e))
            if e.kind == "StateTransition":
                self.assertIn(e.resource_kind, ("goroutine", "proc"))
                self.assertIn("%s->%s" % (e.state_from, e.state_to), str(e))
            if e.kind == "Log":
                self.assertEqual((e.category, e.message), ("i", "value"))
            if e.stack:
                self.assertIn(e.stack[0].func, str(e))
        self.assertTrue(any(e.stack for e in events))

    def test_stats_and_exports(self):
        check_trace_against_tool(self, self.path, exports=True)

    def test_lifetime_and_errors(self):
        t = goinspect.Trace(self.path)
        it = t.events()
        first = next(it)
        left = t.events()
        next(left)
        del left
        gc.collect()
        self.assertEqual(len(t._iters), 1)  # the abandoned reader was freed
        t.close()
        self.assertEqual(first.kind, "Sync")  # a copy
        with self.assertRaises(ValueError):
            next(it)
        with self.assertRaises(ValueError):
            t.events()
        with self.assertRaises(goinspect.FormatError):
            goinspect.Trace("/bin/ls")
        with self.assertRaises(goinspect.IoError):
            goinspect.Trace("/nonexistent/trace")
        with open(self.path, "rb") as f:
            data = f.read()
        for n in (0, 16, len(data) // 2, len(data) - 1):
            with self.subTest(n=n):
                try:
                    list(goinspect.Trace(data=data[:n]).events())
                except goinspect.Error as e:
                    self.assertLess(e.code, 0)


class Errors(unittest.TestCase):
    def test_classes_from_the_table(self):
        core = goinspect.core
        names = [core.gi_error_name(i) for i in range(core.gi_error_count())]
        self.assertIn("ENOTGO", names)
        self.assertIs(goinspect.NotGoError, goinspect.errors["ENOTGO"])
        for i, name in enumerate(names):
            code = core.gi_error_code(i)
            self.assertEqual(getattr(core, "GORT_" + name), code)
            if code == 0:
                continue
            cls = goinspect.errors[code]
            self.assertIs(goinspect.errors[name], cls)
            self.assertTrue(issubclass(cls, goinspect.Error))
            self.assertEqual(cls.__name__, core.gi_error_class(i) + "Error")
            self.assertIs(getattr(goinspect, cls.__name__), cls)
            self.assertEqual((cls.code, cls.name), (code, name))
            self.assertEqual(cls.description, core.gort_strerror(code))
        self.assertIs(goinspect.NotGoError, goinspect.errors[core.GORT_ENOTGO])
        classes = {core.gi_error_class(i) for i in range(core.gi_error_count())}
        self.assertEqual(len(classes), len(names))  # one class per code

    def test_missing_file(self):
        with self.assertRaises(goinspect.IoError) as cm:
            goinspect.Binary("/nonexistent/goinspect-test")
        e = cm.exception
        self.assertEqual((e.code, e.name), (goinspect.core.GORT_EIO, "EIO"))
        self.assertEqual(e.errno, 2)  # ENOENT
        self.assertIn("/nonexistent/goinspect-test", e.message)
        self.assertEqual(str(e), e.message)

    def test_not_go(self):
        b = goinspect.Binary("/bin/ls")
        self.assertEqual(b.format, "elf")
        for attr in ("build_info", "go_version", "version_source"):
            with self.subTest(attr=attr), self.assertRaises(goinspect.NotGoError) as cm:
                getattr(b, attr)
            self.assertEqual(cm.exception.code, -9)
            self.assertTrue(cm.exception.message)
        if TOOL:
            rc, _, err = tool("-m", "/bin/ls")
            self.assertNotEqual(rc, 0)
            self.assertIn("not a Go executable", err)

    def test_not_an_executable(self):
        with self.assertRaises(goinspect.UnknownFileError):
            goinspect.Binary("/etc/passwd")
        with self.assertRaises(goinspect.UnknownFileError):
            goinspect.Binary(data=b"")

    def test_truncated(self):
        path = go_binaries()[-1] if go_binaries() else "/bin/ls"
        with open(path, "rb") as f:
            data = f.read()
        tmp = tempfile.mkdtemp()
        try:
            for n in (4, 64, 1000, 4096, 65536, len(data) // 2, len(data) - 1):
                with self.subTest(n=n):
                    cut = data[:n]
                    try:
                        v = goinspect.Binary(data=cut).build_info
                    except goinspect.Error as e:
                        self.assertLess(e.code, 0)
                        self.assertIsInstance(e.message, str)
                        self.assertTrue(e.offset is None or isinstance(e.offset, int))
                        v = None
                    if TOOL:  # the C tool agrees on whether there is an answer
                        fn = os.path.join(tmp, "cut")
                        with open(fn, "wb") as f:
                            f.write(cut)
                        os.chmod(fn, 0o755)
                        rc, out, _ = tool("-m", fn)
                        if v is None:
                            self.assertTrue(rc != 0 or "no module information" in _)
                        else:
                            self.assertEqual(rc, 0)
        finally:
            shutil.rmtree(tmp)

    def test_path_kinds(self):
        path = go_binaries()[-1] if go_binaries() else self.skipTest("no Go binaries")
        want = goinspect.Binary(path).go_version
        tmp = tempfile.mkdtemp()
        try:
            odd = os.path.join(os.fsencode(tmp), b"gofmt-\xff\xfe")  # not UTF-8
            os.symlink(os.path.abspath(path), odd)
            for p in (odd, os.fsdecode(odd), __import__("pathlib").Path(os.fsdecode(odd))):
                with self.subTest(p=p):
                    b = goinspect.Binary(p)
                    self.assertEqual(b.go_version, want)
                    self.assertEqual(b.name, os.fsdecode(odd))
            with self.assertRaises(goinspect.IoError) as cm:
                goinspect.Binary(os.path.join(tmp, "missing-\udcff"))
            self.assertIn("missing-", cm.exception.message)
        finally:
            shutil.rmtree(tmp)

    def test_bad_arguments(self):
        with self.assertRaises(TypeError):
            goinspect.Binary()
        with self.assertRaises(TypeError):
            goinspect.Binary("/bin/ls", data=b"x")
        with self.assertRaises(TypeError):
            goinspect.Binary(data="not bytes")
        with self.assertRaises(TypeError):
            goinspect.Binary(42)


class Lifetime(unittest.TestCase):
    def sample(self):
        return go_binaries()[-1] if go_binaries() else self.skipTest("no Go binaries")

    def test_context_manager_and_close(self):
        with goinspect.Binary(self.sample()) as b:
            bi = b.build_info
            self.assertFalse(b.closed)
        self.assertTrue(b.closed)
        b.close()  # idempotent
        with self.assertRaises(ValueError):
            b.go_version
        self.assertIn("go", str(bi) + bi.go_version)  # a copy: still valid
        self.assertIn("closed", repr(b))

    def test_drop_in_any_order(self):
        with open(self.sample(), "rb") as f:
            data = f.read()
        b = goinspect.Binary(data=data)
        bi = b.build_info
        deps, main, text = bi.deps, bi.main, str(bi)
        del data, b, bi
        gc.collect()
        self.assertEqual(text, str(text))
        self.assertIsInstance(deps, list)
        self.assertTrue(main is None or isinstance(main, goinspect.Module))

    def test_many_opens(self):
        path = self.sample()
        versions = {goinspect.Binary(path).go_version for _ in range(200)}
        self.assertEqual(len(versions), 1)

    def test_threads(self):
        b = goinspect.Binary(self.sample())
        want = str(b.build_info)
        got = []

        def work():
            got.append(str(goinspect.Binary(b.name).build_info) == want and
                       b.go_version == b.build_info.go_version)

        ts = [threading.Thread(target=work) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(got, [True] * 8)



# -- Against the other C tools ------------------------------------------------

FIXTURES = os.environ.get("GORT_FIXTURES_DIR", "")


def fixture(*parts):
    p = os.path.join(FIXTURES, *parts)
    return p if FIXTURES and os.path.exists(p) else None


def fixture_binaries():
    """Fixture programs of several releases, architectures and formats."""
    pats = ["go1.*/amd64/default/prog", "go1.*/386/stripped/prog", "go1.2[26]/arm64/pie/prog",
            "go1.2[47]/windows-amd64/*/hello.exe", "go1.1[59]/darwin-amd64/*/hello"]
    out = []
    for pat in pats:
        out += sorted(glob.glob(os.path.join(FIXTURES, pat))) if FIXTURES else []
    return out


def fixture_traces():
    return sorted(glob.glob(os.path.join(FIXTURES, "go1.*", "amd64", "trace.out"))) if FIXTURES else []


def nm_text(b):
    """gort-nm's output, from the Python objects."""
    return "".join("%8s %10d %s %s\n" % ("" if s.kind == "U" else "%x" % s.value, s.size,
                                          s.kind, s.name) for s in b.symbols)


MODULEDATA_FIELDS = ("addr pclntab pclntab_size ftab findfunctab minpc maxpc text etext "
                     "noptrdata enoptrdata data edata bss ebss noptrbss enoptrbss end gcdata "
                     "gcbss types etypes next").split()


def moduledata_text(md):
    return "".join("%s %#x\n" % (f, getattr(md, f)) for f in MODULEDATA_FIELDS
                   if getattr(md, f) is not None)


def raw_stats_text(st):
    """`gort-trace stats --raw`, from a TraceStats."""
    out = []
    for g in st.goroutines:
        out.append("goroutine\t%d\t%s\tpc=%#x creation=%d start=%d end=%d exec=%d sched=%d "
                   "syscall=%d syscallblock=%d total=%d unknown=%d\n" % (
                       g.id, g.name, g.pc, g.creation_time, g.start_time, g.end_time,
                       g.exec_time, g.sched_wait_time, g.syscall_time, g.syscall_block_time,
                       g.total_time, g.unknown_time))
        out += ["\tblock\t%s\t%d\n" % kv for kv in g.block.items()]
        out += ["\trange\t%s\t%d\n" % kv for kv in g.range.items()]
    for r in st.regions:
        out.append("region\t%s\tcount=%d total=%d exec=%d sched=%d block=%d syscall=%d "
                   "syscallblock=%d\n" % (r.name, r.count, r.total_time, r.exec_time,
                                          r.sched_wait_time, r.block_time, r.syscall_time,
                                          r.syscall_block_time))
    out += ["gc\t%d\t%d\n" % (p.start, p.end) for p in st.gc]
    out += ["stw\t%d\t%d\t%s\n" % (p.start, p.end, p.reason) for p in st.stw]
    for k, h in st.histograms.items():
        out.append("hist\t%s\tcount=%d sum=%d min=%d max=%d%s\n" % (
            k, h.count, h.sum, h.min, h.max,
            "".join(" %d:%d" % (i, n) for i, n in enumerate(h.buckets) if n)))
    return "".join(out)


def check_trace_against_tool(tc, path, exports=False):
    """Trace.stats() against gort-trace stats --raw; with exports, also
    counts() and export() against gort-trace count and export."""
    with goinspect.Trace(path) as t:
        rc, want = tool_run("gort-trace", ["stats", "--raw", path])
        tc.assertEqual(rc, 0)
        st = t.stats()
        tc.assertEqual(raw_stats_text(st), want)
        tc.assertEqual(st.duration, st.end_time - st.start_time)
        tc.assertEqual(sum(g.count for g in st.groups), len(st.goroutines))
        if not exports:
            return
        rc, want = tool_run("gort-trace", ["count", path])
        counts = t.counts()
        tc.assertEqual("".join("%-16s %d\n" % kv for kv in counts.items()) +
                       "%-16s %d\n" % ("total", sum(counts.values())), want)
        tc.assertEqual(st.events, sum(counts.values()))
        for fmt in ("perfetto", "csv", "goroutines-csv"):
            rc, want = tool_run("gort-trace", ["export", "--format=" + fmt, path])
            tc.assertEqual(rc, 0)
            tc.assertEqual(t.export(fmt), want, fmt)
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "out")
                tc.assertIsNone(t.export(fmt, out))
                with open(out, encoding="utf-8", errors="surrogateescape") as f:
                    tc.assertEqual(f.read(), want)
        json.loads(t.export("json"))
        with tc.assertRaises(ValueError):
            t.export("svg")
        with tc.assertRaises(goinspect.IoError):  # noqa: F821
            t.export("csv", "/nonexistent/dir/out.csv")


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
class AgainstTheTools(unittest.TestCase):
    """Python answers against gort-addr2line, gort-nm, gort-offsets --json,
    gort-goroutines and gort-trace on the fixtures."""

    def test_pc_to_line(self):
        for path in go_binaries()[::3] + fixture_binaries()[::2]:
            with self.subTest(path=path), goinspect.Binary(path) as b:
                funcs = list(b.funcs)
                pcs = [0x10]
                for f in funcs[::5]:
                    pcs += [f.entry, f.entry + (f.end - f.entry) // 2, f.end - 1]
                rc, want = tool_run("gort-addr2line", [path], "".join("%#x\n" % pc for pc in pcs).encode())
                self.assertEqual(rc, 0)
                got = []
                for pc in pcs:
                    fr = b.pc_to_line(pc)
                    got.append("?\n?:0\n" if fr is None else "%s\n%s:%d\n" % (fr.function, fr.file, fr.line))
                    if fr is not None:
                        full = b.lookup(pc)
                        self.assertEqual((fr.function, fr.entry, fr.inlined), (full[-1].function, full[-1].entry, False))
                        self.assertEqual((fr.file, fr.line), (full[0].file, full[0].line))
                self.assertEqual("".join(got), want)
                self.assertIsNone(b.frame_size(0x10))
                main = next(f for f in funcs if f.name == "main.main")
                self.assertEqual(b.frame_size(main.entry), 0)  # nothing pushed at entry

    def test_symbols_and_moduledata(self):
        for path in fixture_binaries():
            with self.subTest(path=path), goinspect.Binary(path) as b:
                rc, want = tool_run("gort-nm", [path])
                syms = b.symbols
                if rc != 0:  # stripped: no symbols
                    self.assertEqual(syms, [])
                else:
                    self.assertEqual(nm_text(b), want)
                    main = b.symbol("runtime.main")
                    self.assertEqual(main.kind, "T")
                    self.assertEqual(b.symbol_at(main.value + 1), main)
                    self.assertIsNone(b.symbol("no.such.symbol"))
                rc, want = tool_run("gort-nm", ["-moduledata", path])
                self.assertEqual(rc, 0)
                md = b.moduledata
                self.assertEqual(moduledata_text(md), want)
                self.assertEqual(md.minpc, min(f.entry for f in b.funcs))

    def test_offsets_json(self):
        for path in fixture_binaries()[::2] + go_binaries()[-1:]:
            with self.subTest(path=path), goinspect.Binary(path) as b:
                rc, out = tool_run("gort-offsets", ["--json", path])
                if rc != 0:
                    with self.assertRaises(goinspect.Error):
                        b.layout()
                    continue
                want = json.loads(out)
                lay = b.layout()
                self.assertEqual(want["types"], lay.structs())
                self.assertEqual(list(want["types"]), list(lay.structs()))
                self.assertEqual(want.get("go_version"), b.go_version)
                self.assertEqual(want.get("release"), "%d.%d" % lay.go_release if lay.go_release else None)
                self.assertEqual(want.get("table_release"),
                                 "%d.%d" % lay.table_release if lay.table_release else None)
                self.assertEqual((want["arch"], want["ptr_size"]), (b.arch, b.ptr_size))
                tls = lay.tls_g
                self.assertEqual(want.get("tls_g"), tls and {"base": tls.base, "offset": tls.offset,
                                                              "source": tls.source})
                self.assertEqual(want.get("labels"), lay.labels_kind)
                for key, names in (("wait_reasons", lay.wait_reasons), ("status_names", lay.status_names)):
                    if key in want:
                        self.assertEqual(want[key]["names"], [n or "" for n in names])

    def test_types_against_dwarf(self):
        """Struct descriptors against the DWARF layout, as tests/unit/test_types.c
        checks them; the stripped twin lists the same types."""
        for rel in ("go1.22/386", "go1.26/amd64"):
            d, s = fixture(rel, "default", "prog"), fixture(rel, "stripped", "prog")
            if not (d and s):
                continue
            with self.subTest(rel=rel), goinspect.Binary(d) as b, goinspect.Binary(s) as bs:
                lay = b.layout()
                types = list(b.types)
                self.assertEqual([(t.name, t.kind, t.size) for t in types],
                                 [(t.name, t.kind, t.size) for t in bs.types])
                checked = 0
                for t in types:
                    st = t.elem if t.kind == "pointer" else t
                    if t.kind == "pointer":
                        self.assertEqual(t.size, b.ptr_size)
                        self.assertEqual(t.name, "*" + st.name)
                    if st is None or st.kind != "struct" or "." not in st.name:
                        continue
                    try:
                        size = lay.size(st.name)
                        got = {f.name: lay.field(st.name, f.name).offset
                               for f in st.fields if f.name != "_"}
                    except goinspect.NotFoundError:  # noqa: F821
                        continue  # not a DWARF struct of that name
                    self.assertEqual(size, st.size, st.name)
                    self.assertEqual(got, {f.name: f.offset for f in st.fields if f.name != "_"})
                    checked += len(got)
                self.assertGreater(checked, 0)
        newest = fixture("go1.27", "amd64", "stripped", "prog")
        if newest:
            with goinspect.Binary(newest) as b, self.assertRaises(goinspect.UnsupportedError):  # noqa: F821
                b.types.typelinks()

    def test_goroutines_text(self):
        """gort-goroutines' whole output rebuilt from the Core objects; every
        physical frame's size against the binary's pcsp."""
        for path in CORES[::5]:  # releases, architectures and variants: 9 of 45
            d = os.path.dirname(path)
            exe = os.path.join(d, "prog")
            with self.subTest(core=path):
                rc, want = tool_run("gort-goroutines", [path, exe])
                with goinspect.Core(path, exe) as c, goinspect.Binary(exe) as b:
                    self.assertEqual(goroutines_text(c, b), want)
                    check_frame_sizes(self, c, b)
                    if rc == 0:
                        self.assertEqual(c.errors, [])


def go_func_name(name):
    """runtime/traceback.go: printFuncName, as gort-goroutines prints it."""
    if name == "runtime.gopanic":
        return "panic"
    i, j = name.find("["), name.rfind("]")
    return name[:i] + "[...]" + name[j + 1:] if 0 <= i < j else name


def go_label(s, quote):
    import re
    if not quote and re.fullmatch(r"[A-Za-z0-9./_]*", s):
        return s
    out = '"'
    for ch in s.encode("utf-8", "surrogateescape"):
        c = chr(ch)
        out += {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}.get(
            c, c if 32 <= ch <= 126 else "\\x%02x" % ch)
    return out + '"'


def goroutines_text(c, b):
    """What gort-goroutines prints for core c (with executable b)."""
    v = b.go_version
    minor = int(v[4:].split(".")[0].split("rc")[0]) if v.startswith("go1.") else 0
    out = []
    for g in c.goroutines:
        waiting = g.status in ("waiting", "leaked")
        h = "goroutine %d [%s" % (g.id, g.wait_reason if waiting and g.wait_reason else g.status)
        h += " (leaked)" if g.status == "leaked" else ""
        h += " (scan)" if g.scan else ""
        h += ", locked to thread" if g.locked_to_thread else ""
        inside = minor == 26
        if not inside:
            h += "]"
        if g.labels:
            h += (" labels:{" if inside else " {") + ", ".join(
                "%s: %s" % (go_label(k, inside), go_label(v, inside)) for k, v in g.labels.items()) + "}"
        if inside:
            h += "]"
        lines = [h + ":"]
        if g.stack_error_name == "EUNSUPPORTED" and not g.frames and g.status == "running":
            lines.append("\tgoroutine running on other thread; stack unavailable")
        for f in g.frames:
            lines.append("%s(...)" % go_func_name(f.function))
            lines.append("\t%s:%d%s" % (f.file, f.line, " +%#x" % (f.pc - f.entry)
                                        if not f.inlined and f.pc > f.entry else ""))
        if g.created_by and g.id != 1:
            lines.append("created by %s%s" % (go_func_name(g.created_by),
                                              " in goroutine %d" % g.created_in if g.created_in else ""))
            lines.append("\t%s:%d%s" % (g.creator_file, g.creator_line,
                                        " +%#x" % (g.creator_pc - g.creator_entry)
                                        if g.creator_pc > g.creator_entry else ""))
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def check_frame_sizes(tc, c, b):
    """The core's unwinder puts a frame's fp at sp + pcsp (+ the return
    address on amd64/386): Binary.frame_size must say the same."""
    ra = b.ptr_size if b.arch in ("amd64", "386") else 0
    n = 0
    for g in c.goroutines:
        for f in g.frames:
            if f.inlined or f.fp == f.sp:
                continue
            size = b.frame_size(f.pc - c.load_bias)
            tc.assertEqual(f.fp - f.sp, size + ra, (g.id, f))
            n += 1
    tc.assertGreater(n, 0)


class TracesAgainstTheTool(unittest.TestCase):
    """Trace.stats() on every fixture trace (every format, Go 1.15 to
    1.27); exports on one."""

    def test_fixture_traces(self):
        if not (TOOL and fixture_traces()):
            self.skipTest("no fixture traces or tools")
        for path in fixture_traces():
            with self.subTest(trace=path):
                check_trace_against_tool(self, path, exports=path.endswith("go1.26/amd64/trace.out"))


@unittest.skipUnless(go_binaries(), "no Go binaries")
class HandlesAndLifetimes(unittest.TestCase):
    def test_objects_keep_their_binary(self):
        path = fixture("go1.22", "amd64", "default", "prog") or go_binaries()[-1]
        f = next(goinspect.Binary(path).funcs)  # the Binary is only referenced by f
        gc.collect()
        self.assertTrue(f.file)
        try:
            types = goinspect.Binary(path).types
            t = next(x for x in types if x.kind == "pointer")
        except goinspect.Error:
            return
        del types
        gc.collect()
        self.assertEqual(t.elem.name, t.name[1:])  # the binary is still open

    def test_closed_handles_raise(self):
        path = fixture("go1.22", "amd64", "default", "prog") or go_binaries()[-1]
        b = goinspect.Binary(path)
        types = b.types
        t = next(x for x in types if x.kind == "pointer")
        f = next(b.funcs)
        b.close()
        for call in (lambda: b.symbols, lambda: b.symbol("runtime.main"), lambda: b.moduledata,
                     lambda: b.pc_to_line(f.entry), lambda: b.frame_size(f.entry),
                     lambda: b.types, lambda: types.at(t.addr), lambda: t.elem,
                     lambda: b.lookup(f.entry)):
            with self.assertRaises(ValueError):
                call()
        tr = trace_file()
        if tr:
            t = goinspect.Trace(tr)
            t.close()
            for call in (t.stats, t.counts, lambda: t.export("csv")):
                with self.assertRaises(ValueError):
                    call()
        if CORES:
            c = goinspect.Core(CORES[0], os.path.join(os.path.dirname(CORES[0]), "prog"))
            gs = c.goroutines
            c.close()
            self.assertTrue(gs[0].frames is not None)  # copies
            for call in (lambda: c.read(gs[0].addr, 8), lambda: c.threads, lambda: c.arch):
                with self.assertRaises(ValueError):
                    call()


# -- Batches, cores from memory, live processes, broken traces ----------------


def addr2line_lines(frames):
    """gort-addr2line's output for pc_to_line answers (None: no function)."""
    return "".join("?\n?:0\n" if f is None else "%s\n%s:%d\n" % (f.function, f.file, f.line)
                   for f in frames)


def pclntab_range(path):
    """(file offset, size) of .gopclntab in an ELF file, from readelf."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        w = line.replace("[ ", "[").split()
        if ".gopclntab" in w:
            i = w.index(".gopclntab")
            return int(w[i + 3], 16), int(w[i + 4], 16)
    return None


@unittest.skipUnless(TOOL and os.access(TOOL, os.X_OK), "gort-version not built")
class PcToLines(unittest.TestCase):
    """Binary.pc_to_lines against single pc_to_line lookups and against
    gort-addr2line, which answers the same batches."""

    def pcs_of(self, b, step=3):
        funcs = list(b.funcs)
        pcs = [0x10, 0, 2**64 - 1, funcs[-1].end + 0x100000]  # in no function
        for f in funcs[::step]:
            pcs += [f.end - 1, f.entry, f.entry + (f.end - f.entry) // 2]
        return pcs

    def batch(self, b, pcs, arg=None):
        """pc_to_lines(arg, else pcs), checked against pc_to_line PC by PC:
        the answers, and the PCs where it raises (which the batch's error
        lists). Returns the answers (None where none)."""
        first = None
        try:
            got, errors = b.pc_to_lines(pcs if arg is None else arg), {}
        except goinspect.Error as e:
            got, errors, first = e.results, e.errors, e.index
            self.assertIs(errors[first], e)
            self.assertEqual(min(errors), first)
        self.assertEqual(len(got), len(pcs))
        for i, pc in enumerate(pcs):
            if i in errors:
                self.assertIsNone(got[i])
                with self.assertRaises(type(errors[i])) as cm:
                    b.pc_to_line(pc)
                if i == first:
                    self.assertEqual(str(cm.exception), str(errors[i]))
            else:
                self.assertEqual(got[i], b.pc_to_line(pc))
        return got

    def test_against_single_lookups_and_addr2line(self):
        import array
        for path in go_binaries()[::3] + fixture_binaries()[::2]:
            with self.subTest(path=path), goinspect.Binary(path) as b:
                pcs = self.pcs_of(b)
                got = self.batch(b, pcs)
                self.assertTrue(all(f is None or isinstance(f, goinspect.Frame) and not f.inlined
                                    for f in got))
                self.assertEqual(got[:4], [None] * 4)
                self.assertGreater(sum(f is not None for f in got), len(pcs) * 3 // 4)
                rc, want = tool_run("gort-addr2line", [path],
                                    "".join("%#x\n" % pc for pc in pcs).encode())
                self.assertEqual(rc, 0)
                self.assertEqual(addr2line_lines(got), want)  # "?" where no answer
                # any iterable of ints: the same answers
                self.assertEqual(self.batch(b, pcs, iter(pcs)), got)
                self.assertEqual(self.batch(b, pcs, tuple(pcs)), got)
                self.assertEqual(self.batch(b, pcs, array.array("Q", pcs)), got)
                self.assertEqual(self.batch(b, pcs[::-1]), got[::-1])
                # Close PCs in no order, which the binding sorts for the
                # library and answers back in the caller's order.
                inner = pcs[4:]
                shuffled = inner[:]
                random.Random(7).shuffle(shuffled)
                by_pc = dict(zip(inner, got[4:]))
                self.assertEqual(self.batch(b, shuffled), [by_pc[pc] for pc in shuffled])

    def test_collector_state_kept(self):
        """pc_to_lines pauses the garbage collector while it makes the
        Frames, and leaves it as it found it."""
        import gc
        with goinspect.Binary(go_binaries()[-1]) as b:
            pcs = self.pcs_of(b)
            self.assertTrue(gc.isenabled())
            want = b.pc_to_lines(pcs)
            self.assertTrue(gc.isenabled())
            gc.disable()
            try:
                self.assertEqual(b.pc_to_lines(pcs), want)
                self.assertFalse(gc.isenabled())
            finally:
                gc.enable()

    def test_empty_and_bad_input(self):
        with goinspect.Binary(go_binaries()[-1]) as b:
            self.assertEqual(b.pc_to_lines([]), [])
            self.assertEqual(b.pc_to_lines(range(0)), [])
            self.assertEqual(b.pc_to_lines([0x10] * 3), [None] * 3)
            for bad, exc in (([-1], OverflowError), ([2**64], OverflowError),
                             (["0x10"], TypeError), ([1.5], TypeError), (5, TypeError),
                             ("0x10", TypeError), (b"\x10", TypeError)):
                with self.subTest(bad=bad), self.assertRaises(exc):
                    b.pc_to_lines(bad)
            pc = next(b.funcs).entry
            b.close()
            with self.assertRaises(ValueError):
                b.pc_to_lines([pc])

    @unittest.skipUnless(shutil.which("readelf"), "readelf not installed")
    def test_corrupt_table(self):
        """A PC whose line table is corrupt raises after the others were
        answered: the error is pc_to_line's for that PC, and carries every
        answer."""
        path = fixture("go1.26", "amd64", "default", "prog")
        if not path:
            self.skipTest("no go1.26 fixture")
        off, size = pclntab_range(path)
        with open(path, "rb") as f:
            data = bytearray(f.read())
        data[off + size // 2:off + size // 2 + 4096] = b"\xff" * 4096
        with goinspect.Binary(data=bytes(data)) as b, goinspect.Binary(path) as good:
            pcs = self.pcs_of(good, step=1)
            with self.assertRaises(goinspect.Error) as cm:
                b.pc_to_lines(pcs)
            e = cm.exception
            self.assertIn(e.name, ("EFORMAT", "ETRUNCATED"))
            self.assertIn("pctab", e.message)
            self.assertGreater(len(e.results) - len(e.errors), len(pcs) // 2)
            self.batch(b, pcs)  # each as pc_to_line answers or raises
            shuffled = pcs[4:]
            random.Random(7).shuffle(shuffled)
            self.batch(b, shuffled)  # sorted by the binding: the same, in this order

    def test_threads(self):
        """Batches from several threads at once (lookups are thread-safe)."""
        with goinspect.Binary(go_binaries()[-1]) as b:
            pcs = self.pcs_of(b)
            want = b.pc_to_lines(pcs)
            got = []
            ts = [threading.Thread(target=lambda: got.append(b.pc_to_lines(pcs) == want))
                  for _ in range(4)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(got, [True] * 4)


@unittest.skipUnless(CORES and TOOL, "no fixture cores or tools")
class CoreFromMemory(unittest.TestCase):
    """Core(data=...) against Core(path) and gort-goroutines, on the same
    fixture cores: zstd-compressed bytes, and uncompressed ones in a
    bytearray and a memoryview."""

    def test_same_as_the_path(self):
        for path in CORES[::9]:
            d = os.path.dirname(path)
            exe = os.path.join(d, "prog")
            with self.subTest(core=path), goinspect.Binary(exe) as b:
                with open(path, "rb") as f:
                    data = f.read()
                rc, want = tool_run("gort-goroutines", [path, exe])
                try:
                    c = goinspect.Core(path, exe)
                except goinspect.Error as e:  # fails the same way from bytes
                    self.assertNotEqual(rc, 0)
                    with self.assertRaises(type(e)) as cm:
                        goinspect.Core(data=data, exe_path=exe)
                    self.assertEqual(str(cm.exception), str(e))
                    continue
                with c:
                    self.assertEqual(goroutines_text(c, b), want)
                    threads = c.threads
                c = goinspect.Core(data=data, exe_path=exe)
                del data
                gc.collect()
                self.assertEqual(goroutines_text(c, b), want)
                self.assertEqual(c.threads, threads)
                self.assertIsNone(c.name)
                self.assertIsNone(c.pid)
                c.close()

    @unittest.skipUnless(shutil.which("zstd"), "zstd not installed")
    def test_uncompressed_buffers(self):
        path = next((p for p in CORES if "/amd64/" in p), CORES[0])
        exe = os.path.join(os.path.dirname(path), "prog")
        raw = subprocess.run(["zstd", "-dcq", path], capture_output=True, check=True).stdout
        with goinspect.Core(path, exe) as c, goinspect.Binary(exe) as b:
            want = goroutines_text(c, b)
            g = c.goroutines[0]
            mem = c.read(g.addr, 64)
            buf = bytearray(raw)
            for kind in ("bytes", "bytearray", "memoryview", "memoryview of a bytearray"):
                data = {"bytes": raw, "bytearray": buf, "memoryview": memoryview(raw),
                        "memoryview of a bytearray": memoryview(buf)[:]}[kind]
                with self.subTest(kind=kind), goinspect.Core(data=data, exe_path=exe) as m:
                    self.assertEqual(goroutines_text(m, b), want)
                    self.assertEqual(m.read(g.addr, 64), mem)
                if isinstance(data, memoryview):
                    data.release()
            m = goinspect.Core(data=buf, exe_path=exe)
            with self.assertRaises(BufferError):  # read in place: not resizable
                buf.extend(b"x")
            m.close()
            buf.extend(b"x")  # released by close()
            # a truncated core is refused, as from a file
            with self.assertRaises(goinspect.Error):
                goinspect.Core(data=raw[:100], exe_path=exe)
        with self.assertRaises(TypeError):
            goinspect.Core()
        with self.assertRaises(TypeError):
            goinspect.Core(path, data=raw)
        with self.assertRaises(TypeError):
            goinspect.Core(data="not bytes")


def live_prog():
    """A fixture program this machine runs natively (amd64)."""
    for rel in ("go1.26", "go1.27", "go1.25", "go1.24", "go1.22"):
        p = fixture(rel, "amd64", "default", "prog")
        if p:
            return p
    return None


def live_blocks(text):
    """gort-goroutines' text as tests/core/normalize.awk -v live=1 compares
    two listings of a running process: one block per goroutine, running
    and runnable ones (which may have moved between the two) reduced to
    their id."""
    import re
    out = []
    for block in text.split("\n\n"):
        head = block.split("\n", 1)[0]
        if re.search(r"\[(running|runnable)[],]", head):
            block = head.split(" [", 1)[0] + " [running or runnable]"
        out.append(block.rstrip("\n"))
    return out


def task_states(pid):
    out = []
    for f in glob.glob("/proc/%d/task/*/stat" % pid):
        try:
            with open(f) as fh:
                out.append(fh.read().rsplit(") ", 1)[1][0])
        except OSError:
            pass  # a thread that just exited
    return out


@unittest.skipUnless(TOOL and live_prog(), "no fixture programs or tools")
class LiveProcess(unittest.TestCase):
    """Core.open_pid on a running fixture program (`prog crash 1h`:
    goroutines parked in known states, main asleep) against gort-goroutines
    on the same pid."""

    def setUp(self):
        self.exe = live_prog()
        self.tmp = tempfile.mkdtemp()
        self.proc = subprocess.Popen([self.exe, "crash", "1h"], cwd=self.tmp,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={"PATH": "/usr/bin:/bin"})
        self.addCleanup(self.kill)  # runs even when a test fails

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tool(self):
        p = subprocess.run([os.path.join(os.path.dirname(TOOL), "gort-goroutines"),
                            str(self.proc.pid), self.exe], capture_output=True)
        err = p.stderr.decode("utf-8", "replace")
        if "Operation not permitted" in err:
            self.skipTest("ptrace is not permitted here: " + err.strip())
        return p.returncode, p.stdout.decode("utf-8", "surrogateescape")

    def open(self, **kw):
        try:
            return goinspect.Core.open_pid(self.proc.pid, self.exe, **kw)
        except goinspect.IoError as e:  # noqa: F821
            if e.errno == 1:  # EPERM
                self.skipTest("ptrace is not permitted here: %s" % e)
            raise

    def settle(self):
        """Wait until goroutine 1 sleeps in main.crash: every goroutine of
        the program is then parked."""
        for _ in range(50):
            time.sleep(0.2)
            rc, out = self.tool()
            g1 = out.split("\n\n", 1)[0] if out.startswith("goroutine 1 [") else ""
            if rc == 0 and "[sleep" in g1 and "\nmain.crash(" in g1:
                return
        self.fail("the fixture program did not settle")

    def test_goroutines_as_gort_goroutines(self):
        self.settle()
        with goinspect.Binary(self.exe) as b:
            for _ in range(5):  # a snapshot between two identical ones
                _, before = self.tool()
                with self.open() as c:
                    self.assertEqual(c.pid, self.proc.pid)
                    self.assertIn("pid %d" % self.proc.pid, repr(c))
                    self.assertGreaterEqual(len(c.threads), 2)
                    got = goroutines_text(c, b)
                    self.assertEqual(c.errors, [])
                    main = next(g for g in c.goroutines if g.id == 1)
                _, after = self.tool()
                if live_blocks(before) == live_blocks(after):
                    self.assertEqual(live_blocks(got), live_blocks(before))
                    break
            else:
                self.fail("the process never held still")
            self.assertEqual(main.wait_reason, "sleep")
            self.assertIn("main.crash", [f.function for f in main.frames])
            self.assertGreaterEqual(len(c.goroutines), 25)  # copies outlive the core

    def test_keep_stopped(self):
        self.settle()
        with goinspect.Binary(self.exe) as b:
            c = self.open(keep_stopped=True)
            try:
                states = task_states(self.proc.pid)
                self.assertEqual(set(states), {"t"}, states)  # every thread in a ptrace stop
                stopped = goroutines_text(c, b)
                c.resume()
                time.sleep(0.05)
                self.assertNotEqual(set(task_states(self.proc.pid)), {"t"})
                c.resume()  # again: nothing
            finally:
                c.close()
            c.close()
            with self.open() as c2:
                self.assertEqual(live_blocks(goroutines_text(c2, b)), live_blocks(stopped))
            # closing resumes the threads that were kept stopped
            c = self.open(keep_stopped=True)
            del c
            gc.collect()
            time.sleep(0.05)
            self.assertNotEqual(set(task_states(self.proc.pid)), {"t"})

    def test_errors(self):
        self.settle()
        self.open().close()  # skips where ptrace is not permitted
        other = next((p for p in (fixture("go1.22", "amd64", "default", "prog"),
                                  fixture("go1.27", "amd64", "default", "prog"))
                      if p and p != self.exe), None)
        if other:
            with self.assertRaises(goinspect.FormatError) as cm:  # noqa: F821
                goinspect.Core.open_pid(self.proc.pid, other)
            self.assertIn("does not match", str(cm.exception))
        with self.assertRaises(goinspect.InvalidArgumentError):  # noqa: F821
            goinspect.Core.open_pid(0)
        self.kill()
        with self.assertRaises(goinspect.IoError):  # noqa: F821
            goinspect.Core.open_pid(self.proc.pid, self.exe)
        core = next((p for p in CORES if "/amd64/" in p), None)
        if core:
            c = goinspect.Core(core, os.path.join(os.path.dirname(core), "prog"))
            self.assertIsNone(c.pid)
            c.resume()  # nothing for a core file
            c.close()
            with self.assertRaises(ValueError):
                c.resume()


@unittest.skipUnless(TOOL and fixture_traces(), "no fixture traces or tools")
class BrokenTraces(unittest.TestCase):
    """A trace that breaks off midway: Trace.stats() keeps the summary of
    the events before the break, as gort-trace stats does, with the
    error; strict=True raises."""

    def test_against_the_tool(self):
        partial = 0
        with tempfile.TemporaryDirectory() as d:
            for path in fixture_traces():
                with open(path, "rb") as f:
                    data = f.read()
                for n in (0, 100, len(data) // 2, len(data) * 7 // 8):
                    cut = os.path.join(d, "cut")
                    with open(cut, "wb") as f:
                        f.write(data[:n])
                    with self.subTest(trace=path, n=n):
                        p = subprocess.run([os.path.join(os.path.dirname(TOOL), "gort-trace"),
                                            "stats", "--raw", cut], capture_output=True)
                        want = p.stdout.decode("utf-8", "surrogateescape")
                        for t in (lambda: goinspect.Trace(cut),
                                  lambda: goinspect.Trace(data=data[:n])):
                            if p.returncode != 0:  # nothing could be read
                                with self.assertRaises(goinspect.Error):
                                    t().stats()
                                continue
                            t = t()
                            st = t.stats()
                            self.assertEqual(raw_stats_text(st), want)
                            self.assertIsInstance(st.error, goinspect.Error)
                            self.assertIn(st.error.message, p.stderr.decode("utf-8", "replace"))
                            self.assertIn("broken off", repr(st))
                            with self.assertRaises(type(st.error)):
                                t.stats(strict=True)
                            partial += 1
        self.assertGreater(partial, 0)

    def test_whole_trace_has_no_error(self):
        path = fixture_traces()[-1]
        with goinspect.Trace(path) as t:
            st = t.stats()
            self.assertIsNone(st.error)
            self.assertEqual(raw_stats_text(t.stats(strict=True)), raw_stats_text(st))


class Recorder:
    """A progress callback that keeps its calls, raising on call `fail_at`."""

    def __init__(self, fail_at=None):
        self.calls, self.fail_at = [], fail_at

    def __call__(self, step, done, total):
        self.calls.append((step, done, total))
        if self.fail_at is not None and len(self.calls) == self.fail_at:
            raise KeyboardInterrupt("stop")  # what a notebook's interrupt raises

    def steps(self, tc):
        """The steps in order; each counts up to its end (done == total)."""
        order = []
        for step, done, total in self.calls:
            if not order or order[-1] != step:
                order.append(step)
                last = 0
            tc.assertGreaterEqual(done, last)
            tc.assertLessEqual(done, total)
            last = done
        for step in order:
            ends = [c for c in self.calls if c[0] == step and c[1] == c[2]]
            tc.assertTrue(ends, "step %s never ends" % step)
        return order


@unittest.skipUnless(FIXTURES and shutil.which("zstd"), "no fixtures or no zstd")
class Progress(unittest.TestCase):
    """progress= of Trace and Core: the C library's step reports, named."""

    def zstd(self, path):
        out = os.path.join(self.tmp.name, os.path.basename(os.path.dirname(path)) + ".zst")
        subprocess.run(["zstd", "-q", "-f", "-o", out, path], check=True)
        return out

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def test_trace_steps(self):
        old = os.path.join(FIXTURES, "go1.15", "amd64", "trace.out")
        new = fixture_traces()[-1] if fixture_traces() else None
        if not os.path.exists(old) or not new:
            self.skipTest("no Go 1.15 and newer trace fixtures")
        rec = Recorder()
        with goinspect.Trace(old, progress=rec) as t:
            self.assertEqual(rec.calls, [])  # not compressed: nothing to report yet
            n = sum(1 for _ in t.events())
            self.assertEqual(rec.steps(self), ["index"])
            self.assertEqual(rec.calls[-1][2], os.path.getsize(old))
            rec.calls.clear()
            self.assertEqual(t.stats().events, n)  # every reading indexes again
            self.assertEqual(rec.steps(self), ["index"])
        rec = Recorder()
        with goinspect.Trace(self.zstd(new), progress=rec) as t:
            self.assertEqual(rec.steps(self), ["decompress"])
            self.assertEqual(rec.calls[-1][2], os.path.getsize(new))
            next(t.events())
            self.assertEqual(rec.steps(self), ["decompress"])  # Go 1.22+: no index pass

    def test_trace_exception(self):
        old = os.path.join(FIXTURES, "go1.15", "amd64", "trace.out")
        if not os.path.exists(old):
            self.skipTest("no Go 1.15 trace fixture")
        with self.assertRaises(KeyboardInterrupt):
            goinspect.Trace(self.zstd(old), progress=Recorder(fail_at=1))
        rec = Recorder(fail_at=1)
        with goinspect.Trace(old, progress=rec) as t:
            with self.assertRaises(KeyboardInterrupt):
                t.events()
            self.assertEqual(len(rec.calls), 1)  # not called again after raising
            rec.fail_at = None
            self.assertGreater(sum(1 for _ in t.events()), 0)  # and usable afterwards
        with self.assertRaises(TypeError):
            goinspect.Trace(old, progress=1)

    @unittest.skipUnless(CORES, "no fixture cores")
    def test_core_steps(self):
        path = next((p for p in CORES if "/amd64/" in p), CORES[0])
        exe = os.path.join(os.path.dirname(path), "prog")
        rec = Recorder()
        with goinspect.Core(path, exe, progress=rec) as c:
            self.assertEqual(rec.steps(self), ["decompress", "notes"])
            self.assertTrue(c.goroutines)
        with open(path, "rb") as f:
            data = f.read()
        rec = Recorder()
        with goinspect.Core(data=data, exe_path=exe, progress=rec):
            self.assertEqual(rec.steps(self), ["decompress", "notes"])
        with self.assertRaises(KeyboardInterrupt):
            goinspect.Core(path, exe, progress=Recorder(fail_at=1))


if __name__ == "__main__":
    unittest.main()
