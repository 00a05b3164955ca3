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
    check(#st.goroutines >= 5, "stats.goroutines %d", #st.goroutines)
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

-- Against the other C tools on the fixtures ---------------------------------
local FIXTURES = os.getenv("GORT_FIXTURES_DIR") or ""
local function ls(pattern)
  local out = {}
  if FIXTURES == "" then return out end
  local p = io.popen("ls " .. FIXTURES .. "/" .. pattern .. " 2>/dev/null | sort -V")
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end
local function each(list, step)
  local i = 1 - step
  return function()
    i = i + step
    return list[i]
  end
end

if TOOL ~= "" and exists(TOOL) and FIXTURES ~= "" then
  local dir = TOOL:match("^(.*)/[^/]*$")
  local function tool_out(name, args)
    local ok, out = run(shq(dir .. "/" .. name) .. " " .. args .. " 2>/dev/null")
    return ok, out
  end

  -- pc_to_line against gort-addr2line; symbols and moduledata against gort-nm
  local bins = ls("go1.*/amd64/default/prog")
  for _, p in ipairs(ls("go1.2[47]/windows-amd64/*/hello.exe")) do bins[#bins + 1] = p end
  for _, p in ipairs(ls("go1.2[26]/386/stripped/prog")) do bins[#bins + 1] = p end
  for path in each(bins, 2) do
    local b <close> = gi.Binary(path)
    local pcs, main = {"0x10"}, nil
    for f in b:funcs() do
      if f.index % 13 == 0 then pcs[#pcs + 1] = string.format("0x%x", f.entry + (f["end"] - f.entry) // 2) end
      if f.name == "main.main" then main = f end
    end
    local tmp = os.tmpname()
    local fh = assert(io.open(tmp, "w"))
    fh:write(table.concat(pcs, "\n"), "\n")
    fh:close()
    local ok, want = run(shq(dir .. "/gort-addr2line") .. " " .. shq(path) .. " <" .. tmp)
    os.remove(tmp)
    local got = {}
    for _, pc in ipairs(pcs) do
      local fr = b:pc_to_line(tonumber(pc))
      got[#got + 1] = fr and string.format("%s\n%s:%d\n", fr.func, fr.file, fr.line) or "?\n?:0\n"
    end
    eq(ok and table.concat(got), want, path .. " pc_to_line vs gort-addr2line")
    eq(b:frame_size(main.entry), 0, path .. " frame size at entry")
    eq(b:frame_size(0x10), nil, path .. " frame size outside")

    local oknm, nm = tool_out("gort-nm", shq(path))
    local lines = {}
    for sym in b:symbols() do
      lines[#lines + 1] = string.format("%8s %10d %s %s\n",
        sym.kind == "U" and "" or string.format("%x", sym.value), sym.size, sym.kind, sym.name)
    end
    if oknm then
      eq(table.concat(lines), nm, path .. " symbols vs gort-nm")
      local rm = b:symbol("runtime.main")
      eq(b:symbol_at(rm.value + 1).name, "runtime.main", path .. " symbol_at")
    else
      eq(#lines, 0, path .. " stripped: no symbols")
    end
    eq(b:symbol("no.such.symbol"), nil, path .. " missing symbol")
    local _, mdw = tool_out("gort-nm", "-moduledata " .. shq(path))
    local md, mdl = b.moduledata, {}
    for f in ("addr pclntab pclntab_size ftab findfunctab minpc maxpc text etext noptrdata " ..
              "enoptrdata data edata bss ebss noptrbss enoptrbss end gcdata gcbss types etypes next"):gmatch("%S+") do
      if md[f] then mdl[#mdl + 1] = string.format("%s 0x%x\n", f, md[f]) end
    end
    eq(table.concat(mdl), mdw, path .. " moduledata vs gort-nm -moduledata")
  end

  -- gort-offsets --json: the structures, as Layout:structs() gives them
  for path in each(ls("go1.*/amd64/default/prog"), 3) do
    local b <close> = gi.Binary(path)
    local _, js = tool_out("gort-offsets", "--json " .. shq(path))
    local structs, order = b:layout():structs()
    local parts = {}
    for _, t in ipairs(order) do
      local st, fl = structs[t], {}
      -- fields in catalogue order: the order gort-offsets prints
      local fo = {}
      for i = 0, gi.gi_layout_catalogue_count() - 1 do
        if gi.gi_layout_catalogue_type(i) == t then
          local f = gi.gi_layout_catalogue_field(i)
          if f and st.fields[f] then fo[#fo + 1] = f end
        end
      end
      for _, f in ipairs(fo) do
        local v = st.fields[f]
        fl[#fl + 1] = string.format('"%s":{"offset":%d,"size":%d,"source":"%s"}', f, v.offset, v.size, v.source)
      end
      parts[#parts + 1] = string.format('"%s":{"size":%d,"source":"%s","fields":{%s}}', t, st.size,
                                        st.source, table.concat(fl, ","))
    end
    local want = js:match(',"types":({.*})}%s*$')
    eq("{" .. table.concat(parts, ",") .. "}", want, path .. " structs vs gort-offsets --json")
  end

  -- Types: struct fields against the DWARF layout
  for _, rel in ipairs({"go1.22/386/default/prog", "go1.26/amd64/default/prog"}) do
    if exists(FIXTURES .. "/" .. rel) then
      local b <close> = gi.Binary(FIXTURES .. "/" .. rel)
      local lay, checked = b:layout(), 0
      for t in b.types:each() do
        local st = t.kind == "pointer" and t.elem or t
        if t.kind == "pointer" then eq(t.name, "*" .. st.name, "pointer type name") end
        if st.kind == "struct" and st.name:find(".", 1, true) then
          local okf, size = pcall(lay.size, lay, st.name)
          if okf then
            local all = true
            for _, f in ipairs(st.fields) do
              if f.name ~= "_" and not pcall(lay.field, lay, st.name, f.name) then all = false end
            end
            if all then
              eq(size, st.size, st.name .. " size")
              for _, f in ipairs(st.fields) do
                if f.name ~= "_" then
                  eq(f.offset, lay:field(st.name, f.name).offset, st.name .. "." .. f.name)
                  checked = checked + 1
                end
              end
            end
          end
        end
      end
      check(checked > 0, "%s: struct fields checked against DWARF", rel)
    end
  end

  -- gort-goroutines, rebuilt from the Core objects; frame sizes against pcsp
  local function func_name(n)
    if n == "runtime.gopanic" then return "panic" end
    local i, j = n:find("[", 1, true), nil
    for k = #n, 1, -1 do if n:sub(k, k) == "]" then j = k break end end
    if i and j and i < j then return n:sub(1, i - 1) .. "[...]" .. n:sub(j + 1) end
    return n
  end
  local function label(s, quote)
    if not quote and not s:find("[^%w%./_]") then return s end
    return '"' .. s:gsub('[%c\\"\128-\255]', function(c)
      local m = {["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\\"] = "\\\\", ['"'] = '\\"'}
      return m[c] or string.format("\\x%02x", c:byte())
    end) .. '"'
  end
  local cores = ls("go1.*/*/*/core.zst")
  for path in each(cores, 5) do
    local exe = path:gsub("core%.zst$", "prog")
    local okc, want = tool_out("gort-goroutines", shq(path) .. " " .. shq(exe))
    local c <close> = gi.Core(path, exe)
    local b <close> = gi.Binary(exe)
    local minor = tonumber(b.go_version:match("^go1%.(%d+)")) or 0
    local inside, out = minor == 26, {}
    local ra = (b.arch == "amd64" or b.arch == "386") and b.ptr_size or 0
    local sized = 0
    for _, g in ipairs(c.goroutines) do
      local waiting = g.status == "waiting" or g.status == "leaked"
      local h = string.format("goroutine %d [%s", g.id, waiting and g.wait_reason ~= "" and g.wait_reason or g.status)
      if g.status == "leaked" then h = h .. " (leaked)" end
      if g.scan then h = h .. " (scan)" end
      if g.locked_to_thread then h = h .. ", locked to thread" end
      if not inside then h = h .. "]" end
      local keys = {}
      for k in pairs(g.labels) do keys[#keys + 1] = k end
      table.sort(keys)
      for i, k in ipairs(keys) do
        h = h .. (i > 1 and ", " or inside and " labels:{" or " {") .. label(k, inside) .. ": " .. label(g.labels[k], inside)
      end
      if #keys > 0 then h = h .. "}" end
      if inside then h = h .. "]" end
      local lines = {h .. ":"}
      if g.stack_error_name == "EUNSUPPORTED" and #g.frames == 0 and g.status == "running" then
        lines[#lines + 1] = "\tgoroutine running on other thread; stack unavailable"
      end
      for _, f in ipairs(g.frames) do
        lines[#lines + 1] = func_name(f.func) .. "(...)"
        lines[#lines + 1] = string.format("\t%s:%d%s", f.file, f.line,
          (not f.inlined and f.pc > f.entry) and string.format(" +0x%x", f.pc - f.entry) or "")
        if not f.inlined and f.fp ~= f.sp then
          eq(f.fp - f.sp, b:frame_size(f.pc - c.load_bias) + ra, "frame size at " .. f.pc)
          sized = sized + 1
        end
      end
      if g.created_by ~= "" and g.id ~= 1 then
        lines[#lines + 1] = "created by " .. func_name(g.created_by) ..
          (g.created_in ~= 0 and string.format(" in goroutine %d", g.created_in) or "")
        lines[#lines + 1] = string.format("\t%s:%d%s", g.creator_file, g.creator_line,
          g.creator_pc > g.creator_entry and string.format(" +0x%x", g.creator_pc - g.creator_entry) or "")
      end
      out[#out + 1] = table.concat(lines, "\n") .. "\n"
    end
    eq(table.concat(out, "\n"), want, path .. " goroutines vs gort-goroutines")
    check(sized > 0, "%s: frame sizes checked", path)
    if okc then eq(#c.errors, 0, path .. " goroutine errors") end
    check(#c.threads > 0, "%s threads", path)
    eq(#c:read(c.goroutines[1].addr, 16), 16, path .. " read")
    raises("EFAULT", c.read, c, 8, 8)
  end
  raises("EIO", gi.Core, "/nonexistent/core")

  -- gort-trace stats --raw, count and export
  local function raw_stats(st)
    local out = {}
    local function sorted(t)
      local ks = {}
      for k in pairs(t) do ks[#ks + 1] = k end
      table.sort(ks)
      return ks
    end
    for _, g in ipairs(st.goroutines) do
      out[#out + 1] = string.format("goroutine\t%d\t%s\tpc=0x%x creation=%d start=%d end=%d exec=%d sched=%d " ..
        "syscall=%d syscallblock=%d total=%d unknown=%d\n", g.id, g.name, g.pc, g.creation_time,
        g.start_time, g.end_time, g.exec_time, g.sched_wait_time, g.syscall_time,
        g.syscall_block_time, g.total_time, g.unknown_time)
      for _, k in ipairs(sorted(g.block)) do out[#out + 1] = string.format("\tblock\t%s\t%d\n", k, g.block[k]) end
      for _, k in ipairs(sorted(g.range)) do out[#out + 1] = string.format("\trange\t%s\t%d\n", k, g.range[k]) end
    end
    for _, r in ipairs(st.regions) do
      out[#out + 1] = string.format("region\t%s\tcount=%d total=%d exec=%d sched=%d block=%d syscall=%d syscallblock=%d\n",
        r.name, r.count, r.total_time, r.exec_time, r.sched_wait_time, r.block_time, r.syscall_time,
        r.syscall_block_time)
    end
    for _, p in ipairs(st.gc) do out[#out + 1] = string.format("gc\t%d\t%d\n", p.start, p["end"]) end
    for _, p in ipairs(st.stw) do out[#out + 1] = string.format("stw\t%d\t%d\t%s\n", p.start, p["end"], p.reason) end
    for _, k in ipairs({"sched", "block", "syscall", "stw", "gc"}) do
      local h = st.histograms[k]
      local line = string.format("hist\t%s\tcount=%d sum=%d min=%d max=%d", k, h.count, h.sum, h.min, h.max)
      for i = 0, 63 do if h.buckets[i] ~= 0 then line = line .. string.format(" %d:%d", i, h.buckets[i]) end end
      out[#out + 1] = line .. "\n"
    end
    return table.concat(out)
  end
  local traces = ls("go1.*/amd64/trace.out")
  if trace and exists(trace) then traces[#traces + 1] = trace end
  for _, path in ipairs(traces) do
    local t <close> = gi.Trace(path)
    local _, want = tool_out("gort-trace", "stats --raw " .. shq(path))
    eq(raw_stats(t:stats()), want, path .. " stats vs gort-trace stats --raw")
  end
  if trace and exists(trace) then
    local t <close> = gi.Trace(trace)
    local counts, order = t:counts()
    local lines, total = {}, 0
    for _, k in ipairs(order) do
      lines[#lines + 1] = string.format("%-16s %d\n", k, counts[k])
      total = total + counts[k]
    end
    lines[#lines + 1] = string.format("%-16s %d\n", "total", total)
    local _, want = tool_out("gort-trace", "count " .. shq(trace))
    eq(table.concat(lines), want, "counts vs gort-trace count")
    for _, fmt in ipairs({"perfetto", "csv", "goroutines-csv"}) do
      local _, w = tool_out("gort-trace", "export --format=" .. fmt .. " " .. shq(trace))
      eq(t:export(fmt), w, "export " .. fmt)
      local tmp = os.tmpname()
      eq(t:export(fmt, tmp), nil, "export to a path")
      eq(readfile(tmp), w, "export " .. fmt .. " to a path")
      os.remove(tmp)
    end
    raises("EINVAL", t.export, t, "svg")
    raises("EIO", t.export, t, "csv", "/nonexistent/dir/x.csv")
  end

  -- pc_to_lines: a batch, against pc_to_line PC by PC and gort-addr2line.
  -- Returns the answers (false where none) after checking them.
  local function batch(b, pcs)
    local ok, r = pcall(b.pc_to_lines, b, pcs)
    local got, errs = r, {}
    if not ok then
      check(getmetatable(r) == gi.Error and r.results and r.errors[r.index] == r,
            "pc_to_lines error: %s", tostring(r))
      got, errs = r.results, r.errors
    end
    eq(#got, #pcs, "pc_to_lines: one answer per PC")
    for i, pc in ipairs(pcs) do
      local oks, one = pcall(b.pc_to_line, b, pc)
      if errs[i] then
        check(got[i] == false and not oks and one.name == errs[i].name,
              "PC %d: pc_to_lines says %s, pc_to_line %s", i, tostring(errs[i]), tostring(one))
      elseif not (oks and (one or false) == got[i] or oks and one and got[i] and
                  one.func == got[i].func and one.file == got[i].file and
                  one.line == got[i].line and one.entry == got[i].entry and
                  got[i].inlined == false) then
        check(false, "PC %d (0x%x): pc_to_lines and pc_to_line differ", i, pc)
      end
    end
    return got
  end
  for path in each(bins, 3) do -- the binaries of the pc_to_line checks above
    local b <close> = gi.Binary(path)
    local pcs, last = {0x10, 0, -1}, nil -- -1: 2^64 - 1
    for f in b:funcs() do
      if f.index % 3 == 0 then
        pcs[#pcs + 1] = f.entry
        pcs[#pcs + 1] = f.entry + (f["end"] - f.entry) // 2
        pcs[#pcs + 1] = f["end"] - 1
      end
      last = f
    end
    pcs[#pcs + 1] = last["end"] + 0x100000
    local got = batch(b, pcs)
    eq(got[1] or got[2] or got[3] or got[#got], false, path .. " pc_to_lines outside functions")
    -- Close PCs in decreasing order: sorted by the binding, answered back in order.
    local rev = {}
    for i = #pcs - 1, 4, -1 do rev[#rev + 1] = pcs[i] end
    local back = batch(b, rev)
    for i = 1, #rev do
      check(back[i] == got[#pcs - i] or back[i] and got[#pcs - i] and
            back[i].func == got[#pcs - i].func and back[i].line == got[#pcs - i].line,
            "%s: pc_to_lines of reversed PCs, answer %d", path, i)
    end
    local tmp = os.tmpname()
    local fh = assert(io.open(tmp, "w"))
    for _, pc in ipairs(pcs) do fh:write(string.format("0x%x\n", pc)) end
    fh:close()
    local ok, want = run(shq(dir .. "/gort-addr2line") .. " " .. shq(path) .. " <" .. tmp .. " 2>/dev/null")
    os.remove(tmp)
    local lines = {}
    for _, fr in ipairs(got) do
      lines[#lines + 1] = fr and string.format("%s\n%s:%d\n", fr.func, fr.file, fr.line) or "?\n?:0\n"
    end
    eq(ok and table.concat(lines), want, path .. " pc_to_lines vs gort-addr2line")
    eq(#b:pc_to_lines({}), 0, path .. " pc_to_lines{}")
    check(not pcall(b.pc_to_lines, b, {"x"}), "pc_to_lines of a string")
    raises("EINVAL", b.pc_to_lines, b, 0x10)
  end
  -- A corrupt line table: the PCs it breaks raise, the others are answered.
  local corrupt = ls("go1.26/amd64/default/prog")[1]
  local okr, sections = run("readelf -SW " .. (corrupt and shq(corrupt) or "/dev/null") .. " 2>/dev/null")
  local off, size = (okr and sections or ""):match("%.gopclntab%s+%S+%s+%x+%s+(%x+)%s+(%x+)")
  if corrupt and off then
    off, size = tonumber(off, 16), tonumber(size, 16)
    local data = readfile(corrupt)
    local at = off + size // 2
    local b <close> = gi.Binary{data = data:sub(1, at) .. ("\xff"):rep(4096) .. data:sub(at + 4097)}
    local pcs = {}
    for f in gi.Binary(corrupt):funcs() do pcs[#pcs + 1] = f.entry + (f["end"] - f.entry) // 2 end
    local ok, e = pcall(b.pc_to_lines, b, pcs)
    check(not ok and (e.name == "EFORMAT" or e.name == "ETRUNCATED") and e.message:find("pctab"),
          "corrupt pctab: %s", tostring(e))
    if not ok then
      local n = 0
      for _ in pairs(e.errors) do n = n + 1 end
      check(n > 0 and n < #pcs // 2, "%d PCs of %d broken", n, #pcs)
    end
    batch(b, pcs)
  end

  -- Cores from memory: the same as from the path
  for _, path in ipairs(ls("go1.2[26]/amd64/default/core.zst")) do
    local exe = path:gsub("core%.zst$", "prog")
    local function summary(c)
      local out = {}
      for _, g in ipairs(c.goroutines) do
        local fr = {}
        for _, f in ipairs(g.frames) do fr[#fr + 1] = f.func .. ":" .. f.line end
        out[#out + 1] = string.format("%d %s %s %s", g.id, g.status, g.wait_reason, table.concat(fr, " "))
      end
      return table.concat(out, "\n")
    end
    local c <close> = gi.Core(path, exe)
    local data = readfile(path)
    local m <close> = gi.Core{data = data, exe = exe}
    data = nil
    collectgarbage()
    collectgarbage()
    eq(summary(m), summary(c), path .. " Core{data} vs Core(path)")
    eq(#m.threads, #c.threads, path .. " threads from memory")
    eq(m:read(c.goroutines[1].addr, 32), c:read(c.goroutines[1].addr, 32), path .. " read from memory")
    eq(m.pid, nil, "pid of a core")
    m:resume() -- nothing for a core
    check(tostring(m):find("<bytes>", 1, true), "tostring of a core from memory")
  end
  raises("EINVAL", gi.Core, {data = "x", core = "y"})
  check(not pcall(gi.Core, {data = ("\0"):rep(100)}), "a core of zeros")

  -- A trace that breaks off: summarized up to the break, as gort-trace stats
  local partial = 0
  for _, path in ipairs(ls("go1.*/amd64/trace.out")) do
    local data = readfile(path)
    for _, n in ipairs({0, 100, #data // 2}) do
      local tmp = os.tmpname()
      local fh = assert(io.open(tmp, "wb"))
      fh:write(data:sub(1, n))
      fh:close()
      local okt, want = tool_out("gort-trace", "stats --raw " .. shq(tmp))
      local oko, t = pcall(gi.Trace, tmp)
      local oks, st = false, nil
      if oko then oks, st = pcall(t.stats, t) end
      if not okt then
        check(not oks, "%s cut at %d: the tool fails, stats() does not", path, n)
      elseif check(oks, "%s cut at %d: stats(): %s", path, n, tostring(st)) then
        eq(raw_stats(st), want, path .. " cut: stats vs gort-trace stats --raw")
        check(getmetatable(st.error) == gi.Error, "%s cut at %d: st.error", path, n)
        local okstrict, e = pcall(t.stats, t, {strict = true})
        check(not okstrict and e.name == st.error.name, "strict stats of a cut trace")
        partial = partial + 1
      end
      os.remove(tmp)
    end
  end
  check(partial > 0, "cut traces summarized")
  local whole = ls("go1.26/amd64/trace.out")[1]
  if whole then eq(gi.Trace(whole):stats().error, nil, "a whole trace has no error") end

  -- A running process (`prog crash 1h`) against gort-goroutines on its pid
  local prog = ls("go1.26/amd64/default/prog")[1] or ls("go1.*/amd64/default/prog")[1]
  if prog then
    local ph = assert(io.popen("cd /tmp && exec env -i PATH=/usr/bin:/bin sh -c " ..
                               shq("exec " .. shq(prog) .. " crash 1h >/dev/null 2>&1 </dev/null & echo $!")))
    local pid = math.tointeger(tonumber(ph:read("l")))
    ph:close()
    local function states()
      local sh = io.popen("cat /proc/" .. pid .. "/task/*/stat 2>/dev/null")
      local out = {}
      for line in sh:lines() do out[#out + 1] = line:match("%) (%a)") end
      sh:close()
      return table.concat(out)
    end
    -- goroutine id -> frames' functions, for the goroutines parked in
    -- both listings (running and runnable ones may move between them)
    local function parked_from_tool(text)
      local out = {}
      for block in (text .. "\n"):gmatch("(.-\n)\n") do
        local id, head = block:match("^goroutine (%d+) %[([^%]]*)")
        if id and not head:find("^running") and not head:find("^runnable") then
          local fr = {}
          for line in block:gmatch("[^\n]+") do
            local fn = line:match("^([^\t].*)%(%.%.%.%)$")
            if fn and not fn:find("^created by ") then fr[#fr + 1] = fn end
          end
          out[tonumber(id)] = table.concat(fr, " ")
        end
      end
      return out
    end
    local function parked_from(c)
      local out = {}
      for _, g in ipairs(c.goroutines) do
        if g.status ~= "running" and g.status ~= "runnable" then
          local fr = {}
          for _, f in ipairs(g.frames) do fr[#fr + 1] = func_name(f.func) end
          out[g.id] = table.concat(fr, " ")
        end
      end
      return out
    end
    local ok, err = pcall(function()
      local want, settled
      for _ = 1, 50 do
        os.execute("sleep 0.2")
        local okt, out = run(shq(dir .. "/gort-goroutines") .. " " .. pid .. " " .. shq(prog) .. " 2>&1")
        if out:find("Operation not permitted", 1, true) then return "skip" end
        if okt and out:match("^goroutine 1 %[sleep[^\n]*\n.-\nmain%.crash%(") then
          want, settled = out, true
          break
        end
      end
      check(settled, "the fixture program settled")
      local c = gi.Core{pid = pid, exe = prog}
      eq(c.pid, pid, "pid of a live core")
      check(tostring(c):find("pid " .. pid, 1, true), "tostring of a live core")
      local got, tool = parked_from(c), parked_from_tool(want)
      c:close()
      local n, both = 0, 0
      for id, fr in pairs(tool) do
        n = n + 1
        if got[id] then -- parked in both listings (a GC worker may wake between)
          eq(got[id], fr, "live goroutine " .. id .. " frames")
          both = both + 1
        end
      end
      check(n >= 20 and both >= n - 2 and got[1] and got[1]:find("main.crash", 1, true),
            "live goroutines: %d parked, %d in both listings", n, both)
      local k = gi.Core{pid = pid, keep_stopped = true}
      check(states():match("^t+$"), "threads kept stopped: %s", states())
      k:resume()
      os.execute("sleep 0.05")
      check(not states():match("^t+$"), "threads resumed: %s", states())
      k:close()
      raises("EINVAL", gi.Core, {pid = 0})
    end)
    os.execute("kill -9 " .. pid .. " 2>/dev/null")
    if ok and err == "skip" then
      print("ptrace is not permitted here: live process checks skipped")
    else
      check(ok, "live process checks: %s", tostring(err))
    end
    os.execute("sleep 0.1")
    raises("EIO", gi.Core, {pid = pid, exe = prog})
  end
end

-- Lifetimes: objects keep their binary; closed handles raise ------------------
do
  local path = FIXTURES ~= "" and exists(FIXTURES .. "/go1.22/amd64/default/prog")
               and FIXTURES .. "/go1.22/amd64/default/prog" or binaries[#binaries]
  local f = gi.Binary(path):funcs()() -- the Binary is referenced by f only
  collectgarbage()
  collectgarbage()
  check(f.file ~= "", "a function keeps its binary alive")
  local ptr
  for t in gi.Binary(path).types:each() do
    if t.kind == "pointer" then ptr = t break end
  end
  collectgarbage()
  collectgarbage()
  eq(ptr.elem.name, ptr.name:sub(2), "a type keeps its binary alive")

  local b = gi.Binary(path)
  local types = b.types
  local fn = b:funcs()()
  b:close()
  raises("EINVAL", function() return b.moduledata end)
  raises("EINVAL", b.symbols, b)
  raises("EINVAL", b.pc_to_line, b, fn.entry)
  raises("EINVAL", b.frame_size, b, fn.entry)
  raises("EINVAL", types.at, types, ptr.addr)
  raises("EINVAL", function() return b.types end)
  if trace and exists(trace) then
    local t = gi.Trace(trace)
    t:close()
    raises("EINVAL", t.stats, t)
    raises("EINVAL", t.export, t, "csv")
  end
  local cores = ls("go1.22/amd64/default/core.zst")
  if cores[1] then
    local c = gi.Core(cores[1], (cores[1]:gsub("core%.zst$", "prog")))
    local gs = c.goroutines
    c:close()
    c:close()
    check(#gs > 0 and gs[1].frames, "goroutines are copies")
    raises("EINVAL", c.read, c, gs[1].addr, 8)
    raises("EINVAL", function() return c.threads end)
  end
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

-- progress = fn of Trace and Core: the library's step reports, named; an
-- error the callback raises comes out of the call that ran it.
local function recorder(fail_at)
  local r = {calls = {}}
  r.fn = function(step, done, total)
    r.calls[#r.calls + 1] = {step, done, total}
    if fail_at and #r.calls == fail_at then error("stop", 0) end
  end
  return r
end
-- The steps in order; each counts up to its end (done == total).
local function steps_of(r)
  local order, last, ended = {}, 0, {}
  for _, c in ipairs(r.calls) do
    if order[#order] ~= c[1] then order[#order + 1] = c[1]; last = 0 end
    check(c[2] >= last and c[2] <= c[3], "progress %s: %d of %d after %d", c[1], c[2], c[3], last)
    last = c[2]
    if c[2] == c[3] then ended[c[1]] = true end
  end
  for _, s in ipairs(order) do check(ended[s], "progress step %s never ends", s) end
  return table.concat(order, ",")
end
local old_trace = FIXTURES ~= "" and FIXTURES .. "/go1.15/amd64/trace.out"
local zstd_ok = os.execute("command -v zstd >/dev/null 2>&1")
if old_trace and exists(old_trace) and zstd_ok then
  local tmp = os.tmpname()
  os.execute("zstd -q -f -o " .. shq(tmp .. ".zst") .. " " .. shq(old_trace))
  local r = recorder()
  do
    local t <close> = gi.Trace{path = old_trace, progress = r.fn}
    eq(#r.calls, 0, "no report before reading an uncompressed trace")
    local n = 0
    for _ in t:events() do n = n + 1 end
    eq(steps_of(r), "index", "steps of reading an old trace")
    eq(r.calls[#r.calls][3], #readfile(old_trace), "index total: the trace's size")
    r.calls = {}
    eq(t:stats().events, n, "stats after progress")
    eq(steps_of(r), "index", "stats indexes again")
  end
  r = recorder()
  do
    local t <close> = gi.Trace{path = tmp .. ".zst", progress = r.fn}
    eq(steps_of(r), "decompress", "steps of opening a zstd trace")
  end
  local ok, err = pcall(gi.Trace, {path = tmp .. ".zst", progress = recorder(1).fn})
  check(not ok and err == "stop", "a callback's error comes out of Trace: %s", tostring(err))
  r = recorder(1)
  do
    local t <close> = gi.Trace{path = old_trace, progress = r.fn}
    ok, err = pcall(t.events, t)
    check(not ok and err == "stop", "a callback's error comes out of events(): %s", tostring(err))
    eq(#r.calls, 1, "not called again after an error")
    local n = 0
    for _ in t:events() do n = n + 1 end
    check(n > 0, "the trace is still usable")
  end
  raises("EINVAL", gi.Trace, {path = old_trace, progress = 1})
  local core = FIXTURES .. "/go1.27/amd64/default/core.zst"
  if exists(core) then
    local exe = FIXTURES .. "/go1.27/amd64/default/prog"
    r = recorder()
    do
      local c <close> = gi.Core{core = core, exe = exe, progress = r.fn}
      eq(steps_of(r), "decompress,notes", "steps of opening a zstd core")
      check(#c.goroutines > 0, "goroutines after progress")
    end
    ok, err = pcall(gi.Core, {core = core, exe = exe, progress = recorder(1).fn})
    check(not ok and err == "stop", "a callback's error comes out of Core: %s", tostring(err))
  end
  os.remove(tmp)
  os.remove(tmp .. ".zst")
  collectgarbage()
end

print(string.format("%d checks, %d failures", checks, failures))
os.exit(failures == 0 and 0 or 1)
