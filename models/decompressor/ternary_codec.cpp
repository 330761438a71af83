#include "models/decompressor/ternary_codec.hpp"

#include <algorithm>
#include <queue>

namespace qsim {

namespace {

uint32_t max_delta(int delta_bits) { return (uint32_t(1) << delta_bits) - 1; }

void check_delta_bits(int b) {
    if (b < kMinDeltaBits || b > kMaxDeltaBits)
        throw std::invalid_argument("delta_bits must be in 1..15, got " + std::to_string(b));
}

class BitWriter {
public:
    explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
    // `n` bits of `v`, least significant first.
    void lsb_first(uint32_t v, int n) {
        for (int i = 0; i < n; ++i) put((v >> i) & 1);
    }
    // `n` bits of `v`, most significant first (Huffman codewords).
    void msb_first(uint32_t v, int n) {
        for (int i = n - 1; i >= 0; --i) put((v >> i) & 1);
    }
    uint64_t bits() const { return bits_; }

private:
    void put(uint32_t b) {
        if (bits_ % 8 == 0) out_.push_back(0);
        out_.back() |= uint8_t(b << (bits_ % 8));
        ++bits_;
    }
    std::vector<uint8_t>& out_;
    uint64_t bits_ = 0;
};

// Symbols of the Huffman alphabet.
uint32_t symbol_of(const CodedEntry& e, uint32_t m) {
    switch (e.kind) {
        case EntryKind::Skip: return 0;
        case EntryKind::Weight: return e.delta;
        case EntryKind::EndOfRow: return m + 1;
    }
    return 0;
}

// Canonical codes for a table sorted by symbol: code[i] for table[i].
std::vector<uint32_t> canonical_codes(const std::vector<HuffmanSymbol>& table) {
    std::vector<size_t> order(table.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return table[a].length < table[b].length; });
    std::vector<uint32_t> codes(table.size());
    uint32_t code = 0;
    int len = 0;
    for (size_t k = 0; k < order.size(); ++k) {
        const int l = table[order[k]].length;
        if (k > 0) ++code;
        code <<= (l - len);
        len = l;
        codes[order[k]] = code;
    }
    return codes;
}

// Every entry of every row, with the counts.
struct EntryList {
    std::vector<CodedEntry> entries;
    std::vector<uint64_t> row_counts;
    uint64_t nonzeros = 0, skips = 0;
};

EntryList all_entries(const int8_t* w, int64_t rows, int64_t fan_in, int delta_bits) {
    EntryList list;
    list.row_counts.reserve(size_t(rows));
    for (int64_t r = 0; r < rows; ++r) {
        std::vector<CodedEntry> row = row_entries(w + r * fan_in, fan_in, delta_bits);
        for (const auto& e : row) {
            if (e.kind == EntryKind::Weight) ++list.nonzeros;
            if (e.kind == EntryKind::Skip) ++list.skips;
        }
        list.row_counts.push_back(row.size());
        list.entries.insert(list.entries.end(), row.begin(), row.end());
    }
    return list;
}

std::vector<uint64_t> symbol_counts(const std::vector<CodedEntry>& entries, int delta_bits) {
    const uint32_t m = max_delta(delta_bits);
    std::vector<uint64_t> counts(size_t(m) + 2, 0);
    for (const auto& e : entries) ++counts[symbol_of(e, m)];
    return counts;
}

// Walks a stream entry by entry: the weights it decodes to and the counts it holds.
struct Walk {
    std::vector<int8_t> weights;
    uint64_t entries = 0, nonzeros = 0, skips = 0;
    std::vector<uint64_t> row_counts;
};

Walk walk(const EncodedWeights& e, bool keep_weights) {
    Walk out;
    if (keep_weights) out.weights.assign(size_t(e.rows * e.fan_in), 0);
    // Every row takes at least one bit (its end): a stream too short for the rows fails below.
    out.row_counts.reserve(size_t(std::min<uint64_t>(uint64_t(e.rows), e.stream_bits)));
    EntryReader reader(e);
    const uint32_t m = max_delta(e.delta_bits);
    for (int64_t r = 0; r < e.rows; ++r) {
        int64_t addr = -1;
        uint64_t count = 0;
        for (;;) {
            const uint64_t at = reader.bit_position();
            if (reader.at_end())
                throw CodecError(at / 8, "the stream ends in row " + std::to_string(r) + " of " +
                                             std::to_string(e.rows) + " (no end-of-row entry)");
            const CodedEntry c = reader.next();
            ++count;
            if (c.kind == EntryKind::EndOfRow) break;
            if (c.kind == EntryKind::Skip) {
                addr += m;
                ++out.skips;
                if (addr + 1 >= e.fan_in)
                    throw CodecError(at / 8, "row " + std::to_string(r) + ": a skip past the last synapse (" +
                                                 std::to_string(e.fan_in - 1) + ")");
                continue;
            }
            addr += c.delta;
            if (addr >= e.fan_in)
                throw CodecError(at / 8, "row " + std::to_string(r) + ": weight at synapse " + std::to_string(addr) +
                                             ", beyond fan_in " + std::to_string(e.fan_in));
            ++out.nonzeros;
            if (keep_weights) out.weights[size_t(r * e.fan_in + addr)] = c.weight;
        }
        out.entries += count;
        out.row_counts.push_back(count);
    }
    if (!reader.at_end())
        throw CodecError(reader.bit_position() / 8,
                         "data after the last row: stream holds " + std::to_string(e.stream_bits) + " bits, rows end at bit " +
                             std::to_string(reader.bit_position()));
    return out;
}

// Little-endian fields of the serialized form.
void put_le(std::vector<uint8_t>& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

}  // namespace

std::vector<CodedEntry> row_entries(const int8_t* row, int64_t fan_in, int delta_bits) {
    check_delta_bits(delta_bits);
    const uint32_t m = max_delta(delta_bits);
    std::vector<CodedEntry> out;
    int64_t prev = -1;
    for (int64_t s = 0; s < fan_in; ++s) {
        const int v = row[s];
        if (v == 0) continue;
        if (v != 1 && v != -1)
            throw std::invalid_argument("weight " + std::to_string(v) + " at synapse " + std::to_string(s) +
                                        " is not ternary");
        int64_t delta = s - prev;
        while (delta > int64_t(m)) {
            out.push_back({EntryKind::Skip, 0, 0});
            delta -= m;
        }
        out.push_back({EntryKind::Weight, uint32_t(delta), int8_t(v)});
        prev = s;
    }
    out.push_back({EntryKind::EndOfRow, 0, 0});
    return out;
}

uint64_t EncodedWeights::stored_bits() const {
    return encoding == WeightEncoding::Huffman ? stream_bits + 32 + 24 * uint64_t(table.size()) : stream_bits;
}

std::vector<HuffmanSymbol> huffman_code_lengths(const std::vector<uint64_t>& counts) {
    std::vector<uint64_t> c = counts;
    std::vector<HuffmanSymbol> table;
    for (;;) {
        table.clear();
        struct Node {
            uint64_t weight;
            int index;  // < 0: leaf -(symbol + 1) stored in `leaf`
        };
        std::vector<int> parent;
        std::vector<int> leaf_node;  // symbol -> node
        std::vector<uint64_t> node_weight;
        using Item = std::pair<uint64_t, int>;  // weight, node (ties broken by node index)
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
        for (size_t s = 0; s < c.size(); ++s) {
            if (c[s] == 0) continue;
            leaf_node.push_back(int(node_weight.size()));
            node_weight.push_back(c[s]);
            parent.push_back(-1);
            heap.push({c[s], int(node_weight.size()) - 1});
            table.push_back({uint16_t(s), 0});
        }
        if (table.empty()) return table;
        if (table.size() == 1) {
            table[0].length = 1;
            return table;
        }
        while (heap.size() > 1) {
            const Item a = heap.top();
            heap.pop();
            const Item b = heap.top();
            heap.pop();
            const int n = int(node_weight.size());
            node_weight.push_back(a.first + b.first);
            parent.push_back(-1);
            parent[size_t(a.second)] = n;
            parent[size_t(b.second)] = n;
            heap.push({a.first + b.first, n});
        }
        int longest = 0;
        for (size_t i = 0; i < table.size(); ++i) {
            int len = 0;
            for (int n = leaf_node[i]; parent[size_t(n)] >= 0; n = parent[size_t(n)]) ++len;
            table[i].length = uint8_t(std::min(len, 255));
            longest = std::max(longest, len);
        }
        if (longest <= kMaxHuffmanCodeBits) return table;
        // Too long for the decoder: flatten the counts and build again.
        for (auto& v : c)
            if (v > 0) v = (v + 1) / 2;
    }
}

EncodedWeights encode_ternary(const int8_t* weights, int64_t rows, int64_t fan_in, WeightEncoding encoding,
                              int delta_bits) {
    check_delta_bits(delta_bits);
    EncodedWeights e;
    e.encoding = encoding;
    e.delta_bits = delta_bits;
    e.rows = rows;
    e.fan_in = fan_in;
    const EntryList list = all_entries(weights, rows, fan_in, delta_bits);
    e.entries = list.entries.size();
    e.nonzeros = list.nonzeros;
    e.skips = list.skips;
    e.row_entry_counts = list.row_counts;
    const uint32_t m = max_delta(delta_bits);
    BitWriter out(e.stream);
    if (encoding == WeightEncoding::RunLength) {
        for (const auto& c : list.entries) {
            // Sign-magnitude: sign bit first, then the magnitude (0 for the two escapes).
            const uint32_t sign = c.kind == EntryKind::Weight ? (c.weight < 0 ? 1u : 0u)
                                                              : (c.kind == EntryKind::EndOfRow ? 1u : 0u);
            out.lsb_first(sign, 1);
            out.lsb_first(c.kind == EntryKind::Weight ? c.delta : 0u, delta_bits);
        }
    } else {
        e.table = huffman_code_lengths(symbol_counts(list.entries, delta_bits));
        const std::vector<uint32_t> codes = canonical_codes(e.table);
        std::vector<int> index(size_t(m) + 2, -1);
        for (size_t i = 0; i < e.table.size(); ++i) index[e.table[i].symbol] = int(i);
        for (const auto& c : list.entries) {
            const int i = index[symbol_of(c, m)];
            out.msb_first(codes[size_t(i)], e.table[size_t(i)].length);
            if (c.kind == EntryKind::Weight) out.lsb_first(c.weight < 0 ? 1u : 0u, 1);
        }
    }
    e.stream_bits = out.bits();
    return e;
}

std::vector<int8_t> decode_ternary(const EncodedWeights& e) { return walk(e, true).weights; }

EntryReader::EntryReader(const EncodedWeights& e) : e_(e), max_delta_(max_delta(e.delta_bits)) {
    if (e.encoding != WeightEncoding::Huffman) return;
    first_.assign(kMaxHuffmanCodeBits + 1, 0);
    count_.assign(kMaxHuffmanCodeBits + 1, 0);
    start_.assign(kMaxHuffmanCodeBits + 1, 0);
    std::vector<HuffmanSymbol> sorted = e.table;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const HuffmanSymbol& a, const HuffmanSymbol& b) { return a.length < b.length; });
    for (const auto& s : sorted) {
        ++count_[s.length];
        symbols_.push_back(s.symbol);
    }
    uint32_t code = 0, start = 0;
    for (int l = 1; l <= kMaxHuffmanCodeBits; ++l) {
        code = (code + (l > 1 ? count_[size_t(l - 1)] : 0)) << 1;
        if (l == 1) code = 0;
        first_[size_t(l)] = code;
        start_[size_t(l)] = start;
        start += count_[size_t(l)];
    }
}

