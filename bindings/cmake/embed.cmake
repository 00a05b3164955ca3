# cmake -DIN=file -DOUT=header -DNAME=symbol -P embed.cmake
# Writes `static const char NAME[] = {...}` holding IN's bytes and a final NUL.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
  "/* Generated from ${name} by bindings/cmake/embed.cmake: do not edit. */\n"
  "static const char ${NAME}[] = {\n${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
