-- Tests of the Lua bindings against the C tool, gort-version -m.
-- Run by ctest (bindings.lua) with LUA_CPATH at the build tree and
-- GORT_VERSION_TOOL, GORT_BINDINGS_FIXTURE in the environment:
--   LUA_CPATH='build/bindings/lua/?.so' lua5.4 bindings/tests/test_goinspect.lua

local gi = require "goinspect"

local TOOL = os.getenv("GORT_VERSION_TOOL") or ""
local FIXTURE = os.getenv("GORT_BINDINGS_FIXTURE") or ""
local failures, checks = 0, 0

local function check(cond, what, ...)
  checks = checks + 1
  if not cond then
    failures = failures + 1
    io.stderr:write("FAIL: ", string.format(what, ...), "\n", debug.traceback(nil, 2), "\n")
  end
  return cond
end

local function eq(got, want, what)
  return check(got == want, "%s: got %q, want %q", what, tostring(got), tostring(want))
end

local function exists(p)
  local f = io.open(p, "rb")
  if f then f:close() end
  return f ~= nil
end

local function shq(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function readfile(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- gort-version ARGS -> ok, stdout
local function tool(args)
  local p = assert(io.popen(shq(TOOL) .. " " .. args .. " 2>/dev/null", "r"))
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

-- gort-version -m path -> version, module text without the tabs
local function tool_modinfo(path)
  local ok, out = tool("-m " .. shq(path))
  assert(ok, "gort-version failed on " .. path)
  local first, rest = out:match("^([^\n]*)\n(.*)$")
  local version = first:match(": (.*)$")
  local text = rest:gsub("^\t", ""):gsub("\n\t", "\n")
  return version, text
end

-- Expect fn to raise a goinspect error named `name`; returns it.
local function raises(name, fn, ...)
  local ok, e = pcall(fn, ...)
  check(not ok, "expected %s, got success", name)
  if ok then return nil end
  if not check(type(e) == "table" and getmetatable(e) == gi.Error,
               "expected a goinspect.Error table, got %s", tostring(e)) then
    return nil
  end
  eq(e.name, name, "error name")
  eq(e.code, gi.errors[name], "error code")
  eq(tostring(e), e.name .. ": " .. e.message, "tostring(error)")
  return e
end

local binaries = {}
do
  local p = io.popen("ls /usr/lib/go-1.*/bin/gofmt 2>/dev/null | sort -V")
  for line in p:lines() do binaries[#binaries + 1] = line end
  p:close()
  if FIXTURE ~= "" and exists(FIXTURE .. "/prog") then
    binaries[#binaries + 1] = FIXTURE .. "/prog"
  end
end

-- The module -------------------------------------------------------------
eq(type(gi.__version), "string", "gi.__version")
eq(gi.errors.ENOTGO, gi.GORT_ENOTGO, "gi.errors.ENOTGO")
eq(gi.errors[gi.GORT_ETRUNCATED], "ETRUNCATED", "gi.errors[code]")
for i = 0, gi.gi_error_count() - 1 do
  local name = gi.gi_error_name(i)
  eq(gi["GORT_" .. name], gi.errors[name], "constant GORT_" .. name)
  check(math.type(gi.errors[name]) == "integer", "%s is an integer", name)
end

-- Against gort-version -----------------------------------------------------
if TOOL == "" or not exists(TOOL) then
  print("gort-version not built: comparisons skipped")
else
  check(#binaries > 0, "no Go toolchain installed (/usr/lib/go-1.*)")
  local _, v = tool("--version")
  eq(v:match("(%S+)%s*$"), gi.__version, "library version")

  for _, path in ipairs(binaries) do
    local version, text = tool_modinfo(path)
    local b <close> = gi.Binary(path)
    eq(b.go_version, version, path .. " go_version")
    eq(b.version_source, "buildinfo", path .. " version_source")
    eq(b.format, "elf", path .. " format")
    local bi = b.build_info
    eq(tostring(bi), text, path .. " build info text")
    eq(bi.go_version, version, path .. " build_info.go_version")
    for _, s in ipairs(bi.settings) do
      if s.key == "GOARCH" then eq(b.arch, s.value, path .. " arch") end
    end
    eq(b.ptr_size, 8, path .. " ptr_size")
    check(math.type(b.ptr_size) == "integer", "ptr_size is an integer")
    eq(b.big_endian, false, path .. " big_endian")

    -- The same from bytes, and the objects say what the text says.
    local m = gi.Binary{data = readfile(path)}
    eq(tostring(m.build_info), text, path .. " from bytes")
    local lines = {}
    if bi.path ~= "" then lines[#lines + 1] = "path\t" .. bi.path .. "\n" end
    local function mod(word, md)
      lines[#lines + 1] = word .. "\t" .. md.path .. "\t" .. md.version
      if md.replace then
        lines[#lines + 1] = "\n"
        mod("=>", md.replace)
      else
        lines[#lines + 1] = "\t" .. md.sum
      end
      lines[#lines + 1] = "\n"
    end
    if bi.main then mod("mod", bi.main) end
    for _, d in ipairs(bi.deps) do mod("dep", d) end
    local settings = {}
    for _, s in ipairs(bi.settings) do
      local v = s.value
      if v:find("[ \t\r\n\"`]") then v = string.format("%q", v):gsub("\\\n", "\\n") end
      settings[#settings + 1] = "build\t" .. s.key .. "=" .. v .. "\n"
    end
    eq(table.concat(lines) .. table.concat(settings), text, path .. " text from objects")
  end

  if FIXTURE ~= "" and exists(FIXTURE .. "/prog") then
    local bi = gi.Binary(FIXTURE .. "/prog").build_info
    eq(bi.path, "example.com/gibind", "fixture path")
    eq(bi.main.path, "example.com/gibind", "fixture main")
    eq(#bi.deps, 1, "fixture deps")
    eq(bi.deps[1].path, "example.com/gidep", "dep path")
    eq(bi.deps[1].version, "v1.2.3", "dep version")
    eq(bi.deps[1].replace and bi.deps[1].replace.path, "./dep", "dep replaced")
    eq(tostring(bi.deps[1]), "example.com/gidep v1.2.3 => ./dep (devel)", "tostring(module)")

    local ok, out = tool(shq(FIXTURE .. "/noinfo"))
    local b = gi.Binary(FIXTURE .. "/noinfo")
    eq(ok and b.go_version, out:match(": (%S+)"), "version without build info")
    eq(b.version_source, "symbol", "version_source without build info")
    raises("ENOTGO", function() return b.build_info end)
  else
    print("no fixture (no Go toolchain): replacement checks skipped")
  end
end

-- pclntab, against gort-funcs and gort-addr2line ----------------------------
local function run(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("a")
  return p:close(), out
end

if TOOL ~= "" and exists(TOOL) then
  local dir = TOOL:match("^(.*)/[^/]*$")
  for _, path in ipairs(binaries) do
    local b <close> = gi.Binary(path)
    local ok, out = run(shq(dir .. "/gort-funcs") .. " " .. shq(path))
    local lines, pcs, funcs = {}, {"0x10"}, {}
    for f in b:funcs() do
      funcs[#funcs + 1] = f
      lines[#lines + 1] = string.format("0x%x 0x%x %s\n", f.entry, f["end"], f.name)
    end
    eq(ok and table.concat(lines), out, path .. " funcs")
    eq(#funcs, b.func_count, path .. " func_count")
    local mid = funcs[#funcs // 2]
    eq(b:find_func(mid.end_pc - 1).name, mid.name, path .. " find_func")
    eq(b:find_func(0x10), nil, path .. " find_func outside")
    check(mid.file ~= "", "%s: file of %s", path, mid.name)

    for i = 1, #funcs, 11 do
      local f = funcs[i]
      pcs[#pcs + 1] = string.format("0x%x", f.entry + (f["end"] - f.entry) // 2)
    end
    local tmp = os.tmpname()
    local fh = assert(io.open(tmp, "w"))
    fh:write(table.concat(pcs, "\n"), "\n")
    fh:close()
    local ok2, want = run(shq(dir .. "/gort-addr2line") .. " -i " .. shq(path) .. " <" .. tmp)
    os.remove(tmp)
    local got = {}
    for _, pc in ipairs(pcs) do
      local frames = b:lookup(tonumber(pc))
      if #frames == 0 then got[#got + 1] = "?\n?:0\n" end
      for j, fr in ipairs(frames) do
        got[#got + 1] = string.format("%s\n%s:%d\n", fr.func, fr.file, fr.line)
        check(fr.inlined == (j < #frames), "%s: inlined flag at %s", path, pc)
      end
    end
    eq(ok2 and table.concat(got), want, path .. " lookup vs gort-addr2line -i")
  end
  local ok, e = pcall(function() return gi.Binary("/bin/ls").func_count end)
  check(not ok and e.name == "ENOTGO", "pclntab of /bin/ls: %s", tostring(e))
end

-- Layouts, against gort-offsets ------------------------------------------------
if TOOL ~= "" and exists(TOOL) then
  local dir = TOOL:match("^(.*)/[^/]*$")
  for _, path in ipairs(binaries) do
    for _, nd in ipairs({false, true}) do
      local b <close> = gi.Binary(path)
      local ok, out = run(shq(dir .. "/gort-offsets") .. (nd and " --no-dwarf " or " ") ..
                          shq(path) .. " 2>/dev/null")
      local okl, lay = pcall(b.layout, b, {no_dwarf = nd})
      if not okl then
        check(lay.name == "EUNSUPPORTED" and not ok, "%s: layout: %s", path, tostring(lay))
      else
        local off, order = lay:offsets()
        local lines = {}
        for _, n in ipairs(order) do lines[#lines + 1] = n .. " " .. off[n] .. "\n" end
        eq(table.concat(lines), out, path .. " offsets" .. (nd and " --no-dwarf" or ""))
        eq(lay:field("runtime.g", "goid").offset, off["runtime.g.goid"], path .. " goid")
        eq(lay:size("runtime.g"), off["runtime.g.SIZE"], path .. " g size")
        eq(lay:status_names()[2], "running", path .. " status 2")
        check(lay:labels_kind() == "map" or lay:labels_kind() == "slice", "%s labels", path)
        eq(lay:go_release()[1], 1, path .. " release")
        local okf, e = pcall(lay.field, lay, "runtime.g", "no_such_field")
        check(not okf and e.name == "ENOTFOUND", "%s: missing field: %s", path, tostring(e))
      end
    end
  end
  local b = gi.Binary(binaries[#binaries])
  local lay = b:layout()
  eq(b:layout(), lay, "one layout per binary and options")
  b:close()
  check(not pcall(lay.size, lay, "runtime.g"), "layout of a closed binary")
end

-- Traces, against gort-trace dump ------------------------------------------
local trace = FIXTURE ~= "" and FIXTURE .. "/trace.out"
if TOOL ~= "" and exists(TOOL) and trace and exists(trace) then
  local dir = TOOL:match("^(.*)/[^/]*$")
  local ok, want = run(shq(dir .. "/gort-trace") .. " dump " .. shq(trace))
  for _, t in ipairs({gi.Trace(trace), gi.Trace{data = readfile(trace)}}) do
    check(t.version >= 22, "trace version %s", tostring(t.version))
    local got, kinds, stacks = {}, {}, 0
    for ev in t:events() do
      got[#got + 1] = tostring(ev) .. "\n"
      kinds[ev.kind] = (kinds[ev.kind] or 0) + 1
      if ev.kind == "StateTransition" then
        check(tostring(ev):find(ev.state_from .. "->" .. ev.state_to, 1, true),
              "transition names in %s", tostring(ev))
      end
      if ev.kind == "Log" then eq(ev.message, "value", "log message") end
      if ev.stack and #ev.stack > 0 then stacks = stacks + 1 end
    end
    eq(ok and table.concat(got), want, "events vs gort-trace dump")
    eq(kinds.Log, 4, "Log events")
    check(stacks > 0, "events with stacks")
    local st = t:stats()
    eq(st.events, #got, "stats.events")
    check(st.goroutines >= 5, "stats.goroutines %d", st.goroutines)
    -- break out of a loop: the reader is freed by the generic for
    for _ in t:events() do break end
    eq(next(t._iters), nil, "no reader left after break")
    local it = t:events()
    it()
    t:close()
    check(not pcall(it), "reading a closed trace fails")
    raises("EINVAL", function() return t.version end)
  end
  raises("EFORMAT", gi.Trace, "/bin/ls")
  raises("EIO", gi.Trace, "/nonexistent/trace")
else
  print("no trace fixture: trace checks skipped")
end

-- Errors -------------------------------------------------------------------
local e = raises("EIO", gi.Binary, "/nonexistent/goinspect-test")
if e then
  eq(e.errno, 2, "errno of a missing file")
  check(e.message:find("/nonexistent/goinspect-test", 1, true), "path in message: %s", e.message)
end
local ls = gi.Binary("/bin/ls")
eq(ls.format, "elf", "/bin/ls format")
raises("ENOTGO", function() return ls.go_version end)
raises("ENOTGO", function() return ls.build_info end)
ls:close()
raises("EUNKNOWNFILE", gi.Binary, "/etc/passwd")
raises("EUNKNOWNFILE", gi.Binary, {data = ""})
raises("EINVAL", gi.Binary)
raises("EINVAL", gi.Binary, {path = "/bin/ls", data = "x"})
check(not pcall(function() ls.format = 1 end), "fields are read-only")

if #binaries > 0 then
  local data = readfile(binaries[#binaries])
  for _, n in ipairs({4, 64, 1000, 4096, 65536, #data // 2, #data - 1}) do
    local ok, err = pcall(function() return gi.Binary{data = data:sub(1, n)}.build_info end)
    if not ok then
      check(getmetatable(err) == gi.Error and err.code < 0,
            "truncated to %d: expected a goinspect error, got %s", n, tostring(err))
    end
  end

  -- Lifetime: closed binaries refuse politely; snapshots outlive them.
  local b = gi.Binary{data = data}
  local bi = b.build_info
  b:close()
  b:close()
  raises("EINVAL", function() return b.go_version end)
  check(tostring(bi):find("build", 1, true) or bi.path == "", "build info outlives its binary")
  b, data = nil, nil
  collectgarbage()
  collectgarbage()
  for _ = 1, 200 do gi.Binary(binaries[1]) end
  collectgarbage()
end

print(string.format("%d checks, %d failures", checks, failures))
os.exit(failures == 0 and 0 or 1)
