#include "models/dma/dma_engine.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "models/common/int_math.hpp"
#include "models/dma/dma_timing.hpp"
#include "models/network/weight_file.hpp"
#include "tlm/pcie_timing.hpp"

namespace qsim {

StreamFormat DmaEngine::format_of(FmShape shape, Encoding e, int bits) {
    return {shape, bytes_per_code(e, bits), e == Encoding::Signed || e == Encoding::Accumulator};
}

int DmaEngine::bytes_per_code(Encoding e, int bits) {
    return e == Encoding::Accumulator ? 4 : int(ceil_div(uint64_t(bits), 8));
}

namespace {

// A channel-1 window's first 8 bytes: the u64 length of the record behind them.
uint64_t record_length(const uint8_t* p) {
    uint64_t length = 0;
    for (int b = 0; b < 8; ++b) length |= uint64_t(p[b]) << (8 * b);
    return length;
}

// The loops of pack_codes / unpack_codes with the code width (and sign) known to the compiler.
template <int B>
void pack_fixed(const int32_t* codes, size_t n, uint8_t* out) {
    for (size_t i = 0; i < n; ++i)
        for (int b = 0; b < B; ++b) out[i * B + size_t(b)] = uint8_t(uint32_t(codes[i]) >> (8 * b));
}

template <int B, bool Signed>
void unpack_fixed(const uint8_t* in, size_t n, int32_t* codes) {
    for (size_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < B; ++b) v |= uint32_t(in[i * B + size_t(b)]) << (8 * b);
        if (Signed && B < 4) {
            const uint32_t sign = uint32_t(1) << (8 * B - 1);
            v = (v ^ sign) - sign;
        }
        codes[i] = int32_t(v);
    }
}

}  // namespace

void DmaEngine::pack_codes(const int32_t* codes, size_t n, int bpc, uint8_t* out) {
    switch (bpc) {
        case 1: pack_fixed<1>(codes, n, out); return;
        case 2: pack_fixed<2>(codes, n, out); return;
        case 4: pack_fixed<4>(codes, n, out); return;
    }
    for (size_t i = 0; i < n; ++i)
        for (int b = 0; b < bpc; ++b) *out++ = uint8_t(uint32_t(codes[i]) >> (8 * b));
}

void DmaEngine::unpack_codes(const uint8_t* in, size_t n, int bpc, bool is_signed, int32_t* codes) {
    switch (bpc * 2 + (is_signed ? 1 : 0)) {
        case 2: unpack_fixed<1, false>(in, n, codes); return;
        case 3: unpack_fixed<1, true>(in, n, codes); return;
        case 4: unpack_fixed<2, false>(in, n, codes); return;
        case 5: unpack_fixed<2, true>(in, n, codes); return;
        case 8: unpack_fixed<4, false>(in, n, codes); return;
        case 9: unpack_fixed<4, true>(in, n, codes); return;
    }
    for (size_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < bpc; ++b) v |= uint32_t(*in++) << (8 * b);
        if (is_signed && bpc < 4) {
            const uint32_t sign = uint32_t(1) << (8 * bpc - 1);
            v = (v ^ sign) - sign;
        }
        codes[i] = int32_t(v);
    }
}

DmaEngine::DmaEngine(sc_core::sc_module_name name, const NetworkConfig& net, size_t device_layers,
                     const DmaConfig& dma, ParameterSink sink)
    : sc_core::sc_module(name),
      input_socket("input_socket"),
      weight_socket("weight_socket"),
      output_socket("output_socket"),
      to_accelerator("to_accelerator"),
      from_accelerator("from_accelerator"),
      net_(net),
      sink_(std::move(sink)),
      beat_(sc_core::sc_time(1e3 / dma.clock_mhz, sc_core::SC_NS)),
      stream_bits_(dma.stream_bits),
      dma_(dma),
      completion_latency_(sc_core::sc_time(net.host.pcie.latency_ns, sc_core::SC_NS)),
      in_format_(format_of(net.input.shape, net.input.encoding(), net.input.bits)),
      out_format_(format_of(net.layers.at(device_layers - 1).out, net.layers[device_layers - 1].out_encoding,
                            net.layers[device_layers - 1].out_bits)) {
    for (size_t l = 0; l < device_layers; ++l)
        if (net.layers[l].is_compute()) compute_layers_.push_back(l);
    records_.resize(compute_layers_.size());
    record_received_.assign(compute_layers_.size(), 0);
    last_record_.resize(compute_layers_.size());
    last_params_.resize(compute_layers_.size());
    matching_.assign(compute_layers_.size(), 0);
    matched_.assign(compute_layers_.size(), 0);
    input_socket.register_b_transport(this, &DmaEngine::input_transport);
    weight_socket.register_b_transport(this, &DmaEngine::weight_transport);
    output_socket.register_b_transport(this, &DmaEngine::output_transport);
}

sc_core::sc_time DmaEngine::stream_time(uint64_t bytes) const {
    return beat_ * double(ceil_div(bytes * 8, uint64_t(stream_bits_)));
}

