// One client connection speaking memcached's text, meta or binary protocol:
// the io::ConnectionHandler that joins the protocol layer's parsers to the
// store. As memcached's -B auto does, the first byte decides the protocol for
// the connection's lifetime (0x80: binary).
//
// OnData runs a small state machine over the bytes the engine presents:
//   kCommand  parse the next line (protocol::TextParser) and execute it;
//   kValue    copy a storage command's value block straight into the new
//             item as it arrives, across any number of receive buffers,
//             then link it and reply;
//   kSwallow  skip a value block memcached would skip (object too large,
//             out of memory, a parse error after the length was read).
// Bytes of an incomplete line are left unconsumed: the engine keeps them and
// presents them again with more appended (see io/handler.h). After
// `-R reqs_per_event` commands in one call the connection yields so other
// connections of the turn get served, as memcached's event loop does.
//
// Replies are appended to the connection's output chain; the engine sends
// them at the end of the batch. A GET hit allocates nothing: values are
// copied into pooled output blocks, or for large pinnable items referenced
// and released when the send completes.
//
// Command execution lives in commands_*.cc, one file per command family.
//
// Threading: owned by and used on one worker thread. state_ and last_cmd_
// are atomics because `stats conns` on another worker reads them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ringcache/base/clock.h"
#include "ringcache/io/handler.h"
#include "ringcache/protocol/binary.h"
#include "ringcache/protocol/meta_request.h"
#include "ringcache/protocol/text_parser.h"
#include "ringcache/protocol/text_request.h"
#include "ringcache/protocol/value_block.h"
#include "ringcache/protocol/watch_lines.h"
#include "ringcache/storage/store.h"
#include "watch_hub.h"
#include "worker_context.h"

namespace ringcache::server {

// memcached's own size of an item (ITEM_ntotal), which `me` and metadump report.
uint64_t MemcachedItemSize(size_t key_len, uint32_t client_flags, size_t value_len, bool cas);

// memcached's connection state names, as `stats conns` prints them.
enum class ConnState : uint8_t { kParseCmd, kNread, kSwallow, kClosing };
const char* ConnStateName(ConnState state);

// Whether input bound by -B `protocol` whose first byte is `first_byte`
// speaks the binary protocol (-B auto: memcached's 0x80 negotiation).
bool SpeaksBinary(BindingProtocol protocol, char first_byte);

class Connection final : public io::ConnectionHandler {
 public:
  Connection(WorkerContext& worker, const io::ConnInfo& info);
  ~Connection() override;

  io::DataResult OnData(io::Connection& conn, std::string_view data) override;
  // Hints the store memory of the keyed requests in `data` into the worker's
  // look-ahead batch (WorkerContext::soon_batch), parsing the canonical
  // lines among them once, for OnData to serve in this turn
  // (WorkerContext::soon_lines).
  void OnDataSoon(std::string_view data) override;
  void OnWritable(io::Connection& conn) override;
  void OnClose(io::Connection& conn) override;

  // UDP: every datagram negotiates its protocol anew, as memcached's UDP
  // connections do. Only between requests.
  void RenegotiateProtocol() {
    if (phase_ == Phase::kCommand) wire_ = Wire::kUndecided;
  }

  // Read by `stats conns` from any thread.
  const io::ConnInfo& info() const { return info_; }
  ConnState state() const { return state_.load(std::memory_order_relaxed); }
  base::RelTime last_cmd() const { return last_cmd_.load(std::memory_order_relaxed); }

 private:
  enum class Phase : uint8_t { kCommand, kValue, kSwallow };
  enum class Wire : uint8_t { kUndecided, kText, kBinary };
  // What one parse step decided.
  enum class Step : uint8_t { kContinue, kNeedMore, kStop };

  // A storage command waiting for its value block.
  struct PendingStore {
    storage::StoreMode mode = storage::StoreMode::kSet;
    uint64_t compare_cas = 0;
    bool noreply = false;
    bool meta = false;    // ms: reply in meta form, `meta_req` below is valid
    bool binary = false;  // binary set/add/replace/append/prepend: `binary_req` valid
    protocol::binary::Request binary_req;  // key and extras views cleared
    protocol::MetaRequest meta_req;
    // meta_req's text key and opaque point here once the line is gone.
    char key[protocol::kMaxKeyLength];
    char opaque[protocol::kMaxOpaqueTokenLength];
  };

