#include "tlm/register_bank.hpp"

#include <cstdio>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>

namespace qsim {

namespace {

std::string hex_offset(uint64_t offset) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%03llX", static_cast<unsigned long long>(offset));
    return buf;
}

bool readable(RegisterBank::Access a) { return a != RegisterBank::Access::WriteOnly; }
bool writable(RegisterBank::Access a) { return a != RegisterBank::Access::ReadOnly; }

uint32_t load_le32(const unsigned char* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void store_le32(unsigned char* p, uint32_t v) {
    p[0] = static_cast<unsigned char>(v);
    p[1] = static_cast<unsigned char>(v >> 8);
    p[2] = static_cast<unsigned char>(v >> 16);
    p[3] = static_cast<unsigned char>(v >> 24);
}

}  // namespace

const char* RegisterBank::access_name(Access access) {
    switch (access) {
        case Access::ReadOnly: return "RO";
        case Access::ReadWrite: return "RW";
        case Access::WriteOnly: return "WO";
    }
    return "?";
}

RegisterBank::RegisterBank(sc_core::sc_module_name name, sc_core::sc_time access_delay)
    : sc_core::sc_module(name), socket("socket"), access_delay_(access_delay) {
    socket.register_b_transport(this, &RegisterBank::b_transport);
    socket.register_transport_dbg(this, &RegisterBank::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &RegisterBank::get_direct_mem_ptr);
}

void RegisterBank::add(uint64_t offset, std::string name, Access access, std::function<uint32_t()> read,
                       std::function<void(uint32_t)> write) {
    const std::string where = std::string(this->name()) + ": register " + hex_offset(offset) +
                              (name.empty() ? std::string() : " (" + name + ")");
    if (sc_core::sc_get_status() >= sc_core::SC_START_OF_SIMULATION)
        throw std::logic_error(where + ": registers must be declared before simulation starts");
    if (offset % 4 != 0) throw std::invalid_argument(where + ": offset is not 4-byte aligned");
    if (offset > std::numeric_limits<uint64_t>::max() - 3)
        throw std::invalid_argument(where + ": offset at the end of the address space");
    if (name.empty()) throw std::invalid_argument(where + ": empty name");
    auto dup = registers_.find(offset);
    if (dup != registers_.end())
        throw std::invalid_argument(where + ": offset already declared as " + dup->second.name);
    for (const auto& [off, reg] : registers_)
        if (reg.name == name)
            throw std::invalid_argument(where + ": name already used at " + hex_offset(off));
    if (readable(access) && !read) throw std::invalid_argument(where + ": readable register without a read callback");
    if (writable(access) && !write)
        throw std::invalid_argument(where + ": writable register without a write callback");
    registers_.emplace(offset, Register{std::move(name), access, std::move(read), std::move(write)});
}

void RegisterBank::add_counter64(uint64_t offset, const std::string& name, std::function<uint64_t()> value) {
    if (!value) throw std::invalid_argument(std::string(this->name()) + ": counter " + name + " without a source");
    // Both halves are checked before either is declared, so a refused counter leaves no half.
    if (offset % 4 != 0 || offset > std::numeric_limits<uint64_t>::max() - 7)
        throw std::invalid_argument(std::string(this->name()) + ": counter " + name + " at " + hex_offset(offset) +
                                    ": offset is not 4-byte aligned or at the end of the address space");
    if (has_register(offset + 4))
        throw std::invalid_argument(std::string(this->name()) + ": counter " + name + ": high word " +
                                    hex_offset(offset + 4) + " already declared as " +
                                    registers_.at(offset + 4).name);
    for (const auto& [off, reg] : registers_)
        if (reg.name == name + "_HI")
            throw std::invalid_argument(std::string(this->name()) + ": counter " + name + ": name " + name +
                                        "_HI already used at " + hex_offset(off));
    const size_t latch = latches_.size();
    add(offset, name + "_LO", Access::ReadOnly, [this, latch, value = std::move(value)]() {
        latches_[latch] = value();
        return static_cast<uint32_t>(latches_[latch]);
    });
    latches_.push_back(0);
    add(offset + 4, name + "_HI", Access::ReadOnly,
        [this, latch]() { return static_cast<uint32_t>(latches_[latch] >> 32); });
}

std::vector<RegisterInfo> RegisterBank::describe() const {
    std::vector<RegisterInfo> out;
    out.reserve(registers_.size());
    for (const auto& [offset, reg] : registers_) out.push_back({offset, reg.name, access_name(reg.access)});
    return out;
}

std::string RegisterBank::describe_table() const {
    std::string s = "| offset | name | access |\n|-------:|------|--------|\n";
    for (const auto& r : describe()) s += "| " + hex_offset(r.offset) + " | " + r.name + " | " + r.access + " |\n";
    return s;
}

tlm::tlm_response_status RegisterBank::check(const tlm::tlm_generic_payload& trans) const {
    const uint64_t addr = trans.get_address();
    const unsigned len = trans.get_data_length();

    // 1. Byte enables: only "every byte enabled" is supported.
    if (const unsigned char* be = trans.get_byte_enable_ptr()) {
        const unsigned be_len = trans.get_byte_enable_length();
        if (be_len == 0) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
        for (unsigned i = 0; i < len; ++i)
            if (be[i % be_len] != TLM_BYTE_ENABLED) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    }
    // 2. Whole, aligned 32-bit words. 3. No streaming.
    if (len == 0 || len % 4 != 0 || addr % 4 != 0) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (trans.get_streaming_width() != len) return tlm::TLM_BURST_ERROR_RESPONSE;
    // 4. Every word a declared register (and no wrap around the address space).
    if (uint64_t(len) - 4 > std::numeric_limits<uint64_t>::max() - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    const unsigned words = len / 4;
    for (unsigned k = 0; k < words; ++k)
        if (!has_register(addr + 4ull * k)) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    // 5. Access rights.
    const tlm::tlm_command cmd = trans.get_command();
    for (unsigned k = 0; k < words; ++k) {
        const Access a = registers_.at(addr + 4ull * k).access;
        if (cmd == tlm::TLM_READ_COMMAND && !readable(a)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
        if (cmd == tlm::TLM_WRITE_COMMAND && !writable(a)) return tlm::TLM_COMMAND_ERROR_RESPONSE;
    }
    // 6. Ignore: accepted, nothing done.
    if (cmd == tlm::TLM_IGNORE_COMMAND) return tlm::TLM_OK_RESPONSE;
    if (trans.get_data_ptr() == nullptr) return tlm::TLM_GENERIC_ERROR_RESPONSE;
    return tlm::TLM_OK_RESPONSE;
}

unsigned RegisterBank::execute(tlm::tlm_generic_payload& trans) {
    trans.set_dmi_allowed(false);
    const tlm::tlm_response_status status = check(trans);
    trans.set_response_status(status);
    if (status != tlm::TLM_OK_RESPONSE || trans.get_command() == tlm::TLM_IGNORE_COMMAND) return 0;

    const uint64_t addr = trans.get_address();
    const unsigned words = trans.get_data_length() / 4;
    unsigned char* data = trans.get_data_ptr();
    // Ascending address order: a burst over a counter's LO and HI latches, then reads the latch.
    for (unsigned k = 0; k < words; ++k) {
        Register& reg = registers_.at(addr + 4ull * k);
        if (trans.is_read())
            store_le32(data + 4 * k, reg.read());
        else
            reg.write(load_le32(data + 4 * k));
    }
    return words;
}

void RegisterBank::count_error(tlm::tlm_response_status status) {
    switch (status) {
        case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: ++stats_.byte_enable_errors; break;
        case tlm::TLM_BURST_ERROR_RESPONSE: ++stats_.burst_errors; break;
        case tlm::TLM_ADDRESS_ERROR_RESPONSE: ++stats_.address_errors; break;
        case tlm::TLM_COMMAND_ERROR_RESPONSE: ++stats_.command_errors; break;
        default: ++stats_.generic_errors; break;
    }
}

void RegisterBank::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const unsigned words = execute(trans);
    delay += access_delay_ * double(words == 0 ? 1 : words);
    if (!trans.is_response_ok()) {
        count_error(trans.get_response_status());
        return;
    }
    switch (trans.get_command()) {
        case tlm::TLM_READ_COMMAND:
            ++stats_.reads;
            stats_.words_read += words;
            break;
        case tlm::TLM_WRITE_COMMAND:
            ++stats_.writes;
            stats_.words_written += words;
            break;
        default: ++stats_.ignores; break;
    }
}

unsigned int RegisterBank::transport_dbg(tlm::tlm_generic_payload& trans) {
    // A debug read must leave no trace: the counter latches are restored afterwards.
    const std::vector<uint64_t> saved = latches_;
    const unsigned words = execute(trans);
    latches_ = saved;
    if (trans.is_response_ok())
        ++stats_.debug_accesses;
    else
        ++stats_.debug_errors;
    return 4 * words;
}

bool RegisterBank::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    // No DMI: deny it for the whole address space, so the initiator does not ask again.
    dmi.init();
    dmi.set_start_address(0);
    dmi.set_end_address(std::numeric_limits<sc_dt::uint64>::max());
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
    trans.set_dmi_allowed(false);
    return false;
}

// ---------------------------------------------------------------------------------------

void add_accelerator_registers(RegisterBank& bank, AcceleratorRegisterSources src) {
    using Access = RegisterBank::Access;
    if (src.layer_count > regs::kMaxLayers)
        throw std::invalid_argument(std::string(bank.name()) + ": " + std::to_string(src.layer_count) +
                                    " layers, the register map holds at most " + std::to_string(regs::kMaxLayers));

    // A missing source reads as 0.
    auto u64 = [](std::function<uint64_t()> f) -> std::function<uint64_t()> {
        if (f) return f;
        return [] { return uint64_t(0); };
    };

    bank.add(regs::kId, "ID", Access::ReadOnly, [] { return regs::kIdValue; });
    bank.add(regs::kVersion, "VERSION", Access::ReadOnly, [] { return regs::kVersionValue; });

    auto control = std::make_shared<uint32_t>(0);
    bank.add(
        regs::kControl, "CONTROL", Access::ReadWrite, [control] { return *control; },
        [control, write = std::move(src.control)](uint32_t v) {
            const uint32_t masked = v & regs::kControlWriteMask;
            *control = masked & ~regs::kControlStart;  // START is a pulse: reads back 0
            if (write) write(masked);
        });
    bank.add(regs::kStatus, "STATUS", Access::ReadOnly, [status = std::move(src.status)] {
        return status ? status() & regs::kStatusMask : 0u;
    });
    bank.add_counter64(regs::kCyclesLo, "CYCLES", u64(std::move(src.cycles)));
    bank.add(regs::kFrames, "FRAMES", Access::ReadOnly,
             [frames = std::move(src.frames)] { return frames ? frames() : 0u; });
    for (unsigned ch = 0; ch < regs::kDmaChannels; ++ch)
        bank.add_counter64(regs::dma_bytes_lo(ch), "DMA_CH" + std::to_string(ch) + "_BYTES",
                           u64(std::move(src.dma_bytes[ch])));
    bank.add(regs::kLayerCount, "LAYER_COUNT", Access::ReadOnly, [n = src.layer_count] { return n; });

    using PerLayer = std::function<uint64_t(uint32_t)>;
    auto per_layer = std::make_shared<std::array<PerLayer, 3>>(
        std::array<PerLayer, 3>{std::move(src.layer_busy), std::move(src.layer_starved), std::move(src.layer_blocked)});
    const std::array<std::pair<uint64_t, const char*>, 3> fields{
        {{regs::kLayerBusyLo, "BUSY"}, {regs::kLayerStarvedLo, "STARVED"}, {regs::kLayerBlockedLo, "BLOCKED"}}};
    for (uint32_t i = 0; i < src.layer_count; ++i)
        for (size_t f = 0; f < fields.size(); ++f)
            bank.add_counter64(regs::layer_register(i, fields[f].first),
                               "LAYER" + std::to_string(i) + "_" + fields[f].second, [per_layer, f, i] {
                                   const PerLayer& source = (*per_layer)[f];
                                   return source ? source(i) : uint64_t(0);
                               });
}

}  // namespace qsim
