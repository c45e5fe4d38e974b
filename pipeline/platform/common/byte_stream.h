// ByteSource and ByteSink: the streaming interfaces every large payload in
// sbrgate moves through (lodgment files, gzip, MIME parts, HTTP bodies, gRPC
// chunks), so that a multi-gigabyte lodgment is never held whole in memory.
//
//   ASSIGN_OR_RETURN style:
//   auto src = FileSource::Open("/data/lodgment.xml");   // StatusOr
//   char buf[64 << 10];
//   for (;;) {
//     absl::StatusOr<size_t> n = (*src)->Read(buf, sizeof buf);
//     if (!n.ok()) return n.status();
//     if (*n == 0) break;                                   // end of stream
//     ...
//   }
#ifndef SBRGATE_PIPELINE_COMMON_BYTE_STREAM_H_
#define SBRGATE_PIPELINE_COMMON_BYTE_STREAM_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sbrgate {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`; returns 0 only at the end of the stream.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Write(absl::string_view bytes) = 0;
  // Flushes and, for files, makes the data durable (fsync).
  virtual absl::Status Close() = 0;
};

class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

class StringSink : public ByteSink {
 public:
  absl::Status Write(absl::string_view bytes) override {
    data_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  absl::Status Close() override { return absl::OkStatus(); }
  const std::string& data() const { return data_; }
  std::string& mutable_data() { return data_; }

 private:
  std::string data_;
};

class FileSource : public ByteSource {
 public:
  static absl::StatusOr<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

 private:
  FileSource(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  FILE* f_;
  std::string path_;
};

// What FileSink::Close makes sure of besides the rename.
enum class FileDurability {
  kDurable,  // fsync'd, and its name too: the file survives a crash
  // A working file sbrgate copies somewhere durable before anything depends
  // on it (a pull response on its way to the blob store): a crash loses it,
  // and the exchange that wrote it is simply repeated. No fsync.
  kScratch,
};

// Writes to `path`.tmp and renames it into place on Close() (after fsync,
// unless kScratch), so a reader never sees a half-written file. The file is
// created 0600 (owner only) whatever the umask.
class FileSink : public ByteSink {
 public:
  static absl::StatusOr<std::unique_ptr<FileSink>> Create(
      const std::string& path, FileDurability durability = FileDurability::kDurable);
  ~FileSink() override;  // without Close(), removes the temporary file
  absl::Status Write(absl::string_view bytes) override;
  absl::Status Close() override;

 private:
  FileSink(FILE* f, std::string path, FileDurability durability)
      : f_(f), path_(std::move(path)), durability_(durability) {}
  FILE* f_;
  std::string path_;
  FileDurability durability_;
};

// Copies all of `from` into `to` (without closing `to`); returns the count.
absl::StatusOr<uint64_t> Pump(ByteSource& from, ByteSink& to);

// Whole-file helpers for small files (configuration, envelopes, fixtures).
absl::StatusOr<std::string> ReadFileToString(const std::string& path);
absl::Status WriteFileDurably(const std::string& path, absl::string_view data);

// Renames `from` to `to` and syncs the directory of `to`, so that the new
// name survives a crash.
absl::Status RenameDurably(const std::string& from, const std::string& to);

// Creates directory `dir` and any missing parents, each 0700 (as the umask
// allows), syncing the parent of each one it creates so that it survives a
// crash. A directory that exists already is left as it is.
absl::Status MakeDirectoriesDurably(const std::string& dir);

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_BYTE_STREAM_H_
