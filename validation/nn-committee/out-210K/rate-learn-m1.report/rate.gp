set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m1.report/rate.png'
set xlabel 'T'
set ylabel 'log_{10} J'
set offsets 0.05,0.05,1,1
plot 'out-210K/rate-learn-m1.report/rate.dat' u 1:2:5:6 w yerrorbars lw 1 t '95% (statistical)', '' u 1:2:3:4 w yerrorbars lw 3 pt 7 t '68% (statistical)'
