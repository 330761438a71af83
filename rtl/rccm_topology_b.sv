// Base topology B of an RCCM (thesis ch. 6.4.2, Figs. 6.2 and 6.3; docs/rccm.md section 1):
//   s = 00: B1 - A1   01: B1 - A2   10: A1 - B1   11: A2 - B1
// with A_j = a << PHIj (j = 1, 2) and B1 = b << PHI3. Codes 00/10 and 01/11 give opposite
// values, so a circuit that ends in topology B has a coefficient set symmetric around zero.
// Inputs and output are two's complement; the output is OW bits and must hold every result.
//
// One subtractor: A_p - B1 = ~B1 - ~A_p, so both operands are XORed with s[1] and the result
// is (B1 ^ s1) - (A_p ^ s1). Per bit the carry chain's propagate input needs s0, the two
// multiplexed A bits and the B1 bit, its generate input s1 and the B1 bit: five inputs in all,
// the dual 5-input LUT (LUT6_2) mapping of Fig. 6.3.
module rccm_topology_b #(
    parameter int AW = 12,      // width of the A source
    parameter int BW = 8,       // width of the B source
    parameter int OW = 15,      // output width
    parameter int PHI1 = 0,
    parameter int PHI2 = 0,
    parameter int PHI3 = 0
) (
    input  logic [1:0]    s,
    input  logic [AW-1:0] a,
    input  logic [BW-1:0] b,
    output logic [OW-1:0] y
);
    logic [OW-1:0] a_ext, b1, ap, flip;

    assign a_ext = OW'($signed(a));
    assign b1 = OW'($signed(b)) << PHI3;
    assign ap = s[0] ? (a_ext << PHI2) : (a_ext << PHI1);
    assign flip = {OW{s[1]}};
    assign y = (b1 ^ flip) - (ap ^ flip);
endmodule
