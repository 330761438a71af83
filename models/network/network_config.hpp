// The derived design: a typed, validated description of a network and the accelerator that
// runs it. derive_design() (sim/design/derive.hpp) computes it from a specification, and it is
// the only thing that does: every derived field (shapes, channel counts after pruning,
// encodings, datapaths, line buffers) is set there, so blocks never re-derive them. Every
// module receives const parts of it.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/errors.hpp"
#include "models/common/feature_map.hpp"
#include "models/common/types.hpp"
#include "models/network/memory_style.hpp"
#include "models/rccm/rccm_topology.hpp"
#include "tlm/pcie_config.hpp"

namespace qsim {

// The FPGA a design targets. Resource counts come from the device library (devices.yaml);
// a "generic" device has none (0 = unknown).
struct DeviceConfig {
    std::string name = "generic";
    double clock_mhz = 200.0;
    std::string family;   // e.g. "Kintex UltraScale"
    int64_t lut = 0;
    int64_t ff = 0;
    int64_t bram18 = 0;   // 18 Kb block RAMs (a BRAM36 counts as two)
    int64_t dsp = 0;
    int64_t lutram = 0;   // LUTs usable as distributed RAM / SRL (SLICEM LUTs); 0 = unknown
    int64_t uram = 0;     // 288 Kb UltraRAM blocks (UltraScale+); 0 = none or unknown
    std::string library;  // the device library the entry came from ("" when none was read)
};

// The frames fed into layer 0: a deterministic generator (seed) of `bits`-bit pixels.
struct InputConfig {
    FmShape shape;
    int bits = 8;
    bool is_signed = false;
    // Width of the input stream into the first block, in bits per clock (ch. 6.6.1: 24 bit,
    // one 8-bit RGB pixel per clock). A row costs ceil(width*channels*bits / stream_bits) cycles.
    int stream_bits = 24;
    uint64_t seed = 1;
    int fifo_depth = 2;  // rows held by the FIFO between the source and layer 0
    // Frames from a data set (`sim --dataset`) instead of the generator; frame f is (*frames)[f].
    std::shared_ptr<const std::vector<FeatureMap>> frames;
    Encoding encoding() const { return is_signed ? Encoding::Signed : Encoding::Unsigned; }
};

struct WeightSource {
    enum class Kind { Generator, File } kind = Kind::Generator;
    uint64_t seed = 1;       // generator seed
    double sparsity = 0.0;   // generator: fraction of zero weights (ternary / uniform only)
    std::string path;        // weight file, resolved relative to the config file
};

struct RunConfig {
    int frames = 2;
    // Stop and diagnose when no row has moved through any FIFO for this many cycles
    // (deadlock or livelock). 0: derived from the design (see docs/errors.md).
    uint64_t watchdog_cycles = 0;
};

// The DMA engine's AXI4-stream channels on the FPGA side (ch. 6.6.1: 256 bit at 250 MHz).
struct DmaConfig {
    int stream_bits = 256;
    double clock_mhz = 250.0;
};

// What the resource report models (docs/resources.md): the post-place-and-route result of
// implementing the design, or Vivado HLS's pre-synthesis estimate of it (which sizes every
// operator at its declared width). Published figures come from both (thesis Table 4.3 is
// measured after implementation, Table 5.7 and seed 004 are HLS estimates).
enum class ResourceFlow { Implementation, HlsEstimate };
template <>
struct EnumText<ResourceFlow> {
    static constexpr const char* what = "resource flow";
    static constexpr std::pair<ResourceFlow, const char*> names[] = {{ResourceFlow::Implementation, "implementation"},
                                                                     {ResourceFlow::HlsEstimate, "hls_estimate"}};
};

// How the design's memories use the block RAMs' ports (docs/resources.md): simple dual-port (a
// BRAM18 also offers 512 x 36), or true dual-port (a BRAM18 is at most 18 bits wide; ch. 6.6.4
// lists the widths 1, 2, 4, 9 and 18 for the Alpha Data library's buffers).
enum class BramPorts { SimpleDual, TrueDual };
template <>
struct EnumText<BramPorts> {
    static constexpr const char* what = "block RAM port mode";
    static constexpr std::pair<BramPorts, const char*> names[] = {{BramPorts::SimpleDual, "simple_dual"},
                                                                  {BramPorts::TrueDual, "true_dual"}};
};

struct ResourceConfig {
    ResourceFlow flow = ResourceFlow::Implementation;
    BramPorts bram_ports = BramPorts::SimpleDual;
    RamStyles ram_style;  // the FIFOs that belong to no layer (the input FIFO); layers hold their own
};

// The host's dequantisation of the last layer's outputs (the config's `output` section; FINN
// leaves a network's last Mul and Add to the host): channel c's value is
// scale[c] x out_c + offset[c], out_c the output's value (decode_value: a bipolar code x as
// 2x - 1). Without the section the raw outputs are the network's result.
struct OutputConfig {
    bool enabled = false;
    std::vector<double> scale, offset;       // one per channel of the last layer's output
    Encoding encoding = Encoding::Unsigned;  // of the last layer's output codes
    double value(int32_t code, int channel) const {
        return scale[size_t(channel)] * double(decode_value(code, encoding)) + offset[size_t(channel)];
    }
};

enum class HostArchitecture { Dataflow, Loopback };
template <>
struct EnumText<HostArchitecture> {
    static constexpr const char* what = "host architecture";
    static constexpr std::pair<HostArchitecture, const char*> names[] = {{HostArchitecture::Dataflow, "dataflow"},
                                                                         {HostArchitecture::Loopback, "loopback"}};
};
template <>
struct EnumText<TimingMode> {
    static constexpr const char* what = "timing mode";
    static constexpr std::pair<TimingMode, const char*> names[] = {{TimingMode::LooselyTimed, "lt"},
                                                                   {TimingMode::ApproximatelyTimed, "at"}};
};

// The host side of the system: present when the config has a `host:` section.
// The operating conditions and board of the power estimate (docs/power.md): junction
// temperature, DDR channels in use and other board power (fans, regulators' loss, ...).
struct PowerConfig {
    double junction_c = 50.0;
    int ddr_channels = 0;
    double board_w = 0.0;
};

struct HostConfig {
    bool enabled = false;
    HostArchitecture architecture = HostArchitecture::Dataflow;
    TimingMode timing = TimingMode::LooselyTimed;
    PcieConfig pcie;
    DmaConfig dma;
    double quantum_ns = 1000.0;      // LT temporal-decoupling quantum
    double host_gops = 100.0;        // host throughput for layers placed on the host (1e9 ops/s)
    int loopback_pes = 2048;         // loopback: PEs of the single layer accelerator (ch. 6.6.3)
    int loopback_simd = 4;           // loopback: synapses per PE per clock (p of Table 6.7)
    double loopback_clock_mhz = 250.0;  // loopback accelerator clock (ch. 6.7.3)
};

struct Folding {
    int pe = 1;    // output channels computed in parallel
    int simd = 1;  // input lanes per PE
    int mmv = 1;   // output pixels computed in parallel
};

struct WeightQuantConfig {
    WeightQuant quant = WeightQuant::Binary;
    int bits = 1;            // storage bits per weight (binary 1, ternary 2, uniform b)
    double threshold = 0.0;  // ternary quantisation threshold eta (eq. 4.2), for float import
    double scale = 1.0;      // uniform: float value = code * scale, for float import
                             // rccm: lambda, float weight = lambda * coefficient (eq. 6.3);
                             // 0 = max|w| / max|c| of the imported weights (ch. 6.5.2)
    RccmKind rccm = RccmKind::Add2;  // rccm: the circuit; bits = its select bits (4, 6, 8)
};

struct ActivationConfig {
    ActivationType type = ActivationType::Thresholds;
    int bits = 2;  // output code width (Bipolar: 1; None: 32)
};

// How a pruned filter count is brought to a multiple of groups x PE (ch. 4.5.2).
enum class PruneRound { Up, Down, Nearest };
template <>
struct EnumText<PruneRound> {
    static constexpr const char* what = "rounding";
    static constexpr std::pair<PruneRound, const char*> names[] = {
        {PruneRound::Up, "up"}, {PruneRound::Down, "down"}, {PruneRound::Nearest, "nearest"}};
};

// How a layer's nonzero ternary weights are stored for an on-chip decompressor (ch. 3.2.4):
// run-length entries (index delta + sign, sign-magnitude, ch. 3.4.1) or Huffman-coded deltas.
enum class WeightEncoding { RunLength, Huffman };
template <>
struct EnumText<WeightEncoding> {
    static constexpr const char* what = "weight encoding";
    static constexpr std::pair<WeightEncoding, const char*> names[] = {{WeightEncoding::RunLength, "rle"},
                                                                       {WeightEncoding::Huffman, "huffman"}};
};

// A decompressor-fed PE array in place of the MVTU (ch. 3.4.1-3.4.4, Fig. 3.5): folding.pe
// decompressors, each emitting one (address, weight) per clock for the nonzero weights of its
// output channels (n % PE), each feeding P PEs that reuse the weight over P input vectors:
// P = folding.mmv output pixels (conv) or `batch` frames (fc). docs/sparse.md.
struct DecompressorConfig {
    bool enabled = false;
    WeightEncoding encoding = WeightEncoding::RunLength;
    int delta_bits = 7;  // magnitude bits of an entry: index deltas 1 .. 2^delta_bits - 1
    int batch = 1;       // fc: frames whose vectors share every decoded weight
    // Fraction of nonzero weights the analytical timing and the resource estimate assume:
    // 1 - weights.generator.sparsity, or 1 (dense, an upper bound) for a weight file.
    double expected_density = 1.0;
};

// SYQ scaling of binary/ternary weights (ch. 5.3-5.4, 5.7.2, Fig. 5.3): one factor per layer
// (absorbed into the thresholds, no multiplier), per kernel row (K factors) or per kernel pixel
// (K^2 factors), applied by one scaling multiplier per PE fed by a ring counter. docs/syq.md.
enum class ScalingGranularity { Layer, Row, Pixel };
template <>
struct EnumText<ScalingGranularity> {
    static constexpr const char* what = "scaling granularity";
    static constexpr std::pair<ScalingGranularity, const char*> names[] = {
        {ScalingGranularity::Layer, "layer"}, {ScalingGranularity::Row, "row"}, {ScalingGranularity::Pixel, "pixel"}};
};

struct ScalingConfig {
    ScalingGranularity granularity = ScalingGranularity::Layer;
    int bits = 8;  // unsigned fixed-point codes of the factors, 1 .. 2^bits - 1
};

// How multi-bit products are built where the layer has them (the DSP-MAC datapath): on DSP
// slices, or as LUT multipliers in the fabric (thesis Table 6.5 "8-bit, no DSPs"). XNOR and
// ADD/SUB datapaths have no multipliers; the setting does not change them. `auto` is resolved
// when the design is derived (LayerConfig never holds it): LUTs for products of fewer than 4
// weight or activation bits on the DSP-MAC datapath, DSP slices otherwise (docs/resources.md).
enum class Multipliers { Auto, Dsp, Lut };
template <>
struct EnumText<Multipliers> {
    static constexpr const char* what = "multiplier implementation";
    static constexpr std::pair<Multipliers, const char*> names[] = {{Multipliers::Auto, "auto"},
                                                                    {Multipliers::Dsp, "dsp"},
                                                                    {Multipliers::Lut, "lut"}};
};

// Thresholds in memories loaded at run time (DMA channel 1), or compiled into the logic as
// constants (seed 004: batch-norm parameters "included as constants in the C++").
enum class ThresholdStorage { Memory, Constant };
template <>
struct EnumText<ThresholdStorage> {
    static constexpr const char* what = "threshold storage";
    static constexpr std::pair<ThresholdStorage, const char*> names[] = {{ThresholdStorage::Memory, "memory"},
                                                                         {ThresholdStorage::Constant, "constant"}};
};

// Where the activation (threshold / requantisation) unit sits: in every PE (FINN), or once
// per lane after the PE outputs fan in through a parallel-to-serial converter (the Alpha
// Data layer core of ch. 6.6.2, Fig. 6.7b, where the RCCM layers' scale lambda is applied
// too). Changes resources only; RCCM layers always have it after the fan-in.
enum class ActivationUnit { PerPe, AfterFanIn };
template <>
struct EnumText<ActivationUnit> {
    static constexpr const char* what = "activation unit";
    static constexpr std::pair<ActivationUnit, const char*> names[] = {{ActivationUnit::PerPe, "per_pe"},
                                                                       {ActivationUnit::AfterFanIn, "after_fan_in"}};
};

struct LayerConfig {
    std::string name;
    LayerType type = LayerType::Conv;
    SourceLoc loc;  // the layer's entry in the config file

