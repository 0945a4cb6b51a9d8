#!/usr/bin/env bash
# Training data for the mW-trained NN: seedrate's own mW (data/mW.sw) runs writing extxyz frames with
# potential energy and forces ([output] extxyz_every). Liquid 220-300 K (NPT) plus 400-1500 K, strained,
# compressed and low-density boxes, isolated molecules, ice Ih 220-270 K (NPT
# aniso), ice Ic 220-270 K (NPT iso), ice Ih / liquid interfaces 235-270 K (NPT, barostat z).
# usage: validation/nn-mW/make_data.sh [SEEDRATE]      (from anywhere; about 3 core-minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build-nn/seedrate}
cd "$here"
mkdir -p data-runs data
# run NAME LATTICE DENSITY CELLS T0 ENSEMBLE-LINES STEPS EVERY SEED [FILE]
run() {
    local name=$1 lat=$2 rho=$3 cells=$4 t0=$5 ens=$6 steps=$7 every=$8 seed=$9 file=${10:-}
    {
        printf '[run]\nunits = metal\nsteps = %s\nseed = %s\n\n[structure]\n' "$steps" "$seed"
        if [ -n "$file" ]; then printf 'file = %s\n' "$file"; else
            printf 'lattice = %s\ndensity = %s\ncells = %s\n' "$lat" "$rho" "$cells"; fi
        printf 'mass = 18.015\nelement = mW\ntemperature = %s\n\n' "$t0"
        printf '[potential]\nstyle = sw\nfile = ../mW.sw\n\n[ensemble]\n%b\ndt = 0.010\nskin = 1.0\n\n' "$ens"
        printf '[output]\nprefix = %s\nthermo_every = 1000\nextxyz_every = %s\nrestart = no\n' "$name" "$every"
    } > data-runs/$name.ini
    (cd data-runs && "$exe" md $name.ini > $name.log)
}
npt_iso() { echo "ensemble = npt\nbarostat = iso\ntemperature = $1\ntau_t = 0.5\npressure = 1.0\ntau_p = 5.0\ncompressibility = 5.0e-5"; }
npt_aniso() { echo "ensemble = npt\nbarostat = aniso\ntemperature = $1\ntau_t = 0.5\npressure = 1.0\ntau_p = 5.0\ncompressibility = 1.0e-5"; }
npt_z() { echo "ensemble = npt\nbarostat = z\ntemperature = $1\ntau_t = 0.5\npressure = 1.0\ntau_p = 5.0\ncompressibility = 5.0e-5"; }
nvt() { echo "ensemble = nvt\ntemperature = $1\ntau_t = 0.5"; }

# liquid: 360 molecules (hexdiamond 5 3 3 at 1.00 g/cm^3 melted 30 ps at 1500 K NVT), then 150 ps NPT
run liq-melt hexdiamond 0.0334284 "5 3 3" 1500 "$(nvt 1500)" 3000 3000 1000
for T in 220 240 260 280 300; do
    run liq-$T - - - $T "$(npt_iso $T)" 15000 250 $((1000 + T)) liq-melt.extxyz
done
# hot liquid (robustness: the campaign melts its liquid at 600 K): 400 K NPT, 600 K NVT at 1.00 g/cm^3
run liq-400 - - - 400 "$(npt_iso 400)" 10000 250 1400 liq-melt.extxyz
run liq-600 - - - 600 "$(nvt 600)" 10000 250 1600 liq-melt.extxyz
# ice Ih: 360 molecules (hexdiamond 5 3 3 at 0.978 g/cm^3), 100 ps NPT aniso
for T in 220 245 270; do
    run ih-$T hexdiamond 0.0326931 "5 3 3" $T "$(npt_aniso $T)" 10000 250 $((2000 + T))
done
# ice Ic: 216 molecules (diamond 3 3 3), 100 ps NPT iso
for T in 220 250 270; do
    run ic-$T diamond 0.0326931 "3 3 3" $T "$(npt_iso $T)" 10000 250 $((3000 + T))