sc_core::sc_time DmaEngine::lt_write_tail(uint64_t bytes) const {
    if (bytes == write_tail_bytes_) return write_tail_;
    const PcieConfig& pcie = net_.host.pcie;
    const double ns = dma_stream_write_ns(bytes, pcie, dma_) - pcie.latency_ns - pcie_transfer_time_ns(bytes, pcie);
    write_tail_bytes_ = bytes;
    write_tail_ = sc_core::sc_time(std::max(0.0, ns), sc_core::SC_NS);
    return write_tail_;
}

sc_core::sc_time DmaEngine::lt_read_request() const {
    const PcieConfig& pcie = net_.host.pcie;
    return sc_core::sc_time(pcie.transfer_overhead_ns + pcie_tlp_time_ns(0, pcie) + pcie.latency_ns, sc_core::SC_NS);
}

sc_core::sc_time DmaEngine::lt_read_rest(uint64_t bytes) const {
    if (bytes == read_rest_bytes_) return read_rest_;
    const double ns = dma_stream_read_ns(bytes, net_.host.pcie, dma_) - lt_read_request().to_seconds() * 1e9;
    read_rest_bytes_ = bytes;
    read_rest_ = sc_core::sc_time(std::max(0.0, ns), sc_core::SC_NS);
    return read_rest_;
}

bool DmaEngine::check(tlm::tlm_generic_payload& gp, tlm::tlm_command expected, DmaChannelStats& s) {
    if (gp.get_command() != expected) {
        gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    } else if (gp.get_byte_enable_ptr() != nullptr) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    } else if (gp.get_streaming_width() < gp.get_data_length()) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    } else {
        return true;
    }
    ++s.errors;
    return false;
}

void DmaEngine::input_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    DmaChannelStats& s = stats_[0];
    if (!check(gp, tlm::TLM_WRITE_COMMAND, s)) return;
    // Synchronise: the rows enter the accelerator at the time the data arrives.
    const bool lt = loosely_timed();
    sc_core::wait(delay + (lt ? lt_write_tail(gp.get_data_length()) : stream_time(gp.get_data_length())));
    delay = sc_core::SC_ZERO_TIME;
    const FmShape in = in_format_.shape;
    const size_t row_bytes = size_t(in.width) * in.channels * size_t(in_format_.bytes_per_code);
    // The rows cut from the byte stream: the bytes held back from earlier transfers, then these.
    // Whole rows are unpacked where they lie; only a row split between transfers is gathered.
    auto rows_from = [&](const uint8_t* p, size_t n) {
        size_t used = 0;
        for (; n - used >= row_bytes; used += row_bytes) {
            StreamRow row = StreamRow::shaped(in_frame_, in_row_, in.width, in.channels);
            unpack_codes(p + used, row.data.size(), in_format_.bytes_per_code, in_format_.is_signed, row.data.data());
            to_accelerator->write(std::move(row));
            if (++in_row_ == in.height) {
                in_row_ = 0;
                ++in_frame_;
            }
        }
        return used;
    };
    const uint8_t* data = gp.get_data_ptr();
    const size_t len = gp.get_data_length();
    size_t pos = 0;
    if (!in_pending_.empty()) {
        const size_t part = in_pending_.size() % row_bytes;
        pos = std::min(len, part ? row_bytes - part : 0);
        in_pending_.insert(in_pending_.end(), data, data + pos);
        const size_t used = rows_from(in_pending_.data(), in_pending_.size());
        in_pending_.erase(in_pending_.begin(), in_pending_.begin() + ptrdiff_t(used));
    }
    if (in_pending_.empty()) pos += rows_from(data + pos, len - pos);
    in_pending_.insert(in_pending_.end(), data + pos, data + len);
    s.bytes += gp.get_data_length();
    ++s.transfers;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (lt) delay = completion_latency_;
}

bool DmaEngine::continues_last_record(size_t window, uint64_t offset, const uint8_t* data, uint64_t len) const {
    if (offset != matched_[window]) return false;
    const std::vector<uint8_t>& last = last_record_[window];
    return offset + len <= last.size() && std::memcmp(data, last.data() + offset, size_t(len)) == 0;
}

std::shared_ptr<const LayerImage> DmaEngine::decode_image(size_t layer, const uint8_t* record, size_t size) const {
    const LayerConfig& cfg = net_.layers[layer];
    const uint8_t* packed = nullptr;
    LayerParams params = decode_layer_record(record, size, cfg, "dma channel 1", &packed);
    if (packed == nullptr) return std::make_shared<const LayerImage>(make_layer_image(cfg, std::move(params)));
    // Packed weights: the record's codes go into the memories as they are, never unpacked.
    return std::make_shared<const LayerImage>(
        LayerImage{std::make_shared<const WeightMemory>(cfg, packed), std::move(params)});
}

