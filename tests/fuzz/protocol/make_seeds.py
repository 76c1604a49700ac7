#!/usr/bin/python3
"""Writes the seed corpora of the protocol fuzz targets.

tests/fuzz/corpus/binary_parser/: binary request packets (one or a
pipeline per file) after one split byte.

tests/fuzz/corpus/text_parser/: one request stream per file, after one byte
that picks how the fuzzer splits it. tests/fuzz/corpus/meta_parser/: a byte
picking the meta command (g s d a e n), a split byte, then the rest of the
line. Run from the repository root; rerunning rewrites the same files.
"""
import hashlib
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")

TEXT = [
    b"get a\r\n", b"get a b c\r\n", b"gets a\r\n", b"gat 10 a b\r\n", b"gats -1 a\r\n",
    b"bget a\r\n", b"set k 1 2 3\r\nabc\r\n", b"add k 0 0 1 noreply\r\nx\r\n",
    b"replace k 0 0 1\r\nx\r\n", b"append k 0 0 1\r\nx\r\n", b"prepend k 0 0 1\r\nx\r\n",
    b"cas k 0 0 1 77\r\nx\r\n", b"set a 0 0 1\r\nabc\r\n", b"set a 0 0 -1\r\n",
    b"set a +5 +0 +1\r\nb\r\n", b"set c 0 0 \t1\r\nz\r\n", b"set a 0 0 4294967297\r\nx\r\n",
    b"incr a 5\r\n", b"decr a 18446744073709551615 noreply\r\n", b"incr a x\r\n",
    b"touch a 10\r\n", b"touch a x\r\n", b"delete a\r\n", b"delete a 0 noreply\r\n",
    b"delete a 1\r\n", b"GET / HTTP/1.1\r\n", b"version\r\nquit\r\n", b"\r\n", b"\n",
    b"get a\x00b\r\n", b"get a\r\r\n", b"stats\r\nstats settings\r\nstats items\r\n",
    b"stats detail on\r\n", b"stats cachedump 1 10\r\n", b"stats cachedump 100 1\r\n",
    b"flush_all 10 noreply\r\n", b"flush_all abc\r\n", b"verbosity 1\r\n", b"shutdown graceful\r\n",
    b"cache_memlimit 100\r\n", b"cache_memlimit 7\r\n", b"slabs reassign 1 2\r\n",
    b"slabs automove ratio 0.5\r\n", b"lru tune 10 10 0.1 2\r\n", b"lru mode flat\r\n",
    b"lru temp_ttl -1\r\n", b"lru_crawler crawl 1,2,3\r\n", b"lru_crawler metadump all\r\n",
    b"lru_crawler sleep 100\r\n", b"watch fetchers mutations\r\n", b"extstore item_size 5\r\n",
    b"mg foo s v f t c h l k Oabc q\r\n", b"mg Zm9v b k v\r\n", b"ms foo 2 T10 F7 c k O1 q\r\nhi\r\n",
    b"ms foo 2 MX\r\nhi\r\n", b"md foo q I T30 C5 k Oa\r\n", b"ma n N0 J5 v c t MD D3\r\n",
    b"mn\r\n", b"me foo\r\n", b"me a2s= b\r\n",
    b"get " + b"k" * 251 + b"\r\n", b"get " + b"x" * 3000, b"x" * 3000,
    b"get " + b" ".join(b"key%d" % i for i in range(40)) + b"\r\n",
    b"set a 0 0 1 noreply " + b"x " * 30 + b"\r\n",
]

META = [
    b"foo s v f t c h l k Oabc q\r\n", b"foo T30 N-1 R10 u\r\n", b"Zm9v b k v\r\n",
    b"Zg==Zm9v b\r\n", b"foo z\r\n", b"foo v v\r\n", b"foo Tx MEE\r\n", b"foo 2\r\nhi\r\n",
    b"foo 2 MS C9 I\r\nhi\r\n", b"foo 2 Fx\r\nhi\r\n", b"foo 2 O" + b"x" * 33 + b"\r\nhi\r\n",
    b"foo q I T30 C5 k Oa\r\n", b"n N0 J5 v c t\r\n", b"n v MD D3\r\n", b"n M+ D18446744073709551615\r\n",
    b"a" + b" v" * 18 + b"\r\n", b"AP8A b k\r\nmn\r\n",
]


def packet(opcode, key=b"", extras=b"", value=b"", cas=0, opaque=0, magic=0x80, body=None):
    if body is None:
        body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", magic, opcode, len(key), len(extras), 0, 0, body, opaque,
                       cas) + extras + key + value


def binary_seeds():
    set_extras = struct.pack(">II", 5, 10)
    incr_extras = struct.pack(">QQI", 3, 100, 0xffffffff)
    seeds = [
        packet(0x00, b"foo"), packet(0x09, b"foo"), packet(0x0c, b"foo"), packet(0x0d, b"foo"),
        packet(0x01, b"k", set_extras, b"abc"), packet(0x11, b"k", set_extras, b"abc", cas=7),
        packet(0x02, b"k", set_extras, b"x"), packet(0x03, b"k", set_extras, b"x"),
        packet(0x0e, b"k", b"", b"xy"), packet(0x0f, b"k", b"", b"xy"), packet(0x04, b"k"),
        packet(0x05, b"n", incr_extras), packet(0x06, b"n", incr_extras), packet(0x07),
        packet(0x08), packet(0x08, b"", struct.pack(">I", 30)), packet(0x0a), packet(0x0b),
        packet(0x10), packet(0x10, b"items"), packet(0x1c, b"k", struct.pack(">I", 60)),
        packet(0x1d, b"k", struct.pack(">I", 60)), packet(0x23, b"k", struct.pack(">I", 60)),
        packet(0x20), packet(0x21, b"PLAIN", b"", b"\0u\0p"), packet(0x50, b"abc") + b"xyz",
        packet(0x00, b"k" * 251), packet(0x00, b"abc", body=2), packet(0x00, b"k", b"1234"),
        packet(0x0a, magic=0x81),
        packet(0x0d, b"a") + packet(0x0d, b"b") + packet(0x0a),
    ]
    return [bytes([i % 29]) + p for i, p in enumerate(seeds)]


def write(name, blobs):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    for blob in blobs:
        path = os.path.join(d, hashlib.sha1(blob).hexdigest()[:16])
        with open(path, "wb") as f:
            f.write(blob)


def main():
    text = []
    for i, t in enumerate(TEXT):
        text.append(bytes([i % 7]) + t)
    text.append(b"\x03" + b"".join(TEXT[:20]))  # a pipelined stream
    write("text_parser", text)
    meta = []
    for i, m in enumerate(META):
        for cmd in range(6):
            if (i + cmd) % 2 == 0:
                meta.append(bytes([cmd, i % 7]) + m)
    write("meta_parser", meta)
    write("binary_parser", binary_seeds())


if __name__ == "__main__":
    main()
