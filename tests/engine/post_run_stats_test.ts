import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostRunStats } from "../../lib/engine/_post_run_stats.ts";

Deno.test("a path is stat'ed once per mode, and a symlink's two stats differ", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-prs-"));
  try {
    writeFileSync(join(dir, "f"), "x");
    symlinkSync("f", join(dir, "l"));
    const stats = new PostRunStats();
    const follow = stats.get(join(dir, "l"), { lstat: false });
    assert.equal(follow, stats.get(join(dir, "l"), { lstat: false }));
    assert.equal(follow?.isFile, true);
    const link = stats.get(join(dir, "l"), { lstat: true });
    assert.equal(link?.isFile, false);
    assert.equal(link!.mode & 0o170000, 0o120000);
    assert.equal(stats.get(join(dir, "missing"), { lstat: true }), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a stat that failed fails again for every check that asks", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-prs-"));
  try {
    writeFileSync(join(dir, "f"), "x");
    // A path whose parent is too long to be a path: ENAMETOOLONG, not ENOENT.
    const bad = join(dir, "x".repeat(5000));
    const stats = new PostRunStats();
    assert.throws(() => stats.get(bad, { lstat: false }));
    assert.throws(() => stats.get(bad, { lstat: false }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
