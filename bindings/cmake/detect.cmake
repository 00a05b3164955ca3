# Included by the root CMakeLists.txt before its options: finds what the
# bindings need, so that GORT_BUILD_PYTHON and GORT_BUILD_LUA default to ON
# exactly when they can be built. Either can be forced ON (a missing
# dependency is then an error, in bindings/CMakeLists.txt) or OFF.

# Python: the interpreter that builds the module is the one that tests it and
# whose site-packages it installs into. Prefer Debian's /usr/bin/python3
# (headers from python3-dev) over whatever `python3` is first on PATH: a
# pyenv shim there resolves per directory and per shell, so configure and
# ctest could see different interpreters. -DPython3_EXECUTABLE=... overrides.
if(NOT DEFINED Python3_EXECUTABLE AND NOT DEFINED ENV{VIRTUAL_ENV}
   AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python for the bindings")
endif()

find_package(SWIG 4.0 QUIET)
find_package(Python3 QUIET COMPONENTS Interpreter Development.Module)
# Lua 5.4: headers only (a C module takes the Lua API from the interpreter
# that loads it; linking liblua would give a statically linked lua two
# copies of the VM). Debian's liblua5.4-dev ships lua5.4.pc.
pkg_check_modules(LUA54 QUIET lua5.4)
if(NOT LUA54_FOUND)
  find_path(LUA54_INCLUDE_DIRS lua.h PATH_SUFFIXES lua5.4 lua54)
endif()
find_program(GORT_LUA_EXECUTABLE NAMES lua5.4 lua54 lua DOC "Lua 5.4 interpreter for the tests")

set(_gort_py_default OFF)
if(SWIG_FOUND AND Python3_Development.Module_FOUND)
  set(_gort_py_default ON)
endif()
set(_gort_lua_default OFF)
if(SWIG_FOUND AND LUA54_INCLUDE_DIRS)
  set(_gort_lua_default ON)
endif()
if(NOT _gort_py_default)
  message(STATUS "Python bindings off by default: needs swig (${SWIG_FOUND}) and the "
    "development files of ${Python3_EXECUTABLE} (python3-dev)")
endif()
if(NOT _gort_lua_default)
  message(STATUS "Lua bindings off by default: needs swig (${SWIG_FOUND}) and Lua 5.4 headers (liblua5.4-dev)")
endif()
option(GORT_BUILD_PYTHON "Build the Python bindings (needs swig, python3-dev)" ${_gort_py_default})
option(GORT_BUILD_LUA "Build the Lua 5.4 bindings (needs swig, liblua5.4-dev)" ${_gort_lua_default})
