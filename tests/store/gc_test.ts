import assert from "node:assert/strict";
import { existsSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { draftWithBlob, keyOf, withStore } from "./_helpers.ts";

const HOUR = 3_600_000;

Deno.test("verify of a healthy cache finds no inconsistencies", async () => {
  await withStore(async (store) => {
    for (let i = 0; i < 5; i++) {
      store.putEntry(await draftWithBlob(store, keyOf(i), { text: `t${i % 3}` }));
    }
    const r = await store.verify();
    assert.deepEqual(r, {
      entries: 5,
      blobsChecked: 3,
      corrupt: 0,
      missing: 0,
      orphansRemoved: 0,
      tmpRemoved: 0,
      entriesDropped: 0,
      memoPruned: 0,
      inconsistencies: 0,
    });
  });
});

Deno.test("a corrupt blob is reported by verify and its entries dropped by gc", async () => {
  await withStore(async (store) => {
    const bad = await draftWithBlob(store, keyOf(1), { text: "will be corrupted ".repeat(50) });
    store.putEntry(bad);
    store.putEntry(await draftWithBlob(store, keyOf(2), { text: "fine" }));
    const path = store.blobs.pathOf(bad.streamBlob!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(path, bytes);
    const v = await store.verify();
    assert.equal(v.corrupt, 1);
    assert.equal(v.inconsistencies, 1);
    assert.equal(store.listEntries().length, 2, "verify changes nothing");
    const g = await store.gc();
    assert.equal(g.entriesDropped, 1);
    assert.equal(existsSync(path), false);
    assert.deepEqual(store.listEntries().map((e) => e.key), [keyOf(2)]);
    assert.equal((await store.verify()).inconsistencies, 0);
  });
});

Deno.test("a missing blob is reported and its entries dropped by gc", async () => {
  await withStore(async (store) => {
    const d = await draftWithBlob(store, keyOf(1), { text: "x" });
    store.putEntry(d);
    unlinkSync(store.blobs.pathOf(d.streamBlob!));
    assert.equal((await store.verify()).missing, 1);
    const g = await store.gc();
    assert.equal(g.entriesDropped, 1);
    assert.equal(store.stats().bytes, 0);
    assert.equal((await store.verify()).inconsistencies, 0);
  });
});

Deno.test("gc removes orphan blobs only after the grace period", async () => {
  await withStore(async (store) => {
    const orphan = await store.blobs.putBytes(new TextEncoder().encode("not referenced yet"));
    assert.equal((await store.gc()).orphansRemoved, 0);
    assert.equal(store.blobs.has(orphan.digest), true, "a writer may be about to reference it");
    const r = await store.gc({ now: Date.now() + 2 * HOUR });
    assert.equal(r.orphansRemoved, 1);
    assert.equal(store.blobs.has(orphan.digest), false);
  });
});

Deno.test("gc removes temp files older than an hour and keeps fresh ones", async () => {
  await withStore(async (store) => {
    const old = join(store.layout.tmpDir, "blob-1-old.tmp");
    const fresh = join(store.layout.tmpDir, "blob-2-fresh.tmp");
    writeFileSync(old, "x");
    writeFileSync(fresh, "y");
    const t = (Date.now() - 2 * HOUR) / 1000;
    utimesSync(old, t, t);
    assert.equal((await store.gc()).tmpRemoved, 1);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(fresh), true);
  });
});

Deno.test("gc removes a lock file whose holder is dead", async () => {
  await withStore(async (store) => {
    const lock = join(store.layout.locksDir, `${keyOf(1)}.lock`);
    writeFileSync(lock, "999999999 1");
    assert.equal((await store.gc()).tmpRemoved, 1);
    assert.equal(existsSync(lock), false);
  });
});

Deno.test("a refcount that disagrees with the references is an inconsistency gc repairs", async () => {
  await withStore(async (store) => {
    store.putEntry(await draftWithBlob(store, keyOf(1), { text: "x" }));
    const raw = new DatabaseSync(store.layout.dbPath);
    raw.exec("UPDATE blobs SET refcount = 7; UPDATE counters SET bytes = 12345");
    raw.close();
    assert.equal((await store.verify()).inconsistencies, 2);
    await store.gc();
    assert.equal((await store.verify()).inconsistencies, 0);
    assert.equal(store.listEntries().length, 1);
  });
});

Deno.test("gc prunes digest-memo rows of files that no longer exist", async () => {
  await withStore(async (store, dir) => {
    const keep = join(dir, "keep");
    const gone = join(dir, "gone");
    writeFileSync(keep, "k");
    writeFileSync(gone, "g");
    const now = Date.now() + 10_000;
    await store.digestPath(keep, "file", { now });
    await store.digestPath(gone, "file", { now });
    unlinkSync(gone);
    assert.equal((await store.gc()).memoPruned, 1);
    const raw = new DatabaseSync(store.layout.dbPath);
    const rows = raw.prepare("SELECT path FROM memo").all().map((r) => r.path);
    raw.close();
    assert.deepEqual(rows, [keep]);
  });
});
