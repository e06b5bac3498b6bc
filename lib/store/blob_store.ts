/**
 * Content-addressed blobs: `blobs/<d0d1>/<digest>`, named by the XXH3-128 digest of the
 * uncompressed content, deduplicated, and verified (size and digest) on every read.
 *
 * Blob file format (see `_blob_format.ts`): a 16-byte header (magic `"CSHB"`, payload kind
 * raw|lz4, uncompressed size as u64 LE) followed by the payload: either the raw bytes or
 * one LZ4 frame (independent 4 MiB blocks, content checksum; `tail -c +17 blob | lz4 -d`
 * decodes it). Compression is decided per blob for in-memory content and small files
 * (kept only when the frame is at most 90% of the raw size) and per 4 MiB block when
 * streaming a larger file (a block is stored uncompressed inside the frame unless
 * compressing it saves 10%).
 *
 * Writes go to a uniquely named 0600 temp file in `tmp/`, are fsynced, then renamed into
 * place; an existing blob with the same digest wins (the temp is dropped). A blob that
 * fails verification is deleted and reported as `blob-corrupt`: never returned.
 *
 * @module
 */
import { type BlobHold, BlobHolds } from "./_blob_holds.ts";
export type { BlobHold } from "./_blob_holds.ts";
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { CasherError } from "../errors/casher_error.ts";
import { assertReachablePath } from "../hash/path_guard.ts";
import { type BytePath, fsPath } from "../path/byte_path.ts";
import { errnoCode, readFull, tempPath, writeAll } from "./_blob_io.ts";
import { type BlobSink, pumpBlob } from "./_blob_read.ts";
import type { Layout } from "./layout.ts";

/** Blobs up to this size stay in memory once verified (see `readBytes`). */
const RECENT_ITEM_MAX = 256 << 10;
/** Memory kept for verified small blobs, per store. */
const RECENT_TOTAL_MAX = 8 << 20;

/** What a stored blob holds and occupies. */
export interface BlobInfo {
  /** XXH3-128 of the uncompressed content (the blob's name). */
  readonly digest: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Size of the blob file on disk (header included). */
  readonly storedSize: number;
}

const DIGEST_RE = /^[0-9a-f]{32}$/;
const NO_SINK: BlobSink = { size() {}, piece() {} };
const NO_READER = { fd: -1, close: () => {} };

/**
 * The blob store of one cache layout.
 *
 * @example
 * ```ts
 * import { ensureLayout } from "./layout.ts";
 * import { BlobStore } from "./blob_store.ts";
 * const blobs = new BlobStore(ensureLayout("/tmp/casher-example"));
 * const info = await blobs.putBytes(new TextEncoder().encode("hello"));
 * const back = await blobs.readBytes(info.digest); // "hello"
 * ```
 */
export class BlobStore {
  /** Small blobs verified by this process, most recently used last. */
  readonly #recent = new Map<string, Uint8Array>();
  #recentBytes = 0;
  readonly #layout: Layout;
  /** Blobs held by {@link BlobStore.holdOpen}. */
  readonly #holds = new BlobHolds();

  /** A store over `layout` (create it with `ensureLayout`). */
  constructor(layout: Layout) {
    this.#layout = layout;
  }

