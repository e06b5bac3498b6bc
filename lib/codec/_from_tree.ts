/**
 * Tagged tree -> value, the inverse of `_to_tree.ts`. Throws `blob-corrupt` on any node
 * it does not recognise, so a damaged or foreign blob is a miss, never a wrong value.
 *
 * @module
 */
import { CasherError } from "../errors/casher_error.ts";
import { ERRORS, T, TYPED } from "./_tags.ts";

/**
 * Rebuilds a value from its tree; `tables` are the already-decoded Arrow tables.
 *
 * @example
 * ```ts
 * import { fromTree } from "./_from_tree.ts";
 * fromTree([10, 1], []); // Set { 1 }
 * ```
 */
export function fromTree(root: unknown, tables: readonly unknown[]): unknown {
  const objects: unknown[] = [];
  const reg = <V>(v: V): V => (objects.push(v), v);

  const str = (n: unknown): string => {
    if (typeof n === "string") return n;
    if (
      Array.isArray(n) && n[0] === T.str16 && n[1] instanceof Uint8Array &&
      n[1].byteLength % 2 === 0
    ) {
      const b = n[1];
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let s = "";
      for (let i = 0; i < b.byteLength; i += 2) s += String.fromCharCode(view.getUint16(i, true));
      return s;
    }
    throw bad("string");
  };
  const bytes = (n: unknown): Uint8Array<ArrayBuffer> => {
    if (n instanceof Uint8Array) {
      const copy = new Uint8Array(n.byteLength);
      copy.set(n);
      return copy;
    }
    throw bad("bytes");
  };
  const fill = (
    o: Record<string, unknown>,
    n: unknown[],
    { from }: { readonly from: number },
  ): void => {
    if ((n.length - from) % 2 !== 0) throw bad("fields");
    for (let i = from; i < n.length; i += 2) {
      Object.defineProperty(o, str(n[i]), {
        value: walk(n[i + 1]),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  };

  const walk = (n: unknown): unknown => {
    if (n === null || typeof n === "string" || typeof n === "boolean" || typeof n === "number") {
      return n;
    }
    if (!Array.isArray(n) || typeof n[0] !== "number") throw bad("node");
    switch (n[0]) {
      case T.undefined:
        return undefined;
      case T.negZero:
        return -0;
      case T.bigint:
        return BigInt(str(n[1]));
      case T.str16:
        return str(n);
      case T.hole:
        throw bad("hole outside an array");
      case T.array: {
        const a: unknown[] = reg(new Array(n.length - 1));
        for (let i = 1; i < n.length; i++) {
          const item = n[i];
          if (!(Array.isArray(item) && item[0] === T.hole)) a[i - 1] = walk(item);
        }
        return a;
      }
      case T.object:
      case T.nullObject: {
        const o = reg(n[0] === T.object ? {} : Object.create(null));
        fill(o, n, { from: 1 });
        return o;
      }
      case T.map: {
        const m = reg(new Map());
        for (let i = 1; i + 1 < n.length; i += 2) m.set(walk(n[i]), walk(n[i + 1]));
        return m;
      }
      case T.set: {
        const s = reg(new Set());
        for (let i = 1; i < n.length; i++) s.add(walk(n[i]));
        return s;
      }
      case T.date:
        return reg(new Date(num(n[1])));
      case T.regexp: {
        const r = reg(new RegExp(str(n[1]), str(n[2])));
        r.lastIndex = num(n[3]);
        return r;
      }
      case T.url:
        return reg(new URL(str(n[1])));
      case T.arrayBuffer:
        return reg(bytes(n[1]).buffer);
      case T.dataView:
        return reg(new DataView(bytes(n[1]).buffer));
      case T.typed: {
        const Ctor = TYPED[str(n[1])];
        if (!Ctor) throw bad("typed array type");
        return reg(new Ctor(bytes(n[2]).buffer));
      }
      case T.error:
        return error(n);
      case T.ref: {
        const id = num(n[1]);
        if (id >= objects.length) throw bad("reference");
        return objects[id];
      }
      case T.arrow: {
        const i = num(n[1]);
        if (i >= tables.length) throw bad("table index");
        return reg(tables[i]);
      }
      default:
        throw bad(`tag ${n[0]}`);
    }
  };

  const error = (n: unknown[]): Error => {
    const name = str(n[1]);
    const e = reg(new (ERRORS[name] ?? Error)(str(n[2])));
    if (!(name in ERRORS)) {
      Object.defineProperty(e, "name", {
        value: name,
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    const stack = walk(n[3]);
    Object.defineProperty(e, "stack", {
      value: stack,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    if (n[4] === true) {
      Object.defineProperty(e, "cause", {
        value: walk(n[5]),
        writable: true,
        enumerable: false,
        configurable: true,
      });
    }
    fill(e as unknown as Record<string, unknown>, n, { from: 6 });
    return e;
  };

  return walk(root);
}

function num(n: unknown): number {
  if (typeof n === "number") return n;
  throw bad("number");
}

function bad(what: string): CasherError {
  return new CasherError(
    "blob-corrupt",
    `Stored return value is malformed (unexpected ${what}); the entry will be treated as a miss`,
  );
}
