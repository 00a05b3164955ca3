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

-- Call f, turning ENOTFOUND into nil (a name or table the release lacks).
local function or_nil(f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then return table.unpack(r, 2, r.n) end
  if getmetatable(r[2]) == M.Error and r[2].name == "ENOTFOUND" then return nil end
  error(r[2], 3)
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
-- in catalogue order, as gort-offsets prints them.
function Layout.offsets(self)
  local h, out, order = layout_handle(self), {}, {}
  for i = 0, C.gi_layout_catalogue_count() - 1 do
    local t, f = C.gi_layout_catalogue_type(i), C.gi_layout_catalogue_field(i)
    local name, v = f and (t .. "." .. f) or (t .. ".SIZE")
    if f then v = or_nil(C.gi_layout_field, h, t, f) else v = or_nil(C.gi_layout_size, h, t) end
    if v then out[name] = v; order[#order + 1] = name end
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

function Binary.__index(self, k)
  local f = fields[k]
  if f then return f(self) end
  return Binary[k]
end

function Binary.__newindex() error("goinspect.Binary fields are read-only", 2) end

-- Idempotent; also run by the garbage collector and by `<close>`.
function Binary.close(self)
  local t = rawget(self, "_tab") -- borrows the binary: goes first
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

local Trace = {}
Trace.__name = "goinspect.Trace"

-- gi.Trace(path), gi.Trace{path = p}, gi.Trace{data = bytes}.
function M.Trace(arg)
  local path, data, maxd
  if type(arg) == "string" then
    path = arg
  elseif type(arg) == "table" then
    path, data, maxd = arg.path, arg.data, arg.max_decompressed
  end
  if (path == nil) == (data == nil) then
    raise("EINVAL", "goinspect.Trace: expected a path, {path = string} or {data = string}")
  end
  local h = path and C.gi_trace_open(path, maxd or 0)
            or C.gi_trace_open_memory(data, maxd or 0)
  return setmetatable({_h = h, _data = data, _iters = {}, name = path}, Trace)
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
  local it = C.gort_trace_event_iter_new(handle(self))
  self._iters[it] = true
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

-- {events = n, kinds = {[kind] = n}, goroutines = n, procs = n,
--  threads = n, duration = ns}
function Trace.stats(self)
  local kinds, n, gs, ps, ms = {}, 0, {}, {}, {}
  local first, last
  for ev in self:events() do
    n = n + 1
    kinds[ev.kind] = (kinds[ev.kind] or 0) + 1
    if ev.goroutine then gs[ev.goroutine] = true end
    if ev.proc then ps[ev.proc] = true end
    if ev.thread then ms[ev.thread] = true end
    if ev.resource_kind == "goroutine" and ev.kind_code == C.GORT_TRACE_EVENT_STATE_TRANSITION then
      gs[ev.resource] = true
    end
    first = first or ev.time
    last = ev.time
  end
  local function count(t) local c = 0 for _ in pairs(t) do c = c + 1 end return c end
  return {events = n, kinds = kinds, goroutines = count(gs), procs = count(ps),
          threads = count(ms), duration = first and (last - first) or 0}
end

function Trace.close(self)
  for it in pairs(rawget(self, "_iters") or {}) do free_iter(self, it) end
  local h = rawget(self, "_h")
  if h ~= nil then
    rawset(self, "_h", nil)
    C.gort_trace_close(h)
  end
  rawset(self, "_data", nil)
end
Trace.__gc = Trace.close
Trace.__close = Trace.close

M.Event = Event
M.TraceClass = Trace
M.Func = Func
M.Layout = Layout
M.Module = Module
M.BuildInfo = BuildInfo
M.BinaryClass = Binary
