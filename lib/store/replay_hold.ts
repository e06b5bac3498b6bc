/**
 * How a replay protects the blobs of its entry from eviction without writing to the index:
 * it holds them open (see `BlobStore.holdOpen`), unless there are too many to hold.
 *
 * @module
 */
import { isCasherError } from "../errors/casher_error.ts";
import { referencedBlobs } from "./_entry_codec.ts";
import type { BlobStore } from "./blob_store.ts";
import type { Entry } from "./types.ts";

/** Blobs a replay holds open at most; an entry with more is pinned with a lease instead. */
const HOLD_OPEN_MAX = 64;

/**
 * What {@link holdEntryBlobs} did.
 *
 * @example
 * ```ts ignore
 * const held = store.holdBlobs(entry);
 * if (held.kind === "held") held.release();
 * ```
 */
export type HeldBlobs =
  | { readonly kind: "held"; release(): void }
  | { readonly kind: "gone" }
  | { readonly kind: "too-many" };

/**
 * Holds open every blob `entry` references. `gone` when a blob is missing because the
 * entry was removed meanwhile (`exists` says it is; a damaged entry, whose row is still
 * there, throws `blob-missing`); `too-many` when it references more blobs than are worth
 * holding open at once, or the process is out of descriptors: pin it with a lease instead.
 *
 * @example
 * ```ts ignore
 * const held = holdEntryBlobs(entry, { blobs, exists: (e) => entries.exists(e) });
 * ```
 */
export function holdEntryBlobs(
  entry: Entry,
  opts: { readonly blobs: BlobStore; readonly exists: (entry: Entry) => boolean },
): HeldBlobs {
  const digests = [...referencedBlobs(entry).keys()];
  if (digests.length > HOLD_OPEN_MAX) return { kind: "too-many" };
  try {
    return { kind: "held", release: opts.blobs.holdOpen(digests).release };
  } catch (e) {
    // Out of descriptors (many replays at once in one process): a lease holds nothing open.
    if (isCasherError(e, "cache-unavailable") && outOfDescriptors(e.cause)) {
      return { kind: "too-many" };
    }
    if (!isCasherError(e, "blob-missing") || opts.exists(entry)) throw e;
    return { kind: "gone" };
  }
}

function outOfDescriptors(cause: unknown): boolean {
  const code = (cause as { code?: string } | undefined)?.code;
  return code === "EMFILE" || code === "ENFILE";
}
