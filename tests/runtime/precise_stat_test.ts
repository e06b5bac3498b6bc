import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun, test } from "../function/_shim.ts";
import { hasPreciseCtime, preciseStat } from "../../lib/runtime/precise_stat.ts";

/** Creates `dir/name` where `name` is a byte string (latin1), whatever its bytes. */
function touchBytes(dir: string, name: string, content: string): void {
  const octal = [...name].map((c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0")).join("");
  execFileSync("sh", ["-c", `printf '%s' "$1" > "$(printf '${octal}')"`, "sh", content], {
    cwd: dir,
  });
}

test("preciseStat of a string path equals the stat of its bytes and of an open fd", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-pstat-"));
  try {
    for (const name of ["plain", "caf\u00e9 \u2603"]) {
      const file = join(dir, name);
      writeFileSync(file, "abc");
      const byString = preciseStat({ path: file });
      const byBytes = preciseStat({ path: Buffer.from(file, "utf8") });
      const fd = openSync(file, "r");
      let byFd;
      try {
        byFd = preciseStat({ fd });
      } finally {
        closeSync(fd);
      }
      assert.ok(byString !== null, name);
      assert.deepEqual(byString, byBytes, name);
      assert.deepEqual(byString, byFd, name);
      assert.equal(byString.size, 3n);
      assert.equal(byString.isFile, true);
      assert.equal(byString.isDir, false);
    }
    assert.equal(preciseStat({ path: dir })?.isDir, true);
    assert.equal(preciseStat({ path: join(dir, "missing") }), null);
    assert.equal(preciseStat({ path: join(dir, "plain", "x") }), null, "ENOTDIR");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("preciseStat of a string path keeps nanosecond times", () => {
  if (!hasPreciseCtime()) return;
  const dir = mkdtempSync(join(tmpdir(), "casher-pstat-"));
  try {
    const stats = [0, 1, 2, 3].map((i) => {
      const file = join(dir, `f${i}`);
      writeFileSync(file, "x");
      return preciseStat({ path: file })!;
    });
    // A whole-second clock would give 0 every time; a nanosecond one almost never.
    assert.ok(stats.some((s) => s.ctimeNs % 1_000_000_000n !== 0n), "ctime has nanoseconds");
    assert.ok(stats.some((s) => s.mtimeNs % 1_000_000_000n !== 0n), "mtime has nanoseconds");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("preciseStat with lstat stats a symlink itself, given a string path", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-pstat-"));
  try {
    writeFileSync(join(dir, "target"), "abcdef");
    symlinkSync("target", join(dir, "link"));
    assert.equal(preciseStat({ path: join(dir, "link") })?.size, 6n);
    const link = preciseStat({ path: join(dir, "link"), lstat: true })!;
    assert.equal(link.isFile, false);
    assert.equal(link.mode & 0o170000, 0o120000, "a symlink");
    assert.equal(preciseStat({ path: join(dir, "dangling"), lstat: true }), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("preciseStat of a non-UTF-8 path stats exactly those bytes", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-pstat-"));
  try {
    touchBytes(dir, "bad\xff\xfename", "payload");
    // What a lossy (UTF-8 decoding) runtime would stat instead: a different size.
    writeFileSync(join(dir, "bad\ufffd\ufffdname"), "decoy, much longer than the payload");
    const bytes = Buffer.concat([
      Buffer.from(dir + "/", "utf8"),
      Buffer.from("bad\xff\xfename", "latin1"),
    ]);
    const st = preciseStat({ path: bytes });
    assert.ok(st !== null, `found under ${isBun ? "Bun" : "Deno"}`);
    assert.equal(st.size, BigInt("payload".length));
    const missing = Buffer.concat([
      Buffer.from(dir + "/", "utf8"),
      Buffer.from("bad\xff", "latin1"),
    ]);
    assert.equal(preciseStat({ path: missing }), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
