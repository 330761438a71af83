// Base topology A of an RCCM (thesis ch. 6.4.2, Figs. 6.2 and 6.3; docs/rccm.md section 1):
// one adder whose second operand comes through a 4:1 multiplexer of hard-wired left shifts of
// the A source, with the operation chosen by the 2-bit select code s:
//   s = 00: A1 + B1   01: A2 + B1   10: A3 + B1
//   s = 11: LAST_OP 0: B1, 1: B1 - A1, 2: B1 - A2, 3: B1 - A3   (the mapping function sigma)
// with A_j = a << PHIj (j = 1..3) and B1 = b << PHI4. Inputs and output are two's complement;
// the output is OW bits, which must hold every result (the sum is computed modulo 2^OW).
//
// The adder is written as B1 - (~M) - 1 with the borrow in an extra low bit, so that B1 (wiring
// only) is its first operand: a synthesiser then feeds B1 straight into the carry chain's
// generate input and needs one LUT per bit for the mux, the sign and the propagate (Fig. 6.3).
module rccm_topology_a #(
    parameter int AW = 8,       // width of the A source
    parameter int BW = 8,       // width of the B source
    parameter int OW = 12,      // output width
    parameter int PHI1 = 0,
    parameter int PHI2 = 0,
    parameter int PHI3 = 0,
    parameter int PHI4 = 0,
    parameter int LAST_OP = 0   // operation of code 11, see above
) (
    input  logic [1:0]    s,
    input  logic [AW-1:0] a,
    input  logic [BW-1:0] b,
    output logic [OW-1:0] y
);
    logic [OW-1:0] a_ext, b1, m, m_inv;
    logic          neg;
    logic          borrow_unused;

    assign a_ext = OW'($signed(a));
    assign b1 = OW'($signed(b)) << PHI4;

    always_comb begin
        unique case (s)
            2'd0: m = a_ext << PHI1;
            2'd1: m = a_ext << PHI2;
            2'd2: m = a_ext << PHI3;
            default:
                m = (LAST_OP == 1) ? a_ext << PHI1 :
                    (LAST_OP == 2) ? a_ext << PHI2 :
                    (LAST_OP == 3) ? a_ext << PHI3 : '0;
        endcase
    end

    // neg: code 11 subtracts the multiplexed operand (mapping functions -A1, -A2, -A3).
    assign neg = (s == 2'd3) && (LAST_OP != 0);
    // B1 + (neg ? -M : M) = B1 - M_inv - !neg with M_inv = neg ? M : ~M.
    assign m_inv = ~(m ^ {OW{neg}});
    assign {y, borrow_unused} = {b1, 1'b0} - {m_inv, ~neg};
endmodule
