/**
 * Failures are results too, end to end: a command whose outcome came from a call that
 * failed (a lock directory that existed, a `cd` into nothing, a script without its execute
 * bit) misses once what made the call fail changes. Each test runs against the compiled
 * binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { counted, e2e, runs, settle } from "./_harness.ts";

/** Runs `script` under casher twice, changing the tree in between with `change`. */
async function before(
  t: Parameters<Parameters<typeof e2e>[1]>[0],
  script: string,
  opts: { readonly first: string; readonly change: () => void; readonly then: RegExp },
): Promise<void> {
  const cmd = ["--", "sh", "-c", script];
  assert.equal((await t.run(cmd)).out, opts.first, script);
  opts.change();
  await settle();
  const after = await t.run(["-v", ...cmd]);
  assert.match(after.out, opts.then, script);
  assert.doesNotMatch(after.err, /: hit in /, script);
}

e2e("a lock directory that existed, then went away, is a miss", async (t) => {
  Deno.mkdirSync(t.path("lock"));
  await settle();
  await before(t, "mkdir lock 2>/dev/null && echo got || echo busy", {
    first: "busy\n",
    change: () => Deno.removeSync(t.path("lock")),
    then: /^got$/m,
  });
});

e2e("cd into a directory that did not exist, then does, is a miss", async (t) => {
  await before(t, "cd d 2>/dev/null && echo in || echo out", {
    first: "out\n",
    change: () => Deno.mkdirSync(t.path("d")),
    then: /^in$/m,
  });
});

e2e("a script refused for its missing execute bit runs once the bit is set", async (t) => {
  t.write("s", "#!/bin/sh\necho ran\n");
  Deno.chmodSync(t.path("s"), 0o644);
  await settle();
  await before(t, "./s 2>/dev/null; echo rc=$?", {
    first: "rc=126\n",
    change: () => Deno.chmodSync(t.path("s"), 0o755),
    then: /^ran\nrc=0$/m,
  });
});

e2e("creating a file in a directory that did not exist, then does, is a miss", async (t) => {
  await before(t, "(echo hi > a/f) 2>/dev/null && echo made || echo failed", {
    first: "failed\n",
    change: () => Deno.mkdirSync(t.path("a")),
    then: /^made$/m,
  });
});

