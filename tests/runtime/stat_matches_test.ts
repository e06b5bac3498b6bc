import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../function/_shim.ts";
import { modeMatches, statMatches } from "../../lib/runtime/fast_stat.ts";

function fieldsOf(path: string): [number, number, number, number, number] {
  const s = statSync(path);
  return [s.dev, s.ino, s.size, Math.floor(s.mtimeMs), Math.floor(s.ctimeMs / 1000)];
}

test("statMatches is true only for the same type and every recorded field", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-statm-"));
  try {
    const f = join(dir, "f");
    writeFileSync(f, "abc");
    const fields = fieldsOf(f);
    assert.equal(statMatches(f, fields, { directory: false }), true);
    assert.equal(statMatches(f, fields, { directory: true }), false, "not a directory");
    for (let i = 0; i < 5; i++) {
      const other = [...fields] as typeof fields;
      other[i] += 1;
      assert.equal(statMatches(f, other, { directory: false }), false, `field ${i} differs`);
    }
    assert.equal(statMatches(dir, fieldsOf(dir), { directory: true }), true);
    assert.equal(statMatches(join(dir, "missing"), fields, { directory: false }), false);
    assert.equal(statMatches(join(f, "x"), fields, { directory: false }), false, "ENOTDIR");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("modeMatches compares the whole st_mode, following a final symlink unless lstat", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-modem-"));
  try {
    const f = join(dir, "f");
    const l = join(dir, "l");
    writeFileSync(f, "abc");
    chmodSync(f, 0o640);
    symlinkSync("f", l);
    assert.equal(modeMatches(f, 0o100640, { lstat: false }), true);
    assert.equal(modeMatches(f, 0o100644, { lstat: false }), false, "permission bits differ");
    assert.equal(modeMatches(f, 0o040640, { lstat: false }), false, "type differs");
    assert.equal(modeMatches(l, 0o100640, { lstat: false }), true, "followed");
    assert.equal(modeMatches(l, 0o100640, { lstat: true }), false, "the link itself");
    assert.equal(modeMatches(l, 0o120777, { lstat: true }), true);
    assert.equal(modeMatches(join(dir, "missing"), 0o100640, { lstat: true }), false);
    assert.equal(modeMatches(join(f, "x"), 0o100640, { lstat: false }), false, "ENOTDIR");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
