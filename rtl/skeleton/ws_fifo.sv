// Word FIFO of the streaming skeleton (docs/fifo_words.md): valid/ready on both sides, one
// word per beat. DEPTH is the storage; `limit` (0..DEPTH, held constant after reset) is the
// depth the FIFO actually uses, so that one build serves every depth a search tries.
//   limit = 0: no storage, a wire (in_ready = out_ready, out_valid = in_valid).
//   limit >= 1: first-word fall-through, a word written at an edge is visible the cycle after;
//   in_ready = count < limit (registered: a full FIFO does not take a word in the cycle one
//   leaves, as a hardware FIFO's full flag), so a 1-word FIFO passes one word every 2 cycles.
module ws_fifo #(
    parameter int DW = 32,
    parameter int DEPTH = 16
) (
    input  logic          clk,
    input  logic          rst,
    input  logic [15:0]   limit,
    input  logic          in_valid,
    output logic          in_ready,
    input  logic [DW-1:0] in_data,
    output logic          out_valid,
    input  logic          out_ready,
    output logic [DW-1:0] out_data,
    output logic [15:0]   fill       // words held (0 in wire mode): for the deadlock diagnosis
);
    localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
    logic [DW-1:0] mem[DEPTH];
    logic [AW-1:0] rd, wr;
    logic [15:0] count;

    wire wire_mode = limit == 16'd0;
    wire push = in_valid && in_ready && !wire_mode;
    wire pop = out_valid && out_ready && !wire_mode;

    assign in_ready = wire_mode ? out_ready : count < limit;
    assign out_valid = wire_mode ? in_valid : count != 16'd0;
    assign out_data = wire_mode ? in_data : mem[rd];
    assign fill = wire_mode ? 16'd0 : count;

    function automatic logic [AW-1:0] next(input logic [AW-1:0] p);
        return p == AW'(DEPTH - 1) ? '0 : p + 1'b1;
    endfunction

    always_ff @(posedge clk) begin
        if (rst) begin
            rd <= '0;
            wr <= '0;
            count <= '0;
        end else begin
            if (push) begin
                mem[wr] <= in_data;
                wr <= next(wr);
            end
            if (pop) rd <= next(rd);
            if (push && !pop) count <= count + 16'd1;
            else if (pop && !push) count <= count - 16'd1;
        end
    end
endmodule
