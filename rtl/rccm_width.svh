// Shared by the RCCM circuits (included inside each module): the smallest two's-complement
// width that holds k * x for every stage factor k in [klo, khi] and every input x in
// [xlo, xhi]. Every stage of an RCCM is linear in x (its output is k * x for the k its select
// bits choose), so this is the width of the stage's ripple-carry adder. The factor ranges of
// each stage are those of models/rccm/rccm_topology.cpp's circuits (stage outputs for x = 1
// over every select word); the co-simulation's extreme inputs check that they suffice.
function automatic int rccm_width(longint klo, longint khi, longint xlo, longint xhi);
    longint lo, hi, p;
    int bits;
    lo = 0;
    hi = 0;
    for (int i = 0; i < 4; i++) begin
        p = (i < 2 ? klo : khi) * (i % 2 == 0 ? xlo : xhi);
        if (p < lo) lo = p;
        if (p > hi) hi = p;
    end
    bits = 64;
    for (int b = 63; b >= 1; b--)
        if (lo >= -(64'sd1 <<< (b - 1)) && hi <= (64'sd1 <<< (b - 1)) - 64'sd1) bits = b;
    rccm_width = bits;
endfunction

// Range of the circuit input: IW bits, two's complement when IN_SIGNED, else unsigned.
function automatic longint rccm_x_lo(int iw, int in_signed);
    rccm_x_lo = in_signed != 0 ? -(64'sd1 <<< (iw - 1)) : 64'sd0;
endfunction

function automatic longint rccm_x_hi(int iw, int in_signed);
    rccm_x_hi = in_signed != 0 ? (64'sd1 <<< (iw - 1)) - 64'sd1 : (64'sd1 <<< iw) - 64'sd1;
endfunction
