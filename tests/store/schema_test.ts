import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { layoutFor } from "../../lib/store/layout.ts";
import { SCHEMA_VERSION } from "../../lib/store/schema.ts";
import { openStore } from "../../lib/store/store.ts";
import { withTempDir } from "./_helpers.ts";

const OPTS = { maxCacheBytes: 1 << 20, maxCandidates: 8 };
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

Deno.test("a database from a future schema version is refused and left byte-identical", async () => {
  await withTempDir((dir) => {
    const layout = layoutFor(join(dir, "cache"));
    mkdirSync(layout.dir, { recursive: true });
    const db = new DatabaseSync(layout.dbPath);
    db.exec(`CREATE TABLE future(x); PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha(layout.dbPath);
    assert.throws(
      () => openStore(join(dir, "cache"), OPTS),
      (e: unknown) =>
        isCasherError(e, "schema-unsupported") &&
        e.message.includes(`version ${SCHEMA_VERSION + 1}`) &&
        e.message.includes(`up to version ${SCHEMA_VERSION}`),
    );
    assert.equal(sha(layout.dbPath), before);
  });
});

Deno.test("a cache dir that is a regular file raises cache-unavailable", async () => {
  await withTempDir((dir) => {
    const file = join(dir, "cache");
    writeFileSync(file, "not a dir");
    assert.throws(
      () => openStore(file, OPTS),
      (e: unknown) => isCasherError(e, "cache-unavailable"),
    );
  });
});

Deno.test("a cache dir below a regular file raises cache-unavailable", async () => {
  await withTempDir((dir) => {
    writeFileSync(join(dir, "file"), "x");
    assert.throws(
      () => openStore(join(dir, "file", "cache"), OPTS),
      (e: unknown) => isCasherError(e, "cache-unavailable"),
    );
  });
});

Deno.test("a directory even root cannot write into raises cache-unavailable", () => {
  // procfs refuses new entries to every user, root included.
  assert.throws(
    () => openStore("/proc/self", OPTS),
    (e: unknown) => isCasherError(e, "cache-unavailable"),
  );
});

Deno.test("an index file that is not a database raises cache-unavailable", async () => {
  await withTempDir((dir) => {
    const layout = layoutFor(join(dir, "cache"));
    mkdirSync(layout.dir, { recursive: true });
    writeFileSync(layout.dbPath, "this is not sqlite ".repeat(100));
    assert.throws(
      () => openStore(join(dir, "cache"), OPTS),
      (e: unknown) => isCasherError(e, "cache-unavailable"),
    );
  });
});

Deno.test("the index is created with mode 0600 and reopens with its data", async () => {
  await withTempDir((dir) => {
    const cache = join(dir, "cache");
    const a = openStore(cache, OPTS);
    a.recordMiss();
    a.close();
    assert.equal(statSync(layoutFor(cache).dbPath).mode & 0o777, 0o600);
    const b = openStore(cache, OPTS);
    try {
      assert.equal(b.stats().misses, 1);
    } finally {
      b.close();
    }
  });
});

Deno.test("openStore rejects a candidate cap below 1", () => {
  assert.throws(() => openStore("/tmp/unused", { maxCacheBytes: 1, maxCandidates: 0 }), RangeError);
});

/** Schema version 1 as it shipped: `inputs` and `body` in the `entries` row. */
const SCHEMA_V1 = `
CREATE TABLE entries(id INTEGER PRIMARY KEY, key TEXT NOT NULL, key_material TEXT NOT NULL,
  label TEXT NOT NULL, inputs TEXT NOT NULL, body TEXT NOT NULL, duration_ms REAL NOT NULL,
  expires_at INTEGER, created_at INTEGER NOT NULL, last_used INTEGER NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0, saved_ms REAL NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL);
CREATE INDEX entries_key ON entries(key, id);
CREATE INDEX entries_lru ON entries(last_used);
CREATE TABLE blobs(digest TEXT PRIMARY KEY, size INTEGER, stored_size INTEGER NOT NULL,
  refcount INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX blobs_unreferenced ON blobs(refcount) WHERE refcount <= 0;
CREATE TABLE entry_blobs(entry_id INTEGER NOT NULL, digest TEXT NOT NULL,
  PRIMARY KEY(entry_id, digest)) WITHOUT ROWID;
CREATE INDEX entry_blobs_digest ON entry_blobs(digest);
CREATE TABLE memo(path TEXT PRIMARY KEY, fp TEXT NOT NULL, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE leases(id INTEGER PRIMARY KEY, entry_id INTEGER NOT NULL, pid INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE INDEX leases_entry ON leases(entry_id, expires_at);
CREATE TABLE counters(id INTEGER PRIMARY KEY CHECK (id = 1), hits INTEGER NOT NULL,
  misses INTEGER NOT NULL, saved_ms REAL NOT NULL, bytes INTEGER NOT NULL);
INSERT INTO counters VALUES (1, 0, 3, 0, 0);
CREATE TRIGGER entry_blob_added AFTER INSERT ON entry_blobs BEGIN
  UPDATE blobs SET refcount = refcount + 1 WHERE digest = NEW.digest;
END;
CREATE TRIGGER entry_deleted AFTER DELETE ON entries BEGIN
  UPDATE blobs SET refcount = refcount - 1
    WHERE digest IN (SELECT digest FROM entry_blobs WHERE entry_id = OLD.id);
  DELETE FROM entry_blobs WHERE entry_id = OLD.id;
  DELETE FROM leases WHERE entry_id = OLD.id;
END;
CREATE TRIGGER blob_added AFTER INSERT ON blobs BEGIN
  UPDATE counters SET bytes = bytes + NEW.stored_size WHERE id = 1;
END;
CREATE TRIGGER blob_deleted AFTER DELETE ON blobs BEGIN
  UPDATE counters SET bytes = bytes - OLD.stored_size WHERE id = 1;
END;
CREATE TRIGGER entry_hit AFTER UPDATE OF hits ON entries BEGIN
  UPDATE counters SET hits = hits + (NEW.hits - OLD.hits),
    saved_ms = saved_ms + (NEW.saved_ms - OLD.saved_ms) WHERE id = 1;
END;
INSERT INTO entries(key, key_material, label, inputs, body, duration_ms, expires_at, created_at,
  last_used, hits, saved_ms, size_bytes)
VALUES ('k1', 'm1', 'make all', '[{"path":"/src/a.c","kind":"file","digest":"d1"}]',
  '{"o":[],"d":[],"s":null,"r":{"kind":"exit","code":0}}', 120, NULL, 1000, 2000, 4, 480, 0);
PRAGMA user_version = 1;
`;

Deno.test("a version 1 index is migrated in place: its entries, counters and deletes still work", async () => {
  await withTempDir((dir) => {
    const cache = join(dir, "cache");
    const layout = layoutFor(cache);
    mkdirSync(layout.dir, { recursive: true });
    const v1 = new DatabaseSync(layout.dbPath);
    v1.exec(SCHEMA_V1);
    v1.close();
    const store = openStore(cache, OPTS);
    try {
      const [entry, ...rest] = store.candidates("k1", { now: 3000 });
      assert.equal(rest.length, 0);
      assert.equal(entry.label, "make all");
      assert.equal(entry.keyMaterial, "m1");
      assert.deepEqual(entry.inputs, [{ path: "/src/a.c", kind: "file", digest: "d1" }]);
      assert.deepEqual(entry.result, { kind: "exit", code: 0 });
      assert.equal(entry.hits, 4);
      assert.deepEqual(
        { hits: store.stats().hits, misses: store.stats().misses },
        { hits: 0, misses: 3 },
      );
      store.completeHit(null, entry.id, { savedMs: 120 });
      store.flushHits();
      assert.equal(store.listEntries()[0].hits, 5);
      assert.equal(store.removeEntries({ key: "k1" }), 1);
      assert.equal(store.candidates("k1", { now: 3000 }).length, 0);
    } finally {
      store.close();
    }
    const db = new DatabaseSync(layout.dbPath);
    try {
      assert.equal(
        Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version),
        SCHEMA_VERSION,
      );
      // The moved row went with its entry: nothing is left behind.
      assert.equal(
        (db.prepare("SELECT COUNT(*) AS n FROM entry_data").get() as { n: number }).n,
        0,
      );
    } finally {
      db.close();
    }
  });
});