uint32_t EntryReader::bit() {
    if (pos_ >= e_.stream_bits)
        throw CodecError(pos_ / 8, "the stream ends inside an entry (bit " + std::to_string(pos_) + " of " +
                                       std::to_string(e_.stream_bits) + ")");
    const uint32_t b = (e_.stream[size_t(pos_ / 8)] >> (pos_ % 8)) & 1u;
    ++pos_;
    return b;
}

CodedEntry EntryReader::next() {
    const uint64_t at = pos_;
    if (e_.encoding == WeightEncoding::RunLength) {
        const uint32_t sign = bit();
        uint32_t mag = 0;
        for (int i = 0; i < e_.delta_bits; ++i) mag |= bit() << i;
        if (mag == 0) return {sign ? EntryKind::EndOfRow : EntryKind::Skip, 0, 0};
        return {EntryKind::Weight, mag, int8_t(sign ? -1 : 1)};
    }
    uint32_t code = 0;
    for (int l = 1; l <= kMaxHuffmanCodeBits; ++l) {
        code = (code << 1) | bit();
        if (count_[size_t(l)] > 0 && code >= first_[size_t(l)] && code - first_[size_t(l)] < count_[size_t(l)]) {
            const uint32_t sym = symbols_[start_[size_t(l)] + (code - first_[size_t(l)])];
            if (sym == 0) return {EntryKind::Skip, 0, 0};
            if (sym == max_delta_ + 1) return {EntryKind::EndOfRow, 0, 0};
            const uint32_t sign = bit();
            return {EntryKind::Weight, sym, int8_t(sign ? -1 : 1)};
        }
    }
    throw CodecError(at / 8, "no Huffman code matches the bits at stream bit " + std::to_string(at));
}

