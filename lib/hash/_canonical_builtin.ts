/**
 * Which of the built-ins the canonical encoder supports a value is, and whether it is a
 * plain instance (its prototype is exactly the built-in's) or a subclass instance (a
 * `Buffer`, `class MyMap extends Map`), which must also contribute its class and fields.
 *
 * @module
 */

/** A built-in whose state the canonical encoder reads. */
export type BuiltinKind =
  | "array"
  | "typedArray"
  | "dataView"
  | "arrayBuffer"
  | "sharedArrayBuffer"
  | "date"
  | "regexp"
  | "map"
  | "set"
  | "url"
  | "error"
  | "boxed";

/** The outcome of {@link supportedBuiltin}. */
export interface SupportedBuiltin {
  readonly kind: BuiltinKind;
  /** True when the value's prototype is exactly the built-in's own (not a subclass's). */
  readonly exact: boolean;
}

const BOXES = [Number, String, Boolean, BigInt, Symbol] as const;

/** Prototypes of the error classes encoded as plain errors; any other is a subclass. */
const ERROR_PROTOS: ReadonlySet<object> = new Set(
  [
    Error,
    EvalError,
    RangeError,
    ReferenceError,
    SyntaxError,
    TypeError,
    URIError,
    globalThis.AggregateError,
    globalThis.DOMException,
    (globalThis as Record<string, unknown>).SuppressedError,
  ].flatMap((C) => typeof C === "function" ? [C.prototype as object] : []),
);

/**
 * Classifies `v` as one of the supported built-ins (in the encoder's order of checks), or
 * `null` when it is none of them.
 *
 * @example
 * ```ts
 * import { Buffer } from "node:buffer";
 * import { supportedBuiltin } from "./_canonical_builtin.ts";
 * supportedBuiltin(new Uint8Array(1)); // { kind: "typedArray", exact: true }
 * supportedBuiltin(Buffer.alloc(1)); // { kind: "typedArray", exact: false }
 * supportedBuiltin({}); // null
 * ```
 */
export function supportedBuiltin(v: object): SupportedBuiltin | null {
  const proto: unknown = Object.getPrototypeOf(v);
  const is = (kind: BuiltinKind, own: unknown): SupportedBuiltin => ({
    kind,
    exact: proto === own,
  });
  if (Array.isArray(v)) return is("array", Array.prototype);
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) return is("dataView", DataView.prototype);
    const name = Object.prototype.toString.call(v).slice(8, -1);
    const ctor = (globalThis as Record<string, unknown>)[name];
    return is("typedArray", typeof ctor === "function" ? ctor.prototype : undefined);
  }
  if (v instanceof ArrayBuffer) return is("arrayBuffer", ArrayBuffer.prototype);
  if (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer) {
    return is("sharedArrayBuffer", SharedArrayBuffer.prototype);
  }
  if (v instanceof Date) return is("date", Date.prototype);
  if (v instanceof RegExp) return is("regexp", RegExp.prototype);
  if (v instanceof Map) return is("map", Map.prototype);
  if (v instanceof Set) return is("set", Set.prototype);
  if (v instanceof URL) return is("url", URL.prototype);
  if (v instanceof Error) return { kind: "error", exact: ERROR_PROTOS.has(proto as object) };
  const box = BOXES.find((B) => v instanceof B);
  return box === undefined ? null : is("boxed", box.prototype);
}

/**
 * The own enumerable string keys of a subclass instance that the built-in's own encoding
 * does not already cover: none for arrays and errors (their encodings include their
 * fields), and no element indices of typed arrays and `String` boxes.
 *
 * @example
 * ```ts
 * import { subclassFields } from "./_canonical_builtin.ts";
 * class Tagged extends Map { tag = 1 }
 * subclassFields(new Tagged(), "map"); // ["tag"]
 * ```
 */
export function subclassFields(v: object, kind: BuiltinKind): string[] {
  if (kind === "array" || kind === "error") return [];
  const keys = Object.keys(v);
  const length = kind === "typedArray"
    ? (v as ArrayLike<unknown>).length
    : v instanceof String
    ? v.length
    : 0;
  return length === 0 ? keys : keys.filter((k) => !(isIndex(k) && Number(k) < length));
}

let runtimeSymbolSet: ReadonlySet<symbol> | undefined;

/**
 * Enumerable symbol keys the runtime itself puts on plain instances of built-ins (Deno
 * keeps a `URL`'s or `DOMException`'s brand and state under symbols): internal state, not
 * fields a subclass declares, so they are not a reason to reject a subclass instance.
 *
 * @example
 * ```ts
 * import { runtimeSymbols } from "./_canonical_builtin.ts";
 * const brand = Object.getOwnPropertySymbols(new URL("https://example.com/"));
 * brand.every((s) => runtimeSymbols().has(s)); // true
 * ```
 */
export function runtimeSymbols(): ReadonlySet<symbol> {
  runtimeSymbolSet ??= new Set(
    [new URL("http://x/"), new DOMException("x")].flatMap((o) => Object.getOwnPropertySymbols(o)),
  );
  return runtimeSymbolSet;
}

function isIndex(k: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(k);
}
