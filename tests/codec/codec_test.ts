import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isBun, test } from "../function/_shim.ts";
import { decodeValue, encodeValue } from "../../lib/codec/mod.ts";
import { isCasherError } from "../../lib/errors/casher_error.ts";
import { richValue } from "./_fixture.ts";

async function roundTrip(v: unknown): Promise<unknown> {
  const r = await encodeValue(v);
  assert.equal(r.kind, "ok", r.kind === "unsupported" ? r.typeName : "");
  return decodeValue((r as { bytes: Uint8Array }).bytes);
}

/** Checks the rich fixture after a round trip, including what deepEqual glosses over. */
function checkRich(back: Record<string, unknown>): void {
  const orig = richValue();
  for (
    const k of [
      "str",
      "lone",
      "big",
      "flags",
      "date",
      "map",
      "set",
      "u8",
      "f64",
      "i64",
      "sub",
      "url",
    ]
  ) {
    assert.deepEqual(back[k], orig[k], k);
  }
  const nums = back.nums as number[];
  assert.ok(Object.is(nums[1], -0) && Object.is(nums[0], 0) && Number.isNaN(nums[2]));
  assert.deepEqual(nums.slice(3), (orig.nums as number[]).slice(3));
  assert.equal((back.holes as unknown[]).length, 3);
  assert.ok(!(1 in (back.holes as unknown[])), "hole preserved");
  assert.ok(Number.isNaN((back.badDate as Date).getTime()));
  const re = back.re as RegExp;
  assert.equal(re.source, "a(b)?");
  assert.equal(re.flags, "giu");
  assert.equal(re.lastIndex, 2);
  assert.deepEqual(new Uint8Array(back.ab as ArrayBuffer), new Uint8Array([9, 8]));
  assert.ok(back.dv instanceof DataView && (back.dv as DataView).getUint8(0) === 7);
  assert.ok(back.sub instanceof Uint16Array && (back.sub as Uint16Array).length === 2);
  const err = back.err as TypeError & { code?: string; cause?: unknown };
  assert.ok(err instanceof TypeError);
  assert.equal(err.message, "outer");
  assert.equal(err.code, "E_X");
  assert.match(String(err.stack), /^TypeError: outer\n.*richValue/s);
  assert.ok(err.cause instanceof RangeError && (err.cause as Error).message === "inner");
  assert.equal(Object.getPrototypeOf(back.nullProto), null);
  const shared = back.shared as object[];
  assert.equal(shared[0], shared[1]);
  const cyc = back.cyclic as Record<string, unknown>;
  assert.equal(cyc.self, cyc);
}

test("every supported type round-trips exactly", async () => {
  checkRich((await roundTrip(richValue())) as Record<string, unknown>);
});

test("a stack trace and a custom error name on a plain Error survive", async () => {
  const e = Object.assign(new Error("boom"), { name: "AppError" });
  const back = (await roundTrip(e)) as Error;
  assert.equal(Object.getPrototypeOf(back), Error.prototype);
  assert.equal(back.name, "AppError");
  assert.equal(back.message, "boom");
  assert.equal(back.stack, e.stack);
});

// Any `instanceof Error` used to be accepted and decoded as the built-in class of its
// `name` (or a plain Error), so a hit returned a different value: not an instance of the
// subclass, without its methods, without AggregateError's `errors` or DOMException's
// `code`. Such errors are class instances like any other: returned, not cached.
test("an Error subclass, AggregateError or DOMException is unsupported, not decoded as Error", async () => {
  class HttpError extends Error {
    status = 404;
    describe(): string {
      return `${this.status} ${this.message}`;
    }
  }
  class Quiet extends TypeError {}
  const cases: [unknown, RegExp][] = [
    [new HttpError("gone"), /^HttpError$/],
    [new Quiet("q"), /^Quiet$/],
    [{ nested: [new HttpError("gone")] }, /^HttpError$/],
    [new Error("outer", { cause: new HttpError("inner") }), /^HttpError$/],
    [new AggregateError([new Error("a")], "all"), /^AggregateError$/],
    [new DOMException("missing", "NotFoundError"), /^DOMException$/],
  ];
  for (const [v, re] of cases) {
    const r = await encodeValue(v);
    assert.equal(r.kind, "unsupported", String(v));
    assert.match((r as { typeName: string }).typeName, re);
  }
  for (
    const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]
  ) {
    const back = await roundTrip(new C("m"));
    assert.equal(Object.getPrototypeOf(back), C.prototype, C.name);
  }
});

