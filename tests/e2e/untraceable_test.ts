/**
 * Runs whose inputs are easy to miss are run again when those inputs change, never replayed
 * stale: end to end, against the compiled binary and `deno run cli.ts`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { e2e, settle } from "./_harness.ts";

function hasNode(): boolean {
  try {
    execFileSync("node", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// libuv (Node's I/O library) reads files through io_uring when UV_USE_IO_URING=1: those
// reads never reach strace. A stored run would replay "one" after data.txt changed.
e2e(
  "a run that reads through io_uring is not stored, so a changed file is read again",
  async (t) => {
    assert.ok(hasNode(), "node must be on PATH (the machine's base install has it)");
    const read = "require('fs').readFile('data.txt', 'utf8', (e, d) => process.stdout.write(d))";
    const cmd = ["-v", "--", "node", "-e", read];
    const env = { UV_USE_IO_URING: "1" };
    t.write("data.txt", "one\n");
    await settle();
    const first = await t.run(cmd, { env });
    assert.equal(first.code, 0, first.err);
    assert.equal(first.out, "one\n");
    assert.match(first.err, /not stored.*io_uring_setup/);
    t.write("data.txt", "two\n");
    await settle();
    const second = await t.run(cmd, { env });
    assert.equal(second.out, "two\n");
    assert.doesNotMatch(second.err, /: hit in /);
  },
);

// `ls current/` after `current` is re-pointed (a deploy's `current -> release-2`): the
// listing the trace shows is of the old target's real path, which did not change.
e2e("re-pointing a symlinked directory a run listed or read through is a miss", async (t) => {
  t.write("a/one", "1\n");
  t.write("b/two", "2\n");
  Deno.symlinkSync("a", t.path("current"));
  await settle();
  for (const script of ["ls current/", "find current/ -type f", "cat current/* 2>&1; true"]) {
    Deno.removeSync(t.path("current"));
    Deno.symlinkSync("a", t.path("current"));
    await settle();
    const cmd = ["--", "sh", "-c", script];
    const first = await t.run(cmd);
    assert.equal(first.code, 0, first.err);
    assert.equal((await t.run(["-v", ...cmd])).err.includes(": hit in "), true, script);
    Deno.removeSync(t.path("current"));
    Deno.symlinkSync("b", t.path("current"));
    await settle();
    const after = await t.run(cmd);
    const truth = await t.run(["--no-store", "--force", ...cmd]);
    assert.equal(after.out, truth.out, script);
    assert.notEqual(after.out, first.out, script);
  }
});

// A program that opens a file read-write outside the output roots may read it (python's
// open(p, "r+")): the write is ignored there, the read is still an input.
e2e("a file opened read-write outside the output roots is an input", async (t) => {
  const read = 'print(open("state.txt", "r+").read(), end="")';
  const cmd = ["--output-root", "out", "--", "python3", "-c", read];
  t.write("state.txt", "A\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "A\n");
  t.write("state.txt", "B\n");
  await settle();
  assert.equal((await t.run(cmd)).out, "B\n");
});

// An exec depends on the execute bit as much as on the bytes; a symlink only lstat'ed
// (`stat -c %s link` prints its target's length) depends on its target.
e2e(
  "chmod -x on a script a run executed, and re-pointing a link it only lstat'ed, are misses",
  async (t) => {
    t.write("s", "#!/bin/sh\necho ran\n");
    Deno.chmodSync(t.path("s"), 0o755);
    Deno.symlinkSync("abc", t.path("L"));
    await settle();
    const cmd = ["--", "sh", "-c", "./s; echo rc=$?; stat -c %s L"];
    assert.equal((await t.run(cmd)).out, "ran\nrc=0\n3\n");
    Deno.chmodSync(t.path("s"), 0o644);
    await settle();
    assert.match((await t.run(cmd)).out, /^rc=126\n3\n$/m);
    Deno.removeSync(t.path("L"));
    Deno.symlinkSync("abcdefgh", t.path("L"));
    await settle();
    assert.match((await t.run(cmd)).out, /\n8\n$/);
  },
);

// `/proc/self/cwd/x`, `/proc/self/root/...` and `/proc/self/fd/N` (reopening an O_PATH fd)
// name real files; /proc itself is never an input, so they used to replay stale bytes.
e2e("files read or probed through /proc links are inputs", async (t) => {
  const py = "import os; fd = os.open('a.txt', os.O_PATH); " +
    "print(open('/proc/self/fd/%d' % fd).read(), end='')";
  const scripts = [
    "cat /proc/self/cwd/a.txt",
    `cat /proc/self/root${t.path("a.txt")}`,
    `python3 -c "${py}"`,
    "test -e /proc/self/cwd/b.txt && echo b; cat a.txt",
  ];
  for (const script of scripts) {
    t.write("a.txt", "one\n");
    try {
      Deno.removeSync(t.path("b.txt"));
    } catch { /* absent */ }
    await settle();
    const cmd = ["--", "sh", "-c", script];
    assert.equal((await t.run(cmd)).out, "one\n", script);
    assert.match((await t.run(["-v", ...cmd])).err, /: hit in /, script);
    t.write("a.txt", "two\n");
    if (script.includes("b.txt")) t.write("b.txt", "");
    await settle();
    assert.match((await t.run(cmd)).out, /two\n$/, script);
  }
});

// python's os.open(dir) has no O_DIRECTORY: that the fd is a directory shows only when it is
// listed or used as a dirfd, and then the symlink on its name decides what was read.
e2e("a symlinked directory opened without O_DIRECTORY and re-pointed is a miss", async (t) => {
  t.write("r1/x", "1\n");
  t.write("r2/x", "2\n");
  t.write("r2/y", "3\n");
  const scripts = [
    "import os; print(sorted(os.listdir(os.open('L', os.O_RDONLY))))",
    "import os; d = os.open('L', os.O_RDONLY); print(os.read(os.open('x', 0, dir_fd=d), 9))",
  ];
  for (const script of scripts) {
    try {
      Deno.removeSync(t.path("L"));
    } catch { /* first round */ }
    Deno.symlinkSync("r1", t.path("L"));
    await settle();
    const cmd = ["--", "python3", "-c", script];
    const first = await t.run(cmd);
    assert.equal(first.code, 0, first.err);
    assert.match((await t.run(["-v", ...cmd])).err, /: hit in /, script);
    Deno.removeSync(t.path("L"));
    Deno.symlinkSync("r2", t.path("L"));
    await settle();
    const after = await t.run(cmd);
    assert.equal(after.out, (await t.run(["--no-store", "--force", ...cmd])).out, script);
    assert.notEqual(after.out, first.out, script);
  }
});

// Extended attributes (and ACLs, capabilities) are read by getxattr/listxattr; a run that
// printed them must see a change (python's os.setxattr; setfacl does the same).
e2e("a changed extended attribute a run read is a miss", async (t) => {
  const set = (v: string) =>
    execFileSync("python3", ["-c", `import os; os.setxattr("f", "user.a", b"${v}")`], {
      cwd: t.path("."),
    });
  t.write("f", "");
  set("1");
  await settle();
  const cmd = [
    "--",
    "python3",
    "-c",
    'import os; print(os.listxattr("f"), os.getxattr("f", "user.a"))',
  ];
  assert.equal((await t.run(cmd)).out, "['user.a'] b'1'\n");
  assert.match((await t.run(["-v", ...cmd])).err, /: hit in /);
  set("2");
  await settle();
  assert.equal((await t.run(cmd)).out, "['user.a'] b'2'\n");
});
