/**
 * Benchmarks of the cache index:
 * - validation cost per recorded input when the stat memo hits (1,000 inputs), as us/input
 *   and as a ratio vs a bare `fs.statSync` loop over the same files;
 * - a candidate point lookup (`candidates(key)`) vs a prepared `SELECT 1`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openStore, type Store } from "../../lib/store/store.ts";
import type { RecordedInput } from "../../lib/store/types.ts";

const INPUTS = 1000;

/** Median of per-round times (ms) of `fn`, after a warm-up. */
async function median(rounds: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

async function benchValidate(store: Store, dir: string): Promise<void> {
  const inputs: RecordedInput[] = [];
  for (let i = 0; i < INPUTS; i++) {
    const path = join(dir, "src", `file_${i}.c`);
    writeFileSync(path, `int f${i}(void) { return ${i}; }\n`);
    inputs.push({ path, kind: "file", digest: "" });
  }
  // Record real digests (the files were just written: pretend time has moved on, so they
  // are trusted and memoized, which is the steady state of a rebuild).
  const now = Date.now() + 10_000;
  const recorded: RecordedInput[] = [];
  for (const i of inputs) {
    const s = await store.digestPath(i.path, "file", { now });
    if (s.kind !== "ok") throw new Error(`bench setup: ${i.path} ${s.kind}`);
    recorded.push(s.input);
  }
  const validateMs = await median(30, async () => {
    if (await store.validate(recorded, { now }) !== null) throw new Error("unexpected mismatch");
  });
  const paths = recorded.map((i) => i.path);
  const statMs = await median(30, () => {
    for (const p of paths) statSync(p);
  });
  const perInput = (validateMs * 1000) / INPUTS;
  console.log(
    `bench index validate (memo hit): ${(validateMs / statMs).toFixed(2)}x vs bare fs.statSync ` +
      `loop (${perInput.toFixed(2)} us/input vs ${(statMs * 1000 / INPUTS).toFixed(2)} us/stat, ` +
      `${INPUTS} inputs, goal <= 10 us/input)`,
  );
}

async function benchLookup(store: Store): Promise<void> {
  const blob = await store.blobs.putBytes(new TextEncoder().encode("out"));
  const inputs: RecordedInput[] = Array.from({ length: 20 }, (_, i) => ({
    path: `/usr/include/header_${i}.h`,
    kind: "file",
    digest: "0123456789abcdef0123456789abcdef",
  }));
  for (let k = 0; k < 5000; k++) {
    store.putEntry({
      key: k.toString(16).padStart(32, "0"),
      keyMaterial: `argv ${k}`,
      label: `cc -c file_${k}.c`,
      inputs,
      outputs: [],
      deletions: [],
      streamBlob: blob.digest,
      result: { kind: "exit", code: 0 },
      durationMs: 10,
      expiresAt: null,
    });
  }
  const keys = Array.from(
    { length: 1000 },
    (_, i) => ((i * 7) % 5000).toString(16).padStart(32, "0"),
  );
  const lookupMs = await median(15, () => {
    for (const k of keys) if (store.candidates(k).length !== 1) throw new Error("lookup failed");
  });
  const raw = new DatabaseSync(store.layout.dbPath);
  const one = raw.prepare("SELECT 1");
  const selectMs = await median(15, () => {
    for (let i = 0; i < keys.length; i++) one.get();
  });
  raw.close();
  const us = (lookupMs * 1000) / keys.length;
  console.log(
    `bench index candidates(key): ${(lookupMs / selectMs).toFixed(1)}x vs prepared SELECT 1 ` +
      `(${us.toFixed(2)} us/lookup vs ${(selectMs * 1000 / keys.length).toFixed(2)} us, ` +
      `5000 keys, 20 inputs per entry)`,
  );
}

/** Runs the index benchmarks and prints one line per figure. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-bench-index-"));
  try {
    mkdirSync(join(dir, "src"));
    const store = openStore(join(dir, "cache"), { maxCacheBytes: 1 << 30, maxCandidates: 8 });
    try {
      await benchValidate(store, dir);
      await benchLookup(store);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
