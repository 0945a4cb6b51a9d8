#!/usr/bin/env bash
# Labelled mW frames for the active-learning example (learn.ini): seedrate's own mW runs (data/mW.sw) of 64
# molecules writing extxyz frames with energy and forces. init: 11 frames (the ice Ic lattice compressed to the
# liquid density, then disordering at 300 K, every 0.2 ps); val: 31 held-out frames of another trajectory (280 K,
# every 0.5 ps). usage: validation/nn-committee/make_data.sh [SEEDRATE]      (a few CPU seconds)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/seedrate}
cd "$here"
mkdir -p data
gen() { # NAME STEPS SEED T0 T EVERY
    cat > data/$1.ini <<INI
[run]
units = metal
steps = $2
seed = $3

[structure]
lattice = diamond
density = 0.0334284
cells = 2 2 2
mass = 18.015
element = mW
temperature = $4

[potential]
style = sw
file = ../../../data/mW.sw

[ensemble]
ensemble = nvt
temperature = $5
tau_t = 0.1
dt = 0.005
skin = 1.0

[output]
prefix = $1
thermo_every = 1000
extxyz_every = $6
restart = no
INI
    (cd data && "$exe" md $1.ini > $1.log)
}
gen init 400 11 700 300 40
gen val 3000 12 700 280 100