    // Geometry (pooling layers use kernel/stride/padding too).
    int kernel = 1;
    int stride = 1;
    int pad_begin = 0;  // rows/columns added before (top, left)
    int pad_end = 0;    // rows/columns added after (bottom, right)
    // A 1-D layer (`kernel_width: 1` on an H x 1 map): K x 1 windows sliding down the rows, the
    // stride and padding along the height only; otherwise the window is square.
    bool one_d = false;
    int groups = 1;
    int top_k = 1;  // topk: the labels selected

    // Output channels: the source's filter count, the pruning ratio applied to it, and the
    // resulting count (rounded to a multiple so that (N / groups) % PE == 0, ch. 4.5.2).
    int filters = 0;
    double prune = 0.0;
    PruneRound prune_round = PruneRound::Up;
    bool grow_to_pe = false;  // unpruned layer: grow the filters up to a multiple of groups x PE

    // Derived by the loader.
    FmShape in;
    FmShape out;
    Encoding in_encoding = Encoding::Unsigned;
    int in_bits = 8;
    Encoding out_encoding = Encoding::Unsigned;
    int out_bits = 8;
    // add, concat: the second input's codes and channels (the first's are in_encoding, in_bits
    // and in.channels).
    Encoding in2_encoding = Encoding::Unsigned;
    int in2_bits = 8;
    int in2_channels = 0;
    // concat: every input's channels and codes, in `inputs` order (two or more; the first two
    // are also in in.* and in2_*).
    struct StreamCodes {
        int channels = 0;
        Encoding encoding = Encoding::Unsigned;
        int bits = 8;
    };
    std::vector<StreamCodes> concat_inputs;

