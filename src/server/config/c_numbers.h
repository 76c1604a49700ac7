// The C library's lenient number conversions, as memcached applies them to
// its flags.
//
// memcached reads most flag values with atoi/atof/strtol and -o values with
// its safe_strto* helpers. The results are visible (`stats settings`, which
// values are refused, "-I 4096m" wrapping to 0), so ringcached must convert
// the same way: leading white space skipped, trailing garbage ignored (atoi)
// or accepted only after white space (safe_*), out-of-range values
// saturated by strtol and then narrowed to int as the C assignment does.
// base/numeric.h implements the protocol's stricter per-token rules; flags
// need these instead.
//
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace ringcache::server::config_internal {

// atoi(3) on glibc: (int)strtol(s, NULL, 10).
int Atoi(std::string_view s);
// atof(3): strtod(s, NULL).
double Atof(std::string_view s);
// (int)strtol(s, NULL, base), e.g. the unix socket mask in octal.
int StrtolInt(std::string_view s, int base);

// memcached's safe_strtoul / safe_strtol / safe_strtod (util.c) on LP64: the
// whole number must parse and be followed by the end or white space; the
// unsigned form refuses a '-' on values that look negative as signed longs;
// results are narrowed to 32 bits as memcached's assignments narrow them.
bool SafeStrtoul(std::string_view s, uint32_t* out);
bool SafeStrtol(std::string_view s, int32_t* out);
bool SafeStrtod(std::string_view s, double* out);

}  // namespace ringcache::server::config_internal
