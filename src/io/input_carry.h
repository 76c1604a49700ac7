// The unconsumed input of one connection: a partial request, or requests a
// yielding handler has not reached yet. Bytes are appended at the end and
// consumed from the front; view() is always one contiguous run, so a handler
// sees a request that spans many receive buffers as a single string_view.
//
// Cost: assembling an n-byte request copies each byte into the carry once,
// plus amortised O(n) moves: the buffer grows geometrically, and live bytes
// are moved to the front only when the consumed prefix is at least as large
// as what is moved (so every moved byte is paid for by a consumed one).
// Memory: the buffer is returned to the allocator as soon as the carry
// empties, so an idle connection holds no input memory (partial requests are
// rare: value bodies are consumed by the handler as they arrive).
//
// Threading: owned by one connection on one worker thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringcache::io {

class InputCarry {
 public:
  static constexpr size_t kInitialBytes = 4096;

  InputCarry() = default;
  ~InputCarry();
  InputCarry(const InputCarry&) = delete;
  InputCarry& operator=(const InputCarry&) = delete;

  bool empty() const { return begin_ == end_; }
  size_t size() const { return end_ - begin_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_ + begin_, end_ - begin_}; }

  // Appends `bytes` unless the carry would then hold more than `limit`
  // bytes; returns false (and appends nothing) in that case.
  [[nodiscard]] bool Append(std::string_view bytes, size_t limit);
  // Drops the first `n` bytes (n <= size()).
  void Consume(size_t n);
  // Drops everything and frees the buffer.
  void Release();

 private:
  void MakeRoom(size_t n);

  char* data_ = nullptr;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ringcache::io
