#include "c_numbers.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace ringcache::server::config_internal {
namespace {

// strto* need a terminated string; flag values are short and parsed once.
std::string Terminated(std::string_view s) { return std::string(s); }

bool EndsWell(const char* start, const char* end) {
  return std::isspace(static_cast<unsigned char>(*end)) || (*end == '\0' && end != start);
}

}  // namespace

int Atoi(std::string_view s) { return StrtolInt(s, 10); }

double Atof(std::string_view s) {
  const std::string t = Terminated(s);
  return std::strtod(t.c_str(), nullptr);
}

int StrtolInt(std::string_view s, int base) {
  const std::string t = Terminated(s);
  // C++20 defines the narrowing as modular, which is what glibc's atoi does.
  return static_cast<int>(std::strtol(t.c_str(), nullptr, base));
}

bool SafeStrtoul(std::string_view s, uint32_t* out) {
  *out = 0;
  const std::string t = Terminated(s);
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(t.c_str(), &end, 10);
  if (errno == ERANGE || end == t.c_str()) return false;
  if (!EndsWell(t.c_str(), end)) return false;
  if (static_cast<long>(v) < 0 && t.find('-') != std::string::npos) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool SafeStrtol(std::string_view s, int32_t* out) {
  *out = 0;
  const std::string t = Terminated(s);
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(t.c_str(), &end, 10);
  if (errno == ERANGE || end == t.c_str()) return false;
  if (!EndsWell(t.c_str(), end)) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

bool SafeStrtod(std::string_view s, double* out) {
  *out = 0;
  const std::string t = Terminated(s);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  if (errno == ERANGE || end == t.c_str()) return false;
  if (!EndsWell(t.c_str(), end)) return false;
  *out = v;
  return true;
}

}  // namespace ringcache::server::config_internal
