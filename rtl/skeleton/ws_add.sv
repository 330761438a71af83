// Element-wise add join (FINN's AddStreams): takes one word from each input in the same cycle
// into its output register, when the register is empty or being emptied. `mismatch` goes high
// (and stays) if the two words taken together carry different pixel tags: the inputs out of
// step, which the design must never do.
module ws_add #(
    parameter int DW = 32
) (
    input  logic          clk,
    input  logic          rst,
    input  logic          a_valid,
    output logic          a_ready,
    input  logic [DW-1:0] a_data,
    input  logic          b_valid,
    output logic          b_ready,
    input  logic [DW-1:0] b_data,
    output logic          out_valid,
    input  logic          out_ready,
    output logic [DW-1:0] out_data,
    output logic          mismatch
);
    wire can_load = !out_valid || out_ready;
    wire take = a_valid && b_valid && can_load;
    assign a_ready = b_valid && can_load;
    assign b_ready = a_valid && can_load;

    always_ff @(posedge clk) begin
        if (rst) begin
            out_valid <= 1'b0;
            out_data <= '0;
            mismatch <= 1'b0;
        end else begin
            if (take) begin
                out_valid <= 1'b1;
                out_data <= a_data;  // the sum's value does not matter here, its timing does
                if (a_data != b_data) mismatch <= 1'b1;
            end else if (out_ready) begin
                out_valid <= 1'b0;
            end
        end
    end
endmodule
