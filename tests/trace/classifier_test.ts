// Classifier rules on synthetic lines in exact strace -y -xx shape.
import assert from "node:assert/strict";
import { hx, inputsOf, outputsOf, runTraceText } from "./_helpers.ts";

const W = "/w";
const cwd = `AT_FDCWD<${hx(W)}>`;
const open = (pid: number, p: string, flags: string, ret: string) =>
  `${pid}  openat(${cwd}, "${hx(p)}", ${flags}) = ${ret}`;
const ok = (p: string, fd = 3) => `${fd}<${hx(p.startsWith("/") ? p : W + "/" + p)}>`;
const ENOENT = "-1 ENOENT (No such file or directory)";
const run = (lines: string[], opts = {}) =>
  runTraceText(lines.join("\n") + "\n", { cwd: W, ...opts });

Deno.test("exclusions match whole components: <cwd>/dev and /tmp/x/proc files are still inputs", () => {
  const r = run([
    open(1, "dev/input.txt", "O_RDONLY", ok("dev/input.txt")),
    open(1, "/tmp/x/proc/file", "O_RDONLY", ok("/tmp/x/proc/file")),
    open(1, "/proc/self/maps", "O_RDONLY", ok("/proc/self/maps")),
    open(1, "/dev/null", "O_RDONLY", ok("/dev/null")),
    open(1, "/cache/v1/x", "O_RDONLY", ok("/cache/v1/x")),
    open(1, "/cachet/y", "O_RDONLY", ok("/cachet/y")),
  ], { exclude: ["/cache"] });
  assert.deepEqual(inputsOf(r.effects), ["/w/dev/input.txt", "/tmp/x/proc/file", "/cachet/y"]);
});

Deno.test("writes outside output roots are neither inputs nor outputs, appends included", () => {
  const r = run([
    open(1, "/var/log/app.log", "O_WRONLY|O_CREAT|O_APPEND", ok("/var/log/app.log")),
    open(1, "/var/log/app.log", "O_RDONLY", ok("/var/log/app.log")),
    open(1, "out.txt", "O_WRONLY|O_CREAT|O_APPEND", ok("out.txt")),
  ], { outputRoots: [W] });
  assert.deepEqual(outputsOf(r.effects), ["/w/out.txt"]);
  assert.deepEqual(
    inputsOf(r.effects),
    ["/w/out.txt"],
    "append under a root is input+output; outside: nothing",
  );
});

Deno.test("a read-then-written file is both input and output; O_TRUNC first is output only", () => {
  const r = run([
    open(1, "a", "O_RDONLY", ok("a")),
    open(1, "a", "O_WRONLY|O_TRUNC", ok("a")),
    open(1, "b", "O_WRONLY|O_CREAT|O_TRUNC", ok("b")),
    open(1, "b", "O_RDONLY", ok("b")),
  ]);
  assert.deepEqual(inputsOf(r.effects), ["/w/a"]);
  assert.deepEqual(outputsOf(r.effects), ["/w/a", "/w/b"]);
});

Deno.test("unlink of a pre-existing file is a deletion; unlink ENOENT is an absent input", () => {
  const r = run([
    `1  unlink("${hx("old")}") = 0`,
    `1  unlink("${hx("gone")}") = ${ENOENT}`,
  ]);
  assert.deepEqual(r.effects.deletions, ["/w/old"]);
  assert.deepEqual(inputsOf(r.effects, "absent"), ["/w/gone"]);
});

Deno.test("rename of a pre-existing file: source is input and deletion, destination output", () => {
  const r = run([`1  rename("${hx("src")}", "${hx("dst")}") = 0`]);
  assert.deepEqual(inputsOf(r.effects, "file"), ["/w/src"]);
  assert.deepEqual(r.effects.deletions, ["/w/src"]);
  assert.deepEqual(r.effects.outputs, [{ path: "/w/dst", kind: "file" }]);
});

Deno.test("renaming a directory created in the run moves its outputs", () => {
  const r = run([
    `1  mkdir("${hx("tmpd")}", 0777) = 0`,
    open(1, "tmpd/f", "O_WRONLY|O_CREAT|O_EXCL", ok("tmpd/f")),
    `1  symlink("${hx("f")}", "${hx("tmpd/l")}") = 0`,
    `1  rename("${hx("tmpd")}", "${hx("final")}") = 0`,
  ]);
  assert.deepEqual(r.effects.outputs.map((o) => `${o.kind}:${o.path}`).sort(), [
    "dir:/w/final",
    "file:/w/final/f",
    "symlink:/w/final/l",
  ]);
  assert.deepEqual(r.effects.deletions, []);
});

