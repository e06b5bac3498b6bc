/** A value exercising every supported type, shared by the codec tests and the cross-runtime helper. */
export function richValue(): Record<string, unknown> {
  const shared = { s: 1 };
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const cause = new RangeError("inner");
  const err = new TypeError("outer", { cause }) as TypeError & { code?: string };
  err.code = "E_X";
  const nullProto = Object.create(null);
  nullProto.k = "v";
  return {
    str: "héllo \u{1F600}",
    lone: "a\uD800b",
    nums: [0, -0, NaN, Infinity, -Infinity, 1.5, 2 ** 53 + 2, -7],
    big: [0n, -(2n ** 80n), 2n ** 64n],
    flags: [true, false, null, undefined],
    holes: [1, , 3],
    date: new Date(1_700_000_000_123),
    badDate: new Date(NaN),
    re: Object.assign(/a(b)?/giu, { lastIndex: 2 }),
    map: new Map<unknown, unknown>([["k", 1], [2, new Set(["x"])], [{ o: 1 }, [1]]]),
    set: new Set([1, "1", 1n]),
    u8: new Uint8Array([1, 2, 255]),
    f64: new Float64Array([0.5, -0]),
    i64: new BigInt64Array([-1n, 5n]),
    sub: new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2),
    ab: new Uint8Array([9, 8]).buffer,
    dv: new DataView(new Uint8Array([7]).buffer),
    url: new URL("https://example.com/a?b#c"),
    err,
    nullProto,
    shared: [shared, shared],
    cyclic,
  };
}
