/**
 * Benchmark: streaming XXH3-128 of a 1 GiB file vs `cat file > /dev/null` (both from the
 * page cache, best of 3, measured side by side). Goal: >= 0.35x.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestFile } from "../../lib/hash/digest.ts";
import { bestMs, sh, writeMixedFile } from "./_bench_util.ts";

const SIZE = 1 << 30;

/** Prints `bench digest ...` lines. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-bench-digest-"));
  try {
    const file = join(dir, "big");
    writeMixedFile(file, SIZE, 0.5);
    sh(`cat '${file}' > /dev/null`); // warm the page cache
    await digestFile(file); // load the wasm hasher
    const catMs = await bestMs(3, () => sh(`cat '${file}' > /dev/null`));
    const digestMs = await bestMs(3, () => digestFile(file));
    const gibs = (ms: number) => (SIZE / (1 << 30) / (ms / 1000)).toFixed(2);
    console.log(
      `bench digest 1 GiB file: ${(catMs / digestMs).toFixed(2)}x vs cat > /dev/null ` +
        `(digestFile ${gibs(digestMs)} GiB/s, cat ${gibs(catMs)} GiB/s; goal >= 0.35x)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
