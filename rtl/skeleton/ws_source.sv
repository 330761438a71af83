// Source of the streaming skeleton: frames of H*W words (one word = one pixel of all
// channels), back to back, one word per cycle while the consumer takes them. With
// interval > 0 frame f starts no earlier than cycle f * interval (the row model's
// `sim --input-interval`). Each word carries its pixel's global index (frame * H*W + pixel),
// the tag the join checks.
module ws_source #(
    parameter int H = 8,
    parameter int W = 8
) (
    input  logic        clk,
    input  logic        rst,
    input  logic [31:0] interval,
    output logic        out_valid,
    input  logic        out_ready,
    output logic [31:0] out_data
);
    localparam int HW = H * W;
    logic [31:0] cycle, next_start, n;
    logic [15:0] pix;  // pixel of the current frame

    assign out_valid = pix != 16'd0 || cycle >= next_start;
    assign out_data = n;

    always_ff @(posedge clk) begin
        if (rst) begin
            cycle <= '0;
            next_start <= '0;
            n <= '0;
            pix <= '0;
        end else begin
            cycle <= cycle + 32'd1;
            if (out_valid && out_ready) begin
                n <= n + 32'd1;
                if (pix == 16'(HW - 1)) begin
                    pix <= '0;
                    next_start <= next_start + interval;
                end else begin
                    pix <= pix + 16'd1;
                end
            end
        end
    end
endmodule