Deno.test("renaming a pre-existing directory makes the run untrusted", () => {
  const r = run([
    `1  newfstatat(${cwd}, "${hx("d")}", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0`,
    `1  rename("${hx("d")}", "${hx("e")}") = 0`,
  ]);
  assert.equal(r.effects.trust.kind, "untrusted");
});

Deno.test("stat of a regular file is a file and a meta input, of a directory a meta input; a listing is a listing", () => {
  const r = run([
    `1  newfstatat(${cwd}, "${hx("f")}", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0`,
    `1  statx(${cwd}, "${
      hx("d")
    }", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFDIR|0755, stx_size=4096, ...}) = 0`,
    open(1, "d2", "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY", ok("d2")),
    `1  getdents64(3<${hx("/w/d2")}>, 0x55 /* 3 entries */, 32768) = 72`,
    open(1, "d3", "O_RDONLY", ok("d3", 4)),
    `1  newfstatat(4<${
      hx("/w/d3")
    }>, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0`,
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/f", kind: "file" },
    { path: "/w/f", kind: "meta", probe: { kind: "stat", mode: 0o100644 } },
    { path: "/w/d", kind: "meta", probe: { kind: "stat", mode: 0o040755 } },
    { path: "/w/d2", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/d2", kind: "listing" },
  ]);
});

Deno.test("a file read through a symlinked directory is recorded under the symlink path", () => {
  const r = run([open(1, "/w/link/a.h", "O_RDONLY", ok("/real/dir/a.h"))]);
  assert.deepEqual(inputsOf(r.effects), ["/w/link/a.h"]);
});

Deno.test("'..' after a component that is not a real directory is kept, after a real one collapsed", () => {
  const r = run([
    open(1, "/nonexistent-casher/x/../y", "O_RDONLY", ok("/y")),
    open(1, "/usr/bin/../lib/z", "O_RDONLY", ok("/usr/lib/z")),
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/nonexistent-casher/x/../y", kind: "file" },
    { path: "/usr/bin", kind: "meta", probe: { kind: "lstat" } },
    { path: "/usr/lib/z", kind: "file" },
  ], "the collapse depends on /usr/bin being a real directory: an lstat meta input");
});

Deno.test("probes that read no content are meta inputs: access, lstat, O_PATH, readlink, chdir", () => {
  const r = run([
    `1  access("${hx("x")}", X_OK) = 0`,
    `1  faccessat2(${cwd}, "${hx("nx")}", X_OK, AT_EACCESS) = -1 EACCES (Permission denied)`,
    `1  newfstatat(${cwd}, "${
      hx("l")
    }", {st_mode=S_IFLNK|0777, st_size=2, ...}, AT_SYMLINK_NOFOLLOW) = 0`,
    open(1, "p", "O_RDONLY|O_PATH|O_NOFOLLOW", ok("p")),
    `1  readlink("${hx("L")}", "${hx("ta")}", 1023) = 2`,
    `1  readlinkat(${cwd}, "${hx("long")}", "${hx("abcd")}", 4) = 4`,
    `1  readlink("${hx("x")}", 0x7ffd, 1023) = -1 EINVAL (Invalid argument)`,
    `1  chdir("${hx("sub")}") = 0`,
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/x", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/nx", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/l", kind: "meta", probe: { kind: "lstat", mode: 0o120777 } },
    { path: "/w/p", kind: "meta", probe: { kind: "lstat" } },
    { path: "/w/L", kind: "meta", probe: { kind: "readlink", target: "ta" } },
    { path: "/w/long", kind: "meta", probe: { kind: "readlink", target: null } },
    { path: "/w/x", kind: "meta", probe: { kind: "lstat" } },
    { path: "/w/sub", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/sub", kind: "meta", probe: { kind: "entry" } },
  ]);
});

Deno.test("a probe of a path the run already changed is not a meta input", () => {
  const r = run([
    `1  mkdir("${hx("d")}", 0777) = 0`,
    `1  newfstatat(${cwd}, "${hx("d")}", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0`,
    `1  symlink("${hx("t")}", "${hx("L")}") = 0`,
    `1  readlink("${hx("L")}", "${hx("t")}", 1023) = 1`,
  ]);
  // No meta input; mkdir and symlink would have failed had d or L existed: that is all.
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/d", kind: "absent" },
    { path: "/w/L", kind: "absent" },
  ]);
  assert.deepEqual(outputsOf(r.effects), ["/w/d", "/w/L"]);
});

