/**
 * Pull-style byte sources for the streaming LZ4 frame decoder.
 *
 * @module
 */
import { readSync } from "node:fs";

/** A source of bytes read in order. */
export interface ByteReader {
  /**
   * Returns the next `n` bytes, or fewer only at the end of input. The returned view is
   * valid until the next call.
   */
  read(n: number): Uint8Array;
}

/**
 * Reads from an in-memory buffer without copying.
 *
 * @example
 * ```ts
 * import { bytesReader } from "./_byte_reader.ts";
 * const r = bytesReader(new Uint8Array([1, 2, 3]));
 * r.read(2); // [1, 2]
 * r.read(5); // [3]
 * ```
 */
export function bytesReader(bytes: Uint8Array): ByteReader {
  let at = 0;
  return {
    read(n) {
      const out = bytes.subarray(at, Math.min(bytes.length, at + n));
      at += out.length;
      return out;
    },
  };
}

/**
 * Reads from an open file descriptor starting at byte `position`, reusing one buffer.
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { fdReader } from "./_byte_reader.ts";
 * const r = fdReader(openSync("/etc/hostname", "r"), 0);
 * r.read(4);
 * ```
 */
export function fdReader(fd: number, position: number): ByteReader {
  let buf = new Uint8Array(64 << 10);
  let pos = position;
  return {
    read(n) {
      if (n > buf.length) buf = new Uint8Array(Math.max(n, buf.length * 2));
      let got = 0;
      while (got < n) {
        const k = readSync(fd, buf, got, n - got, pos);
        if (k === 0) break;
        got += k;
        pos += k;
      }
      return buf.subarray(0, got);
    },
  };
}
