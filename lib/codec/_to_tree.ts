/**
 * Value -> tagged tree (see `_tags.ts`). Throws {@link Unsupported} for anything that
 * would not round-trip exactly. Shared and cyclic references become `ref` nodes; Arrow
 * tables are collected for IPC encoding and referenced by index.
 *
 * @module
 */
import { ARROW_TABLE, ERRORS, T, TYPED, Unsupported } from "./_tags.ts";

/** Prototypes of the error classes `fromTree` restores exactly (see `ERRORS`). */
const STANDARD_ERROR_PROTOS: ReadonlySet<unknown> = new Set(
  Object.values(ERRORS).map((C) => C.prototype),
);

/** The tree plus the Arrow tables it references by index. */
export interface Tree {
  readonly root: unknown;
  readonly tables: unknown[];
}

/**
 * Converts a value to a tagged tree.
 *
 * @example
 * ```ts
 * import { toTree } from "./_to_tree.ts";
 * toTree(new Set([1])).root; // [10, 1]
 * ```
 */
export function toTree(value: unknown): Tree {
  const ids = new Map<object, number>();
  const tables: unknown[] = [];
  const str = (s: string): unknown => isWellFormed(s) ? s : [T.str16, utf16(s)];

  const walk = (v: unknown): unknown => {
    switch (typeof v) {
      case "string":
        return str(v);
      case "boolean":
        return v;
      case "number":
        return Object.is(v, -0) ? [T.negZero] : v;
      case "bigint":
        return [T.bigint, v.toString()];
      case "undefined":
        return [T.undefined];
      case "function":
        throw new Unsupported(`function ${v.name || "(anonymous)"}`);
      case "symbol":
        throw new Unsupported("symbol");
    }
    if (v === null) return null;
    const o = v as object;
    const seen = ids.get(o);
    if (seen !== undefined) return [T.ref, seen];
    ids.set(o, ids.size);
    return container(o);
  };

  const fields = (
    o: object,
    keys: string[],
    { out }: { readonly out: unknown[] },
  ): unknown[] => {
    if (
      Object.getOwnPropertySymbols(o).some((s) => Object.prototype.propertyIsEnumerable.call(o, s))
    ) {
      throw new Unsupported(`${typeName(o)} with symbol keys`);
    }
    for (const k of keys) out.push(str(k), walk((o as Record<string, unknown>)[k]));
    return out;
  };

  const container = (o: object): unknown => {
    const proto = Object.getPrototypeOf(o);
    if (proto === Object.prototype) return fields(o, Object.keys(o), { out: [T.object] });
    if (proto === null) return fields(o, Object.keys(o), { out: [T.nullObject] });
    if (Array.isArray(o)) {
      if (proto !== Array.prototype) throw new Unsupported(typeName(o));
      if (Object.keys(o).some((k) => !/^(0|[1-9][0-9]*)$/.test(k))) {
        throw new Unsupported("Array with extra properties");
      }
      const out: unknown[] = [T.array];
      for (let i = 0; i < o.length; i++) out.push(i in o ? walk(o[i]) : [T.hole]);
      return out;
    }
    if (proto === Map.prototype) {
      const out: unknown[] = [T.map];
      for (const [k, x] of o as Map<unknown, unknown>) out.push(walk(k), walk(x));
      return out;
    }
    if (proto === Set.prototype) return [T.set, ...[...(o as Set<unknown>)].map(walk)];
    if (proto === Date.prototype) return [T.date, (o as Date).getTime()];
    if (proto === RegExp.prototype) {
      const r = o as RegExp;
      return [T.regexp, str(r.source), r.flags, r.lastIndex];
    }
    if (proto === URL.prototype) return [T.url, (o as URL).href];
    if (proto === ArrayBuffer.prototype) {
      return [T.arrayBuffer, new Uint8Array((o as ArrayBuffer).slice(0))];
    }
    if (ArrayBuffer.isView(o)) {
      const bytes = new Uint8Array(o.buffer, o.byteOffset, o.byteLength).slice();
      if (proto === DataView.prototype) return [T.dataView, bytes];
      const name = Object.prototype.toString.call(o).slice(8, -1);
      if (TYPED[name]?.prototype !== proto) throw new Unsupported(typeName(o));
      return [T.typed, name, bytes];
    }
    // Only the standard classes the decoder rebuilds: any other error class (a subclass,
    // AggregateError, DOMException) would come back as a plain Error, losing its class,
    // methods and internal fields, so it is refused like any other class instance.
    if (STANDARD_ERROR_PROTOS.has(proto)) {
      const e = o as Error & { cause?: unknown };
      const hasCause = Object.prototype.hasOwnProperty.call(e, "cause");
      const head = [T.error, str(String(e.name)), str(String(e.message))];
      head.push(
        typeof e.stack === "string" ? str(e.stack) : [T.undefined],
        hasCause,
        hasCause ? walk(e.cause) : null,
      );
      return fields(e, Object.keys(e).filter((k) => k !== "cause"), { out: head });
    }
    if ((o as Record<symbol, unknown>)[ARROW_TABLE] === true) {
      tables.push(o);
      return [T.arrow, tables.length - 1];
    }
    throw new Unsupported(typeName(o));
  };

  return { root: walk(value), tables };
}

function typeName(o: object): string {
  return String(Object.getPrototypeOf(o)?.constructor?.name || "object");
}

function isWellFormed(s: string): boolean {
  // deno-lint-ignore no-explicit-any
  const f = (s as any).isWellFormed;
  if (typeof f === "function") return f.call(s);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function utf16(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < s.length; i++) view.setUint16(i * 2, s.charCodeAt(i), true);
  return out;
}
