// K x K convolution of stride 1 and 'same' padding, reduced to WHEN its words move (the
// streaming skeleton of docs/fifo_words.md): a sliding-window unit and an MVTU that
// computes all output channels of a pixel at once (PE = channels).
//
// Line buffer: BUF_ROWS * W words (default K + 1 rows, the SystemC SWU's K + stride), a
// circular buffer in which input pixel n takes the slot of pixel n - BUF_ROWS*W. A word is
// accepted when that slot is free: when the last output pixel whose window covers the old
// pixel, (min(y+P, H-1), min(x+P, W-1)) with P = (K-1)/2, has been computed. The buffer frees
// words as soon as they are dead, not whole rows.
// Compute: output pixel (y, x) starts once input pixel (min(y+P, H-1), min(x+P, W-1)) of its
// frame has arrived (every word of its window) and takes CYCLES cycles (K*K*ceil(C/SIMD):
// the window read word by word into the MVTU); its last cycle completes only when the output
// register is empty or being taken, so a blocked output stalls the compute. Output pixels go
// back to back: CYCLES cycles each while their windows are ready.
// Each output word carries its pixel's global index, as the input words do.
module ws_conv #(
    parameter int H = 8,
    parameter int W = 8,
    parameter int K = 3,
    parameter int CYCLES = 9,
    parameter int BUF_ROWS = K + 1
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        in_valid,
    output logic        in_ready,
    input  logic [31:0] in_data,
    output logic        out_valid,
    input  logic        out_ready,
    output logic [31:0] out_data
);
    localparam int P = (K - 1) / 2;
    localparam int HW = H * W;
    localparam int CAP = BUF_ROWS * W;

    // The global index of the last input pixel the window of output pixel (y, x) of the frame
    // starting at `base` needs; equally, for input pixel (y, x), of the last output pixel
    // that needs it (stride 1, same padding: the same formula).
    function automatic logic [31:0] last_of(input logic [31:0] base, input logic [15:0] y,
                                            input logic [15:0] x);
        logic [31:0] ly, lx;
        ly = 32'(y) + P > H - 1 ? H - 1 : 32'(y) + P;
        lx = 32'(x) + P > W - 1 ? W - 1 : 32'(x) + P;
        return base + ly * W + lx;
    endfunction

    logic [31:0] wr_n;              // input words accepted so far
    logic [31:0] ev_base;           // pixel wr_n - CAP (the slot's occupant): frame start,
    logic [15:0] ev_y, ev_x;        // row and column
    logic [31:0] done_n;            // output pixels computed so far
    logic [31:0] o_base;            // the output pixel being (or next to be) computed
    logic [15:0] o_y, o_x;
    logic        busy;
    logic [15:0] cnt;
    wire unused = ^in_data;

    wire slot_free = wr_n < CAP || done_n > last_of(ev_base, ev_y, ev_x);
    wire window_in = wr_n > last_of(o_base, o_y, o_x);
    wire active = busy || window_in;       // this cycle is a compute cycle
    wire [15:0] cur = busy ? cnt : 16'd0;
    wire can_emit = !out_valid || out_ready;
    wire finish = active && cur == 16'(CYCLES - 1) && can_emit;
    assign in_ready = slot_free;

    always_ff @(posedge clk) begin
        if (rst) begin
            wr_n <= '0;
            ev_base <= '0;
            ev_y <= '0;
            ev_x <= '0;
            done_n <= '0;
            o_base <= '0;
            o_y <= '0;
            o_x <= '0;
            busy <= 1'b0;
            cnt <= '0;
            out_valid <= 1'b0;
            out_data <= '0;
        end else begin
            if (in_valid && in_ready) begin
                wr_n <= wr_n + 32'd1;
                if (wr_n >= CAP) begin  // the old occupant's slot is taken: step to the next
                    if (ev_x != 16'(W - 1)) ev_x <= ev_x + 16'd1;
                    else begin
                        ev_x <= '0;
                        if (ev_y != 16'(H - 1)) ev_y <= ev_y + 16'd1;
                        else begin
                            ev_y <= '0;
                            ev_base <= ev_base + HW;
                        end
                    end
                end
            end
            if (finish) begin
                out_valid <= 1'b1;
                out_data <= done_n;
                done_n <= done_n + 32'd1;
                busy <= 1'b0;
                if (o_x != 16'(W - 1)) o_x <= o_x + 16'd1;
                else begin
                    o_x <= '0;
                    if (o_y != 16'(H - 1)) o_y <= o_y + 16'd1;
                    else begin
                        o_y <= '0;
                        o_base <= o_base + HW;
                    end
                end
            end else begin
                if (out_ready) out_valid <= 1'b0;
                if (active) begin
                    busy <= 1'b1;
                    if (cur != 16'(CYCLES - 1)) cnt <= cur + 16'd1;
                    else cnt <= cur;  // done computing, waiting for the output register
                end
            end
        end
    end
endmodule
