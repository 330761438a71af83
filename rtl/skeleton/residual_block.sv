// Word-granular streaming skeleton of the residual block of testbenches/unit/system/
// fifo_size_test.cpp (docs/fifo_words.md): source -> stem (3x3) -> fork -> c1 (3x3) -> c2
// (3x3) -> add join <- skip FIFO <- fork; join -> sink. Every stream is valid/ready, one word
// (one pixel of all channels) per beat; every FIFO's depth in words is an input, held
// constant after reset (0 = no FIFO, a wire), up to MAX_DEPTH.
module residual_block #(
    parameter int H = 8,
    parameter int W = 8,
    parameter int CYCLES = 9,        // K*K*ceil(C/SIMD) cycles per output pixel of a conv
    parameter int BUF_ROWS = 4,      // line buffer rows of each conv (K + stride)
    parameter int MAX_DEPTH = 256
) (
    input  logic        clk,
    input  logic        rst,
    input  logic [31:0] interval,    // source pacing: a frame every `interval` cycles (0: none)
    input  logic [15:0] d_in,        // source -> stem
    input  logic [15:0] d_stem,      // stem -> fork
    input  logic [15:0] d_branch,    // fork -> c1
    input  logic [15:0] d_c1,        // c1 -> c2
    input  logic [15:0] d_c2,        // c2 -> join
    input  logic [15:0] d_skip,      // fork -> join: the skip FIFO
    input  logic [15:0] d_out,       // join -> sink
    output logic        frame_done,  // a frame's last word reached the sink this cycle
    output logic [31:0] frames,
    output logic        moved,       // some stream passed a word this cycle
    output logic        mismatch,    // the join took two words of different pixels (never)
    // Words held by each FIFO, in the order of the depths above: what a deadlock left behind.
    output logic [15:0] fill_in, fill_stem, fill_branch, fill_c1, fill_c2, fill_skip, fill_out
);
    // Stream k: valid v[k], ready r[k], data d[k].
    //  0 source->fifo  1 fifo->stem  2 stem->fifo  3 fifo->fork  4 fork->fifo(c1)
    //  5 fifo->c1  6 c1->fifo  7 fifo->c2  8 c2->fifo  9 fifo->join.a  10 fork->fifo(skip)
    // 11 fifo->join.b  12 join->fifo  13 fifo->sink
    localparam int N = 14;
    logic [N-1:0] v, r;
    logic [31:0] d[N];

    ws_source #(.H(H), .W(W)) source (.clk, .rst, .interval, .out_valid(v[0]), .out_ready(r[0]), .out_data(d[0]));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_in (.clk, .rst, .limit(d_in),
        .in_valid(v[0]), .in_ready(r[0]), .in_data(d[0]), .out_valid(v[1]), .out_ready(r[1]), .out_data(d[1]), .fill(fill_in));
    ws_conv #(.H(H), .W(W), .CYCLES(CYCLES), .BUF_ROWS(BUF_ROWS)) stem (.clk, .rst,
        .in_valid(v[1]), .in_ready(r[1]), .in_data(d[1]), .out_valid(v[2]), .out_ready(r[2]), .out_data(d[2]));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_stem (.clk, .rst, .limit(d_stem),
        .in_valid(v[2]), .in_ready(r[2]), .in_data(d[2]), .out_valid(v[3]), .out_ready(r[3]), .out_data(d[3]), .fill(fill_stem));
    ws_fork fork_ (.in_valid(v[3]), .in_ready(r[3]), .in_data(d[3]),
        .a_valid(v[4]), .a_ready(r[4]), .a_data(d[4]), .b_valid(v[10]), .b_ready(r[10]), .b_data(d[10]));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_branch (.clk, .rst, .limit(d_branch),
        .in_valid(v[4]), .in_ready(r[4]), .in_data(d[4]), .out_valid(v[5]), .out_ready(r[5]), .out_data(d[5]), .fill(fill_branch));
    ws_conv #(.H(H), .W(W), .CYCLES(CYCLES), .BUF_ROWS(BUF_ROWS)) c1 (.clk, .rst,
        .in_valid(v[5]), .in_ready(r[5]), .in_data(d[5]), .out_valid(v[6]), .out_ready(r[6]), .out_data(d[6]));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_c1 (.clk, .rst, .limit(d_c1),
        .in_valid(v[6]), .in_ready(r[6]), .in_data(d[6]), .out_valid(v[7]), .out_ready(r[7]), .out_data(d[7]), .fill(fill_c1));
    ws_conv #(.H(H), .W(W), .CYCLES(CYCLES), .BUF_ROWS(BUF_ROWS)) c2 (.clk, .rst,
        .in_valid(v[7]), .in_ready(r[7]), .in_data(d[7]), .out_valid(v[8]), .out_ready(r[8]), .out_data(d[8]));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_c2 (.clk, .rst, .limit(d_c2),
        .in_valid(v[8]), .in_ready(r[8]), .in_data(d[8]), .out_valid(v[9]), .out_ready(r[9]), .out_data(d[9]), .fill(fill_c2));
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_skip (.clk, .rst, .limit(d_skip),
        .in_valid(v[10]), .in_ready(r[10]), .in_data(d[10]), .out_valid(v[11]), .out_ready(r[11]), .out_data(d[11]), .fill(fill_skip));
    ws_add join_ (.clk, .rst, .a_valid(v[9]), .a_ready(r[9]), .a_data(d[9]), .b_valid(v[11]), .b_ready(r[11]),
        .b_data(d[11]), .out_valid(v[12]), .out_ready(r[12]), .out_data(d[12]), .mismatch);
    ws_fifo #(.DEPTH(MAX_DEPTH)) f_out (.clk, .rst, .limit(d_out),
        .in_valid(v[12]), .in_ready(r[12]), .in_data(d[12]), .out_valid(v[13]), .out_ready(r[13]), .out_data(d[13]), .fill(fill_out));
    ws_sink #(.H(H), .W(W)) sink (.clk, .rst, .in_valid(v[13]), .in_ready(r[13]), .in_data(d[13]), .frame_done, .frames);

    assign moved = |(v & r);
endmodule
