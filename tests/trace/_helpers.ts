// Shared helpers for the tracer tests.
import { readFileSync } from "node:fs";
import { LineSplitter } from "../../lib/trace/line_splitter.ts";
import {
  TraceModel,
  type TraceModelOptions,
  type TraceSummary,
} from "../../lib/trace/trace_model.ts";
import type { Effects } from "../../lib/trace/effects.ts";

export const FIXTURE_DIR = new URL("../fixtures/trace/", import.meta.url).pathname;
/** The directory the fixtures were captured in (see capture.sh). */
export const FX = "/tmp/casher-trace-fixture/w";

export function runTraceText(
  text: Uint8Array | string,
  opts: Partial<TraceModelOptions> = {},
): TraceSummary {
  const m = new TraceModel({ cwd: FX, outputRoots: ["/"], exclude: [], ...opts });
  const s = new LineSplitter();
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  s.push(bytes, (l) => m.line(l));
  return m.finish(s.end());
}

export function runFixture(name: string, opts: Partial<TraceModelOptions> = {}): TraceSummary {
  return runTraceText(readFileSync(FIXTURE_DIR + name), opts);
}

export function inputsOf(e: Effects, kind?: string): string[] {
  return e.inputs.filter((i) => kind === undefined || i.kind === kind).map((i) => i.path);
}

export function outputsOf(e: Effects): string[] {
  return e.outputs.map((o) => o.path);
}

/** Hex-encodes a byte string the way `strace -xx` prints it. */
export function hx(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += "\\x" + s.charCodeAt(i).toString(16).padStart(2, "0");
  return out;
}
