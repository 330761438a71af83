// Valid/ready control of a pipeline of DEPTH register stages that moves as a whole (the RCCMs):
// it advances while its output register is empty or being taken and holds otherwise, so
// in_ready = !out_valid || out_ready doubles as the registers' enable. DEPTH = 0: no registers,
// out_valid = in_valid and in_ready = out_ready.
module pipe_ctrl #(
    parameter int DEPTH = 1
) (
    input  logic clk,
    input  logic rst_n,
    input  logic in_valid,
    output logic in_ready,
    output logic out_valid,
    input  logic out_ready
);
    if (DEPTH == 0) begin : g_none
        logic clock_unused;

        assign clock_unused = clk ^ rst_n;
        assign in_ready = out_ready;
        assign out_valid = in_valid;
    end else begin : g_regs
        logic [DEPTH-1:0] v;  // v[i]: stage i holds a valid item

        assign in_ready = !v[DEPTH-1] || out_ready;
        always_ff @(posedge clk) begin
            if (!rst_n) begin
                v <= '0;
            end else if (in_ready) begin
                v[0] <= in_valid;
                for (int i = 1; i < DEPTH; i++) v[i] <= v[i-1];
            end
        end
        assign out_valid = v[DEPTH-1];
    end
endmodule
