/**
 * Canonical encoding of key material: a deterministic, unambiguous, type-tagged byte
 * string for any argument value. Two values encode equally only when they are equal as
 * cache keys:
 * - object key order does not matter; array order does; holes differ from `undefined`;
 * - `Map` entries and `Set` elements are sorted by their encoding;
 * - `1`, `"1"`, `1n`, `-0`, `0`, `NaN`, `null`, `undefined` all differ;
 * - typed arrays carry their concrete type; `Date` (invalid too), `RegExp`, `URL`,
 *   `ArrayBuffer`, `DataView`, `Error` and boxed primitives are tagged;
 * - a class instance contributes its constructor name and own enumerable fields
 *   (private `#fields` are invisible: give such classes a key-relevant public field);
 * - a `file:` URL is a path: `opts.onFileUrl` decides what else to embed (a content digest);
 * - functions, symbols, symbol keys, `WeakMap`/`WeakSet`/`WeakRef`/`Promise` and cycles
 *   throw a `TypeError` naming where they were found.
 *
 * @module
 */
import { ByteWriter, compareBytes, Tag } from "./_canonical_writer.ts";
import { fileUrlPath } from "./_canonical_url.ts";
import { pathBytes } from "../path/byte_path.ts";
import type { BytePath } from "../path/byte_path.ts";

/** Options of {@link encodeCanonical}. */
export interface CanonicalOptions {
  /** How the value is named in errors, e.g. "argument `cb` (parameter 2)". Default "value". */
  path?: string;
  /** What to embed for a `file:` URL besides its path (e.g. a content digest). */
  onFileUrl?: (url: URL, path: BytePath) => Uint8Array | string;
}

/**
 * Encodes `value` canonically (see the module doc). Throws `TypeError` for values that
 * cannot be part of a cache key.
 *
 * To embed content digests of `file:` URLs (which need async hashing), encode once with
 * an `onFileUrl` that collects the URLs, digest them, then encode again with the digests.
 *
 * @example
 * ```ts
 * import { encodeCanonical } from "./canonical.ts";
 * const a = encodeCanonical({ x: 1, y: [2n, new Set(["a"])] });
 * const b = encodeCanonical({ y: [2n, new Set(["a"])], x: 1 });
 * a.join() === b.join(); // true
 * encodeCanonical(1).join() === encodeCanonical("1").join(); // false
 * ```
 */
export function encodeCanonical(value: unknown, opts: CanonicalOptions = {}): Uint8Array {
  const enc = new Encoder(opts.path ?? "value", opts.onFileUrl);
  enc.value(value, "");
  return enc.w.bytes().slice();
}

const BOXES = [Number, String, Boolean, BigInt, Symbol] as const;

class Encoder {
  readonly w = new ByteWriter();
  readonly #stack = new Set<object>();
  constructor(
    readonly label: string,
    readonly onFileUrl: CanonicalOptions["onFileUrl"],
  ) {}

  value(v: unknown, at: string): void {
    const w = this.w;
    switch (typeof v) {
      case "undefined":
        return w.byte(Tag.undefined);
      case "boolean":
        return w.byte(v ? Tag.true : Tag.false);
      case "number":
        w.byte(Tag.number);
        return w.f64(v);
      case "bigint":
        w.byte(Tag.bigint);
        return w.str(v.toString(16));
      case "string":
        w.byte(Tag.string);
        return w.str(v);
      case "function":
        throw this.#reject(at, "is a function: functions cannot be part of a cache key");
      case "symbol":
        throw this.#reject(at, "is a symbol: symbols cannot be part of a cache key");
      case "object":
        if (v === null) return w.byte(Tag.null);
        if (this.#stack.has(v)) {
          throw this.#reject(at, "is a cyclic structure: cycles cannot be part of a cache key");
        }
        this.#stack.add(v);
        try {
          this.#object(v, at);
        } finally {
          this.#stack.delete(v);
        }
    }
  }

