#!/usr/bin/env python3
"""Shrink an ELF core for a fuzz seed: every PT_LOAD segment keeps only its
runs of pages that hold a non-zero byte (each run becomes its own PT_LOAD;
all-zero pages become memory the kernel did not dump, which the reader
reports as GORT_EFAULT), and the notes stay as they are.

    fuzz/shrink-core.py CORE OUT

A Go core is mostly zero pages (unused heap arenas and stacks), so the
seed is a few hundred KB instead of tens of MB while the goroutines and
their stacks still read (the fuzz target checks it: fuzz/core.c).
"""
import struct
import sys

PAGE = 4096


def main(src, dst):
    data = open(src, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"{src}: not a little-endian ELF64 file")
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    phdrs = [struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize) for i in range(phnum)]
    out_ph, blobs = [], []  # (header fields, bytes)
    for ph in phdrs:
        typ, flags, off, vaddr, paddr, filesz, memsz, align = ph
        if typ != 1 or filesz == 0:
            out_ph.append((ph, data[off:off + filesz] if typ == 4 else b""))
            continue
        # Runs of pages with data; the zero pages between them become
        # PT_LOADs without file bytes so that the address space is kept.
        start = None
        pos = 0
        runs = []
        while pos < filesz:
            page = data[off + pos:off + min(pos + PAGE, filesz)]
            nonzero = page.count(0) != len(page)
            if nonzero and start is None:
                start = pos
            if not nonzero and start is not None:
                runs.append((start, pos)); start = None
            pos += PAGE
        if start is not None:
            runs.append((start, filesz))
        cur = 0
        for a, b in runs:
            if a > cur:
                out_ph.append(((1, flags, 0, vaddr + cur, 0, 0, a - cur, align), b""))
            out_ph.append(((1, flags, 0, vaddr + a, 0, b - a, b - a, align), data[off + a:off + b]))
            cur = b
        if memsz > cur:
            out_ph.append(((1, flags, 0, vaddr + cur, 0, 0, memsz - cur, align), b""))
    # Layout: ELF header, program headers, then each segment's bytes
    # (notes 4-aligned, loads 8-aligned: smaller than the kernel's page alignment).
    hdr = bytearray(data[:64])
    struct.pack_into("<QH", hdr, 0x20, 64, 0)
    struct.pack_into("<HH", hdr, 0x36, 56, len(out_ph))
    struct.pack_into("<HHH", hdr, 0x3a, 0, 0, 0)  # no section headers
    struct.pack_into("<Q", hdr, 0x28, 0)
    body = bytearray()
    pos = 64 + 56 * len(out_ph)
    table = bytearray()
    for (typ, flags, _, vaddr, paddr, filesz, memsz, align), blob in out_ph:
        if blob:
            a = 4 if typ == 4 else 8
            pad = (-(pos + len(body))) % a
            body += b"\0" * pad
            off = pos + len(body)
            body += blob
        else:
            off = 0
        table += struct.pack("<IIQQQQQQ", typ, flags, off, vaddr, paddr, filesz, memsz, align)
    open(dst, "wb").write(bytes(hdr) + bytes(table) + bytes(body))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
