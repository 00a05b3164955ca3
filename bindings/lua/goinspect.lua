-- goinspect for Lua 5.4: the object layer over the SWIG module.
--
-- This chunk is compiled into goinspect.so (CMake embeds it as a C string)
-- and run once when the module is loaded, with the SWIG module table as its
-- argument; it adds the objects to that same table, which require returns.
-- The low-level functions (gort_*, gi_*) stay reachable on the module but
-- are not the API: they take raw handles and borrowed pointers.
--
--   local gi = require "goinspect"
--   local b <close> = gi.Binary("/usr/bin/app")       -- or gi.Binary{data = s}
--   print(b.go_version, b.arch, b.build_info.main.path)
--   for f in b:funcs() do print(f.name, f.file) end
--   for ev in gi.Trace("trace.out"):events() do print(ev) end
--
-- Errors are raised with error() and a table {code, name, message, offset,
-- address, errno} whose metatable is gi.Error; tostring(err) gives
-- "NAME: message" (e.g. "ENOTGO: /bin/ls: no Go build info").

local C = ...
local M = C

M.__version = C.gort_version_string()
M.VERSION = M.__version

-- The error table, from GORT_ERROR_LIST: gi.errors.ENOTGO == -9, and
-- gi.errors[-9] == "ENOTGO".
M.errors = {}
for i = 0, C.gi_error_count() - 1 do
  local name, code = C.gi_error_name(i), C.gi_error_code(i)
  M.errors[name] = code
  M.errors[code] = name
end

-- Raise an error object like the C layer's, for failures found in Lua.
local function raise(name, message, level)
  error(setmetatable({code = M.errors[name], name = name, message = message},
                     M.Error), level or 3)
end

