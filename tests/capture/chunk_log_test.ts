import assert from "node:assert/strict";
import { ChunkRecorder, decodeChunkLog, encodeChunkLog } from "../../lib/capture/chunk_log.ts";
import { replayChunks } from "../../lib/capture/replay.ts";
import { isCasherError } from "../../lib/errors/casher_error.ts";

const te = new TextEncoder();

Deno.test("chunk log keeps stream order and merges adjacent chunks of one stream", () => {
  const rec = new ChunkRecorder();
  rec.push(1, te.encode("a"));
  rec.push(1, te.encode("b"));
  rec.push(2, te.encode("E"));
  rec.push(1, te.encode("c"));
  const chunks = rec.chunks();
  assert.deepEqual(chunks.map((c) => [c.fd, new TextDecoder().decode(c.bytes)]), [
    [1, "ab"],
    [2, "E"],
    [1, "c"],
  ]);
  assert.equal(rec.totalBytes, 4);
});

Deno.test("chunk log round-trips arbitrary bytes exactly", () => {
  const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) & 0xff);
  const chunks = [{ fd: 2 as const, bytes }, { fd: 1 as const, bytes: new Uint8Array([0, 255]) }];
  const back = decodeChunkLog(encodeChunkLog(chunks));
  assert.equal(back.length, 2);
  assert.deepEqual(back[0].bytes, bytes);
  assert.deepEqual([...back[1].bytes], [0, 255]);
});

Deno.test("recorder copies pushed bytes so callers may reuse buffers", () => {
  const rec = new ChunkRecorder();
  const buf = te.encode("xy");
  rec.push(1, buf);
  buf[0] = 0x41;
  assert.equal(new TextDecoder().decode(rec.chunks()[0].bytes), "xy");
});

Deno.test("a truncated chunk log is reported as corrupt, never half-decoded", () => {
  const good = encodeChunkLog([{ fd: 1, bytes: te.encode("hello") }]);
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(
      () => decodeChunkLog(good.subarray(0, cut)),
      (e) => isCasherError(e, "blob-corrupt"),
    );
  }
  assert.throws(
    () => decodeChunkLog(new Uint8Array([3, 0, 0, 0, 0])),
    (e) => isCasherError(e, "blob-corrupt"),
  );
});

Deno.test("replay writes chunks in order and stops quietly on EPIPE", () => {
  const seen: string[] = [];
  const outcome = replayChunks(
    [{ fd: 1, bytes: te.encode("1") }, { fd: 2, bytes: te.encode("2") }, {
      fd: 1,
      bytes: te.encode("3"),
    }],
    {
      write(fd, bytes) {
        if (seen.length === 2) throw Object.assign(new Error("pipe"), { code: "EPIPE" });
        seen.push(`${fd}:${new TextDecoder().decode(bytes)}`);
      },
    },
  );
  assert.deepEqual(seen, ["1:1", "2:2"]);
  assert.deepEqual(outcome, { kind: "reader-gone", fd: 1 });
});
