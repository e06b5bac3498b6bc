/**
 * The miss path's shortcuts keep every check: an early fingerprint taken from the digest
 * memo (no hashing), inputs recorded synchronously after one batched wait, the faster
 * touched-ancestor test, and the miss counted while the work runs.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint, type MemoLookup } from "../../lib/engine/fingerprint.ts";
import { InputRecorder } from "../../lib/engine/record_inputs.ts";
import { runWork } from "../../lib/engine/run_work.ts";
import type { Execution, Work } from "../../lib/engine/types.ts";
import { digestDirectory, digestFile } from "../../lib/hash/digest.ts";
import { fingerprintOf, RACY_MS } from "../../lib/store/fingerprint.ts";
import { openStore } from "../../lib/store/store.ts";
import type { Effects } from "../../lib/trace/effects.ts";

let hashed = 0;
const digest = async (p: string, kind: "file" | "listing") => {
  hashed++;
  return kind === "listing" ? await digestDirectory(p) : (await digestFile(p)).digest;
};

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "casher-miss-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** A system file that has not changed for a long time (its fingerprint may be memoized). */
const OLD_FILE = ["/etc/os-release", "/usr/bin/env", "/bin/sh"].find((p) => {
  try {
    const st = statSync(p);
    return st.isFile() && Math.max(st.mtimeMs, st.ctimeMs) < Date.now() - 10 * RACY_MS;
  } catch {
    return false;
  }
});

/** The memo's fingerprint string of `path` as it is now. */
function memoFp(path: string): string {
  const st = statSync(path, { bigint: true });
  return fingerprintOf({
    dev: Number(st.dev),
    ino: Number(st.ino),
    size: Number(st.size),
    mtimeMs: Number(st.mtimeNs / 1_000_000n),
    ctimeS: Number(st.ctimeNs / 1_000_000_000n),
  });
}

Deno.test({
  name: "an old file the memo knows under its exact fingerprint is not hashed",
  ignore: OLD_FILE === undefined,
  fn: async () => {
    const path = OLD_FILE!;
    const fp = memoFp(path);
    const asked: string[] = [];
    const memo: MemoLookup = (
      p,
      f,
    ) => (asked.push(f), p === path && f === fp ? "memo-digest" : null);
    hashed = 0;
    const got = await fingerprint(path, { startedAt: Date.now() + 1000, digest, memo });
    assert.equal(got.kind, "ok");
    if (got.kind === "ok") assert.equal(got.digest, "memo-digest");
    assert.deepEqual(asked, [fp]);
    assert.equal(hashed, 0);
  },
});

Deno.test({
  name: "a memo row for another fingerprint, or a failing memo, falls back to hashing",
  ignore: OLD_FILE === undefined,
  fn: async () => {
    const path = OLD_FILE!;
    const real = (await digestFile(path)).digest;
    const memos: MemoLookup[] = [
      (_p, f) => (f === "0:0:0:0:0" ? "a row for another fingerprint" : null),
      () => null,
      () => {
        throw new Error("index unreadable");
      },
    ];
    for (const memo of memos) {
      hashed = 0;
      const got = await fingerprint(path, { startedAt: Date.now() + 1000, digest, memo });
      assert.equal(got.kind, "ok");
      if (got.kind === "ok") assert.equal(got.digest, real);
      assert.equal(hashed, 1);
    }
  },
});

Deno.test(
  "a file changed within the racy window is hashed even when the memo has a row for it",
  withDir(async (dir) => {
    const f = join(dir, "fresh.txt");
    writeFileSync(f, "fresh");
    let asked = 0;
    hashed = 0;
    const got = await fingerprint(f, {
      startedAt: Date.now() + 1000,
      digest,
      memo: () => (asked++, "memo-digest"),
    });
    assert.equal(got.kind, "ok");
    if (got.kind === "ok") assert.equal(got.digest, (await digestFile(f)).digest);
    assert.equal(asked, 0);
    assert.equal(hashed, 1);
  }),
);

Deno.test({
  name: "an input fingerprinted from the memo during the run is recorded with that digest",
  ignore: OLD_FILE === undefined,
  fn: async () => {
    const path = OLD_FILE!;
    const fp = memoFp(path);
    const rec = new InputRecorder({
      startedAt: Date.now() + 1000,
      digest,
      memo: (p, f) => (p === path && f === fp ? "memo-digest" : null),
    });
    rec.onFirstRead(path);
    const effects: Effects = {
      trust: { kind: "trusted" },
      inputs: [{ path, kind: "file" }],
      outputs: [],
      deletions: [],
    };
    const verdict = await rec.finish({ declared: [], effects });
    assert.equal(verdict.kind, "ok");
    if (verdict.kind === "ok") assert.equal(verdict.inputs[0].digest, "memo-digest");
  },
});

