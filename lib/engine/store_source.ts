/**
 * Adapts a {@link Store} to what the engine's pieces need: memoized digests for
 * fingerprints and restores, verified blob reads for replays.
 *
 * @module
 */
import { CasherError } from "../errors/casher_error.ts";
import { type BytePath, displayPath } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import type { Digester } from "./fingerprint.ts";
import type { ReplaySource } from "./replay_hit.ts";

/** A store seen through the engine's narrow interfaces. */
export interface StoreSource extends ReplaySource {
  readonly digest: Digester;
}

/**
 * Wraps `store`. `beforeBlobRead` runs before every blob is read (a replay pins its entry
 * there, so a replay that reads no blob writes no lease); it may throw to stop the read.
 *
 * @example
 * ```ts ignore
 * const source = storeSource(store);
 * const d = await source.digest("/etc/hostname", "file");
 * ```
 */
export function storeSource(
  store: Store,
  options: { readonly beforeBlobRead?: () => void } = {},
): StoreSource {
  const before = options.beforeBlobRead ?? (() => {});
  const digest: Digester = async (path: BytePath, kind) => {
    const state = await store.digestPath(path, kind);
    if (state.kind === "ok") return state.input.digest;
    throw new CasherError(
      "internal",
      `cannot digest ${displayPath(path)}: ${
        state.kind === "unreadable" ? state.reason : state.kind
      }`,
    );
  };
  return {
    digest,
    readBytes: (d) => {
      before();
      return store.blobs.readBytes(d);
    },
    restoreTo: (d, dest, opts) => {
      before();
      return store.blobs.restoreTo(d, dest, opts);
    },
    trustedFingerprint: (path) => store.trustedFingerprint(path),
    memoDigest: (path, fp) => store.memoDigest(path, fp),
    rememberDigest: (path, row) => store.rememberDigest(path, row),
    digestFile: async (path) => {
      const state = await store.digestPath(path, "file");
      return state.kind === "ok" ? state.input.digest : "";
    },
  };
}