test("values that cannot round-trip are reported unsupported with their type name", async () => {
  class Point {
    x = 1;
  }
  const cases: [unknown, RegExp][] = [
    [function train() {}, /function train/],
    [Symbol("s"), /symbol/],
    [new Point(), /^Point$/],
    [{ nested: [new WeakMap()] }, /WeakMap/],
    [Promise.resolve(1), /Promise/],
    [new (class MyMap extends Map {})(), /MyMap/],
    [Object.assign([1], { extra: true }), /extra properties/],
    [{ [Symbol("k")]: 1 }, /symbol keys/],
    [new Number(1), /Number/],
  ];
  for (const [v, re] of cases) {
    const r = await encodeValue(v);
    assert.equal(r.kind, "unsupported");
    assert.match((r as { typeName: string }).typeName, re);
  }
});

test("corrupt or foreign bytes raise blob-corrupt instead of returning a value", async () => {
  const ok = await encodeValue({ a: [1, 2, 3] });
  assert.equal(ok.kind, "ok");
  const bytes = (ok as { bytes: Uint8Array }).bytes;
  const broken = [
    new Uint8Array([1, 2, 3]),
    bytes.subarray(0, bytes.byteLength - 2),
    Uint8Array.from([...bytes.subarray(0, 5), 0x92, 0x92, 0x63, 0x01, 0x90]), // [[99, 1], []]: unknown tag
  ];
  for (const b of broken) {
    await assert.rejects(decodeValue(b), (e: unknown) => isCasherError(e, "blob-corrupt"));
  }
});

test("an Apache Arrow table round-trips via Arrow IPC", async () => {
  const arrow = await import("apache-arrow");
  const table = arrow.tableFromArrays({ x: Float64Array.from([1, 2, 3]), s: ["a", "b", "c"] });
  const back = (await roundTrip({ table, note: "t" })) as { table: typeof table; note: string };
  assert.equal(back.note, "t");
  assert.equal(back.table.numRows, 3);
  assert.deepEqual(
    back.table.toArray().map((r) => r.toJSON()),
    table.toArray().map((r) => r.toJSON()),
  );
});

test("a value encoded in this runtime decodes in the other runtime and comes back equal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-codec-"));
  try {
    const arrow = await import("apache-arrow");
    const value = { ...richValue(), table: arrow.tableFromArrays({ n: Int32Array.from([4, 5]) }) };
    const r = await encodeValue(value);
    assert.equal(r.kind, "ok");
    writeFileSync(join(dir, "in.bin"), (r as { bytes: Uint8Array }).bytes);
    const helper = fileURLToPath(new URL("./_cross_runtime.ts", import.meta.url));
    const [cmd, ...args] = isBun ? ["deno", "run", "-A", helper] : ["bun", helper];
    const p = spawnSync(cmd, [...args, join(dir, "in.bin"), join(dir, "out.bin")], {
      encoding: "utf8",
    });
    assert.equal(p.status, 0, p.stderr);
    const report = JSON.parse(p.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(report, {
      runtime: isBun ? "deno" : "bun",
      mapIsMap: true,
      errIsTypeError: true,
      causeIsRangeError: true,
      negZero: true,
      big: String(-(2n ** 80n)),
      cyclic: true,
      table: 2,
    });
    const back = (await decodeValue(readFileSync(join(dir, "out.bin")))) as Record<string, unknown>;
    checkRich(back);
    assert.deepEqual([...(back.table as { getChild(n: string): Iterable<number> }).getChild("n")], [
      4,
      5,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