    // Compute layers only (conv, fc).
    WeightQuantConfig weights;
    ActivationConfig activation;
    Datapath datapath = Datapath::AddSub;
    using Multipliers = qsim::Multipliers;
    Multipliers multipliers = Multipliers::Dsp;
    bool multipliers_auto = false;  // chosen by the auto rule, not given
    RamStyles ram_style;            // where each kind of the layer's memories is built
    using ThresholdStorage = qsim::ThresholdStorage;
    ThresholdStorage threshold_storage = ThresholdStorage::Memory;
    using ActivationUnit = qsim::ActivationUnit;
    ActivationUnit activation_unit = ActivationUnit::PerPe;

    // Graph (docs/graphs.md): the layers whose outputs this layer reads (-1: the network input;
    // empty: the layer before, NetworkConfig::inputs_of), and per input the rows of its branch
    // FIFO when that producer forks (0: the producer's fifo_depth).
    std::vector<int> inputs;
    std::vector<int> input_fifo_depths;

    Folding folding;
    // PE reuse (ch. 4.5.1, eq. 4.5-4.7), conv layers: the PE array of folding.pe / reuse PEs is
    // time-shared over `reuse` passes per frame, pass r computing output channels
    // [r N/reuse, (r+1) N/reuse) for every pixel; the SWU keeps the whole input frame for the
    // passes and an OFM buffer holds the first reuse-1 passes' channels until the last arrives.
    int reuse = 1;
    int fifo_depth = 2;        // rows held by the FIFO after this layer
    int swu_buffer_rows = 0;   // SWU line buffer capacity in input rows (K + stride by default)
    int swu_write_pixels = 1;  // input pixels the SWU's write side takes per clock
    DecompressorConfig decompressor;  // sparse ternary weights decoded on chip (conv, fc)
    ScalingConfig scaling;            // SYQ row- / pixel-wise scaling (conv)