done
# interface: 240 ice Ih molecules (hexdiamond 5 2 3, 0.978 g/cm^3, equilibrated 20 ps at 250 K in NVT)
# below 240 liquid molecules in the same x-y box (melted 20 ps at 1500 K, then 20 ps at 250 K NVT),
# stacked along z with a 1.2 A gap, then NPT (barostat z) at 235, 250, 270 K for 100 ps.
run half-ice hexdiamond 0.0326931 "5 2 3" 250 "$(nvt 250)" 2000 2000 4001
run half-hot hexdiamond 0.0326931 "5 2 3" 1500 "$(nvt 1500)" 2000 2000 4002
run half-liq - - - 250 "$(nvt 250)" 2000 2000 4003 half-hot.extxyz
/usr/bin/python3 - <<'PY'
import numpy as np
def last(path):
    L = open(path).read().split('\n'); i = 0; fr = None
    while i < len(L) and L[i].strip():
        n = int(L[i]); hdr = L[i + 1]; rows = [l.split() for l in L[i + 2:i + 2 + n]]; fr = (hdr, rows); i += n + 2
    hdr, rows = fr
    lat = [float(v) for v in hdr.split('Lattice="')[1].split('"')[0].split()]
    org = [0.0, 0.0, 0.0]
    if 'Origin="' in hdr: org = [float(v) for v in hdr.split('Origin="')[1].split('"')[0].split()]
    x = np.array([[float(r[1]), float(r[2]), float(r[3])] for r in rows])
    box = np.array([lat[0], lat[4], lat[8]])
    return (x - org) % box, box
