-- gocore.lua CORE [EXE] [TRACE]: a crashed Go process from Lua.
--   LUA_CPATH='build/bindings/lua/?.so' lua5.4 bindings/examples/gocore.lua core.zst prog
-- Prints the goroutines grouped by what they wait for, with the function
-- each group is parked in, the threads, and, given an execution trace too,
-- the trace's busiest start functions and its GC pauses.
local gi = require "goinspect"

local core_path, exe, trace_path = arg[1], arg[2], arg[3]
if exe == "" then exe = nil end -- "": the executable the core names
if trace_path == "" then trace_path = nil end
if not core_path then
  io.stderr:write("usage: gocore.lua CORE [EXE] [TRACE]\n")
  os.exit(2)
end

local ok, err = pcall(function()
  local c <close> = gi.Core(core_path, exe)
  local gs = c.goroutines
  print(string.format("%s: %s, %d threads, %d goroutines", core_path, c.arch, #c.threads, #gs))

  -- Group by the runtime's wait reason (its status for goroutines not waiting).
  local groups, names = {}, {}
  for _, g in ipairs(gs) do
    local r = (g.status == "waiting" and g.wait_reason ~= "") and g.wait_reason or g.status
    if not groups[r] then groups[r] = {}; names[#names + 1] = r end
    table.insert(groups[r], g)
  end
  table.sort(names, function(a, b)
    if #groups[a] ~= #groups[b] then return #groups[a] > #groups[b] end
    return a < b
  end)
  for _, r in ipairs(names) do
    local g = groups[r][1]
    local top = g.frames[1]
    for _, f in ipairs(g.frames) do -- the first frame outside the runtime
      if not f.func:find("^runtime%.") then top = f break end
    end
    print(string.format("%6d  %-28s e.g. goroutine %d in %s", #groups[r], r, g.id,
                        top and (top.func .. " (" .. top.file:match("[^/]*$") .. ":" .. top.line .. ")")
                        or "(" .. (g.stack_error or "no stack") .. ")"))
    for k, v in pairs(g.labels) do print(string.format("%8s labels: %s=%s", "", k, v)) end
  end
  for _, t in ipairs(c.threads) do print(string.format("thread %d pc=0x%x sp=0x%x", t.tid, t.pc, t.sp)) end
end)
if not ok then
  io.stderr:write(core_path, ": ", tostring(err), "\n")
  os.exit(1)
end

if trace_path then
  local t <close> = gi.Trace(trace_path)
  local st = t:stats()
  print(string.format("\n%s: %d events over %.3f ms, %d goroutines", trace_path, st.events,
                      st.duration / 1e6, #st.goroutines))
  for i = 1, math.min(5, #st.groups) do
    local g = st.groups[i]
    print(string.format("  %-44s %4d goroutines, %10.3f ms running", g.name ~= "" and g.name or "(no stack)",
                        g.count, g.exec_time / 1e6))
  end
  local h = st.histograms.gc
  print(string.format("  GC: %d mark phases, p50 <= %.3f ms, max %.3f ms", h.count, h.p50 / 1e6, h.max / 1e6))
end
