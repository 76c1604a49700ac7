// Admin and informational commands: stats, flush_all, verbosity, shutdown,
// cache_memlimit, slabs, lru_crawler, watch, lru. Each follows memcached
// 1.6.18's argument checks; where memcached consults a setting before it
// looks at the arguments, the argument error is returned as the request's
// deferred_error for the server to send after its own check.
#include "parse_internal.h"

namespace ringcache::protocol::internal {
namespace {

// memcached's MAX_NUMBER_OF_SLAB_CLASSES (63 classes + 1).
constexpr uint32_t kMaxSlabClasses = 64;
// cache_memlimit bounds, in megabytes.
constexpr uint32_t kMinMemlimitMb = 8;
constexpr uint32_t kMaxMemlimitMb = 1000000000;
// lru_crawler sleep: at most one second, in microseconds.
constexpr uint32_t kMaxCrawlerSleepUs = 1000000;

ParseResult Request(TextCommand command, size_t consumed, TextRequest* req) {
  req->command = command;
  return Done(consumed);
}

ParseResult Deferred(TextCommand command, ProtocolError error, size_t consumed, TextRequest* req) {
  req->deferred_error = error;
  return Request(command, consumed, req);
}

// "all", "hash" or a comma-separated list of class ids (empty pieces are
// skipped, as strtok does).
bool ParseCrawlerClasses(std::string_view spec, CrawlerClasses* out) {
  *out = CrawlerClasses{};
  if (spec == "all") {
    out->all = true;
    return true;
  }
  if (spec == "hash") {
    out->hash = true;
    return true;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string_view::npos) comma = spec.size();
    const std::string_view piece = spec.substr(start, comma - start);
    if (!piece.empty()) {
      uint32_t id;
      if (!TokenToU32(piece, &id) || id < 1 || id >= kMaxSlabClasses) {
        *out = CrawlerClasses{};
        return false;
      }
      out->ids |= uint64_t{1} << id;
    }
    start = comma + 1;
  }
  return true;
}

}  // namespace

ParseResult ParseStats(const TokenList& t, size_t consumed, TextRequest* req) {
  StatsArgs& s = req->stats;
  if (t.ntokens() == 2) {
    s.kind = StatsKind::kGeneral;
    return Request(TextCommand::kStats, consumed, req);
  }
  const std::string_view sub = t[1];
  if (sub == "reset") {
    s.kind = StatsKind::kReset;
  } else if (sub == "detail") {
    const std::string_view arg = t.ntokens() < 4 ? std::string_view() : t[2];
    if (arg == "on") {
      s.kind = StatsKind::kDetailOn;
    } else if (arg == "off") {
      s.kind = StatsKind::kDetailOff;
    } else if (arg == "dump") {
      s.kind = StatsKind::kDetailDump;
    } else {
      return Fail(ProtocolError::kStatsDetailUsage, consumed);
    }
  } else if (sub == "settings") {
    s.kind = StatsKind::kSettings;
  } else if (sub == "cachedump") {
    // memcached refuses a disabled cachedump before looking at arguments.
    s.kind = StatsKind::kCachedump;
    ProtocolError e = ProtocolError::kNone;
    if (t.ntokens() < 5) {
      e = ProtocolError::kBadCommandLine;
    } else if (!TokenToU32(t[2], &s.cachedump_class) || !TokenToU32(t[3], &s.cachedump_limit)) {
      e = ProtocolError::kBadCommandLineFormat;
    } else if (s.cachedump_class >= kMaxSlabClasses) {
      e = ProtocolError::kIllegalSlabId;
    }
    return Deferred(TextCommand::kStats, e, consumed, req);
  } else if (sub == "conns") {
    s.kind = StatsKind::kConns;
  } else if (sub == "extstore") {
    s.kind = StatsKind::kExtstore;
  } else if (sub == "items") {
    s.kind = StatsKind::kItems;
  } else if (sub == "slabs") {
    s.kind = StatsKind::kSlabs;
  } else if (sub == "sizes") {
    s.kind = StatsKind::kSizes;
  } else if (sub == "sizes_enable") {
    s.kind = StatsKind::kSizesEnable;
  } else if (sub == "sizes_disable") {
    s.kind = StatsKind::kSizesDisable;
  } else {
    return Fail(ProtocolError::kError, consumed);
  }
  return Request(TextCommand::kStats, consumed, req);
}

