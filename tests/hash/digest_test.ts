import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  digestBytes,
  digestDirectory,
  digestFile,
  digestListing,
  type EntryType,
} from "../../lib/hash/digest.ts";
import { keyDigest } from "../../lib/hash/key_digest.ts";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { bytePathsSupported } from "../../lib/runtime/mod.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "casher-digest-"));
}

function hasXxhsum(): boolean {
  try {
    execFileSync("xxhsum", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

Deno.test("digestBytes matches the published XXH3-128 of 'abc' and of empty input", async () => {
  assert.equal(await digestBytes(Buffer.from("abc")), "06b05ab6733a618578af5f94892f3950");
  assert.equal(await digestBytes(new Uint8Array(0)), "99aa06d3014798d86001c324468d497f");
});

Deno.test("digestFile streams a multi-chunk file to the same digest as digestBytes", async () => {
  const dir = tempDir();
  try {
    const data = randomBytes((9 << 20) + 3);
    const path = join(dir, "f");
    writeFileSync(path, data);
    const got = await digestFile(path);
    assert.deepEqual(got, { digest: await digestBytes(data), size: data.length });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("digestFile equals `xxhsum -H2` (skipped when xxhsum is missing)", async () => {
  if (!hasXxhsum()) {
    console.log("xxhsum not installed: comparison skipped (apt-get install xxhash)");
    return;
  }
  const dir = tempDir();
  try {
    for (const size of [0, 1, 240, 100_000, (4 << 20) + 17]) {
      const path = join(dir, `f${size}`);
      writeFileSync(path, randomBytes(size));
      const out = execFileSync("xxhsum", ["-H2", path], { encoding: "utf8" });
      assert.equal((await digestFile(path)).digest, out.split(/\s+/)[0], `size ${size}`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** Creates `dir/<name bytes>` through the shell, so the bytes are exact in any runtime. */
function touchBytes(dir: string, name: string, content: string): void {
  const octal = [...name].map((c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0")).join("");
  execFileSync("sh", ["-c", `printf '%s' "$1" > "$(printf '${octal}')"`, "sh", content], {
    cwd: dir,
  });
}

Deno.test("digestFile reads a non-UTF-8 name exactly, or refuses it where the runtime cannot", async () => {
  const dir = tempDir();
  try {
    touchBytes(dir, "bad\xff\xfename", "payload");
    writeFileSync(join(dir, "bad\ufffd\ufffdname"), "decoy: what a lossy runtime would open");
    const name = Buffer.from(dir, "utf8").toString("latin1") + "/bad\xff\xfename";
    if (bytePathsSupported()) {
      assert.equal((await digestFile(name)).digest, await digestBytes(Buffer.from("payload")));
    } else {
      await assert.rejects(digestFile(name), (e) => isCasherError(e, "path-unsupported"));
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("concurrent digestFile calls each get their own correct digest", async () => {
  const dir = tempDir();
  try {
    const files = Array.from({ length: 12 }, (_, i) => {
      const data = randomBytes(100_000 * (i + 1));
      const path = join(dir, `f${i}`);
      writeFileSync(path, data);
      return { path, data };
    });
    const got = await Promise.all(files.map((f) => digestFile(f.path)));
    for (let i = 0; i < files.length; i++) {
      assert.equal(got[i].digest, await digestBytes(files[i].data));
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("digestFile rejects with the signal's reason when already aborted", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(digestFile("/etc/hostname", { signal: ac.signal }), /stop/);
});

Deno.test("digestFile of a missing file throws ENOENT", async () => {
  await assert.rejects(digestFile("/nonexistent/casher/file"), { code: "ENOENT" });
});

Deno.test("digestListing digests name-sorted entries as name/type, each terminated by NUL", async () => {
  const f = (name: string) => ({ name, type: "f" as const });
  const names = ["b", "\xff", "a", "A"];
  const expected = keyDigest(Buffer.from("A/f\0a/f\0b/f\0\xff/f\0", "latin1"));
  assert.equal(await digestListing(names.map(f)), expected);
  assert.equal(await digestListing([...names].reverse().map(f)), expected);
  assert.notEqual(await digestListing([f("ab")]), await digestListing([f("a"), f("b")]));
  assert.notEqual(
    await digestListing([f("x")]),
    await digestListing([{ name: "x", type: "d" }]),
    "an entry that changes type changes the digest",
  );
});

Deno.test("digestDirectory digests every entry with its type, including non-UTF-8 and dot files", async () => {
  const dir = tempDir();
  try {
    const base = Buffer.from(dir, "utf8").toString("latin1");
    touchBytes(dir, "x\xe9", "");
    writeFileSync(join(dir, ".hidden"), "");
    mkdirSync(join(dir, "sub"));
    symlinkSync("sub", join(dir, "ln"));
    const e = (name: string, type: EntryType) => ({ name, type });
    const before = [e(".hidden", "f"), e("ln", "l"), e("sub", "d"), e("x\xe9", "f")];
    assert.equal(await digestDirectory(base), await digestListing(before));
    writeFileSync(join(dir, "new"), "");
    assert.equal(await digestDirectory(base), await digestListing([...before, e("new", "f")]));
    touchBytes(dir, "x\xe8", "");
    const now = [...before, e("new", "f"), e("x\xe8", "f")];
    assert.equal(await digestDirectory(base), await digestListing(now));
    rmSync(join(dir, "new"));
    mkdirSync(join(dir, "new"));
    assert.equal(
      await digestDirectory(base),
      await digestListing([...before, e("new", "d"), e("x\xe8", "f")]),
      "a file replaced by a directory of the same name (non-UTF-8 fallback path too)",
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("digestDirectory sees a file replaced by a directory (UTF-8 names only)", async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, "x"), "");
    const file = await digestDirectory(dir);
    rmSync(join(dir, "x"));
    mkdirSync(join(dir, "x"));
    assert.notEqual(await digestDirectory(dir), file);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