Deno.test(
  "an input fingerprinted early and rewritten before the run ended is unstorable",
  withDir(async (dir) => {
    const f = join(dir, "a.txt");
    writeFileSync(f, "before");
    const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
    rec.onFirstRead(f);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(f, "after, longer"); // the run rewrote it after reading it
    const effects: Effects = {
      trust: { kind: "trusted" },
      inputs: [{ path: f, kind: "file" }],
      outputs: [],
      deletions: [],
    };
    const verdict = await rec.finish({ declared: [], effects });
    assert.equal(verdict.kind, "unstorable");
    if (verdict.kind === "unstorable") {
      assert.match(verdict.reason, /changed while the command ran/);
    }
  }),
);

Deno.test(
  "inputs with and without early fingerprints are recorded in trace order",
  withDir(async (dir) => {
    const names = ["a", "b", "c", "d"].map((n) => join(dir, n));
    for (const n of names) writeFileSync(n, n);
    const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
    rec.onFirstRead(names[1]);
    rec.onFirstRead(names[3]);
    const effects: Effects = {
      trust: { kind: "trusted" },
      inputs: [
        ...names.map((path) => ({ path, kind: "file" as const })),
        { path: join(dir, "missing"), kind: "absent" },
      ],
      outputs: [],
      deletions: [],
    };
    const verdict = await rec.finish({ declared: [], effects });
    assert.equal(verdict.kind, "ok");
    if (verdict.kind !== "ok") return;
    assert.deepEqual(verdict.inputs.map((i) => i.path), [...names, join(dir, "missing")]);
    for (const [i, n] of names.entries()) {
      assert.equal(verdict.inputs[i].digest, (await digestFile(n)).digest);
    }
    assert.equal(verdict.inputs[4].kind, "absent");
  }),
);

for (const extra of [0, 20]) {
  Deno.test(
    `an input under a directory the run created is unstorable (${extra + 1} touched paths)`,
    withDir(async (dir) => {
      mkdirSync(join(dir, "made"));
      writeFileSync(join(dir, "made/x"), "x");
      writeFileSync(join(dir, "madeup"), "not under made/");
      const outputs: Effects["outputs"] = [
        { path: join(dir, "made"), kind: "dir" },
        ...Array.from({ length: extra }, (_, i) => ({
          path: join(dir, `out${i}`),
          kind: "file" as const,
        })),
      ];
      const effectsOf = (input: string): Effects => ({
        trust: { kind: "trusted" },
        inputs: [{ path: input, kind: "file" }],
        outputs,
        deletions: [],
      });
      const rec = new InputRecorder({ startedAt: Date.now() + 1000, digest });
      const under = await rec.finish({ declared: [], effects: effectsOf(join(dir, "made/x")) });
      assert.equal(under.kind, "unstorable");
      if (under.kind === "unstorable") {
        assert.match(under.reason, /changed a directory or link on the path/);
      }
      // A sibling whose name merely starts like the directory is not under it.
      const beside = await rec.finish({ declared: [], effects: effectsOf(join(dir, "madeup")) });
      assert.equal(beside.kind, "ok");
    }),
  );
}

Deno.test("a miss is counted once, whether the work ends before or after the timer", async () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-miss-"));
  const store = openStore(join(dir, "cache"), { maxCacheBytes: 1 << 30, maxCandidates: 8 });
  try {
    const exec: Execution = {
      result: { kind: "exit", code: 0 },
      chunks: [],
      effects: { trust: { kind: "trusted" }, inputs: [], outputs: [], deletions: [] },
      storable: { kind: "yes" },
    };
    const policy = { replayOutputs: "always", force: true, store: true, ttlMs: null } as const;
    const work = (waitMs: number): Work => ({
      key: "cd".repeat(16),
      keyMaterial: "material",
      label: "counted work",
      declaredInputs: [],
      declaredOutputs: [],
      execute: () =>
        waitMs === 0
          ? Promise.resolve(exec)
          : new Promise((r) => setTimeout(() => r(exec), waitMs)),
    });
    const before = store.stats().misses;
    await runWork(work(0), { store, policy, lockTimeoutMs: 1000 });
    assert.equal(store.stats().misses, before + 1);
    await runWork(work(30), { store, policy, lockTimeoutMs: 1000 });
    assert.equal(store.stats().misses, before + 2);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
