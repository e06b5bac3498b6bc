import assert from "node:assert/strict";
import {
  chmodSync,
  linkSync,
  mkdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { digestBytes } from "../../lib/hash/digest.ts";
import { metaModeOf, xattrMetaDigest } from "../../lib/store/meta_digest.ts";
import { preciseStat } from "../../lib/runtime/mod.ts";
import type { RecordedInput } from "../../lib/store/types.ts";
import type { StatMemo } from "../../lib/store/stat_memo.ts";
import { validateInputs } from "../../lib/store/validate.ts";
import { countingHasher, withStore, withTempDir } from "./_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const later = () => Date.now() + 10_000;

async function fileInput(path: string, text: string): Promise<RecordedInput> {
  writeFileSync(path, text);
  return { path, kind: "file", digest: await digestBytes(enc(text)) };
}

Deno.test("validate returns null when every input still matches", async () => {
  await withStore(async (store, dir) => {
    mkdirSync(join(dir, "d"));
    const inputs: RecordedInput[] = [
      await fileInput(join(dir, "a"), "A"),
      { path: join(dir, "missing"), kind: "absent", digest: "" },
    ];
    const listing = await store.digestPath(join(dir, "d"), "listing");
    assert.equal(listing.kind, "ok");
    if (listing.kind === "ok") inputs.push(listing.input);
    assert.equal(await store.validate(inputs), null);
  });
});

Deno.test("validate reports each mismatch kind: changed, missing, appeared, unreadable", async () => {
  await withStore(async (store, dir) => {
    const a = await fileInput(join(dir, "a"), "A");
    writeFileSync(a.path, "B");
    assert.deepEqual(await store.validate([a]), { kind: "changed", input: a });
    rmSync(a.path);
    assert.deepEqual(await store.validate([a]), { kind: "missing", input: a });
    const absent: RecordedInput = { path: join(dir, "x"), kind: "absent", digest: "" };
    writeFileSync(absent.path, "");
    assert.deepEqual(await store.validate([absent]), { kind: "appeared", input: absent });
    mkdirSync(a.path);
    assert.deepEqual(await store.validate([a]), {
      kind: "unreadable",
      input: a,
      reason: "not a regular file",
    });
  });
});

Deno.test("validate stops at the first mismatch in recorded order", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const ok = await fileInput(join(dir, "ok"), "1");
    const bad: RecordedInput = {
      ...(await fileInput(join(dir, "bad"), "2")),
      digest: "0".repeat(32),
    };
    const never = await fileInput(join(dir, "never"), "3");
    hasher.files = 0;
    const m = await store.validate([ok, bad, never]);
    assert.deepEqual(m, { kind: "changed", input: bad });
    assert.equal(hasher.files, 2, "the input after the mismatch is not hashed");
  }, { hasher });
});

Deno.test("validating 1,000 memoized files hashes none of them", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const inputs: RecordedInput[] = [];
    for (let i = 0; i < 1000; i++) inputs.push(await fileInput(join(dir, `f${i}`), `c${i}`));
    assert.equal(await store.validate(inputs, { now: later() }), null);
    assert.equal(hasher.files, 1000);
    assert.equal(await store.validate(inputs, { now: later() }), null);
    assert.equal(hasher.files, 1000);
    writeFileSync(inputs[500].path, "changed");
    assert.deepEqual(await store.validate(inputs, { now: later() }), {
      kind: "changed",
      input: inputs[500],
    });
    assert.equal(hasher.files, 1001);
  }, { hasher });
});

Deno.test("a memo row with a stale fingerprint is never trusted", async () => {
  await withStore(async (store, dir) => {
    const a = await fileInput(join(dir, "a"), "same-size-1");
    utimesSync(a.path, 1_000_000, 1_000_000);
    assert.equal(await store.validate([a], { now: later() }), null); // memoized
    writeFileSync(a.path, "same-size-2"); // same size; mtime set apart deterministically
    utimesSync(a.path, 1_000_001, 1_000_001);
    assert.deepEqual(await store.validate([a], { now: later() }), { kind: "changed", input: a });
  });
});

