import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./_shim.ts";
import { withCache } from "./_cached_fixture.ts";

const root = join(import.meta.dirname!, "../..");
const fixture = join(import.meta.dirname!, "_console_replay_fixture.ts");

/** What one child run printed on fds 1 and 2 (separately, byte for byte) and whether it ran. */
function runChild(
  rt: "deno" | "bun",
  { cache, ranFile }: { readonly cache: string; readonly ranFile: string },
): { stdout: string; stderr: string; ran: boolean } {
  const argv = rt === "deno"
    ? ["run", "-A", "-q", fixture, cache, ranFile]
    : [fixture, cache, ranFile];
  const r = spawnSync(rt, argv, { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `${rt} fixture failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, ran: readFileSync(ranFile, "utf8") === "true" };
}

for (const rt of ["deno", "bun"] as const) {
  test(`${rt}: a hit replays byte for byte what every console method printed live`, () =>
    withCache(({ dir, cache }) => {
      const ranFile = join(dir, "ran");
      const live = runChild(rt, { cache, ranFile });
      const replay = runChild(rt, { cache, ranFile });
      assert.equal(live.ran, true);
      assert.equal(replay.ran, false, "the second process hit the entry");
      assert.equal(replay.stdout, live.stdout);
      assert.equal(replay.stderr, live.stderr);
      // Not the contract (live == replay is), but how close casher's formatting is: for these
      // calls the live output of a cached call is what the runtime's own console prints.
      const native = runChild(rt, { cache: "", ranFile });
      assert.equal(live.stdout, native.stdout);
      assert.equal(live.stderr, native.stderr);
    }));
}
