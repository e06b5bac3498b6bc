/**
 * The tagged tree the codec packs with msgpack. Strings, booleans, `null` and numbers
 * other than `-0` stand for themselves; every other value is an array whose first element
 * is one of these tags. Part of the stored format: never renumber (bump `FORMAT` instead).
 *
 * @module
 */

/** Leading bytes of every encoded value: "CSHV" and the format version. */
export const MAGIC: Uint8Array = new Uint8Array([0x43, 0x53, 0x48, 0x56, 0x01]);

/** Tags of non-primitive nodes. */
export const T = {
  undefined: 1,
  negZero: 2,
  bigint: 3,
  str16: 4,
  array: 5,
  hole: 6,
  object: 7,
  nullObject: 8,
  map: 9,
  set: 10,
  date: 11,
  regexp: 12,
  typed: 13,
  arrayBuffer: 14,
  dataView: 15,
  url: 16,
  error: 17,
  ref: 18,
  arrow: 19,
} as const;

/** Typed array constructors by their intrinsic name. */
export const TYPED: Record<string, new (b: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

/** Marks an Apache Arrow `Table` (set by apache-arrow on `Table.prototype`). */
export const ARROW_TABLE: symbol = Symbol.for("apache-arrow/Table");

/** Built-in error constructors a decoded `Error` is restored as, by `name`. */
export const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Thrown inside the encoder for a value it cannot represent exactly. */
export class Unsupported {
  constructor(readonly typeName: string) {}
}
