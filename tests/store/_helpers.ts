// Shared helpers for the index tests (not a test file itself).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestDirectory, digestFile } from "../../lib/hash/digest.ts";
import type { Hasher } from "../../lib/store/hasher.ts";
import { openStore, type Store, type StoreOptions } from "../../lib/store/store.ts";
import type { EntryDraft, RecordedInput } from "../../lib/store/types.ts";

/** Runs `fn` with a fresh temp dir, removed afterwards. */
export async function withTempDir(fn: (dir: string) => unknown): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-store-test-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens a store in `<dir>/cache` and closes it after `fn`. */
export async function withStore(
  fn: (store: Store, dir: string) => unknown,
  opts: Partial<StoreOptions> = {},
): Promise<void> {
  await withTempDir(async (dir) => {
    const store = openStore(join(dir, "cache"), {
      maxCacheBytes: 1 << 30,
      maxCandidates: 8,
      ...opts,
    });
    try {
      await fn(store, dir);
    } finally {
      store.close();
    }
  });
}

/** A hasher that counts how often it really hashed. */
export function countingHasher(): Hasher & { files: number; dirs: number } {
  const h = {
    files: 0,
    dirs: 0,
    digestFile(p: string) {
      h.files++;
      return digestFile(p);
    },
    digestDirectory(p: string) {
      h.dirs++;
      return digestDirectory(p);
    },
  };
  return h;
}

/** A draft for `key` whose stdout blob holds `text`; the blob is stored first. */
export async function draftWithBlob(
  store: Store,
  key: string,
  opts: { text: string; inputs?: RecordedInput[]; label?: string; expiresAt?: number | null },
): Promise<EntryDraft> {
  const blob = await store.blobs.putBytes(new TextEncoder().encode(opts.text));
  return {
    key,
    keyMaterial: `material of ${key}`,
    label: opts.label ?? `label ${key}`,
    inputs: opts.inputs ?? [],
    outputs: [],
    deletions: [],
    streamBlob: blob.digest,
    result: { kind: "exit", code: 0 },
    durationMs: 100,
    expiresAt: opts.expiresAt ?? null,
  };
}

/** A key-shaped hex string. */
export function keyOf(n: number): string {
  return n.toString(16).padStart(32, "0");
}
