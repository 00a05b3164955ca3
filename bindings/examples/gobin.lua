-- gobin.lua FILE...: what a Go binary is made of, from Lua.
--   LUA_CPATH='build/bindings/lua/?.so' lua5.4 bindings/examples/gobin.lua /usr/lib/go-1.22/bin/gofmt
-- Prints the Go version, the main module and dependencies (with their
-- replacements), and the largest functions with the file they are in.
local gi = require "goinspect"

local status = 0
for _, path in ipairs(arg) do
  local ok, err = pcall(function()
    local b <close> = gi.Binary(path)
    print(string.format("%s: %s (%s, %s/%s bit, from %s)", path, b.go_version, b.format,
                        b.arch, b.ptr_size * 8, b.version_source))
    local okbi, bi = pcall(function() return b.build_info end)
    if okbi then
      print("  main: " .. (bi.main and tostring(bi.main) or "(none)"))
      for _, dep in ipairs(bi.deps) do print("  dep:  " .. tostring(dep)) end
    end
    local funcs = {}
    for f in b:funcs() do funcs[#funcs + 1] = f end
    table.sort(funcs, function(x, y) return x["end"] - x.entry > y["end"] - y.entry end)
    print(string.format("  %d functions; largest:", #funcs))
    for i = 1, math.min(5, #funcs) do
      local f = funcs[i]
      print(string.format("  %8d  %s  (%s)", f["end"] - f.entry, f.name, f.file))
    end
  end)
  if not ok then
    io.stderr:write(path, ": ", tostring(err), "\n")
    status = 1
  end
end
os.exit(status)