// `test -s f` saw f empty; the run then replaced f. The next run sees what the first wrote.
e2e("a file stat'ed, then replaced by the run, is judged by the size the stat saw", async (t) => {
  t.write("f", "");
  await settle();
  const cmd = ["--", "sh", "-c", "test -s f && echo full || echo empty; echo x > f"];
  assert.equal((await t.run(cmd)).out, "empty\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "full\n", "f now holds x: never the stale 'empty'");
  await settle();
  assert.match((await t.run(["-v", ...cmd])).err, /: hit in /, "and then it is stable");
});

e2e("a file fstat'ed through an O_PATH fd is an input", async (t) => {
  t.write("f", "hello\n");
  await settle();
  const py = 'import os; print(os.fstat(os.open("f", os.O_PATH)).st_size)';
  const cmd = ["--", "python3", "-c", py];
  assert.equal((await t.run(cmd)).out, "6\n");
  t.write("f", "hello world\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "12\n");
});

e2e("a file appended to outside the output roots and read back is not stored", async (t) => {
  t.write("log", "a\n");
  await settle();
  const cmd = ["-v", "--output-root", "out", "--", "sh", "-c", "echo x >> log; cat log"];
  const first = await t.run(cmd);
  assert.equal(first.out, "a\nx\n");
  assert.match(first.err, /not stored.*back after appending/);
  t.write("log", "b\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "b\nx\n");
});

// A path the run checked and then changed: what it was comes from the trace.
e2e("a directory or link the run checked and removed is a miss once it is gone", async (t) => {
  for (
    const [make, script] of [
      [() => Deno.mkdirSync(t.path("d")), "test -d d && rmdir d && echo removed || echo nothing"],
      [
        () => Deno.symlinkSync("x", t.path("d")),
        "test -L d && rm d && echo removed || echo nothing",
      ],
    ] as const
  ) {
    make();
    await settle();
    const cmd = ["--", "sh", "-c", script];
    assert.equal((await t.run(cmd)).out, "removed\n", script);
    assert.equal((await t.run(cmd)).out, "nothing\n", script);
  }
});

e2e(
  "a lock the run found and then removed is recorded as what rmdir needed, never stale",
  async (t) => {
    Deno.mkdirSync(t.path("lock"));
    await settle();
    const cmd = [
      "-v",
      "--",
      "sh",
      "-c",
      "mkdir lock 2>/dev/null && echo got || { echo stale; rmdir lock; }",
    ];
    const first = await t.run(cmd);
    assert.equal(first.out, "stale\n");
    assert.match(first.err, /casher: stored /, "EEXIST, then rmdir: an empty directory was there");
    const second = await t.run(cmd); // the lock is gone now
    assert.equal(second.out, "got\n");
    Deno.removeSync(t.path("lock"));
    Deno.mkdirSync(t.path("lock")); // stale again, as before the first run
    await settle();
    const third = await t.run(cmd);
    assert.equal(third.out, "stale\n");
    assert.match(third.err, /: hit in /);
  },
);

// The other side of `mkdir lock || busy`: a create that succeeds only because the path was
// missing depends on that. The second run finds what the first made, and fails like it.
e2e("an exclusive create that succeeded is not replayed once the path exists", async (t) => {
  const py =
    "import os; os.close(os.open('x', os.O_CREAT | os.O_EXCL | os.O_WRONLY)); print('made')";
  for (const [script, made] of [["mkdir lk && echo made", "lk"], [`python3 -c "${py}"`, "x"]]) {
    const cmd = ["--", "sh", "-c", script];
    const first = await t.run(cmd);
    assert.equal(first.out, "made\n", script);
    await settle();
    const second = await t.run(cmd);
    assert.notEqual(second.code, 0, `${script}: ${made} exists now, the create fails`);
    assert.doesNotMatch(second.out, /made/, script);
  }
});

// The price of the rule above, stated: `mkdir -p out && ...` on a fresh tree made out, so
// the next run, which finds it, runs again (mkdir now fails with EEXIST, which mkdir -p
// ignores but `mkdir out` would not); from then on it hits.
e2e("a run that first creates its output directory runs once more, then hits", async (t) => {
  const cmd = counted("mkdir -p out && echo built > out/f");
  for (const expected of [1, 2, 2, 2]) {
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), expected);
  }
});

// os.unlink(f) looks at nothing first: that it succeeded is all the run relied on, and a
// replay must not report success once f is gone or is a directory now.
e2e(
  "a file removed without a look first is an input: gone or a directory now is a miss",
  async (t) => {
    const cmd = ["--", "python3", "-c", "import os; os.unlink('g'); print('removed')"];
    for (const change of [() => {}, () => Deno.mkdirSync(t.path("g"))]) {
      t.write("g", "hi\n");
      await settle();
      assert.equal((await t.run(cmd)).out, "removed\n");
      change();
      await settle();
      const again = await t.run(cmd);
      assert.notEqual(again.code, 0, "FileNotFoundError or IsADirectoryError, as without casher");
      try {
        Deno.removeSync(t.path("g"));
      } catch { /* gone */ }
    }
  },
);

e2e(
  "a damaged output blob: the command runs on the tree as it was, nothing half restored",
  async (t) => {
    // `a` sorts before `bb`: a restore that placed outputs one by one put `a` back, then
    // failed on `bb`, and the run that followed saw an `a` it had not made.
    const cmd = ["--", "sh", "-c", "[ -f a ] && echo had-a; echo A > a; seq 1 40000 > bb"];
    assert.equal((await t.run(cmd)).out, "");
    Deno.removeSync(t.path("a"));
    Deno.removeSync(t.path("bb"));
    const blobs = [...walk(t.cache + "/v1/blobs")].sort((x, y) => y.size - x.size);
    const big = blobs[0].path;
    const bytes = Deno.readFileSync(big);
    bytes[bytes.length >> 1] ^= 0xff;
    Deno.writeFileSync(big, bytes);
    await settle();
    const again = await t.run(["-v", ...cmd]);
    assert.equal(again.out, "", again.err);
    assert.match(again.err, /damaged/);
    assert.equal(t.read("a"), "A\n");
    assert.equal(t.read("bb").split("\n").length, 40001);
  },
);

/** Every regular file under `dir`, with its size. */
function* walk(dir: string): Generator<{ path: string; size: number }> {
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield { path: p, size: Deno.statSync(p).size };
  }
}

e2e("a symlink or directory put where the run created a file is not replayed over", async (t) => {
  const cmd = ["--", "bash", "-c", "echo new > out; echo rc=$?"];
  assert.equal((await t.run(cmd)).out, "rc=0\n");
  Deno.removeSync(t.path("out"));
  t.write("target", "old\n");
  Deno.symlinkSync("target", t.path("out"));
  await settle();
  // Without casher the write goes through the link.
  const viaLink = await t.run(["-v", ...cmd]);
  assert.equal(viaLink.out, "rc=0\n");
  assert.match(viaLink.err, /is now a symlink/);
  assert.equal(t.read("target"), "new\n");
  assert.ok(Deno.lstatSync(t.path("out")).isSymlink);
  Deno.removeSync(t.path("out"));
  Deno.mkdirSync(t.path("out"));
  await settle();
  // Without casher the write fails: the directory stays.
  const onDir = await t.run(cmd);
  assert.match(onDir.out, /^rc=1$/m);
  assert.match(onDir.err, /Is a directory/);
  assert.ok(Deno.statSync(t.path("out")).isDirectory);
});