std::vector<uint8_t> serialize_encoded(const EncodedWeights& e) {
    std::vector<uint8_t> out;
    put_le(out, uint64_t(e.delta_bits), 1);
    if (e.encoding == WeightEncoding::RunLength) {
        put_le(out, e.entries, 8);
    } else {
        put_le(out, e.table.size(), 4);
        for (const auto& s : e.table) {
            put_le(out, s.symbol, 2);
            put_le(out, s.length, 1);
        }
        put_le(out, e.stream_bits, 8);
    }
    out.insert(out.end(), e.stream.begin(), e.stream.end());
    return out;
}

EncodedWeights parse_encoded(const uint8_t* data, uint64_t size, WeightEncoding encoding, int64_t rows,
                             int64_t fan_in) {
    uint64_t pos = 0;
    auto need = [&](uint64_t n, const char* what) {
        if (size - pos < n || pos > size)
            throw CodecError(pos, std::string("truncated: ") + what + " needs " + std::to_string(n) +
                                      " bytes, the weight section ends at byte " + std::to_string(size));
    };
    auto get = [&](int n, const char* what) {
        need(uint64_t(n), what);
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= uint64_t(data[pos + uint64_t(i)]) << (8 * i);
        pos += uint64_t(n);
        return v;
    };
    EncodedWeights e;
    e.encoding = encoding;
    e.rows = rows;
    e.fan_in = fan_in;
    e.delta_bits = int(get(1, "delta_bits"));
    if (e.delta_bits < kMinDeltaBits || e.delta_bits > kMaxDeltaBits)
        throw CodecError(0, "delta_bits must be in 1..15, file has " + std::to_string(e.delta_bits));
    const uint32_t m = max_delta(e.delta_bits);
    if (encoding == WeightEncoding::RunLength) {
        const uint64_t at = pos;
        const uint64_t entries = get(8, "entry_count");
        const uint64_t width = 1 + uint64_t(e.delta_bits);
        if (entries > (uint64_t(1) << 56) / width)
            throw CodecError(at, "entry_count " + std::to_string(entries) + " is too large");
        e.stream_bits = entries * width;
    } else {
        const uint64_t at = pos;
        const uint64_t count = get(4, "symbol_count");
        if (count == 0 || count > uint64_t(m) + 2)
            throw CodecError(at, "symbol_count must be in 1.." + std::to_string(m + 2) + " for delta_bits " +
                                     std::to_string(e.delta_bits) + ", file has " + std::to_string(count));
        need(count * 3, "the code table");
        long double kraft = 0;
        for (uint64_t i = 0; i < count; ++i) {
            const uint64_t sat = pos;
            HuffmanSymbol s;
            s.symbol = uint16_t(get(2, "symbol"));
            s.length = uint8_t(get(1, "length"));
            if (s.symbol > m + 1)
                throw CodecError(sat, "symbol " + std::to_string(s.symbol) + " outside 0.." + std::to_string(m + 1));
            if (!e.table.empty() && s.symbol <= e.table.back().symbol)
                throw CodecError(sat, "symbols must be in increasing order (" + std::to_string(s.symbol) +
                                          " after " + std::to_string(e.table.back().symbol) + ")");
            if (s.length < 1 || s.length > kMaxHuffmanCodeBits)
                throw CodecError(sat + 2, "code length " + std::to_string(s.length) + " of symbol " +
                                              std::to_string(s.symbol) + " outside 1..24");
            kraft += 1.0L / (long double)(uint64_t(1) << s.length);
            e.table.push_back(s);
        }
        if (kraft > 1.0L) throw CodecError(at, "the code lengths are not a prefix code (Kraft sum > 1)");
        e.stream_bits = get(8, "stream_bits");
    }
    const uint64_t bytes = (e.stream_bits + 7) / 8;
    const uint64_t stream_at = pos;
    need(bytes, "the stream");
    if (size - pos != bytes)
        throw CodecError(pos + bytes, "the weight section has " + std::to_string(size - pos - bytes) +
                                          " bytes after the stream");
    e.stream.assign(data + pos, data + pos + bytes);
    if (e.stream_bits % 8 != 0 && (e.stream.back() >> (e.stream_bits % 8)) != 0)
        throw CodecError(stream_at + bytes - 1, "padding bits after the stream must be 0");
    try {
        const Walk w = walk(e, false);
        e.entries = w.entries;
        e.nonzeros = w.nonzeros;
        e.skips = w.skips;
        e.row_entry_counts = w.row_counts;
    } catch (const CodecError& err) {
        throw CodecError(stream_at + err.offset(), err.message());
    }
    return e;
}

