set terminal pngcairo size 800,560
set output 'out-210K/rate-learn-m4.report/dmu.png'
set xlabel 'T'
set ylabel '{/Symbol D}{/Symbol m} = {/Symbol m}_s - {/Symbol m}_l'
set key left
plot 'out-210K/rate-learn-m4.report/dmu.dat' u 1:($2-$3):($2+$3) w filledcurves lc rgb '#bbccff' t '+-1 se', '' u 1:2 w l lw 2 t 'Gibbs-Helmholtz', '' u 1:4 w l dt 2 t 'linear (Turnbull)', '-' w p pt 7 t 'T of the rate'
210 -0.0119939
e
