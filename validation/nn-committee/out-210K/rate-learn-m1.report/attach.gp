set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m1.report/attach.png'
set xlabel 'time'
set ylabel 'N_{max} (atoms)'
plot 'out-210K/rate-learn-m1.report/attach_traces.dat' w l t 'f+ replicas'
