/**
 * The data model of the cache index: what a stored entry records.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** How an implicit input is validated on lookup. */
export type InputKind = "file" | "listing" | "absent" | "exec" | "meta";

/**
 * An input recorded when an entry was made. A candidate hits only when every
 * recorded input still matches.
 * - `file`/`exec`: `digest` is the xxh3-128 hex digest of the content.
 * - `listing`: `digest` is the digest of the directory's sorted entries (names and types).
 * - `absent`: the path must still not exist, for the same reason: `digest` is `""` when the
 *   probe got ENOENT, `"ENOTDIR"` when a component on the way was not a directory.
 * - `meta`: what a probe that read no content saw, as a self-describing string
 *   (`s:<type>:<mode>`, `l:<type>:<mode>`, `r:<hex target>`; see `meta_digest.ts`).
 *
 * A `file`, `exec` or `listing` input may carry `stat`, the stat fingerprint fields of the
 * object its digest was taken from (see `fingerprint.ts`), recorded only when that object
 * had not changed for 2 s (`RACY_MS`) before the run: while the path still has them, its
 * content is the recorded one, so a hit checks it with one `stat`.
 */
export interface RecordedInput {
  readonly path: BytePath;
  readonly kind: InputKind;
  readonly digest: string;
  readonly stat?: InputStat;
}

/**
 * The fields of a stat fingerprint, as numbers (compared without building a string):
 * device, inode, size, mtime in whole ms, ctime in whole seconds.
 */
export type InputStat = readonly [
  dev: number,
  ino: number,
  size: number,
  mtimeMs: number,
  ctimeS: number,
];

/** A side effect on the file system that a hit restores. */
export type RecordedOutput =
  | {
    readonly kind: "file";
    readonly path: BytePath;
    readonly blob: string;
    readonly mode: number;
    readonly size: number;
  }
  | { readonly kind: "symlink"; readonly path: BytePath; readonly target: BytePath }
  | { readonly kind: "dir"; readonly path: BytePath; readonly mode: number };

/** How the cached work ended. */
export type RecordedResult =
  | {
    readonly kind: "exit";
    readonly code: number;
    /**
     * How many bytes the command moved the shared offset of a regular file on its stdin
     * (absent: none); a hit moves it as far again, so what reads stdin next sees the same.
     */
    readonly stdinAdvance?: number;
  }
  | { readonly kind: "value"; readonly blob: string };

/** Everything needed to store a new candidate entry (blobs must already be stored). */
export interface EntryDraft {
  /** Hex digest of the canonical key material. */
  readonly key: string;
  /** The canonical key material itself; a lookup compares it so a hash collision is a miss. */
  readonly keyMaterial: string;
  /** Human label for `ls`/`stats` (e.g. the command line). */
  readonly label: string;
  readonly inputs: readonly RecordedInput[];
  readonly outputs: readonly RecordedOutput[];
  readonly deletions: readonly BytePath[];
  /** Blob holding the encoded chunk log of stdout/stderr, or `null` when nothing was printed. */
  readonly streamBlob: string | null;
  readonly result: RecordedResult;
  /** How long the work took, in ms (for "time saved"). */
  readonly durationMs: number;
  /** Absolute expiry time in ms since the epoch, or `null` for none. */
  readonly expiresAt: number | null;
}

/** A stored entry as read back from the index. */
export interface Entry extends EntryDraft {
  readonly id: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly hits: number;
  /** Total bytes of the blobs this entry references (as stored). */
  readonly sizeBytes: number;
}

/** Why a recorded input no longer matches. */
export type InputMismatch =
  | { readonly kind: "changed"; readonly input: RecordedInput }
  | { readonly kind: "missing"; readonly input: RecordedInput }
  | { readonly kind: "appeared"; readonly input: RecordedInput }
  | { readonly kind: "unreadable"; readonly input: RecordedInput; readonly reason: string };
