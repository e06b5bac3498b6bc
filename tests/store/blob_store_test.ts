import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { digestBytes } from "../../lib/hash/digest.ts";
import { BlobStore } from "../../lib/store/blob_store.ts";
import { ensureLayout, type Layout } from "../../lib/store/layout.ts";

const MiB = 1 << 20;

function text(size: number): Uint8Array {
  const line = Buffer.from("some repetitive output line, number 42, ok\n");
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = line[i % line.length];
  return out;
}

async function withStore(fn: (s: BlobStore, layout: Layout, dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "casher-blob-"));
  try {
    const layout = ensureLayout(join(dir, "cache"));
    await fn(new BlobStore(layout), layout, dir);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

function kindOf(store: BlobStore, digest: string): number {
  return readFileSync(store.pathOf(digest))[4];
}

function flipByte(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] ^= 0x01;
  writeFileSync(path, b);
}

function isCorrupt(e: unknown): boolean {
  assert.ok(isCasherError(e, "blob-corrupt"), String(e));
  return true;
}

Deno.test("putBytes stores compressible content as lz4 and random content raw; both read back", async () => {
  await withStore(async (store) => {
    const t = text(100_000);
    const r = randomBytes(100_000);
    const ti = await store.putBytes(t);
    const ri = await store.putBytes(r);
    assert.equal(ti.digest, await digestBytes(t));
    assert.equal(kindOf(store, ti.digest), 1);
    assert.equal(kindOf(store, ri.digest), 0);
    assert.ok(ti.storedSize < t.length / 10);
    assert.equal(ri.storedSize, 32 + r.length, "16-byte header + 16-byte seal + raw payload");
    assert.deepEqual(await store.readBytes(ti.digest), t);
    assert.deepEqual(await store.readBytes(ri.digest), new Uint8Array(r));
    assert.equal(store.storedSize(ti.digest), ti.storedSize);
  });
});

Deno.test("content that fits one 4 KiB block is stored raw however well it compresses", async () => {
  await withStore(async (store) => {
    const fits = text(4096 - 32);
    const over = text(4096 - 31);
    const a = await store.putBytes(fits);
    const b = await store.putBytes(over);
    assert.equal(kindOf(store, a.digest), 0, "one block raw: compressing saves no disk space");
    assert.equal(a.storedSize, 4096);
    assert.equal(kindOf(store, b.digest), 1);
    assert.deepEqual(await store.readBytes(a.digest), fits);
    assert.deepEqual(await store.readBytes(b.digest), over);
  });
});

Deno.test("empty content round-trips", async () => {
  await withStore(async (store) => {
    const info = await store.putBytes(new Uint8Array(0));
    assert.deepEqual(info, { digest: "99aa06d3014798d86001c324468d497f", size: 0, storedSize: 32 });
    assert.equal((await store.readBytes(info.digest)).length, 0);
  });
});

Deno.test("storing the same content twice keeps one blob and leaves no temp files", async () => {
  await withStore(async (store, layout, dir) => {
    const data = text(10 * MiB + 3);
    writeFileSync(join(dir, "f"), data);
    const a = await store.putFile(join(dir, "f"));
    const b = await store.putFile(join(dir, "f"));
    const c = await store.putBytes(data);
    assert.deepEqual(a, b);
    assert.equal(c.digest, a.digest);
    assert.deepEqual(store.list(), [a.digest]);
    assert.deepEqual(readdirSync(layout.tmpDir), []);
  });
});

Deno.test("blob files are 0600 and fanned out by the digest's first two hex chars", async () => {
  await withStore(async (store, layout) => {
    const info = await store.putBytes(text(1000));
    assert.equal(
      store.pathOf(info.digest),
      join(layout.blobsDir, info.digest.slice(0, 2), info.digest),
    );
    assert.equal(statSync(store.pathOf(info.digest)).mode & 0o777, 0o600);
  });
});

Deno.test("putFile streams a multi-block mixed file; restoreTo writes it back with the exact mode", async () => {
  await withStore(async (store, _layout, dir) => {
    const data = Buffer.concat([text(6 * MiB), randomBytes(5 * MiB + 11)]);
    writeFileSync(join(dir, "src"), data);
    const info = await store.putFile(join(dir, "src"));
    assert.equal(info.digest, await digestBytes(data));
    assert.equal(info.size, data.length);
    assert.equal(info.storedSize, statSync(store.pathOf(info.digest)).size);
    assert.ok(info.storedSize < data.length * 0.75);
    await store.restoreTo(info.digest, join(dir, "out"), { mode: 0o751 });
    assert.ok(Buffer.compare(readFileSync(join(dir, "out")), data) === 0);
    assert.equal(statSync(join(dir, "out")).mode & 0o7777, 0o751);
  });
});

