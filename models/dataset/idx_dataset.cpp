#include "models/dataset/idx_dataset.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace qsim {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;

std::string hex(uint32_t v, int digits) {
    std::ostringstream s;
    s << "0x" << std::hex;
    s.width(digits);
    s.fill('0');
    s << v;
    return s.str();
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | uint32_t(b[at + 3]);
}

// Checks magic, data type and dimension count; returns the dimensions and the header size.
std::vector<uint32_t> parse_header(const std::vector<uint8_t>& b, const std::string& name, int ndims,
                                   const char* what, size_t& header) {
    const uint32_t expected_magic = uint32_t(kUnsignedByte) << 8 | uint32_t(ndims);
    if (b.size() < 4)
        throw DatasetError(name, "truncated: " + std::to_string(b.size()) +
                                     " bytes, an IDX file starts with a 4-byte magic number");
    const uint32_t magic = be32(b, 0);
    if (b[0] != 0 || b[1] != 0)
        throw DatasetError(name, "bad magic " + hex(magic, 8) + ": expected " + hex(expected_magic, 8) +
                                     " (" + what + "); not an IDX file");
    if (b[2] != kUnsignedByte)
        throw DatasetError(name, "data type " + hex(b[2], 2) + " (magic " + hex(magic, 8) +
                                     ") is not supported: expected 0x08 (unsigned byte)");
    if (b[3] != ndims)
        throw DatasetError(name, "wrong dimensions: the file has " + std::to_string(b[3]) +
                                     " dimension(s) (magic " + hex(magic, 8) + "), " + what +
                                     " have " + std::to_string(ndims));
    header = 4 + 4 * size_t(ndims);
    if (b.size() < header)
        throw DatasetError(name, "truncated header: " + std::to_string(b.size()) + " bytes, the " +
                                     std::to_string(ndims) + " dimension sizes end at byte " +
                                     std::to_string(header));
    std::vector<uint32_t> dims(static_cast<size_t>(ndims));
    for (int i = 0; i < ndims; ++i) dims[size_t(i)] = be32(b, 4 + 4 * size_t(i));
    return dims;
}

std::string dims_string(const std::vector<uint32_t>& d) {
    std::string s;
    for (size_t i = 0; i < d.size(); ++i) s += (i ? " x " : "") + std::to_string(d[i]);
    return s;
}

// The bytes of `count` items of a file with dimensions `dims` (an item: the product of all but
// the first); refused when an item, or the items, would be larger than kMaxIdxBytes, or more
// items than an int counts. Whole and partial reads, in memory or streamed, share this rule.
uint64_t items_bytes(const std::vector<uint32_t>& dims, uint64_t count, const std::string& name) {
    uint64_t item = 1;
    for (size_t i = 1; i < dims.size(); ++i) item *= dims[i];  // at most two factors < 2^32
    if (item > kMaxIdxBytes || count > kMaxIdxBytes / item || count > uint64_t(INT32_MAX))
        throw DatasetError(name, "wrong dims: " + dims_string(dims) + " is larger than " + std::to_string(kMaxIdxBytes) +
                                     " bytes");
    return count * item;
}

// The data must be exactly the product of the dimensions.
void check_data_size(const std::vector<uint8_t>& b, const std::string& name,
                     const std::vector<uint32_t>& dims, size_t header) {
    const uint64_t need = items_bytes(dims, dims[0], name);
    const uint64_t have = b.size() - header;
    if (have < need)
        throw DatasetError(name, "truncated: dims " + dims_string(dims) + " need " + std::to_string(need) +
                                     " data bytes after the " + std::to_string(header) +
                                     "-byte header, the file has " + std::to_string(have));
    if (have > need)
        throw DatasetError(name, "trailing data: dims " + dims_string(dims) + " need " +
                                     std::to_string(need) + " data bytes after the " +
                                     std::to_string(header) + "-byte header, the file has " +
                                     std::to_string(have));
}

}  // namespace

