// Two-way stream fork (FINN's DuplicateStreams): a word leaves only when both branches can
// take it, to both in the same cycle. No storage: a full branch holds the other back.
module ws_fork #(
    parameter int DW = 32
) (
    input  logic          in_valid,
    output logic          in_ready,
    input  logic [DW-1:0] in_data,
    output logic          a_valid,
    input  logic          a_ready,
    output logic [DW-1:0] a_data,
    output logic          b_valid,
    input  logic          b_ready,
    output logic [DW-1:0] b_data
);
    assign in_ready = a_ready && b_ready;
    assign a_valid = in_valid && b_ready;
    assign b_valid = in_valid && a_ready;
    assign a_data = in_data;
    assign b_data = in_data;
endmodule
