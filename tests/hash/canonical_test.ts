import assert from "node:assert/strict";
import { test } from "../function/_shim.ts";
import { encodeCanonical } from "../../lib/hash/canonical.ts";

const hex = (v: unknown, opts = {}) => Buffer.from(encodeCanonical(v, opts)).toString("hex");
import { Buffer } from "node:buffer";

/** A tiny seeded PRNG so the property tests are reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0:
      return Math.floor(r() * 100) - 50;
    case 1:
      return "s" + Math.floor(r() * 10);
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return BigInt(Math.floor(r() * 10));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) {
        o["k" + Math.floor(r() * 8)] = randomValue(r, depth + 1);
      }
      return o;
    }
    default:
      return new Map([[randomValue(r, depth + 1), randomValue(r, depth + 1)]]);
  }
}

/** Rebuilds a value with every plain object's keys reversed (Maps and Sets kept as they are). */
function shuffled(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shuffled);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [shuffled(k), shuffled(x)]));
  if (v instanceof Set) return new Set([...v].map(shuffled));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, shuffled(x)]));
  }
  return v;
}

test("object key order does not change the encoding (200 random values)", () => {
  const r = rng(42);
  for (let i = 0; i < 200; i++) {
    const v = randomValue(r, 0);
    assert.equal(hex(shuffled(v)), hex(v));
  }
});

// Map and Set insertion order is observable (`[...m.keys()].join()` is "a,b" or "b,a"), so
// it is part of the key: an encoding that sorted entries made those two calls share one
// entry, a wrong hit. (This test asserted the opposite before.)
test("Map and Set insertion order changes the encoding", () => {
  assert.notEqual(hex(new Set([1, "a", 2n])), hex(new Set([2n, "a", 1])));
  assert.notEqual(hex(new Map([["b", 1], ["a", 2]])), hex(new Map([["a", 2], ["b", 1]])));
  assert.equal(hex(new Map([["b", 1], ["a", 2]])), hex(new Map([["b", 1], ["a", 2]])));
  // Nested inside a plain object whose key order still does not matter.
  assert.equal(
    hex({ m: new Map([["b", 1], ["a", 2]]), x: 1 }),
    hex({ x: 1, m: new Map([["b", 1], ["a", 2]]) }),
  );
});

test("equal structures built separately encode equally", () => {
  const make = () => ({
    d: new Date(5),
    re: /a+/gi,
    u: new Uint16Array([1, 2]),
    n: [1, { x: null }],
  });
  assert.equal(hex(make()), hex(make()));
});

class Point {
  constructor(public x: number, public y: number) {}
}
class Vec {
  constructor(public x: number, public y: number) {}
}

test("every type and edge value is distinguished pairwise", () => {
  const buf = new Uint8Array([1, 2]).buffer;
  const values: [string, unknown][] = [
    ["undefined", undefined],
    ["null", null],
    ["false", false],
    ["true", true],
    ["0", 0],
    ["-0", -0],
    ["NaN", NaN],
    ["1", 1],
    ['"1"', "1"],
    ["1n", 1n],
    ["-1n", -1n],
    ["''", ""],
    ["[]", []],
    ["[undefined]", [undefined]],
    ["[hole]", [,] as unknown[]],
    ["[null]", [null]],
    ["[[]]", [[]]],
    ["{}", {}],
    ["{a:undefined}", { a: undefined }],
    ["Map{}", new Map()],
    ["Set{}", new Set()],
    ["Map{1=>1}", new Map([[1, 1]])],
    ["Set{1}", new Set([1])],
    ["[[1,1]]", [[1, 1]]],
    ["Date(0)", new Date(0)],
    ["Date(1)", new Date(1)],
    ["Invalid Date", new Date(NaN)],
    ["/a/", /a/],
    ["/a/g", /a/g],
    ["'/a/'", "/a/"],
    ["Uint8Array[1,2]", new Uint8Array([1, 2])],
    ["Int8Array[1,2]", new Int8Array([1, 2])],
    ["Uint8ClampedArray[1,2]", new Uint8ClampedArray([1, 2])],
    ["ArrayBuffer[1,2]", buf],
    ["DataView[1,2]", new DataView(buf)],
    ["Point(1,2)", new Point(1, 2)],
    ["Vec(1,2)", new Vec(1, 2)],
    ["{x:1,y:2}", { x: 1, y: 2 }],
    ["URL http", new URL("https://example.com/a")],
    ["href string", "https://example.com/a"],
    ["file URL", new URL("file:///tmp/a")],
    ["file URL b", new URL("file:///tmp/b")],
    ["Error", new Error("m")],
    ["TypeError", new TypeError("m")],
    ["Error other msg", new Error("n")],
    ["boxed 1", new Number(1)],
    ["boxed '1'", new String("1")],
    ["'\\uD800'", "\uD800"],
    ["'\\uFFFD'", "\uFFFD"],
    ["['a','b']", ["a", "b"]],
    ["['ab']", ["ab"]],
    ["{a:'b'}", { a: "b" }],
    ["{ab:''}", { ab: "" }],
  ];
  const seen = new Map<string, string>();
  for (const [name, v] of values) {
    const h = hex(v);
    assert.ok(!seen.has(h), `${name} encodes like ${seen.get(h)}`);
    seen.set(h, name);
  }
});