// flush_all [delay] [noreply]; the delay is read only when the token count
// says one is there, and its error waits for the flush_enabled check.
ParseResult ParseFlushAll(const TokenList& t, size_t consumed, TextRequest* req) {
  const size_t n = t.ntokens();
  if (n < 2 || n > 4) return Fail(ProtocolError::kError, consumed);
  req->noreply = EndsWithNoreply(t);
  req->flush_delay = 0;
  ProtocolError e = ProtocolError::kNone;
  if (n != (req->noreply ? 3u : 2u) && !TokenToI32(t[1], &req->flush_delay)) {
    e = ProtocolError::kInvalidExptime;
  }
  return Deferred(TextCommand::kFlushAll, e, consumed, req);
}

ParseResult ParseVerbosity(const TokenList& t, size_t consumed, TextRequest* req) {
  if (t.ntokens() != 3 && t.ntokens() != 4) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  if (!TokenToU32(t[1], &req->verbosity_level)) {
    return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
  }
  req->noreply = noreply;
  return Request(TextCommand::kVerbosity, consumed, req);
}

// shutdown [graceful]: refused as "ERROR: shutdown not enabled" without -A,
// which memcached checks first.
ParseResult ParseShutdown(const TokenList& t, size_t consumed, TextRequest* req) {
  req->shutdown_graceful = false;
  ProtocolError e = ProtocolError::kNone;
  if (t.ntokens() == 3 && t[1] == "graceful") {
    req->shutdown_graceful = true;
  } else if (t.ntokens() != 2) {
    e = ProtocolError::kInvalidShutdownMode;
  }
  return Deferred(TextCommand::kShutdown, e, consumed, req);
}

// cache_memlimit <megabytes> [noreply]. The server replies OK or
// kMemlimitAdjustFailed.
ParseResult ParseCacheMemlimit(const TokenList& t, size_t consumed, TextRequest* req) {
  if (t.ntokens() != 3 && t.ntokens() != 4) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  uint32_t mb;
  if (!TokenToU32(t[1], &mb)) return Fail(ProtocolError::kError, consumed, noreply);
  if (mb < kMinMemlimitMb) return Fail(ProtocolError::kMemlimitTooSmall, consumed, noreply);
  if (mb > kMaxMemlimitMb) return Fail(ProtocolError::kMemlimitNotMegabytes, consumed, noreply);
  req->noreply = noreply;
  req->memlimit_mb = mb;
  return Request(TextCommand::kCacheMemlimit, consumed, req);
}

// slabs reassign <src> <dst> | slabs automove <0|1|2> | slabs automove ratio <r>
ParseResult ParseSlabs(const TokenList& t, size_t consumed, TextRequest* req) {
  const size_t n = t.ntokens();
  if (n == 5 && t[1] == "reassign") {
    ProtocolError e = ProtocolError::kNone;
    if (!TokenToI32(t[2], &req->reassign_src) || !TokenToI32(t[3], &req->reassign_dst)) {
      e = ProtocolError::kBadCommandLineFormat;
    }
    return Deferred(TextCommand::kSlabsReassign, e, consumed, req);
  }
  if (n >= 4 && t[1] == "automove") {
    const bool noreply = EndsWithNoreply(t);
    if (t[2] == "ratio") {
      if (n < 5 || !TokenToDouble(t[3], &req->automove_ratio)) {
        return Fail(ProtocolError::kError, consumed, noreply);
      }
      req->automove_is_ratio = true;
    } else {
      uint32_t level;
      if (!TokenToU32(t[2], &level)) {
        return Fail(ProtocolError::kBadCommandLineFormat, consumed, noreply);
      }
      if (level > 2) return Fail(ProtocolError::kError, consumed, noreply);
      req->automove_is_ratio = false;
      req->automove_level = level;
    }
    req->noreply = noreply;
    return Request(TextCommand::kSlabsAutomove, consumed, req);
  }
  return Fail(ProtocolError::kError, consumed);
}

