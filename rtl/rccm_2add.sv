// 2-Add RCCM (thesis ch. 6.4.3, Fig. 6.4, Table 6.3; docs/rccm.md section 2):
//   y0 = A_I(x, x), sigma = B1, phi = 0,1,3,2      select bits [1:0]
//   y  = B(y0, x),  phi = 0,3,2                    select bits [3:2]
// Coefficients by select word 0..15: -1 -2 -8 0 -36 -44 -92 -28 1 2 8 0 36 44 92 28.
//
// PIPELINED = 0: combinational; out_valid = in_valid, in_ready = out_ready.
// PIPELINED = 1: one register after each adder stage (latency 2 cycles); the whole pipeline
// advances when its output register is empty or being taken (in_ready = !out_valid ||
// out_ready) and holds otherwise.
// out_y is the product, sign-extended to OW bits.
module rccm_2add #(
    parameter int IW = 8,             // input width
    parameter int IN_SIGNED = 1,      // 1: input is two's complement (else unsigned)
    parameter int PIPELINED = 0,
    parameter int OW = 32
) (
    input  logic          clk,
    input  logic          rst_n,
    input  logic          in_valid,
    output logic          in_ready,
    input  logic [3:0]    in_sel,
    input  logic [IW-1:0] in_x,
    output logic          out_valid,
    input  logic          out_ready,
    output logic [OW-1:0] out_y
);
    `include "rccm_width.svh"

    localparam int XW = IN_SIGNED != 0 ? IW : IW + 1;
    localparam longint XLO = rccm_x_lo(IW, IN_SIGNED);
    localparam longint XHI = rccm_x_hi(IW, IN_SIGNED);
    localparam int W0 = rccm_width(4, 12, XLO, XHI);    // y0 in {4, 5, 6, 12} x
    localparam int W1 = rccm_width(-92, 92, XLO, XHI);  // the product

    logic [XW-1:0] x;
    assign x = XW'({1'b0, in_x});  // zero-extended when unsigned, unchanged when signed

    // Stage 1's operands come straight from stage 0 (combinational) or from the register after it.
    logic [W0-1:0] y0, y0_s;
    logic [XW-1:0] x_s;
    logic [1:0]    s1_s;
    logic [W1-1:0] y1;

    rccm_topology_a #(.AW(XW), .BW(XW), .OW(W0), .PHI1(0), .PHI2(1), .PHI3(3), .PHI4(2), .LAST_OP(0))
        u_stage0 (.s(in_sel[1:0]), .a(x), .b(x), .y(y0));
    rccm_topology_b #(.AW(W0), .BW(XW), .OW(W1), .PHI1(0), .PHI2(3), .PHI3(2))
        u_stage1 (.s(s1_s), .a(y0_s), .b(x_s), .y(y1));

    // The handshake: 2 register stages moving as a whole, or none.
    pipe_ctrl #(.DEPTH(PIPELINED != 0 ? 2 : 0))
        u_ctrl (.clk(clk), .rst_n(rst_n), .in_valid(in_valid), .in_ready(in_ready), .out_valid(out_valid),
                .out_ready(out_ready));

    if (PIPELINED != 0) begin : g_pipe
        logic [W1-1:0] y1_q;

        always_ff @(posedge clk) begin
            if (in_ready) begin
                y0_s <= y0;
                x_s <= x;
                s1_s <= in_sel[3:2];
                y1_q <= y1;
            end
        end
        assign out_y = OW'($signed(y1_q));
    end else begin : g_comb
        assign y0_s = y0;
        assign x_s = x;
        assign s1_s = in_sel[3:2];
        assign out_y = OW'($signed(y1));
    end
endmodule
