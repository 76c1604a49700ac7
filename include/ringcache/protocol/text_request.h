// A parsed memcached text-protocol request: what TextParser produces and the
// server's executor consumes.
//
// Every view (keys, tokens, opaque) points into the bytes given to the
// parser and is valid as long as they are; nothing is copied or allocated.
// Only the fields of the parsed command are written; the others keep
// whatever an earlier parse left there, so read a field only when the
// command's comment below names it.
//
// Reply rules the executor must follow (memcached 1.6.18):
//   - `noreply` suppresses every reply of a classic command, errors
//     included. Meta commands never set it; their `q` flag suppresses only
//     the nominal reply (see meta_composer.h).
//   - Admin commands whose memcached implementation checks a server setting
//     before its arguments carry the argument problem in `deferred_error`:
//     check the setting first (its own error wins), then reply
//     `deferred_error` if it is not kNone, and only then act.
//
// Threading: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringcache/protocol/errors.h"
#include "ringcache/protocol/meta_request.h"
#include "ringcache/protocol/tokens.h"

namespace ringcache::protocol {

enum class TextCommand : uint8_t {
  // Retrieval: keys, (gat/gats) exptime.
  kGet,  // get, and the ancient bget
  kGets,
  kGat,
  kGats,
  // Storage: key, client_flags, exptime, value_bytes, (cas) cas, noreply.
  // The value block (value_bytes + "\r\n") follows the line; see value_block.h.
  kSet,
  kAdd,
  kReplace,
  kAppend,
  kPrepend,
  kCas,
  // key, delta, noreply.
  kIncr,
  kDecr,
  // key, exptime, noreply.
  kTouch,
  // key, noreply.
  kDelete,
  // Meta: meta (mg, ms, md, ma; me uses meta.key() only).
  kMetaGet,
  kMetaSet,
  kMetaDelete,
  kMetaArithmetic,
  kMetaNoop,
  kMetaDebug,
  // Admin and informational commands: see the matching fields below.
  kVersion,
  kQuit,
  kShutdown,       // shutdown_graceful; deferred_error after the -A check
  kVerbosity,      // verbosity_level, noreply
  kFlushAll,       // flush_delay (0: now), noreply; deferred_error after the flush_enabled check
  kStats,          // stats
  kCacheMemlimit,  // memlimit_mb, noreply
  kLruCrawler,     // crawler
  kWatch,          // watch_mask, noreply; deferred_error after the watch gates
  kSlabsReassign,  // reassign_src, reassign_dst; deferred_error after the slab_reassign check
  kSlabsAutomove,  // automove_level or automove_ratio, noreply
  kLru,            // lru, noreply
  kExtstore,       // tokens (extstore <setting> <value>), noreply
  kRefreshCerts,   // noreply
};

// The keys of a get/gets/gat/gats line: space-separated tokens of `text`.
// `count` keys, each 1..250 bytes; the first is kept for the common
// single-key case.
struct KeyList {
  std::string_view text;
  std::string_view first;
  uint32_t count = 0;

  class Iterator {
   public:
    Iterator(std::string_view text, size_t pos) : text_(text), pos_(pos) { Advance(); }
    std::string_view operator*() const { return key_; }
    Iterator& operator++() {
      Advance();
      return *this;
    }
    bool operator==(const Iterator& other) const { return key_.data() == other.key_.data(); }

