// The texts ringcached prints for -h, -i and -V.
//
// -h follows `memcached -h`'s layout (option forms on the left, defaults in
// parentheses) so people and scripts find what they expect, with
// descriptions of ringcached's own. The defaults shown are the values set
// so far on the command line, as memcached shows them.
//
// memcached's test suite switches whole test files on by searching this text
// (for "sasl", "unix-socket", "enable-ssl", the external storage path option
// and the proxy configuration option). The text therefore names SASL, UNIX
// sockets and TLS, which ringcached accepts, and never spells the two option
// names of features it does not have.
//
// Threading: pure functions.
#pragma once

#include <string>

#include "ringcache/server/config.h"

namespace ringcache::server {

// "ringcached 0.1.0 (memcached 1.6.18 compatible)\n"
std::string VersionLine();
std::string HelpText(const Config& config);
std::string LicenseText();

}  // namespace ringcache::server
