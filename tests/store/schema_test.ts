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