Deno.test("a streamed blob's payload is a standard LZ4 frame the lz4 CLI decodes", async () => {
  await withStore(async (store, _layout, dir) => {
    const data = Buffer.concat([text(5 * MiB), randomBytes(MiB)]);
    writeFileSync(join(dir, "src"), data);
    const info = await store.putFile(join(dir, "src"));
    writeFileSync(join(dir, "p.lz4"), readFileSync(store.pathOf(info.digest)).subarray(16));
    execFileSync("lz4", ["-d", "-q", "-f", join(dir, "p.lz4"), join(dir, "p")]);
    assert.ok(Buffer.compare(readFileSync(join(dir, "p")), data) === 0);
  });
});

Deno.test("restoreTo refuses to overwrite an existing file or follow a symlink", async () => {
  await withStore(async (store, _layout, dir) => {
    const info = await store.putBytes(text(500));
    writeFileSync(join(dir, "taken"), "keep me");
    await assert.rejects(store.restoreTo(info.digest, join(dir, "taken"), { mode: 0o644 }), {
      code: "EEXIST",
    });
    assert.equal(readFileSync(join(dir, "taken"), "utf8"), "keep me");
    execFileSync("ln", ["-s", join(dir, "taken"), join(dir, "link")]);
    await assert.rejects(store.restoreTo(info.digest, join(dir, "link"), { mode: 0o644 }));
    assert.equal(readFileSync(join(dir, "taken"), "utf8"), "keep me");
    assert.ok(store.has(info.digest));
  });
});

Deno.test("an absent blob is blob-missing for readBytes and restoreTo, and verify says missing", async () => {
  await withStore(async (store, _layout, dir) => {
    const d = "0123456789abcdef0123456789abcdef";
    await assert.rejects(store.readBytes(d), (e) => isCasherError(e, "blob-missing"));
    await assert.rejects(
      store.restoreTo(d, join(dir, "x"), { mode: 0o644 }),
      (e) => isCasherError(e, "blob-missing"),
    );
    assert.equal(existsSync(join(dir, "x")), false);
    assert.equal(await store.verify(d), "missing");
    assert.equal(store.has(d), false);
    assert.equal(store.storedSize(d), null);
  });
});

Deno.test("a malformed digest is a RangeError, never a path outside the store", async () => {
  await withStore(async (store) => {
    assert.throws(() => store.pathOf("../../etc/passwd"), RangeError);
    await assert.rejects(store.readBytes("ABCDEF0123456789ABCDEF0123456789"), RangeError);
  });
});

for (const kind of ["raw", "lz4 (small)", "lz4 (streamed)"] as const) {
  Deno.test(`a flipped byte in a ${kind} blob: readBytes raises blob-corrupt and deletes the blob`, async () => {
    await withStore(async (store, _layout, dir) => {
      const data = kind === "raw"
        ? randomBytes(50_000)
        : text(kind === "lz4 (small)" ? 50_000 : 9 * MiB);
      writeFileSync(join(dir, "src"), data);
      const info = await store.putFile(join(dir, "src"));
      assert.equal(kindOf(store, info.digest), kind === "raw" ? 0 : 1);
      flipByte(store.pathOf(info.digest), Math.floor(info.storedSize * 0.6));
      assert.equal(await store.verify(info.digest), "corrupt");
      assert.ok(store.has(info.digest), "verify does not delete");
      await assert.rejects(store.readBytes(info.digest), isCorrupt);
      assert.equal(store.has(info.digest), false);
    });
  });

  Deno.test(`a flipped byte in a ${kind} blob: restoreTo raises blob-corrupt and leaves no file`, async () => {
    await withStore(async (store, _layout, dir) => {
      const data = kind === "raw"
        ? randomBytes(50_000)
        : text(kind === "lz4 (small)" ? 50_000 : 9 * MiB);
      writeFileSync(join(dir, "src"), data);
      const info = await store.putFile(join(dir, "src"));
      flipByte(store.pathOf(info.digest), Math.floor(info.storedSize * 0.6));
      await assert.rejects(
        store.restoreTo(info.digest, join(dir, "out"), { mode: 0o644 }),
        isCorrupt,
      );
      assert.equal(existsSync(join(dir, "out")), false);
      assert.equal(store.has(info.digest), false);
    });
  });
}

