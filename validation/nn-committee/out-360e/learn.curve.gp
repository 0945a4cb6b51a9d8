set terminal pngcairo size 1000,420 noenhanced
set output 'learn.curve.png'
set multiplot layout 1,2 title 'seedrate learn: learning curve'
set xlabel 'labels used'
set grid
set ylabel 'held-out force RMSE (meV/A)'
plot 'learn.curve.dat' u 2:4 w lp pt 7 t 'committee mean'
set ylabel 'fraction of explored samples'
set yrange [0:1]
plot 'learn.curve.dat' u 2:8 w lp pt 7 t 'above sigma_hi', '' u 2:7 w lp pt 5 t 'in the trust window'
unset multiplot