  /** Absolute path of the blob file for `digest` (it may not exist). */
  pathOf(digest: string): string {
    if (!DIGEST_RE.test(digest)) {
      throw new RangeError(
        `Not a blob digest: ${JSON.stringify(digest)} (want 32 lowercase hex chars)`,
      );
    }
    return join(this.#layout.blobsDir, digest.slice(0, 2), digest);
  }

  /**
   * Streams a file in: hash + compress block by block to a temp file, fsync, rename into
   * place (or drop the temp when the blob already exists). Throws the `node:fs` error
   * when `path` cannot be read, `path-unsupported` for a non-UTF-8 path under Deno.
   */
  async putFile(path: BytePath): Promise<BlobInfo> {
    assertReachablePath(path, "store");
    const { CHUNK, writeStreamedBlob } = await writer();
    const src = openSync(fsPath(path), "r");
    try {
      const first = new Uint8Array(Math.min(CHUNK, fstatSync(src).size + 1));
      const n = readFull(src, first);
      if (n < first.length) return await this.putBytes(first.subarray(0, n));
      return await this.#withTemp((fd) => writeStreamedBlob(src, first, { fd }));
    } finally {
      closeSync(src);
    }
  }

  /** Stores in-memory content (compressed when that saves at least 10%). */
  async putBytes(bytes: Uint8Array): Promise<BlobInfo> {
    const { digestBytes, writeWholeBlob } = await writer();
    const digest = await digestBytes(bytes);
    const existing = this.storedSize(digest);
    if (existing !== null) return { digest, size: bytes.length, storedSize: existing };
    return await this.#withTemp(async (fd) => ({
      digest,
      size: bytes.length,
      storedSize: await writeWholeBlob(fd, bytes, { digest }),
    }));
  }

  /**
   * Reads a whole blob (for small blobs: stream logs, values), verifying size and digest.
   * Absent: `blob-missing`; damaged: the blob is deleted and `blob-corrupt` thrown.
   */
  async readBytes(digest: string): Promise<Uint8Array> {
    const known = this.#recent.get(digest);
    if (known !== undefined) {
      // Blobs are immutable and this one was verified when it was read: a busy process
      // replaying one entry again and again need not re-read and re-verify it each time.
      this.#recent.delete(digest);
      this.#recent.set(digest, known);
      return known.slice();
    }
    const held = this.#holds.bytes(digest);
    if (held !== undefined) return held.slice();
    const { fd, close } = this.#reader(digest);
    let out = new Uint8Array(0);
    let at = 0;
    try {
      await pumpBlob(fd, digest, {
        sink: {
          size: (size) => void (out = new Uint8Array(size)),
          piece: (p) => {
            out.set(p, at);
            at += p.length;
          },
        },
      });
      this.#remember(digest, out);
      return out;
    } catch (e) {
      this.#dropIfCorrupt(digest, e);
      throw e;
    } finally {
      close();
    }
  }

  /**
   * Streams a blob into a NEW file `dest` (O_CREAT|O_EXCL|O_WRONLY|O_NOFOLLOW, then
   * fchmod to exactly `mode`), verifying the digest while writing. On damage `dest` is
   * unlinked, the blob deleted and `blob-corrupt` thrown; on any other failure `dest` is
   * unlinked and the error rethrown (`node:fs` errors about `dest`, e.g. EEXIST, as is).
   */
  async restoreTo(digest: string, dest: BytePath, opts: { mode: number }): Promise<void> {
    assertReachablePath(dest, "restore");
    const held = this.#holds.bytes(digest);
    const { fd, close } = held !== undefined ? NO_READER : this.#reader(digest);
    let out: number | null = null;
    try {
      const flags = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY |
        constants.O_NOFOLLOW;
      const target = out = openSync(fsPath(dest), flags, opts.mode & 0o7777);
      fchmodSync(target, opts.mode & 0o7777);
      // Bytes this process verified when it read them need no second read.
      if (held !== undefined) writeAll(target, held);
      else await pumpBlob(fd, digest, { sink: { size() {}, piece: (p) => writeAll(target, p) } });
      closeSync(target);
    } catch (e) {
      if (out !== null) {
        closeSync(out);
        unlinkSync(fsPath(dest));
      }
      this.#dropIfCorrupt(digest, e);
      throw e;
    } finally {
      close();
    }
  }

  /**
   * Opens the blobs of `digests` now and keeps them open until `release()`. Reads of them
   * meanwhile use these descriptors, so nothing that deletes blob files (eviction, `rm`,
   * `clear`; all unlink) can take them away from a replay: an open file outlives its name.
   * A blob this process has already read and verified is held as those bytes instead, with
   * no descriptor (an in-process `cached()` hit then opens nothing).
   * This is how a hit protects what it replays without writing a lease to the index.
   * Throws `blob-missing`, with nothing left open, when one of them is already gone.
   *
   * @example
   * ```ts ignore
   * const hold = blobs.holdOpen([streamDigest, outputDigest]);
   * try {
   *   await blobs.readBytes(streamDigest); // served by the held descriptor
   * } finally {
   *   hold.release();
   * }
   * ```
   */
  holdOpen(digests: Iterable<string>): BlobHold {
    return this.#holds.hold(digests, {
      known: (d) => this.#recent.get(d),
      open: (d) => this.#openBlob(d),
    });
  }

  /** Whether a blob file for `digest` exists (not verified). */
  has(digest: string): boolean {
    return this.storedSize(digest) !== null;
  }

  /** Size of the blob file on disk, or `null` when absent. */
  storedSize(digest: string): number | null {
    try {
      return statSync(this.pathOf(digest)).size;
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return null;
      throw e;
    }
  }

  #remember(digest: string, bytes: Uint8Array): void {
    if (bytes.length > RECENT_ITEM_MAX) return;
    this.#recent.set(digest, bytes.slice());
    this.#recentBytes += bytes.length;
    for (const [d, b] of this.#recent) {
      if (this.#recentBytes <= RECENT_TOTAL_MAX) break;
      this.#recent.delete(d);
      this.#recentBytes -= b.length;
    }
  }

  /** Deletes a blob; absent is fine. */
  remove(digest: string): void {
    try {
      unlinkSync(this.pathOf(digest));
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw e;
    }
  }

  /** Full check (decompress + digest) without keeping bytes or deleting anything. */
  async verify(digest: string): Promise<"ok" | "corrupt" | "missing"> {
    let fd: number;
    try {
      fd = this.#openBlob(digest);
    } catch (e) {
      if (e instanceof CasherError && e.code === "blob-missing") return "missing";
      throw e;
    }
    try {
      await pumpBlob(fd, digest, { sink: NO_SINK });
      return "ok";
    } catch (e) {
      if (e instanceof CasherError && e.code === "blob-corrupt") return "corrupt";
      throw e;
    } finally {
      closeSync(fd);
    }
  }

  /** Every digest with a blob file on disk (unordered). */
  list(): string[] {
    const out: string[] = [];
    for (const dir of readdirSync(this.#layout.blobsDir)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      let names: string[];
      try {
        names = readdirSync(join(this.#layout.blobsDir, dir));
      } catch (e) {
        if (errnoCode(e) === "ENOTDIR" || errnoCode(e) === "ENOENT") continue;
        throw e;
      }
      for (const name of names) if (DIGEST_RE.test(name) && name.startsWith(dir)) out.push(name);
    }
    return out;
  }

  /** A descriptor to read `digest` from: a held one (left open), or a fresh one. */
  #reader(digest: string): { fd: number; close: () => void } {
    const held = this.#holds.fd(digest);
    if (held !== undefined) return { fd: held, close: () => {} };
    const fd = this.#openBlob(digest);
    return { fd, close: () => closeSync(fd) };
  }

  #openBlob(digest: string): number {
    const path = this.pathOf(digest);
    try {
      return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") {
        throw new CasherError(
          "blob-missing",
          `Blob ${digest} is missing from ${this.#layout.blobsDir}: the entry cannot be ` +
            `replayed and is treated as a miss (run \`casher gc\` to drop dangling entries)`,
        );
      }
      throw new CasherError(
        "cache-unavailable",
        `Cannot open blob ${path}: ${(e as Error).message}; fix the cache directory's permissions`,
        { cause: e },
      );
    }
  }

  #dropIfCorrupt(digest: string, e: unknown): void {
    if (e instanceof CasherError && e.code === "blob-corrupt") this.remove(digest);
  }

  /** Runs `write` on a fresh 0600 temp file, then moves it into place (or drops it: dedup). */
  async #withTemp(write: (fd: number) => Promise<BlobInfo>): Promise<BlobInfo> {
    const tmp = tempPath(this.#layout.tmpDir);
    const fd = openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    let info: BlobInfo;
    try {
      info = await write(fd);
    } catch (e) {
      closeSync(fd);
      unlinkSync(tmp);
      throw e;
    }
    closeSync(fd);
    try {
      const existing = this.storedSize(info.digest);
      if (existing !== null) {
        unlinkSync(tmp);
        return { ...info, storedSize: existing };
      }
      const fan = join(this.#layout.blobsDir, info.digest.slice(0, 2));
      mkdirSync(fan, { recursive: true, mode: 0o700 });
      renameSync(tmp, this.pathOf(info.digest));
      return info;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch { /* renamed or gone */ }
      throw e;
    }
  }
}

/**
 * The write half (hashing, LZ4 compression), imported on the first store: a hit only reads
 * blobs, and most of what it reads is sealed and raw.
 */
async function writer() {
  const [write, digest] = await Promise.all([
    import("./_blob_write.ts"),
    import("../hash/digest.ts"),
  ]);
  return { ...write, digestBytes: digest.digestBytes };
}
