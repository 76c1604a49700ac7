// Server lifecycle: from a validated Config to a running cache and back.
//
// RunServer builds the store, binds the sockets through the io engine, drops
// privileges, writes the port file, runs the workers and returns the process
// exit code once the engine stops (signal, `shutdown`, or a fatal error).
//
// Threading: called once, on the main thread.
#pragma once

namespace ringcache::server {

struct Config;

// Returns the process exit status.
int RunServer(const Config& config);

}  // namespace ringcache::server
