set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m3.report/pgrow.png'
set xlabel 'thermalised seed size N_{th} (atoms)'
set ylabel 'P_{grow}'
set yrange [-0.05:1.05]
set key left
plot 'out-210K/rate-learn-m3.report/pgrow.dat' u 1:2:3 w yerrorbars pt 7 t 'replicas (binomial se)', 1/(1+exp(-(x-(66.9471))/(33.7339))) lw 2 t 'maximum-likelihood fit, N_c = 66.9'