  #object(v: object, at: string): void {
    const w = this.w;
    if (Array.isArray(v)) return this.#array(v, at);
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (v instanceof DataView) w.byte(Tag.dataView);
      else {
        w.byte(Tag.typedArray);
        w.str(Object.prototype.toString.call(v).slice(8, -1));
      }
      return w.raw(bytes);
    }
    if (v instanceof ArrayBuffer) {
      w.byte(Tag.arrayBuffer);
      return w.raw(new Uint8Array(v));
    }
    if (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer) {
      w.byte(Tag.sharedArrayBuffer);
      return w.raw(new Uint8Array(v));
    }
    if (v instanceof Date) {
      w.byte(Tag.date);
      return w.f64(v.getTime());
    }
    if (v instanceof RegExp) {
      w.byte(Tag.regexp);
      w.str(v.source);
      return w.str(v.flags);
    }
    if (v instanceof Map) return this.#sorted(Tag.map, [...v], { at, what: "map entry" });
    if (v instanceof Set) return this.#sorted(Tag.set, [...v], { at, what: "set element" });
    if (v instanceof URL) return this.#url(v);
    if (v instanceof Error) return this.#error(v, at);
    if (
      v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet ||
      (typeof WeakRef !== "undefined" && v instanceof WeakRef)
    ) {
      const name = v.constructor?.name ?? "object";
      throw this.#reject(
        at,
        `is a ${name}: its contents are not visible, so it cannot be part of a cache key`,
      );
    }
    const box = BOXES.find((B) => v instanceof B);
    if (box) {
      w.byte(Tag.boxed);
      return this.value(v.valueOf(), `${at}<boxed>`);
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) w.byte(Tag.object);
    else {
      w.byte(Tag.instance);
      w.str(String(proto?.constructor?.name ?? ""));
    }
    this.#fields(v, Object.keys(v), { at });
  }

  #array(v: unknown[], at: string): void {
    const w = this.w;
    w.byte(Tag.array);
    w.u32(v.length);
    for (let i = 0; i < v.length; i++) {
      if (i in v) this.value(v[i], `${at}[${i}]`);
      else w.byte(Tag.hole);
    }
    const extra = Object.keys(v).filter((k) =>
      !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= v.length
    );
    this.#fields(v, extra, { at });
  }

  #fields(v: object, keys: string[], opts: { readonly at: string }): void {
    const { at } = opts;
    const sym = Object.getOwnPropertySymbols(v).find((s) =>
      Object.prototype.propertyIsEnumerable.call(v, s)
    );
    if (sym !== undefined) {
      throw this.#reject(
        at,
        `has the symbol key ${String(sym)}: symbols cannot be part of a cache key`,
      );
    }
    keys.sort();
    this.w.u32(keys.length);
    for (const k of keys) {
      this.w.str(k);
      this.value((v as Record<string, unknown>)[k], `${at}.${k}`);
    }
  }

  #sorted(
    tag: number,
    items: unknown[],
    opts: { readonly at: string; readonly what: string },
  ): void {
    const { at, what } = opts;
    const parts = items.map((item, i) => {
      const sub = new Encoder(this.label, this.onFileUrl);
      for (const o of this.#stack) sub.#stack.add(o);
      if (tag === Tag.map) {
        const [k, val] = item as [unknown, unknown];
        sub.value(k, `${at}<${what} #${i} key>`);
        sub.value(val, `${at}<${what} #${i} value>`);
      } else sub.value(item, `${at}<${what} #${i}>`);
      return sub.w.bytes();
    });
    parts.sort(compareBytes);
    this.w.byte(tag);
    this.w.u32(parts.length);
    for (const p of parts) this.w.raw(p);
  }

  #url(v: URL): void {
    const w = this.w;
    if (v.protocol !== "file:") {
      w.byte(Tag.url);
      return w.str(v.href);
    }
    const path = fileUrlPath(v);
    w.byte(Tag.fileUrl);
    w.raw(pathBytes(path));
    const extra = this.onFileUrl?.(v, path);
    if (extra === undefined) return w.byte(0);
    if (typeof extra === "string") {
      w.byte(1);
      return w.str(extra);
    }
    w.byte(2);
    w.raw(extra);
  }

  #error(v: Error, at: string): void {
    this.w.byte(Tag.error);
    this.w.str(String(v.name));
    this.w.str(String(v.message));
    this.value("cause" in v ? [v.cause] : [], `${at}.cause`);
    this.#fields(v, Object.keys(v), { at });
  }

  #reject(at: string, what: string): TypeError {
    return new TypeError(`${this.label}${at === "" ? "" : ` at ${at}`} ${what}`);
  }
}