Deno.test("a damaged header, a truncated blob or an appended byte is blob-corrupt", async () => {
  await withStore(async (store) => {
    const damage = [
      (b: Buffer) => (b[0] = 0x58, b), // magic
      (b: Buffer) => (b[4] = 7, b), // unknown kind
      (b: Buffer) => (b[8] ^= 1, b), // declared size
      (b: Buffer) => b.subarray(0, b.length - 1), // truncated
      (b: Buffer) => Buffer.concat([b, Buffer.from([0])]), // trailing byte
      (b: Buffer) => b.subarray(0, 10), // shorter than a header
    ];
    for (const [i, hurt] of damage.entries()) {
      for (const data of [randomBytes(1000), text(1000)]) {
        const info = await store.putBytes(data);
        writeFileSync(store.pathOf(info.digest), hurt(readFileSync(store.pathOf(info.digest))));
        await assert.rejects(store.readBytes(info.digest), isCorrupt, `damage ${i}`);
        assert.equal(store.has(info.digest), false);
      }
    }
  });
});

Deno.test("a blob whose content belongs to another digest is blob-corrupt", async () => {
  await withStore(async (store) => {
    const a = await store.putBytes(text(3000));
    const b = await store.putBytes(randomBytes(3000));
    writeFileSync(store.pathOf(a.digest), readFileSync(store.pathOf(b.digest)));
    await assert.rejects(store.readBytes(a.digest), isCorrupt);
  });
});

Deno.test("list returns every stored digest and ignores stray files; remove deletes", async () => {
  await withStore(async (store, layout) => {
    const infos = await Promise.all([1, 2, 3, 4, 5].map((n) => store.putBytes(text(n * 100))));
    writeFileSync(join(layout.blobsDir, "stray"), "");
    writeFileSync(join(layout.blobsDir, infos[0].digest.slice(0, 2), "junk"), "");
    assert.deepEqual(store.list().sort(), infos.map((i) => i.digest).sort());
    store.remove(infos[0].digest);
    store.remove(infos[0].digest); // absent is fine
    assert.equal(store.list().length, 4);
    assert.equal(await store.verify(infos[1].digest), "ok");
  });
});

Deno.test("concurrent puts of different and identical content all succeed", async () => {
  await withStore(async (store, layout) => {
    const datas = Array.from({ length: 10 }, (_, i) => text(1000 + (i % 5)));
    const infos = await Promise.all(datas.map((d) => store.putBytes(d)));
    for (const [i, info] of infos.entries()) {
      assert.deepEqual(await store.readBytes(info.digest), datas[i]);
    }
    assert.equal(store.list().length, 5);
    assert.deepEqual(readdirSync(layout.tmpDir), []);
  });
});

Deno.test("putFile of a missing file throws ENOENT and leaves no temp file", async () => {
  await withStore(async (store, layout, dir) => {
    await assert.rejects(store.putFile(join(dir, "nope")), { code: "ENOENT" });
    assert.deepEqual(readdirSync(layout.tmpDir), []);
  });
});

Deno.test("a whole blob is sealed: a flipped seal byte is corruption", async () => {
  await withStore(async (store) => {
    const info = await store.putBytes(text(4000));
    assert.equal(readFileSync(store.pathOf(info.digest))[5], 1, "sealed flag set");
    flipByte(store.pathOf(info.digest), 20); // inside the 16-byte seal
    await assert.rejects(store.readBytes(info.digest), isCorrupt);
    assert.equal(store.has(info.digest), false);
  });
});

Deno.test("an intact blob filed under another digest's name is corruption", async () => {
  await withStore(async (store) => {
    const a = await store.putBytes(text(3000));
    const b = await store.putBytes(new TextEncoder().encode("something else entirely"));
    writeFileSync(store.pathOf(b.digest), readFileSync(store.pathOf(a.digest)));
    await assert.rejects(store.readBytes(b.digest), isCorrupt);
    assert.deepEqual(await store.readBytes(a.digest), text(3000));
  });
});

Deno.test("a small blob verified once is served from memory, a copy each time", async () => {
  await withStore(async (store) => {
    const info = await store.putBytes(text(5000));
    const first = await store.readBytes(info.digest);
    rmSync(store.pathOf(info.digest)); // later reads must not need the file
    const second = await store.readBytes(info.digest);
    assert.deepEqual(second, first);
    second[0] ^= 0xff; // callers may scribble on what they get
    assert.deepEqual(await store.readBytes(info.digest), first);
  });
});

Deno.test("a large blob is never kept in memory: each read is verified on disk", async () => {
  await withStore(async (store) => {
    const info = await store.putBytes(text(1 * MiB));
    await store.readBytes(info.digest);
    flipByte(store.pathOf(info.digest), 40);
    await assert.rejects(store.readBytes(info.digest), isCorrupt);
  });
});
