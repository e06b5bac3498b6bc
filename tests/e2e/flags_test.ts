/**
 * Flags, exit codes and subcommands end to end: what each flag changes, how bad input is
 * refused, and how entries are listed, removed and repaired.
 * Each test runs against the compiled binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { casherWords, counted, e2e, runs, settle, spawn } from "./_harness.ts";

e2e("bad flags exit 2 with a message and a usage hint", async (t) => {
  const r = await t.run(["--bogus", "--", "true"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /casher: .*bogus/);
  assert.match(r.err, /usage: casher/);
  const bad = await t.run(["--replay-outputs=sometimes", "--", "true"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /always, if-missing or never/);
});

e2e("exit codes: 127 not found, 126 not executable, 128+N when killed", async (t) => {
  assert.equal((await t.run(["--", "definitely-not-a-command-xyz"])).code, 127);
  t.write("noexec.sh", "echo hi\n");
  assert.equal((await t.run(["--", "./noexec.sh"])).code, 126);
  assert.equal((await t.run(["--", "sh", "-c", "kill -TERM $$"])).code, 143);
});

e2e(
  "--input declares an extra input and --output captures a path the trace did not see",
  async (t) => {
    t.write("config.txt", "v1\n");
    Deno.mkdirSync(t.path("out")); // as after a first build (see failures_test.ts)
    await settle();
    const cmd = [
      "--input",
      "config.txt",
      "--output",
      "out/made.txt",
      ...counted("mkdir -p out; echo x > out/made.txt"),
    ];
    assert.equal((await t.run(cmd)).code, 0);
    Deno.removeSync(t.path("out/made.txt"));
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(t.read("out/made.txt"), "x\n");
    assert.equal(runs(t), 1);
    t.write("config.txt", "v2\n");
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), 2, "a declared input that changed is a miss even if never read");
  },
);

e2e("--replay-outputs if-missing and never leave existing files alone", async (t) => {
  // out/ is there, as after a first build: a run that first makes it misses once more
  // (mkdir would have failed had it existed; see failures_test.ts).
  Deno.mkdirSync(t.path("out"));
  const cmd = counted("mkdir -p out; echo fresh > out/a; echo fresh > out/b");
  await t.run(cmd);
  t.write("out/a", "edited\n");
  Deno.removeSync(t.path("out/b"));
  await t.run(["--replay-outputs=if-missing", ...cmd]);
  assert.equal(t.read("out/a"), "edited\n");
  assert.equal(t.read("out/b"), "fresh\n");
  Deno.removeSync(t.path("out/b"));
  await t.run(["--replay-outputs=never", ...cmd]);
  assert.throws(() => t.read("out/b"));
  await t.run(cmd);
  assert.equal(t.read("out/a"), "fresh\n");
  assert.equal(runs(t), 1);
});

e2e("--force runs again and --no-store never writes an entry", async (t) => {
  const cmd = counted("echo hi");
  await t.run(["--no-store", ...cmd]);
  await t.run(["--no-store", ...cmd]);
  assert.equal(runs(t), 2);
  await t.run(cmd);
  await t.run(cmd);
  assert.equal(runs(t), 3);
  await t.run(["--force", ...cmd]);
  assert.equal(runs(t), 4);
});

e2e("--ttl: an expired entry is a miss", async (t) => {
  // Generous numbers: the second run must come well within the TTL even on a loaded machine.
  const cmd = ["--ttl", "4s", ...counted("echo hi")];
  await t.run(cmd);
  await t.run(cmd);
  assert.equal(runs(t), 1);
  await new Promise((r) => setTimeout(r, 4100));
  await t.run(cmd);
  assert.equal(runs(t), 2);
});

e2e("rm, gc, verify and clear manage entries", async (t) => {
  await t.run(["--", "echo", "one"]);
  await t.run(["--", "echo", "two"]);
  assert.match((await t.run(["rm", "--cmd", "echo one"])).out, /removed 1 entry/);
  const ls = JSON.parse((await t.run(["ls", "--json"])).out);
  assert.deepEqual(ls.map((e: { command: string }) => e.command), ["echo two"]);
  assert.match((await t.run(["rm", ls[0].key.slice(0, 8)])).out, /removed 1 entry/);
  await t.run(["--", "echo", "three"]);
  assert.equal((await t.run(["verify"])).code, 0);
  assert.match((await t.run(["gc"])).out, /inconsistencies: 0/);
  assert.match((await t.run(["clear"])).out, /cleared 1 entry/);
  assert.equal(JSON.parse((await t.run(["stats", "--json"])).out).entries, 0);
});

e2e(
  "a different PATH is a different key: the same name may resolve to another program",
  async (t) => {
    for (const [dir, word] of [["a", "from-a"], ["b", "from-b"]]) {
      t.write(`${dir}/tool`, `#!/bin/sh\necho ${word}\n`);
      Deno.chmodSync(t.path(`${dir}/tool`), 0o755);
    }
    await settle();
    const viaA = { PATH: `${t.path("a")}:/usr/bin:/bin` };
    const viaB = { PATH: `${t.path("b")}:/usr/bin:/bin` };
    assert.equal((await t.run(["--", "tool"], { env: viaA })).out, "from-a\n");
    assert.equal((await t.run(["--", "tool"], { env: viaB })).out, "from-b\n");
    assert.equal((await t.run(["--", "sh", "-c", "tool"], { env: viaA })).out, "from-a\n");
    assert.equal((await t.run(["--", "sh", "-c", "tool"], { env: viaB })).out, "from-b\n");
  },
);

e2e(
  "subcommands: a key that matches nothing is a usage error (2), not a casher failure",
  async (t) => {
    await t.run(["--", "echo", "one"]);
    const r = await t.run(["rm", "zzzz"]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^casher: no entry has a key starting with "zzzz"/);
  },
);

e2e("subcommands on a damaged index say how to recover, not that caching is off", async (t) => {
  await t.run(["--", "echo", "one"]);
  for (const f of Deno.readDirSync(`${t.cache}/v1`)) {
    if (f.name.startsWith("index.sqlite")) Deno.removeSync(`${t.cache}/v1/${f.name}`);
  }
  Deno.writeTextFileSync(`${t.cache}/v1/index.sqlite`, "not a database ".repeat(500));
  for (const sub of ["stats", "gc", "clear"]) {
    const r = await t.run([sub]);
    assert.equal(r.code, 125, r.err);
    assert.doesNotMatch(r.err, /caching is disabled/);
    assert.match(r.err, /^casher: cannot open the cache index at .*v1: .*: remove .*v1 \(it only/);
    assert.match(r.err, /or use another --cache-dir\n$/);
  }
});

e2e("argv, env or cwd that is not valid UTF-8 is refused with 125, never altered", async (t) => {
  const casher = casherWords(t);
  const cases: [string, RegExp][] = [
    [`${casher} -- echo $'\\xff'`, /^casher: argument 2 of the command \(\$'\\xff'\) is not valid/],
    [`env $'V=a\\xff' ${casher} -- true`, /^casher: environment variable V is not valid UTF-8/],
    [`mkdir -p $'d\\xff' && cd $'d\\xff' && ${casher} -- true`, /^casher: the working directory/],
  ];
  for (const [script, message] of cases) {
    const r = await spawn(["bash", "-c", `${script} < /dev/null`], { cwd: t.dir });
    assert.equal(r.code, 125, `${script}: ${r.err}`);
    assert.equal(r.out, "", "nothing ran");
    assert.match(r.err, message);
    assert.match(r.err, /run the command without casher\n$/);
    assert.equal(r.err.split("\n").length, 2, "one line");
  }
  assert.equal((await t.run(["--", "echo", "é ok"])).out, "é ok\n", "valid UTF-8 is fine");
});
