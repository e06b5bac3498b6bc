/**
 * Canonical encoding of key material: a deterministic, unambiguous, type-tagged byte
 * string for any argument value. Two values encode equally only when they are equal as
 * cache keys:
 * - object key order does not matter; array order does; holes differ from `undefined`;
 * - `Map` entries and `Set` elements are encoded in insertion order, since iteration
 *   order is observable (`[...m.keys()].join()`): the same entries in another order differ;
 * - `1`, `"1"`, `1n`, `-0`, `0`, `NaN`, `null`, `undefined` all differ;
 * - typed arrays carry their concrete type; `Date` (invalid too), `RegExp` (with its
 *   `lastIndex` when not 0), `URL`, `ArrayBuffer`, `DataView`, `Error` and boxed primitives
 *   are tagged;
 * - a class instance contributes its constructor name and own enumerable fields
 *   (private `#fields` and getters are invisible: give such classes a key-relevant public
 *   field); so does an instance of a subclass of one of the built-ins above (a `Buffer`,
 *   `class Tagged extends Map`), besides the built-in's state, so it never shares a key
 *   with a plain instance holding the same data;
 * - a `file:` URL is a path: `opts.onFileUrl` decides what else to embed (a content digest);
 * - functions, symbols, symbol keys, cycles, a `Proxy` (keyed by what its traps show, not
 *   its target) and any other built-in object (one whose class, or an ancestor class, is
 *   the runtime's own: `Headers`, `Request`, `Blob`, `URLSearchParams`, `WeakRef`,
 *   `Promise`...: their state is internal, so every instance would share one key) throw a
 *   `TypeError` naming where they were found. A class is the runtime's own when its
 *   source is `[native code]` (Bun, V8 built-ins) or it is the global of its name (Deno
 *   implements web classes in JS).
 *
 * @module
 */