std::vector<uint8_t> read_gzip_file(const std::string& path) {
    errno = 0;
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw DatasetError(path, std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"));
    std::vector<uint8_t> out;
    std::vector<uint8_t> chunk(1 << 16);
    for (;;) {
        const int n = gzread(f, chunk.data(), unsigned(chunk.size()));
        if (n < 0) break;  // reported below
        if (n == 0) break;
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
        if (out.size() > kMaxIdxBytes) {
            gzclose(f);
            throw DatasetError(path, "larger than " + std::to_string(kMaxIdxBytes) + " bytes uncompressed");
        }
    }
    int err = Z_OK;
    const char* msg = gzerror(f, &err);
    const std::string message = msg ? msg : "";
    gzclose(f);
    if (err == Z_ERRNO)
        throw DatasetError(path, std::string("read error: ") + std::strerror(errno));
    if (err != Z_OK && err != Z_STREAM_END)
        throw DatasetError(path, "corrupt or truncated gzip stream: " + message);
    return out;
}

IdxImages parse_idx_images(const std::vector<uint8_t>& bytes, const std::string& name) {
    size_t header = 0;
    const auto dims = parse_header(bytes, name, 3, "image files (count x rows x cols)", header);
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > 0x7FFFFFFF || dims[2] > 0x7FFFFFFF)
        throw DatasetError(name, "wrong dims: images of " + std::to_string(dims[1]) + " x " +
                                     std::to_string(dims[2]) + " pixels");
    check_data_size(bytes, name, dims, header);
    IdxImages im;
    im.file = name;
    im.count = int(dims[0]);
    im.rows = int(dims[1]);
    im.cols = int(dims[2]);
    im.pixels.assign(bytes.begin() + ptrdiff_t(header), bytes.end());
    return im;
}

IdxLabels parse_idx_labels(const std::vector<uint8_t>& bytes, const std::string& name) {
    size_t header = 0;
    const auto dims = parse_header(bytes, name, 1, "label files (count)", header);
    check_data_size(bytes, name, dims, header);
    IdxLabels l;
    l.file = name;
    l.labels.assign(bytes.begin() + ptrdiff_t(header), bytes.end());
    return l;
}

