/**
 * The command cache end to end: real programs under casher, checking bytes, files and
 * exit codes. Each test runs against the compiled binary and against `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { casherOnPath, e2e, settle, spawn } from "./_harness.ts";

/** `sh -c` script that counts its runs in ../runs (outside the output root `out`). */
function counted(script: string): string[] {
  return ["--output-root", "out", "--", "sh", "-c", `echo run >> ../runs; ${script}`];
}

function runs(t: { dir: string }): number {
  try {
    return Deno.readTextFileSync(`${t.dir}/../runs`).split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

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
  const cmd = counted(`mkdir -p out && printf 'x\\n' > "out/we ird'\n"'name.txt'`);
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read(name), "x\n");
  Deno.removeSync(t.path(name));
  assert.equal((await t.run(cmd)).code, 0);
  assert.equal(t.read(name), "x\n");
  assert.equal(runs(t), 1);
});

e2e("6 identical invocations launched at once run the command exactly once", async (t) => {
  const cmd = counted("sleep 1; echo done");
  const all = await Promise.all(Array.from({ length: 6 }, () => t.run(cmd)));
  for (const r of all) {
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "done\n");
  }
  assert.equal(runs(t), 1);
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

e2e("under nohup the command ignores SIGHUP too, as it would without casher", async (t) => {
  // A session of its own, so the hangup reaches casher, strace and the command but not the
  // test runner; the command hangs up its whole process group, then reports.
  const inner = `kill -HUP 0; grep SigIgn /proc/self/status >&2; echo survived`;
  const casher = [...t.target.argv, "--cache-dir", t.cache, "--", "sh", "-c", inner];
  const quoted = casher.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const r = await spawn(["setsid", "--wait", "sh", "-c", `trap '' HUP; exec ${quoted}`], {
    cwd: t.dir,
  });
  assert.equal(r.out, "survived\n", r.err);
  assert.equal(r.code, 0);
  // Without nohup the hangup ends it, as it would end the command alone.
  const plain = await spawn(["setsid", "--wait", ...casher.slice(0, -1), `${inner}; exit 3`], {
    cwd: t.dir,
  });
  assert.equal(plain.code, 128 + 1, plain.err);
});

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

e2e("an input changed while the command runs is not stored", async (t) => {
  t.write("in.txt", "before\n");
  await settle();
  // The command signals (outside the output root) once it has read in.txt, then waits.
  const cmd = ["-v", ...counted("cat in.txt; touch ../ready; sleep 0.5")];
  const running = t.run(cmd);
  const ready = `${t.dir}/../ready`;
  for (let i = 0; i < 400; i++) {
    try {
      Deno.statSync(ready);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  t.write("in.txt", "during\n");
  const first = await running;
  assert.equal(first.out, "before\n");
  assert.match(first.err, /not stored.*in\.txt changed while the command ran/);
  await settle();
  const second = await t.run(cmd);
  assert.equal(second.out, "during\n", "the next run must not replay the stale output");
  assert.equal(runs(t), 2);
});

e2e(
  "--input declares an extra input and --output captures a path the trace did not see",
  async (t) => {
    t.write("config.txt", "v1\n");
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

e2e("stdin from a pipe is part of the key and reaches the command unchanged", async (t) => {
  const cmd = counted("tr a-z A-Z");
  assert.equal((await t.run(cmd, { stdin: "abc\n" })).out, "ABC\n");
  assert.equal((await t.run(cmd, { stdin: "abc\n" })).out, "ABC\n");
  assert.equal(runs(t), 1);
  assert.equal((await t.run(cmd, { stdin: "xyz\n" })).out, "XYZ\n");
  assert.equal(runs(t), 2);
});

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
  const cmd = counted("mkdir -p out; echo secret-free > out/f");
  await t.run(cmd);
  t.write("victim", "untouched\n");
  Deno.removeSync(t.path("out/f"));
  Deno.symlinkSync(t.path("victim"), t.path("out/f"));
  await t.run(cmd);
  assert.equal(t.read("victim"), "untouched\n");
  assert.equal(Deno.lstatSync(t.path("out/f")).isSymlink, false);
  assert.equal(t.read("out/f"), "secret-free\n");
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

e2e("a signal sent to casher reaches the command, whose exit code passes through", async (t) => {
  const cmd = new Deno.Command(t.target.argv[0], {
    args: [
      ...t.target.argv.slice(1),
      "--cache-dir",
      t.cache,
      "--",
      "sh",
      "-c",
      "trap 'echo got TERM; kill $!; exit 3' TERM; touch started; sleep 5 & wait",
    ],
    cwd: t.dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 400; i++) {
    try {
      Deno.statSync(t.path("started"));
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  cmd.kill("SIGTERM");
  const r = await cmd.output();
  assert.equal(new TextDecoder().decode(r.stdout), "got TERM\n");
  assert.equal(r.code, 3);
});

e2e(
  "a file written without truncation is absent-before on its first run, an input after",
  async (t) => {
    const cmd = counted("mkdir -p out; printf data 1<> out/f");
    await t.run(cmd); // creates out/f: recorded as absent before the run, and as an output
    assert.equal(t.read("out/f"), "data");
    await t.run(cmd); // out/f exists now: a miss, fingerprinted before the run
    await t.run(cmd); // hit
    assert.equal(runs(t), 2);
    t.write("out/f", "hello world");
    await settle();
    await t.run(cmd); // a real run writes over the start without truncating
    assert.equal(t.read("out/f"), "datao world", "never replay the old whole-file output");
    assert.equal(runs(t), 3);
  },
);

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

e2e(
  "probe absent, then create: a file the user adds later is a miss, never clobbered",
  async (t) => {
    const cmd = counted("[ -f out ] || echo gen > out; cat out");
    assert.equal((await t.run(cmd)).out, "gen\n");
    t.write("out", "user\n");
    await settle();
    const second = await t.run(cmd);
    assert.equal(second.out, "user\n", "the run must see the user's file");
    assert.equal(t.read("out"), "user\n", "the user's file must not be overwritten");
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).out, "user\n");
    assert.equal(runs(t), 2, "the second run's entry hits");
  },
);

e2e(
  "a command that creates its own output dir misses on runs 1 and 2 and hits on run 3",
  async (t) => {
    // Run 1 finds `out` absent and creates it; run 2 finds it present (another state of the
    // world, so a miss) and records that; run 3 matches run 2's entry.
    const cmd = counted("[ -d out ] || mkdir out; echo made > out/f; cat out/f");
    for (const expectedRuns of [1, 2, 2]) {
      const r = await t.run(cmd);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "made\n");
      assert.equal(t.read("out/f"), "made\n");
      assert.equal(runs(t), expectedRuns);
    }
  },
);

e2e("find -type f misses when a file is replaced by a directory of the same name", async (t) => {
  t.write("T2/x", "");
  t.write("T2/y", "");
  await settle();
  const cmd = counted("find T2 -type f | sort");
  assert.equal((await t.run(cmd)).out, "T2/x\nT2/y\n");
  assert.equal((await t.run(cmd)).out, "T2/x\nT2/y\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("T2/x"));
  Deno.mkdirSync(t.path("T2/x"));
  await settle();
  assert.equal((await t.run(cmd)).out, "T2/y\n", "the listing holds entry types, not just names");
  assert.equal(runs(t), 2);
});

/** `casher --cache-dir <cache>` as a shell word list, for pipelines run through bash. */
function casherWords(t: { target: { argv: readonly string[] }; cache: string }): string {
  return [...t.target.argv, "--cache-dir", t.cache].map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
}

e2e("a reader that goes away stops the command with SIGPIPE, as without casher", async (t) => {
  const casher = casherWords(t);
  // `timeout` turns a hang (the bug) into a failure instead of a stuck test.
  const yes = await spawn(
    ["timeout", "60", "bash", "-c", `${casher} -- yes < /dev/null | head -1`],
    {
      cwd: t.dir,
    },
  );
  assert.equal(yes.code, 0, yes.err);
  assert.equal(yes.out, "y\n");
  const seq = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casher} -v -- seq 1000000 < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.equal(seq.code, 141, seq.err);
  assert.equal(seq.out, "1\n");
  assert.match(seq.err, /casher: not stored seq 1000000: .*went away/);
  // A shell's own child writing is stopped too, and the shell goes on as it would.
  const sh = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casher} -- sh -c 'yes; echo after >&2' < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.equal(sh.code, 0, sh.err);
  assert.equal(sh.err, "after\n");
  assert.deepEqual(JSON.parse((await t.run(["ls", "--json"])).out), [], "nothing was stored");
});

e2e("a hit whose reader goes away exits 141 like the command would", async (t) => {
  const cmd = ["--", "seq", "100000"];
  assert.equal((await t.run(cmd)).code, 0);
  const hit = await spawn([
    "timeout",
    "60",
    "bash",
    "-c",
    `set -o pipefail; ${casherWords(t)} -v -- seq 100000 < /dev/null | head -1`,
  ], { cwd: t.dir });
  assert.match(hit.err, /casher: hit seq 100000/);
  assert.equal(hit.out, "1\n");
  assert.equal(hit.code, 141, hit.err);
});

e2e(
  "an input read through a symlink the run re-points is never recorded with the new target's content",
  async (t) => {
    t.write("A/x", "AAA\n");
    t.write("B/x", "BBB\n");
    Deno.symlinkSync("A", t.path("L"));
    await settle();
    const script = "import os\nprint(open('L/x').read(), end='')\n" +
      "os.symlink('B', 'L.tmp')\nos.replace('L.tmp', 'L')\n";
    const cmd = ["--", "python3", "-c", script];
    assert.equal((await t.run(cmd)).out, "AAA\n");
    assert.equal(Deno.readLinkSync(t.path("L")), "B");
    await settle();
    assert.equal((await t.run(cmd)).out, "BBB\n", "L/x now reads B/x: a hit would replay AAA");
    assert.equal((await t.run(cmd)).out, "BBB\n");
  },
);

e2e(
  "a file on stdin is hashed without moving its offset: a `while read` loop sees every line",
  async (t) => {
    t.write("list", "a\nb\nc\n");
    await settle();
    const loop = `while read f; do ${casherWords(t)} -- echo "item $f"; done < list`;
    for (const pass of ["miss", "hit"]) {
      const r = await spawn(["bash", "-c", loop], { cwd: t.dir });
      assert.equal(r.out, "item a\nitem b\nitem c\n", `${pass}: ${r.err}`);
    }
    // The command reads from the shared offset, and the key is the bytes from there on.
    const rest = `(read first; ${casherWords(t)} -v -- cat) < list`;
    assert.equal((await spawn(["bash", "-c", rest], { cwd: t.dir })).out, "b\nc\n");
    const again = await spawn(["bash", "-c", rest], { cwd: t.dir });
    assert.equal(again.out, "b\nc\n");
    assert.match(again.err, /casher: hit cat/);
  },
);

e2e("an endless pipe on stdin runs the command uncached with its whole input", async (t) => {
  const casher = casherWords(t);
  const yes = await spawn(
    ["timeout", "60", "bash", "-c", `yes | ${casher} -v -- head -1`],
    { cwd: t.dir },
  );
  assert.equal(yes.code, 0, yes.err);
  assert.equal(yes.out, "y\n");
  assert.match(yes.err, /casher: stdin goes on past \d+ bytes, .*running the command uncached/);
  // Past the bound, the command still gets every byte: the spooled ones, then the rest.
  const n = 300_000_000;
  const wc = await spawn(
    ["timeout", "60", "bash", "-c", `head -c ${n} /dev/zero | ${casher} -- wc -c`],
    { cwd: t.dir },
  );
  assert.equal(wc.out.trim(), String(n), wc.err);
  assert.deepEqual([...Deno.readDirSync(`${t.cache}/v1/tmp`)], [], "no spool file left");
});

e2e("the stdin spool is never left behind, even when casher is killed", async (t) => {
  const child = new Deno.Command(t.target.argv[0], {
    args: [...t.target.argv.slice(1), "--cache-dir", t.cache, "--", "cat"],
    cwd: t.dir,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("some input, and the pipe stays open\n"));
  const tmp = `${t.cache}/v1/tmp`;
  const spooled = () => {
    try {
      return [...Deno.readDirSync(tmp)].map((e) => e.name);
    } catch {
      return [];
    }
  };
  const exists = (p: string) => {
    try {
      return Deno.statSync(p).isDirectory;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 400 && !exists(tmp); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 500)); // casher is spooling the open pipe now
  assert.deepEqual(spooled(), [], "the spool is unlinked as soon as it is made");
  child.kill("SIGTERM");
  await child.status;
  await writer.close().catch(() => {});
  assert.deepEqual(spooled(), []);
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

e2e("test -d and test -x miss when the directory goes away or the mode changes", async (t) => {
  Deno.mkdirSync(t.path("d"));
  t.write("x", "#!/bin/sh\n");
  Deno.chmodSync(t.path("x"), 0o755);
  await settle();
  const cmd = counted("test -d d && echo dir; test -x x && echo exe; true");
  assert.equal((await t.run(cmd)).out, "dir\nexe\n");
  assert.equal((await t.run(cmd)).out, "dir\nexe\n");
  assert.equal(runs(t), 1);
  Deno.chmodSync(t.path("x"), 0o644);
  await settle();
  assert.match((await t.run(["why", ...cmd])).out, /type or permissions of .*x changed/);
  assert.equal((await t.run(cmd)).out, "dir\n", "chmod -x must miss");
  assert.equal(runs(t), 2);
  Deno.removeSync(t.path("d"));
  await settle();
  assert.equal((await t.run(cmd)).out, "", "a removed directory must miss");
  assert.equal(runs(t), 3);
  const why = await t.run(["why", ...cmd]);
  assert.match(why.out, /would hit/);
});

e2e("readlink misses when the link is re-pointed", async (t) => {
  Deno.symlinkSync("ta", t.path("L"));
  await settle();
  const cmd = counted("readlink L");
  assert.equal((await t.run(cmd)).out, "ta\n");
  assert.equal((await t.run(cmd)).out, "ta\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("L"));
  Deno.symlinkSync("tb", t.path("L"));
  await settle();
  const why = await t.run(["why", ...cmd]);
  assert.match(why.out, /symlink .*L now points elsewhere/);
  assert.equal((await t.run(cmd)).out, "tb\n");
  assert.equal(runs(t), 2);
});

e2e("cat dd/../f misses when the directory dd is replaced by a symlink", async (t) => {
  t.write("f", "top\n");
  Deno.mkdirSync(t.path("dd"));
  t.write("other/f", "other\n");
  Deno.mkdirSync(t.path("other/sub"));
  await settle();
  const cmd = counted("cat dd/../f");
  assert.equal((await t.run(cmd)).out, "top\n");
  assert.equal((await t.run(cmd)).out, "top\n");
  assert.equal(runs(t), 1);
  Deno.removeSync(t.path("dd"));
  Deno.symlinkSync("other/sub", t.path("dd"));
  await settle();
  assert.equal((await t.run(cmd)).out, "other\n", "dd/.. now names other/");
  assert.equal(runs(t), 2);
});

e2e(
  "cat x/y misses when x becomes a file: ENOTDIR is not the same absence as ENOENT",
  async (t) => {
    const script = 'if out=$(cat x/y 2>&1); then echo "got $out"; else case "$out" in ' +
      '*"No such"*) echo default;; *) echo "broken: $out" >&2; exit 3;; esac; fi';
    const cmd = ["--cache-failures", ...counted(script)];
    assert.equal((await t.run(cmd)).out, "default\n");
    assert.equal((await t.run(cmd)).out, "default\n");
    assert.equal(runs(t), 1);
    t.write("x", "data\n");
    await settle();
    const miss = await t.run(cmd);
    assert.equal(miss.code, 3, "x/y now fails with ENOTDIR: must miss");
    assert.match(miss.err, /broken: .*Not a directory/);
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).code, 3, "the ENOTDIR run hits while x stays a file");
    assert.equal(runs(t), 2);
    Deno.removeSync(t.path("x"));
    await settle();
    assert.equal((await t.run(cmd)).out, "default\n", "the first candidate matches again");
    assert.equal(runs(t), 2);
  },
);

e2e(
  "mv onto an existing file hits again: its O_DIRECTORY probe is not an absent input",
  async (t) => {
    const cmd = counted("cp a out/b && mv out/b out/log");
    t.write("a", "A\n");
    t.write("out/log", "old\n");
    await settle();
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(t.read("out/log"), "A\n");
    assert.equal((await t.run(cmd)).code, 0);
    assert.equal(runs(t), 1, "log still a file: hit");
  },
);

e2e("a hit moves a stdin file's offset as far as the command did", async (t) => {
  t.write("in.txt", "l1\nl2\nl3\n");
  await settle();
  const casher = casherWords(t);
  // A pipe with the same bytes first: its entry records no offset, and must not serve the file.
  const piped = await spawn(["bash", "-c", `printf 'l1\\nl2\\nl3\\n' | ${casher} -- head -n1`], {
    cwd: t.dir,
  });
  assert.equal(piped.out, "l1\n");
  const script = `( ${casher} -v -- head -n1; echo rest:; cat ) < in.txt`;
  for (const pass of ["miss", "hit"]) {
    const r = await spawn(["bash", "-c", script], { cwd: t.dir });
    assert.equal(r.out, "l1\nrest:\nl2\nl3\n", `${pass}: ${r.err}`);
    if (pass === "hit") assert.match(r.err, /casher: hit head -n1/);
  }
  // From another offset the bytes differ, so it is another entry, and it advances too.
  const later = `( read x; ${casher} -v -- head -n1; echo rest:; cat ) < in.txt`;
  for (const pass of ["miss", "hit"]) {
    const r = await spawn(["bash", "-c", later], { cwd: t.dir });
    assert.equal(r.out, "l2\nrest:\nl3\n", `${pass}: ${r.err}`);
  }
});

e2e(
  "cd l && pwd -P misses when the directory l becomes a symlink, or the symlink is re-pointed",
  async (t) => {
    Deno.mkdirSync(t.path("realdir"));
    Deno.mkdirSync(t.path("other"));
    Deno.mkdirSync(t.path("l"));
    await settle();
    const cmd = counted("cd l && pwd -P");
    const real = Deno.realPathSync(t.dir);
    assert.equal((await t.run(cmd)).out, `${real}/l\n`);
    assert.equal((await t.run(cmd)).out, `${real}/l\n`);
    assert.equal(runs(t), 1);
    Deno.removeSync(t.path("l"));
    Deno.symlinkSync("realdir", t.path("l"));
    await settle();
    assert.equal((await t.run(cmd)).out, `${real}/realdir\n`, "l is now a symlink: must miss");
    assert.equal(runs(t), 2);
    assert.equal((await t.run(cmd)).out, `${real}/realdir\n`);
    assert.equal(runs(t), 2, "unchanged link: hit");
    Deno.removeSync(t.path("l"));
    Deno.symlinkSync("other", t.path("l"));
    await settle();
    assert.equal((await t.run(cmd)).out, `${real}/other\n`, "re-pointed link: must miss");
    assert.equal(runs(t), 3);
  },
);

e2e("cat through a symlink the run made reads its target: a changed target misses", async (t) => {
  t.write("data.txt", "A\n");
  Deno.mkdirSync(t.path("d1"));
  t.write("d1/f", "X\n");
  await settle();
  const cmd = counted("ln -sfn ../data.txt out/q; cat out/q; ln -sfn ../d1 out/qd; cat out/qd/f");
  Deno.mkdirSync(t.path("out"));
  assert.equal((await t.run(cmd)).out, "A\nX\n");
  assert.equal((await t.run(cmd)).out, "A\nX\n");
  assert.equal(runs(t), 1);
  t.write("data.txt", "B\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "B\nX\n", "the link's target changed: must miss");
  assert.equal(runs(t), 2);
  t.write("d1/f", "Y\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "B\nY\n", "a file read through a linked dir changed");
  assert.equal(runs(t), 3);
  assert.equal((await t.run(cmd)).out, "B\nY\n");
  assert.equal(runs(t), 3);
});

e2e("a write through a symlink the run made is an output of the link's target", async (t) => {
  const cmd = counted("mkdir -p out; ln -sfn data out/q; echo written > out/q");
  await t.run(cmd);
  assert.equal(t.read("out/data"), "written\n");
  Deno.removeSync(t.path("out/data")); // the target is what the run wrote: restore it
  await t.run(cmd);
  assert.equal(t.read("out/data"), "written\n");
  assert.equal(Deno.readLinkSync(t.path("out/q")), "data");
  assert.equal(runs(t), 1);
});
