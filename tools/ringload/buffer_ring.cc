#include "buffer_ring.h"

#include <cerrno>
#include <cstring>

#include <sys/mman.h>

namespace ringcache::ringload {

absl::StatusOr<std::unique_ptr<BufferRing>> BufferRing::Create(io_uring* ring, uint32_t count,
                                                               uint32_t size) {
  const size_t ring_bytes = count * sizeof(io_uring_buf);
  const size_t memory_bytes = static_cast<size_t>(count) * size;
  void* ring_mem =
      mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring_mem == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap buffer ring");
  void* memory =
      mmap(nullptr, memory_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    const int e = errno;
    munmap(ring_mem, ring_bytes);
    return absl::ErrnoToStatus(e, "mmap receive buffers");
  }
  auto* br = static_cast<io_uring_buf_ring*>(ring_mem);
  io_uring_buf_ring_init(br);
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof(reg));
  reg.ring_addr = reinterpret_cast<uint64_t>(br);
  reg.ring_entries = count;
  reg.bgid = kGroup;
  const int r = io_uring_register_buf_ring(ring, &reg, 0);
  if (r != 0) {
    munmap(memory, memory_bytes);
    munmap(ring_mem, ring_bytes);
    return absl::ErrnoToStatus(-r, "io_uring_register_buf_ring");
  }
  std::unique_ptr<BufferRing> self(
      new BufferRing(ring, br, ring_bytes, static_cast<char*>(memory), count, size));
  for (uint32_t i = 0; i < count; ++i) self->Recycle(static_cast<uint16_t>(i));
  self->Publish();
  return self;
}

BufferRing::~BufferRing() {
  io_uring_unregister_buf_ring(uring_, kGroup);
  munmap(memory_, static_cast<size_t>(count_) * size_);
  munmap(ring_, ring_bytes_);
}

}  // namespace ringcache::ringload