Deno.test("meta inputs validate type, permission bits and link targets without hashing", async () => {
  const hasher = countingHasher();
  await withStore(async (store, dir) => {
    const d = join(dir, "d");
    const l = join(dir, "l");
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    symlinkSync("d", l);
    const dirMeta: RecordedInput = { path: d, kind: "meta", digest: "s:dir:755" };
    const viaLink: RecordedInput = { path: l, kind: "meta", digest: "s:dir:755" };
    const linkItself: RecordedInput = { path: l, kind: "meta", digest: "l:lnk:777" };
    const target: RecordedInput = { path: l, kind: "meta", digest: "r:64" }; // "d"
    assert.equal(await store.validate([dirMeta, viaLink, linkItself, target]), null);
    chmodSync(d, 0o700);
    assert.deepEqual(await store.validate([dirMeta]), { kind: "changed", input: dirMeta });
    rmSync(l);
    symlinkSync("e", l);
    assert.deepEqual(await store.validate([target]), { kind: "changed", input: target });
    assert.deepEqual(await store.validate([viaLink]), { kind: "missing", input: viaLink });
    rmSync(d, { recursive: true });
    writeFileSync(d, "");
    assert.deepEqual(await store.validate([dirMeta]), { kind: "changed", input: dirMeta });
    rmSync(d);
    assert.deepEqual(await store.validate([dirMeta]), { kind: "missing", input: dirMeta });
    assert.equal(hasher.files + hasher.dirs, 0);
  }, { hasher });
});

Deno.test("a meta input's fast check compares the whole st_mode, special bits included", async () => {
  await withStore(async (store, dir) => {
    const f = join(dir, "f");
    writeFileSync(f, "");
    chmodSync(f, 0o755);
    const plain: RecordedInput = { path: f, kind: "meta", digest: "l:reg:755" };
    const setuid: RecordedInput = { path: f, kind: "meta", digest: "l:reg:4755" };
    assert.equal(await store.validate([plain]), null);
    assert.deepEqual(await store.validate([setuid]), { kind: "changed", input: setuid });
    chmodSync(f, 0o4755);
    assert.deepEqual(await store.validate([plain]), { kind: "changed", input: plain });
    assert.equal(await store.validate([setuid]), null);
  });
});

Deno.test("an xattr meta input is invalidated by any ctime change, the mode kept", async () => {
  await withStore(async (store, dir) => {
    const f = join(dir, "f");
    writeFileSync(f, "");
    chmodSync(f, 0o644); // whatever the umask
    const st = preciseStat({ path: f });
    assert.ok(st !== null);
    const xattr: RecordedInput = { path: f, kind: "meta", digest: xattrMetaDigest("xattr", st) };
    assert.match(xattr.digest, /^x:reg:644:\d+$/);
    assert.equal(await store.validate([xattr]), null);
    await new Promise((r) => setTimeout(r, 20));
    linkSync(f, join(dir, "g")); // moves f's ctime as setxattr/setfacl would; mode unchanged
    assert.deepEqual(await store.validate([xattr]), { kind: "changed", input: xattr });
    rmSync(f);
    assert.deepEqual(await store.validate([xattr]), { kind: "missing", input: xattr });
  });
});

Deno.test("metaModeOf reads s:/l: digests and leaves the rest to the slow path", () => {
  assert.deepEqual(metaModeOf("s:dir:755"), { lstat: false, mode: 0o040755 });
  assert.deepEqual(metaModeOf("l:lnk:777"), { lstat: true, mode: 0o120777 });
  assert.deepEqual(metaModeOf("s:reg:0"), { lstat: false, mode: 0o100000 });
  for (const d of ["r:64", "s:bogus:755", "s:reg:9", "s:reg:75555", "x:reg:755", "s:reg:"]) {
    assert.equal(metaModeOf(d), null, d);
  }
});

