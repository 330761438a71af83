// The tables of fields.hpp: every section of a configuration, field by field.
#include <climits>

#include "sim/design/table_builders.hpp"

namespace qsim::design {

using namespace tables;

namespace {

constexpr int64_t kMaxInt = INT_MAX;

const WeightsSpec& weights_of(const void* owner) { return *static_cast<const WeightsSpec*>(owner); }

}  // namespace

const Table& device_table() {
    static const Table t = table<DeviceSpec>(
        "device", "The target device.",
        {field("name", &DeviceSpec::name)
             .means("The FPGA device. `generic` is a device without resource counts; any other name is looked up "
                    "in the device library, which fills in the family and the resource counts."),
         field("clock_mhz", &DeviceSpec::clock_mhz)
             .required()
             .range(Range::positive())
             .means("Clock frequency of the accelerator in MHz (at most 1000000: the clock period is simulated "
                    "in whole femtoseconds). Converts cycles to time and frames per second."),
         field("library", &DeviceSpec::library)
             .means("Path of the device library, relative to the configuration file's directory. Read when a "
                    "named device is looked up, and whenever it is given (then checked even for `generic`).")});
    return t;
}

const Table& input_table() {
    static const Table t = table<InputSpec>(
        "input", "The frames fed into layer 0.",
        {field("height", &InputSpec::height).required().range(Range::at_least(1)).means("Frame height in pixels."),
         field("width", &InputSpec::width).required().range(Range::at_least(1)).means("Frame width in pixels."),
         field("channels", &InputSpec::channels).required().range(Range::at_least(1)).means("Channels per pixel."),
         field("bits", &InputSpec::bits).range(Range::between(1, 16)).means("Bits per input value."),
         field("signed", &InputSpec::is_signed)
             .means("`false`: values are unsigned, 0 .. 2^bits-1. `true`: two's complement, -2^(bits-1) .. "
                    "2^(bits-1)-1."),
         field("stream_bits", &InputSpec::stream_bits)
             .range(Range::at_least(1))
             .means("Width in bits of the stream into the first block per clock. A row costs ceil(width * "
                    "channels * bits / stream_bits) cycles. 24 = one 8-bit RGB pixel per clock."),
         field("seed", &InputSpec::seed).means("Seed of the deterministic frame generator."),
         field("fifo_depth", &InputSpec::fifo_depth)
             .range(Range::at_least(1))
             .means("Rows held by the FIFO between the host input source and layer 0. A layer that takes its "
                    "input in bursts (an fc layer consumes the whole image during its first neuron fold) stalls "
                    "the source when this is shallow; a depth of `height` rows buffers a whole frame.")});
    return t;
}

const Table& generator_table() {
    static const Table t = table<GeneratorSpec>(
        "weights.generator", "Parameters generated deterministically.",
        {field("seed", &GeneratorSpec::seed).means("Generator seed."),
         field("sparsity", &GeneratorSpec::sparsity)
             .range(Range::unit())
             .means("Fraction of weights set to zero (ternary and uniform layers only; binary weights cannot be "
                    "zero).")});
    return t;
}

const Table& weight_source_table() {
    static const Table t = table<WeightSourceSpec>(
        "weights", "Where the layer parameters come from: exactly one of `generator` and `file`.",
        {section("generator", &WeightSourceSpec::generator, generator_table())
             .def("seed 1, sparsity 0")
             .means("Generate weights, thresholds and requantisation constants deterministically."),
         field("file", &WeightSourceSpec::file)
             .def("none")
             .means("Path of a weight file (docs/weights-format.md), relative to the configuration file's "
                    "directory. The loader does not open it.")});
    return t;
}

const Table& run_table() {
    static const Table t = table<RunSpec>(
        "run", "What to simulate.",
        {field("frames", &RunSpec::frames)
             .range(Range::at_least(1))
             .means("Frames pushed through the pipeline (the simulated time must fit the clock); `sim --frames N` "
                    "replaces it."),
         field("watchdog_cycles", &RunSpec::watchdog_cycles)
             .range(Range::at_least(1))
             .def("derived (0)")
             .means("Cycles without any row moving through any FIFO after which the simulation stops with a "
                    "deadlock/livelock diagnosis; derived from the design when not given (4 x the slowest "
                    "block's cycles per frame + 10,000).")});
    return t;
}

const Table& defaults_table() {
    static const Table t = table<DefaultsSpec>(
        "defaults", "Defaults for every layer.",
        {field("fifo_depth", &DefaultsSpec::fifo_depth)
             .range(Range::at_least(1))
             .means("FIFO depth (in feature-map rows) for every layer that does not set `fifo_depth`."),
         field("reuse", &DefaultsSpec::reuse)
             .range(Range::between(1, 1 << 16))
             .means("PE reuse for every conv layer that does not set `reuse` (fc and pooling layers ignore it).")});
    return t;
}

const Table& power_table() {
    static const Table t = table<PowerSpec>(
        "power", "The power estimate's operating conditions and board (docs/power.md).",
        {field("junction_c", &PowerSpec::junction_c)
             .range(Range::non_negative())
             .means("Junction temperature in degrees C: static power doubles every ~22 C (the family's table)."),
         field("ddr_channels", &PowerSpec::ddr_channels)
             .range(Range::between(0, 16))
             .means("DDR channels the design uses (controller, PHY and devices each); 0: none."),
         field("board_w", &PowerSpec::board_w)
             .range(Range::non_negative())
             .means("Other board power in W (fans, regulators' loss, ...), added to the board total.")});
    return t;
}

const Table& pcie_table() {
    static const Table t = table<PcieSpec>(
        "host.pcie", "The PCIe link (tlm/pcie_timing).",
        {field("generation", &PcieSpec::generation)
             .range(Range::between(1, 5))
             .means("PCIe generation: 2.5, 5, 8, 16, 32 GT/s per lane."),
         field("lanes", &PcieSpec::lanes).range(Range::between(1, 16)).means("Lanes: 1, 2, 4, 8 or 16."),
         field("max_payload_bytes", &PcieSpec::max_payload_bytes)
             .range(Range::between(1, 4096))
             .means("Payload bytes per TLP."),
         field("tlp_overhead_bytes", &PcieSpec::tlp_overhead_bytes)
             .range(Range::between(0, 256))
             .means("Bytes per TLP besides the payload: header, sequence number, LCRC, framing."),
         field("latency_ns", &PcieSpec::latency_ns)
             .range(Range::non_negative())
             .means("One-way latency of a transfer."),
         field("transfer_overhead_ns", &PcieSpec::transfer_overhead_ns)
             .range(Range::non_negative())
             .means("Per DMA transfer: descriptor fetch, doorbell.")});
    return t;
}

const Table& dma_table() {
    static const Table t = table<DmaSpec>(
        "host.dma", "The DMA engine's AXI4-stream channels on the FPGA side (ch. 6.6.1).",
        {field("stream_bits", &DmaSpec::stream_bits).range(Range::between(8, 4096)).means("Bits per stream beat."),
         field("clock_mhz", &DmaSpec::clock_mhz).range(Range::positive()).means("Stream clock in MHz.")});
    return t;
}

const Table& loopback_table() {
    static const Table t = table<LoopbackSpec>(
        "host.loopback", "The single-layer loopback accelerator (ch. 6.6.3).",
        {field("pes", &LoopbackSpec::pes).range(Range::between(1, 1 << 20)).means("Processing elements."),
         field("simd", &LoopbackSpec::simd)
             .range(Range::between(1, 4096))
             .means("Synapses per PE per clock (p of Table 6.7)."),
         field("clock_mhz", &LoopbackSpec::clock_mhz).range(Range::positive()).means("Its clock in MHz.")});
    return t;
}

const Table& host_table() {
    static const Table t = table<HostSpec>(
        "host", "The host, its PCIe link and the system architecture (docs/host-link.md).",
        {field("architecture", &HostSpec::architecture)
             .means("`dataflow`: the layers on the FPGA as one pipeline, trailing fc layers on the host; "
                    "`loopback`: every layer in turn on one PE array, maps and weights over PCIe."),
         field("timing", &HostSpec::timing)
             .means("`lt`: whole transfers, loosely timed; `at`: every TLP through the four phases."),
         section("pcie", &HostSpec::pcie, pcie_table()).def("Gen3 x8").means("The PCIe link."),
         section("dma", &HostSpec::dma, dma_table()).def("256 bit at 250 MHz").means("The DMA streams."),
         field("quantum_ns", &HostSpec::quantum_ns)
             .range(Range::positive())
             .means("Loosely-timed temporal-decoupling quantum."),
         field("host_gops", &HostSpec::host_gops)
             .range(Range::positive())
             .means("Host throughput for layers placed on the host (1e9 ops/s)."),
         section("loopback", &HostSpec::loopback, loopback_table())
             .def("2048 PEs, SIMD 4, 250 MHz")
             .means("The loopback accelerator.")});
    return t;
}

// ---------------------------------------------------------------------------------------
// Layers

const Table& layer_weights_table() {
    auto only = [](std::initializer_list<WeightQuant> qs, std::string why) -> WhyNot {
        return [qs = std::vector<WeightQuant>(qs), why](const void* owner, const LayerSpec*) -> std::optional<std::string> {
            const WeightQuant q = weights_of(owner).quant.value;
            for (WeightQuant a : qs)
                if (a == q) return std::nullopt;
            return "not allowed for " + std::string(to_string(q)) + " weights (" + why + ")";
        };
    };
    static const Table t = table<WeightsSpec>(
        "layers[].weights", "How a compute layer's weights are quantised and stored.",
        {field("quant", &WeightsSpec::quant)
             .required()
             .means("Weight quantisation; `rccm`: the select indices of AddNet's reconfigurable "
                    "constant-coefficient multipliers (thesis ch. 6.4-6.6, rccm.md)."),
         field("bits", &WeightsSpec::bits)
             .def("binary 1; ternary 2; uniform: required; rccm: the circuit's select bits")
             .means("Storage bits per weight: binary 1, ternary 2, uniform 2..8, rccm 4, 6, 8 (2-Add, 3-Add, "
                    "4-Add); for binary, ternary and rccm it may be omitted."),
         field("threshold", &WeightsSpec::threshold)
             .range(Range::positive())
             .unless(only({WeightQuant::Ternary}, "threshold: ternary only; scale: uniform and rccm only"))
             .means("Ternary quantisation threshold eta used when importing float weights (ternary only)."),
         field("scale", &WeightsSpec::scale)
             .range(Range::positive())
             .def("uniform: 2^-(bits-1); rccm: from the weights")
             .unless(only({WeightQuant::Uniform, WeightQuant::Rccm}, "threshold: ternary only; scale: uniform and rccm only"))
             .means("Float value of one weight step (float = code x scale) for float import; rccm: the scale "
                    "lambda of eq. 6.3, by default max|w| / max|c| of the imported weights (uniform and rccm "
                    "only)."),
         field("rccm", &WeightsSpec::rccm)
             .def("required for rccm")
             .unless(only({WeightQuant::Rccm}, "the RCCM circuit of quant: rccm"))
             .means("The RCCM circuit of Table 6.3 whose select indices the layer stores (coefficient sets of "
                    "Table 6.2: 15, 59 and 207 values).")},
        "quant");
    return t;
}

const Table& layer_activation_table() {
    static const Table t = table<ActivationSpec>(
        "layers[].activation", "What follows the accumulator of a compute layer or the sum of an add layer.",
        {field("type", &ActivationSpec::type)
             .required()
             .means("`thresholds`: FINN's multi-threshold unit (unsigned codes); `bipolar`: one threshold, code 1 = "
                    "+1; `relu`: integer requantisation; `none`: the raw 32-bit accumulator leaves the layer."),
         field("bits", &ActivationSpec::bits)
             .def("thresholds 2; bipolar 1; relu 8")
             .unless([](const void* owner, const LayerSpec*) -> std::optional<std::string> {
                 if (static_cast<const ActivationSpec*>(owner)->type.value == ActivationType::None)
                     return std::string("not allowed for activation type 'none' (it outputs 32-bit accumulators)");
                 return std::nullopt;
             })
             .means("Width of the output code: thresholds 1..8, bipolar 1, relu 1..16; not allowed for none.")},
        "type");
    return t;
}

const Table& layer_folding_table() {
    static const Table t = table<FoldingSpec>(
        "layers[].folding", "How much of a layer is computed per clock (docs/config.md, folding rules).",
        {field("pe", &FoldingSpec::pe)
             .range(Range::at_least(1))
             .means("Processing elements: output channels computed in parallel (1 for pooling)."),
         field("simd", &FoldingSpec::simd)
             .range(Range::at_least(1))
             .def("1; pooling, add, concat: the input channels")
             .means("Input lanes per PE (conv, fc); channels compared or summed per cycle (pooling, add, concat); "
                    "values entering a topk layer's insertion lists per cycle."),
         field("mmv", &FoldingSpec::mmv)
             .range(Range::at_least(1))
             .means("Output pixels computed in parallel (conv only; 1 elsewhere).")});
    return t;
}

const Table& layer_decompressor_table() {
    static const Table t = table<DecompressorSpec>(
        "layers[].decompressor", "A decompressor-fed PE array in place of the MVTU (ch. 3.4, sparse.md).",
        {field("encoding", &DecompressorSpec::encoding)
             .means("Run-length entries (sign-magnitude, 1 + delta_bits bits) or Huffman-coded deltas (ch. 3.2.4)."),
         field("delta_bits", &DecompressorSpec::delta_bits)
             .range(Range::between(1, 15))
             .means("Magnitude bits of an entry: index deltas 1 .. 2^b - 1; wider gaps take skip entries."),
         field("batch", &DecompressorSpec::batch)
             .range(Range::between(1, 1 << 16))
             .unless([](const void*, const LayerSpec* layer) -> std::optional<std::string> {
                 if (layer && layer->type.value != LayerType::Fc)
                     return std::string("applies to fc layers; a conv layer reuses each weight over its folding.mmv "
                                        "output pixels");
                 return std::nullopt;
             })
             .means("fc only: frames whose input vectors share every decoded weight, the PEs per lane (R = B, "
                    "ch. 3.4.4).")});
    return t;
}

const Table& layer_scaling_table() {
    static const Table t = table<ScalingSpec>(
        "layers[].scaling", "SYQ scaling of binary/ternary weights (ch. 5.4, 5.7.2, syq.md).",
        {field("granularity", &ScalingSpec::granularity)
             .means("One factor (absorbed into the thresholds: the plain MVTU), K factors (kernel rows) or K^2 "
                    "(kernel pixels)."),
         field("bits", &ScalingSpec::bits)
             .range(Range::between(1, 16))
             .means("Width of the unsigned factor codes 1 .. 2^bits - 1.")});
    return t;
}

const Table& layer_table() {
    static const Table t = table<LayerSpec>(
        "layers[]", "One layer (conv, fc, maxpool, avgpool, global_maxpool, global_avgpool, add, concat, topk), in dataflow order (graphs.md).",
        {field("name", &LayerSpec::name)
             .required()
             .means("Identifies the layer in reports, weight files and errors: characters A-Z a-z 0-9 _ . -, "
                    "unique in the network."),
         field("type", &LayerSpec::type).required().means("Layer kind."),
         field("inputs", &LayerSpec::inputs)
             .def("the layer before (layer 0: the network input); add: required")
             .means("The layers whose outputs this layer reads, by name, each listed earlier (`add`: two of one "
                    "shape; `concat`: two or more of one height and width). A layer read by several layers forks: a duplicator sends its rows down one FIFO per "
                    "reader."),
         field("input_fifo_depths", &LayerSpec::input_fifo_depths)
             .def("the producer's fifo_depth")
             .means("Per input, in rows of that input: the depth of the branch FIFO from a forked producer to this "
                    "layer (the skip FIFO of a residual block); 0 keeps the producer's fifo_depth, the only choice "
                    "for an input that does not fork."),
         field("kernel", &LayerSpec::kernel)
             .types(kSwu)
             .required()
             .range(Range::at_least(1))
             .means("Side of the square window (rows of a 1-D layer's K x 1 window); at most the padded input "
                    "height and width."),
         field("kernel_width", &LayerSpec::kernel_width)
             .types(kSwu)
             .range(Range::at_least(1))
             .def("the kernel")
             .means("Columns of the window: the kernel (square), or 1 for a 1-D layer on an H x 1 map (K x 1 "
                    "windows; stride and padding along the height only; the output is H_out x 1)."),
         field("stride", &LayerSpec::stride)
             .types(kSwu)
             .range(Range::at_least(1))
             .def("1; maxpool: the kernel")
             .means("Step of the window, the same along both axes."),
         field("padding", &LayerSpec::padding)
             .types(kSwu)
             .def("0")
             .means("Rows/columns added around the input: p on both sides, [before, after], `valid` (0) or "
                    "`same` (output = ceil(input / stride))."),
         field("groups", &LayerSpec::groups)
             .types(kConv)
             .range(Range::at_least(1))
             .means("Grouped convolution: each group of out/groups filters sees in/groups input channels; divides "
                    "the input and output channels. groups = in_channels = filters is a depthwise convolution, "
                    "computed by the vector-vector unit (PE over channels, SIMD over the K x K positions)."),
         field("k", &LayerSpec::k)
             .types(kTopK)
             .range(Range::at_least(1))
             .means("Labels a topk layer selects from its 1 x 1 x C input: the indices of the k largest values, "
                    "the largest first, equal values in index order; at most C."),
         field("filters", &LayerSpec::filters)
             .types(kCompute)
             .required()
             .range(Range::at_least(1))
             .means("The filter (conv) or neuron (fc) count of the source network, before pruning."),
         field("prune", &LayerSpec::prune)
             .types(kCompute)
             .range(Range::unit())
             .means("Fraction of filters removed; the kept count is rounded to a multiple of groups x PE."),
         field("prune_round", &LayerSpec::prune_round)
             .types(kCompute)
             .means("How the kept filters are rounded to a multiple of groups x PE (only with prune > 0)."),
         field("grow_to_pe", &LayerSpec::grow_to_pe)
             .types(kCompute)
             .means("Grow the filters up to a multiple of groups x PE instead of requiring one (only with prune "
                    "= 0; ch. 4.5.2)."),
         section("weights", &LayerSpec::weights, layer_weights_table())
             .types(kCompute)
             .required()
             .means("Weight quantisation (the table below)."),
         section("activation", &LayerSpec::activation, layer_activation_table())
             .types(kCompute | kAdd)
             .def("required (conv, fc); add: none, the full sum")
             .means("What follows the accumulator (the table below); on an add layer, the unit that requantises "
                    "the sum (thresholds, bipolar or relu)."),
         field("datapath", &LayerSpec::datapath)
             .types(kCompute)
             .def("derived")
             .means("Optional cross-check: must equal the datapath the operand types call for."),
         field("multipliers", &LayerSpec::multipliers)
             .types(kCompute)
             .means("How multi-bit products are built where the layer has them: DSP slices, or LUT multipliers "
                    "(Table 6.5, \"8-bit, no DSPs\"); `auto`: LUTs for DSP-MAC products of fewer than 4 weight or "
                    "activation bits, DSP slices otherwise (FINN's rule, docs/resources.md). Changes resources, not "
                    "values or cycles."),
         field("threshold_storage", &LayerSpec::threshold_storage)
             .types(kCompute)
             .means("Thresholds in memories loaded at run time, or compiled into the logic as constants (seed "
                    "004). Thresholds and bipolar activations only; changes resources only."),
         section("ram_style", &LayerSpec::ram_style, layer_ram_style_table())
             .def("`resources.ram_style`")
             .means("Where the layer's memories are built: one style for every kind (`ram_style: distributed`) or a "
                    "mapping per kind (the table below). A kind not given takes `resources.ram_style`'s. Changes "
                    "resources only."),
         section("folding", &LayerSpec::folding, layer_folding_table())
             .def("pe 1, simd 1, mmv 1")
             .means("PE / SIMD / MMV (the table below)."),
         field("reuse", &LayerSpec::reuse)
             .types(kCompute)
             .range(Range::between(1, 1 << 16))
             .def("defaults.reuse (conv)")
             .means("PE reuse R (ch. 4.5.1, eq. 4.5-4.7), conv only, dividing folding.pe: pe / R PEs time-shared "
                    "over R passes per frame, an OFM buffer holding the first R-1 passes."),
         field("fifo_depth", &LayerSpec::fifo_depth)
             .range(Range::at_least(1))
             .def("defaults.fifo_depth")
             .means("Depth of the FIFO after this layer, in rows of its output feature map."),
         field("swu_buffer_rows", &LayerSpec::swu_buffer_rows)
             .types(kSwu)
             .def("kernel + stride; with reuse: the input height")
             .means("Capacity of the SWU line buffer in input rows: at least the kernel, and the input height with "
                    "reuse > 1."),
         field("swu_write_pixels", &LayerSpec::swu_write_pixels)
             .types(kSwu)
             .range(Range::between(1, 1 << 16))
             .means("Input pixels the SWU's write side takes per clock: an input row takes ceil(W_in / P) x "
                    "ceil(C / SIMD) cycles."),
         field("in_channels", &LayerSpec::in_channels)
             .range(Range::at_least(1))
             .def("derived")
             .means("Optional check: the derived input channel count (fc: the flattened input size, the "
                    "fan-in)."),
         field("activation_unit", &LayerSpec::activation_unit)
             .types(kCompute)
             .def("per_pe; rccm: after_fan_in")
             .means("Where the threshold / requantisation unit sits: in every PE (FINN), or once per lane after "
                    "the PE outputs fan in (ch. 6.6.2, Fig. 6.7b; rccm layers only there). Changes resources only."),
         section("decompressor", &LayerSpec::decompressor, layer_decompressor_table())
             .types(kCompute)
             .def("none (MVTU)")
             .means("Sparse ternary weights decoded on chip (the table below)."),
         section("scaling", &LayerSpec::scaling, layer_scaling_table())
             .types(kConv)
             .def("layer-wise")
             .means("SYQ scaling (the table below).")},
        "type");
    return t;
}

const Table& output_table() {
    static const Table t = table<OutputSpec>(
        "output",
        "The host's dequantisation of the last layer's outputs, value_c = scale_c x out_c + offset_c (FINN leaves "
        "a network's last Mul and Add to the host); `sim --dataset` predicts the class from these values.",
        {field("scale", &OutputSpec::scale)
             .def("1")
             .means("A number > 0 for every channel, or a list of one per output channel of the last layer (a list "
                    "of one number counts as that number)."),
         field("offset", &OutputSpec::offset)
             .def("0")
             .means("A number for every channel, or a list of one per output channel of the last layer.")});
    return t;
}

const Table& network_table() {
    static const Table t = table<NetworkSpec>(
        "", "The top level of a configuration file.",
        {field("name", &NetworkSpec::name).required().means("Name of the network, shown in reports."),
         special("params", ValueKind::Params)
             .def("none")
             .means("Names and values substituted for ${NAME} in every other scalar; `sim --set NAME=VALUE` "
                    "overrides one."),
         section("device", &NetworkSpec::device, device_table()).required().means("Target device."),
         section("input", &NetworkSpec::input, input_table()).required().means("Frames fed into layer 0."),
         section("weights", &NetworkSpec::weights, weight_source_table())
             .def("generator, seed 1, sparsity 0")
             .means("Where the layer parameters come from."),
         section("run", &NetworkSpec::run, run_table()).def("frames 2").means("What to simulate."),
         section("defaults", &NetworkSpec::defaults, defaults_table())
             .def("fifo_depth 2, reuse 1")
             .means("Defaults for every layer."),
         section("host", &NetworkSpec::host, host_table()).def("none").means("The PCIe host link (host-link.md)."),
         section("resources", &NetworkSpec::resources, resources_table())
             .def("flow implementation")
             .means("What the resource report models."),
         section("power", &NetworkSpec::power, power_table())
             .def("junction 50 C, no DDR")
             .means("The power estimate's operating conditions and board."),
         section("output", &NetworkSpec::output, output_table())
             .def("none (the raw outputs)")
             .means("The host's dequantisation of the last layer's outputs (not with a topk layer last)."),
         special("layers", ValueKind::Sequence, &layer_table())
             .required()
             .means("The layers, in dataflow order (at least one); `inputs` makes a graph.")});
    return t;
}

std::vector<const Table*> all_tables() {
    return {&network_table(),          &device_table(),           &input_table(),
            &weight_source_table(),    &generator_table(),        &run_table(),
            &defaults_table(),         &resources_table(),        &power_table(),            &output_table(),
            &host_table(),             &pcie_table(),             &dma_table(),
            &loopback_table(),         &layer_table(),            &layer_weights_table(),
            &layer_activation_table(), &layer_folding_table(),    &layer_decompressor_table(),
            &layer_scaling_table(),    &layer_ram_style_table(),  &resources_ram_style_table(),
            &device_entry_table()};
}

}  // namespace qsim::design
