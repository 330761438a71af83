# Written by scripts/sparse_study.py from sparse_study.csv: effective throughput of sparse
# ternary networks (thesis ch. 3.4.4, Fig. 3.6-3.7), model lines and simulated points.
set terminal svg size 1100,460 dynamic font "sans,11"
set output "sparse_study.svg"
set datafile separator ","
set multiplot layout 1,2
set logscale xy
set xlabel "reuse R (PEs per decoder)"
set ylabel "effective throughput (TOPs)"
set key bottom right font ",9"
set grid
set title "type 1: XNOR-popcount (LUTs): dense peak 46.44 TOPs"
plot "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 1.0) < 1e-9 ? $3 : 1/0):5 with lines lc 1 title "model, gamma 1.0", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 1.0) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 1 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.5) < 1e-9 ? $3 : 1/0):5 with lines lc 2 title "model, gamma 0.5", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.5) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 2 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.25) < 1e-9 ? $3 : 1/0):5 with lines lc 3 title "model, gamma 0.25", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.25) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 3 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.1) < 1e-9 ? $3 : 1/0):5 with lines lc 4 title "model, gamma 0.1", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.1) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 4 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.077) < 1e-9 ? $3 : 1/0):5 with lines lc 5 title "model, gamma 0.077", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.077) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 5 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.05) < 1e-9 ? $3 : 1/0):5 with lines lc 6 title "model, gamma 0.05", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.05) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 6 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.024) < 1e-9 ? $3 : 1/0):5 with lines lc 7 title "model, gamma 0.024", \
     "sparse_study.csv" using (stringcolumn(1) eq "xnor_popcount" && abs($2 - 0.024) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 7 notitle, \
     46.4352 with lines dt 2 lc rgb "black" title "dense peak (no decoder)"

set title "type 2: float add (DSPs): dense peak 1.38 TOPs"
plot "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 1.0) < 1e-9 ? $3 : 1/0):5 with lines lc 1 title "model, gamma 1.0", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 1.0) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 1 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.5) < 1e-9 ? $3 : 1/0):5 with lines lc 2 title "model, gamma 0.5", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.5) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 2 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.25) < 1e-9 ? $3 : 1/0):5 with lines lc 3 title "model, gamma 0.25", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.25) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 3 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.1) < 1e-9 ? $3 : 1/0):5 with lines lc 4 title "model, gamma 0.1", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.1) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 4 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.077) < 1e-9 ? $3 : 1/0):5 with lines lc 5 title "model, gamma 0.077", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.077) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 5 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.05) < 1e-9 ? $3 : 1/0):5 with lines lc 6 title "model, gamma 0.05", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.05) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 6 notitle, \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.024) < 1e-9 ? $3 : 1/0):5 with lines lc 7 title "model, gamma 0.024", \
     "sparse_study.csv" using (stringcolumn(1) eq "float_add" && abs($2 - 0.024) < 1e-9 ? $3 : 1/0):8 with points pt 7 ps 0.6 lc 7 notitle, \
     1.3800 with lines dt 2 lc rgb "black" title "dense peak (no decoder)"

unset multiplot
