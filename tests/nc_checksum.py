#!/usr/bin/python3
"""nc_checksum.py FILE [--stamp] - the completeness checksum of seedrate's netCDF files, computed
independently of the C code (src/io/io_ncin.c) with netCDF4-python: prints it and whether the file's
`seedrate_checksum` attribute matches (exit 0 when it does); --stamp writes it into the file, so that a
test can hand-make a result file the way `seedrate` writes one.

The hash: FNV-1a 64 over, in order, the text "seedrate netCDF checksum 1" + NUL, the number of dimensions,
each dimension (name + NUL, length, 1 if unlimited else 0), the global attributes but the checksum itself
(name + NUL, nc_type, length, values), the number of variables, each variable (name + NUL, nc_type, number
of dimensions, each dimension id, its attributes, its values). Integers are 8-byte little-endian, values
little-endian in their netCDF type."""
import sys
import numpy as np
import netCDF4

ATT = "seedrate_checksum"
NC_TYPE = {np.dtype("i1"): 1, np.dtype("S1"): 2, np.dtype("i2"): 3, np.dtype("i4"): 4, np.dtype("f4"): 5,
           np.dtype("f8"): 6, np.dtype("u1"): 7, np.dtype("u2"): 8, np.dtype("u4"): 9, np.dtype("i8"): 10,
           np.dtype("u8"): 11}


class Fnv:
    def __init__(self):
        self.h = 0xcbf29ce484222325

    def bytes(self, b):
        h = self.h
        for c in b:
            h = ((h ^ c) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
        self.h = h

    def u64(self, v):
        self.bytes(int(v).to_bytes(8, "little"))

    def text(self, s):
        self.bytes(s.encode() + b"\0")


def mix_atts(f, obj, skip):
    for name in obj.ncattrs():
        if name == skip:
            continue
        v = obj.getncattr(name)
        f.text(name)
        if isinstance(v, str):
            b = v.encode()
            f.u64(2); f.u64(len(b)); f.bytes(b)
        else:
            a = np.atleast_1d(np.asarray(v))
            f.u64(NC_TYPE[a.dtype]); f.u64(a.size); f.bytes(a.astype(a.dtype.newbyteorder("<")).tobytes())


def checksum(d):
    f = Fnv()
    f.text("seedrate netCDF checksum 1")
    dims = list(d.dimensions.values())
    f.u64(len(dims))
    for dim in dims:
        f.text(dim.name); f.u64(len(dim)); f.u64(1 if dim.isunlimited() else 0)
    mix_atts(f, d, ATT)
    ids = {dim.name: k for k, dim in enumerate(dims)}
    f.u64(len(d.variables))
    for v in d.variables.values():
        v.set_auto_maskandscale(False)
        f.text(v.name); f.u64(NC_TYPE[v.dtype]); f.u64(len(v.dimensions))
        for dn in v.dimensions:
            f.u64(ids[dn])
        mix_atts(f, v, None)
        a = np.asarray(v[...])
        f.bytes(a.astype(a.dtype.newbyteorder("<")).tobytes())
    return "fnv1a64:%016x" % f.h


if __name__ == "__main__":
    path = sys.argv[1]
    with netCDF4.Dataset(path) as d:
        h = checksum(d)
        have = d.getncattr(ATT) if ATT in d.ncattrs() else None
    if "--stamp" in sys.argv[2:]:
        with netCDF4.Dataset(path, "a") as d:
            d.setncattr(ATT, h)
        print(h)
        sys.exit(0)
    print(h, "matches" if have == h else "recorded %s" % have)
    sys.exit(0 if have == h else 1)
