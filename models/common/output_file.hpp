// The files a run writes (reports, sweep rows and results, merged shards, generated configs and
// scripts), written so that each is either complete or absent: the text goes to a temporary
// file beside the target, is flushed and synced, and is renamed over the target. A target that
// exists and is not a regular file (/dev/stdout, a pipe) is written in place with every error
// checked (/dev/full: "No space left on device"). Problems throw OutputError naming the file
// and the reason.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "models/common/errors.hpp"

namespace qsim {

class OutputError : public InputError {
public:
    OutputError(const std::string& file, const std::string& message) : InputError(file, "", "", message, "<output>") {}
};

// Checks, before any work is done, that `path` can be written: its directory exists and takes
// a new file, or it is an existing file or device that opens for writing.
void check_writable(const std::string& path);

// Writes `text` to `path` atomically (see above).
void write_file_atomically(const std::string& path, const std::string& text);

// A file written as a stream and put in place atomically: the text goes to a temporary file
// beside `path`; commit() checks every write, syncs and renames it over `path`. Without a
// commit (an exception on the way) the temporary file is removed and `path` is untouched.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
    std::ostream& stream() { return *out_; }
    void commit();

private:
    std::string path_, tmp_;
    std::unique_ptr<std::ofstream> out_;
    bool committed_ = false;
};

// Whether `a` and `b` name the same existing file (same device and inode).
bool same_file(const std::string& a, const std::string& b);

}  // namespace qsim
