/**
 * Benchmark: BlobStore.putFile + restoreTo of a 256 MiB mixed file (half random, half
 * repetitive text) vs the `lz4` CLI compressing and decompressing the same file, best of 3,
 * side by side. Goal: >= 0.7x. Installs `lz4` with apt-get when missing.
 *
 * @module
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobStore } from "../../lib/store/blob_store.ts";
import { ensureLayout } from "../../lib/store/layout.ts";
import { bestMs, hasProgram, sh, writeMixedFile } from "./_bench_util.ts";

const SIZE = 256 << 20;

/** Prints `bench blobs ...` lines. */
export async function run(): Promise<void> {
  if (!hasProgram("lz4")) sh("apt-get install -y lz4");
  const dir = mkdtempSync(join(tmpdir(), "casher-bench-blobs-"));
  try {
    const file = join(dir, "mixed");
    writeMixedFile(file, SIZE, 0.5);
    sh(`cat '${file}' > /dev/null`);
    const cliC = await bestMs(3, () => sh(`lz4 -q -f '${file}' '${dir}/c.lz4'`));
    const cliD = await bestMs(3, () => sh(`lz4 -d -q -f '${dir}/c.lz4' '${dir}/c.out'`));
    const cliSize = statSync(join(dir, "c.lz4")).size;
    rmSync(join(dir, "c.out"));

    let digest = "";
    let stored = 0;
    let n = 0;
    const store = new BlobStore(ensureLayout(join(dir, "cache")));
    await store.putFile(file); // warm up codec and hashers
    const putMs = await bestMs(3, async () => {
      store.remove(digest || (await store.putFile(file)).digest);
      const info = await store.putFile(file);
      [digest, stored] = [info.digest, info.storedSize];
    });
    const restoreMs = await bestMs(3, async () => {
      const out = join(dir, `r${n++}`);
      await store.restoreTo(digest, out, { mode: 0o644 });
      rmSync(out);
    });
    const mibs = (ms: number) => (SIZE / (1 << 20) / (ms / 1000)).toFixed(0);
    console.log(
      `bench blobs store+restore 256 MiB mixed: ${
        ((cliC + cliD) / (putMs + restoreMs)).toFixed(2)
      }x ` +
        `vs lz4 CLI compress+decompress (ours ${(putMs + restoreMs).toFixed(0)} ms, ` +
        `lz4 ${(cliC + cliD).toFixed(0)} ms; goal >= 0.7x)`,
    );
    console.log(
      `bench blobs store: ${(cliC / putMs).toFixed(2)}x vs lz4 compress ` +
        `(putFile ${mibs(putMs)} MiB/s incl. hash+fsync, lz4 ${mibs(cliC)} MiB/s; ` +
        `stored ${(stored / (1 << 20)).toFixed(1)} MiB vs lz4 ${
          (cliSize / (1 << 20)).toFixed(1)
        } MiB)`,
    );
    console.log(
      `bench blobs restore: ${(cliD / restoreMs).toFixed(2)}x vs lz4 -d ` +
        `(restoreTo ${mibs(restoreMs)} MiB/s incl. verify, lz4 -d ${mibs(cliD)} MiB/s)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