  // --- state machine (connection.cc) ---
  // ContinueValue, FinishValue, StepText and Dispatch are inline: defined in
  // connection.cc, where OnData's request loop is their only caller, and
  // folded into it (each call cost its frame on every request).
  inline size_t ContinueValue(io::Connection& conn, std::string_view data);
  inline void FinishValue(io::Connection& conn);
  // A value block: text's ends in "\r\n", binary's is raw bytes.
  void BeginValue(uint32_t value_bytes) {
    block_ = wire_ == Wire::kBinary ? protocol::ValueBlock::Raw(value_bytes)
                                    : protocol::ValueBlock(value_bytes);
    filled_ = 0;
    phase_ = Phase::kValue;
    SetState(ConnState::kNread);
  }
  void BeginSwallow(uint64_t bytes);
  // `planned`: the line at *pos, parsed ahead (OnDataSoon), or null.
  inline Step StepText(io::Connection& conn, std::string_view data, size_t* pos,
                       const protocol::internal::CanonicalLine* planned);
  // Prefetches the store memory of the keyed requests pipelined after `pos`
  // (up to kPrefetchKeys); returns where the requests it looked at end.
  size_t PrefetchAhead(std::string_view data, size_t pos);
  // The first stage of that: stores the hashes of up to kPrefetchKeys keys
  // of the requests from `pos` on (protocol::PeekTextRequest: value blocks
  // are stepped over, not read) at hashes[0...], hinting their index buckets
  // if `prefetch`, and returns how many. *end is where the requests it
  // looked at end (all of `data` for a lone request unless `lone_too`, or
  // when a value block runs past the end). With `lines`, each key's request
  // is also described in lines[i]: canonical lines are parsed (which costs
  // about what the peek does, and spares the parse when they are served).
  int HintBuckets(std::string_view data, size_t pos, bool lone_too, bool prefetch, uint64_t* hashes,
                  PlannedLine* lines, size_t* end);
  Step StepAuth(io::Connection& conn, std::string_view data, size_t* pos);
  Step StepBinary(io::Connection& conn, std::string_view data, size_t* pos);
  inline void Dispatch(io::Connection& conn, const protocol::TextRequest& req);
  void SetState(ConnState s) { state_.store(s, std::memory_order_relaxed); }
  // One more response in this event under memcached's read_buf_mem_limit;
  // false (counted as response_obj_oom) once the worker's share is used up.
  bool TakeResponse() {
    if (RC_LIKELY(responses_left_ == UINT32_MAX)) return true;
    if (responses_left_ == 0) {
      worker_.stats().response_obj_oom.Add();
      return false;
    }
    --responses_left_;
    return true;
  }
  base::RelTime now() const { return worker_.now(); }
  base::RelTime Expiry(int32_t exptime) const {
    return worker_.server().clock.ToRelExpiry(exptime, now());
  }

  // --- classic commands (commands_classic.cc) ---
  void Get(base::OutBuffer& out, const protocol::TextRequest& req, bool with_cas, bool touch);
  void AppendHit(base::OutBuffer& out, storage::ItemView item, bool with_cas);
  void StartStore(base::OutBuffer& out, const protocol::TextRequest& req, storage::StoreMode mode);
  void FinishStore(base::OutBuffer& out);
  void Arithmetic(base::OutBuffer& out, const protocol::TextRequest& req, bool incr);
  void Delete(base::OutBuffer& out, const protocol::TextRequest& req);
  void Touch(base::OutBuffer& out, const protocol::TextRequest& req);

  // --- meta commands (commands_meta.cc) ---
  void MetaGet(base::OutBuffer& out, const protocol::MetaRequest& req);
  void MetaSet(base::OutBuffer& out, const protocol::MetaRequest& req);
  void FinishMetaSet(base::OutBuffer& out, bool terminated_ok);
  void MetaDelete(base::OutBuffer& out, const protocol::MetaRequest& req);
  void MetaArithmetic(base::OutBuffer& out, const protocol::MetaRequest& req);
  void MetaDebug(base::OutBuffer& out, const protocol::MetaRequest& req);

