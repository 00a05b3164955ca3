#!/usr/bin/env python3
"""Write a small darwin/arm64 Mach-O whose pointers are chained fixups.

    tests/data/macho-fixups.py OUT

What ld64 makes of a Go 1.17 program for macOS 12 and later, reduced to
the build information: the Go 1.17 blob in __DATA,__go_buildinfo holds
pointers to the version's and the module text's string headers in
__DATA,__data, which point to the bytes. Each of those four pointers is a
DYLD_CHAINED_PTR_64_OFFSET rebase (an offset from the image base, and the
distance to the next one) that LC_DYLD_CHAINED_FIXUPS describes, so the
file holds no address at all. `gort-version -m OUT` must print
tests/buildinfo/check-macho-fixups.sh's text; the fuzzers take it as a
seed (fuzz/corpus.sh).
"""
import struct
import sys

BASE = 0x100000000
PAGE = 0x4000
VERSION = b"go1.17.99"
MODINFO = (b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
           b"path\texample.com/fixups\n"
           b"mod\texample.com/fixups\t(devel)\t\n"
           b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")

# __DATA (file offset and address offset PAGE): the blob at 0, the string
# headers at 0x100 and 0x110, the strings at 0x200 and 0x280.
data = bytearray(PAGE)
# (offset in __DATA, target offset from BASE), in chain order.
slots = [(0x10, PAGE + 0x100), (0x18, PAGE + 0x110),
         (0x100, PAGE + 0x200), (0x110, PAGE + 0x280)]
data[0:16] = b"\xff Go buildinf:" + bytes([8, 0])
struct.pack_into("<Q", data, 0x108, len(VERSION))
struct.pack_into("<Q", data, 0x118, len(MODINFO))
data[0x200:0x200 + len(VERSION)] = VERSION
data[0x280:0x280 + len(MODINFO)] = MODINFO
for i, (off, target) in enumerate(slots):
    nxt = (slots[i + 1][0] - off) // 4 if i + 1 < len(slots) else 0
    struct.pack_into("<Q", data, off, target | nxt << 51)

# LC_DYLD_CHAINED_FIXUPS data: header, starts_in_image (4 segments: only
# __DATA has fixups), starts_in_segment with one page starting at 0x10.
seg_starts = struct.pack("<IHHQIHH", 24, PAGE, 6, PAGE, 0, 1, slots[0][0])
image_starts = struct.pack("<IIIII", 4, 0, 0, 20, 0)
fixups = struct.pack("<IIIIIII", 0, 28, 0, 0, 0, 1, 0) + image_starts + seg_starts


def segment(name, addr, size, off, filesize, prot, sections):
    cmd = struct.pack("<II16sQQQQIIII", 0x19, 72 + 80 * len(sections), name,
                      addr, size, off, filesize, prot, prot, len(sections), 0)
    for sname, sseg, saddr, ssize, soff in sections:
        cmd += struct.pack("<16s16sQQIIIIIIII", sname, sseg, saddr, ssize, soff,
                           0, 0, 0, 0, 0, 0, 0)
    return cmd


linkedit = 2 * PAGE
cmds = (segment(b"__PAGEZERO", 0, BASE, 0, 0, 0, [])
        + segment(b"__TEXT", BASE, PAGE, 0, PAGE, 5,
                  [(b"__text", b"__TEXT", BASE + 0x400, 16, 0x400)])
        + segment(b"__DATA", BASE + PAGE, PAGE, PAGE, PAGE, 3,
                  [(b"__go_buildinfo", b"__DATA", BASE + PAGE, 0x20, PAGE),
                   (b"__data", b"__DATA", BASE + PAGE + 0x100, 0x300, PAGE + 0x100)])
        + segment(b"__LINKEDIT", BASE + linkedit, PAGE, linkedit, len(fixups), 1, [])
        + struct.pack("<IIII", 0x80000034, 16, linkedit, len(fixups)))
# MH_MAGIC_64, CPU_TYPE_ARM64, subtype all, MH_EXECUTE, ncmds, sizeofcmds,
# MH_PIE | MH_DYLDLINK | MH_TWOLEVEL | MH_NOUNDEFS.
header = struct.pack("<IIIIIIII", 0xfeedfacf, 0x0100000c, 0, 2, 5, len(cmds),
                     0x200085, 0)
text = bytearray(PAGE)
text[0:len(header) + len(cmds)] = header + cmds
text[0x400:0x410] = bytes.fromhex("c0035fd6") * 4  # ret
with open(sys.argv[1], "wb") as f:
    f.write(text + data + fixups)
