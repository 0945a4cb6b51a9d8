set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m3.report/msd.png'
set xlabel 'time since t_{skip}'
set ylabel 'var(N(t)-N(0)) (atoms^2)'
set key left
set arrow from 0.2, graph 0 to 0.2, graph 1 nohead dt 3
set arrow from 10, graph 0 to 10, graph 1 nohead dt 3
plot 'out-210K/rate-learn-m3.report/msd.dat' w lp pt 7 ps 0.6 t '16 replicas', 159.19 + 2*7.5034*x lw 2 t 'initial slope 2 f+, f+ = 7.5 (window dotted)'
