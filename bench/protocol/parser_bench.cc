// Parsing cost per request: the common lines of a cache workload (get with
// one 12-byte key, a multiget, set, meta get), each parsed from a buffer
// that holds many pipelined copies, as a receive buffer would.
#include <string>

#include "benchmark/benchmark.h"

#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

// Parses `copies` pipelined copies of `line` per iteration round.
void ParseLoop(benchmark::State& state, const std::string& line) {
  constexpr int kCopies = 64;
  std::string buffer;
  for (int i = 0; i < kCopies; ++i) buffer += line;
  TextParser parser;
  TextRequest req;
  for (auto _ : state) {
    std::string_view data = buffer;
    while (!data.empty()) {
      const ParseResult r = parser.Parse(data, &req);
      benchmark::DoNotOptimize(req.keys.first.data());
      benchmark::DoNotOptimize(req.key.data());
      data.remove_prefix(r.consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * kCopies);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size()));
}

void BM_ParseGet12(benchmark::State& state) { ParseLoop(state, "get key:00000001\r\n"); }
BENCHMARK(BM_ParseGet12);

void BM_ParseGets12(benchmark::State& state) { ParseLoop(state, "gets key:00000001\r\n"); }
BENCHMARK(BM_ParseGets12);

void BM_ParseMultiget10(benchmark::State& state) {
  std::string line = "get";
  for (int i = 0; i < 10; ++i) line += " key:0000000" + std::to_string(i);
  ParseLoop(state, line + "\r\n");
}
BENCHMARK(BM_ParseMultiget10);

// The header line only: the value block is the caller's copy.
void BM_ParseSetHeader(benchmark::State& state) { ParseLoop(state, "set key:00000001 0 0 32\r\n"); }
BENCHMARK(BM_ParseSetHeader);

void BM_ParseSetNoreply(benchmark::State& state) {
  ParseLoop(state, "set key:00000001 123 3600 32 noreply\r\n");
}
BENCHMARK(BM_ParseSetNoreply);

void BM_ParseMetaGet(benchmark::State& state) { ParseLoop(state, "mg key:00000001 v f c\r\n"); }
BENCHMARK(BM_ParseMetaGet);

void BM_ParseMetaSet(benchmark::State& state) {
  ParseLoop(state, "ms key:00000001 32 T3600 F5 q\r\n");
}
BENCHMARK(BM_ParseMetaSet);

void BM_ParseIncr(benchmark::State& state) { ParseLoop(state, "incr key:00000001 1\r\n"); }
BENCHMARK(BM_ParseIncr);

// A partial line: the cost of "need more" (no side effects, nothing consumed).
void BM_ParsePartial(benchmark::State& state) {
  const std::string partial = "get key:0000";
  TextParser parser;
  TextRequest req;
  for (auto _ : state) {
    parser.Reset();
    benchmark::DoNotOptimize(parser.Parse(partial, &req).status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePartial);

}  // namespace
}  // namespace ringcache::protocol

BENCHMARK_MAIN();