void DmaEngine::weight_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    DmaChannelStats& s = stats_[1];
    if (!check(gp, tlm::TLM_WRITE_COMMAND, s)) return;
    const uint64_t window = gp.get_address() / device_map::kWeightWindowSize;
    const uint64_t offset = gp.get_address() % device_map::kWeightWindowSize;
    const uint64_t len = gp.get_data_length();
    if (window >= records_.size() || len > device_map::kWeightWindowSize - offset) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        ++s.errors;
        return;
    }
    std::vector<uint8_t>& record = records_[window];
    const uint8_t* data = gp.get_data_ptr();
    // Offset 0..7 holds the record length; the record follows at offset 8.
    if (offset == 0) {
        record.clear();
        matching_[window] = last_params_[window] != nullptr;
        matched_[window] = 0;
    }
    bool gathered = false;
    if (matching_[window]) {
        if (continues_last_record(window, offset, data, len)) {
            matched_[window] += len;
            gathered = true;
        } else {
            // Gather what matched so far.
            const std::vector<uint8_t>& last = last_record_[window];
            record.assign(last.begin(), last.begin() + ptrdiff_t(matched_[window]));
            matching_[window] = 0;
        }
    }
    if (!gathered && offset == 0 && record.empty() && len >= 8) {
        // A new record: room for all of it, as its length field announces (at most the window).
        record.reserve(size_t(std::min(record_length(data), device_map::kWeightWindowSize - 8) + 8));
    }
    if (gathered) {
        // compared above
    } else if (offset == record.size()) {
        record.insert(record.end(), data, data + len);  // the usual case: bursts in order
    } else {
        if (record.size() < offset + len) record.resize(offset + len, 0);
        std::memcpy(record.data() + offset, data, len);
    }
    record_received_[window] += len;
    delay += loosely_timed() ? lt_write_tail(len) + completion_latency_ : stream_time(len);
    s.bytes += len;
    ++s.transfers;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);

    if (matching_[window]) {
        // The record so far is the last one: complete when all of it has arrived.
        const uint64_t whole = uint64_t(last_record_[window].size());
        if (matched_[window] < whole || record_received_[window] < whole) return;
        try {
            sink_(compute_layers_[window], last_params_[window]);
        } catch (const WeightFileError& e) {
            last_error_ = e.what();
            ++s.errors;
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        }
        record_received_[window] = 0;
        matching_[window] = 0;
        matched_[window] = 0;
        return;
    }
    if (record.size() < 8) return;
    const uint64_t length = record_length(record.data());
    if (record_received_[window] < length + 8 || record.size() < length + 8) return;
    const size_t layer = compute_layers_[window];
    try {
        std::vector<uint8_t>& last = last_record_[window];
        record.resize(size_t(length + 8));
        if (last != record) {
            last_params_[window] = decode_image(layer, record.data() + 8, size_t(length));
            std::swap(last, record);
        }
        sink_(layer, last_params_[window]);
    } catch (const WeightFileError& e) {
        last_error_ = e.what();
        ++s.errors;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    }
    record_received_[window] = 0;
    record.clear();
}

void DmaEngine::output_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    DmaChannelStats& s = stats_[2];
    if (!check(gp, tlm::TLM_READ_COMMAND, s)) return;
    const size_t want = gp.get_data_length();
    const bool lt = loosely_timed();
    if (lt) {
        // The link annotated its whole transfer time as if the data were there at once. The
        // read request reaches the engine O + header + L after the transfer started; the data
        // can only leave once the accelerator has produced it.
        const sc_core::sc_time link(pcie_transfer_time_ns(want, net_.host.pcie), sc_core::SC_NS);
        const sc_core::sc_time start = delay > link ? delay - link : sc_core::SC_ZERO_TIME;
        sc_core::wait(start + lt_read_request());
    } else {
        sc_core::wait(delay);
    }
    delay = sc_core::SC_ZERO_TIME;
    uint8_t* out = gp.get_data_ptr();
    size_t got = 0;
    while (got < want) {
        if (out_pending_pos_ == out_pending_.size()) {
            const StreamRow row = from_accelerator->read();  // waits for the accelerator
            const size_t row_bytes = row.data.size() * size_t(out_format_.bytes_per_code);
            if (row_bytes <= want - got) {
                // The whole row fits this read: packed straight into the host's buffer.
                pack_codes(row.data.data(), row.data.size(), out_format_.bytes_per_code, out + got);
                got += row_bytes;
                continue;
            }
            out_pending_.resize(row_bytes);
            pack_codes(row.data.data(), row.data.size(), out_format_.bytes_per_code, out_pending_.data());
            out_pending_pos_ = 0;
        }
        const size_t n = std::min(want - got, out_pending_.size() - out_pending_pos_);
        std::memcpy(out + got, out_pending_.data() + out_pending_pos_, n);
        out_pending_pos_ += n;
        got += n;
    }
    delay += lt ? lt_read_rest(want) : stream_time(want);
    s.bytes += want;
    ++s.transfers;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace qsim
