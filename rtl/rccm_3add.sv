// 3-Add RCCM (thesis ch. 6.4.3, Fig. 6.4, Table 6.3; docs/rccm.md section 2):
//   y0 = A_I(x, x),  sigma = -A2, phi = 0,2,3,3    select bits [1:0]
//   y1 = A_II(x, x), sigma = -A1, phi = 0,1,3,0    select bits [3:2]
//   y  = B(y0, y1),  phi = 0,3,0                   select bits [5:4]
// 59 distinct coefficients over the 64 select words (Table 6.2).
//
// PIPELINED = 0: combinational; out_valid = in_valid, in_ready = out_ready.
// PIPELINED = 1: one register after each adder stage; y0 and y1 are computed side by side, so
// the latency is 2 cycles. The pipeline advances when its output register is empty or being
// taken (in_ready = !out_valid || out_ready) and holds otherwise.
// out_y is the product, sign-extended to OW bits.
module rccm_3add #(
    parameter int IW = 8,             // input width
    parameter int IN_SIGNED = 1,      // 1: input is two's complement (else unsigned)
    parameter int PIPELINED = 0,
    parameter int OW = 32
) (
    input  logic          clk,
    input  logic          rst_n,
    input  logic          in_valid,
    output logic          in_ready,
    input  logic [5:0]    in_sel,
    input  logic [IW-1:0] in_x,
    output logic          out_valid,
    input  logic          out_ready,
    output logic [OW-1:0] out_y
);
    `include "rccm_width.svh"

    localparam int XW = IN_SIGNED != 0 ? IW : IW + 1;
    localparam longint XLO = rccm_x_lo(IW, IN_SIGNED);
    localparam longint XHI = rccm_x_hi(IW, IN_SIGNED);
    localparam int W0 = rccm_width(4, 16, XLO, XHI);      // y0 in {9, 12, 16, 4} x
    localparam int W1 = rccm_width(0, 9, XLO, XHI);       // y1 in {2, 3, 9, 0} x
    localparam int W2 = rccm_width(-128, 128, XLO, XHI);  // the product

    logic [XW-1:0] x;
    assign x = XW'({1'b0, in_x});  // zero-extended when unsigned, unchanged when signed

    // Stage 2's operands come straight from stages 0 and 1 (combinational) or from the register
    // after them.
    logic [W0-1:0] y0, y0_s;
    logic [W1-1:0] y1, y1_s;
    logic [1:0]    s2_s;
    logic [W2-1:0] y2;

    rccm_topology_a #(.AW(XW), .BW(XW), .OW(W0), .PHI1(0), .PHI2(2), .PHI3(3), .PHI4(3), .LAST_OP(2))
        u_stage0 (.s(in_sel[1:0]), .a(x), .b(x), .y(y0));
    rccm_topology_a #(.AW(XW), .BW(XW), .OW(W1), .PHI1(0), .PHI2(1), .PHI3(3), .PHI4(0), .LAST_OP(1))
        u_stage1 (.s(in_sel[3:2]), .a(x), .b(x), .y(y1));
    rccm_topology_b #(.AW(W0), .BW(W1), .OW(W2), .PHI1(0), .PHI2(3), .PHI3(0))
        u_stage2 (.s(s2_s), .a(y0_s), .b(y1_s), .y(y2));

    // The handshake: 2 register stages moving as a whole, or none.
    pipe_ctrl #(.DEPTH(PIPELINED != 0 ? 2 : 0))
        u_ctrl (.clk(clk), .rst_n(rst_n), .in_valid(in_valid), .in_ready(in_ready), .out_valid(out_valid),
                .out_ready(out_ready));

    if (PIPELINED != 0) begin : g_pipe
        logic [W2-1:0] y2_q;

        always_ff @(posedge clk) begin
            if (in_ready) begin
                y0_s <= y0;
                y1_s <= y1;
                s2_s <= in_sel[5:4];
                y2_q <= y2;
            end
        end
        assign out_y = OW'($signed(y2_q));
    end else begin : g_comb
        assign y0_s = y0;
        assign y1_s = y1;
        assign s2_s = in_sel[5:4];
        assign out_y = OW'($signed(y2));
    end
endmodule
