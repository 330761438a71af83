// XNOR-popcount processing element (thesis ch. 3.4.2 and 4.6.2, Fig. 4.5; FINN's MVTU PE):
// binary weights and bipolar activations as bits (1 = +1, 0 = -1). Each input beat carries
// SIMD activations and the SIMD weights of this PE's channel; the PE adds the beat's bipolar
// dot product 2 * popcount(XNOR(act, wgt)) - SIMD to its accumulator. On the beat marked
// in_last the dot product is complete: out_acc = 2 * matches - fan_in, and out_code is the
// number of the NT thresholds (two's complement, ACC_W bits, taken with the last beat) that
// out_acc reaches (acc >= t_j), FINN's multi-threshold unit; NT = 1 is the bipolar sign.
//
// Two register stages: the popcount of a beat (stage 1), then the accumulator and, on the
// last beat, the output register with the accumulator and its code (stage 2). A result is
// on out_* two clock edges after its last beat was taken. The pipeline advances when the
// output register is empty or being taken (in_ready = !out_valid || out_ready) and holds
// otherwise.
module xnor_popcount_pe #(
    parameter int SIMD = 32,
    parameter int ACC_W = 16,               // holds +-fan_in
    parameter int NT = 1,                   // thresholds per channel
    parameter int CODE_W = $clog2(NT + 1)
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                in_valid,
    output logic                in_ready,
    input  logic [SIMD-1:0]     in_act,
    input  logic [SIMD-1:0]     in_wgt,
    input  logic                in_last,
    input  logic [NT*ACC_W-1:0] in_thr,
    output logic                out_valid,
    input  logic                out_ready,
    output logic [ACC_W-1:0]    out_acc,
    output logic [CODE_W-1:0]   out_code
);
    localparam int PCW = $clog2(SIMD + 1);

    logic                en;
    logic [SIMD-1:0]     match;
    logic [PCW-1:0]      pc;
    // stage 1
    logic                v1, last1;
    logic [PCW-1:0]      pc1;
    logic [NT*ACC_W-1:0] thr1;
    // stage 2
    logic [ACC_W-1:0]    acc, sum, acc_q;
    logic [CODE_W-1:0]   code, code_q;
    logic                v2;

    // Popcount as a balanced tree of two-input adders (heap order: node i sums nodes 2i and
    // 2i+1, the SIMD lanes are nodes SIMD .. 2*SIMD-1); synthesis trims each adder to the
    // width its operands need, one bit more per level.
    logic [PCW-1:0] node [1:2*SIMD-1];
    assign match = ~(in_act ^ in_wgt);
    always_comb begin
        for (int i = 0; i < SIMD; i++) node[SIMD + i] = PCW'(match[i]);
        for (int i = SIMD - 1; i >= 1; i--) node[i] = node[2 * i] + node[2 * i + 1];
    end
    assign pc = node[1];

    // acc + 2 * popcount - SIMD, modulo 2^ACC_W (two's complement)
    assign sum = acc + ACC_W'({pc1, 1'b0}) - ACC_W'(SIMD);
    always_comb begin
        code = '0;
        for (int j = 0; j < NT; j++)
            if ($signed(sum) >= $signed(thr1[j*ACC_W +: ACC_W])) code = code + CODE_W'(1);
    end

    assign en = !v2 || out_ready;
    always_ff @(posedge clk) begin
        if (!rst_n) begin
            v1 <= 1'b0;
            v2 <= 1'b0;
            acc <= '0;
        end else if (en) begin
            v1 <= in_valid;
            v2 <= v1 && last1;
            if (v1) acc <= last1 ? '0 : sum;
        end
    end
    always_ff @(posedge clk) begin
        if (en) begin
            last1 <= in_last;
            pc1 <= pc;
            thr1 <= in_thr;
            if (v1 && last1) begin
                acc_q <= sum;
                code_q <= code;
            end
        end
    end

    assign in_ready = en;
    assign out_valid = v2;
    assign out_acc = acc_q;
    assign out_code = code_q;
endmodule