CompressedSizes compressed_sizes(const int8_t* weights, int64_t rows, int64_t fan_in, int delta_bits) {
    CompressedSizes s;
    s.delta_bits = delta_bits;
    s.weights = uint64_t(rows * fan_in);
    s.packed_bits = 2 * s.weights;
    const EncodedWeights rle = encode_ternary(weights, rows, fan_in, WeightEncoding::RunLength, delta_bits);
    s.nonzeros = rle.nonzeros;
    s.rle_entries = rle.entries;
    s.rle_bits = rle.stored_bits();
    s.huffman_bits = encode_ternary(weights, rows, fan_in, WeightEncoding::Huffman, delta_bits).stored_bits();
    s.huffman_delta_bits = delta_bits;
    return s;
}

CompressedSizes smallest_sizes(const int8_t* weights, int64_t rows, int64_t fan_in) {
    const int b = best_delta_bits(weights, rows, fan_in);
    CompressedSizes s = compressed_sizes(weights, rows, fan_in, b);
    for (int hb : {std::min(b + 2, kMaxDeltaBits), kMaxDeltaBits}) {
        if (hb == s.huffman_delta_bits) continue;
        const uint64_t bits = encode_ternary(weights, rows, fan_in, WeightEncoding::Huffman, hb).stored_bits();
        if (bits < s.huffman_bits) {
            s.huffman_bits = bits;
            s.huffman_delta_bits = hb;
        }
    }
    return s;
}

int best_delta_bits(const int8_t* weights, int64_t rows, int64_t fan_in) {
    // Entries per delta width from the gaps alone, without building every stream.
    std::vector<uint64_t> bits(kMaxDeltaBits + 1, 0);
    for (int b = kMinDeltaBits; b <= kMaxDeltaBits; ++b) {
        const uint64_t m = max_delta(b);
        uint64_t entries = 0;
        for (int64_t r = 0; r < rows; ++r) {
            int64_t prev = -1;
            for (int64_t s = 0; s < fan_in; ++s) {
                if (weights[r * fan_in + s] == 0) continue;
                entries += 1 + uint64_t(s - prev - 1) / m;
                prev = s;
            }
            ++entries;
        }
        bits[size_t(b)] = entries * uint64_t(1 + b);
    }
    int best = kMinDeltaBits;
    for (int b = kMinDeltaBits; b <= kMaxDeltaBits; ++b)
        if (bits[size_t(b)] < bits[size_t(best)]) best = b;
    return best;
}

}  // namespace qsim
