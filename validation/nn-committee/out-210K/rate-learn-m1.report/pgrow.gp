set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m1.report/pgrow.png'
set xlabel 'thermalised seed size N_{th} (atoms)'
set ylabel 'P_{grow}'
set yrange [-0.05:1.05]
set key left
plot 'out-210K/rate-learn-m1.report/pgrow.dat' u 1:2:3 w yerrorbars pt 7 t 'replicas (binomial se)', 1/(1+exp(-(x-(91.0761))/(24.3752))) lw 2 t 'maximum-likelihood fit, N_c = 91.1'
