import assert from "node:assert/strict";
import fs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun, test } from "./_shim.ts";
import {
  installTracking,
  isTracking,
  recordNested,
  runTracked,
  uninstallTracking,
  untracked,
} from "../../lib/function/io_tracker.ts";
import type { Effects } from "../../lib/trace/effects.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "casher-trk-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const kinds = (e: Effects) => ({
  inputs: e.inputs.map((i) => `${i.kind}:${i.path}`),
  outputs: e.outputs.map((o) => `${o.kind}:${o.path}`),
  deletions: [...e.deletions],
});
const text = (chunks: { fd: number; bytes: Uint8Array }[]) =>
  chunks.map((c) => `${c.fd}:${new TextDecoder().decode(c.bytes)}`);

test("node:fs sync, callback and promise reads and writes are recorded with the first-access rule", () =>
  withDir(async (d) => {
    writeFileSync(join(d, "in"), "x");
    writeFileSync(join(d, "cb"), "y");
    writeFileSync(join(d, "p"), "z");
    const run = await runTracked(async () => {
      fs.writeFileSync(join(d, "out"), fs.readFileSync(join(d, "in")));
      fs.readFileSync(join(d, "out")); // written before read: not an input
      await new Promise((r) => fs.readFile(join(d, "cb"), r));
      await fs.promises.readFile(join(d, "p"));
      fs.existsSync(join(d, "absent"));
      await fs.promises.copyFile(join(d, "in"), join(d, "copy"));
      fs.mkdirSync(join(d, "sub"));
      fs.appendFileSync(join(d, "sub", "log"), "1");
      return 42;
    });
    assert.deepEqual(run.outcome, { kind: "value", value: 42 });
    assert.equal(run.effects.trust.kind, "trusted");
    assert.deepEqual(kinds(run.effects), {
      // mkdir without recursive fails on an existing path, and appending to a missing file
      // makes a new one: both depend on the path being absent.
      inputs: [
        `file:${d}/in`,
        `file:${d}/cb`,
        `file:${d}/p`,
        `absent:${d}/absent`,
        `absent:${d}/sub`,
        `absent:${d}/sub/log`,
      ],
      outputs: [`file:${d}/out`, `file:${d}/copy`, `dir:${d}/sub`, `file:${d}/sub/log`],
      deletions: [],
    });
  }));

test("streams, open flags, rename and unlink are classified", () =>
  withDir(async (d) => {
    writeFileSync(join(d, "a"), "a");
    writeFileSync(join(d, "gone"), "g");
    const run = await runTracked(async () => {
      await new Promise<void>((r) =>
        fs.createReadStream(join(d, "a")).on("close", () => r()).resume()
      );
      fs.closeSync(fs.openSync(join(d, "w"), "w"));
      const h = await fs.promises.open(join(d, "a"), "r");
      await h.close();
      fs.writeFileSync(join(d, "t.tmp"), "t");
      fs.renameSync(join(d, "t.tmp"), join(d, "t"));
      fs.unlinkSync(join(d, "gone"));
    });
    assert.deepEqual(kinds(run.effects), {
      // unlink succeeds only because `gone` was there: what was there is an input.
      inputs: [`file:${d}/a`, `meta:${d}/gone`],
      outputs: [`file:${d}/w`, `file:${d}/t`],
      deletions: [`${d}/gone`],
    });
  }));

test("overlapping async calls record only their own I/O and output", () =>
  withDir(async (d) => {
    for (const n of ["a", "b"]) writeFileSync(join(d, n), n);
    const tick = () => new Promise((r) => setTimeout(r, 5));
    const job = (n: string) =>
      runTracked(async () => {
        await tick();
        await fs.promises.readFile(join(d, n));
        console.log(`from ${n}`);
        await tick();
        await fs.promises.writeFile(join(d, n + ".out"), n);
        return n;
      });
    const [a, b] = await Promise.all([job("a"), job("b")]);
    assert.deepEqual(kinds(a.effects).inputs, [`file:${d}/a`]);
    assert.deepEqual(kinds(b.effects).outputs, [`file:${d}/b.out`]);
    assert.deepEqual(text(a.chunks), ["1:from a\n"]);
    assert.deepEqual(text(b.chunks), ["1:from b\n"]);
  }));

