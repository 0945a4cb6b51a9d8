set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m1.report/tm.png'
set xlabel 'T'
set ylabel 'interface velocity v (>0 growth)'
set xzeroaxis
set arrow from 273.17, graph 0 to 273.17, graph 1 nohead dt 2
plot 'out-210K/rate-learn-m1.report/tm.dat' u 1:2:3 w yerrorbars pt 7 t 'direct coexistence'
