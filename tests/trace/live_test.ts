// Live tests: real programs under strace, checking the classified effects.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { startTrace, type TraceOptions } from "../../lib/trace/runner.ts";
import { probeTracer } from "../../lib/trace/probe.ts";
import type { Effects } from "../../lib/trace/effects.ts";
import { inputsOf, outputsOf } from "./_helpers.ts";

const ENV = { PATH: "/usr/bin:/bin", HOME: "/nonexistent", LANG: "C" };

async function traced(argv: string[], dir: string, opts: Partial<TraceOptions> = {}) {
  const run = startTrace(argv, {
    cwd: dir,
    env: ENV,
    stdin: "null",
    outputRoots: [dir],
    exclude: [],
    mode: "full",
    ...opts,
  });
  let out = "";
  let err = "";
  const [o, e] = [new TextDecoder(), new TextDecoder()];
  const streams = Promise.all([
    run.child.stdout.forEach((c) => (out += o.decode(c, { stream: true }))),
    run.child.stderr.forEach((c) => (err += e.decode(c, { stream: true }))),
  ]);
  const r = await run.done;
  await streams;
  return { ...r, out, err };
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = realpathSync(mkdtempSync(tmpdir() + "/casher-trace-test-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function trusted(e: Effects): void {
  assert.deepEqual(e.trust, { kind: "trusted" });
}

Deno.test("probeTracer reports strace usable here with seccomp-bpf", () => {
  const p = probeTracer();
  assert.equal(p.kind, "ok");
});

Deno.test("sh -c pipeline: reads are inputs, redirections outputs, exit code passes through", () =>
  inTemp(async (d) => {
    writeFileSync(d + "/a.txt", "hello\n");
    const r = await traced(["sh", "-c", "cat a.txt | tr a-z A-Z > b.txt; cat b.txt; exit 3"], d);
    trusted(r.effects);
    assert.deepEqual(r.exit, { kind: "exited", code: 3 });
    assert.equal(r.out, "HELLO\n");
    assert.ok(inputsOf(r.effects, "file").includes(d + "/a.txt"));
    assert.ok(!inputsOf(r.effects).includes(d + "/b.txt"), "written first: not an input");
    assert.deepEqual(outputsOf(r.effects), [d + "/b.txt"]);
    assert.ok(inputsOf(r.effects, "exec").includes("/usr/bin/tr"));
  }));

Deno.test("cp, mv and sed -i: copy source input, mv deletes, sed's temp file is nothing", () =>
  inTemp(async (d) => {
    writeFileSync(d + "/src", "abc\n");
    writeFileSync(d + "/old", "x\n");
    const r = await traced(["sh", "-c", "cp src c1 && mv old moved && sed -i s/a/z/ c1"], d);
    trusted(r.effects);
    const files = inputsOf(r.effects, "file");
    assert.ok(files.includes(d + "/src") && files.includes(d + "/old"));
    assert.deepEqual(outputsOf(r.effects).sort(), [d + "/c1", d + "/moved"]);
    assert.deepEqual(r.effects.deletions, [d + "/old"]);
    assert.ok(!r.effects.outputs.some((o) => o.path.includes("/sed")), "sed temp is not an output");
  }));

Deno.test("tar c reads every file and lists the directory; tar x creates dirs and files", () =>
  inTemp(async (d) => {
    mkdirSync(d + "/t/s", { recursive: true });
    writeFileSync(d + "/t/a", "1");
    writeFileSync(d + "/t/s/b", "2");
    const c = await traced(["tar", "cf", "x.tar", "t"], d);
    trusted(c.effects);
    assert.ok(inputsOf(c.effects, "file").includes(d + "/t/a"));
    assert.ok(inputsOf(c.effects, "file").includes(d + "/t/s/b"));
    assert.ok(inputsOf(c.effects, "listing").includes(d + "/t"));
    assert.deepEqual(outputsOf(c.effects), [d + "/x.tar"]);
    const x = await traced(["sh", "-c", "mkdir out && cd out && tar xf ../x.tar"], d);
    trusted(x.effects);
    const outs = x.effects.outputs.map((o) => `${o.kind}:${o.path}`);
    for (
      const o of [`dir:${d}/out`, `dir:${d}/out/t`, `file:${d}/out/t/a`, `file:${d}/out/t/s/b`]
    ) {
      assert.ok(outs.includes(o), `${o} in ${outs}`);
    }
  }));

Deno.test("python3 importing a local module: module file input, absent probes on the import path", () =>
  inTemp(async (d) => {
    mkdirSync(d + "/lib");
    writeFileSync(d + "/lib/mymod.py", "X = 41\n");
    const r = await traced([
      "python3",
      "-B",
      "-c",
      "import sys; sys.path.insert(0, 'lib'); sys.path.insert(0, 'first'); import mymod; print(mymod.X + 1)",
    ], d);
    trusted(r.effects);
    assert.equal(r.out, "42\n");
    assert.ok(inputsOf(r.effects, "file").includes(d + "/lib/mymod.py"));
    assert.ok(
      inputsOf(r.effects, "absent").some((p) => p.startsWith(d + "/first")),
      "earlier path entry probed absent",
    );
  }));

Deno.test("gcc -c with a local header: the header is an input, the object an output", () =>
  inTemp(async (d) => {
    writeFileSync(d + "/h.h", "#define V 3\n");
    writeFileSync(d + "/m.c", '#include "h.h"\nint v(void) { return V; }\n');
    const r = await traced(["gcc", "-c", "m.c", "-o", "m.o"], d, { outputRoots: [d] });
    trusted(r.effects);
    assert.deepEqual(r.exit, { kind: "exited", code: 0 });
    assert.ok(inputsOf(r.effects, "file").includes(d + "/h.h"));
    assert.ok(inputsOf(r.effects, "file").includes(d + "/m.c"));
    assert.deepEqual(outputsOf(r.effects), [d + "/m.o"]);
  }));

Deno.test("make driving two compiler processes records both sources and objects", () =>
  inTemp(async (d) => {
    writeFileSync(d + "/a.c", "int a(void){return 1;}\n");
    writeFileSync(d + "/b.c", '#include "b.h"\nint b(void){return B;}\n');
    writeFileSync(d + "/b.h", "#define B 2\n");
    writeFileSync(
      d + "/Makefile",
      "all: a.o b.o\na.o: a.c\n\tgcc -c a.c\nb.o: b.c b.h\n\tgcc -c b.c\n",
    );
    const r = await traced(["make", "-s"], d);
    trusted(r.effects);
    const files = inputsOf(r.effects, "file");
    for (const f of ["a.c", "b.c", "b.h", "Makefile"]) assert.ok(files.includes(`${d}/${f}`), f);
    assert.deepEqual(outputsOf(r.effects).sort(), [d + "/a.o", d + "/b.o"]);
  }));

Deno.test("a command found via PATH records absent candidates in earlier PATH dirs", () =>
  inTemp(async (d) => {
    mkdirSync(d + "/bin1");
    mkdirSync(d + "/bin2");
    writeFileSync(d + "/bin2/tool", "#!/bin/sh\necho tool2\n");
    chmodSync(d + "/bin2/tool", 0o755);
    const r = await traced(["tool"], d, { env: { PATH: `${d}/bin1:${d}/bin2:/usr/bin:/bin` } });
    trusted(r.effects);
    assert.equal(r.out, "tool2\n");
    assert.ok(inputsOf(r.effects, "absent").includes(d + "/bin1/tool"));
    assert.ok(inputsOf(r.effects, "exec").includes(d + "/bin2/tool"));
  }));

Deno.test("a missing command exits 127 (not-found) without strace, with its PATH probes", () =>
  inTemp(async (d) => {
    const r = await traced(["casher-no-such-cmd"], d, { env: { PATH: d } });
    assert.deepEqual(r.exit, { kind: "not-found", code: 127 });
    assert.match(r.err, /casher: casher-no-such-cmd: command not found/);
    assert.deepEqual(inputsOf(r.effects, "absent"), [d + "/casher-no-such-cmd"]);
    trusted(r.effects);
  }));

Deno.test("a non-executable command exits 126 (not-executable)", () =>
  inTemp(async (d) => {
    writeFileSync(d + "/noexec", "x");
    const r = await traced(["./noexec"], d);
    assert.deepEqual(r.exit, { kind: "not-executable", code: 126 });
  }));

Deno.test("a command killed by a signal reports signaled with 128+N", () =>
  inTemp(async (d) => {
    const r = await traced(["sh", "-c", "kill -TERM $$"], d);
    assert.deepEqual(r.exit, { kind: "signaled", signal: "SIGTERM", code: 143 });
  }));

Deno.test("casher's FIFO dir and excluded dirs are never effects; fast mode misses failed stat probes", () =>
  inTemp(async (d) => {
    mkdirSync(d + "/cache");
    const r = await traced(["sh", "-c", "echo x > cache/blob; test -e missing; cat /dev/null"], d, {
      exclude: [d + "/cache"],
    });
    trusted(r.effects);
    assert.deepEqual(outputsOf(r.effects), []);
    assert.ok(!r.effects.inputs.some((i) => i.path.includes("/casher-") && !i.path.startsWith(d)));
    assert.ok(inputsOf(r.effects, "absent").includes(d + "/missing"));
    const f = await traced(["sh", "-c", "test -e missing"], d, { mode: "fast" });
    trusted(f.effects);
    assert.ok(
      !inputsOf(f.effects, "absent").includes(d + "/missing"),
      "documented fast-mode blind spot",
    );
  }));

Deno.test("a run that reads a FIFO is untrusted: what it got cannot be recorded", () =>
  inTemp(async (d) => {
    const r = await traced(["sh", "-c", "mkfifo p; (echo data > p) & cat p; wait"], d);
    assert.equal(r.out, "data\n");
    assert.equal(r.effects.trust.kind, "untrusted");
    if (r.effects.trust.kind === "untrusted") assert.match(r.effects.trust.reason, /FIFO.*\/p/);
  }));

Deno.test("files under /dev/shm are inputs like any other (a tmpfs, not a device)", () =>
  inTemp(async (d) => {
    const shm = mkdtempSync("/dev/shm/casher-test-");
    try {
      writeFileSync(`${shm}/in`, "x");
      const r = await traced(["cat", `${shm}/in`], d);
      trusted(r.effects);
      assert.ok(inputsOf(r.effects, "file").includes(`${shm}/in`), inputsOf(r.effects).join());
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  }));
