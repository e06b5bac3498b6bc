import assert from "node:assert/strict";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWork } from "../../lib/engine/run_work.ts";
import type { Work } from "../../lib/engine/types.ts";
import { openStore, type Store } from "../../lib/store/store.ts";
import type { EntryDraft } from "../../lib/store/types.ts";

const KEY = "ab".repeat(16);

function work(): Work {
  return {
    key: KEY,
    keyMaterial: "material",
    label: "test work",
    declaredInputs: [],
    declaredOutputs: [],
    execute: () => Promise.reject(new Error("a hit must not run the work")),
  };
}

const policy = { replayOutputs: "always", force: false, store: true, ttlMs: null } as const;

/** Counts the pins (lease writes) `store` takes. */
function countPins(store: Store): { readonly n: number } {
  const counter = { n: 0 };
  const pin = store.pin.bind(store);
  store.pin = (id, opts) => (counter.n++, pin(id, opts));
  return counter;
}

/** Counts the protections of an entry's blobs a replay takes: held open, or pinned. */
function countProtections(store: Store): { readonly n: number } {
  const counter = { n: 0 };
  const hold = store.holdBlobs.bind(store);
  store.holdBlobs = (entry) => {
    const held = hold(entry);
    if (held.kind !== "too-many") counter.n++;
    return held;
  };
  const pin = store.pin.bind(store);
  store.pin = (id, opts) => (counter.n++, pin(id, opts));
  return counter;
}

async function withStore(fn: (store: Store, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-lease-"));
  const store = openStore(join(dir, "cache"), { maxCacheBytes: 1 << 30, maxCandidates: 8 });
  try {
    await fn(store, dir);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function draft(outputs: EntryDraft["outputs"]): EntryDraft {
  return {
    key: KEY,
    keyMaterial: "material",
    label: "test work",
    inputs: [],
    outputs,
    deletions: [],
    streamBlob: null,
    result: { kind: "exit", code: 0 },
    durationMs: 5,
    expiresAt: null,
  };
}

Deno.test("a hit that reads no blob takes no lease and holds no blob", async () => {
  await withStore(async (store) => {
    store.putEntry(draft([]));
    const protections = countProtections(store);
    const outcome = await runWork(work(), { store, policy, lockTimeoutMs: 1000 });
    assert.equal(outcome.kind, "hit");
    assert.equal(protections.n, 0);
  });
});

Deno.test("a replay holds its blobs open: removing the entry mid-replay cannot break it", async () => {
  await withStore(async (store, dir) => {
    const blob = await store.blobs.putBytes(new TextEncoder().encode("object code"));
    const out = join(dir, "out.o");
    store.putEntry(draft([{ kind: "file", path: out, blob: blob.digest, mode: 0o644, size: 11 }]));
    const pins = countPins(store);
    const restoreTo = store.blobs.restoreTo.bind(store.blobs);
    let removed = 0;
    store.blobs.restoreTo = (d, dest, opts) => {
      removed += store.removeEntries({}); // eviction, rm or clear, between hold and read
      assert.equal(store.blobs.has(blob.digest), false, "the blob file was unlinked");
      return restoreTo(d, dest, opts);
    };
    const outcome = await runWork(work(), { store, policy, lockTimeoutMs: 1000 });
    assert.equal(outcome.kind, "hit");
    assert.equal(removed, 1, "nothing protected the entry row: no lease was written");
    assert.equal(pins.n, 0);
    assert.equal(new TextDecoder().decode(Deno.readFileSync(out)), "object code");
  });
});

Deno.test("an entry with more blobs than are worth holding open is pinned with a lease", async () => {
  await withStore(async (store, dir) => {
    const outputs: EntryDraft["outputs"][number][] = [];
    for (let i = 0; i < 65; i++) {
      const blob = await store.blobs.putBytes(new TextEncoder().encode(`content ${i}`));
      const path = join(dir, `out${i}`);
      outputs.push({ kind: "file", path, blob: blob.digest, mode: 0o644, size: blob.size });
    }
    store.putEntry(draft(outputs));
    const pins = countPins(store);
    assert.equal((await runWork(work(), { store, policy, lockTimeoutMs: 1000 })).kind, "hit");
    assert.equal(pins.n, 1);
    assert.equal(new TextDecoder().decode(Deno.readFileSync(join(dir, "out64"))), "content 64");
  });
});

Deno.test("an unchanged output is compared with its blob once, then settled by the memo", async () => {
  await withStore(async (store, dir) => {
    const out = join(dir, "out.o");
    const content = new TextEncoder().encode("object code");
    const blob = await store.blobs.putBytes(content);
    writeFileSync(out, content);
    const past = new Date(Date.now() - 10_000);
    utimesSync(out, past, past);
    store.putEntry(draft([{ kind: "file", path: out, blob: blob.digest, mode: 0o644, size: 11 }]));
    const pins = countProtections(store);
    // ctime cannot be set back: "now" is 3 s ahead, so the file is past the racy window.
    const later = { now: () => Date.now() + 3000 };
    const reads = { n: 0 };
    const readBytes = store.blobs.readBytes.bind(store.blobs);
    store.blobs.readBytes = (d) => (reads.n++, readBytes(d));
    const trusted = store.trustedFingerprint.bind(store);
    store.trustedFingerprint = (p) => trusted(p, { now: later.now() });

    assert.equal((await runWork(work(), { store, policy, lockTimeoutMs: 1000 })).kind, "hit");
    assert.deepEqual([reads.n, pins.n], [1, 1], "first hit: the bytes are compared");
    store.flushHits(); // the memo row is written with the hit count
    assert.equal((await runWork(work(), { store, policy, lockTimeoutMs: 1000 })).kind, "hit");
    assert.deepEqual([reads.n, pins.n], [1, 1], "second hit: no blob read, nothing held");

    // Same size, new content and mtime: the memo row no longer fits. (A rewrite that keeps
    // the mtime within the ctime's second is the racy rule's case, which the fake "now"
    // above cannot model.)
    writeFileSync(out, "object cod!");
    const other = new Date(Date.now() - 20_000);
    utimesSync(out, other, other);
    assert.equal((await runWork(work(), { store, policy, lockTimeoutMs: 1000 })).kind, "hit");
    assert.equal(reads.n, 2, "a changed output is compared again");
    assert.deepEqual(new TextDecoder().decode(Deno.readFileSync(out)), "object code");
  });
});
