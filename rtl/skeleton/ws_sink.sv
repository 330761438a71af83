// Sink of the streaming skeleton: always ready; counts words and frames and pulses
// `frame_done` in the cycle a frame's last word is taken (the harness records that cycle).
module ws_sink #(
    parameter int H = 8,
    parameter int W = 8
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        in_valid,
    output logic        in_ready,
    input  logic [31:0] in_data,
    output logic        frame_done,
    output logic [31:0] frames
);
    localparam int HW = H * W;
    logic [15:0] pix;
    wire unused = ^in_data;

    assign in_ready = 1'b1;
    assign frame_done = in_valid && pix == 16'(HW - 1);

    always_ff @(posedge clk) begin
        if (rst) begin
            pix <= '0;
            frames <= '0;
        end else if (in_valid) begin
            if (frame_done) begin
                pix <= '0;
                frames <= frames + 32'd1;
            end else begin
                pix <= pix + 16'd1;
            end
        end
    end
endmodule