def write(path, x, box):
    with open(path, 'w') as f:
        f.write('%d\nLattice="%.10f 0 0 0 %.10f 0 0 0 %.10f" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % (len(x), *box))
        for r in x: f.write('mW %.10f %.10f %.10f\n' % tuple(r))
xi, bi = last('data-runs/half-ice.extxyz')
xl, bl = last('data-runs/half-liq.extxyz')
gap = 1.2
xl = xl * (bi / bl); xl[:, 2] += bi[2] + gap
box = np.array([bi[0], bi[1], bi[2] + bl[2] * bi[2] / bl[2] + 2 * gap])
write('data-runs/slab.extxyz', np.vstack([xi, xl]), box)
PY
for T in 235 250 270; do
    run slab-$T - - - $T "$(npt_z $T)" 10000 200 $((5000 + T)) slab.extxyz
done
# strained boxes (the energy-volume slope, i.e. the pressure, is otherwise only weakly constrained by
# NPT frames at 1 bar): last frames of ih-245, ic-250, liq-240 and liq-280 scaled isotropically to
# 0.96, 0.98, 1.02 and 1.04 times their volume, then 50 ps NVT at the run's temperature
/usr/bin/python3 - <<'PY'
import numpy as np
def last(path):
    L = open(path).read().split('\n'); i = 0; fr = None
    while i < len(L) and L[i].strip():
        n = int(L[i]); fr = (L[i + 1], [l.split() for l in L[i + 2:i + 2 + n]]); i += n + 2
    hdr, rows = fr
    lat = [float(v) for v in hdr.split('Lattice="')[1].split('"')[0].split()]
    org = [0.0, 0.0, 0.0]
    if 'Origin="' in hdr: org = [float(v) for v in hdr.split('Origin="')[1].split('"')[0].split()]
    box = np.array([lat[0], lat[4], lat[8]])
    return (np.array([[float(r[1]), float(r[2]), float(r[3])] for r in rows]) - org) % box, box
for src in ('ih-245', 'ic-250', 'liq-240', 'liq-280'):
    x, box = last('data-runs/%s.extxyz' % src)
    for v in (0.96, 0.98, 1.02, 1.04):
        s = v ** (1.0 / 3.0)
        with open('data-runs/%s-v%.2f.start.extxyz' % (src, v), 'w') as f:
            f.write('%d\nLattice="%.10f 0 0 0 %.10f 0 0 0 %.10f" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % (len(x), *(box * s)))
            for r in x * s: f.write('mW %.10f %.10f %.10f\n' % tuple(r))
PY
for src in ih-245 ic-250 liq-240 liq-280; do
    T=${src##*-}
    for v in 0.96 0.98 1.02 1.04; do
        run strain-$src-v$v - - - $T "$(nvt $T)" 5000 250 $((6000 + T)) $src-v$v.start.extxyz
    done
done
# low density (the campaign's NPT start from a 600 K melt expands the box for a few ps; without these
# frames the network had no cohesion below ~0.9 g/cm^3 and its liquid evaporated): the 600 K melt scaled to
# 1.25, 1.6, 2.5 and 5 times its volume, 50 ps NVT at 300 and 600 K (cavities, droplets, vapour)
/usr/bin/python3 - <<'PY'
import numpy as np
L = open('data-runs/liq-melt.extxyz').read().split('\n'); i = 0
while i < len(L) and L[i].strip():
    n = int(L[i]); fr = (L[i + 1], [l.split() for l in L[i + 2:i + 2 + n]]); i += n + 2
hdr, rows = fr
lat = [float(v) for v in hdr.split('Lattice="')[1].split('"')[0].split()]
box = np.array([lat[0], lat[4], lat[8]])
x = np.array([[float(r[1]), float(r[2]), float(r[3])] for r in rows]) % box
for v in (1.25, 1.6, 2.5, 5.0):
    s = v ** (1.0 / 3.0)
    with open('data-runs/melt-v%.2f.start.extxyz' % v, 'w') as f:
        f.write('%d\nLattice="%.10f 0 0 0 %.10f 0 0 0 %.10f" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % (len(x), *(box * s)))
        for r in x * s: f.write('mW %.10f %.10f %.10f\n' % tuple(r))
# isolated molecules (E = 0, F = 0 exactly in mW): 8 on a 6 A grid in a 12 A box, 4 copies
with open('data-runs/isolated.extxyz', 'w') as f:
    for k in range(5):
        f.write('8\nLattice="12 0 0 0 12 0 0 0 12" Properties=species:S:1:pos:R:3:forces:R:3 energy=0 pbc="T T T"\n')
        for a in range(8):
            f.write('mW %g %g %g 0 0 0\n' % (1 + 6 * (a & 1) + 0.3 * k, 1 + 6 * ((a >> 1) & 1), 1 + 6 * (a >> 2)))
PY
for v in 1.25 1.60 2.50 5.00; do
    for T in 300 600; do
        run lowdens-v$v-$T - - - $T "$(nvt $T)" 5000 250 $((7000 + T)) melt-v$v.start.extxyz
    done
done
# close contacts (with only 220-600 K data the network had an attractive hole below ~2.2 A and a
# 1600-molecule liquid blew up within 8 ps at 600 K): liquid at 1000 and 1500 K (NVT, 1.00 g/cm^3) and
# compressed to 0.85 and 0.92 times the volume at 600 K
run hot-1000 - - - 1000 "$(nvt 1000)" 4000 200 8100 liq-melt.extxyz
run hot-1500 - - - 1500 "$(nvt 1500)" 4000 200 8150 liq-melt.extxyz
/usr/bin/python3 - <<'PY'
import numpy as np
L = open('data-runs/liq-melt.extxyz').read().split('\n'); i = 0
while i < len(L) and L[i].strip():
    n = int(L[i]); fr = (L[i + 1], [l.split() for l in L[i + 2:i + 2 + n]]); i += n + 2
hdr, rows = fr
lat = [float(v) for v in hdr.split('Lattice="')[1].split('"')[0].split()]
box = np.array([lat[0], lat[4], lat[8]])
x = np.array([[float(r[1]), float(r[2]), float(r[3])] for r in rows]) % box
for v in (0.85, 0.92):
    s = v ** (1.0 / 3.0)
    with open('data-runs/melt-v%.2f.start.extxyz' % v, 'w') as f:
        f.write('%d\nLattice="%.10f 0 0 0 %.10f 0 0 0 %.10f" Properties=species:S:1:pos:R:3 pbc="T T T"\n' % (len(x), *(box * s)))
        for r in x * s: f.write('mW %.10f %.10f %.10f\n' % tuple(r))
PY
for v in 0.85 0.92; do
    run compressed-v$v-600 - - - 600 "$(nvt 600)" 4000 200 $((8200 + ${v#0.})) melt-v$v.start.extxyz
done
# training set: every frame of the production runs; validation: every 5th frame held out
/usr/bin/python3 - <<'PY'
import glob
tr, va = open('data/train.extxyz', 'w'), open('data/val.extxyz', 'w')
cat = {'hot-': 'hot', 'compressed': 'hot', 'isolated': 'lowdens', 'lowdens': 'lowdens', 'strain': 'strained', 'liq-2': 'liquid', 'liq-3': 'liquid', 'liq-4': 'hot', 'liq-6': 'hot', 'ih': 'ice', 'ic': 'ice', 'slab': 'interface'}
vcat = {c: open('data/val-%s.extxyz' % c, 'w') for c in set(cat.values())}
counts = {}
for name in sorted(glob.glob('data-runs/*.extxyz')):
    tag = name.split('/')[-1][:-7]
    if tag.startswith('half') or tag in ('slab', 'liq-melt') or tag.endswith('.start'): continue
    L = open(name).read().split('\n'); i = 0; k = 0
    while i < len(L) and L[i].strip():
        n = int(L[i]); block = '\n'.join(L[i:i + n + 2]) + '\n'; i += n + 2
        if k > 0: (va if k % 5 == 0 else tr).write(block)   # frame 0 (start) dropped
        if k > 0 and k % 5 == 0:   # validation frames also by category (seedrate train --test)
            vcat[[c for p, c in cat.items() if tag.startswith(p)][0]].write(block)
        k += 1
    counts[tag] = k - 1
print('frames per run:', counts, 'total', sum(counts.values()))
PY
