// The errors a user's input can cause, one hierarchy: every one is a single line naming the
// file, where in it, the field and what was expected (docs/errors.md):
//
//   InputError                     FILE[:WHERE]: [FIELD: ]MESSAGE
//     ConfigError                  configuration and device library (WHERE = LINE:COLUMN)
//     WeightFileError              weight files (WHERE = @BYTE_OFFSET)      models/network/weight_file.hpp
//     NpyError                     NumPy .npy arrays (WHERE = @BYTE_OFFSET) models/network/npy.hpp
//     CodecError                   coded sparse weight streams (@BYTE_OFFSET) models/decompressor/ternary_codec.hpp
//     DatasetError                 IDX data sets and prediction lists       models/dataset/idx_dataset.hpp
//
// Anything else that escapes is a bug of the simulator, not of the input.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace qsim {

class InputError : public std::runtime_error {
public:
    // `where` and `field` may be empty; an empty `file` prints as `placeholder`.
    InputError(std::string file, std::string where, std::string field, std::string message,
               const char* placeholder = "<input>");
    const std::string& file() const { return file_; }
    const std::string& where() const { return where_; }
    const std::string& field() const { return field_; }
    const std::string& message() const { return message_; }

private:
    std::string file_;
    std::string where_;
    std::string field_;
    std::string message_;
};

// Where a value came from in a configuration file (1-based; 0 = unknown).
struct SourceLoc {
    int line = 0;
    int column = 0;
};

// Any invalid configuration. what() is "file:line:col: field: message".
class ConfigError : public InputError {
public:
    ConfigError(std::string file, SourceLoc loc, std::string field, std::string message);
    SourceLoc loc() const { return loc_; }

private:
    SourceLoc loc_;
};

// "@offset", the WHERE of errors inside binary files.
std::string byte_offset_text(uint64_t offset);

// `text` on one line: control characters a user's input may carry into a message (a newline
// in a --set value, a NUL byte in a YAML scalar) written as escapes (\n, \r, \t, \0, \xNN).
std::string one_line(const std::string& text);

}  // namespace qsim
