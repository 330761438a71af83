// PE array of XNOR-popcount PEs (thesis ch. 4.6.2; FINN's MVTU): PE processing elements in
// lockstep, each SIMD lanes wide. Every beat carries one SIMD slice of the input vector
// (shared by all PEs), the SIMD weights of each PE's channel (PE p in bits
// [p*SIMD +: SIMD], lane 0 in the least significant bit, FINN's weight-memory word) and, for
// the last beat of the vector, each PE's NT thresholds (PE p, threshold j in bits
// [(p*NT + j)*ACC_W +: ACC_W]). One result per PE comes out for every in_last beat:
// out_acc[p*ACC_W +: ACC_W] and out_code[p*CODE_W +: CODE_W]. Handshake and timing are
// those of xnor_popcount_pe: a result is on the outputs two clock edges after its last
// beat, and in_ready = !out_valid || out_ready.
module xnor_pe_array #(
    parameter int PE = 4,
    parameter int SIMD = 32,
    parameter int ACC_W = 16,
    parameter int NT = 1,
    parameter int CODE_W = $clog2(NT + 1)
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic                   in_valid,
    output logic                   in_ready,
    input  logic [SIMD-1:0]        in_act,
    input  logic [PE*SIMD-1:0]     in_wgt,
    input  logic                   in_last,
    input  logic [PE*NT*ACC_W-1:0] in_thr,
    output logic                   out_valid,
    input  logic                   out_ready,
    output logic [PE*ACC_W-1:0]    out_acc,
    output logic [PE*CODE_W-1:0]   out_code
);
    logic [PE-1:0] pe_in_ready, pe_out_valid;

    for (genvar p = 0; p < PE; p++) begin : g_pe
        xnor_popcount_pe #(.SIMD(SIMD), .ACC_W(ACC_W), .NT(NT), .CODE_W(CODE_W)) u_pe (
            .clk(clk),
            .rst_n(rst_n),
            .in_valid(in_valid && in_ready),
            .in_ready(pe_in_ready[p]),
            .in_act(in_act),
            .in_wgt(in_wgt[p*SIMD +: SIMD]),
            .in_last(in_last),
            .in_thr(in_thr[p*NT*ACC_W +: NT*ACC_W]),
            .out_valid(pe_out_valid[p]),
            .out_ready(out_ready && out_valid),
            .out_acc(out_acc[p*ACC_W +: ACC_W]),
            .out_code(out_code[p*CODE_W +: CODE_W])
        );
    end

    // The PEs see the same handshakes, so they are always in the same state; the AND keeps
    // the array's handshake correct should they ever differ.
    assign in_ready = &pe_in_ready;
    assign out_valid = &pe_out_valid;
endmodule