Deno.test('an absent input matches only for the same errno: ENOENT ("") or ENOTDIR', async () => {
  await withStore(async (store, dir) => {
    const noent: RecordedInput = { path: join(dir, "x", "y"), kind: "absent", digest: "" };
    const notdir: RecordedInput = { ...noent, digest: "ENOTDIR" };
    assert.equal(await store.validate([noent]), null, "x missing: ENOENT");
    assert.deepEqual(await store.validate([notdir]), { kind: "changed", input: notdir });
    writeFileSync(join(dir, "x"), "data\n");
    assert.deepEqual(await store.validate([noent]), { kind: "changed", input: noent });
    assert.equal(await store.validate([notdir]), null, "x is a file: ENOTDIR");
    rmSync(join(dir, "x"));
    mkdirSync(join(dir, "x"));
    writeFileSync(noent.path, "");
    assert.deepEqual(await store.validate([notdir]), { kind: "appeared", input: notdir });
  });
});

/** `input` with the stat fingerprint `path` has now (as a store records it). */
function withStatOf(input: RecordedInput, path: string): RecordedInput {
  const st = statSync(path);
  return {
    ...input,
    stat: [st.dev, st.ino, st.size, Math.floor(st.mtimeMs), Math.floor(st.ctimeMs / 1000)],
  };
}

/** A memo holding nothing, counting how often validation asks it. */
function emptyMemo(): StatMemo & { readonly queries: number } {
  const counter = { queries: 0 };
  return Object.assign(counter, {
    getMany: () => (counter.queries++, new Map()),
    putMany: () => {},
  }) as unknown as StatMemo & { readonly queries: number };
}

Deno.test("an input carrying its recorded fingerprint is checked with one stat: no memo query, no hash", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a");
    const input = await fileInput(path, "AAAA");
    const past = new Date(Date.now() - 10_000);
    utimesSync(path, past, past);
    const withFp = withStatOf(input, path);
    const memo = emptyMemo();
    const hasher = countingHasher();
    // "now" is 3 s after the ctime (which cannot be set back): the file is not racy.
    const now = Date.now() + 3000;
    assert.equal(await validateInputs([withFp], { memo, hasher, now }), null);
    assert.equal(memo.queries, 0);
    assert.equal(hasher.files, 0);
    // mtime put back: the size still moves the fingerprint. (A same-size rewrite within the
    // ctime's second is what the racy rule is for: no fingerprint is recorded for a file
    // changed less than 2 s before the run, and the fake "now" here cannot model that.)
    writeFileSync(path, "BBBBB");
    utimesSync(path, past, past);
    assert.deepEqual(await validateInputs([withFp], { memo, hasher, now: Date.now() + 3000 }), {
      kind: "changed",
      input: withFp,
    });
    assert.equal(memo.queries, 1, "the memo is asked once the fingerprint does not settle it");
    assert.equal(hasher.files, 1);
  });
});

Deno.test("a recorded fingerprint that is racy at `now` is not trusted: the content is checked", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a");
    const input = await fileInput(path, "AAAA");
    const st = statSync(path);
    const withFp = withStatOf(input, path); // ctime: this very second
    const memo = emptyMemo();
    const hasher = countingHasher();
    assert.equal(await validateInputs([withFp], { memo, hasher, now: Date.now() }), null);
    assert.equal(hasher.files, 1, "hashed, although every stat field matches");
    // A same-size rewrite within the tick, mtime put back: only the content shows it.
    writeFileSync(path, "BBBB");
    const back = new Date(st.mtimeMs);
    utimesSync(path, back, back);
    assert.deepEqual(await validateInputs([withFp], { memo, hasher, now: Date.now() }), {
      kind: "changed",
      input: withFp,
    });
  });
});