namespace {

// A gzipped or plain regular file read through zlib, a few bytes at a time.
class IdxStream {
public:
    explicit IdxStream(std::string path) : path_(std::move(path)) {
        struct stat st {};
        if (::stat(path_.c_str(), &st) != 0) throw DatasetError(path_, std::string("cannot open: ") + std::strerror(errno));
        if (S_ISDIR(st.st_mode)) throw DatasetError(path_, "cannot read: it is a directory");
        if (!S_ISREG(st.st_mode)) throw DatasetError(path_, "cannot read: it is not a regular file (a device or a pipe)");
        errno = 0;
        f_ = gzopen(path_.c_str(), "rb");
        if (!f_) throw DatasetError(path_, std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"));
    }
    ~IdxStream() { gzclose(f_); }
    IdxStream(const IdxStream&) = delete;
    IdxStream& operator=(const IdxStream&) = delete;

    // Up to `n` bytes appended to `out`; fewer only at the end of the data.
    uint64_t read(std::vector<uint8_t>& out, uint64_t n) {
        uint64_t got = 0;
        std::vector<uint8_t> chunk(size_t(std::min<uint64_t>(n, 1 << 16)));
        while (got < n) {
            const int k = gzread(f_, chunk.data(), unsigned(std::min<uint64_t>(chunk.size(), n - got)));
            if (k < 0) check();
            if (k <= 0) break;
            out.insert(out.end(), chunk.begin(), chunk.begin() + k);
            got += uint64_t(k);
        }
        check();
        return got;
    }
    // Bytes left after what was read, counted up to `cap`.
    uint64_t count_rest(uint64_t cap) {
        std::vector<uint8_t> sink;
        uint64_t total = 0;
        for (;;) {
            sink.clear();
            const uint64_t k = read(sink, 1 << 16);
            total += k;
            if (k == 0 || total > cap) return total;
        }
    }

private:
    void check() {
        int err = Z_OK;
        const char* msg = gzerror(f_, &err);
        if (err == Z_ERRNO) throw DatasetError(path_, std::string("read error: ") + std::strerror(errno));
        if (err != Z_OK && err != Z_STREAM_END)
            throw DatasetError(path_, std::string("corrupt or truncated gzip stream: ") + (msg ? msg : ""));
    }
    std::string path_;
    gzFile f_ = nullptr;
};

// The header of an open stream: its bytes, the dimensions, and their checks.
std::vector<uint32_t> stream_header(IdxStream& in, const std::string& name, int ndims, const char* what,
                                    std::vector<uint8_t>& head, size_t& header) {
    in.read(head, 4);
    if (head.size() >= 4) in.read(head, 4 * uint64_t(head[3]));  // the dimension sizes the file says it has
    return parse_header(head, name, ndims, what, header);
}

void check_image_dims(const std::vector<uint32_t>& dims, const std::string& name) {
    if (dims[1] == 0 || dims[2] == 0 || dims[1] > 0x7FFFFFFF || dims[2] > 0x7FFFFFFF)
        throw DatasetError(name, "wrong dims: images of " + std::to_string(dims[1]) + " x " + std::to_string(dims[2]) +
                                     " pixels");
    (void)items_bytes(dims, 0, name);  // one image must fit, whatever the count
}

// The first `limit` items of a file with dimensions `dims` (item = the product of all but the first).
std::vector<uint8_t> read_items(IdxStream& in, const std::string& name, const std::vector<uint32_t>& dims, size_t header,
                                uint64_t limit) {
    const uint64_t count = std::min<uint64_t>(limit, dims[0]);
    const uint64_t need = items_bytes(dims, count, name);
    std::vector<uint8_t> data;
    const uint64_t have = in.read(data, need);
    const bool all = count == dims[0];
    if (have < need) {
        throw DatasetError(name, "truncated: dims " + dims_string(dims) + (all ? "" : " (the first " + std::to_string(count) + ")") +
                                     " need " + std::to_string(need) + " data bytes after the " + std::to_string(header) +
                                     "-byte header, the file has " + std::to_string(have));
    }
    if (all) {
        const uint64_t extra = in.count_rest(kMaxIdxBytes);
        if (extra > 0)
            throw DatasetError(name, "trailing data: dims " + dims_string(dims) + " need " + std::to_string(need) +
                                         " data bytes after the " + std::to_string(header) + "-byte header, the file has " +
                                         std::to_string(have + extra));
    }
    return data;
}

}  // namespace

IdxHeader read_idx_image_header(const std::string& path) {
    IdxStream in(path);
    std::vector<uint8_t> head;
    size_t header = 0;
    const auto dims = stream_header(in, path, 3, "image files (count x rows x cols)", head, header);
    check_image_dims(dims, path);
    return {dims[0], dims[1], dims[2]};
}

IdxHeader read_idx_label_header(const std::string& path) {
    IdxStream in(path);
    std::vector<uint8_t> head;
    size_t header = 0;
    const auto dims = stream_header(in, path, 1, "label files (count)", head, header);
    return {dims[0], 1, 1};
}

IdxImages read_idx_images(const std::string& path, uint64_t limit) {
    IdxStream in(path);
    std::vector<uint8_t> head;
    size_t header = 0;
    const auto dims = stream_header(in, path, 3, "image files (count x rows x cols)", head, header);
    check_image_dims(dims, path);
    IdxImages im;
    im.file = path;
    im.pixels = read_items(in, path, dims, header, limit);
    im.count = int(std::min<uint64_t>(limit, dims[0]));
    im.rows = int(dims[1]);
    im.cols = int(dims[2]);
    return im;
}

IdxLabels read_idx_labels(const std::string& path, uint64_t limit) {
    IdxStream in(path);
    std::vector<uint8_t> head;
    size_t header = 0;
    const auto dims = stream_header(in, path, 1, "label files (count)", head, header);
    IdxLabels l;
    l.file = path;
    l.labels = read_items(in, path, dims, header, limit);
    return l;
}

void check_dataset_input(const IdxImages& images, const InputConfig& input) {
    const FmShape& s = input.shape;
    if (s.height != images.rows || s.width != images.cols || s.channels != 1)
        throw DatasetError(images.file, "images are " + std::to_string(images.rows) + " x " +
                                            std::to_string(images.cols) + " x 1 but the network input is " +
                                            std::to_string(s.height) + " x " + std::to_string(s.width) +
                                            " x " + std::to_string(s.channels));
    if (input.is_signed || input.bits < 8)
        throw DatasetError(images.file, "pixels are unsigned 8-bit codes but the network input is " +
                                            std::string(input.is_signed ? "signed " : "unsigned ") +
                                            std::to_string(input.bits) + "-bit");
}

FeatureMap dataset_frame(const IdxImages& images, int index, const InputConfig& input) {
    check_dataset_input(images, input);
    if (index < 0 || index >= images.count)
        throw DatasetError(images.file, "image " + std::to_string(index) + " requested, the file holds " +
                                            std::to_string(images.count));
    FeatureMap fm(input.shape);
    const uint8_t* p = images.image(index);
    for (size_t i = 0; i < fm.data.size(); ++i) fm.data[i] = int32_t(p[i]);  // HWC with C = 1
    return fm;
}

std::vector<FeatureMap> dataset_frames(const IdxImages& images, int first, int count,
                                       const InputConfig& input) {
    check_dataset_input(images, input);
    if (first < 0 || count < 0 || int64_t(first) + count > images.count)
        throw DatasetError(images.file, "images " + std::to_string(first) + " .. " +
                                            std::to_string(int64_t(first) + count - 1) +
                                            " requested, the file holds " + std::to_string(images.count));
    std::vector<FeatureMap> frames;
    frames.reserve(size_t(count));
    for (int i = 0; i < count; ++i) frames.push_back(dataset_frame(images, first + i, input));
    return frames;
}

int predicted_class(const FeatureMap& output, bool label_select) {
    if (output.data.empty() || output.shape.height != 1 || output.shape.width != 1 ||
        int64_t(output.data.size()) != output.shape.channels)
        throw std::invalid_argument("predicted_class: expected a 1 x 1 x C output map");
    if (label_select) return output.data.front();
    int best = 0;
    for (int c = 1; c < output.shape.channels; ++c)
        if (output.data[size_t(c)] > output.data[size_t(best)]) best = c;
    return best;
}

namespace {

// Text for a one-line message: bytes outside printable ASCII as \xNN.
std::string printable(const std::string& s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char ch : s) {
        if (ch >= 0x20 && ch < 0x7f) {
            out.push_back(char(ch));
        } else {
            out += "\\x";
            out.push_back(hex[ch >> 4]);
            out.push_back(hex[ch & 15]);
        }
    }
    return out;
}

}  // namespace

std::vector<int> read_reference_predictions(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw DatasetError(path, std::string("cannot open: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw DatasetError(path, "cannot read: it is not a regular file");
    if (uint64_t(st.st_size) > kMaxPredictionBytes)
        throw DatasetError(path, "has " + std::to_string(st.st_size) + " bytes, more than the " +
                                     std::to_string(kMaxPredictionBytes) + " a list of predictions may have");
    std::ifstream in(path);
    if (!in) throw DatasetError(path, std::string("cannot open: ") + std::strerror(errno));
    std::vector<int> out;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] == '#') continue;
        bool ok = !line.empty() && line.size() <= 9;
        for (char ch : line) ok = ok && ch >= '0' && ch <= '9';
        if (!ok)
            throw DatasetError(path, "line " + std::to_string(lineno) + ": expected a class number, got '" +
                                         printable(line.substr(0, 40)) + "'");
        out.push_back(std::stoi(line));
    }
    return out;
}

}  // namespace qsim