test("a null-prototype object encodes like a plain object with the same fields", () => {
  const o = Object.create(null);
  o.a = 1;
  assert.equal(hex(o), hex({ a: 1 }));
});

test("a file: URL embeds what onFileUrl returns, so content digests change the key", () => {
  const u = new URL("file:///tmp/data.csv");
  const seen: string[] = [];
  const a = hex({ u }, { onFileUrl: (_url: URL, p: string) => (seen.push(p), "digest-a") });
  const b = hex({ u }, { onFileUrl: () => "digest-b" });
  const c = hex({ u }, { onFileUrl: () => new Uint8Array([1]) });
  assert.deepEqual(seen, ["/tmp/data.csv"]);
  assert.notEqual(a, b);
  assert.notEqual(a, c);
  assert.equal(a, hex({ u: new URL("file:///tmp/./data.csv") }, { onFileUrl: () => "digest-a" }));
});

test("a function argument raises a TypeError naming the parameter", () => {
  assert.throws(
    () => encodeCanonical(() => 1, { path: "argument `cb` (parameter 2)" }),
    {
      name: "TypeError",
      message: "argument `cb` (parameter 2) is a function: functions cannot be part of a cache key",
    },
  );
  assert.throws(
    () =>
      encodeCanonical({ opts: [1, { f: Symbol("s") }] }, { path: "argument `o` (parameter 1)" }),
    (e: Error) =>
      e instanceof TypeError &&
      e.message.includes("argument `o` (parameter 1) at .opts[1].f is a symbol"),
  );
  assert.throws(() => encodeCanonical(new Map([[1, () => 1]])), /is a function/);
  assert.throws(() => encodeCanonical({ [Symbol("k")]: 1 }), /symbol key/);
  assert.throws(() => encodeCanonical(Promise.resolve(1)), /Promise/);
  assert.throws(() => encodeCanonical(new WeakMap()), /WeakMap/);
});

test("a cycle raises a TypeError but a shared (acyclic) reference is fine", () => {
  const a: Record<string, unknown> = {};
  a.self = a;
  assert.throws(() => encodeCanonical(a), /cyclic/);
  const s = new Set<unknown>();
  s.add(s);
  assert.throws(() => encodeCanonical(s), /cyclic/);
  const shared = { x: 1 };
  assert.equal(hex([shared, shared]), hex([{ x: 1 }, { x: 1 }]));
});

test("a non-UTF-8 percent escape in a file: URL is kept byte-exact", () => {
  const paths: string[] = [];
  encodeCanonical(new URL("file:///tmp/%FF%C3%A9"), { onFileUrl: (_u, p) => (paths.push(p), "") });
  assert.deepEqual(paths, ["/tmp/\xff\xc3\xa9"]);
});

// A subclass instance of a supported built-in used to be encoded as the plain built-in,
// dropping its class and own fields, so two different arguments shared one entry (a wrong
// hit). These pin that the class and fields are part of the key.
test("a Buffer and a Uint8Array with the same bytes encode differently", () => {
  assert.notEqual(hex(Buffer.from([1, 2])), hex(new Uint8Array([1, 2])));
  assert.equal(hex(Buffer.from([1, 2])), hex(Buffer.from([1, 2])));
  assert.notEqual(hex(Buffer.from([1, 2])), hex(Buffer.from([1, 3])));
});

test("a Map subclass encodes its class name and its own fields", () => {
  class TaggedMap extends Map<string, number> {
    tag = 1;
  }
  const tagged = new TaggedMap([["a", 1]]);
  assert.notEqual(hex(tagged), hex(new Map([["a", 1]])));
  const other = Object.assign(new TaggedMap([["a", 1]]), { tag: 2 });
  assert.notEqual(hex(tagged), hex(other), "its own field `tag` is part of the key");
  assert.equal(hex(tagged), hex(new TaggedMap([["a", 1]])));
  assert.notEqual(hex(tagged), hex(Object.assign(new TaggedMap([["a", 2]]), { tag: 1 })));
});

