/**
 * The command cache end to end: real programs under casher, checking bytes, files and
 * exit codes (replay, invalidation by what a run read, concurrency, shebangs).
 * Each test runs against the compiled binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { casherOnPath, counted, e2e, runs, settle, spawn } from "./_harness.ts";

e2e("a hit replays stdout, stderr and exit code without running the command", async (t) => {
  const first = await t.run(counted("echo hello; echo oops >&2"));
  assert.equal(first.code, 0, first.err);
  assert.equal(first.out, "hello\n");
  assert.equal(first.err, "oops\n");
  assert.equal(runs(t), 1);
  const second = await t.run(counted("echo hello; echo oops >&2"));
  assert.equal(second.code, 0);
  assert.deepEqual(second.stdout, first.stdout);
  assert.deepEqual(second.stderr, first.stderr);
  assert.equal(runs(t), 1, "the hit must not run the command");
});

e2e("stdout and stderr are interleaved and replayed in their original order", async (t) => {
  const script = "echo 1; sleep 0.05; echo 2 >&2; sleep 0.05; echo 3; sleep 0.05; echo 4 >&2";
  const args = [...t.target.argv, "--cache-dir", t.cache, ...counted(script)]
    .map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const merged = ["sh", "-c", `${args} 2>&1`];
  const miss = await spawn(merged, { cwd: t.dir });
  const hit = await spawn(merged, { cwd: t.dir });
  assert.equal(miss.out, "1\n2\n3\n4\n");
  assert.equal(hit.out, "1\n2\n3\n4\n");
  assert.equal(runs(t), 1);
});

e2e("a non-zero exit is not cached by default and is cached with --cache-failures", async (t) => {
  assert.equal((await t.run(counted("echo no; exit 3"))).code, 3);
  assert.equal((await t.run(counted("echo no; exit 3"))).code, 3);
  assert.equal(runs(t), 2, "failures run every time by default");
  const f = ["--cache-failures", ...counted("echo no; exit 4")];
  assert.equal((await t.run(f)).code, 4);
  const again = await t.run(f);
  assert.equal(again.code, 4);
  assert.equal(again.out, "no\n");
  assert.equal(runs(t), 3, "with --cache-failures the failure is replayed");
});

e2e("a deleted output is restored and an unchanged output is not rewritten", async (t) => {
  // out/ is there, as after a first build: a run that first makes it misses once more
  // (mkdir would have failed had it existed; see failures_test.ts).
  Deno.mkdirSync(t.path("out"));
  const cmd = counted("mkdir -p out && printf 'data\\n' > out/a.txt && chmod 640 out/a.txt");
  assert.equal((await t.run(cmd)).code, 0);
  const before = Deno.statSync(t.path("out/a.txt"));
  assert.equal((await t.run(cmd)).code, 0);
  const after = Deno.statSync(t.path("out/a.txt"));
  assert.equal(after.ino, before.ino, "same inode");
  assert.equal(after.mtime?.getTime(), before.mtime?.getTime(), "same mtime");
  Deno.removeSync(t.path("out/a.txt"));
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read("out/a.txt"), "data\n");
  assert.equal(Deno.statSync(t.path("out/a.txt")).mode! & 0o777, 0o640);
  assert.equal(runs(t), 1);
});

e2e("sed -i on a file: the edit is replayed as an output", async (t) => {
  t.write("f.txt", "hello\n");
  await settle();
  const cmd = ["--", "sed", "-i", "s/hello/world/", "f.txt"];
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read("f.txt"), "world\n");
  t.write("f.txt", "hello\n");
  await settle();
  const hit = await t.run(["-v", ...cmd]);
  assert.equal(hit.code, 0);
  assert.match(hit.err, /hit/);
  assert.equal(t.read("f.txt"), "world\n");
});

e2e("gcc: editing a header misses, reverting the edit hits again", async (t) => {
  t.write("h.h", "#define V 1\n");
  t.write("m.c", '#include "h.h"\nint v(void) { return V; }\n');
  await settle();
  const cmd = ["-v", "--", "gcc", "-c", "m.c", "-o", "m.o"];
  assert.match((await t.run(cmd)).err, /stored/); // clean build: m.o probed absent
  const v1 = Deno.readFileSync(t.path("m.o"));
  // An incremental build: m.o now exists. gcc stats it and then replaces it whole, so only
  // its type and mode are inputs, not its old bytes: one more run records that case.
  await settle();
  assert.match((await t.run(cmd)).err, /stored/);
  assert.match((await t.run(cmd)).err, /: hit/);
  t.write("h.h", "#define V 2\n");
  await settle();
  const edited = await t.run(cmd);
  assert.doesNotMatch(edited.err, /: hit/);
  assert.notDeepEqual(Deno.readFileSync(t.path("m.o")), v1);
  t.write("h.h", "#define V 1\n");
  await settle();
  const reverted = await t.run(cmd);
  assert.match(reverted.err, /: hit/, "the old m.o left in place must not block the hit");
  assert.deepEqual(Deno.readFileSync(t.path("m.o")), v1);
});

e2e(
  "python3: editing an imported module misses; a shadowing module earlier on the path misses",
  async (t) => {
    t.write("lib/mod.py", "X = 1\n");
    t.write(
      "main.py",
      "import sys\nsys.path.insert(0, 'early')\nsys.path.append('lib')\nimport mod\nprint(mod.X)\n",
    );
    Deno.mkdirSync(t.path("early"));
    await settle();
    const cmd = counted("python3 -B main.py");
    assert.equal((await t.run(cmd)).out, "1\n");
    assert.equal((await t.run(cmd)).out, "1\n");
    assert.equal(runs(t), 1);
    t.write("lib/mod.py", "X = 2\n");
    await settle();
    assert.equal((await t.run(cmd)).out, "2\n");
    assert.equal(runs(t), 2);
    t.write("early/mod.py", "X = 3\n");
    await settle();
    assert.equal((await t.run(cmd)).out, "3\n");
    assert.equal(runs(t), 3);
  },
);

e2e("ls dir misses after a file is added to dir", async (t) => {
  t.write("d/a", "");
  await settle();
  const cmd = counted("ls d");
  assert.equal((await t.run(cmd)).out, "a\n");
  assert.equal((await t.run(cmd)).out, "a\n");
  assert.equal(runs(t), 1);
  t.write("d/b", "");
  await settle();
  assert.equal((await t.run(cmd)).out, "a\nb\n");
  assert.equal(runs(t), 2);
});

e2e("--env: a listed variable changes the key, an unlisted one does not", async (t) => {
  const cmd = ["--env", "COLOR", ...counted('echo "$COLOR $SHAPE"')];
  assert.equal((await t.run(cmd, { env: { COLOR: "red", SHAPE: "box" } })).out, "red box\n");
  assert.equal((await t.run(cmd, { env: { COLOR: "red", SHAPE: "ball" } })).out, "red box\n");
  assert.equal(runs(t), 1, "SHAPE is not in the key");
  assert.equal((await t.run(cmd, { env: { COLOR: "blue", SHAPE: "box" } })).out, "blue box\n");
  assert.equal(runs(t), 2, "COLOR is in the key");
  const viaEnv = counted('echo "$COLOR"');
  await t.run(viaEnv, { env: { CASHER_ENV: "COLOR", COLOR: "a" } });
  await t.run(viaEnv, { env: { CASHER_ENV: "COLOR", COLOR: "b" } });
  assert.equal(runs(t), 4, "CASHER_ENV=COLOR puts COLOR in the key");
});

e2e(
  "a command found via PATH misses when an earlier PATH directory gains one of that name",
  async (t) => {
    t.write("late/tool", "#!/bin/sh\necho late\n");
    Deno.chmodSync(t.path("late/tool"), 0o755);
    Deno.mkdirSync(t.path("early"));
    await settle();
    const env = { PATH: `${t.path("early")}:${t.path("late")}:/usr/bin:/bin` };
    assert.equal((await t.run(["--", "tool"], { env })).out, "late\n");
    t.write("early/tool", "#!/bin/sh\necho early\n");
    Deno.chmodSync(t.path("early/tool"), 0o755);
    await settle();
    assert.equal((await t.run(["--", "tool"], { env })).out, "early\n");
  },
);

e2e("a path with a space, a quote and a newline in its name is replayed correctly", async (t) => {
  const name = "out/we ird'\nname.txt";
  // out/ is there, as after a first build: a run that first makes it misses once more
  // (mkdir would have failed had it existed; see failures_test.ts).
  Deno.mkdirSync(t.path("out"));
  const cmd = counted(`mkdir -p out && printf 'x\\n' > "out/we ird'\n"'name.txt'`);
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read(name), "x\n");
  Deno.removeSync(t.path(name));
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read(name), "x\n");
  assert.equal(runs(t), 1);
});

e2e("6 identical invocations launched at once run the command exactly once", async (t) => {
  const cmd = ["-v", ...counted("sleep 1; echo done")];
  const all = await Promise.all(Array.from({ length: 6 }, () => t.run(cmd)));
  for (const r of all) {
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "done\n");
  }
  // What each casher said, should one of them have run the command too.
  assert.equal(runs(t), 1, all.map((r, i) => `#${i}: ${r.err}`).join("\n"));
});

e2e("casher why names the changed file", async (t) => {
  t.write("in.txt", "1\n");
  await settle();
  assert.equal((await t.run(["--", "cat", "in.txt"])).out, "1\n");
  const fresh = await t.run(["why", "--", "cat", "in.txt"]);
  assert.equal(fresh.code, 0);
  assert.match(fresh.out, /would hit/);
  t.write("in.txt", "2\n");
  const why = await t.run(["why", "--", "cat", "in.txt"]);
  assert.equal(why.code, 1);
  assert.match(why.out, /in\.txt changed/);
});

e2e("stats counts are right after a scripted sequence", async (t) => {
  await t.run(["--", "echo", "a"]); // miss
  await t.run(["--", "echo", "a"]); // hit
  await t.run(["--", "echo", "a"]); // hit
  await t.run(["--", "echo", "b"]); // miss
  const s = JSON.parse((await t.run(["stats", "--json"])).out);
  assert.equal(s.hits, 2);
  assert.equal(s.misses, 2);
  assert.equal(s.entries, 2);
  assert.equal(s.hitRate, 0.5);
  const human = await t.run(["stats"]);
  assert.match(human.out, /hit rate\s+50\.0%/);
  const ls = JSON.parse((await t.run(["ls", "--json"])).out);
  assert.deepEqual(ls.map((e: { command: string }) => e.command).sort(), ["echo a", "echo b"]);
});

e2e("a broken cache dir never changes the command's output or exit code", async (t) => {
  t.write("not-a-dir", "I am a file\n");
  const r = await t.run([
    "--cache-dir",
    t.path("not-a-dir"),
    "--",
    "sh",
    "-c",
    "echo out; echo err >&2; exit 7",
  ]);
  assert.equal(r.code, 7);
  assert.equal(r.out, "out\n");
  assert.match(r.err, /^err$/m);
  assert.match(r.err, /casher: .*not-a-dir/);
});

e2e("shebang scripts are cached and editing the script invalidates them", async (t) => {
  const dir = casherOnPath(t.target, `${t.dir}/..`);
  // The run counter lives in the cache dir, which casher never treats as an input or output,
  // so the count proves whether the script ran without becoming part of its own cache key.
  const counter = `${t.cache}/shebang-runs`;
  const script = `#!/usr/bin/env -S casher -- bash\necho run >> ${counter}\necho from script\n`;
  const count = () => {
    try {
      return Deno.readTextFileSync(counter).split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  t.write("s.sh", script);
  Deno.chmodSync(t.path("s.sh"), 0o755);
  await settle();
  const env = { PATH: `${dir}:/usr/bin:/bin`, CASHER_CACHE_DIR: t.cache };
  try {
    assert.equal((await spawn([t.path("s.sh")], { cwd: t.dir, env })).out, "from script\n");
    assert.equal((await spawn([t.path("s.sh")], { cwd: t.dir, env })).out, "from script\n");
    assert.equal(count(), 1);
    t.write("s.sh", script.replace("from script", "edited"));
    await settle();
    assert.equal((await spawn([t.path("s.sh")], { cwd: t.dir, env })).out, "edited\n");
    assert.equal(count(), 2);
  } finally {
    Deno.removeSync(counter, { recursive: true });
  }
});

e2e(
  "a script without #! runs with /bin/sh, as execvp runs it, and editing it is a miss",
  async (t) => {
    const counter = `${t.cache}/plain-script-runs`;
    const script = `echo run >> ${counter}\necho "from $0: $1"\n`;
    t.write("plain.sh", script);
    Deno.chmodSync(t.path("plain.sh"), 0o755);
    await settle();
    const count = () => Deno.readTextFileSync(counter).split("\n").filter(Boolean).length;
    try {
      const first = await t.run(["--", "./plain.sh", "arg"]);
      assert.equal(first.code, 0, first.err);
      // The tracer runs commands by absolute path, so $0 is absolute (see lib/trace/runner.ts).
      assert.equal(first.out, `from ${t.path("plain.sh")}: arg\n`);
      assert.equal((await t.run(["--", "./plain.sh", "arg"])).out, first.out);
      assert.equal(count(), 1, "the second run was a hit");
      t.write("plain.sh", script.replace("from", "edited"));
      await settle();
      assert.equal(
        (await t.run(["--", "./plain.sh", "arg"])).out,
        `edited ${t.path("plain.sh")}: arg\n`,
      );
      assert.equal(count(), 2);
    } finally {
      Deno.removeSync(counter, { recursive: true });
    }
  },
);

e2e("symlinks and directories are restored, and deletions replayed", async (t) => {
  t.write("old.txt", "old\n");
  await settle();
  const cmd = counted("mkdir -p out/sub; ln -sf target out/link; rm -f old.txt");
  await t.run(cmd);
  assert.equal(Deno.readLinkSync(t.path("out/link")), "target");
  Deno.removeSync(t.path("out"), { recursive: true });
  t.write("old.txt", "old\n");
  await settle();
  await t.run(cmd);
  assert.equal(Deno.readLinkSync(t.path("out/link")), "target");
  assert.ok(Deno.statSync(t.path("out/sub")).isDirectory);
  assert.throws(() => Deno.statSync(t.path("old.txt")), "the deletion is replayed");
});

e2e("a restore never writes through a symlink planted at an output path", async (t) => {
  // out/ is there, as after a first build: a run that first makes it misses once more
  // (mkdir would have failed had it existed; see failures_test.ts).
  Deno.mkdirSync(t.path("out"));
  const cmd = counted("mkdir -p out; echo secret-free > out/f");
  await t.run(cmd);
  t.write("victim", "untouched\n");
  Deno.removeSync(t.path("out/f"));
  Deno.symlinkSync(t.path("victim"), t.path("out/f"));
  await settle();
  // casher restores nothing through (or over) the link: replacing it would not be what the
  // command does. The command runs, and does what it does without casher.
  const again = await t.run(["-v", ...cmd]);
  assert.match(again.err, /out\/f is now a symlink/);
  assert.equal(runs(t), 2);
  assert.equal(Deno.lstatSync(t.path("out/f")).isSymlink, true);
  assert.equal(t.read("victim"), "secret-free\n", "written by the command, as without casher");
});

// The run removed a directory and made a symlink in its place: the hit must do both, not
// fail on rename() over the directory (and then run the command on a half-restored tree).
e2e("a directory the run replaced by a symlink is replaced on a hit", async (t) => {
  const cmd = ["-v", "--", "sh", "-c", "test -e a && echo seen; echo > a; rmdir x; ln -s t x"];
  for (let i = 0; i < 2; i++) {
    try {
      Deno.removeSync(t.path("a"));
      Deno.removeSync(t.path("x"));
    } catch { /* first round */ }
    Deno.mkdirSync(t.path("x"));
    await settle();
    const r = await t.run(cmd);
    assert.equal(r.out, "", `round ${i + 1}: a was absent`);
    assert.equal(Deno.readLinkSync(t.path("x")), "t");
    if (i === 1) assert.match(r.err, /: hit in /);
  }
  assert.deepEqual([...Deno.readDirSync(t.dir)].filter((e) => e.name.includes("casher-tmp")), []);
});

// sed -i reads a file and renames its new version over it at once: only a fingerprint taken
// before the run can record what it read. Named inside a script, the file is found there.
e2e("sed -i inside sh -c is stored on its first run", async (t) => {
  t.write("f.txt", "hello\n");
  await settle();
  const first = await t.run(["-v", "--", "sh", "-c", "sed -i s/hello/world/ f.txt"]);
  assert.match(first.err, /casher: stored /);
  assert.equal(t.read("f.txt"), "world\n");
});