    bool is_compute() const { return type == LayerType::Conv || type == LayerType::Fc; }
    // An add layer whose sum a threshold unit or an integer requantisation follows.
    bool is_requantised_add() const { return type == LayerType::Add && activation.type != ActivationType::None; }
    // The layers with parameters, each one record of a weight file (docs/weights-format.md):
    // compute layers and requantised add layers.
    bool has_params() const { return is_compute() || is_requantised_add(); }
    // Global pooling: the maximum or the sum of every position, per channel.
    bool is_global_pool() const { return type == LayerType::GlobalMaxPool || type == LayerType::GlobalAvgPool; }
    // A layer that reads two streams (add, concat).
    bool is_join() const { return type == LayerType::Add || type == LayerType::Concat; }
    // The PEs built in hardware: folding.pe time-shared `reuse` ways.
    int physical_pe() const { return folding.pe / reuse; }
    // Pooling over K x K windows from an SWU: the maximum, or the sum (avgpool).
    bool is_window_pool() const { return type == LayerType::MaxPool || type == LayerType::AvgPool; }
    bool uses_swu() const { return type == LayerType::Conv || is_window_pool(); }
    // Depthwise convolution (groups = input channels = output channels): one K x K filter per
    // channel, computed by the vector-vector unit (FINN's VVAU): PE over channels, SIMD over the
    // K x K kernel positions, its SWU delivering PE channels of a window position at a time.
    bool is_depthwise() const {
        return type == LayerType::Conv && groups > 1 && groups == in.channels && out.channels == in.channels;
    }
    int out_channels() const { return out.channels; }
    // Window columns, positions (K x K, or K x 1 for a 1-D layer), and the column step and padding.
    int kernel_cols() const { return one_d ? 1 : kernel; }
    int window_area() const { return kernel * kernel_cols(); }
    int col_stride() const { return one_d ? 1 : stride; }
    int col_pad_begin() const { return one_d ? 0 : pad_begin; }
    int col_pad_end() const { return one_d ? 0 : pad_end; }
    // Synapses per output channel (fan-in of one dot product).
    int64_t fan_in() const;
    int64_t weight_count() const { return is_compute() ? fan_in() * out.channels : 0; }
    // Largest magnitude of an input value (by its encoding) and of a weight (by its quantisation).
    int64_t max_abs_input() const;
    int64_t max_abs_weight() const;
    int thresholds_per_channel() const;
    // SYQ factors stored for the layer: 0 (layer-wise, absorbed), K (row) or K^2 (pixel), and
    // the largest factor code (1 when there are none).
    int scaling_factors() const;
    int64_t max_scale() const;
    // Computed by the thesis's own blocks instead of the MVTU: a decompressor-fed PE array (ch.
    // 3.4) or a SYQ-scaled MVTU (ch. 5.7.2).
    bool has_special_unit() const { return decompressor.enabled || scaling_factors() > 0; }
};

struct NetworkConfig {
    std::string name;
    std::string source_file;  // path of the YAML file it came from
    DeviceConfig device;
    InputConfig input;
    WeightSource weights;
    RunConfig run;
    HostConfig host;  // the host link, when the config has a `host:` section
    PowerConfig power;
    ResourceConfig resources;
    OutputConfig output;  // the host's dequantisation of the outputs, when the config has `output:`
    std::vector<LayerConfig> layers;

    double clock_hz() const { return device.clock_mhz * 1e6; }
    // Layers built on the FPGA, a prefix of `layers`: with a host link in the dataflow
    // architecture the trailing fc layers run on the host (ch. 4.7.1.1); otherwise all.
    size_t device_layer_count() const;
    const LayerConfig* find_layer(const std::string& name) const;
    // The layers layer j reads (-1: the network input): its `inputs`, or the layer before.
    std::vector<int> inputs_of(size_t j) const;
    // The layers that read layer i's output, in order (none for the last layer).
    std::vector<size_t> readers(size_t i) const;
    // Rows of the branch FIFO from forked layer `producer` to `reader`: the reader's
    // input_fifo_depths entry for it, else the producer's fifo_depth.
    int branch_fifo_depth(size_t producer, size_t reader) const;
    // True when every layer reads only the layer before it.
    bool is_chain() const;
};

}  // namespace qsim
