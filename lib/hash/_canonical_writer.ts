/**
 * A growable byte buffer for the canonical encoder, plus the encoding's type tags.
 *
 * @module
 */

/** One byte per encoded type; part of the key format, so never renumber. */
export const Tag = {
  undefined: 0x00,
  null: 0x01,
  false: 0x02,
  true: 0x03,
  number: 0x04,
  bigint: 0x05,
  string: 0x06,
  array: 0x07,
  hole: 0x08,
  object: 0x09,
  instance: 0x0a,
  /** Retired: `Map` entries sorted by encoding (ignored insertion order, a wrong hit). */
  map: 0x0b,
  /** Retired: `Set` elements sorted by encoding. */
  set: 0x0c,
  date: 0x0d,
  regexp: 0x0e,
  typedArray: 0x0f,
  arrayBuffer: 0x10,
  sharedArrayBuffer: 0x11,
  dataView: 0x12,
  url: 0x13,
  fileUrl: 0x14,
  error: 0x15,
  boxed: 0x16,
  bytes: 0x17,
  /** `Map` entries in insertion order (new tag, so no key of the sorted format matches). */
  orderedMap: 0x18,
  /** `Set` elements in insertion order. */
  orderedSet: 0x19,
  /**
   * A subclass instance of a supported built-in: its constructor name, the built-in's
   * encoding, then the own fields that encoding does not cover.
   */
  subclass: 0x1a,
  /** A `RegExp` whose `lastIndex` is not 0 (`regexp` plus the index, so 0 keeps old keys). */
  regexpLastIndex: 0x1b,
} as const;

/** Appends bytes, numbers and strings; every variable-length item is length-prefixed. */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  /** Bytes written so far (a copy-free view; do not keep it across further writes). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#at);
  }

  /** Current length in bytes. */
  get length(): number {
    return this.#at;
  }

  /** Drops everything written after `length` (used to measure sub-encodings). */
  truncate(length: number): void {
    this.#at = length;
  }

  /** Writes one byte. */
  byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#at++] = b;
  }

  /** Writes an unsigned 32-bit length, big-endian. */
  u32(n: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.#at, n);
    this.#at += 4;
  }

  /** Writes a float64, big-endian; every NaN is written as the same bit pattern. */
  f64(n: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#at, Number.isNaN(n) ? NaN : n);
    this.#at += 8;
  }

  /** Writes a string as length-prefixed UTF-16 code units (lone surrogates survive). */
  str(s: string): void {
    this.u32(s.length);
    this.#ensure(s.length * 2);
    for (let i = 0; i < s.length; i++) {
      this.#view.setUint16(this.#at, s.charCodeAt(i));
      this.#at += 2;
    }
  }

  /** Writes length-prefixed raw bytes. */
  raw(bytes: Uint8Array): void {
    this.u32(bytes.byteLength);
    this.#ensure(bytes.byteLength);
    this.#buf.set(bytes, this.#at);
    this.#at += bytes.byteLength;
  }

  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.byteLength) return;
    let size = this.#buf.byteLength * 2;
    while (size < this.#at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#at));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

/** Lexicographic byte comparison (shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.byteLength - b.byteLength;
}
