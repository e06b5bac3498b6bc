import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { openStore, type Store } from "../../lib/store/store.ts";
import { keyOf, withStore, withTempDir } from "./_helpers.ts";

const BUDGET = 20_000;

async function storeRandom(store: Store, n: number, size: number): Promise<number> {
  const blob = await store.blobs.putBytes(new Uint8Array(randomBytes(size)));
  return store.putEntry({
    key: keyOf(n),
    keyMaterial: `k${n}`,
    label: `entry ${n}`,
    inputs: [],
    outputs: [],
    deletions: [],
    streamBlob: blob.digest,
    result: { kind: "exit", code: 0 },
    durationMs: 1,
    expiresAt: null,
  });
}

function bytesOnDisk(store: Store): number {
  return store.blobs.list().reduce((sum, d) => sum + statSync(store.blobs.pathOf(d)).size, 0);
}

Deno.test("stores past the budget keep the most recently used entries under the budget", async () => {
  await withStore(async (store) => {
    let now = 1_000_000;
    const favorite = await storeRandom(store, 0, 1000);
    for (let i = 1; i <= 60; i++) {
      await storeRandom(store, i, 1000);
      store.recordHit(favorite, { savedMs: 1, now: Date.now() + now++ });
      assert.ok(store.stats().bytes <= BUDGET, `over budget after store ${i}`);
    }
    const kept = new Set(store.listEntries().map((e) => e.label));
    assert.ok(kept.has("entry 0"), "the entry hit after every store survives");
    assert.ok(kept.has("entry 60") && kept.has("entry 59"), "the newest entries survive");
    assert.ok(!kept.has("entry 1") && !kept.has("entry 30"), "old unused entries are evicted");
    assert.ok(kept.size >= 15, `budget used, not emptied (${kept.size} kept)`);
    assert.equal(bytesOnDisk(store), store.stats().bytes);
    assert.ok(bytesOnDisk(store) <= BUDGET);
  }, { maxCacheBytes: BUDGET });
});

Deno.test("one eviction step evicts at most evictBatch entries, oldest first", async () => {
  await withTempDir(async (dir) => {
    const cache = join(dir, "cache");
    const big = openStore(cache, { maxCacheBytes: 1 << 30, maxCandidates: 8 });
    try {
      for (let i = 0; i < 20; i++) await storeRandom(big, i, 1000);
    } finally {
      big.close();
    }
    const tight = openStore(cache, { maxCacheBytes: 0, maxCandidates: 8, evictBatch: 5 });
    try {
      assert.equal(tight.evict().entriesEvicted, 5);
      const left = tight.listEntries().map((e) => e.label);
      assert.equal(left.length, 15);
      assert.ok(!left.includes("entry 4") && left.includes("entry 5"));
      assert.equal(tight.evict().entriesEvicted, 5);
      assert.equal(tight.blobs.list().length, 10);
    } finally {
      tight.close();
    }
  });
});

Deno.test("an entry pinned by a reader is not evicted while the lease lives", async () => {
  await withStore(async (store) => {
    const oldest = await storeRandom(store, 0, 1000);
    const pin = store.pin(oldest);
    for (let i = 1; i <= 40; i++) await storeRandom(store, i, 1000);
    assert.ok(store.listEntries().some((e) => e.id === oldest));
    if (pin.kind === "pinned") pin.release();
    await storeRandom(store, 41, 1000);
    assert.ok(!store.listEntries().some((e) => e.id === oldest));
  }, { maxCacheBytes: BUDGET });
});

Deno.test("expired entries are evicted even under the budget", async () => {
  await withStore(async (store) => {
    const blob = await store.blobs.putBytes(new Uint8Array([1]));
    store.putEntry({
      key: keyOf(1),
      keyMaterial: "k",
      label: "l",
      inputs: [],
      outputs: [],
      deletions: [],
      streamBlob: blob.digest,
      result: { kind: "exit", code: 0 },
      durationMs: 1,
      expiresAt: Date.now() - 1,
    });
    store.evict();
    assert.equal(store.listEntries().length, 0);
    assert.equal(store.blobs.has(blob.digest), false);
  });
});
