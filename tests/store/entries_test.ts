import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { join } from "node:path";
import { openStore } from "../../lib/store/store.ts";
import { draftWithBlob, keyOf, withStore } from "./_helpers.ts";

const input = (n: number) => ({ path: `/in/${n}`, kind: "file" as const, digest: `d${n}` });

Deno.test("candidates come back most recent first and are capped at maxCandidates", async () => {
  await withStore(async (store) => {
    const key = keyOf(1);
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        store.putEntry(await draftWithBlob(store, key, { text: `out ${i}`, inputs: [input(i)] })),
      );
    }
    const got = store.candidates(key);
    assert.deepEqual(got.map((e) => e.id), ids.slice(2).reverse());
    assert.deepEqual(got[0].inputs, [input(9)]);
    assert.equal(store.stats().entries, 8);
  });
});

Deno.test("a lookup decodes candidates only as it reaches them", async () => {
  await withStore(async (store) => {
    const key = keyOf(20);
    const older = store.putEntry(
      await draftWithBlob(store, key, { text: "old", inputs: [input(1)] }),
    );
    const newer = store.putEntry(
      await draftWithBlob(store, key, { text: "new", inputs: [input(2)] }),
    );
    // Damage the older candidate's row: a lookup that stops at the newer one never reads it.
    const raw = new DatabaseSync(store.layout.dbPath);
    raw.prepare("UPDATE entry_data SET body = 'not json' WHERE id = ?").run(older);
    raw.close();
    const it = store.eachCandidate(key);
    assert.equal(it.next().value?.id, newer);
    assert.throws(() => it.next(), (e) => isCasherError(e), "reaching the damaged row fails");
    assert.throws(() => store.candidates(key), (e) => isCasherError(e));
  });
});

Deno.test("a dropped candidate's blob is deleted when no other entry uses it", async () => {
  await withStore(async (store) => {
    const first = await draftWithBlob(store, keyOf(1), { text: "first", inputs: [input(0)] });
    store.putEntry(first);
    for (let i = 1; i <= 8; i++) {
      store.putEntry(await draftWithBlob(store, keyOf(1), { text: `o${i}`, inputs: [input(i)] }));
    }
    assert.equal(store.blobs.has(first.streamBlob!), false);
  });
});

Deno.test("candidates exclude entries whose expiry has passed", async () => {
  await withStore(async (store) => {
    const now = Date.now();
    const key = keyOf(2);
    store.putEntry(
      await draftWithBlob(store, key, { text: "a", inputs: [input(1)], expiresAt: now + 1000 }),
    );
    const keep = store.putEntry(await draftWithBlob(store, key, { text: "b", inputs: [input(2)] }));
    assert.equal(store.candidates(key, { now }).length, 2);
    assert.deepEqual(store.candidates(key, { now: now + 1000 }).map((e) => e.id), [keep]);
  });
});

Deno.test("re-storing a key with identical inputs replaces the old candidate", async () => {
  await withStore(async (store) => {
    const key = keyOf(3);
    store.putEntry(await draftWithBlob(store, key, { text: "old", inputs: [input(1)] }));
    const id = store.putEntry(await draftWithBlob(store, key, { text: "new", inputs: [input(1)] }));
    const got = store.candidates(key);
    assert.deepEqual(got.map((e) => e.id), [id]);
  });
});

Deno.test("inputs' stat fingerprints round-trip but do not tell twin candidates apart", async () => {
  await withStore(async (store) => {
    const key = keyOf(5);
    const withFp = (mtime: number) => [
      { ...input(1), stat: [1, 2, 3, mtime, 5] as const },
      input(2),
    ];
    store.putEntry(await draftWithBlob(store, key, { text: "old", inputs: withFp(4) }));
    const id = store.putEntry(await draftWithBlob(store, key, { text: "new", inputs: withFp(9) }));
    const got = store.candidates(key);
    assert.deepEqual(got.map((e) => e.id), [id], "same inputs, touched files: one candidate");
    assert.deepEqual(got[0].inputs, withFp(9));
  });
});

Deno.test("an entry round-trips every field, including non-ASCII byte paths", async () => {
  await withStore(async (store) => {
    const blob = await store.blobs.putBytes(new Uint8Array([1, 2, 3]));
    const draft = {
      key: keyOf(4),
      keyMaterial: "km \u00ff",
      label: "echo é",
      inputs: [{ path: "/tmp/\xc3\xa9\xff", kind: "absent" as const, digest: "" }],
      outputs: [{
        kind: "file" as const,
        path: "/o/\x80",
        blob: blob.digest,
        mode: 0o644,
        size: 3,
      }],
      deletions: ["/gone"],
      streamBlob: null,
      result: { kind: "exit" as const, code: 3 },
      durationMs: 12.5,
      expiresAt: null,
    };
    const id = store.putEntry(draft);
    const [entry] = store.candidates(draft.key);
    assert.deepEqual({ ...entry }, {
      ...draft,
      id,
      createdAt: entry.createdAt,
      lastUsedAt: entry.createdAt,
      hits: 0,
      sizeBytes: blob.storedSize,
    });
  });
});

