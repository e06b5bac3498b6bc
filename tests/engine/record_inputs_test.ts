import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputRecorder } from "../../lib/engine/record_inputs.ts";
import { digestDirectory, digestFile } from "../../lib/hash/digest.ts";
import type { Effects } from "../../lib/trace/effects.ts";

const digest = async (p: string, kind: "file" | "listing") =>
  kind === "listing" ? await digestDirectory(p) : (await digestFile(p)).digest;

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-rec-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A/x = AAA, B/x = BBB, L -> A; the "run" reads L/x, then re-points L to B. */
function repointed(dir: string): { effects: Effects; repoint: () => void; input: string } {
  mkdirSync(join(dir, "A"));
  mkdirSync(join(dir, "B"));
  writeFileSync(join(dir, "A/x"), "AAA\n");
  writeFileSync(join(dir, "B/x"), "BBB\n");
  symlinkSync("A", join(dir, "L"));
  const input = join(dir, "L/x");
  return {
    input,
    repoint: () => {
      symlinkSync("B", join(dir, "L.tmp"));
      renameSync(join(dir, "L.tmp"), join(dir, "L"));
    },
    effects: {
      trust: { kind: "trusted" },
      inputs: [{ path: input, kind: "file" }],
      outputs: [{ path: join(dir, "L"), kind: "symlink" }],
      deletions: [],
    },
  };
}

Deno.test(
  "an input under a link the run re-pointed is unstorable without a pre-run fingerprint",
  withDir(async (dir) => {
    const { effects, repoint, input } = repointed(dir);
    const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
    repoint(); // the tracer reports the read only after the run re-pointed L
    rec.onFirstRead(input);
    const verdict = await rec.finish({ declared: [], effects });
    assert.equal(verdict.kind, "unstorable");
    if (verdict.kind === "unstorable") {
      assert.match(verdict.reason, /changed a directory or link on the path of .*L\/x/);
    }
  }),
);

Deno.test(
  "an input under a link the run re-pointed keeps its fingerprint from before the run",
  withDir(async (dir) => {
    const { effects, repoint, input } = repointed(dir);
    const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
    await rec.prefetch([input]);
    repoint();
    rec.onFirstRead(input);
    const verdict = await rec.finish({ declared: [], effects });
    assert.deepEqual(verdict, {
      kind: "ok",
      inputs: [{ path: input, kind: "file", digest: (await digestFile(join(dir, "A/x"))).digest }],
    });
  }),
);

Deno.test(
  "an input unchanged for 2 s before the run keeps its stat fingerprint; a younger one does not",
  withDir(async (dir) => {
    const old = join(dir, "old");
    const young = join(dir, "young");
    writeFileSync(old, "o");
    writeFileSync(young, "y");
    // ctime cannot be set back, so the run "starts" 3.5 s from now; `young` was modified
    // (its mtime says) 3 s from now, inside the racy window before that start.
    const now = Date.now();
    const future = new Date(now + 3000);
    utimesSync(young, future, future);
    const rec = new InputRecorder({ startedAt: now + 3500, digest });
    const verdict = await rec.finish({
      declared: [],
      effects: {
        trust: { kind: "trusted" },
        inputs: [{ path: old, kind: "file" }, { path: young, kind: "file" }],
        outputs: [],
        deletions: [],
      },
    });
    assert.equal(verdict.kind, "ok");
    if (verdict.kind !== "ok") return;
    const st = statSync(old);
    assert.deepEqual(verdict.inputs[0].stat, [
      st.dev,
      st.ino,
      st.size,
      Math.floor(st.mtimeMs),
      Math.floor(st.ctimeMs / 1000),
    ]);
    assert.equal(verdict.inputs[1].stat, undefined);
  }),
);

Deno.test(
  "a small prefetched file rewritten in place by the run is recorded with its pre-run content",
  withDir(async (dir) => {
    const f = join(dir, "counter");
    writeFileSync(f, "41\n");
    const before = (await digestFile(f)).digest;
    const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
    await rec.prefetch([f]);
    writeFileSync(f, "42\n"); // same inode, truncated and rewritten by "the run"
    const verdict = await rec.finish({
      declared: [],
      effects: {
        trust: { kind: "trusted" },
        inputs: [{ path: f, kind: "file" }],
        outputs: [{ path: f, kind: "file" }],
        deletions: [],
      },
    });
    assert.equal(verdict.kind, "ok");
    if (verdict.kind === "ok") assert.equal(verdict.inputs[0].digest, before);
  }),
);

Deno.test(
  "a meta input on a path the run removed is what the trace printed, or unstorable",
  withDir(async (dir) => {
    const d = join(dir, "d");
    const rec = () => new InputRecorder({ startedAt: Date.now() + 1000, digest });
    const effects = (probe: Effects["inputs"][number]): Effects => ({
      trust: { kind: "trusted" },
      inputs: [probe],
      outputs: [],
      deletions: [d],
    });
    // `test -d d && rmdir d`: d is gone after the run, the stat printed what it was.
    const seen = await rec().finish({
      declared: [],
      effects: effects({ path: d, kind: "meta", probe: { kind: "lstat", mode: 0o040755 } }),
    });
    assert.deepEqual(seen, {
      kind: "ok",
      inputs: [{ path: d, kind: "meta", digest: "l:dir:755" }],
    });
    // `mkdir d || rmdir d`: EEXIST printed no mode.
    const unseen = await rec().finish({
      declared: [],
      effects: effects({ path: d, kind: "meta", probe: { kind: "lstat" } }),
    });
    assert.equal(unseen.kind, "unstorable");
    if (unseen.kind === "unstorable") {
      assert.match(unseen.reason, /checked \(lstat\), then changed/);
    }
    const link = await rec().finish({
      declared: [],
      effects: effects({ path: d, kind: "meta", probe: { kind: "readlink", target: "x" } }),
    });
    assert.deepEqual(link, { kind: "ok", inputs: [{ path: d, kind: "meta", digest: "r:78" }] });
  }),
);
