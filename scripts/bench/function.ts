/**
 * Building-block costs of the function face, each measured side by side with its
 * baseline in one run: fs hooks when no call is tracked (vs unhooked), a tracked call
 * (vs a plain call), canonical key encoding (vs JSON.stringify) and value decoding
 * (vs JSON.parse); and the end-to-end hit latency of `cached()` (small arguments, 10
 * recorded inputs) against the same workload with Python's `joblib.Memory`.
 *
 * @module
 */
import fs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCanonical } from "../../lib/hash/canonical.ts";
import { decodeValue, encodeValue } from "../../lib/codec/mod.ts";
import { installTracking, runTracked, uninstallTracking } from "../../lib/function/mod.ts";
import { cachedHitBench } from "./_function_hit.ts";

function perOp(n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 1000); i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return ((performance.now() - t0) / n) * 1000; // µs
}

async function perOpAsync(n: number, f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f();
  return ((performance.now() - t0) / n) * 1000;
}

/** Prints `bench ...` lines. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-bench-fn-"));
  try {
    const files = Array.from({ length: 10 }, (_, i) => join(dir, `in${i}`));
    for (const f of files) writeFileSync(f, "x".repeat(100));
    const read10 = () => {
      for (const f of files) fs.readFileSync(f);
    };
    uninstallTracking();
    const bare = perOp(5000, read10);
    installTracking();
    const hooked = perOp(5000, read10);
    console.log(
      `bench fs hooks idle: ${(hooked / bare).toFixed(2)}x vs unhooked (10 readFileSync: ${
        hooked.toFixed(1)
      } vs ${bare.toFixed(1)} µs)`,
    );
    const plain = await perOpAsync(2000, () => Promise.resolve(read10()));
    const tracked = await perOpAsync(2000, () => runTracked(read10));
    console.log(
      `bench tracked call: ${(tracked / plain).toFixed(2)}x vs plain call (10 reads: ${
        tracked.toFixed(1)
      } vs ${plain.toFixed(1)} µs)`,
    );

    const args = [
      new URL("file:///data/train.csv"),
      { lr: 0.01, epochs: 10, tags: ["a", "b"] },
      42,
    ];
    const canon = perOp(20000, () => encodeCanonical(args));
    const json = perOp(20000, () => JSON.stringify(args));
    console.log(
      `bench canonical key: ${(canon / json).toFixed(2)}x vs JSON.stringify (${
        canon.toFixed(2)
      } vs ${json.toFixed(2)} µs, 3 small args)`,
    );

    const value = {
      loss: 0.25,
      history: Array.from({ length: 20 }, (_, i) => i / 3),
      name: "model-1",
    };
    const enc = await encodeValue(value);
    if (enc.kind !== "ok") throw new Error("bench value unsupported");
    const text = JSON.stringify(value);
    const dec = await perOpAsync(20000, () => decodeValue(enc.bytes));
    const parse = await perOpAsync(20000, () => Promise.resolve(JSON.parse(text)));
    console.log(
      `bench value decode: ${(dec / parse).toFixed(2)}x vs JSON.parse (${dec.toFixed(2)} vs ${
        parse.toFixed(2)
      } µs, ${enc.bytes.byteLength} B)`,
    );
  } finally {
    uninstallTracking();
    rmSync(dir, { recursive: true, force: true });
  }
  await cachedHitBench();
}

if (import.meta.main) await run();
