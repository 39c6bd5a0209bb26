#!/usr/bin/env python3
"""The fingerprint of everything the uniffi generator reads and writes for tokenward.

    uniffi_fingerprint.py LIBRARY.a FILE...

prints one SHA-256 over: the uniffi metadata the library carries (the bytes of every
`UNIFFI_META_*` symbol of its tokenward_ffi objects, which is all `uniffi-bindgen --library`
reads from it) and the contents of FILE... (the generator's lock file, bindings/uniffi.toml and
the generated bindings). The generator is deterministic, so when this value equals the one
scripts/gen-bindings.sh recorded, the committed bindings are what the generator would produce
now, and scripts/check-bindings-fresh.sh need not build it (minutes of CPU on a clean clone).

Reads the `ar` archive and its ELF64 objects directly (no third-party modules).
"""

import hashlib
import struct
import sys

PREFIX = b"UNIFFI_META_"


def archive_members(data: bytes):
    """(name, bytes) of each member of a System V / GNU `ar` archive."""
    if not data.startswith(b"!<arch>\n"):
        raise SystemExit("not an ar archive")
    pos, long_names = 8, b""
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        name = header[:16].rstrip()
        size = int(header[48:58])
        body = data[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name == b"//":
            long_names = body
        elif name in (b"/", b"/SYM64/"):
            continue
        else:
            if name.startswith(b"/") and long_names:
                start = int(name[1:])
                name = long_names[start : long_names.index(b"/\n", start)]
            yield name.rstrip(b"/"), body


def metadata_symbols(obj: bytes):
    """(name, bytes) of every defined UNIFFI_META_* symbol of one ELF64 little-endian object."""
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        return
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    for _, sh_type, _, _, sym_off, sym_size, link, _, _, entsize in sections:
        if sh_type != 2:  # SHT_SYMTAB
            continue
        str_off = sections[link][4]
        for i in range(sym_size // entsize):
            name_off, _, _, shndx, value, size = struct.unpack_from("<IBBHQQ", obj, sym_off + i * entsize)
            end = obj.index(b"\0", str_off + name_off)
            name = obj[str_off + name_off : end]
            if not name.startswith(PREFIX) or shndx == 0 or shndx >= len(sections):
                continue
            data_off = sections[shndx][4] + value
            yield name, obj[data_off : data_off + size]


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1], "rb") as f:
        archive = f.read()
    symbols = {}
    for member, body in archive_members(archive):
        if member.startswith(b"tokenward_ffi"):
            symbols.update(metadata_symbols(body))
    if not symbols:
        raise SystemExit(f"{sys.argv[1]}: no UNIFFI_META_* symbols")
    digest = hashlib.sha256()
    for name in sorted(symbols):
        digest.update(b"%d:%s%d:" % (len(name), name, len(symbols[name])) + symbols[name])
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            content = f.read()
        digest.update(b"%d:" % len(content) + content)
    print(f"{digest.hexdigest()}  {len(symbols)} metadata symbols, {len(sys.argv) - 2} files")


if __name__ == "__main__":
    main()
