#include "input_carry.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ringcache::io {

InputCarry::~InputCarry() { std::free(data_); }

void InputCarry::Release() {
  std::free(data_);
  data_ = nullptr;
  begin_ = end_ = capacity_ = 0;
}

void InputCarry::MakeRoom(size_t n) {
  const size_t live = size();
  if (live + n <= capacity_ && begin_ >= live) {
    // The consumed prefix pays for the move.
    std::memmove(data_, data_ + begin_, live);
    begin_ = 0;
    end_ = live;
    return;
  }
  const size_t want = std::max({kInitialBytes, capacity_ * 2, live + n});
  char* fresh = static_cast<char*>(std::malloc(want));
  if (fresh == nullptr) std::abort();  // out of memory: no sane recovery here
  if (live > 0) std::memcpy(fresh, data_ + begin_, live);
  std::free(data_);
  data_ = fresh;
  capacity_ = want;
  begin_ = 0;
  end_ = live;
}

bool InputCarry::Append(std::string_view bytes, size_t limit) {
  if (bytes.size() > limit || size() > limit - bytes.size()) return false;
  if (bytes.empty()) return true;
  if (capacity_ - end_ < bytes.size()) MakeRoom(bytes.size());
  std::memcpy(data_ + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
  return true;
}

void InputCarry::Consume(size_t n) {
  begin_ += n;
  if (begin_ < end_) return;
  Release();
}

}  // namespace ringcache::io