   private:
    void Advance() {
      key_ = NextToken(text_, &pos_);
      if (key_.empty()) key_ = std::string_view(text_.data() + text_.size(), 0);
    }
    std::string_view text_;
    size_t pos_;
    std::string_view key_;
  };
  Iterator begin() const { return Iterator(text, 0); }
  Iterator end() const { return Iterator(text, text.size()); }
};

enum class StatsKind : uint8_t {
  kGeneral,       // stats
  kReset,         // stats reset                      -> RESET
  kDetailOn,      // stats detail on                  -> OK
  kDetailOff,     // stats detail off                 -> OK
  kDetailDump,    // stats detail dump
  kSettings,      // stats settings
  kCachedump,     // stats cachedump <class> <limit>; deferred_error after the dump_enabled check
  kConns,         // stats conns
  kItems,         // stats items
  kSlabs,         // stats slabs
  kSizes,         // stats sizes
  kSizesEnable,   // stats sizes_enable
  kSizesDisable,  // stats sizes_disable
  kExtstore,      // stats extstore
};

struct StatsArgs {
  StatsKind kind = StatsKind::kGeneral;
  uint32_t cachedump_class = 0;  // < 64 when deferred_error is kNone
  uint32_t cachedump_limit = 0;
};

enum class CrawlerOp : uint8_t {
  kCrawl,     // lru_crawler crawl <classes>; deferred_error after the crawler-enabled check
  kMetadump,  // lru_crawler metadump <classes>; deferred_error after the crawler, dump and pipeline
              // checks
  kToCrawl,   // lru_crawler tocrawl <n>      -> OK
  kSleep,     // lru_crawler sleep <usec>     -> OK
  kEnable,    // lru_crawler enable
  kDisable,   // lru_crawler disable
};

// Which LRU classes an `lru_crawler crawl|metadump` names.
struct CrawlerClasses {
  bool all = false;   // "all"
  bool hash = false;  // "hash": walk the hash table instead of the LRUs
  uint64_t ids = 0;   // bit i: class i (1..63), from "1,2,5"
};

struct CrawlerArgs {
  CrawlerOp op = CrawlerOp::kCrawl;
  CrawlerClasses classes;
  uint32_t number = 0;  // tocrawl count or sleep microseconds
};

// memcached's watch categories (LOG_* bits of its logger).
enum WatchCategory : uint16_t {
  kWatchRawCmds = 1 << 0,
  kWatchEvictions = 1 << 1,
  kWatchFetchers = 1 << 2,
  kWatchMutations = 1 << 3,
  kWatchSysEvents = 1 << 4,
  kWatchConnEvents = 1 << 5,
  kWatchProxyReqs = 1 << 6,
  kWatchProxyEvents = 1 << 7,
  kWatchProxyUser = 1 << 8,
};

enum class LruOp : uint8_t { kTune, kModeFlat, kModeSegmented, kTempTtl };

struct LruArgs {
  LruOp op = LruOp::kTune;
  uint32_t hot_pct = 0;  // tune
  uint32_t warm_pct = 0;
  double hot_max_factor = 0;
  double warm_max_factor = 0;
  int32_t temp_ttl = 0;  // temp_ttl: < 0 disables the temporary LRU
};

struct TextRequest {
  TextCommand command = TextCommand::kGet;
  bool noreply = false;

  // Single-key commands.
  std::string_view key;
  // Retrieval commands.
  KeyList keys;
  // Storage, touch, gat/gats: raw client exptime (ProcessClock::ToRelExpiry).
  int32_t exptime = 0;
  uint32_t client_flags = 0;
  uint32_t value_bytes = 0;  // storage: value length, without "\r\n"
  uint64_t cas = 0;          // cas
  uint64_t delta = 0;        // incr/decr

  MetaRequest meta;

  // Admin commands (see TextCommand).
  ProtocolError deferred_error = ProtocolError::kNone;
  bool shutdown_graceful = false;
  uint32_t verbosity_level = 0;
  int32_t flush_delay = 0;  // <= 0: flush now
  uint32_t memlimit_mb = 0;
  StatsArgs stats;
  CrawlerArgs crawler;
  uint16_t watch_mask = 0;
  int32_t reassign_src = 0;
  int32_t reassign_dst = 0;
  bool automove_is_ratio = false;
  uint32_t automove_level = 0;  // 0, 1 or 2
  double automove_ratio = 0;
  LruArgs lru;
  // The line's tokens (memcached's view), kept for commands that read raw
  // arguments (extstore). Like any field, valid only for the commands whose
  // comment names it: lines the parser's fast path takes are not tokenized.
  TokenList tokens;
};

enum class ParseStatus : uint8_t {
  // No complete line yet: nothing consumed. Present the same bytes again
  // with more appended.
  kNeedMore,
  // A request: consume `consumed` bytes (its line) and execute it.
  kRequest,
  // Consume `consumed` bytes, reply `error` unless `noreply`, then discard
  // the next `swallow` bytes of input (an ms value block memcached skips).
  kError,
  // Close the connection without a reply (a line without newline over the
  // limit, an HTTP request): what memcached does.
  kClose,
  // Reply `error`, then close: a get key list over the parser's cap.
  kCloseWithError,
};

struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  ProtocolError error = ProtocolError::kNone;
  bool noreply = false;  // kError: send nothing
  uint32_t swallow = 0;  // kError: input bytes to discard after the line
  size_t consumed = 0;
};

}  // namespace ringcache::protocol
