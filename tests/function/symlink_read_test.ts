import assert from "node:assert/strict";
import fs from "node:fs";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./_shim.ts";
import { settle, withCache } from "./_cached_fixture.ts";
import { cached } from "../../mod.ts";
import { runTracked } from "../../lib/function/io_tracker.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-link-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const inputs = (run: { effects: { inputs: readonly { kind: string; path: string }[] } }) =>
  run.effects.inputs.map((i) => `${i.kind}:${i.path}`);

test("a call that reads through a symlink it created depends on the link's target", () =>
  withCache(async ({ dir, cache }) => {
    const p = join(dir, "data.txt");
    const q = join(dir, "link");
    writeFileSync(p, "old");
    await settle();
    let calls = 0;
    const viaLink = cached(function viaLink(target: string) {
      calls++;
      fs.rmSync(q, { force: true });
      fs.symlinkSync(target, q);
      return fs.readFileSync(q, "utf8");
    }, { cacheDir: cache });
    assert.equal(await viaLink(p), "old");
    assert.equal(await viaLink(p), "old");
    assert.equal(calls, 1);
    writeFileSync(p, "new");
    await settle();
    assert.equal(await viaLink(p), "new", "the target changed: a miss, not the old content");
    assert.equal(calls, 2);
  }));

test("link targets are resolved against the link's directory, through chains of the call's links", () =>
  withDir(async (d) => {
    mkdirSync(join(d, "sub"));
    writeFileSync(join(d, "data"), "x");
    const run = await runTracked(async () => {
      fs.symlinkSync("../data", join(d, "sub", "l1")); // relative to sub/
      await fs.promises.symlink(join(d, "sub", "l1"), join(d, "l2"));
      return fs.readFileSync(join(d, "l2"), "utf8");
    });
    assert.deepEqual(run.outcome, { kind: "value", value: "x" });
    assert.equal(run.effects.trust.kind, "trusted");
    assert.deepEqual(inputs(run), [`file:${d}/data`]);
    assert.deepEqual(run.effects.outputs.map((o) => `${o.kind}:${o.path}`), [
      `symlink:${d}/sub/l1`,
      `symlink:${d}/l2`,
    ]);
  }));

test("the first-access rule applies to the target: written first, it is not an input", () =>
  withDir(async (d) => {
    writeFileSync(join(d, "seen"), "s");
    const run = await runTracked(() => {
      fs.readFileSync(join(d, "seen"));
      fs.writeFileSync(join(d, "made"), "m");
      fs.symlinkSync(join(d, "made"), join(d, "to-made"));
      fs.symlinkSync(join(d, "seen"), join(d, "to-seen"));
      fs.symlinkSync(join(d, "missing"), join(d, "dangling"));
      fs.readFileSync(join(d, "to-made"));
      fs.readFileSync(join(d, "to-seen"));
      assert.throws(() => fs.readFileSync(join(d, "dangling")));
    });
    assert.equal(run.outcome.kind, "value");
    assert.deepEqual(inputs(run), [`file:${d}/seen`, `absent:${d}/missing`]);
  }));

test("Deno.symlink links are followed too (Deno only)", () =>
  withDir(async (d) => {
    if (!g.Deno) return;
    writeFileSync(join(d, "data"), "x");
    const run = await runTracked(async () => {
      await g.Deno.symlink(join(d, "data"), join(d, "link"));
      return g.Deno.readTextFileSync(join(d, "link"));
    });
    assert.deepEqual(run.outcome, { kind: "value", value: "x" });
    assert.deepEqual(inputs(run), [`file:${d}/data`]);
  }));
