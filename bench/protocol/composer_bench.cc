// Reply composition cost: a GET hit (header + 32-byte value + END) and the
// constant status lines, appended to a warm OutBuffer and drained as a
// sender would.
#include <string>

#include "benchmark/benchmark.h"

#include "ringcache/protocol/meta_composer.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

constexpr int kReplies = 64;

void BM_ComposeGetHit32(benchmark::State& state) {
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  const std::string value(32, 'v');
  for (auto _ : state) {
    for (int i = 0; i < kReplies; ++i) {
      AppendValueCopy(out, "key:00000001", 0, value, {}, false, 0);
      AppendEnd(out);
    }
    out.Consume(out.size());
  }
  state.SetItemsProcessed(state.iterations() * kReplies);
}
BENCHMARK(BM_ComposeGetHit32);

void BM_ComposeGetsHeader(benchmark::State& state) {
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  for (auto _ : state) {
    for (int i = 0; i < kReplies; ++i) {
      AppendValueHeaderWithCas(out, "key:00000001", 123, 32, 987654321);
    }
    out.Consume(out.size());
  }
  state.SetItemsProcessed(state.iterations() * kReplies);
}
BENCHMARK(BM_ComposeGetsHeader);

void BM_ComposeStored(benchmark::State& state) {
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  for (auto _ : state) {
    for (int i = 0; i < kReplies; ++i) AppendReply(out, TextReply::kStored);
    out.Consume(out.size());
  }
  state.SetItemsProcessed(state.iterations() * kReplies);
}
BENCHMARK(BM_ComposeStored);

void BM_ComposeMetaGetHit(benchmark::State& state) {
  base::BlockPool pool;
  base::OutBuffer out(&pool);
  TextParser parser;
  TextRequest req;
  const std::string line = "mg key:00000001 v f c t\r\n";
  (void)parser.Parse(line, &req);
  MetaItemInfo item;
  item.key = "key:00000001";
  item.value_bytes = 32;
  item.client_flags = 5;
  item.cas = 123456;
  item.now = 1000;
  for (auto _ : state) {
    for (int i = 0; i < kReplies; ++i) AppendMetaGetHit(out, req.meta, item);
    out.Consume(out.size());
  }
  state.SetItemsProcessed(state.iterations() * kReplies);
}
BENCHMARK(BM_ComposeMetaGetHit);

}  // namespace
}  // namespace ringcache::protocol
