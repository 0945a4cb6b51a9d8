set terminal pngcairo size 1000,420 noenhanced
set output 'learning_curve-f.png'
set multiplot layout 1,2 title 'seedrate train: learning curve'
set logscale y
set xlabel 'step'
set grid
set key top right
set ylabel 'energy RMSE (meV/atom)'
plot 'learning_curve-f.dat' u 1:3 w lp t 'train', '' u 1:5 w lp t 'validation'
set ylabel 'force RMSE (meV/A)'
plot 'learning_curve-f.dat' u 1:4 w lp t 'train', '' u 1:6 w lp t 'validation'
unset multiplot
