// What a load thread asks for: the operation mix, the keys, the values, and
// the bytes of each request, composed straight into a connection's output.
//
// Per request: draw the operation from the --ratio weights, draw its key(s)
// from the distribution (restricted, when there are several servers, to
// keys the connection's server owns, as a ketama client would route them),
// and compose it with the protocol's RequestComposer. Set values are either
// copied from a pre-generated pool of random bytes (cheap) or, with
// --verify, written by the ValueCodec under a version unique to this write.
// No allocation happens per request.
//
// Threading: one Workload per load thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "connection.h"
#include "ketama.h"
#include "key_space.h"
#include "options.h"
#include "ringcache/protocol/client/reply.h"
#include "ringcache/protocol/client/request.h"
#include "rng.h"
#include "value_codec.h"

namespace ringcache::ringload {

class Workload {
 public:
  // `ring` may be null when there is one server. Keys and counters must
  // outlive the workload.
  Workload(const Options& options, const KeySpace* keys, const KeySpace* counters,
           const KetamaRing* ring, int thread_index, uint64_t seed);

  // The largest request this workload composes; a connection with less
  // output room than this composes nothing until its send completes.
  size_t max_request_size() const { return max_request_; }
  protocol::client::Protocol protocol() const { return composer_.protocol(); }
  Rng& rng() { return rng_; }

  // Composes the next request of the mix for `c` (keys of its server) and
  // queues it as outstanding with `start_ns`. False when out of room.
  [[nodiscard]] bool ComposeNext(Connection& c, int64_t start_ns);
  // Composes the preload set of key `index` (a counter, set to "0", when
  // `counter`).
  [[nodiscard]] bool ComposePreload(Connection& c, bool counter, uint64_t index, int64_t start_ns);

  // --verify: checks a value the server returned for `request`. The key is
  // the one the reply names, or the request's own when it names none.
  [[nodiscard]] VerifyResult CheckValue(const Pending& request,
                                        const protocol::client::Reply& reply) const;
  // Whether a key named by a reply is one the request asked for (single-key
  // requests only; batch replies are checked by their checksum).
  bool NamesRequestedKey(const Pending& request, std::string_view key) const;

  uint64_t next_version() const { return version_; }

 private:
  OpKind NextOp();
  uint64_t NextKey(uint32_t server, const KeySpace& space, KeyChooser& chooser);
  size_t NextValueSize();
  char* ComposeSet(std::string_view key, size_t value_len, char* out);

  const Options& options_;
  const KeySpace* keys_;
  const KeySpace* counters_;
  const KetamaRing* ring_;
  protocol::client::RequestComposer composer_;
  Rng rng_;
  KeyChooser key_chooser_;
  KeyChooser counter_chooser_;
  ValueCodec codec_;
  // Cumulative --ratio weights: get, +set, +delete, +incr, +touch.
  uint32_t op_limits_[kOpKinds];
  size_t max_request_;
  uint64_t version_;
  std::string value_pool_;         // random bytes values are copied from
  std::vector<char> key_scratch_;  // key names of the request being composed
  std::vector<std::string_view> key_views_;
};

}  // namespace ringcache::ringload
