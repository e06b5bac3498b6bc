import assert from "node:assert/strict";
import { test } from "./_shim.ts";
import { withCache } from "./_cached_fixture.ts";
import { cached } from "../../mod.ts";
import { encodeCanonical } from "../../lib/hash/canonical.ts";

// Runs under `deno test` and `bun test`: both runtimes must key (or refuse) these values alike.

test("Map and Set insertion order is part of a function's key (it is observable)", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    const keys = cached(function keys(m: Map<string, number> | Set<string>) {
      calls++;
      return [...m.keys()].join();
    }, { cacheDir: cache });
    assert.equal(await keys(new Map([["a", 1], ["b", 2]])), "a,b");
    assert.equal(await keys(new Map([["b", 2], ["a", 1]])), "b,a");
    assert.equal(await keys(new Set(["a", "b"])), "a,b");
    assert.equal(await keys(new Set(["b", "a"])), "b,a");
    assert.equal(calls, 4);
    assert.equal(await keys(new Map([["b", 2], ["a", 1]])), "b,a");
    assert.equal(calls, 4, "the same order still hits");
  }));

/** Built-in objects whose state is internal: every instance would share one key. */
const builtins: [string, () => unknown][] = [
  ["Headers", () => new Headers({ a: "1" })],
  ["Request", () => new Request("https://example.com/a")],
  ["Response", () => new Response("x")],
  ["Blob", () => new Blob(["a"])],
  ["File", () => new File(["a"], "f.txt")],
  ["FormData", () => new FormData()],
  ["URLSearchParams", () => new URLSearchParams("a=1")],
  ["WeakRef", () => new WeakRef({})],
  ["WeakMap", () => new WeakMap()],
  ["Promise", () => Promise.resolve(1)],
  ["AbortController", () => new AbortController()],
];

test("a built-in object with internal state raises a TypeError naming it and where", () => {
  for (const [name, make] of builtins) {
    assert.throws(
      () => encodeCanonical({ deep: [make()] }, { path: "argument `req` (parameter 1)" }),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith("argument `req` (parameter 1) at .deep[0] is a ") &&
        e.message.includes("built-in object"),
      name,
    );
  }
  class MyHeaders extends Headers {
    extra = 1;
  }
  assert.throws(() => encodeCanonical(new MyHeaders()), /is a Headers/, "a subclass too");
});

test("supported built-ins and plain class instances are still keyed", () => {
  class Point {
    constructor(public x: number) {}
  }
  class MyMap extends Map<string, number> {}
  for (
    const v of [
      new Map([[1, 2]]),
      new Set([1]),
      new Date(0),
      /a/g,
      new Uint8Array([1]),
      new ArrayBuffer(2),
      new DataView(new ArrayBuffer(2)),
      new URL("https://example.com/"),
      new RangeError("m"),
      new Point(1),
      new MyMap([["a", 1]]),
      Object.create(null),
    ]
  ) {
    assert.ok(encodeCanonical(v).byteLength > 0);
  }
  assert.notEqual(
    encodeCanonical(new Point(1)).join(),
    encodeCanonical(new Point(2)).join(),
  );
});

test("a Proxy raises a TypeError: it would be keyed by what its traps show", () => {
  const target = { secret: 1 };
  const hidden = new Proxy(target, { ownKeys: () => [] });
  assert.throws(
    () => encodeCanonical([hidden], { path: "argument `p` (parameter 1)" }),
    (e: Error) =>
      e instanceof TypeError &&
      e.message.startsWith("argument `p` (parameter 1) at [0] is a Proxy"),
  );
  assert.throws(() => encodeCanonical(new Proxy([1, 2], {})), /Proxy/);
});

test("cached() rejects a Headers or Proxy argument with a TypeError naming the parameter", () =>
  withCache(async ({ cache }) => {
    let calls = 0;
    const f = cached(function send(data: number, headers: unknown) {
      calls++;
      return data + String(headers).length;
    }, { cacheDir: cache });
    await assert.rejects(
      () => f(1, new Headers({ a: "1" })),
      (e) => e instanceof TypeError && /`headers`/.test(e.message) && /Headers/.test(e.message),
    );
    await assert.rejects(
      () => f(1, new Proxy({}, {})),
      (e) => e instanceof TypeError && /`headers`/.test(e.message) && /Proxy/.test(e.message),
    );
    assert.equal(calls, 0);
  }));
