import assert from "node:assert/strict";
import { mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { digestBytes } from "../../lib/hash/digest.ts";
import { countingHasher, draftWithBlob, keyOf, withStore, withTempDir } from "./_helpers.ts";
import { openIndexDb } from "../../lib/store/schema.ts";
import { ensureLayout } from "../../lib/store/layout.ts";
import { StatMemo } from "../../lib/store/stat_memo.ts";
import { Tx } from "../../lib/store/_tx.ts";

const enc = (s: string) => new TextEncoder().encode(s);
/** Far enough after any file created now that its timestamps are trusted. */
const later = () => Date.now() + 10_000;

Deno.test("a file changed within 2 s of now is hashed every time and never memoized", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const f = join(dir, "f");
    writeFileSync(f, "hello");
    const now = Date.now() + 500; // mtime/ctime are ~now: racy
    const a = await store.digestPath(f, "file", { now });
    const b = await store.digestPath(f, "file", { now });
    assert.equal(a.kind, "ok");
    assert.deepEqual(a, b);
    assert.equal(hasher.files, 2);
    // Once time has moved on, the same file is trusted: hashed once more, then memoized.
    await store.digestPath(f, "file", { now: later() });
    await store.digestPath(f, "file", { now: later() });
    assert.equal(hasher.files, 3);
  }, { hasher });
});

Deno.test("a memo hit returns the digest without hashing; a content change rehashes", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const f = join(dir, "f");
    writeFileSync(f, "one");
    const first = await store.digestPath(f, "exec", { now: later() });
    assert.deepEqual(first, {
      kind: "ok",
      input: { path: f, kind: "exec", digest: await digestBytes(enc("one")) },
    });
    await store.digestPath(f, "exec", { now: later() });
    assert.equal(hasher.files, 1);
    writeFileSync(f, "two!"); // new size and times: the fingerprint no longer matches
    const second = await store.digestPath(f, "exec", { now: later() });
    assert.equal(hasher.files, 2);
    assert.equal(second.kind === "ok" && second.input.digest, await digestBytes(enc("two!")));
  }, { hasher });
});

Deno.test("absent inputs: missing and ENOTDIR are ok, an existing path or dangling link is present", async () => {
  await withStore(async (store, dir) => {
    writeFileSync(join(dir, "file"), "x");
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const ok = { kind: "ok" };
    assert.deepEqual(await store.digestPath(join(dir, "nope"), "absent"), {
      ...ok,
      input: { path: join(dir, "nope"), kind: "absent", digest: "" },
    });
    assert.equal((await store.digestPath(join(dir, "file", "sub"), "absent")).kind, "ok");
    assert.equal((await store.digestPath(join(dir, "file"), "absent")).kind, "present");
    assert.equal((await store.digestPath(join(dir, "dangling"), "absent")).kind, "present");
  });
});

Deno.test("file inputs: missing paths are missing, directories are unreadable", async () => {
  await withStore(async (store, dir) => {
    mkdirSync(join(dir, "d"));
    assert.deepEqual(await store.digestPath(join(dir, "none"), "file"), { kind: "missing" });
    assert.deepEqual(await store.digestPath(join(dir, "d"), "file"), {
      kind: "unreadable",
      reason: "not a regular file",
    });
  });
});

Deno.test("a listing digest changes when an entry is added to the directory", async () => {
  await withStore(async (store, dir) => {
    const d = join(dir, "d");
    mkdirSync(d);
    writeFileSync(join(d, "a"), "");
    const before = await store.digestPath(d, "listing");
    writeFileSync(join(d, "b"), "");
    const after = await store.digestPath(d, "listing");
    assert.equal(before.kind, "ok");
    assert.equal(after.kind, "ok");
    assert.notEqual(
      before.kind === "ok" && before.input.digest,
      after.kind === "ok" && after.input.digest,
    );
    assert.deepEqual(await store.digestPath(join(dir, "file-not-dir"), "listing"), {
      kind: "missing",
    });
  });
});

