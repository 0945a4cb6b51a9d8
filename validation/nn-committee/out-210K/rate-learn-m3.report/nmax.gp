set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m3.report/nmax.png'
set xlabel 'time'
set ylabel 'N_{max} (atoms)'
set key left
plot 'out-210K/rate-learn-m3.report/nmax_grown.dat' w l lc rgb 'blue' t 'grown', 'out-210K/rate-learn-m3.report/nmax_melted.dat' w l lc rgb 'red' t 'melted', 'out-210K/rate-learn-m3.report/nmax_undecided.dat' w l lc rgb 'gray' t 'undecided'
