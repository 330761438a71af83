#include "models/network/npy.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "models/common/output_file.hpp"

namespace qsim {

namespace {

const char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
const char* const kSupported = "<f4, <f8, |i1, <i2, <i4, <i8, |u1";

uint64_t load_le(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

bool dtype_from_descr(const std::string& d, NpyDtype& out) {
    if (d == "<f4") out = NpyDtype::F4;
    else if (d == "<f8") out = NpyDtype::F8;
    else if (d == "|i1" || d == "<i1") out = NpyDtype::I1;
    else if (d == "<i2") out = NpyDtype::I2;
    else if (d == "<i4") out = NpyDtype::I4;
    else if (d == "<i8") out = NpyDtype::I8;
    else if (d == "|u1" || d == "<u1") out = NpyDtype::U1;
    else return false;
    return true;
}

std::string printable(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    std::ostringstream os;
    os << "byte 0x" << std::hex << (unsigned(uint8_t(c)) < 16 ? "0" : "") << unsigned(uint8_t(c));
    return os.str();
}

// Parser of the Python dict literal in the header, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
public:
    HeaderParser(const std::string& name, const std::string& text, uint64_t base)
        : name_(name), s_(text), base_(base) {}

    void parse(std::string& descr, uint64_t& descr_off, bool& fortran, uint64_t& shape_off,
               std::vector<size_t>& shape) {
        bool have_descr = false, have_fortran = false, have_shape = false;
        skip_ws();
        expect('{', "'{' opening the header dictionary");
        for (;;) {
            skip_ws();
            if (peek() == '}') {
                ++i_;
                break;
            }
            uint64_t key_off = off();
            std::string key = parse_string("a quoted key ('descr', 'fortran_order' or 'shape')");
            skip_ws();
            expect(':', "':' after key '" + key + "'");
            skip_ws();
            if (key == "descr") {
                if (have_descr) fail(key_off, "duplicate key 'descr'");
                have_descr = true;
                descr_off = off();
                if (peek() != '\'' && peek() != '"')
                    fail(off(), "unsupported dtype: expected a simple dtype string (one of " +
                                    std::string(kSupported) + "), structured dtypes are not supported");
                descr = parse_string("a dtype string");
            } else if (key == "fortran_order") {
                if (have_fortran) fail(key_off, "duplicate key 'fortran_order'");
                have_fortran = true;
                fortran = parse_bool();
            } else if (key == "shape") {
                if (have_shape) fail(key_off, "duplicate key 'shape'");
                have_shape = true;
                shape_off = off();
                shape = parse_shape();
            } else {
                fail(key_off, "unexpected header key '" + key +
                                  "': expected 'descr', 'fortran_order' or 'shape'");
            }
            skip_ws();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            skip_ws();
            expect('}', "',' or '}' in the header dictionary");
            break;
        }
        skip_ws();
        if (i_ != s_.size())
            fail(off(), "unexpected " + printable(s_[i_]) +
                            " after the header dictionary: expected only spaces and a newline");
        if (!have_descr) fail(base_, "header has no 'descr' key: expected the dtype");
        if (!have_fortran) fail(base_, "header has no 'fortran_order' key");
        if (!have_shape) fail(base_, "header has no 'shape' key: expected the shape tuple");
    }

private:
    [[noreturn]] void fail(uint64_t offset, const std::string& msg) const {
        throw NpyError(name_, offset, msg);
    }
    uint64_t off() const { return base_ + i_; }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    std::string got() const {
        return i_ < s_.size() ? printable(s_[i_]) : std::string("end of header");
    }
    void expect(char c, const std::string& what) {
        if (peek() != c || i_ >= s_.size()) fail(off(), "expected " + what + ", found " + got());
        ++i_;
    }
    std::string parse_string(const std::string& what) {
        char q = peek();
        if (q != '\'' && q != '"') fail(off(), "expected " + what + ", found " + got());
        uint64_t start = off();
        ++i_;
        std::string r;
        while (i_ < s_.size() && s_[i_] != q) r += s_[i_++];
        if (i_ >= s_.size()) fail(start, "unterminated string in header: expected closing quote");
        ++i_;
        return r;
    }
    bool parse_bool() {
        if (s_.compare(i_, 4, "True") == 0) {
            i_ += 4;
            return true;
        }
        if (s_.compare(i_, 5, "False") == 0) {
            i_ += 5;
            return false;
        }
        fail(off(), "expected True or False for 'fortran_order', found " + got());
    }
    std::vector<size_t> parse_shape() {
        std::vector<size_t> dims;
        expect('(', "'(' opening the shape tuple");
        for (;;) {
            skip_ws();
            if (peek() == ')') {
                ++i_;
                break;
            }
            uint64_t start = off();
            if (!(peek() >= '0' && peek() <= '9'))
                fail(start, "expected a non-negative integer dimension in the shape tuple, found " + got());
            uint64_t v = 0;
            while (peek() >= '0' && peek() <= '9') {
                uint64_t d = uint64_t(peek() - '0');
                if (v > (std::numeric_limits<uint64_t>::max() - d) / 10)
                    fail(start, "shape dimension too large");
                v = v * 10 + d;
                ++i_;
            }
            if (peek() == 'L') ++i_;  // Python 2 long suffix
            dims.push_back(size_t(v));
            skip_ws();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            skip_ws();
            expect(')', "',' or ')' in the shape tuple");
            break;
        }
        return dims;
    }

    const std::string& name_;
    const std::string& s_;
    uint64_t base_;
    size_t i_ = 0;
};

void store_le(std::vector<uint8_t>& out, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

}  // namespace

const char* npy_descr(NpyDtype t) {
    switch (t) {
        case NpyDtype::F4: return "<f4";
        case NpyDtype::F8: return "<f8";
        case NpyDtype::I1: return "|i1";
        case NpyDtype::I2: return "<i2";
        case NpyDtype::I4: return "<i4";
        case NpyDtype::I8: return "<i8";
        case NpyDtype::U1: return "|u1";
    }
    return "?";
}

size_t npy_item_size(NpyDtype t) {
    switch (t) {
        case NpyDtype::F4: return 4;
        case NpyDtype::F8: return 8;
        case NpyDtype::I1: return 1;
        case NpyDtype::I2: return 2;
        case NpyDtype::I4: return 4;
        case NpyDtype::I8: return 8;
        case NpyDtype::U1: return 1;
    }
    return 0;
}

std::string NpyArray::shape_string() const {
    std::ostringstream os;
    os << '(';
    for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
    if (shape.size() == 1) os << ',';
    os << ')';
    return os.str();
}

namespace {

// The header of a .npy file of `file_size` bytes whose first `avail` bytes are at `b` (the magic,
// version, header length and header dictionary, as far as the file holds them): fills a's
// shape, dtype and offsets, checks the data size against the file, and returns the element
// count and the dtype's descr.
uint64_t parse_header(const uint8_t* b, uint64_t avail, uint64_t file_size, const std::string& name, NpyArray& a,
                      std::string& descr) {
    const uint64_t size = file_size;
    auto byte = [&](uint64_t i) -> uint8_t {
        if (i >= avail) throw NpyError(name, i, "internal: header byte not read");
        return b[i];
    };
    for (size_t i = 0; i < 6; ++i) {
        if (i >= size)
            throw NpyError(name, i, "truncated file: expected the 6-byte magic \\x93NUMPY, file has " +
                                        std::to_string(size) + " bytes");
        if (byte(i) != uint8_t(kMagic[i]))
            throw NpyError(name, i, "bad magic: expected \\x93NUMPY at the start of a .npy file");
    }
    if (size < 8)
        throw NpyError(name, 6, "truncated file: expected 2 version bytes, file has " +
                                    std::to_string(size) + " bytes");
    unsigned major = byte(6), minor = byte(7);
    if ((major < 1 || major > 3) || minor != 0)
        throw NpyError(name, 6, "unsupported format version " + std::to_string(major) + "." +
                                    std::to_string(minor) + ": expected 1.0, 2.0 or 3.0");
    const size_t len_bytes = major == 1 ? 2 : 4;
    if (size < 8 + len_bytes)
        throw NpyError(name, 8, "truncated file: expected a " + std::to_string(len_bytes) +
                                    "-byte header length, file has " + std::to_string(size) + " bytes");
    if (avail < 8 + len_bytes) byte(8 + len_bytes - 1);
    const uint64_t header_len = load_le(&b[8], len_bytes);
    const uint64_t header_off = 8 + len_bytes;
    a.header_offset = header_off;
    if (size - header_off < header_len)
        throw NpyError(name, header_off, "truncated header: expected " + std::to_string(header_len) +
                                             " header bytes, file has " +
                                             std::to_string(size - header_off));
    if (avail < header_off + header_len) byte(header_off + header_len - 1);
    std::string text(b + header_off, b + header_off + header_len);
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\0')
            throw NpyError(name, header_off + i, "NUL byte in header: expected ASCII text");

    uint64_t descr_off = header_off, shape_off = header_off;
    bool fortran = false;
    HeaderParser(name, text, header_off).parse(descr, descr_off, fortran, shape_off, a.shape);
    if (!dtype_from_descr(descr, a.dtype))
        throw NpyError(name, descr_off, "unsupported dtype '" + descr + "': expected one of " + kSupported);
    if (fortran)
        throw NpyError(name, header_off,
                       "fortran_order is True: expected a C-order (row-major) array; save with "
                       "numpy.ascontiguousarray");

    uint64_t count = 1;
    for (size_t d : a.shape) {
        if (d != 0 && count > std::numeric_limits<uint64_t>::max() / 16 / d)
            throw NpyError(name, shape_off, "shape " + a.shape_string() + " is too large");
        count *= d;
    }
    const size_t item = npy_item_size(a.dtype);
    const uint64_t need = count * item;
    a.data_offset = header_off + header_len;
    const uint64_t have = size - a.data_offset;
    if (have < need)
        throw NpyError(name, size,
                       "truncated data: expected " + std::to_string(need) + " bytes for shape " +
                           a.shape_string() + " of " + descr + " starting at @" +
                           std::to_string(a.data_offset) + ", file has " + std::to_string(have));
    if (have > need)
        throw NpyError(name, a.data_offset + need,
                       "shape/size mismatch: shape " + a.shape_string() + " of " + descr + " needs " +
                           std::to_string(need) + " data bytes, file has " + std::to_string(have) +
                           " (" + std::to_string(have - need) + " bytes of trailing data)");
    return count;
}

}  // namespace

NpyArray parse_npy(const std::vector<uint8_t>& b, const std::string& name) {
    NpyArray a;
    std::string descr;
    const uint64_t count = parse_header(b.data(), b.size(), b.size(), name, a, descr);
    const size_t item = npy_item_size(a.dtype);
    a.values.resize(size_t(count));
    const uint8_t* p = b.data() + a.data_offset;
    for (size_t i = 0; i < a.values.size(); ++i, p += item) {
        uint64_t raw = load_le(p, item);
        double v = 0;
        switch (a.dtype) {
            case NpyDtype::F4: {
                uint32_t u = uint32_t(raw);
                float f;
                std::memcpy(&f, &u, 4);
                v = f;
                break;
            }
            case NpyDtype::F8: std::memcpy(&v, &raw, 8); break;
            case NpyDtype::I1: v = int8_t(uint8_t(raw)); break;
            case NpyDtype::I2: v = int16_t(uint16_t(raw)); break;
            case NpyDtype::I4: v = int32_t(uint32_t(raw)); break;
            case NpyDtype::I8: v = double(int64_t(raw)); break;
            case NpyDtype::U1: v = uint8_t(raw); break;
        }
        a.values[i] = v;
    }
    return a;
}

NpyArray read_npy_header(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw NpyError(path, 0, "cannot read: not a regular file (a directory, a device or a pipe)");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw NpyError(path, 0, std::string("cannot open file: ") + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff end = in.tellg();
    if (end < 0) throw NpyError(path, 0, "cannot read the file's size");
    const uint64_t size = uint64_t(end);
    in.seekg(0);
    // The fixed part (magic, version, header length), then the header dictionary.
    std::vector<uint8_t> head(size_t(std::min<uint64_t>(size, 12)));
    in.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size()));
    if (head.size() >= 10 && head[0] == uint8_t(kMagic[0])) {
        const size_t len_bytes = head[6] == 1 ? 2 : 4;
        const uint64_t header_end = 8 + len_bytes + (head.size() >= 8 + len_bytes ? load_le(&head[8], len_bytes) : 0);
        const size_t total = size_t(std::min(size, header_end));
        if (total > head.size()) {
            const size_t have = head.size();
            head.resize(total);
            in.read(reinterpret_cast<char*>(head.data() + have), std::streamsize(total - have));
        }
    }
    if (in.bad()) throw NpyError(path, 0, "read error");
    NpyArray a;
    std::string descr;
    parse_header(head.data(), head.size(), size, path, a, descr);
    return a;
}

NpyArray read_npy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw NpyError(path, 0, std::string("cannot open file: ") + std::strerror(errno));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw NpyError(path, bytes.size(), "read error");
    return parse_npy(bytes, path);
}