import { types } from "node:util";
import { ByteWriter, Tag } from "./_canonical_writer.ts";
import { fileUrlPath } from "./_canonical_url.ts";
import { runtimeSymbols, subclassFields, supportedBuiltin } from "./_canonical_builtin.ts";
import type { BuiltinKind } from "./_canonical_builtin.ts";
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
 * const a = encodeCanonical({ x: 1, y: [2n, new Set(["a", "b"])] });
 * const b = encodeCanonical({ y: [2n, new Set(["a", "b"])], x: 1 });
 * a.join() === b.join(); // true
 * encodeCanonical(1).join() === encodeCanonical("1").join(); // false
 * ```
 */
export function encodeCanonical(value: unknown, opts: CanonicalOptions = {}): Uint8Array {
  const enc = new Encoder(opts.path ?? "value", opts.onFileUrl);
  enc.value(value, "");
  return enc.w.bytes().slice();
}

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
    if (types.isProxy(v)) {
      throw this.#reject(
        at,
        "is a Proxy: it would be keyed by what its traps show, not by its target, so it " +
          "cannot be part of a cache key",
      );
    }
    const supported = supportedBuiltin(v);
    if (supported !== null) {
      if (supported.exact) return this.#builtin(v, supported.kind, at);
      // A subclass instance (a `Buffer`, `class MyMap extends Map`): its class and own
      // fields are part of the key, as for any class instance, around the built-in state.
      w.byte(Tag.subclass);
      w.str(constructorName(v));
      this.#builtin(v, supported.kind, at);
      return this.#fields(v, subclassFields(v, supported.kind), {
        at,
        internal: runtimeSymbols(),
      });
    }
    const builtin = builtinClass(v);
    if (builtin !== null) {
      throw this.#reject(
        at,
        `is a ${builtin}: a built-in object's state is internal, invisible to the key, so it ` +
          `cannot be part of a cache key (pass its data explicitly)`,
      );
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) w.byte(Tag.object);
    else {
      w.byte(Tag.instance);
      w.str(constructorName(v));
    }
    this.#fields(v, Object.keys(v), { at });
  }

  /** The state of a supported built-in, as encoded for a plain instance of it. */
  #builtin(v: object, kind: BuiltinKind, at: string): void {
    const w = this.w;
    switch (kind) {
      case "array":
        return this.#array(v as unknown[], at);
      case "typedArray":
      case "dataView": {
        const view = v as ArrayBufferView;
        const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        if (kind === "dataView") w.byte(Tag.dataView);
        else {
          w.byte(Tag.typedArray);
          w.str(Object.prototype.toString.call(v).slice(8, -1));
        }
        return w.raw(bytes);
      }
      case "arrayBuffer":
      case "sharedArrayBuffer":
        w.byte(kind === "arrayBuffer" ? Tag.arrayBuffer : Tag.sharedArrayBuffer);
        return w.raw(new Uint8Array(v as ArrayBufferLike));
      case "date":
        w.byte(Tag.date);
        return w.f64((v as Date).getTime());
      case "regexp":
        return this.#regexp(v as RegExp, at);
      case "map":
        return this.#ordered(Tag.orderedMap, [...(v as Map<unknown, unknown>)], {
          at,
          what: "map entry",
        });
      case "set":
        return this.#ordered(Tag.orderedSet, [...(v as Set<unknown>)], { at, what: "set element" });
      case "url":
        return this.#url(v as URL);
      case "error":
        return this.#error(v as Error, at);
      case "boxed":
        w.byte(Tag.boxed);
        return this.value(v.valueOf(), `${at}<boxed>`);
    }
  }

  /** `lastIndex` (where a global or sticky match resumes) only when non-zero: old keys stay. */
  #regexp(v: RegExp, at: string): void {
    const resumes = v.lastIndex !== 0;
    this.w.byte(resumes ? Tag.regexpLastIndex : Tag.regexp);
    this.w.str(v.source);
    this.w.str(v.flags);
    if (resumes) this.value(v.lastIndex, `${at}.lastIndex`);
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

  /** `opts.internal`: symbol keys the runtime's own state uses, skipped instead of refused. */
  #fields(
    v: object,
    keys: string[],
    opts: { readonly at: string; readonly internal?: ReadonlySet<symbol> },
  ): void {
    const { at, internal } = opts;
    const sym = Object.getOwnPropertySymbols(v).find((s) =>
      Object.prototype.propertyIsEnumerable.call(v, s) && !internal?.has(s)
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

  /** Map entries / Set elements in insertion order (observable through iteration). */
  #ordered(
    tag: number,
    items: unknown[],
    opts: { readonly at: string; readonly what: string },
  ): void {
    const { at, what } = opts;
    this.w.byte(tag);
    this.w.u32(items.length);
    items.forEach((item, i) => {
      if (tag === Tag.orderedMap) {
        const [k, val] = item as [unknown, unknown];
        this.value(k, `${at}<${what} #${i} key>`);
        this.value(val, `${at}<${what} #${i} value>`);
      } else this.value(item, `${at}<${what} #${i}>`);
    });
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

/** The name of `v`'s class (`""` when anonymous), as keyed for class instances. */
function constructorName(v: object): string {
  return String(Object.getPrototypeOf(v)?.constructor?.name ?? "");
}

/** Per constructor: whether it is the runtime's own class (memoized: `toString` is costly). */
const builtinMemo = new WeakMap<object, boolean>();

/**
 * The name of the first class on `v`'s prototype chain (below `Object`) that is the
 * runtime's own, or `null` when there is none. Supported built-ins (`Map`, `Date`...) are
 * handled before this is asked.
 */
function builtinClass(v: object): string | null {
  for (
    let p = Object.getPrototypeOf(v);
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const ctor: unknown = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
    if (typeof ctor !== "function") continue;
    let builtin = builtinMemo.get(ctor);
    if (builtin === undefined) {
      builtin = isBuiltinClass(ctor);
      builtinMemo.set(ctor, builtin);
    }
    if (builtin) return ctor.name || "built-in object";
  }
  return null;
}

// deno-lint-ignore ban-types
function isBuiltinClass(ctor: Function): boolean {
  try {
    if (Function.prototype.toString.call(ctor).includes("[native code]")) return true;
  } catch {
    return true; // not even a plain function: nothing of it is visible
  }
  const name = ctor.name;
  return typeof name === "string" && name !== "" &&
    (globalThis as Record<string, unknown>)[name] === ctor;
}