test("a Date subclass with an extra own field differs from a plain Date and by that field", () => {
  class ZonedDate extends Date {
    zone = "UTC";
  }
  const zoned = new ZonedDate(0);
  assert.notEqual(hex(zoned), hex(new Date(0)));
  assert.notEqual(hex(zoned), hex(Object.assign(new ZonedDate(0), { zone: "CET" })));
  assert.notEqual(hex(zoned), hex(new ZonedDate(1)));
  assert.equal(hex(zoned), hex(new ZonedDate(0)));
});

test("an Array subclass differs from a plain array with the same items", () => {
  class Row extends Array<number> {}
  assert.notEqual(hex(Row.from([1, 2])), hex([1, 2]));
  assert.equal(hex(Row.from([1, 2])), hex(Row.from([1, 2])));
  assert.notEqual(hex(Row.from([1, 2])), hex(Row.from([1, 3])));
});

test("a RegExp's lastIndex is part of the key when it is not 0", () => {
  const at = (n: number) => Object.assign(/a/g, { lastIndex: n });
  assert.notEqual(hex(at(1)), hex(/a/g));
  assert.notEqual(hex(at(1)), hex(at(2)));
  assert.equal(hex(at(0)), hex(/a/g));
  assert.equal(hex(at(3)), hex(at(3)));
});

test("a subclass of every other supported built-in differs from the plain built-in", () => {
  class NotFound extends Error {}
  class Forbidden extends Error {}
  class Str extends String {}
  const cases: [string, object, object][] = [
    ["Set", new (class Ids extends Set {})(), new Set()],
    ["Float64Array", new (class Vec extends Float64Array {})(2), new Float64Array(2)],
    ["ArrayBuffer", new (class Buf extends ArrayBuffer {})(2), new ArrayBuffer(2)],
    [
      "DataView",
      new (class View extends DataView<ArrayBuffer> {})(new ArrayBuffer(2)),
      new DataView(new ArrayBuffer(2)),
    ],
    [
      "URL",
      new (class Link extends URL {})("https://example.com/"),
      new URL("https://example.com/"),
    ],
    ["RegExp", new (class Pattern extends RegExp {})("a", "g"), /a/g],
    ["Error", new NotFound("m"), new Error("m")],
    ["Error sibling", new NotFound("m"), new Forbidden("m")],
    ["Number", new (class Num extends Number {})(1), new Number(1)],
    ["String", new Str("ab"), new String("ab")],
  ];
  for (const [name, a, b] of cases) assert.notEqual(hex(a), hex(b), name);
  const plus = Object.assign(new Str("ab"), { extra: 1 });
  assert.notEqual(hex(plus), hex(new Str("ab")), "own fields of a String subclass");
});

// No stored key may change: these are the encodings before subclasses were keyed.
test("plain built-ins keep their encoding, so existing keys stay valid", () => {
  class Point {
    constructor(public x: number) {}
  }
  const golden: [unknown, string][] = [
    [[1, ,], "0700000002043ff00000000000000800000000"],
    [new Map([[1, "a"]]), "1800000001043ff000000000000006000000010061"],
    [new Set([1n]), "190000000105000000010031"],
    [new Date(0), "0d0000000000000000"],
    [/a/g, "0e000000010061000000010067"],
    [new Uint8Array([1, 2]), "0f0000000a00550069006e0074003800410072007200610079000000020102"],
    [new DataView(new Uint8Array([3]).buffer), "120000000103"],
    [new Uint8Array([4]).buffer, "100000000104"],
    [new URL("https://e.x/"), "130000000c00680074007400700073003a002f002f0065002e0078002f"],
    [
      new TypeError("m"),
      "15000000090054007900700065004500720072006f007200000001006d07000000000000000000000000",
    ],
    [
      new AggregateError([], "m"),
      "150000000e004100670067007200650067006100740065004500720072006f007200000001006d070000000000" +
      "00000000000000",
    ],
    [new Number(1), "16043ff0000000000000"],
    [new String("s"), "1606000000010073"],
    [new Point(1), "0a000000050050006f0069006e007400000001000000010078043ff0000000000000"],
  ];
  for (const [v, h] of golden) assert.equal(hex(v), h, String(v));
});
