/**
 * Splits a byte stream of trace output into lines as latin1 strings (one char per
 * byte), keeping the partial tail between chunks. Memory is bounded by the chunk
 * size plus one line.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/**
 * Stateful line splitter.
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./line_splitter.ts";
 * const s = new LineSplitter();
 * const lines: string[] = [];
 * s.push(new TextEncoder().encode("1 a\n2 "), (l) => lines.push(l));
 * s.push(new TextEncoder().encode("b\n"), (l) => lines.push(l)); // lines = ["1 a", "2 b"]
 * ```
 */
export class LineSplitter {
  #tail = "";

  /** Feeds a chunk, calling `onLine` for every complete line. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    const text = this.#tail +
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      onLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.#tail = start === 0 ? text : text.slice(start);
  }

  /** The incomplete last line at end of stream (`""` when the stream ended cleanly). */
  end(): string {
    const t = this.#tail;
    this.#tail = "";
    return t;
  }
}