Deno.test("storing an entry whose blob is missing raises blob-missing and stores nothing", async () => {
  await withStore(async (store) => {
    const draft = await draftWithBlob(store, keyOf(5), { text: "x" });
    store.blobs.remove(draft.streamBlob!);
    assert.throws(() => store.putEntry(draft), (e: unknown) => isCasherError(e, "blob-missing"));
    assert.equal(store.listEntries().length, 0);
    assert.equal(store.stats().bytes, 0);
  });
});

Deno.test("recordHit and recordMiss update the entry and the statistics", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(6), { text: "x" }));
    // Hits after the store (a last use never moves back before it).
    const t = Date.now();
    store.recordHit(id, { savedMs: 40, now: t + 5_000_000 });
    store.recordHit(id, { savedMs: 60, now: t + 6_000_000 });
    store.recordMiss();
    const [e] = store.candidates(keyOf(6));
    assert.equal(e.hits, 2);
    assert.equal(e.lastUsedAt, t + 6_000_000);
    const s = store.stats();
    assert.deepEqual({ hits: s.hits, misses: s.misses, savedMs: s.savedMs, entries: s.entries }, {
      hits: 2,
      misses: 1,
      savedMs: 100,
      entries: 1,
    });
    assert.equal(s.bytes, e.sizeBytes);
  });
});

Deno.test("removeEntries filters by key, label prefix and age; shared blobs survive", async () => {
  await withStore(async (store) => {
    const a = await draftWithBlob(store, keyOf(7), { text: "shared", label: "make all" });
    const b = await draftWithBlob(store, keyOf(8), { text: "shared", label: "make test" });
    const c = await draftWithBlob(store, keyOf(9), { text: "own", label: "ls" });
    store.putEntry(a);
    store.putEntry(b);
    const cId = store.putEntry(c);
    store.recordHit(cId, { savedMs: 1, now: Date.now() + 100_000 });
    assert.equal(store.removeEntries({ key: keyOf(7) }), 1);
    assert.equal(store.blobs.has(a.streamBlob!), true, "blob still used by b");
    assert.equal(store.removeEntries({ olderThanMs: 50_000 }, { now: Date.now() + 100_000 }), 1);
    assert.equal(store.blobs.has(a.streamBlob!), false);
    assert.deepEqual(store.listEntries().map((e) => e.label), ["ls"]);
    assert.equal(store.removeEntries({ labelPrefix: "l" }), 1);
    assert.equal(existsSync(store.blobs.pathOf(c.streamBlob!)), false);
    assert.equal(store.stats().bytes, 0);
  });
});

Deno.test("clear removes every entry and blob but keeps counters of past hits", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(10), { text: "x" }));
    store.recordHit(id, { savedMs: 5 });
    store.clear();
    assert.equal(store.listEntries().length, 0);
    assert.deepEqual(store.blobs.list(), []);
    assert.equal(store.stats().hits, 1);
  });
});

Deno.test("a pinned entry survives removal until its lease is released", async () => {
  await withStore(async (store) => {
    const draft = await draftWithBlob(store, keyOf(11), { text: "x" });
    const id = store.putEntry(draft);
    const pin = store.pin(id);
    assert.equal(pin.kind, "pinned");
    store.clear();
    assert.equal(store.candidates(keyOf(11)).length, 1);
    assert.equal(store.blobs.has(draft.streamBlob!), true);
    if (pin.kind === "pinned") pin.release();
    store.clear();
    assert.equal(store.candidates(keyOf(11)).length, 0);
    assert.equal(store.pin(id).kind, "gone");
  });
});

Deno.test("completeHit counts are written together at flush, with the pin kept until then", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(12), { text: "x" }));
    const at = Date.now() + 7_000_000;
    for (let i = 0; i < 3; i++) {
      store.completeHit(store.pin(id), id, { savedMs: 10, now: at });
    }
    assert.equal(store.stats().hits, 0, "not written yet");
    store.clear();
    assert.equal(
      store.candidates(keyOf(12)).length,
      1,
      "the lazily released lease still protects it",
    );
    store.flushHits();
    const [e] = store.candidates(keyOf(12));
    assert.equal(e.hits, 3);
    assert.equal(e.lastUsedAt, at);
    assert.equal(store.stats().savedMs, 30);
    store.clear();
    assert.equal(store.candidates(keyOf(12)).length, 0, "the lease was released by the flush");
  });
});

Deno.test("concurrent pins of one entry share one lease; the last release frees it", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(13), { text: "x" }));
    const a = store.pin(id);
    const b = store.pin(id);
    assert.ok(a.kind === "pinned" && b.kind === "pinned");
    a.release();
    store.clear();
    assert.equal(store.candidates(keyOf(13)).length, 1, "b still holds the shared lease");
    b.release();
    store.clear();
    assert.equal(store.candidates(keyOf(13)).length, 0);
  });
});

Deno.test("queued hit counts are written when the store closes", async () => {
  await withStore(async (store, dir) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(14), { text: "x" }));
    store.completeHit(store.pin(id), id, { savedMs: 5 });
    store.close();
    const again = openStore(join(dir, "cache"), { maxCacheBytes: 1 << 30, maxCandidates: 8 });
    try {
      assert.equal(again.stats().hits, 1);
    } finally {
      again.close();
    }
  });
});