Deno.test("the memo keys non-ASCII paths byte-exactly", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    // "é" as UTF-8 bytes in a byte path (Deno cannot create non-UTF-8 names).
    const f = join(dir, "caf\xc3\xa9");
    writeFileSync(join(dir, "café"), "x");
    assert.equal((await store.digestPath(f, "file", { now: later() })).kind, "ok");
    assert.equal(
      await store.validate([{ path: f, kind: "file", digest: await digestBytes(enc("x")) }], {
        now: later(),
      }),
      null,
    );
    assert.equal(hasher.files, 1);
  }, { hasher });
});

Deno.test("a directory listing is memoized by the directory's fingerprint", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const d = join(dir, "d");
    mkdirSync(d);
    writeFileSync(join(d, "a"), "");
    // The kernel stamps mtimes with a coarse clock (a few ms): without this, adding "b" in
    // the same tick would leave the mtime as it was. (Real time can't collide that way: a
    // directory is memoized only once its mtime is 2 s old.)
    const past = new Date(Date.now() - 10_000);
    utimesSync(d, past, past);
    const first = await store.digestPath(d, "listing", { now: later() });
    assert.equal(first.kind, "ok");
    assert.equal(hasher.dirs, 1);
    if (first.kind !== "ok") return;
    assert.equal(await store.validate([first.input], { now: later() }), null);
    assert.equal(hasher.dirs, 1, "an unchanged directory is not listed again");
    writeFileSync(join(d, "b"), ""); // a new entry moves the directory's mtime
    const changed = await store.validate([first.input], { now: later() });
    assert.equal(changed?.kind, "changed");
    assert.equal(hasher.dirs, 2);
  }, { hasher });
});

Deno.test("a directory changed within 2 s of now is listed every time", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const d = join(dir, "d");
    mkdirSync(d);
    const now = Date.now() + 500;
    await store.digestPath(d, "listing", { now });
    await store.digestPath(d, "listing", { now });
    assert.equal(hasher.dirs, 2);
  }, { hasher });
});

Deno.test("an input stored with its stat fields becomes a memo row: it is not hashed again", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const f = join(dir, "h.h");
    writeFileSync(f, "#define X 1\n");
    const st = statSync(f);
    const stat = [
      st.dev,
      st.ino,
      st.size,
      Math.floor(st.mtimeMs),
      Math.floor(st.ctimeMs / 1000),
    ] as const;
    const digest = await digestBytes(enc("#define X 1\n"));
    const input = { path: f, kind: "file" as const, digest, stat };
    store.putEntry(await draftWithBlob(store, keyOf(1), { text: "o", inputs: [input] }));
    const state = await store.digestPath(f, "file", { now: later() });
    assert.deepEqual(state, { kind: "ok", input: { path: f, kind: "file", digest } });
    assert.equal(hasher.files, 0, "the memo row written with the entry settled it");
  }, { hasher });
});

Deno.test("memo rows already holding the values are not rewritten; changed ones are", async () => {
  await withTempDir((dir) => {
    const db = openIndexDb(ensureLayout(join(dir, "cache")));
    try {
      const memo = new StatMemo(db, new Tx(db));
      const changes = () =>
        Number((db.prepare("SELECT total_changes() AS n").get() as { n: number }).n);
      memo.putMany([{ path: "/a", fp: "f1", digest: "d1" }, {
        path: "/b",
        fp: "f2",
        digest: "d2",
      }]);
      const before = changes();
      memo.putMany([{ path: "/a", fp: "f1", digest: "d1" }, {
        path: "/b",
        fp: "f2",
        digest: "d2",
      }]);
      assert.equal(changes(), before, "identical rows: nothing written");
      memo.putMany([{ path: "/a", fp: "f1", digest: "d1" }, {
        path: "/b",
        fp: "f3",
        digest: "d3",
      }]);
      assert.equal(changes(), before + 1);
      assert.deepEqual({ ...memo.get("/b") }, { fp: "f3", digest: "d3" });
      assert.deepEqual({ ...memo.get("/a") }, { fp: "f1", digest: "d1" });
    } finally {
      db.close();
    }
  });
});
