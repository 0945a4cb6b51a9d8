#!/usr/bin/env bash
# Start data for the 360-molecule active-learning run (learn-360.ini, issue 18's "done when"): 50 labelled
# liquid frames and the start structures, all from validation/nn-mW/make_data.sh (seedrate's own mW runs).
#   data-360/init.extxyz    50 liquid frames: 10 from each of the NPT runs at 220, 240, 260, 280, 300 K
#                           (frames 1, 6, ..., 46: never one of nn-mW's held-out frames, which are every 5th)
#   data-360/liquid.extxyz  the first of them (240 K), positions only: the start of the liquid explorations
#   data-360/slab.extxyz    nn-mW's ice Ih / liquid slab (240 + 240 molecules) before its NPT runs
# The held-out set is nn-mW's validation set (266 frames), the one the hand-built model's 18.3 meV/A is
# measured on. usage: validation/nn-committee/make_data_360.sh [SEEDRATE]   (runs nn-mW/make_data.sh if needed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/seedrate}
[ -s "$here/../nn-mW/data/val.extxyz" ] || "$here/../nn-mW/make_data.sh" "$exe"
cd "$here"
mkdir -p data-360
/usr/bin/python3 - <<'PY'
def frames(path):
    L = open(path).read().split('\n'); i = 0
    while i < len(L) and L[i].strip():
        n = int(L[i]); yield L[i:i + n + 2]; i += n + 2
out = open('data-360/init.extxyz', 'w')
first = None
for T in (240, 220, 260, 280, 300):
    for k, fr in enumerate(frames('../nn-mW/data-runs/liq-%d.extxyz' % T)):
        if k % 5 == 1 and k <= 46:
            out.write('\n'.join(fr) + '\n')
            if first is None: first = fr
out.close()
# positions only (species and pos columns), same lattice
hdr = first[1]
lat = hdr.split('Lattice="')[1].split('"')[0]
org = hdr.split('Origin="')[1].split('"')[0] if 'Origin="' in hdr else '0 0 0'
with open('data-360/liquid.extxyz', 'w') as f:
    f.write('%s\nLattice="%s" Origin="%s" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % (first[0], lat, org))
    for row in first[2:]:
        w = row.split(); f.write('%s %s %s %s\n' % tuple(w[:4]))
PY
cp ../nn-mW/data-runs/slab.extxyz data-360/slab.extxyz
echo "data-360: $(grep -c Lattice data-360/init.extxyz) initial frames"
