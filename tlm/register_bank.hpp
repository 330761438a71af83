// Memory-mapped register bank of the accelerator (source thesis ch. 6.6.1: "a memory mapped
// direct slave port is used to access a bank of registers which can be read by the host to
// measure performance"), as a TLM-2.0 base-protocol target.
//
// The bank itself is generic: 32-bit registers are declared before simulation, each with an
// access right and read / write callbacks, and the bank decodes generic payloads onto them
// (docs/registers.md lists the error responses and their order). The accelerator's own map is
// declared by add_accelerator_registers(); its offsets and bits are the constexpr constants of
// namespace qsim::regs, which a host driver can use as they are.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace qsim {

// ---------------------------------------------------------------------------------------
// The accelerator's register map (byte offsets from the bank's base address).
namespace regs {

constexpr uint64_t kId = 0x000;             // RO, kIdValue
constexpr uint64_t kVersion = 0x004;        // RO, kVersionValue
constexpr uint64_t kControl = 0x008;        // RW, kControl* bits
constexpr uint64_t kStatus = 0x00C;         // RO, kStatus* bits
constexpr uint64_t kCyclesLo = 0x010;       // RO, 64-bit counter, low word (latches)
constexpr uint64_t kCyclesHi = 0x014;       // RO, high word latched by the last kCyclesLo read
constexpr uint64_t kFrames = 0x018;         // RO, frames completed (wraps at 2^32)
constexpr uint64_t kDmaCh0BytesLo = 0x020;  // RO, 64-bit, channel 0: input
constexpr uint64_t kDmaCh0BytesHi = 0x024;
constexpr uint64_t kDmaCh1BytesLo = 0x028;  // RO, 64-bit, channel 1: weights
constexpr uint64_t kDmaCh1BytesHi = 0x02C;
constexpr uint64_t kDmaCh2BytesLo = 0x030;  // RO, 64-bit, channel 2: output
constexpr uint64_t kDmaCh2BytesHi = 0x034;
constexpr uint64_t kLayerCount = 0x040;     // RO, number of layer register blocks

constexpr unsigned kDmaChannels = 3;
constexpr uint64_t kDmaStride = 0x008;
constexpr uint64_t dma_bytes_lo(unsigned channel) { return kDmaCh0BytesLo + kDmaStride * channel; }
constexpr uint64_t dma_bytes_hi(unsigned channel) { return dma_bytes_lo(channel) + 4; }

// Per-layer block i at kLayerBase + kLayerStride * i; the last two words are reserved (not
// declared: accessing them is an address error).
constexpr uint64_t kLayerBase = 0x100;
constexpr uint64_t kLayerStride = 0x020;
constexpr uint64_t kLayerBusyLo = 0x00;
constexpr uint64_t kLayerBusyHi = 0x04;
constexpr uint64_t kLayerStarvedLo = 0x08;
constexpr uint64_t kLayerStarvedHi = 0x0C;
constexpr uint64_t kLayerBlockedLo = 0x10;
constexpr uint64_t kLayerBlockedHi = 0x14;
constexpr uint64_t kLayerReserved0 = 0x18;
constexpr uint64_t kLayerReserved1 = 0x1C;
constexpr uint32_t kMaxLayers = 256;  // the map ends below kLayerBase + kLayerStride * kMaxLayers
constexpr uint64_t layer_register(uint32_t layer, uint64_t field) {
    return kLayerBase + kLayerStride * layer + field;
}

constexpr uint32_t kIdValue = 0x514E4E53;  // "QNNS"
constexpr uint32_t kVersionValue = 1;

// CONTROL
constexpr uint32_t kControlStart = 1u << 0;  // write 1: start; always reads back 0
constexpr uint32_t kControlReset = 1u << 1;  // level: the accelerator is held in reset while 1
constexpr unsigned kControlModeShift = 2;
constexpr uint32_t kControlModeMask = 3u << kControlModeShift;  // bits 3:2
constexpr uint32_t kModeDataflow = 0;
constexpr uint32_t kModeLoopback = 1;
constexpr uint32_t kControlWriteMask = kControlStart | kControlReset | kControlModeMask;
constexpr uint32_t control_mode(uint32_t mode) { return (mode << kControlModeShift) & kControlModeMask; }

// STATUS
constexpr uint32_t kStatusIdle = 1u << 0;
constexpr uint32_t kStatusBusy = 1u << 1;
constexpr uint32_t kStatusDone = 1u << 2;
constexpr uint32_t kStatusError = 1u << 3;
constexpr uint32_t kStatusMask = kStatusIdle | kStatusBusy | kStatusDone | kStatusError;

}  // namespace regs

// ---------------------------------------------------------------------------------------

struct RegisterInfo {
    uint64_t offset = 0;
    std::string name;
    std::string access;  // "RO", "RW" or "WO"
};

