import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { openStore } from "../../lib/store/store.ts";
import { withTempDir } from "./_helpers.ts";

const CHILD = new URL("./_concurrency_child.ts", import.meta.url).pathname;
const PROCS = 8;
const OPS = 200;

function runChild(
  cacheDir: string,
  index: number,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(Deno.execPath(), ["run", "-A", CHILD, cacheDir, String(index), String(OPS)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => out += d);
  child.stderr!.on("data", (d) => err += d);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

Deno.test("8 processes storing and looking up on one cache dir: no errors, every store readable", async () => {
  await withTempDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    openStore(cacheDir, { maxCacheBytes: 1 << 30, maxCandidates: 4 }).close();
    const results = await Promise.all(
      Array.from({ length: PROCS }, (_, i) => runChild(cacheDir, i)),
    );
    for (const [i, r] of results.entries()) {
      assert.equal(r.err, "", `child ${i} stderr`);
      assert.equal(r.code, 0, `child ${i} exit code`);
      assert.match(r.out, /done \d+/);
    }
    const keys = results.flatMap((r) => [...r.out.matchAll(/^stored (\w+)$/gm)].map((m) => m[1]));
    assert.equal(keys.length, PROCS * OPS / 4);
    const pinnedReads = results.reduce((n, r) => n + Number(/done (\d+)/.exec(r.out)![1]), 0);
    assert.ok(pinnedReads > 0, "readers found entries to replay");
    const store = openStore(cacheDir, { maxCacheBytes: 1 << 30, maxCandidates: 4 });
    try {
      for (const key of keys) {
        const [entry] = store.candidates(key);
        assert.ok(entry, `entry ${key} readable`);
        assert.ok((await store.blobs.readBytes(entry.streamBlob!)).length > 0);
      }
      assert.equal((await store.verify()).inconsistencies, 0);
      const s = store.stats();
      assert.equal(s.misses, PROCS * OPS / 2);
    } finally {
      store.close();
    }
  });
});
