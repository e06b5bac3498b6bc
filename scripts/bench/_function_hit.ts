/**
 * Hit latency of `cached()` per call: small arguments, a function that read 10 files
 * (so 10 recorded inputs are validated per hit), measured side by side with the same
 * workload under Python's `joblib.Memory` (Debian `python3-joblib`, installed here when
 * missing). joblib hashes arguments only and does not track the files a function reads, so
 * it does less per hit than casher, which also validates the 10 recorded inputs.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cached } from "../../lib/function/cached.ts";
import { resetCached } from "../../lib/function/cached.ts";

const PY = "/usr/bin/python3";
const CALLS = 5000;

/** Prints `bench cached() hit: ...`. */
export async function cachedHitBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-bench-hit-"));
  try {
    const files = Array.from({ length: 10 }, (_, i) => join(dir, `in${i}.txt`));
    for (const f of files) writeFileSync(f, `input ${f}\n`.repeat(10));
    await new Promise((r) => setTimeout(r, 2100)); // past the racy window: like real, older inputs
    let runs = 0;
    const f = cached(function score(name: string, k: number, opts: { scale: number }) {
      runs++;
      let n = 0;
      for (const p of files) n += fs.readFileSync(p).byteLength;
      return { name, value: n * k * opts.scale };
    }, { cacheDir: join(dir, "cache") });
    const args = ["model-a", 3, { scale: 0.5 }] as const;
    await f(...args); // miss: stores the entry
    for (let i = 0; i < 500; i++) await f(...args);
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await f(...args);
    const us = ((performance.now() - t0) / CALLS) * 1000;
    if (runs !== 1) throw new Error(`bench: expected hits only, the function ran ${runs} times`);
    resetCached();
    const py = joblibHitUs(dir, files);
    console.log(
      py === null
        ? `bench cached() hit: ${
          us.toFixed(1)
        } µs/call (10 recorded inputs; joblib unavailable, goal <= 150 µs)`
        : `bench cached() hit: ${(us / py).toFixed(2)}x vs joblib.Memory (${us.toFixed(1)} vs ${
          py.toFixed(1)
        } µs/call, 10 recorded inputs, small args; goal <= 150 µs)`,
    );
  } finally {
    resetCached();
    rmSync(dir, { recursive: true, force: true });
  }
}

function ensureJoblib(): boolean {
  const has = () => {
    try {
      execFileSync(PY, ["-c", "import joblib"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (!existsSync(PY)) return false;
  if (has()) return true;
  try {
    execFileSync("apt-get", ["install", "-y", "python3-joblib"], { stdio: "ignore" });
  } catch {
    return false;
  }
  return has();
}

function joblibHitUs(dir: string, files: string[]): number | null {
  if (!ensureJoblib()) return null;
  const script = `
import json, sys, time
from joblib import Memory
files = json.loads(sys.argv[2])
mem = Memory(sys.argv[1], verbose=0)
@mem.cache
def score(name, k, opts):
    n = 0
    for p in files:
        with open(p, 'rb') as fh:
            n += len(fh.read())
    return {"name": name, "value": n * k * opts["scale"]}
args = ("model-a", 3, {"scale": 0.5})
score(*args)
for _ in range(500): score(*args)
N = ${CALLS}
t0 = time.perf_counter()
for _ in range(N): score(*args)
print((time.perf_counter() - t0) / N * 1e6)
`;
  const out = execFileSync(PY, ["-c", script, join(dir, "joblib"), JSON.stringify(files)], {
    encoding: "utf8",
  });
  return Number(out.trim());
}