struct RegisterBankStats {
    uint64_t reads = 0;        // b_transport read transactions completed (a burst counts once)
    uint64_t writes = 0;       // b_transport write transactions completed
    uint64_t ignores = 0;      // b_transport TLM_IGNORE_COMMAND transactions completed
    uint64_t words_read = 0;   // registers read by those transactions
    uint64_t words_written = 0;
    uint64_t byte_enable_errors = 0;  // b_transport transactions answered with that error
    uint64_t burst_errors = 0;
    uint64_t address_errors = 0;
    uint64_t command_errors = 0;
    uint64_t generic_errors = 0;      // read / write without a data pointer
    uint64_t debug_accesses = 0;      // transport_dbg calls completed
    uint64_t debug_errors = 0;        // transport_dbg calls refused
};

class RegisterBank : public sc_core::sc_module {
public:
    enum class Access { ReadOnly, ReadWrite, WriteOnly };

    tlm_utils::simple_target_socket<RegisterBank> socket;

    // `access_delay` is annotated (added to the b_transport delay argument, never waited)
    // once per register word a transaction reads or writes, and once for an error or
    // ignore response; typically a few accelerator clock periods.
    RegisterBank(sc_core::sc_module_name name, sc_core::sc_time access_delay);

    // Declares a 32-bit register. Throws std::invalid_argument if `offset` is not 4-byte
    // aligned, is already declared, `name` is empty or already used, a readable register
    // has no `read` or a writable one no `write`; std::logic_error once simulation started.
    // Read callbacks should have no side effects: transport_dbg calls them too.
    void add(uint64_t offset, std::string name, Access access, std::function<uint32_t()> read,
             std::function<void(uint32_t)> write = {});

    // A read-only 64-bit counter as two registers: NAME_LO at `offset` and NAME_HI at
    // `offset + 4`. A LO read samples `value` and latches it; HI returns the high word of the
    // latched sample (0 before the first LO read), so LO-then-HI is one consistent value.
    void add_counter64(uint64_t offset, const std::string& name, std::function<uint64_t()> value);

    // The register map, by ascending offset.
    std::vector<RegisterInfo> describe() const;
    // describe() as a Markdown table (offset, name, access).
    std::string describe_table() const;

    bool has_register(uint64_t offset) const { return registers_.count(offset) != 0; }
    sc_core::sc_time access_delay() const { return access_delay_; }

    const RegisterBankStats& stats() const { return stats_; }
    // Completed b_transport transactions (reads + writes + ignores).
    uint64_t accesses() const { return stats_.reads + stats_.writes + stats_.ignores; }
    // b_transport transactions answered with an error response.
    uint64_t errors() const {
        return stats_.byte_enable_errors + stats_.burst_errors + stats_.address_errors +
               stats_.command_errors + stats_.generic_errors;
    }

    static const char* access_name(Access access);

private:
    struct Register {
        std::string name;
        Access access;
        std::function<uint32_t()> read;
        std::function<void(uint32_t)> write;
    };

    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

    // Checks `trans` and, when it is acceptable, performs it. Sets the response status and
    // returns the number of register words transferred.
    unsigned execute(tlm::tlm_generic_payload& trans);
    tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans) const;
    void count_error(tlm::tlm_response_status status);

    sc_core::sc_time access_delay_;
    std::map<uint64_t, Register> registers_;
    // Latched samples of the 64-bit counters (index given to each counter's callbacks);
    // transport_dbg restores them, so a debug read leaves no trace.
    std::vector<uint64_t> latches_;
    RegisterBankStats stats_;
};

// ---------------------------------------------------------------------------------------
// What the accelerator supplies to its register map. An empty callback reads as 0 (or, for
// `control`, only the stored CONTROL value changes), so the map is the same whether or not
// every source is wired.
struct AcceleratorRegisterSources {
    // Called on every CONTROL write with the value written, masked to kControlWriteMask
    // (START as written, RESET, MODE).
    std::function<void(uint32_t)> control;
    std::function<uint32_t()> status;  // kStatus* bits (masked to kStatusMask)
    std::function<uint64_t()> cycles;  // accelerator clock cycles
    std::function<uint32_t()> frames;  // frames completed
    // Bytes moved per DMA channel: [0] input, [1] weights, [2] output.
    std::array<std::function<uint64_t()>, regs::kDmaChannels> dma_bytes;
    // Number of layer register blocks. A value, not a callback: it decides which registers
    // are declared, which is fixed before simulation. At most regs::kMaxLayers.
    uint32_t layer_count = 0;
    // Per-layer cycle counters, called with the layer index 0..layer_count-1.
    std::function<uint64_t(uint32_t)> layer_busy;
    std::function<uint64_t(uint32_t)> layer_starved;
    std::function<uint64_t(uint32_t)> layer_blocked;
};

// Declares the accelerator's map (docs/registers.md) in `bank`. CONTROL resets to 0 (START
// clear, RESET clear, MODE dataflow). Throws std::invalid_argument if layer_count exceeds
// regs::kMaxLayers or a register of the map is already declared in `bank`.
void add_accelerator_registers(RegisterBank& bank, AcceleratorRegisterSources sources);

}  // namespace qsim
