import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { decodedBlockSize } from "../../lib/store/_lz4_format.ts";
import {
  bytesReader,
  createLz4FrameDecoder,
  createLz4FrameEncoder,
  decodeLz4Frame,
  encodeLz4Frame,
} from "../../lib/store/lz4_frame.ts";

const MiB = 1 << 20;

function mixed(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const text = Buffer.from("2024-01-01 INFO request served path=/api/v1/items status=200\n");
  for (let i = 0; i < size / 2; i++) out[i] = text[i % text.length];
  out.set(randomBytes(size - Math.floor(size / 2)), Math.floor(size / 2));
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.length),
    Buffer.from(b.buffer, b.byteOffset, b.length),
  ) === 0;
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "casher-lz4-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

async function expectCorrupt(frame: Uint8Array, pattern?: RegExp): Promise<void> {
  await assert.rejects(decodeLz4Frame(frame), (e) => {
    assert.ok(isCasherError(e, "blob-corrupt"), String(e));
    if (pattern) assert.match((e as Error).message, pattern);
    return true;
  });
}

for (const codec of ["auto", "js"] as const) {
  Deno.test(`frames round-trip at block edges with the ${codec} block codec`, async () => {
    for (const size of [0, 1, 13, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 5]) {
      const data = mixed(size);
      const frame = await encodeLz4Frame(data, { codec });
      assert.ok(equalBytes(await decodeLz4Frame(frame, { codec }), data), `size ${size}`);
    }
  });
}

Deno.test("pushing odd-sized chunks gives the same frame as one push", async () => {
  const data = mixed(5 * MiB + 123);
  const whole = await encodeLz4Frame(data);
  const enc = await createLz4FrameEncoder();
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += 777_777) {
    for (const p of enc.push(data.subarray(at, at + 777_777))) parts.push(p.slice());
  }
  parts.push(...enc.finish());
  assert.equal(enc.contentSize, data.length);
  assert.ok(equalBytes(Buffer.concat(parts), whole));
});

Deno.test("an encoder cannot be used after finish", async () => {
  const enc = await createLz4FrameEncoder();
  enc.finish();
  assert.throws(() => enc.push(new Uint8Array(1)), /already finished/);
});

Deno.test("incompressible blocks are stored uncompressed (high bit of the block size)", async () => {
  const data = randomBytes(100_000);
  const frame = await encodeLz4Frame(data);
  const field = new DataView(frame.buffer, frame.byteOffset + 7, 4).getUint32(0, true);
  assert.equal(field, (0x80000000 | data.length) >>> 0);
  assert.equal(frame.length, 7 + 4 + data.length + 8);
});

Deno.test("minSavings stores a block raw when compression saves too little", async () => {
  const data = mixed(64 * 1024); // compresses to about half
  const lax = await encodeLz4Frame(data, { minSavings: 0 });
  const strict = await encodeLz4Frame(data, { minSavings: 0.9 });
  assert.ok(lax.length < data.length * 0.8);
  assert.equal(strict.length, 7 + 4 + data.length + 8);
  assert.ok(equalBytes(await decodeLz4Frame(strict), data));
});

Deno.test("the lz4 CLI decodes frames we write", async () => {
  const data = mixed(9 * MiB + 7);
  const frame = await encodeLz4Frame(data);
  withDir((dir) => {
    writeFileSync(join(dir, "a.lz4"), frame);
    execFileSync("lz4", ["-d", "-q", "-f", join(dir, "a.lz4"), join(dir, "a")]);
    assert.ok(equalBytes(readFileSync(join(dir, "a")), data));
  });
});

