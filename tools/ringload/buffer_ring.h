// A provided-buffer ring for multishot receives: `count` buffers of `size`
// bytes that the kernel picks from as data arrives, so one armed receive per
// connection serves every reply without being re-armed.
//
// The caller parses a buffer as soon as its completion is reaped (copying a
// partial reply at its end to the connection's own buffer) and hands it back
// with Recycle(); Publish() makes recycled buffers visible to the kernel,
// once per batch of completions. Registration needs Linux 5.19; Create()
// fails on older kernels and the caller falls back to plain receives.
//
// Threading: owned by one ClientThread, used with its ring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <liburing.h>

#include "absl/status/statusor.h"

namespace ringcache::ringload {

class BufferRing {
 public:
  static constexpr uint16_t kGroup = 0;

  // `count` must be a power of two <= 32768.
  static absl::StatusOr<std::unique_ptr<BufferRing>> Create(io_uring* ring, uint32_t count,
                                                            uint32_t size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  uint32_t buffer_size() const { return size_; }
  // The buffer a completion names (its flags >> IORING_CQE_BUFFER_SHIFT).
  std::string_view Data(uint16_t id, size_t len) const {
    return {memory_ + static_cast<size_t>(id) * size_, len};
  }
  void Recycle(uint16_t id) {
    io_uring_buf_ring_add(ring_, memory_ + static_cast<size_t>(id) * size_, size_, id, mask_,
                          pending_++);
  }
  void Publish() {
    if (pending_ == 0) return;
    io_uring_buf_ring_advance(ring_, pending_);
    pending_ = 0;
  }

 private:
  BufferRing(io_uring* uring, io_uring_buf_ring* ring, size_t ring_bytes, char* memory,
             uint32_t count, uint32_t size)
      : uring_(uring),
        ring_(ring),
        ring_bytes_(ring_bytes),
        memory_(memory),
        count_(count),
        size_(size),
        mask_(io_uring_buf_ring_mask(count)) {}

  io_uring* uring_;
  io_uring_buf_ring* ring_;
  size_t ring_bytes_;
  char* memory_;
  uint32_t count_;
  uint32_t size_;
  int mask_;
  int pending_ = 0;
};

}  // namespace ringcache::ringload
