/**
 * Helper run in the OTHER runtime by codec_test.ts: decodes `argv[2]`, checks type
 * identities that a structural compare could miss, re-encodes to `argv[3]`, and prints
 * a JSON report.
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { decodeValue } from "../../lib/codec/decode_value.ts";
import { encodeValue } from "../../lib/codec/encode_value.ts";

const v = (await decodeValue(readFileSync(process.argv[2]))) as Record<string, unknown>;
const err = v.err as Error & { cause?: unknown };
const report = {
  runtime: typeof (globalThis as Record<string, unknown>).Bun !== "undefined" ? "bun" : "deno",
  mapIsMap: v.map instanceof Map,
  errIsTypeError: err instanceof TypeError,
  causeIsRangeError: err.cause instanceof RangeError,
  negZero: Object.is((v.nums as number[])[1], -0),
  big: String((v.big as bigint[])[1]),
  cyclic: (v.cyclic as Record<string, unknown>).self === v.cyclic,
  table: (v.table as { numRows?: number } | undefined)?.numRows ?? null,
};
const again = await encodeValue(v);
if (again.kind !== "ok") throw new Error(`re-encode failed: ${again.typeName}`);
writeFileSync(process.argv[3], again.bytes);
console.log(JSON.stringify(report));