std::vector<uint8_t> make_npy(const std::vector<size_t>& shape, const std::vector<double>& values,
                              NpyDtype dtype) {
    size_t count = 1;
    for (size_t d : shape) count *= d;
    if (count != values.size())
        throw std::invalid_argument("make_npy: shape has " + std::to_string(count) +
                                    " elements but " + std::to_string(values.size()) + " values given");
    std::ostringstream h;
    h << "{'descr': '" << npy_descr(dtype) << "', 'fortran_order': False, 'shape': (";
    for (size_t i = 0; i < shape.size(); ++i) h << (i ? ", " : "") << shape[i];
    if (shape.size() == 1) h << ',';
    h << "), }";
    std::string header = h.str();
    // Pad with spaces so that the data starts on a 64-byte boundary; end with a newline.
    size_t len_bytes = 2;
    if (header.size() + 64 > 65535) len_bytes = 4;
    const size_t prefix = 8 + len_bytes;
    size_t total = prefix + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');

    std::vector<uint8_t> out(kMagic, kMagic + 6);
    out.push_back(len_bytes == 2 ? 1 : 2);
    out.push_back(0);
    store_le(out, header.size(), len_bytes);
    out.insert(out.end(), header.begin(), header.end());

    const size_t item = npy_item_size(dtype);
    for (size_t i = 0; i < values.size(); ++i) {
        double v = values[i];
        uint64_t raw = 0;
        if (dtype == NpyDtype::F4) {
            float f = float(v);
            uint32_t u;
            std::memcpy(&u, &f, 4);
            raw = u;
        } else if (dtype == NpyDtype::F8) {
            std::memcpy(&raw, &v, 8);
        } else {
            double lo = 0, hi = 0;
            switch (dtype) {
                case NpyDtype::I1: lo = -128; hi = 127; break;
                case NpyDtype::I2: lo = -32768; hi = 32767; break;
                case NpyDtype::I4: lo = -2147483648.0; hi = 2147483647.0; break;
                case NpyDtype::I8: lo = -9223372036854775808.0; hi = 9223372036854775807.0; break;
                case NpyDtype::U1: lo = 0; hi = 255; break;
                default: break;
            }
            double r = std::round(v);
            if (!(r >= lo && r <= hi) || (dtype == NpyDtype::I8 && r >= 9223372036854775807.0))
                throw std::invalid_argument("make_npy: value " + std::to_string(v) + " at index " +
                                            std::to_string(i) + " does not fit " + npy_descr(dtype));
            raw = uint64_t(int64_t(r));
        }
        store_le(out, raw, item);
    }
    return out;
}

void write_npy(const std::string& path, const std::vector<size_t>& shape,
               const std::vector<double>& values, NpyDtype dtype) {
    std::vector<uint8_t> bytes = make_npy(shape, values, dtype);
    write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

void write_npy_f32(const std::string& path, const std::vector<size_t>& shape,
                   const std::vector<float>& values) {
    write_npy(path, shape, std::vector<double>(values.begin(), values.end()), NpyDtype::F4);
}

}  // namespace qsim
