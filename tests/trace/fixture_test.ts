// Fixture tests: real strace output captured on this machine (tests/fixtures/trace/capture.sh).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FIXTURE_DIR, FX, inputsOf, outputsOf, runFixture, runTraceText } from "./_helpers.ts";

const BASE = "/tmp/casher-trace-fixture";

Deno.test("unfinished/resumed calls interleaved across 3 processes are joined per pid", () => {
  const text = readFileSync(FIXTURE_DIR + "unfinished_3proc.trace", "latin1");
  const pids = new Set(
    text.split("\n").filter((l) => l.endsWith("<unfinished ...>")).map((l) => l.split(" ")[0]),
  );
  assert.ok(pids.size >= 3, `fixture must interleave >= 3 pids, has ${pids.size}`);
  const fifos = ["f1", "f2", "f3"].map((f) => `${FX}/${f}`);
  const r = runFixture("unfinished_3proc.trace", { exclude: fifos });
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  assert.deepEqual(outputsOf(r.effects).sort(), [`${FX}/o1`, `${FX}/o2`, `${FX}/o3`]);
  assert.ok(inputsOf(r.effects, "exec").includes("/usr/bin/cat"));
  assert.ok(inputsOf(r.effects, "exec").includes("/usr/bin/sleep"));
});

Deno.test("writing into a FIFO under the output roots makes the run untrusted", () => {
  const r = runFixture("unfinished_3proc.trace");
  assert.equal(r.effects.trust.kind, "untrusted");
  assert.match((r.effects.trust as { reason: string }).reason, /FIFO/);
});

Deno.test("chdir inside a child moves only the child's cwd", () => {
  const r = runFixture("chdir_child.trace");
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  const files = inputsOf(r.effects, "file");
  assert.ok(files.includes(`${FX}/sub/in_sub`), "child's relative open resolves in sub/");
  assert.ok(files.includes(`${FX}/in_top`), "parent's relative open resolves in the original cwd");
  assert.ok(!files.includes(`${FX}/sub/in_top`) && !files.includes(`${FX}/in_sub`));
});

Deno.test("a relative open and stat after fchdir resolve against the fd's directory", () => {
  const r = runFixture("fchdir.trace");
  assert.deepEqual(inputsOf(r.effects, "file").filter((p) => p.startsWith(FX)), [
    `${FX}/sub/in_sub`,
  ]);
  assert.deepEqual(inputsOf(r.effects, "absent").filter((p) => p.startsWith(FX)), [
    `${FX}/sub/nope`,
  ]);
});

Deno.test("temp-then-rename yields one output and the temp file is nothing", () => {
  const r = runFixture("tmp_rename.trace");
  assert.deepEqual(outputsOf(r.effects), [`${FX}/out`]);
  assert.deepEqual(r.effects.deletions, []);
  assert.ok(!r.effects.inputs.some((i) => i.path.startsWith(FX)));
});

Deno.test("a file created (O_EXCL) and deleted in the run is neither input, output nor deletion", () => {
  const r = runFixture("create_delete.trace");
  assert.deepEqual(outputsOf(r.effects), []);
  assert.deepEqual(r.effects.deletions, []);
  assert.ok(!r.effects.inputs.some((i) => i.path.startsWith(FX)));
});

Deno.test("O_RDWR without O_TRUNC on an existing file is both input and output", () => {
  const seen: string[] = [];
  const r = runFixture("rdwr.trace", { onFirstRead: (p) => seen.push(p) });
  assert.deepEqual(inputsOf(r.effects, "file").filter((p) => p.startsWith(FX)), [`${FX}/data`]);
  assert.deepEqual(outputsOf(r.effects), [`${FX}/data`]);
  assert.ok(seen.includes(`${FX}/data`), "onFirstRead fires for the RDWR open");
});

Deno.test("a probe that fails with ENOENT and is then created is an absent input and an output", () => {
  const r = runFixture("probe_create.trace");
  assert.deepEqual(outputsOf(r.effects), [`${FX}/later`]);
  const absent = inputsOf(r.effects, "absent");
  assert.ok(absent.includes(`${FX}/later`), "the run depended on the absence: it is kept");
  assert.ok(absent.includes(`${FX}/never`), "a path that stays absent is still an absent input");
});

Deno.test("paths with a space, quote, newline and invalid UTF-8 byte round-trip byte-exact", () => {
  const name = `${FX}/we ird"q\nx\xff`;
  const r = runFixture("weird_names.trace");
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  assert.ok(inputsOf(r.effects, "file").includes(name));
  assert.deepEqual(outputsOf(r.effects), [name + ".out"]);
});

Deno.test("the command's exec is an input and casher-relative paths are absolute", () => {
  const r = runFixture("tmp_rename.trace");
  assert.deepEqual(inputsOf(r.effects, "exec"), [`${BASE}/fx`]);
  for (const i of r.effects.inputs) assert.ok(i.path.startsWith("/"), i.path);
});

Deno.test("a read through io_uring (Node's libuv, UV_USE_IO_URING=1) makes the run untrusted", () => {
  const r = runFixture("io_uring.trace");
  assert.equal(r.effects.trust.kind, "untrusted");
  assert.match((r.effects.trust as { reason: string }).reason, /io_uring_setup/);
  // What the trace saw is still classified: only the io_uring read of `data` is missing.
  assert.ok(!inputsOf(r.effects, "file").includes(`${FX}/data`), "io_uring hid the read");
});

Deno.test("chroot, a mount and a FIFO made under the output roots each make the run untrusted", () => {
  const text = readFileSync(FIXTURE_DIR + "blind.trace", "latin1");
  const only = (name: string) =>
    runTraceText(
      text.split("\n").filter((l) =>
        !/ (chroot|mount|mknodat)\(/.test(l) || l.includes(` ${name}(`)
      )
        .join("\n"),
      { cwd: FX },
    );
  for (const [name, why] of [["chroot", /chroot/], ["mount", /mount/], ["mknodat", /mknodat/]]) {
    const r = only(name as string);
    assert.equal(r.effects.trust.kind, "untrusted", name as string);
    assert.match((r.effects.trust as { reason: string }).reason, why as RegExp);
  }
  const none = runTraceText(
    text.split("\n").filter((l) => !/ (chroot|mount|mknodat)\(/.test(l)).join("\n"),
    { cwd: FX },
  );
  assert.deepEqual(none.effects.trust, { kind: "trusted" }, "nothing else in it is blind");
});