-- Names of enum values, derived from the constants SWIG read from the
-- headers: GORT_FORMAT_ELF -> "elf", GORT_VERSION_FROM_SYMBOL -> "symbol".
local function enum_names(prefix)
  local t = {}
  for k, v in pairs(C) do
    if type(k) == "string" and k:sub(1, #prefix) == prefix then
      t[v] = k:sub(#prefix + 1):lower()
    end
  end
  return t
end
local format_names = enum_names("GORT_FORMAT_")
local source_names = enum_names("GORT_VERSION_FROM_")

-- Module ------------------------------------------------------------------

local Module = {}
Module.__index = Module
Module.__name = "goinspect.Module"
function Module.__tostring(m)
  local s = m.path .. (m.version ~= "" and (" " .. m.version) or "")
  if m.replace then s = s .. " => " .. tostring(m.replace) end
  return s
end

-- Copies the C struct (a borrowed pointer) into a plain table.
local function module_from(p)
  if p == nil then return nil end
  return setmetatable({
    path = C.gi_module_path(p),
    version = C.gi_module_version(p),
    sum = C.gi_module_sum(p),
    replace = module_from(C.gi_module_replace(p)),
  }, Module)
end

-- BuildInfo: a snapshot, copied out of the binary when first asked for, so
-- it stays valid after the binary is closed. -------------------------------

local BuildInfo = {}
BuildInfo.__index = BuildInfo
BuildInfo.__name = "goinspect.BuildInfo"
-- The module text as Go's BuildInfo.String() prints it (no "go" line);
-- `go version -m` prints it indented by a tab.
function BuildInfo.__tostring(bi) return bi.text end

local function buildinfo_from(bi)
  local deps, settings = {}, {}
  for i = 0, C.gort_buildinfo_dep_count(bi) - 1 do
    deps[#deps + 1] = module_from(C.gort_buildinfo_dep_at(bi, i))
  end
  for i = 0, C.gort_buildinfo_setting_count(bi) - 1 do
    local s = C.gort_buildinfo_setting_at(bi, i)
    settings[#settings + 1] = {key = C.gi_setting_key(s), value = C.gi_setting_value(s)}
  end
  return setmetatable({
    go_version = C.gort_buildinfo_go_version(bi),
    path = C.gort_buildinfo_path(bi),
    main = module_from(C.gort_buildinfo_main(bi)),
    deps = deps,
    settings = settings,
    text = C.gort_buildinfo_string(bi),
  }, BuildInfo)
end

-- Binary ------------------------------------------------------------------

local Binary = {}
Binary.__name = "goinspect.Binary"

-- The C handle of a Binary or Trace; raises once the object is closed.
local function handle(self)
  local h = rawget(self, "_h")
  if h == nil then
    raise("EINVAL", getmetatable(self).__name .. " is closed", 4)
  end
  return h
end

-- Read-only fields, computed on first use.
local fields = {}
function fields.format(self) return format_names[C.gort_binary_format(handle(self))] end
function fields.arch(self) return C.gort_arch_name(C.gort_binary_arch(handle(self))) end
function fields.ptr_size(self) return C.gort_binary_ptr_size(handle(self)) end
function fields.big_endian(self) return C.gort_binary_big_endian(handle(self)) ~= 0 end
function fields.go_version(self)
  local v = C.gort_binary_go_version(handle(self))
  return v
end
function fields.version_source(self)
  local _, src = C.gort_binary_go_version(handle(self))
  return source_names[src]
end
function fields.build_info(self)
  local bi = buildinfo_from(C.gort_binary_buildinfo(handle(self)))
  rawset(self, "build_info", bi) -- cached: later reads skip __index
  return bi
end

-- pclntab ------------------------------------------------------------------

-- The binary's function table, opened on first use (closed before it).
local function pclntab(self)
  local h = handle(self)
  local t = rawget(self, "_tab")
  if t == nil then
    t = C.gort_pclntab_open(h)
    rawset(self, "_tab", t)
  end
  return t
end

function fields.pclntab_version(self) return C.gort_pclntab_version(pclntab(self)) end
function fields.func_count(self) return C.gort_pclntab_func_count(pclntab(self)) end

-- A function: entry, end (also end_pc: `end` is a keyword), name,
-- start_line, func_id, flags, args_size, index; file is looked up on first
-- use, so it needs the binary still open.
local Func = {}
Func.__name = "goinspect.Func"
function Func.__index(f, k)
  if k == "file" then
    local frames = rawget(f, "_binary"):lookup(f.entry)
    local file = #frames > 0 and frames[#frames].file or ""
    rawset(f, "file", file)
    return file
  end
  return nil
end
function Func.__tostring(f)
  return string.format("goinspect.Func(%s [0x%x, 0x%x))", f.name, f.entry, f["end"])
end

local function func_from(self, t)
  t._binary = self
  return setmetatable(t, Func)
end

-- for f in b:funcs() do ... end: every function, in table order.
function Binary.funcs(self)
  local n, i = C.gort_pclntab_func_count(pclntab(self)), -1
  return function()
    i = i + 1
    if i < n then return func_from(self, C.gort_pclntab_func_at(pclntab(self), i)) end
  end
end

-- The function whose [entry, end) holds pc, or nil.
function Binary.find_func(self, pc)
  local ok, r = pcall(C.gort_pclntab_find_func, pclntab(self), pc)
  if ok then return func_from(self, r) end
  if getmetatable(r) == M.Error and r.name == "ENOTFOUND" then return nil end
  error(r, 2)
end

-- The source frames at pc, innermost first: {function (also func), file,
-- line, inlined, entry}; {} when pc is in no function. For a return
-- address, pass pc - 1 as tracebacks do.
function Binary.lookup(self, pc)
  local ok, r = pcall(C.gi_pclntab_lookup, pclntab(self), pc)
  if ok then return r end
  if getmetatable(r) == M.Error and r.name == "ENOTFOUND" then return {} end
  error(r, 2)
end

-- Call f, turning ENOTFOUND into nil (a name or table the release lacks).
local function or_nil(f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then return table.unpack(r, 2, r.n) end
  if getmetatable(r[2]) == M.Error and r[2].name == "ENOTFOUND" then return nil end
  error(r[2], 3)
end

-- The physical function holding pc with the file:line of pc itself (a
-- frame with inlined false), without expanding inlined calls: what `go
-- tool addr2line` reports, and the cheapest lookup. nil when pc is in no
-- function.
function Binary.pc_to_line(self, pc)
  local frames = or_nil(C.gi_pclntab_pc_to_line, pclntab(self), pc)
  return frames and frames[1]
end

-- An error object (gi.Error) from a failure value of the C layer
-- ({code, message, offset, address, errno}).
local function error_from(f)
  return setmetatable({code = f.code, name = M.errors[f.code] or "EUNKNOWN", message = f.message,
                       offset = f.offset, address = f.address, errno = f.errno}, M.Error)
end

-- pc_to_line for many PCs at once: b:pc_to_lines{pc1, pc2, ...} returns a
-- table with, at each PC's position, its frame, or false when the PC is in
-- no function (each answer exactly pc_to_line's). The fast path for a
-- batch (a profile's samples): the lookups are interleaved so that their
-- memory accesses overlap, and PCs close together are sorted and answered
-- in one pass over the table. A PC whose lookup meets a corrupt table raises,
-- as pc_to_line does, after every other PC was answered: the error
-- describes the first such PC and has index (its position), results (the
-- table as it would have been returned, false where no answer) and errors
-- ({[position] = error} for every such PC).
function Binary.pc_to_lines(self, pcs)
  if type(pcs) ~= "table" then
    raise("EINVAL", "goinspect.Binary:pc_to_lines: expected a table of PCs")
  end
  local failure, rows = C.gi_pclntab_pc_to_lines(pclntab(self), pcs)
  local notfound, errs = M.errors.ENOTFOUND, {}
  for i = 1, #rows do
    local r = rows[i]
    if math.type(r) == "integer" then
      if r ~= notfound then
        errs[i] = setmetatable({code = r, name = M.errors[r] or "EUNKNOWN",
                                message = C.gort_strerror(r)}, M.Error)
      end
      rows[i] = false
    end
  end
  if failure.code then
    local e = error_from(failure)
    e.index = failure.index + 1
    errs[e.index] = e
    e.results, e.errors = rows, errs
    error(e, 2)
  end
  return rows
end

-- The stack pointer delta at pc (pcsp), without a return address pushed by
-- the call; nil when pc is in no function or has no pcsp entry.
function Binary.frame_size(self, pc)
  return or_nil(C.gi_pclntab_frame_size, pclntab(self), pc)
end

-- Value of pcdata table `table` at pc (-1: none); nil when pc is in no
-- function.
function Binary.pcdata(self, pc, table)
  return or_nil(C.gi_pclntab_pcdata, pclntab(self), pc, table)
end

-- Symbols: {name, value, size, kind} with kind `go tool nm`'s letter.
-- for s in b:symbols() do ... end, in address then name order.
function Binary.symbols(self)
  local all, i = C.gi_binary_symbols(handle(self)), 0
  return function()
    i = i + 1
    return all[i]
  end
end
-- The symbol named exactly name, or nil.
function Binary.symbol(self, name)
  return or_nil(C.gi_binary_symbol_lookup, handle(self), name)
end
-- The defined symbol whose [value, value+size) holds addr, or nil.
function Binary.symbol_at(self, addr)
  return or_nil(C.gi_binary_symbol_find, handle(self), addr)
end

-- Runtime layouts ------------------------------------------------------------

local layout_sources = enum_names("GORT_LAYOUT_")
local labels_kinds = enum_names("GORT_LABELS_")

-- Offsets of the runtime's structures in one binary (b:layout()); valid
-- while the binary is open, closed with it.
local Layout = {}
Layout.__index = Layout
Layout.__name = "goinspect.Layout"

local function layout_handle(self)
  handle(rawget(self, "_binary")) -- raises once the binary is closed
  return rawget(self, "_h")
end

-- {offset, size, source} of field in type ("runtime.g", "goid"); raises
-- ENOTFOUND when the release has no such field.
function Layout.field(self, type, field)
  local off, size, src = C.gi_layout_field(layout_handle(self), type, field)
  return {offset = off, size = size, source = layout_sources[src]}
end

function Layout.size(self, type)
  return (C.gi_layout_size(layout_handle(self), type))
end

-- {["runtime.g.goid"] = 152, ["runtime.g.SIZE"] = 456, ...} and the names
-- in catalogue order, as gort-offsets prints them (a type no source covers,
-- schedt of a release without a table, is left out).
local function or_nil_layout(f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then return table.unpack(r, 2, r.n) end
  if getmetatable(r[2]) == M.Error and (r[2].name == "ENOTFOUND" or r[2].name == "EUNSUPPORTED") then
    return nil
  end
  error(r[2], 3)
end

function Layout.offsets(self)
  local h, out, order = layout_handle(self), {}, {}
  for i = 0, C.gi_layout_catalogue_count() - 1 do
    local t, f = C.gi_layout_catalogue_type(i), C.gi_layout_catalogue_field(i)
    local name, v = f and (t .. "." .. f) or (t .. ".SIZE")
    if f then v = or_nil_layout(C.gi_layout_field, h, t, f) else v = or_nil_layout(C.gi_layout_size, h, t) end
    if v then out[name] = v; order[#order + 1] = name end
  end
  return out, order
end

-- {[type] = {size, source, fields = {[field] = {offset, size, source}}}}
-- and the type names in catalogue order: gort-offsets --json's "types".
function Layout.structs(self)
  local h, out, order = layout_handle(self), {}, {}
  for i = 0, C.gi_layout_catalogue_count() - 1 do
    local t, f = C.gi_layout_catalogue_type(i), C.gi_layout_catalogue_field(i)
    if not f then
      local size, src = or_nil_layout(C.gi_layout_size, h, t)
      if size then
        out[t] = {size = size, source = layout_sources[src], fields = {}}
        order[#order + 1] = t
      end
    elseif out[t] then
      local off, size, src = or_nil_layout(C.gi_layout_field, h, t, f)
      if off then out[t].fields[f] = {offset = off, size = size, source = layout_sources[src]} end
    end
  end
  return out, order
end

local function release(self, f)
  local major, minor = or_nil(f, layout_handle(self))
  if major then return {major, minor} end
  return nil
end
function Layout.go_release(self) return release(self, C.gi_layout_go_release) end
function Layout.table_release(self) return release(self, C.gi_layout_table_release) end

local function names(self, count, name)
  local h, out = layout_handle(self), {}
  for i = 0, count(h) - 1 do out[i] = or_nil(name, h, i) or false end
  return out -- indexed from 0 as the runtime's values are; false: unnamed
end
function Layout.wait_reasons(self)
  return names(self, C.gi_layout_wait_reason_count, C.gort_layout_wait_reason)
end
function Layout.status_names(self)
  return names(self, C.gi_layout_status_count, C.gort_layout_status_name)
end

-- {offset, base, source}, or nil where the release keeps no TLS slot for g.
function Layout.tls_g(self)
  local h = layout_handle(self)
  local off, src = or_nil(C.gi_layout_tls_g, h)
  if off == nil then return nil end
  return {offset = off, base = C.gi_layout_tls_base(h), source = layout_sources[src]}
end

-- "map" (to Go 1.23) or "slice"; nil when unknown.
function Layout.labels_kind(self)
  local k = or_nil(C.gort_layout_labels_kind, layout_handle(self))
  return k and labels_kinds[k]
end

function Layout.__tostring(self)
  return "goinspect.Layout(" .. tostring(rawget(self, "_binary")) .. ")"
end

-- b:layout() or b:layout{no_dwarf = true, allow_nearest = true}.
function Binary.layout(self, opts)
  opts = opts or {}
  local h = handle(self)
  local key = (opts.no_dwarf and "n" or "d") .. (opts.allow_nearest and "a" or "x")
  local layouts = rawget(self, "_layouts")
  if layouts[key] == nil then
    local lh = C.gi_layout_open(h, opts.no_dwarf and 1 or 0, opts.allow_nearest and 1 or 0)
    layouts[key] = setmetatable({_binary = self, _h = lh}, Layout)
  end
  return layouts[key]
end

function fields.offsets(self) return (self:layout():offsets()) end

-- The runtime's first moduledata: a table of its fields (next is nil when
-- the binary's Go version does not tell where it is).
function fields.moduledata(self) return C.gi_binary_moduledata(handle(self)) end

-- Type descriptors ------------------------------------------------------------

local kind_names = enum_names("GORT_KIND_")

-- A type descriptor: addr, name, kind ("struct", "pointer", ...; kind_code
-- the number), size, len, fields ({name, type_addr, offset, embedded}),
-- elem_addr, key_addr; t.elem, t.key and t:field_type(f) read those types
-- (the binary must still be open).
local Type = {}
Type.__name = "goinspect.Type"
function Type.__index(t, k)
  if k == "elem" or k == "key" then
    local a = rawget(t, k .. "_addr")
    return a ~= 0 and rawget(t, "_types"):at(a) or nil
  end
  return Type[k]
end
function Type.field_type(t, f) return rawget(t, "_types"):at(f.type_addr) end
function Type.__tostring(t)
  return string.format("goinspect.Type(%s %s size=%d)", t.name, t.kind, t.size)
end

-- The type descriptors of one binary (b.types); closed with it.
local Types = {}
Types.__index = Types
Types.__name = "goinspect.Types"

local function types_handle(self)
  handle(rawget(self, "_binary")) -- raises once the binary is closed
  return rawget(self, "_h")
end

-- The type whose descriptor is at addr.
function Types.at(self, addr)
  local t = C.gi_type_read(types_handle(self), addr)
  t.kind_code, t.kind = t.kind, kind_names[t.kind] or "invalid"
  t.elem_addr, t.key_addr, t.elem, t.key = t.elem, t.key, nil, nil
  for _, f in ipairs(t.fields) do f.type_addr, f.type = f.type, nil end
  t._types = self
  return setmetatable(t, Type)
end
-- Descriptor addresses of the module's typelinks (Go 1.15 to 1.26;
-- EUNSUPPORTED on Go 1.27), in their order.
function Types.typelinks(self) return C.gi_types_list(types_handle(self)) end
-- for t in b.types:each() do ... end: every type typelinks lists.
function Types.each(self)
  local addrs, i = self:typelinks(), 0
  return function()
    i = i + 1
    if addrs[i] then return self:at(addrs[i]) end
  end
end

function fields.types(self)
  local lay = self:layout()
  local t = rawget(self, "_types")
  if t == nil then
    t = setmetatable({_binary = self, _h = C.gort_types_open(layout_handle(lay))}, Types)
    rawset(self, "_types", t)
  end
  return t
end

function Binary.__index(self, k)
  local f = fields[k]
  if f then return f(self) end
  return Binary[k]
end

function Binary.__newindex() error("goinspect.Binary fields are read-only", 2) end

-- Idempotent; also run by the garbage collector and by `<close>`.
function Binary.close(self)
  local ty = rawget(self, "_types") -- borrows a layout: goes first
  if ty ~= nil then
    rawset(self, "_types", nil)
    local th = rawget(ty, "_h")
    rawset(ty, "_h", nil)
    if th ~= nil then C.gort_types_close(th) end
  end
  local t = rawget(self, "_tab") -- borrows the binary: goes next
  if t ~= nil then
    rawset(self, "_tab", nil)
    C.gort_pclntab_close(t)
  end
  for _, lay in pairs(rawget(self, "_layouts") or {}) do -- borrow it too
    local lh = rawget(lay, "_h")
    rawset(lay, "_h", nil)
    if lh ~= nil then C.gort_layout_close(lh) end
  end
  rawset(self, "_layouts", {})
  local h = rawget(self, "_h")
  if h ~= nil then
    rawset(self, "_h", nil)
    C.gort_binary_close(h)
  end
  rawset(self, "_data", nil)
end
Binary.__gc = Binary.close
Binary.__close = Binary.close

function Binary.__tostring(self)
  return string.format("goinspect.Binary(%q%s)", rawget(self, "name") or "<bytes>",
                       rawget(self, "_h") == nil and ", closed" or "")
end

-- gi.Binary(path), gi.Binary{path = p}, gi.Binary{data = bytes}; the table
-- form also takes max_decompressed (bytes, for zstd inputs; 0 = default).
function M.Binary(arg)
  local path, data, maxd
  if type(arg) == "string" then
    path = arg
  elseif type(arg) == "table" then
    path, data, maxd = arg.path, arg.data, arg.max_decompressed
  end
  if (path == nil) == (data == nil) or (path ~= nil and type(path) ~= "string")
      or (data ~= nil and type(data) ~= "string") then
    raise("EINVAL", "goinspect.Binary: expected a path, {path = string} or {data = string}")
  end
  maxd = maxd or 0
  local h
  if path then
    h = C.gi_binary_open(path, maxd)
  else
    h = C.gi_binary_open_memory(data, maxd)
  end
  -- _data keeps the bytes alive: the C side reads them in place.
  return setmetatable({_h = h, _data = data, name = path, _layouts = {}}, Binary)
end

-- Trace ------------------------------------------------------------------

local resource_names = enum_names("GORT_TRACE_RESOURCE_")

local Event = {}
Event.__index = Event
Event.__name = "goinspect.Event"
function Event.__tostring(ev) return ev.text end

-- The C table gets names: kind ("StateTransition", kind_code keeps the
-- number), resource_kind ("goroutine"...), state_from / state_to.
local function event_from(ev)
  ev.kind_code = ev.kind
  ev.kind = C.gort_trace_event_kind_name(ev.kind_code)
  if ev.resource_kind then ev.resource_kind = resource_names[ev.resource_kind] end
  if ev.scope_kind then ev.scope_kind = resource_names[ev.scope_kind] end
  if ev.kind_code == C.GORT_TRACE_EVENT_STATE_TRANSITION then
    local name = ev.resource_kind == "goroutine" and C.gort_trace_go_state_name
                 or C.gort_trace_proc_state_name
    ev.state_from, ev.state_to = name(ev.from), name(ev.to)
    ev.from, ev.to = nil, nil
  end
  return setmetatable(ev, Event)
end

-- progress = fn of Trace and Core: a registry reference to a function
-- that calls fn(step, done, total) with the step named (a step a later
-- library adds comes as its number); 0 for none.
local trace_steps = {"decompress", "index", "futile"}
local core_steps = {"decompress", "notes"}
local function progress_ref(fn, names)
  if fn == nil then return 0 end
  if type(fn) ~= "function" then raise("EINVAL", "goinspect: progress must be a function", 4) end
  return C.gi_progress_ref(function(step, done, total) fn(names[step] or step, done, total) end)
end

-- Around a call that may report progress: clear a stale error before,
-- raise the callback's error after (once cleanup has run).
local function progress_before() C.gi_progress_error() end
local function progress_after(cleanup)
  local err = C.gi_progress_error()
  if err ~= nil then
    if cleanup then cleanup() end
    error(err, 0) -- as the callback raised it
  end
end

local Trace = {}
Trace.__name = "goinspect.Trace"

-- gi.Trace(path), gi.Trace{path = p}, gi.Trace{data = bytes}; progress =
-- fn(step, done, total) reports the passes over the whole trace:
-- "decompress" while opening a zstd trace, and for Go 1.5-1.21 traces
-- "index" (and "futile", Go 1.5-1.7) each time its events are read.
function M.Trace(arg)
  local path, data, maxd, progress
  if type(arg) == "string" then
    path = arg
  elseif type(arg) == "table" then
    path, data, maxd, progress = arg.path, arg.data, arg.max_decompressed, arg.progress
  end
  if (path == nil) == (data == nil) then
    raise("EINVAL", "goinspect.Trace: expected a path, {path = string} or {data = string}")
  end
  local ref = progress_ref(progress, trace_steps)
  progress_before()
  local ok, h = pcall(function()
    return path and C.gi_trace_open(path, maxd or 0, ref)
           or C.gi_trace_open_memory(data, maxd or 0, ref)
  end)
  if not ok then
    if ref ~= 0 then C.gi_progress_unref(ref) end
    error(h, 0)
  end
  local t = setmetatable({_h = h, _data = data, _iters = {}, _progress = ref, name = path}, Trace)
  progress_after(function() t:close() end)
  return t
end

-- t.version: the format, N of "go 1.N trace".
function Trace.__index(self, k)
  if k == "version" then return C.gort_trace_version(handle(self)) end
  return Trace[k]
end

local function free_iter(self, it)
  if self._iters[it] then
    self._iters[it] = nil
    C.gort_trace_event_iter_free(it)
  end
end

-- for ev in t:events() do ... end. Breaking out of the loop frees the
-- reader (the generic for closes its fourth value); so does t:close().
function Trace.events(self)
  progress_before()
  local it = C.gort_trace_event_iter_new(handle(self))
  self._iters[it] = true
  progress_after(function() free_iter(self, it) end)
  local closer = setmetatable({}, {__close = function() free_iter(self, it) end})
  return function()
    if not self._iters[it] then raise("EINVAL", "trace is closed", 3) end
    local ok, ev = pcall(C.gort_trace_event_iter_next, it)
    if ok then return event_from(ev) end
    free_iter(self, it)
    if getmetatable(ev) == M.Error and ev.name == "EEND" then return nil end
    error(ev, 2)
  end, nil, nil, closer
end

-- {[kind] = n} and the kinds in the order of their codes, as `gort-trace
-- count` prints them.
function Trace.counts(self)
  local n, order = {}, {}
  for ev in self:events() do n[ev.kind_code] = (n[ev.kind_code] or 0) + 1 end
  local codes, out = {}, {}
  for k in pairs(n) do codes[#codes + 1] = k end
  table.sort(codes)
  for _, k in ipairs(codes) do
    local name = C.gort_trace_event_kind_name(k)
    out[name] = n[k]
    order[#order + 1] = name
  end
  return out, order
end

-- The trace's summary, as Python's Trace.stats(): events, start_time,
-- end_time, duration, goroutines, groups, regions ({name, count, ...}
-- times in ns; block and range as {[name] = ns}), gc and stw ({start, end,
-- reason}), gc_dropped, stw_dropped, histograms {sched, block, syscall,
-- stw, gc = {count, sum, min, max, mean, p50, p90, p99, buckets}}.
-- t:stats{max_pauses = n} lists at most n pauses of each kind. A trace
-- that breaks off is summarized up to the break, as `gort-trace stats`
-- does, with st.error the error that ended the reading (nil when read to
-- its end); it raises when not one event could be read, and with
-- t:stats{strict = true} at any read error.
function Trace.stats(self, opts)
  local maxp, s, failure = (opts and opts.max_pauses) or 0, nil, nil
  progress_before()
  if opts and opts.strict then
    s = C.gi_trace_summarize(handle(self), maxp)
  else
    failure, s = C.gi_trace_summarize_partial(handle(self), maxp)
  end
  progress_after(function() C.gort_trace_summary_free(s) end)
  local ok, r = pcall(C.gi_trace_summary_value, s)
  C.gort_trace_summary_free(s)
  if not ok then error(r, 2) end
  if failure and failure.code then r.error = error_from(failure) end
  local function named(list)
    local t = {}
    for _, v in ipairs(list) do t[v.name] = v.ns end
    return t
  end
  for _, g in ipairs(r.goroutines) do g.block, g.range = named(g.block), named(g.range) end
  for _, g in ipairs(r.groups) do g.block, g.range = named(g.block), named(g.range) end
  for _, h in pairs(r.histograms) do
    h.mean = h.count > 0 and h.sum // h.count or 0
    local b = {}
    for i, v in ipairs(h.buckets) do b[i - 1] = v end -- bucket i as in C
    h.buckets = b
  end
  r.duration = r.end_time - r.start_time
  return r
end

local export_formats = {perfetto = C.GORT_TRACE_EXPORT_PERFETTO,
                        json = C.GORT_TRACE_EXPORT_PERFETTO,
                        csv = C.GORT_TRACE_EXPORT_CSV,
                        ["goroutines-csv"] = C.GORT_TRACE_EXPORT_GOROUTINES_CSV}

-- t:export("perfetto" | "csv" | "goroutines-csv" [, path]): the trace in
-- that format, returned as a string, or written to path (returns nil).
function Trace.export(self, format, path)
  local code = export_formats[format or "perfetto"]
  if not code then raise("EINVAL", "goinspect.Trace:export: unknown format " .. tostring(format)) end
  progress_before()
  if path then
    C.gort_trace_export_file(handle(self), code, path)
    progress_after()
    return nil
  end
  local text = C.gi_trace_export_string(handle(self), code)
  progress_after()
  return text
end

function Trace.close(self)
  for it in pairs(rawget(self, "_iters") or {}) do free_iter(self, it) end
  local h = rawget(self, "_h")
  if h ~= nil then
    rawset(self, "_h", nil)
    C.gort_trace_close(h)
  end
  local ref = rawget(self, "_progress")
  if ref and ref ~= 0 then C.gi_progress_unref(ref) end
  rawset(self, "_progress", nil)
  rawset(self, "_data", nil)
end
Trace.__gc = Trace.close
Trace.__close = Trace.close

-- Core ------------------------------------------------------------------

local Core = {}
Core.__name = "goinspect.Core"

-- gi.Core(core_path [, exe_path]) or gi.Core{core = p, exe = e,
-- max_decompressed = n, allow_mismatch = true}: an ELF core of a Go
-- process (also zstd-compressed) with its executable (the one the core
-- names when exe is nil). gi.Core{data = s, exe = e}: a core held in a
-- string (kept referenced while the core is open). gi.Core{pid = n, exe =
-- e, keep_stopped = true}: the running process n (Linux; exe nil:
-- /proc/PID/exe), its threads stopped while their registers are read,
-- then resumed, unless keep_stopped keeps them stopped until c:resume()
-- or c:close(); needs ptrace rights (EIO with errno EPERM otherwise).
-- progress = fn(step, done, total) reports opening a core: "decompress"
-- (a zstd core), then "notes".
function M.Core(arg, exe)
  local path, data, pid, maxd, mismatch, keep, progress
  if type(arg) == "string" then
    path = arg
  elseif type(arg) == "table" then
    path, data, pid, exe = arg.core or arg.path, arg.data, arg.pid, arg.exe
    maxd, mismatch, keep = arg.max_decompressed, arg.allow_mismatch, arg.keep_stopped
    progress = arg.progress
  end
  local given = (path ~= nil and 1 or 0) + (data ~= nil and 1 or 0) + (pid ~= nil and 1 or 0)
  if given ~= 1 or (path ~= nil and type(path) ~= "string")
      or (data ~= nil and type(data) ~= "string")
      or (pid ~= nil and math.type(pid) ~= "integer")
      or (exe ~= nil and type(exe) ~= "string") then
    raise("EINVAL", "goinspect.Core: expected a core path, {core = path}, {data = string} " ..
          "or {pid = integer}, and an executable path")
  end
  local ref = progress_ref(progress, core_steps)
  progress_before()
  local ok, h = pcall(function()
    if path then
      return C.gi_core_open(path, exe, maxd or 0, mismatch and 1 or 0, ref)
    elseif data then
      return C.gi_core_open_memory(data, exe, maxd or 0, mismatch and 1 or 0, ref)
    end
    return C.gi_core_open_pid(pid, exe, keep and 1 or 0, mismatch and 1 or 0)
  end)
  -- Reports come only while opening: the reference is done with.
  if ref ~= 0 then C.gi_progress_unref(ref) end
  if not ok then error(h, 0) end
  -- _data keeps the string alive: the C side reads it in place.
  local c = setmetatable({_h = h, _data = data, _pid = pid, name = path, errors = {}}, Core)
  progress_after(function() c:close() end)
  return c
end

local core_fields = {}
function core_fields.arch(self) return C.gort_arch_name(C.gort_core_arch(handle(self))) end
-- What the executable was moved by (PIE), 0 otherwise.
function core_fields.load_bias(self) return C.gort_core_load_bias(handle(self)) end
-- { {tid, pc, sp, fp, lr}, ... }
function core_fields.threads(self)
  local h, out = handle(self), {}
  for i = 0, C.gort_core_thread_count(h) - 1 do out[#out + 1] = C.gort_core_thread_at(h, i) end
  return out
end

-- The stack of the goroutine the iterator just returned: frames, and why it
-- stops early (nil when it does not).
local function core_stack(h, it)
  local ok, st = pcall(C.gi_goroutine_stack, h, it)
  if not ok then
    if getmetatable(st) == M.Error then return {}, st.message, st.name end
    return {}, tostring(st)
  end
  local frames, err, name = {}, nil, nil
  while true do
    local okf, f = pcall(C.gort_stack_iter_next, st)
    if okf then
      frames[#frames + 1] = f
    else
      if getmetatable(f) == M.Error then
        if f.name ~= "EEND" then err, name = f.message, f.name end
      else
        err = tostring(f)
      end
      break
    end
  end
  C.gort_stack_iter_free(st)
  return frames, err, name
end

-- Every goroutine of runtime.allgs (dead ones skipped), read once: tables
-- with the names Python's Goroutine has (id, status, wait_reason,
-- wait_since, wait_minutes (nil: unknown; for a core file, against its
-- estimated clock: gort_core_clock), labels
-- {[key] = value}, frames, stack_error, created_by, created_in, ...).
-- Goroutines that cannot be read are left out; their errors go to
-- core.errors.
function core_fields.goroutines(self)
  local h = handle(self)
  local it = C.gi_goroutines_new(h)
  local out, errs = {}, rawget(self, "errors")
  local ok, err = pcall(function()
    while true do
      local okg, g = pcall(C.gi_goroutines_next, it)
      if okg then
        g.frames, g.stack_error, g.stack_error_name = core_stack(h, it)
        out[#out + 1] = g
      elseif getmetatable(g) == M.Error and g.name == "EEND" then
        break
      elseif getmetatable(g) == M.Error then
        errs[#errs + 1] = g
      else
        error(g, 0)
      end
    end
  end)
  C.gi_goroutines_free(it)
  if not ok then error(err, 2) end
  rawset(self, "goroutines", out) -- cached
  return out
end

function Core.__index(self, k)
  local f = core_fields[k]
  if f then return f(self) end
  return Core[k]
end

-- The process id of a core opened with {pid = n}; nil for a core file.
function core_fields.pid(self)
  local pid = C.gort_core_pid(handle(self))
  return pid ~= 0 and pid or nil
end

-- Let the threads keep_stopped kept stopped run again; nothing for a core
-- file.
function Core.resume(self)
  C.gort_core_resume(handle(self))
end

-- size bytes of the process's memory at addr, as a string; EFAULT names
-- the first address neither the core nor the executable holds.
function Core.read(self, addr, size)
  return C.gi_core_read(handle(self), addr, size)
end

function Core.close(self)
  local h = rawget(self, "_h")
  if h ~= nil then
    rawset(self, "_h", nil)
    C.gort_core_close(h) -- resumes a live process's threads
  end
  rawset(self, "_data", nil)
end
Core.__gc = Core.close
Core.__close = Core.close
function Core.__tostring(self)
  local pid, name = rawget(self, "_pid"), rawget(self, "name")
  return string.format("goinspect.Core(%s%s)",
                       pid and ("pid " .. pid) or name and string.format("%q", name) or "<bytes>",
                       rawget(self, "_h") == nil and ", closed" or "")
end

M.Event = Event
M.CoreClass = Core
M.Type = Type
M.Types = Types
M.TraceClass = Trace
M.Func = Func
M.Layout = Layout
M.Module = Module
M.BuildInfo = BuildInfo
M.BinaryClass = Binary
