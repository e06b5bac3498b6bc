// The memoizing -xx decoder answers exactly what plain decoding answers, whatever the text,
// range or memo state (a wrong answer would be a wrong path, hence a wrong hit).
import assert from "node:assert/strict";
import { decodeHexRange } from "../../lib/trace/hex.ts";
import { HexMemo } from "../../lib/trace/hex_memo.ts";
import { hx } from "./_helpers.ts";

Deno.test("memoized decoding equals plain decoding for valid, odd and invalid texts", () => {
  const memo = new HexMemo({ maxEntries: 8 });
  const texts = [
    hx("/tmp/casher-trace-fixture/w"),
    hx("/tmp/casher-trace-fixture/x"),
    hx("/tmp/casher-trace-fixture/w").toUpperCase().replaceAll("\\X", "\\x"),
    hx('we ird"q\nx\xff\x00'),
    hx("/a/b") + "\\x2",
    hx("/a/b/c/d").replace("\\x62", "\\xg2"),
    "",
  ];
  for (let round = 0; round < 3; round++) {
    for (const t of texts) {
      const s = `AT_FDCWD<${t}>`;
      for (
        const [start, end] of [[9, 9 + t.length], [8, 9 + t.length], [9, s.length + 4], [-4, 12]]
      ) {
        assert.equal(
          memo.decode(s, start, { end }),
          decodeHexRange(s, start, { end }),
          `${JSON.stringify(s)} [${start}, ${end})`,
        );
      }
    }
  }
});

Deno.test("the memo stays bounded and keeps answering right after it starts over", () => {
  const memo = new HexMemo({ maxEntries: 4 });
  for (let i = 0; i < 100; i++) {
    const p = `/usr/lib/file-${i % 13}.so`;
    const s = `3<${hx(p)}>`;
    assert.equal(memo.decode(s, 2, { end: s.length - 1 }), p);
  }
});