  // --- binary protocol (commands_binary.cc) ---
  void DispatchBinary(io::Connection& conn, const protocol::binary::Request& req);
  void BinaryGet(base::OutBuffer& out, const protocol::binary::Request& req);
  void BinaryStore(base::OutBuffer& out, const protocol::binary::Request& req);
  void FinishBinaryStore(base::OutBuffer& out);
  void BinaryDelete(base::OutBuffer& out, const protocol::binary::Request& req);
  void BinaryArithmetic(base::OutBuffer& out, const protocol::binary::Request& req);
  void BinaryFlush(base::OutBuffer& out, const protocol::binary::Request& req);
  void BinaryStats(base::OutBuffer& out, const protocol::binary::Request& req);

  // One lookup of the get family: memcached's get_cmds/get_misses (or
  // touch_cmds/touch_misses) and the watch fetchers line.
  void CountFetch(std::string_view key, storage::ItemView item, bool touch);

  // --- watch events (watch_events.cc); with nobody watching, the hot ones
  // (LogFetch, WatchKey) cost one relaxed load here and nothing else ---
  bool Watching(uint16_t categories) const { return worker_.server().watch.Active(categories); }
  void StartWatch(io::Connection& conn, const protocol::TextRequest& req);
  void LogFetch(std::string_view key, storage::ItemView item) {
    if (RC_UNLIKELY(Watching(protocol::kWatchFetchers))) PublishFetch(key, item);
  }
  void PublishFetch(std::string_view key, storage::ItemView item);
  // Before a store: memcached's do_store_item looks the key up (a fetch).
  void LogStoreLookup(std::string_view key);
  void LogStore(std::string_view key, storage::StoreResult result, storage::StoreMode mode);
  void LogStoreFailure(std::string_view key, storage::AllocResult result, storage::StoreMode mode,
                       base::RelTime exptime, size_t value_bytes);
  void LogConnection(bool open);
  // The pending item's key when anyone watches stores (after the lookup
  // memcached logs); empty otherwise. A copy in watch_key_, valid until the
  // next call: the item may be gone after Store.
  std::string_view WatchKey() {
    if (RC_LIKELY(!Watching(protocol::kWatchFetchers | protocol::kWatchMutations))) return {};
    return CopyWatchedKey();
  }
  std::string_view CopyWatchedKey();

  // --- lru_crawler metadump (metadump.cc): streamed in pieces as the client reads ---
  struct Metadump {
    storage::WalkCursor cursor;
    protocol::CrawlerClasses classes;
  };
  void StartMetadump(io::Connection& conn, const protocol::TextRequest& req);
  void ContinueMetadump(io::Connection& conn);

  // --- admin and informational commands (commands_admin.cc) ---
  void Admin(io::Connection& conn, const protocol::TextRequest& req);
  void FlushAll(base::OutBuffer& out, const protocol::TextRequest& req);
  void Stats(base::OutBuffer& out, const protocol::TextRequest& req);

  WorkerContext& worker_;
  const io::ConnInfo info_;
  protocol::TextParser parser_;
  protocol::TextRequest req_;

  Wire wire_ = Wire::kUndecided;
  bool authenticated_;  // -Y: a text connection must log in first
  protocol::binary::Request binary_req_;
  Phase phase_ = Phase::kCommand;
  // The buffer OnDataSoon hinted this turn and where its hinted lines end.
  const char* soon_data_ = nullptr;
  size_t soon_end_ = 0;
  int soon_key_ = 0;        // the plan index of its first key (WorkerContext::PlanServe)
  int soon_count_ = 0;      // and how many keys it planned
  uint64_t soon_turn_ = 0;  // in this turn (WorkerContext::turn)
  protocol::ValueBlock block_;
  storage::NewItem item_;
  size_t filled_ = 0;
  uint64_t swallow_left_ = 0;
  uint32_t responses_left_ = UINT32_MAX;
  PendingStore pending_;

  std::string watch_key_;                       // WatchKey's copy
  std::shared_ptr<WatchHub::Watcher> watcher_;  // set once this is a watch connection
  std::unique_ptr<Metadump> metadump_;          // a metadump in progress
  protocol::WatchCloseReason close_reason_ = protocol::WatchCloseReason::kNormal;

  std::atomic<ConnState> state_{ConnState::kParseCmd};
  std::atomic<base::RelTime> last_cmd_{0};
};

}  // namespace ringcache::server
