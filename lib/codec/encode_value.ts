/**
 * Portable encoding of function return values: both Deno and Bun read it (never
 * `v8.serialize`). A tagged tree packed with msgpack; Apache Arrow tables travel as Arrow
 * IPC. Anything that would not round-trip exactly is reported as unsupported rather than
 * stored lossily.
 *
 * Supported: strings, numbers (incl. `-0`, `NaN`), booleans, `null`, `undefined`, BigInt,
 * plain and null-prototype objects, arrays (holes kept), Map, Set, Date, RegExp, URL,
 * ArrayBuffer, DataView, typed arrays, errors whose class is exactly `Error`, `TypeError`,
 * `RangeError`, `SyntaxError`, `ReferenceError`, `EvalError` or `URIError` (name, message,
 * stack, cause, own props; restored as that class), Arrow `Table`, and shared or cyclic
 * references.
 * Unsupported: functions, symbols, class instances, boxed primitives, WeakMap, WeakSet,
 * Promise, subclasses of the built-ins (an `Error` subclass too), other error classes
 * (`AggregateError`, `DOMException`), arrays with extra properties, symbol keys.
 *
 * @module
 */
import { Packr } from "msgpackr";
import { MAGIC, Unsupported } from "./_tags.ts";
import { toTree } from "./_to_tree.ts";
import { tablesToIpc } from "./_arrow.ts";

/** The outcome of {@link encodeValue}. */
export type EncodeResult =
  | { readonly kind: "ok"; readonly bytes: Uint8Array }
  | { readonly kind: "unsupported"; readonly typeName: string };

const packr = new Packr({ useRecords: false, structuredClone: false, moreTypes: false });

/**
 * Encodes a value, or says which type prevents it. Never throws for odd values.
 *
 * @example
 * ```ts
 * import { encodeValue } from "./encode_value.ts";
 * const r = await encodeValue({ when: new Date(0), ids: new Set([1n]) });
 * if (r.kind === "ok") console.log(r.bytes.byteLength);
 * (await encodeValue(() => 1)).kind; // "unsupported"
 * ```
 */
export async function encodeValue(value: unknown): Promise<EncodeResult> {
  let tree;
  try {
    tree = toTree(value);
  } catch (e) {
    if (e instanceof Unsupported) return { kind: "unsupported", typeName: e.typeName };
    return { kind: "unsupported", typeName: `value whose encoding failed (${String(e)})` };
  }
  const ipc = await tablesToIpc(tree.tables);
  if (ipc.includes(null)) return { kind: "unsupported", typeName: "Table (Arrow IPC failed)" };
  const body = packr.pack([tree.root, ipc]);
  const out = new Uint8Array(MAGIC.byteLength + body.byteLength);
  out.set(MAGIC);
  out.set(body, MAGIC.byteLength);
  return { kind: "ok", bytes: out };
}
