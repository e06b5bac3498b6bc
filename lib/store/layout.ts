/**
 * The on-disk layout of a cache directory:
 *
 * ```
 * <cacheDir>/CACHEDIR.TAG
 * <cacheDir>/v1/index.sqlite   the index (WAL mode)
 * <cacheDir>/v1/blobs/ab/...   content-addressed blobs, fanned out by digest prefix
 * <cacheDir>/v1/tmp/           temp files, renamed into place when complete
 * <cacheDir>/v1/locks/         single-flight lock files
 * <cacheDir>/v1/hits.log       hit counts not yet folded into the index (hit_log.ts)
 * ```
 *
 * @module
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CasherError } from "../errors/casher_error.ts";

/** Version folder name; a format change bumps it instead of migrating in place. */
export const LAYOUT_VERSION = "v1";

/** Absolute paths of every part of a cache directory. */
export interface Layout {
  readonly root: string;
  readonly dir: string;
  readonly dbPath: string;
  readonly blobsDir: string;
  readonly tmpDir: string;
  readonly locksDir: string;
  readonly hitLogPath: string;
}

const TAG = "Signature: 8a477f597d28d172789f06886806bc55\n" +
  "# This file is a cache directory tag created by casher.\n" +
  "# For information about cache directory tags, see https://bford.info/cachedir/\n";

/**
 * Computes the layout of `cacheDir` without touching the disk.
 *
 * @example
 * ```ts
 * import { layoutFor } from "./layout.ts";
 * layoutFor("/tmp/c").blobsDir; // "/tmp/c/v1/blobs"
 * ```
 */
export function layoutFor(cacheDir: string): Layout {
  const root = resolve(cacheDir);
  const dir = join(root, LAYOUT_VERSION);
  return {
    root,
    dir,
    dbPath: join(dir, "index.sqlite"),
    blobsDir: join(dir, "blobs"),
    tmpDir: join(dir, "tmp"),
    locksDir: join(dir, "locks"),
    hitLogPath: join(dir, "hits.log"),
  };
}

/**
 * Creates the layout (directories 0700, `CACHEDIR.TAG` 0600) if missing.
 * Throws `cache-unavailable` when the directory cannot be created or written.
 *
 * @example
 * ```ts
 * import { ensureLayout } from "./layout.ts";
 * const layout = ensureLayout("/tmp/casher-example");
 * ```
 */
export function ensureLayout(cacheDir: string): Layout {
  const layout = layoutFor(cacheDir);
  try {
    for (const d of [layout.root, layout.dir, layout.blobsDir, layout.tmpDir, layout.locksDir]) {
      const st = statSync(d, { throwIfNoEntry: false });
      if (st === undefined) mkdirSync(d, { recursive: true, mode: 0o700 });
      else if (!st.isDirectory()) throw new Error(`${d} exists and is not a directory`);
    }
    const tag = join(layout.root, "CACHEDIR.TAG");
    if (!existsSync(tag)) {
      writeFileSync(tag, TAG, { mode: 0o600 });
      chmodSync(tag, 0o600);
    }
  } catch (cause) {
    throw new CasherError(
      "cache-unavailable",
      `Cannot use cache directory ${layout.root}: ${(cause as Error).message}; ` +
        `caching is disabled for this run: fix its permissions or choose another with ` +
        `--cache-dir / CASHER_CACHE_DIR`,
      { cause },
    );
  }
  return layout;
}