Deno.test("we decode lz4 CLI frames: default, block checksums, content size, 64 KiB blocks, concatenated", async () => {
  const data = mixed(6 * MiB + 3);
  const frames = withDir((dir) => {
    writeFileSync(join(dir, "in"), data);
    const out: Record<string, Uint8Array> = {};
    for (const args of [[], ["-BX"], ["--content-size"], ["-B4"], ["-9"]]) {
      execFileSync("lz4", [...args, "-q", "-f", join(dir, "in"), join(dir, "o.lz4")]);
      out[args.join(" ") || "default"] = readFileSync(join(dir, "o.lz4"));
    }
    return out;
  });
  for (const [name, frame] of Object.entries(frames)) {
    assert.ok(equalBytes(await decodeLz4Frame(frame), data), name);
  }
  const twice = Buffer.concat([frames.default, frames["-BX"]]);
  assert.ok(equalBytes(await decodeLz4Frame(twice), Buffer.concat([data, data])));
});

Deno.test("linked-block (lz4 -BD) and legacy (lz4 -l) frames are rejected as blob-corrupt", async () => {
  const data = mixed(6 * MiB); // several blocks, so -BD really links them
  for (const flag of ["-BD", "-l"]) {
    const frame = withDir((dir) => {
      writeFileSync(join(dir, "in"), data);
      execFileSync("lz4", [flag, "-q", "-f", join(dir, "in"), join(dir, "o.lz4")]);
      return readFileSync(join(dir, "o.lz4"));
    });
    await expectCorrupt(frame, flag === "-BD" ? /linked blocks/ : /bad magic/);
  }
});

Deno.test("damage anywhere in a frame is reported as blob-corrupt", async () => {
  const data = mixed(2 * MiB);
  const frame = await encodeLz4Frame(data);
  const flip = (at: number) => {
    const f = frame.slice();
    f[at] ^= 0x40;
    return f;
  };
  await expectCorrupt(flip(0), /bad magic/);
  await expectCorrupt(flip(6), /header checksum/);
  await expectCorrupt(flip(200), /checksum|malformed|decode/); // inside the compressed block
  await expectCorrupt(flip(frame.length - 2), /content checksum/);
  await expectCorrupt(frame.subarray(0, frame.length - 9), /truncated/);
  await expectCorrupt(frame.subarray(0, 3), /truncated/);
  await expectCorrupt(new Uint8Array(0), /truncated/);
  await expectCorrupt(Buffer.concat([frame, Buffer.from("junk")]), /bad magic/);
});

Deno.test("a block size field above the frame's block maximum is rejected", async () => {
  const frame = await encodeLz4Frame(randomBytes(1000), { blockSize: 65536 });
  const f = frame.slice();
  new DataView(f.buffer).setUint32(7, 65537, true);
  await expectCorrupt(f, /exceeds/);
});

Deno.test("the streaming decoder yields block by block and returns the content size", async () => {
  const data = mixed(9 * MiB);
  const dec = await createLz4FrameDecoder();
  const gen = dec.decode(bytesReader(await encodeLz4Frame(data)));
  const sizes: number[] = [];
  let r = gen.next();
  while (!r.done) {
    sizes.push(r.value.length);
    r = gen.next();
  }
  assert.deepEqual(sizes, [4 * MiB, 4 * MiB, MiB]);
  assert.equal(r.value, data.length);
  assert.throws(() => dec.decode(bytesReader(new Uint8Array(0))), /already used/);
});

Deno.test("decodedBlockSize walks sequences and rejects malformed blocks", () => {
  // token 0x14: 1 literal 'a', match offset 1 length 4+4=8; then token 0x10: 1 literal 'b'
  const block = new Uint8Array([0x14, 0x61, 0x01, 0x00, 0x10, 0x62]);
  assert.equal(decodedBlockSize(block, 100), 1 + 8 + 1);
  assert.equal(decodedBlockSize(block, 5), -1); // above max
  assert.equal(decodedBlockSize(new Uint8Array([0x14, 0x61, 0x00, 0x00, 0x10, 0x62]), 100), -1); // offset 0
  assert.equal(decodedBlockSize(new Uint8Array([0x14, 0x61, 0x02, 0x00, 0x10, 0x62]), 100), -1); // offset > output
  assert.equal(decodedBlockSize(new Uint8Array([0x14, 0x61, 0x01, 0x00]), 100), -1); // ends on a match
  assert.equal(decodedBlockSize(new Uint8Array([0xf0]), 100), -1); // truncated length
});
