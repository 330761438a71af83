// Minimal reader and writer for NumPy .npy files (format versions 1.0, 2.0 and 3.0).
// Used to import trained float weights, thresholds and biases (qnn-weights from-npy).
//
// Supported element types: <f4, <f8, |i1, <i2, <i4, <i8, |u1 (little endian; the one-byte
// types are also accepted with a '<' byte-order mark). Only C (row-major) order.
// Every value is returned as a double (64-bit integers beyond 2^53 lose precision).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/errors.hpp"

namespace qsim {

// Any malformed or unsupported .npy file. what() is "file:@offset: message", where offset is
// the byte position in the file at which the problem was found.
class NpyError : public InputError {
public:
    NpyError(std::string file, uint64_t offset, std::string message)
        : InputError(std::move(file), byte_offset_text(offset), "", std::move(message), "<npy>"), offset_(offset) {}
    uint64_t offset() const { return offset_; }

private:
    uint64_t offset_;
};

enum class NpyDtype { F4, F8, I1, I2, I4, I8, U1 };

// The descr string NumPy writes for a dtype ("<f4", "|i1", ...) and its size in bytes.
const char* npy_descr(NpyDtype t);
size_t npy_item_size(NpyDtype t);

struct NpyArray {
    std::vector<size_t> shape;   // empty for a 0-d (scalar) array
    std::vector<double> values;  // C order, product(shape) elements
    NpyDtype dtype = NpyDtype::F8;
    uint64_t header_offset = 0;  // where the header dictionary starts in the file
    uint64_t data_offset = 0;    // where the array data starts in the file

    size_t size() const { return values.size(); }
    // "(3, 4)", "(5,)", "()" as Python prints shapes.
    std::string shape_string() const;
};

// Parses .npy bytes; `name` is used only in error messages.
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& name);
// Reads and parses a .npy file; throws NpyError (also when the file cannot be opened).
NpyArray read_npy(const std::string& path);
// Reads the header alone (shape, dtype, offsets; `values` stays empty), with the checks of
// parse_npy that need no data: the file's size against the shape (truncated or trailing data).
// Memory follows the header, not the array. Throws NpyError (also for a file that is not a
// regular file).
NpyArray read_npy_header(const std::string& path);

// Serialises `values` (C order, product(shape) elements) as a version 1.0 .npy file of the
// given dtype. Integer dtypes round half away from zero and must fit the type; throws
// std::invalid_argument otherwise (and on a shape/size mismatch).
std::vector<uint8_t> make_npy(const std::vector<size_t>& shape, const std::vector<double>& values,
                              NpyDtype dtype);
// Writes a .npy file; throws NpyError when the file cannot be written.
void write_npy(const std::string& path, const std::vector<size_t>& shape,
               const std::vector<double>& values, NpyDtype dtype);
// Convenience: a float32 array.
void write_npy_f32(const std::string& path, const std::vector<size_t>& shape,
                   const std::vector<float>& values);

}  // namespace qsim
