// Fuzz: mutated and truncated real trace lines never crash the parser; each one is
// either classified (a known shape) or marks the run untrusted. Seeded, deterministic.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseTraceLine } from "../../lib/trace/line_parser.ts";
import { TraceModel } from "../../lib/trace/trace_model.ts";
import { FIXTURE_DIR, FX } from "./_helpers.ts";

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ' "\\x0123456789abcdef(){}[]<>,=|-+?.:AT_FDCWDO_RDONLY\t\xff\x00';

function mutate(line: string, rnd: () => number): string {
  const pos = Math.floor(rnd() * (line.length + 1));
  const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return line.slice(0, pos); // truncated
    case 1:
      return line.slice(0, pos) + ch + line.slice(pos + 1); // replaced
    case 2:
      return line.slice(0, pos) + ch + line.slice(pos); // inserted
    case 3:
      return line.slice(0, pos) + line.slice(pos + 1 + Math.floor(rnd() * 8)); // deleted run
    case 4:
      return line.slice(pos) + line.slice(0, pos); // rotated
    default:
      return line.replace(/^\d+/, String(Math.floor(rnd() * 5))); // other pid
  }
}

Deno.test("100k mutated trace lines never crash; each is classified or untrusts the run", () => {
  const lines = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".trace"))
    .flatMap((f) => readFileSync(FIXTURE_DIR + f, "latin1").split("\n").filter((l) => l !== ""));
  assert.ok(lines.length > 100);
  const rnd = prng(0xca54e2);
  let untrusted = 0;
  let classified = 0;
  for (let i = 0; i < 100_000; i++) {
    const line = mutate(lines[Math.floor(rnd() * lines.length)], rnd);
    const m = new TraceModel({ cwd: FX, outputRoots: ["/"], exclude: [] });
    m.line(line);
    const r = m.finish("", { expectTrace: false });
    if (r.effects.trust.kind === "untrusted") {
      assert.ok(r.effects.trust.reason.length > 0);
      untrusted++;
      continue;
    }
    const shape = parseTraceLine(line).kind;
    assert.ok(
      r.syscalls === 1 || ["signal", "exited", "killed", "superseded", "blank"].includes(shape),
      `trusted but unclassified: ${JSON.stringify(line)} (${shape})`,
    );
    classified++;
  }
  assert.ok(
    untrusted > 10_000 && classified > 1_000,
    `untrusted=${untrusted} classified=${classified}`,
  );
});

Deno.test("a whole trace with random lines cut or corrupted never throws", () => {
  const text = readFileSync(FIXTURE_DIR + "unfinished_3proc.trace", "latin1").split("\n");
  const rnd = prng(7);
  for (let round = 0; round < 50; round++) {
    const m = new TraceModel({ cwd: FX, outputRoots: ["/"], exclude: [] });
    for (const l of text) m.line(rnd() < 0.05 ? mutate(l, rnd) : l);
    const r = m.finish(rnd() < 0.5 ? "123 openat(" : "");
    assert.ok(r.effects.trust.kind === "trusted" || r.effects.trust.reason.length > 0);
  }
});
