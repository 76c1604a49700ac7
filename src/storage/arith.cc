#include "arith.h"

#include <cstring>

#include "ringcache/base/numeric.h"

namespace ringcache::storage {
namespace {

// C locale isspace.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// A cursor over the two parts of a value.
class Chars {
 public:
  Chars(std::string_view a, std::string_view b) : a_(a), b_(b) {}
  bool done() const { return pos_ >= a_.size() + b_.size(); }
  char peek() const { return pos_ < a_.size() ? a_[pos_] : b_[pos_ - a_.size()]; }
  void next() { ++pos_; }
  size_t pos() const { return pos_; }
  bool Contains(char c) const {
    return a_.find(c) != std::string_view::npos || b_.find(c) != std::string_view::npos;
  }

 private:
  std::string_view a_, b_;
  size_t pos_ = 0;
};

}  // namespace

bool ParseStoredNumber(std::string_view first, std::string_view second, uint64_t* out) {
  Chars c(first, second);
  while (!c.done() && IsSpace(c.peek())) c.next();
  bool negative = false;
  if (!c.done() && (c.peek() == '+' || c.peek() == '-')) {
    negative = c.peek() == '-';
    c.next();
  }
  const size_t digits_start = c.pos();
  uint64_t v = 0;
  bool overflow = false;
  while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
    const unsigned d = static_cast<unsigned>(c.peek() - '0');
    if (v > (UINT64_MAX - d) / 10) overflow = true;
    v = v * 10 + d;
    c.next();
  }
  if (overflow || c.pos() == digits_start) return false;
  // Past the digits memcached's data continues with "\r\n": the end is fine.
  if (!c.done() && !IsSpace(c.peek()) && c.peek() != '\0') return false;
  if (negative) v = 0 - v;
  // strtoull's wrapped negatives are refused once they look negative; memcached
  // checks for a '-' anywhere in the string, not just as the sign.
  if (static_cast<int64_t>(v) < 0 && c.Contains('-')) return false;
  *out = v;
  return true;
}

size_t FormatStoredNumber(uint64_t value, size_t old_len, char* out) {
  const size_t n = base::FormatU64(value, out);
  if (n >= old_len) return n;
  std::memset(out + n, ' ', old_len - n);
  return old_len;
}

}  // namespace ringcache::storage