test("stdout and stderr are captured in order from console and process streams", async () => {
  const run = await runTracked(() => {
    console.log("one", 2);
    process.stderr.write("two\n");
    process.stdout.write(new TextEncoder().encode("three\n"));
    console.error("four");
    fs.writeSync(1, "five\n");
  });
  assert.deepEqual(text(run.chunks), ["1:one 2\n", "2:two\n", "1:three\n", "2:four\n", "1:five\n"]);
});

test("console output that cannot be reproduced marks the call untrusted", async () => {
  const run = await runTracked(() => console.table([{ a: 1 }]));
  assert.equal(run.effects.trust.kind, "untrusted");
});

test("a console call renders its arguments once, for the live line and the record alike", async () => {
  let renders = 0;
  const value = { toString: () => `render ${++renders}` };
  const run = await runTracked(() => console.log("%s", value));
  assert.equal(renders, 1, "formatting twice would run toString (or a getter) twice");
  assert.deepEqual(text(run.chunks), ["1:render 1\n"]);
});

test("console output inside a console.group() opened before the call marks it untrusted", async () => {
  installTracking();
  console.group();
  try {
    const run = await runTracked(() => console.log("indented by the group"));
    assert.equal(run.effects.trust.kind, "untrusted");
  } finally {
    console.groupEnd();
  }
  const after = await runTracked(() => console.log("not indented"));
  assert.equal(after.effects.trust.kind, "trusted");
});

test("an exception is returned as the outcome, not thrown, and I/O before it is still recorded", () =>
  withDir(async (d) => {
    const boom = new Error("boom");
    const run = await runTracked(() => {
      fs.writeFileSync(join(d, "partial"), "p");
      throw boom;
    });
    assert.deepEqual(run.outcome, { kind: "error", error: boom });
    assert.deepEqual(kinds(run.effects).outputs, [`file:${d}/partial`]);
  }));

test("nothing is recorded outside a tracked call or inside untracked()", () =>
  withDir(async (d) => {
    writeFileSync(join(d, "x"), "x");
    installTracking();
    fs.readFileSync(join(d, "x")); // no active call: must not leak into the next one
    const run = await runTracked(() => {
      assert.equal(isTracking(), true);
      untracked(() => fs.readFileSync(join(d, "x")));
      assert.equal(untracked(isTracking), false);
    });
    assert.deepEqual(kinds(run.effects).inputs, []);
    assert.equal(isTracking(), false);
  }));

test("recordNested adds a replayed inner call's inputs and output to the outer call", async () => {
  const run = await runTracked(() =>
    recordNested(
      {
        trust: { kind: "trusted" },
        inputs: [{ path: "/inner/in", kind: "file" }],
        outputs: [],
        deletions: [],
      },
      [{ fd: 1, bytes: new TextEncoder().encode("inner\n") }],
    )
  );
  assert.deepEqual(kinds(run.effects).inputs, ["file:/inner/in"]);
  assert.deepEqual(text(run.chunks), ["1:inner\n"]);
});

test("uninstallTracking restores the original functions", () => {
  installTracking();
  const wrapped = fs.readFileSync;
  uninstallTracking();
  assert.notEqual(fs.readFileSync, wrapped);
  installTracking();
  installTracking(); // idempotent
  assert.notEqual(fs.readFileSync, wrapped);
  uninstallTracking();
});

test("the runtime's own file API is recorded (Deno.* under Deno, Bun.file/Bun.write under Bun)", () =>
  withDir(async (d) => {
    writeFileSync(join(d, "in"), "i");
    const run = await runTracked(async () => {
      if (isBun) {
        await g.Bun.file(join(d, "in")).text();
        await g.Bun.write(join(d, "out"), "o");
        await g.Bun.file(join(d, "none")).exists();
      } else {
        await g.Deno.readTextFile(join(d, "in"));
        await g.Deno.writeTextFile(join(d, "out"), "o");
        await g.Deno.stat(join(d, "none")).catch(() => {});
      }
    });
    assert.deepEqual(kinds(run.effects), {
      inputs: [`file:${d}/in`, `absent:${d}/none`],
      outputs: [`file:${d}/out`],
      deletions: [],
    });
  }));

test("a write through the runtime's stdout is captured once", async () => {
  const run = await runTracked(async () => {
    if (isBun) await g.Bun.write(g.Bun.stdout, "rt\n");
    else g.Deno.stdout.writeSync(new TextEncoder().encode("rt\n"));
    process.stdout.write("ps\n"); // goes through Deno.stdout.writeSync under Deno
  });
  assert.deepEqual(text(run.chunks), ["1:rt\nps\n"]);
});
