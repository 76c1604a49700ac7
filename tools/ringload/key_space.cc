#include "key_space.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ringcache::ringload {
namespace {

int DecimalDigits(uint64_t v) {
  int digits = 1;
  while (v >= 10) {
    v /= 10;
    ++digits;
  }
  return digits;
}

}  // namespace

absl::StatusOr<KeySpace> KeySpace::Create(std::string prefix, size_t key_size, uint64_t count) {
  if (count == 0) return absl::InvalidArgumentError("the key space needs at least one key");
  if (key_size > kMaxKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("key size ", key_size, " is over memcached's ", kMaxKeySize, "-byte limit"));
  }
  for (const char c : prefix) {
    if (c <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError("the key prefix may not hold spaces or control bytes");
    }
  }
  const size_t digits = static_cast<size_t>(DecimalDigits(count - 1));
  if (prefix.size() + digits > key_size) {
    return absl::InvalidArgumentError(absl::StrCat("keys of ", key_size, " bytes cannot name ",
                                                   count, " keys after prefix \"", prefix,
                                                   "\" (need ", prefix.size() + digits, " bytes)"));
  }
  return KeySpace(std::move(prefix), key_size, count);
}

void KeySpace::Format(uint64_t index, char* out) const {
  std::memcpy(out, prefix_.data(), prefix_.size());
  char* p = out + key_size_;
  char* const digits_start = out + prefix_.size();
  // Two digits per step from the right, then zero padding.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  while (index >= 100) {
    const uint64_t pair = index % 100;
    index /= 100;
    p -= 2;
    std::memcpy(p, kPairs + 2 * pair, 2);
  }
  if (index >= 10) {
    p -= 2;
    std::memcpy(p, kPairs + 2 * index, 2);
  } else {
    *--p = static_cast<char>('0' + index);
  }
  std::memset(digits_start, '0', static_cast<size_t>(p - digits_start));
}

std::string KeySpace::Name(uint64_t index) const {
  std::string name(key_size_, '\0');
  Format(index, name.data());
  return name;
}

int64_t KeySpace::Parse(std::string_view name) const {
  if (name.size() != key_size_ || !name.starts_with(prefix_)) return -1;
  uint64_t index = 0;
  for (const char c : name.substr(prefix_.size())) {
    if (c < '0' || c > '9') return -1;
    index = index * 10 + static_cast<uint64_t>(c - '0');
    if (index >= count_) return -1;
  }
  return static_cast<int64_t>(index);
}

}  // namespace ringcache::ringload
