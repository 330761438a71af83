// DIR/points.jsonl, a sweep's checkpoint: one JSON record per finished point, appended whole
// lines at a time. A last line cut short by an interruption (Ctrl-C, a full disk, a killed job)
// is cut off before anything is appended and skipped when reading, so it never poisons a later
// run; a damaged line anywhere else is an error naming it. Also the lock that keeps a second
// run out of a directory in use.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/sweep/sweep_eval.hpp"

namespace qsim::sweep {

// Appends records to a checkpoint. Records are buffered and written in one write() of whole
// lines by flush() (and when the buffer grows past a batch).
class CheckpointWriter {
public:
    explicit CheckpointWriter(const std::string& path);
    ~CheckpointWriter();
    CheckpointWriter(const CheckpointWriter&) = delete;
    CheckpointWriter& operator=(const CheckpointWriter&) = delete;

    void append(const PointResult& r);
    void flush();

private:
    std::string path_;
    int fd_ = -1;
    std::string buffer_;
};

// Every complete record of a checkpoint in file order (a missing file has none). Throws
// std::runtime_error for a damaged line that is not the last.
void for_each_record(const std::string& path, const std::function<void(PointResult&&)>& f);

// The same in the order of the points' indices (a resumed or parallel run appends out of
// order); a point recorded twice counts once (its last record). Memory: 16 bytes per record.
void for_each_record_in_order(const std::string& path, const std::function<void(const PointResult&)>& f);

// Creates the output directory `dir` (and its parents) when missing; throws std::runtime_error
// naming it when it exists as something else or cannot be created.
void make_output_directory(const std::string& dir);

// An exclusive lock on DIR/.lock for as long as the object lives; throws std::runtime_error
// when another process holds it ("DIR is in use by another sweep").
class DirectoryLock {
public:
    explicit DirectoryLock(const std::string& dir);
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace qsim::sweep
