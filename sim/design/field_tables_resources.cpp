// The tables of the resource model's settings: `resources`, the `ram_style` sections of it and
// of a layer, and one entry of a device library.
#include "sim/design/table_builders.hpp"

namespace qsim::design {

using namespace tables;

namespace {

// The rows of a ram_style section: one style per memory kind.
std::vector<Row> ram_style_rows(const std::string& fallback) {
    auto row = [&](const char* key, Given<MemoryStyle> RamStyleSpec::*m, const std::string& what) -> Row {
        RowBuilder b = field(key, m);
        if (!fallback.empty()) b.def(fallback);
        return b.means(what);
    };
    return {row("weights", &RamStyleSpec::weights,
                "MVTU weight memories (one per PE) and a decompressor's weight streams and code tables."),
            row("thresholds", &RamStyleSpec::thresholds, "Threshold memories (MVTU, PE array, add and fan-in units)."),
            row("fifos", &RamStyleSpec::fifos,
                "FIFOs deeper than two rows after the layer (the input FIFO: `resources.ram_style`); a FIFO of "
                "up to two rows is the HLS stream between two blocks, in SRLs whatever the style."),
            row("line_buffers", &RamStyleSpec::line_buffers,
                "Sliding-window line buffers, the MVTU's input buffer and the loopback feature buffer."),
            row("ofm_buffers", &RamStyleSpec::ofm_buffers,
                "The OFM buffer of a layer with PE reuse, and global pooling's running sums and maxima.")};
}

Table ram_style_table(std::string name, std::string fallback) {
    Table t = table<RamStyleSpec>(
        std::move(name),
        "Where each kind of memory is built (docs/resources.md, \"Memories\"): `auto` (the rule the vendor "
        "tools and FINN apply: registers for one word, SRLs for FIFOs of up to 256 words, LUTRAM for other "
        "memories of up to 64 words, block RAM above), `block` (BRAM18/36), `distributed` (LUTRAM) or `ultra` "
        "(URAM288, UltraScale+ only). The section may be one style for every kind.",
        ram_style_rows(fallback));
    t.scalar_sets_all = true;
    return t;
}

}  // namespace

const Table& layer_ram_style_table() {
    static const Table t = ram_style_table("layers[].ram_style", "`resources.ram_style`'s");
    return t;
}

const Table& resources_ram_style_table() {
    static const Table t = ram_style_table("resources.ram_style", "");
    return t;
}

const Table& resources_table() {
    static const Table t = table<ResourcesSpec>(
        "resources", "What the resource report models (docs/resources.md).",
        {field("flow", &ResourcesSpec::flow)
             .means("The design after place and route, or Vivado HLS's pre-synthesis estimate of it, which sizes "
                    "every adder of an ADD/SUB tree at the accumulator's declared width."),
         field("bram_ports", &ResourcesSpec::bram_ports)
             .means("The aspect ratios memories are mapped onto: simple dual-port block RAMs (a BRAM18 is also "
                    "512 x 36), or true dual-port ones of at most 18 bits per BRAM18 (ch. 6.6.4). Changes "
                    "resources only."),
         section("ram_style", &ResourcesSpec::ram_style, resources_ram_style_table())
             .def("`auto` for every kind")
             .means("Where memories are built, for every layer that does not set a kind itself and for the "
                    "input FIFO: one style for every kind, or a mapping per kind (the table below).")});
    return t;
}

const Table& device_entry_table() {
    static const Table t = table<DeviceEntrySpec>(
        "devices.NAME", "One device of a device library (configs/devices.yaml).",
        {field("family", &DeviceEntrySpec::family).required().means("Device family, e.g. `Zynq UltraScale+`."),
         field("lut", &DeviceEntrySpec::lut).required().range(Range::at_least(1)).means("Look-up tables."),
         field("ff", &DeviceEntrySpec::ff).required().range(Range::at_least(1)).means("Flip-flops."),
         field("bram18", &DeviceEntrySpec::bram18)
             .range(Range::at_least(1))
             .def("required (or `bram36`)")
             .means("18 Kb block RAMs; a 36 Kb block RAM (BRAM36) counts as two."),
         field("bram36", &DeviceEntrySpec::bram36)
             .range(Range::at_least(1))
             .def("none")
             .means("36 Kb block RAMs; where `bram18` is given too it must be twice this."),
         field("dsp", &DeviceEntrySpec::dsp).required().range(Range::at_least(1)).means("DSP slices."),
         field("lutram", &DeviceEntrySpec::lutram)
             .range(Range::at_least(0))
             .def("unknown (not checked)")
             .means("LUTs usable as distributed RAM or shift registers (the SLICEM LUTs); at most `lut`."),
         field("uram", &DeviceEntrySpec::uram)
             .range(Range::at_least(0))
             .def("0 (none)")
             .means("288 Kb UltraRAM blocks (UltraScale+ only).")});
    return t;
}

}  // namespace qsim::design