ParseResult ParseLruCrawler(const TokenList& t, size_t consumed, TextRequest* req) {
  CrawlerArgs& c = req->crawler;
  const std::string_view sub = t[1];
  if (t.ntokens() == 4) {
    if (sub == "crawl" || sub == "metadump") {
      c.op = sub == "crawl" ? CrawlerOp::kCrawl : CrawlerOp::kMetadump;
      const ProtocolError e = ParseCrawlerClasses(t[2], &c.classes)
                                  ? ProtocolError::kNone
                                  : ProtocolError::kCrawlerBadClass;
      return Deferred(TextCommand::kLruCrawler, e, consumed, req);
    }
    if (sub == "tocrawl" || sub == "sleep") {
      if (!TokenToU32(t[2], &c.number)) return Fail(ProtocolError::kBadCommandLineFormat, consumed);
      c.op = sub == "tocrawl" ? CrawlerOp::kToCrawl : CrawlerOp::kSleep;
      if (c.op == CrawlerOp::kSleep && c.number > kMaxCrawlerSleepUs) {
        return Fail(ProtocolError::kCrawlerSleepTooLong, consumed);
      }
      return Deferred(TextCommand::kLruCrawler, ProtocolError::kNone, consumed, req);
    }
  } else if (t.ntokens() == 3) {
    if (sub == "enable" || sub == "disable") {
      c.op = sub == "enable" ? CrawlerOp::kEnable : CrawlerOp::kDisable;
      return Deferred(TextCommand::kLruCrawler, ProtocolError::kNone, consumed, req);
    }
  }
  return Fail(ProtocolError::kError, consumed);
}

// watch [category...]: no category means fetchers. An unknown word (even
// "noreply", which still silences the reply) is ERROR after the gates.
ParseResult ParseWatch(const TokenList& t, size_t consumed, TextRequest* req) {
  struct Category {
    std::string_view name;
    uint16_t bit;
  };
  static constexpr Category kCategories[] = {
      {"rawcmds", kWatchRawCmds},     {"evictions", kWatchEvictions},
      {"fetchers", kWatchFetchers},   {"mutations", kWatchMutations},
      {"sysevents", kWatchSysEvents}, {"connevents", kWatchConnEvents},
      {"proxyreqs", kWatchProxyReqs}, {"proxyevents", kWatchProxyEvents},
      {"proxyuser", kWatchProxyUser},
  };
  req->noreply = EndsWithNoreply(t);
  uint16_t mask = 0;
  ProtocolError e = ProtocolError::kNone;
  if (t.count > 1) {
    for (size_t i = 1; i < t.count && e == ProtocolError::kNone; ++i) {
      e = ProtocolError::kError;
      for (const Category& c : kCategories) {
        if (t.token[i] == c.name) {
          mask |= c.bit;
          e = ProtocolError::kNone;
          break;
        }
      }
    }
  } else {
    mask = kWatchFetchers;
  }
  req->watch_mask = mask;
  return Deferred(TextCommand::kWatch, e, consumed, req);
}

// lru tune <hot%> <warm%> <hot factor> <warm factor> | lru mode flat|segmented
// | lru temp_ttl <ttl>. memcached answers mode and temp_ttl with ERROR when
// its LRU maintainer is off; that check is the server's.
ParseResult ParseLru(const TokenList& t, size_t consumed, TextRequest* req) {
  const size_t n = t.ntokens();
  if (n < 3) return Fail(ProtocolError::kError, consumed);
  const bool noreply = EndsWithNoreply(t);
  LruArgs& lru = req->lru;
  const std::string_view sub = t[1];
  if (sub == "tune" && n >= 7) {
    if (!TokenToU32(t[2], &lru.hot_pct) || !TokenToU32(t[3], &lru.warm_pct) ||
        !TokenToDouble(t[4], &lru.hot_max_factor) || !TokenToDouble(t[5], &lru.warm_max_factor)) {
      return Fail(ProtocolError::kError, consumed, noreply);
    }
    // memcached adds the two percentages as unsigned 32-bit values.
    if (static_cast<uint32_t>(lru.hot_pct + lru.warm_pct) > 80) {
      return Fail(ProtocolError::kLruPercentTooHigh, consumed, noreply);
    }
    if (lru.warm_max_factor <= 0 || lru.hot_max_factor <= 0) {
      return Fail(ProtocolError::kLruFactorNotPositive, consumed, noreply);
    }
    lru.op = LruOp::kTune;
  } else if (sub == "mode" && n >= 4) {
    if (t[2] == "flat") {
      lru.op = LruOp::kModeFlat;
    } else if (t[2] == "segmented") {
      lru.op = LruOp::kModeSegmented;
    } else {
      return Fail(ProtocolError::kError, consumed, noreply);
    }
  } else if (sub == "temp_ttl" && n >= 4) {
    if (!TokenToI32(t[2], &lru.temp_ttl)) return Fail(ProtocolError::kError, consumed, noreply);
    lru.op = LruOp::kTempTtl;
  } else {
    return Fail(ProtocolError::kError, consumed, noreply);
  }
  req->noreply = noreply;
  return Request(TextCommand::kLru, consumed, req);
}

}  // namespace ringcache::protocol::internal
