// Child process for crash_test.ts: stores entries with blobs in a loop until killed.
// Usage: deno run -A _crash_child.ts <cacheDir> <seed>
import { randomBytes } from "node:crypto";
import process from "node:process";
import { openStore } from "../../lib/store/store.ts";

const [cacheDir, seedText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0;
const rand = (n: number) => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed % n;
};
// A small budget so eviction and blob sweeps run constantly; few keys so caps and
// replacements happen; a few shared texts so blobs are deduplicated across entries.
const store = openStore(cacheDir, { maxCacheBytes: 200_000, maxCandidates: 3 });
console.log("ready");
for (let i = 0;; i++) {
  const shared = rand(2) === 0;
  const bytes = shared
    ? new TextEncoder().encode(`shared output ${rand(5)}\n`.repeat(200))
    : new Uint8Array(randomBytes(1000 + rand(20_000)));
  const stream = await store.blobs.putBytes(bytes);
  const value = await store.blobs.putBytes(new TextEncoder().encode(`value ${rand(50)}`));
  const key = rand(40).toString(16).padStart(32, "0");
  store.putEntry({
    key,
    keyMaterial: `material ${key}`,
    label: `crash ${i}`,
    inputs: [{ path: `/input/${rand(4)}`, kind: "file", digest: `${rand(3)}`.padStart(32, "0") }],
    outputs: [],
    deletions: [],
    streamBlob: stream.digest,
    result: { kind: "value", blob: value.digest },
    durationMs: 1,
    expiresAt: rand(10) === 0 ? Date.now() - 1 : null,
  });
  if (rand(25) === 0) store.removeEntries({ key });
}
