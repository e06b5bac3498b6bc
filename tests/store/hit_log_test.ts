import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { appendHits, takeHits } from "../../lib/store/hit_log.ts";
import { draftWithBlob, keyOf, withStore, withTempDir } from "./_helpers.ts";

Deno.test("logged hits are taken summed per entry, and removed only when done", async () => {
  await withTempDir((dir) => {
    const log = join(dir, "hits.log");
    appendHits(log, [{ entryId: 1, count: 1, savedMs: 100, now: 5000 }]);
    appendHits(log, [
      { entryId: 2, count: 3, savedMs: 7.5, now: 6000 },
      { entryId: 1, count: 2, savedMs: 50, now: 4000 },
    ]);
    const taken = takeHits(log);
    const byId = new Map(taken.hits.map((h) => [h.entryId, h]));
    assert.deepEqual(byId.get(1), { entryId: 1, count: 3, savedMs: 150, now: 5000 });
    assert.deepEqual(byId.get(2), { entryId: 2, count: 3, savedMs: 7.5, now: 6000 });
    assert.equal(taken.skipped, 0);
    // Appends made while the fold runs go to a new log, taken by the next fold.
    appendHits(log, [{ entryId: 9, count: 1, savedMs: 1, now: 1 }]);
    assert.equal(readdirSync(dir).length, 2, "the log and the fold file");
    taken.done();
    assert.deepEqual(readdirSync(dir), ["hits.log"]);
    assert.deepEqual(takeHits(log).hits.map((h) => h.entryId), [9]);
  });
});

Deno.test("a torn or foreign line in the hit log is skipped and counted, never misread", async () => {
  await withTempDir((dir) => {
    const log = join(dir, "hits.log");
    writeFileSync(log, "1 1 100 5000\n2 1 10\nnot a line\n-3 1 1 1\n4 1 1e400x 1\n");
    const taken = takeHits(log);
    assert.deepEqual(taken.hits, [{ entryId: 1, count: 1, savedMs: 100, now: 5000 }]);
    assert.equal(taken.skipped, 4);
  });
});

Deno.test("a fold file left by a dead process is taken over; a live folder's is not", async () => {
  await withTempDir((dir) => {
    const log = join(dir, "hits.log");
    const dead = spawnSync("true").pid!; // exited: its pid names no live process
    writeFileSync(join(dir, `hits.log.${dead}.x.fold`), "7 2 20 100\n");
    const live = Deno.pid === 1 ? 2 : 1; // init (or its child) outlives this test
    writeFileSync(join(dir, `hits.log.${live}.y.fold`), "8 1 1 1\n");
    const taken = takeHits(log);
    assert.deepEqual(taken.hits, [{ entryId: 7, count: 2, savedMs: 20, now: 100 }]);
    taken.done();
    assert.deepEqual(readdirSync(dir), [`hits.log.${live}.y.fold`]);
  });
});

Deno.test("a hit writes nothing to the index: its count is appended, then folded by stats and ls", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(1), { text: "out" }));
    const other = store.putEntry(await draftWithBlob(store, keyOf(2), { text: "other" }));
    store.completeHit(null, id, { savedMs: 100 });
    store.completeHit(null, id, { savedMs: 100 });
    store.completeHit(null, other, { savedMs: 40 });
    store.flushHits();
    assert.ok(existsSync(store.layout.hitLogPath));
    const raw = new DatabaseSync(store.layout.dbPath, { readOnly: true });
    try {
      const hits = raw.prepare("SELECT SUM(hits) AS n FROM entries").get() as { n: number };
      assert.equal(hits.n, 0, "the index is untouched until a fold");
    } finally {
      raw.close();
    }
    // A hit on an entry removed before the fold still counts in the totals.
    appendFileSync(store.layout.hitLogPath, `${other + 1000} 1 10 ${Date.now()}\n`);
    const entries = store.listEntries();
    assert.equal(entries.find((e) => e.id === id)!.hits, 2);
    assert.equal(entries.find((e) => e.id === other)!.hits, 1);
    const stats = store.stats();
    assert.equal(stats.hits, 4);
    assert.equal(stats.savedMs, 250);
    assert.equal(existsSync(store.layout.hitLogPath), false, "folded and removed");
  });
});

Deno.test("a hit that makes the log longer than 1 MiB folds it: a cache that only hits stays small", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(1), { text: "out" }));
    const line = `${id} 1 10 ${Date.now()}\n`;
    appendFileSync(store.layout.hitLogPath, line.repeat(Math.ceil((1 << 20) / line.length)));
    const logged = Math.ceil((1 << 20) / line.length);
    store.completeHit(null, id, { savedMs: 10 });
    store.flushHits();
    assert.equal(existsSync(store.layout.hitLogPath), false, "folded by that hit");
    const raw = new DatabaseSync(store.layout.dbPath, { readOnly: true });
    try {
      const row = raw.prepare("SELECT hits FROM entries WHERE id = ?").get(id) as { hits: number };
      assert.equal(row.hits, logged + 1);
    } finally {
      raw.close();
    }
  });
});

Deno.test("a fold never moves an entry's last use back; verify leaves the hit log alone", async () => {
  await withStore(async (store) => {
    const id = store.putEntry(await draftWithBlob(store, keyOf(1), { text: "out" }));
    const now = Date.now();
    store.recordHit(id, { savedMs: 1, now: now + 60_000 }); // counted in the index directly
    appendFileSync(store.layout.hitLogPath, `${id} 1 1 ${now}\n`); // an older logged hit
    await store.verify();
    assert.ok(existsSync(store.layout.hitLogPath), "verify changes nothing");
    const entry = store.listEntries().find((e) => e.id === id)!;
    assert.equal(entry.hits, 2);
    assert.equal(entry.lastUsedAt, now + 60_000);
  });
});
