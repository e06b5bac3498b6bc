// Child process for concurrency_test.ts: mixed stores and lookups on a shared cache dir.
// Usage: deno run -A _concurrency_child.ts <cacheDir> <childIndex> <ops>
// Prints "stored <key>" for every entry with a unique key, then "done"; any error -> exit 1.
import process from "node:process";
import { openStore } from "../../lib/store/store.ts";

const [cacheDir, indexText, opsText] = process.argv.slice(2);
const index = Number(indexText);
const enc = new TextEncoder();
const hex = (n: number) => n.toString(16).padStart(32, "0");
const store = openStore(cacheDir, { maxCacheBytes: 1 << 30, maxCandidates: 4 });
const lines: string[] = [];
let pinnedReads = 0;
try {
  for (let op = 0; op < Number(opsText); op++) {
    const shared = hex((op >> 2) % 8); // keys every child races on
    switch (op % 4) {
      case 0: { // unique key: must be readable afterwards
        const key = hex(0x100000 + index * 100_000 + op);
        const blob = await store.blobs.putBytes(enc.encode(`child ${index} op ${op}\n`));
        store.putEntry(draft(key, blob.digest, `/u/${op}`));
        lines.push(`stored ${key}`);
        break;
      }
      case 1: { // shared key: replacements and the per-key cap race with readers
        const blob = await store.blobs.putBytes(enc.encode(`shared ${op % 7}\n`.repeat(50)));
        store.putEntry(draft(shared, blob.digest, `/s/${index}/${op % 6}`));
        break;
      }
      default: { // lookup, pin, read the blob, count the hit
        for (const entry of store.candidates(shared)) {
          if (await store.validate(entry.inputs) !== null) continue;
          const pin = store.pin(entry.id);
          if (pin.kind === "gone") continue;
          try {
            await store.blobs.readBytes(entry.streamBlob!);
            pinnedReads++;
          } finally {
            pin.release();
          }
          store.recordHit(entry.id, { savedMs: 1 });
          break;
        }
        store.recordMiss();
      }
    }
  }
} catch (e) {
  console.error(`child ${index}: ${(e as Error).stack ?? e}`);
  process.exit(1);
} finally {
  store.close();
}
console.log(lines.join("\n"));
console.log(`done ${pinnedReads}`);

function draft(key: string, blob: string, inputPath: string) {
  return {
    key,
    keyMaterial: `material ${key}`,
    label: `child ${index}`,
    inputs: [{ path: inputPath, kind: "absent" as const, digest: "" }],
    outputs: [],
    deletions: [],
    streamBlob: blob,
    result: { kind: "exit" as const, code: 0 },
    durationMs: 1,
    expiresAt: null,
  };
}
