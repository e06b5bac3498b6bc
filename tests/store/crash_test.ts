import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore } from "../../lib/store/store.ts";
import { withTempDir } from "./_helpers.ts";

const CHILD = new URL("./_crash_child.ts", import.meta.url).pathname;
const KILLS = 50;

/** Starts the child, waits until it is storing, lets it run a random while, SIGKILLs it. */
async function runAndKill(cacheDir: string, seed: number, runMs: number): Promise<void> {
  const child = spawn(Deno.execPath(), ["run", "-A", CHILD, cacheDir, String(seed)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => stderr += d);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
    exited.then((code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  await sleep(runMs);
  child.kill("SIGKILL");
  await exited;
  assert.equal(stderr, "", "the child must not fail before it is killed");
}

Deno.test("SIGKILL at random moments during stores never leaves the index inconsistent", async () => {
  await withTempDir(async (dir) => {
    const cacheDir = join(dir, "cache");
    let entriesSeen = 0;
    for (let i = 0; i < KILLS; i++) {
      await runAndKill(cacheDir, 1000 + i, Math.floor(Math.random() * 200));
      const store = openStore(cacheDir, { maxCacheBytes: 200_000, maxCandidates: 3 });
      try {
        const r = await store.verify();
        assert.equal(r.inconsistencies, 0, `after kill ${i}: ${JSON.stringify(r)}`);
        entriesSeen += r.entries;
        for (const e of store.listEntries()) {
          if (e.streamBlob) assert.ok(store.blobs.has(e.streamBlob));
        }
      } finally {
        store.close();
      }
    }
    assert.ok(entriesSeen > 0, "the children stored something");
  });
});