Deno.test("append to a path not known to exist is input and output and fires onFirstRead", () => {
  const seen: string[] = [];
  const r = run([open(1, "log", "O_WRONLY|O_CREAT|O_APPEND", ok("log"))], {
    onFirstRead: (p: string) => seen.push(p),
  });
  assert.deepEqual(inputsOf(r.effects, "file"), ["/w/log"]);
  assert.deepEqual(outputsOf(r.effects), ["/w/log"]);
  assert.deepEqual(seen, ["/w/log"]);
});

Deno.test("append after an ENOENT probe is a creation: absent input and output, no file input", () => {
  const r = run([
    `1  access("${hx("log")}", F_OK) = ${ENOENT}`,
    open(1, "log", "O_WRONLY|O_CREAT|O_APPEND", ok("log")),
  ]);
  assert.deepEqual(r.effects.inputs, [{ path: "/w/log", kind: "absent" }]);
  assert.deepEqual(outputsOf(r.effects), ["/w/log"]);
});

Deno.test("O_TRUNC create then unlink of a path of unknown pre-state replays as a deletion", () => {
  const r = run([open(1, "t", "O_WRONLY|O_CREAT|O_TRUNC", ok("t")), `1  unlink("${hx("t")}") = 0`]);
  assert.deepEqual(r.effects.deletions, ["/w/t"]);
  assert.deepEqual(r.effects.outputs, []);
});

Deno.test("a child seen before its clone returns inherits the forking parent's cwd", () => {
  const r = run([
    `1  chdir("${hx("sub")}") = 0`,
    `1  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>`,
    `2  stat("${hx("f")}", {st_mode=S_IFREG|0644, st_size=1, ...}) = 0`,
    `1  <... clone resumed>, child_tidptr=0x7f) = 2`,
    `2  chdir("${hx("/x")}") = 0`,
    `1  stat("${hx("g")}", {st_mode=S_IFREG|0644, st_size=1, ...}) = 0`,
  ]);
  assert.deepEqual(inputsOf(r.effects, "file"), ["/w/sub/f", "/w/sub/g"]);
});

Deno.test("threads created with CLONE_FS share the cwd", () => {
  const r = run([
    `1  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, exit_signal=0} => {parent_tid=[2]}, 88) = 2`,
    `2  chdir("${hx("/t")}") = 0`,
    `1  stat("${hx("f")}", {st_mode=S_IFREG|0644, st_size=1, ...}) = 0`,
  ]);
  assert.deepEqual(inputsOf(r.effects, "file"), ["/t/f"]);
});

Deno.test("a truncated path, an unknown line and an unknown syscall each mark the run untrusted", () => {
  for (
    const line of [
      `1  openat(${cwd}, "${hx("abc")}"..., O_RDONLY) = 3`,
      `1  this is not strace`,
      `1  read(3, "", 10) = 0`,
      `1  <... openat resumed>) = 3`,
    ]
  ) {
    const r = run([line]);
    assert.equal(r.effects.trust.kind, "untrusted", line);
  }
});

Deno.test("a trace ending mid-line or with an unfinished call is untrusted", () => {
  assert.equal(runTraceText(`1  chdir("${hx("/")}") = 0\n1  open`).effects.trust.kind, "untrusted");
  assert.equal(
    run([`1  openat(${cwd}, "${hx("p")}", O_RDONLY <unfinished ...>`]).effects.trust.kind,
    "untrusted",
  );
});

Deno.test("an unfinished call of a killed process is dropped, and the root's kill signal is reported", () => {
  const r = run([
    `1  openat(${cwd}, "${hx("fifo")}", O_RDONLY <unfinished ...>`,
    `1  +++ killed by SIGKILL +++`,
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  assert.equal(r.rootSignal, "SIGKILL");
});

Deno.test("interrupted calls (ERESTARTSYS) and signals are not effects", () => {
  const r = run([
    `1  openat(${cwd}, "${
      hx("a")
    }", O_RDONLY) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)`,
    `1  --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---`,
    open(1, "b", "O_RDONLY", ok("b")),
  ]);
  assert.deepEqual(inputsOf(r.effects), ["/w/b"]);
  assert.equal(r.syscalls, 2);
});
