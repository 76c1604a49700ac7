// Renders parsed requests as one line of text for the parser tests: the
// command and the fields it carries, so table rows read like the protocol.
#include <cstdio>

#include "parser_harness.h"

namespace ringcache::protocol::testing {
namespace {

std::string Str(std::string_view s) { return std::string(s); }

const char* CommandName(TextCommand c) {
  switch (c) {
    case TextCommand::kGet:
      return "get";
    case TextCommand::kGets:
      return "gets";
    case TextCommand::kGat:
      return "gat";
    case TextCommand::kGats:
      return "gats";
    case TextCommand::kSet:
      return "set";
    case TextCommand::kAdd:
      return "add";
    case TextCommand::kReplace:
      return "replace";
    case TextCommand::kAppend:
      return "append";
    case TextCommand::kPrepend:
      return "prepend";
    case TextCommand::kCas:
      return "cas";
    case TextCommand::kIncr:
      return "incr";
    case TextCommand::kDecr:
      return "decr";
    case TextCommand::kTouch:
      return "touch";
    case TextCommand::kDelete:
      return "delete";
    case TextCommand::kMetaGet:
      return "mg";
    case TextCommand::kMetaSet:
      return "ms";
    case TextCommand::kMetaDelete:
      return "md";
    case TextCommand::kMetaArithmetic:
      return "ma";
    case TextCommand::kMetaNoop:
      return "mn";
    case TextCommand::kMetaDebug:
      return "me";
    case TextCommand::kVersion:
      return "version";
    case TextCommand::kQuit:
      return "quit";
    case TextCommand::kShutdown:
      return "shutdown";
    case TextCommand::kVerbosity:
      return "verbosity";
    case TextCommand::kFlushAll:
      return "flush_all";
    case TextCommand::kStats:
      return "stats";
    case TextCommand::kCacheMemlimit:
      return "cache_memlimit";
    case TextCommand::kLruCrawler:
      return "lru_crawler";
    case TextCommand::kWatch:
      return "watch";
    case TextCommand::kSlabsReassign:
      return "slabs reassign";
    case TextCommand::kSlabsAutomove:
      return "slabs automove";
    case TextCommand::kLru:
      return "lru";
    case TextCommand::kExtstore:
      return "extstore";
    case TextCommand::kRefreshCerts:
      return "refresh_certs";
  }
  return "?";
}

const char* StatsName(StatsKind k) {
  switch (k) {
    case StatsKind::kGeneral:
      return "";
    case StatsKind::kReset:
      return " reset";
    case StatsKind::kDetailOn:
      return " detail on";
    case StatsKind::kDetailOff:
      return " detail off";
    case StatsKind::kDetailDump:
      return " detail dump";
    case StatsKind::kSettings:
      return " settings";
    case StatsKind::kCachedump:
      return " cachedump";
    case StatsKind::kConns:
      return " conns";
    case StatsKind::kItems:
      return " items";
    case StatsKind::kSlabs:
      return " slabs";
    case StatsKind::kSizes:
      return " sizes";
    case StatsKind::kSizesEnable:
      return " sizes_enable";
    case StatsKind::kSizesDisable:
      return " sizes_disable";
    case StatsKind::kExtstore:
      return " extstore";
  }
  return " ?";
}

const char* KindName(StoreKind k) {
  switch (k) {
    case StoreKind::kSet:
      return "set";
    case StoreKind::kAdd:
      return "add";
    case StoreKind::kReplace:
      return "replace";
    case StoreKind::kAppend:
      return "append";
    case StoreKind::kPrepend:
      return "prepend";
    case StoreKind::kCas:
      return "cas";
  }
  return "?";
}

// Printable form of arbitrary bytes (keys may hold control bytes).
std::string DescribeMeta(const TextRequest& req) {
  const MetaRequest& m = req.meta;
  std::string s = CommandName(req.command);
  s += " " + PrintableBytes(m.key());
  if (m.key_binary()) s += " (binary)";
  if (req.command == TextCommand::kMetaDebug) return s;
  if (req.command == TextCommand::kMetaSet) s += " bytes=" + std::to_string(m.value_bytes);
  s += " flags=" + std::string(m.order, m.flag_count);
  if (m.has('O')) s += " opaque=" + Str(m.opaque);
  if (m.has('T')) s += " T=" + std::to_string(m.ttl);
  if (m.has('N')) s += " N=" + std::to_string(m.vivify_ttl);
  if (m.has('R')) s += " R=" + std::to_string(m.recache_ttl);
  if (m.has('F')) s += " F=" + std::to_string(m.client_flags);
  if (m.has('C')) s += " C=" + std::to_string(m.compare_cas);
  if (m.has('D')) s += " D=" + std::to_string(m.delta);
  if (m.has('J')) s += " J=" + std::to_string(m.initial);
  if (req.command == TextCommand::kMetaSet) s += std::string(" kind=") + KindName(m.store_kind);
  if (req.command == TextCommand::kMetaArithmetic) s += m.incr ? " incr" : " decr";
  return s;
}

std::string DescribeAdmin(const TextRequest& req) {
  std::string s = CommandName(req.command);
  switch (req.command) {
    case TextCommand::kStats:
      s += StatsName(req.stats.kind);
      if (req.stats.kind == StatsKind::kCachedump && req.deferred_error == ProtocolError::kNone) {
        s += " " + std::to_string(req.stats.cachedump_class) + " " +
             std::to_string(req.stats.cachedump_limit);
      }
      break;
    case TextCommand::kShutdown:
      if (req.shutdown_graceful) s += " graceful";
      break;
    case TextCommand::kVerbosity:
      s += " " + std::to_string(req.verbosity_level);
      break;
    case TextCommand::kFlushAll:
      s += " delay=" + std::to_string(req.flush_delay);
      break;
    case TextCommand::kCacheMemlimit:
      s += " " + std::to_string(req.memlimit_mb);
      break;
    case TextCommand::kLruCrawler: {
      const CrawlerArgs& c = req.crawler;
      switch (c.op) {
        case CrawlerOp::kCrawl:
        case CrawlerOp::kMetadump: {
          s += c.op == CrawlerOp::kCrawl ? " crawl" : " metadump";
          if (c.classes.all) s += " all";
          if (c.classes.hash) s += " hash";
          for (int i = 0; i < 64; ++i) {
            if ((c.classes.ids >> i) & 1) s += " " + std::to_string(i);
          }
          break;
        }
        case CrawlerOp::kToCrawl:
          s += " tocrawl " + std::to_string(c.number);
          break;
        case CrawlerOp::kSleep:
          s += " sleep " + std::to_string(c.number);
          break;
        case CrawlerOp::kEnable:
          s += " enable";
          break;
        case CrawlerOp::kDisable:
          s += " disable";
          break;
      }
      break;
    }
    case TextCommand::kWatch:
      s += " mask=" + std::to_string(req.watch_mask);
      break;
    case TextCommand::kSlabsReassign:
      s += " " + std::to_string(req.reassign_src) + " " + std::to_string(req.reassign_dst);
      break;
    case TextCommand::kSlabsAutomove:
      if (req.automove_is_ratio) {
        char text[32];
        std::snprintf(text, sizeof(text), " ratio %.2f", req.automove_ratio);
        s += text;
      } else {
        s += " " + std::to_string(req.automove_level);
      }
      break;
    case TextCommand::kLru: {
      const LruArgs& l = req.lru;
      char text[96];
      switch (l.op) {
        case LruOp::kTune:
          std::snprintf(text, sizeof(text), " tune %u %u %.2f %.2f", l.hot_pct, l.warm_pct,
                        l.hot_max_factor, l.warm_max_factor);
          s += text;
          break;
        case LruOp::kModeFlat:
          s += " mode flat";
          break;
        case LruOp::kModeSegmented:
          s += " mode segmented";
          break;
        case LruOp::kTempTtl:
          s += " temp_ttl " + std::to_string(l.temp_ttl);
          break;
      }
      break;
    }
    case TextCommand::kExtstore:
      for (size_t i = 1; i < req.tokens.count; ++i) s += " " + PrintableBytes(req.tokens.token[i]);
      break;
    default:
      break;
  }
  if (req.deferred_error != ProtocolError::kNone) {
    s += " deferred=" + Str(ErrorText(req.deferred_error));
  }
  return s;
}

}  // namespace

std::string PrintableBytes(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string Describe(const TextRequest& req) {
  std::string s;
  switch (req.command) {
    case TextCommand::kGet:
    case TextCommand::kGets:
    case TextCommand::kGat:
    case TextCommand::kGats: {
      s = CommandName(req.command);
      if (req.command == TextCommand::kGat || req.command == TextCommand::kGats) {
        s += " " + std::to_string(req.exptime);
      }
      uint32_t n = 0;
      for (const std::string_view key : req.keys) {
        s += " " + PrintableBytes(key);
        ++n;
      }
      if (n != req.keys.count) s += " COUNT-MISMATCH";
      if (n != 0 && *req.keys.begin() != req.keys.first) s += " FIRST-MISMATCH";
      return s;
    }
    case TextCommand::kSet:
    case TextCommand::kAdd:
    case TextCommand::kReplace:
    case TextCommand::kAppend:
    case TextCommand::kPrepend:
    case TextCommand::kCas:
      s = std::string(CommandName(req.command)) + " " + PrintableBytes(req.key) +
          " f=" + std::to_string(req.client_flags) + " e=" + std::to_string(req.exptime) +
          " n=" + std::to_string(req.value_bytes);
      if (req.command == TextCommand::kCas) s += " cas=" + std::to_string(req.cas);
      break;
    case TextCommand::kIncr:
    case TextCommand::kDecr:
      s = std::string(CommandName(req.command)) + " " + PrintableBytes(req.key) + " " +
          std::to_string(req.delta);
      break;
    case TextCommand::kTouch:
      s = "touch " + PrintableBytes(req.key) + " " + std::to_string(req.exptime);
      break;
    case TextCommand::kDelete:
      s = "delete " + PrintableBytes(req.key);
      break;
    case TextCommand::kMetaGet:
    case TextCommand::kMetaSet:
    case TextCommand::kMetaDelete:
    case TextCommand::kMetaArithmetic:
    case TextCommand::kMetaDebug:
      return DescribeMeta(req);
    case TextCommand::kMetaNoop:
      return "mn";
    default:
      s = DescribeAdmin(req);
      break;
  }
  if (req.noreply) s += " noreply";
  return s;
}

std::string DescribeError(const ParseResult& r) {
  std::string s = "error " + Str(ErrorText(r.error));
  if (r.noreply) s += " (noreply)";
  if (r.swallow != 0) s += " swallow=" + std::to_string(r.swallow);
  return s;
}

std::string Describe(const binary::Request& req) {
  using binary::Opcode;
  std::string s;
  switch (req.command) {
    case Opcode::kGet:
      s = "get";
      break;
    case Opcode::kGetK:
      s = "getk";
      break;
    case Opcode::kSet:
      s = "set";
      break;
    case Opcode::kAdd:
      s = "add";
      break;
    case Opcode::kReplace:
      s = "replace";
      break;
    case Opcode::kDelete:
      s = "delete";
      break;
    case Opcode::kIncrement:
      s = "incr";
      break;
    case Opcode::kDecrement:
      s = "decr";
      break;
    case Opcode::kQuit:
      s = "quit";
      break;
    case Opcode::kFlush:
      s = "flush";
      break;
    case Opcode::kNoop:
      s = "noop";
      break;
    case Opcode::kVersion:
      s = "version";
      break;
    case Opcode::kAppend:
      s = "append";
      break;
    case Opcode::kPrepend:
      s = "prepend";
      break;
    case Opcode::kStat:
      s = "stat";
      break;
    case Opcode::kTouch:
      s = "touch";
      break;
    case Opcode::kGat:
      s = "gat";
      break;
    case Opcode::kGatK:
      s = "gatk";
      break;
    case Opcode::kSaslListMechs:
      s = "sasl_list";
      break;
    case Opcode::kSaslAuth:
      s = "sasl_auth";
      break;
    case Opcode::kSaslStep:
      s = "sasl_step";
      break;
    default:
      s = "opcode " + std::to_string(static_cast<int>(req.command));
      break;
  }
  if (req.quiet) s += "q";
  if (!req.key.empty()) s += " " + PrintableBytes(req.key);
  switch (req.command) {
    case Opcode::kSet:
    case Opcode::kAdd:
    case Opcode::kReplace:
      s += " f=" + std::to_string(req.client_flags) + " e=" + std::to_string(req.exptime);
      break;
    case Opcode::kIncrement:
    case Opcode::kDecrement:
      s += " d=" + std::to_string(req.delta) + " i=" + std::to_string(req.initial) +
           " e=" + std::to_string(req.exptime);
      break;
    case Opcode::kTouch:
    case Opcode::kGat:
    case Opcode::kGatK:
      s += " e=" + std::to_string(req.exptime);
      break;
    case Opcode::kFlush:
      if (req.has_exptime) s += " e=" + std::to_string(req.exptime);
      break;
    default:
      break;
  }
  if (req.value_bytes != 0) s += " n=" + std::to_string(req.value_bytes);
  if (req.header.cas != 0) s += " cas=" + std::to_string(req.header.cas);
  if (req.header.opaque != 0) s += " opaque=" + std::to_string(req.header.opaque);
  return s;
}

}  // namespace ringcache::protocol::testing
