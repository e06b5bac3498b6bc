/**
 * The blobs a process holds for its replays (see `BlobStore.holdOpen`): each an open
 * descriptor, or verified bytes already in memory, shared by every hold of that digest and
 * let go with the last.
 *
 * @module
 */
import { closeSync } from "node:fs";

type Held =
  | { readonly kind: "fd"; readonly fd: number; holds: number }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array; holds: number };

/**
 * Blobs held by {@link BlobHolds.hold}; `release()` lets them go (idempotent).
 *
 * @example
 * ```ts ignore
 * const hold: BlobHold = blobs.holdOpen([digest]);
 * hold.release();
 * ```
 */
export interface BlobHold {
  release(): void;
}

/**
 * Reference-counted holds on blobs.
 *
 * @example
 * ```ts ignore
 * const holds = new BlobHolds();
 * const hold = holds.hold(digests, { known: (d) => recent.get(d), open: (d) => openBlob(d) });
 * holds.fd(digests[0]); // the held descriptor, or undefined
 * hold.release();
 * ```
 */
export class BlobHolds {
  readonly #held = new Map<string, Held>();

  /**
   * Holds each of `digests`: as the bytes `known` returns (verified, in memory: no
   * descriptor), else as the descriptor `open` returns. If `open` throws, nothing taken
   * here stays held.
   */
  hold(
    digests: Iterable<string>,
    source: {
      readonly known: (digest: string) => Uint8Array | undefined;
      readonly open: (digest: string) => number;
    },
  ): BlobHold {
    const taken: string[] = [];
    try {
      for (const digest of new Set(digests)) {
        const held = this.#held.get(digest);
        const known = source.known(digest);
        if (held !== undefined) held.holds++;
        else if (known !== undefined) {
          this.#held.set(digest, { kind: "bytes", bytes: known, holds: 1 });
        } else this.#held.set(digest, { kind: "fd", fd: source.open(digest), holds: 1 });
        taken.push(digest);
      }
    } catch (e) {
      this.#letGo(taken);
      throw e;
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#letGo(taken);
      },
    };
  }

  /** The held descriptor of `digest`, if it is held as one. */
  fd(digest: string): number | undefined {
    const held = this.#held.get(digest);
    return held?.kind === "fd" ? held.fd : undefined;
  }

  /** The held bytes of `digest`, if it is held as bytes. */
  bytes(digest: string): Uint8Array | undefined {
    const held = this.#held.get(digest);
    return held?.kind === "bytes" ? held.bytes : undefined;
  }

  #letGo(digests: readonly string[]): void {
    for (const digest of digests) {
      const held = this.#held.get(digest);
      if (held === undefined || --held.holds > 0) continue;
      this.#held.delete(digest);
      if (held.kind === "fd") closeSync(held.fd);
    }
  }
}
