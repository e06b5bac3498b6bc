// Tracer rules that once let a changed tree replay a stale run (found by review).
import assert from "node:assert/strict";
import { SYSCALL_GROUPS } from "../../lib/trace/syscall_set.ts";
import { hx, runTraceText } from "./_helpers.ts";

const W = "/w";
const cwd = `AT_FDCWD<${hx(W)}>`;
const open = (pid: number, p: string, flags: string, ret: string) =>
  `${pid}  openat(${cwd}, "${hx(p)}", ${flags}) = ${ret}`;
const ENOENT = "-1 ENOENT (No such file or directory)";
const ENOTDIR = "-1 ENOTDIR (Not a directory)";
const run = (lines: string[], opts = {}) =>
  runTraceText(lines.join("\n") + "\n", { cwd: W, ...opts });

Deno.test("an absent input keeps ENOTDIR apart from ENOENT, for every probe", () => {
  const r = run([
    open(1, "x/y", "O_RDONLY", ENOTDIR),
    open(1, "m", "O_RDONLY", ENOENT),
    `1  newfstatat(${cwd}, "${hx("s/t")}", 0x7ffd, 0) = ${ENOTDIR}`,
    `1  access("${hx("/w/a/b")}", R_OK) = ${ENOTDIR}`,
    `1  execve("${hx("/w/e/f")}", ["f"], 0x7ffd /* 1 var */) = ${ENOTDIR}`,
    `1  readlink("${hx("/w/r/l")}", 0x7ffd, 4096) = ${ENOTDIR}`,
    `1  truncate("${hx("/w/u/v")}", 0) = ${ENOTDIR}`,
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/x/y", kind: "absent", errno: "ENOTDIR" },
    { path: "/w/m", kind: "absent" },
    { path: "/w/s/t", kind: "absent", errno: "ENOTDIR" },
    { path: "/w/a/b", kind: "absent", errno: "ENOTDIR" },
    { path: "/w/e/f", kind: "absent", errno: "ENOTDIR" },
    { path: "/w/r/l", kind: "absent", errno: "ENOTDIR" },
    { path: "/w/u/v", kind: "absent", errno: "ENOTDIR" },
  ]);
});

Deno.test("the first probe's errno is kept when a later probe of the same path differs", () => {
  const r = run([open(1, "x/y", "O_RDONLY", ENOTDIR), open(1, "x/y", "O_RDONLY", ENOENT)]);
  assert.deepEqual(r.effects.inputs, [{ path: "/w/x/y", kind: "absent", errno: "ENOTDIR" }]);
});

Deno.test("an O_DIRECTORY open failing with ENOTDIR is a meta input (the path is not a directory)", () => {
  // mv probes its destination this way; "log" exists as a file, it is not absent.
  const r = run([
    open(1, "log", "O_RDONLY|O_PATH|O_DIRECTORY", ENOTDIR),
    open(1, "nf", "O_RDONLY|O_DIRECTORY|O_NOFOLLOW", ENOTDIR),
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/log", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/nf", kind: "meta", probe: { kind: "lstat" } },
  ]);
});

Deno.test("a chdir target is a stat and an entry meta input (getcwd shows where it resolved)", () => {
  const r = run([`1  chdir("${hx("l")}") = 0`, `1  chdir("${hx("/w/d")}") = 0`]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/l", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/l", kind: "meta", probe: { kind: "entry" } },
    { path: "/w/d", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/d", kind: "meta", probe: { kind: "entry" } },
  ]);
});

Deno.test("fchdir: the fd's resolved path and the name it was opened by are entry inputs", () => {
  const r = run([
    open(1, "l", "O_RDONLY|O_DIRECTORY", `3<${hx("/w/real")}>`),
    `1  fchdir(3<${hx("/w/real")}>) = 0`,
  ]);
  // The same four inputs as ever; the link's entry is now taken at the open, which already
  // shows that `l` resolved elsewhere.
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/l", kind: "meta", probe: { kind: "entry" } },
    { path: "/w/l", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/real", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/real", kind: "meta", probe: { kind: "entry" } },
  ]);
});

const symlink = (target: string, link: string) => `1  symlink("${hx(target)}", "${hx(link)}") = 0`;

Deno.test("reading a symlink the run made reads its target, resolved from the link's directory", () => {
  const r = run([
    symlink("data.txt", "q"),
    open(1, "q", "O_RDONLY", `3<${hx("/w/data.txt")}>`),
    symlink("../abs/t", "sub/q2"),
    `1  execve("${hx("/w/sub/q2")}", ["q2"], 0x7ffd /* 1 var */) = 0`,
  ]);
  // The links' own paths were absent: symlink() would have failed otherwise.
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/q", kind: "absent" },
    { path: "/w/data.txt", kind: "file" },
    { path: "/w/sub/q2", kind: "absent" },
    { path: "/w/sub/../abs/t", kind: "exec" },
    // An exec also depends on the execute bit of what it ran (chmod -x must be a miss).
    { path: "/w/sub/../abs/t", kind: "meta", probe: { kind: "stat" } },
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
});

Deno.test("chains of links the run made are followed; a path through one maps its prefix", () => {
  const r = run([
    symlink("data.txt", "q1"),
    symlink("/w/q1", "q2"),
    open(1, "q2", "O_RDONLY", `3<${hx("/w/data.txt")}>`),
    symlink("/src", "d"),
    open(1, "d/x/y.c", "O_RDONLY", `3<${hx("/src/x/y.c")}>`),
    `1  newfstatat(${cwd}, "${hx("d/h")}", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0`,
    `1  newfstatat(${cwd}, "${hx("d/gone")}", 0x7ffd, 0) = ${ENOENT}`,
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/q1", kind: "absent" },
    { path: "/w/q2", kind: "absent" },
    { path: "/w/data.txt", kind: "file" },
    { path: "/w/d", kind: "absent" },
    { path: "/src/x/y.c", kind: "file" },
    { path: "/src/h", kind: "file" },
    { path: "/src/h", kind: "meta", probe: { kind: "stat", mode: 0o100644 } },
    { path: "/src/gone", kind: "absent" },
  ]);
});

Deno.test("the target of a link the run made keeps the first-access rule; lstat of the link is not followed", () => {
  const r = run([
    open(1, "t", "O_WRONLY|O_CREAT|O_TRUNC", `3<${hx("/w/t")}>`),
    symlink("t", "q"),
    open(1, "q", "O_RDONLY", `3<${hx("/w/t")}>`),
    `1  newfstatat(${cwd}, "${
      hx("q")
    }", {st_mode=S_IFLNK|0777, st_size=1, ...}, AT_SYMLINK_NOFOLLOW) = 0`,
  ]);
  assert.deepEqual(r.effects.inputs, [{ path: "/w/q", kind: "absent" }], "t was written first");
});

Deno.test("a link the run made stops being followed once the run replaces or renames it", () => {
  const r = run([
    symlink("a", "q"),
    `1  rename("${hx("q")}", "${hx("q2")}") = 0`,
    open(1, "q2", "O_RDONLY", `3<${hx("/w/a")}>`),
    open(1, "q", "O_WRONLY|O_CREAT|O_TRUNC", `3<${hx("/w/q")}>`),
    open(1, "q", "O_RDONLY", `3<${hx("/w/q")}>`),
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/q", kind: "absent" }, // symlink() needed q absent, whatever became of it
    { path: "/w/a", kind: "file" },
  ]);
});

Deno.test("reading through a link the run made with an unprinted target, or a loop, untrusts", () => {
  const cut = run([
    `1  symlink("${hx("abc")}"..., "${hx("q")}") = 0`,
    open(1, "q", "O_RDONLY", `3<${hx("/w/abcdef")}>`),
  ]);
  assert.equal(cut.effects.trust.kind, "untrusted");
  assert.match((cut.effects.trust as { reason: string }).reason, /target not printed/);
  const loop = run([
    symlink("b", "a"),
    symlink("a", "b"),
    open(1, "a", "O_RDONLY", "-1 ELOOP (Too many levels of symbolic links)"),
    `1  newfstatat(${cwd}, "${hx("a")}", 0x7ffd, 0) = -1 ELOOP (Too many levels of symbolic links)`,
    `1  access("${hx("/w/a")}", R_OK) = ${ENOENT}`,
  ]);
  assert.equal(loop.effects.trust.kind, "untrusted");
  assert.match((loop.effects.trust as { reason: string }).reason, /too many levels/);
});

Deno.test("a blind call counts only when it succeeds; a node is an issue only where outputs are", () => {
  const failed = run([
    `1  io_uring_setup(8, 0x7ffd) = -1 EPERM (Operation not permitted)`,
    `1  chroot("${hx("/j")}") = -1 EPERM (Operation not permitted)`,
    `1  mount("${hx("none")}", "${hx("/mnt")}", "${
      hx("tmpfs")
    }", 0, NULL) = -1 EPERM (Operation not permitted)`,
    `1  setns(3<${hx("/proc/1/ns/mnt")}>, CLONE_NEWNS) = -1 EPERM (Operation not permitted)`,
    `1  open_by_handle_at(3<${hx("/")}>, 0x7ffd, O_RDONLY) = -1 EPERM (Operation not permitted)`,
  ]);
  assert.deepEqual(failed.effects.trust, { kind: "trusted" });
  for (
    const line of [
      `1  setns(3<${hx("/proc/1/ns/mnt")}>, CLONE_NEWNS) = 0`,
      `1  open_by_handle_at(3<${hx("/")}>, 0x7ffd, O_RDONLY) = 4<${hx("/etc/passwd")}>`,
      `1  pivot_root("${hx(".")}", "${hx(".")}") = 0`,
    ]
  ) {
    assert.equal(run([line]).effects.trust.kind, "untrusted", line);
  }
  const fifo = `1  mknodat(${cwd}, "${hx("p")}", S_IFIFO|0666) = 0`;
  const r = run([fifo]);
  assert.equal(r.effects.trust.kind, "untrusted", "under the default root /");
  assert.match((r.effects.trust as { reason: string }).reason, /made a FIFO \/w\/p with mknodat/);
  assert.deepEqual(run([fifo], { outputRoots: ["/out"] }).effects.trust, { kind: "trusted" });
  const old = `1  mknod("${hx("/out/dev")}", S_IFCHR|0600, makedev(0x1, 0x3)) = 0`;
  const dev = run([old], { outputRoots: ["/out"] }).effects.trust;
  assert.match((dev as { reason: string }).reason, /a character device \/out\/dev with mknod,/);
});

Deno.test("a directory opened through a symlink pins the links on the way as entry inputs", () => {
  const r = run([
    `1  openat(${cwd}, "${hx("L/sub")}", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3<${
      hx("/w/a/sub")
    }>`,
    `1  getdents64(3<${hx("/w/a/sub")}>, 0x55d0 /* 3 entries */, 32768) = 72`,
    `1  openat(3<${hx("/w/a/sub")}>, "${hx("f")}", O_RDONLY) = 4<${hx("/w/a/sub/f")}>`,
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  const entries = r.effects.inputs.filter((i) => i.kind === "meta" && i.probe.kind === "entry");
  assert.deepEqual(entries.map((i) => i.path), ["/w/L", "/w/L/sub"], "what decided the directory");
  assert.ok(r.effects.inputs.some((i) => i.path === "/w/a/sub" && i.kind === "listing"));
  assert.ok(r.effects.inputs.some((i) => i.path === "/w/a/sub/f" && i.kind === "file"));
});

Deno.test("a file opened read-write outside the output roots is still an input", () => {
  const rw = open(1, "st.txt", "O_RDWR|O_CLOEXEC", `3<${hx("/w/st.txt")}>`);
  const outside = run([rw], { outputRoots: ["/w/out"] });
  assert.deepEqual(outside.effects.inputs, [{ path: "/w/st.txt", kind: "file" }]);
  assert.deepEqual(outside.effects.outputs, [], "the write itself is ignored there");
  const append = open(1, "log", "O_WRONLY|O_CREAT|O_APPEND", `3<${hx("/w/log")}>`);
  assert.deepEqual(run([append], { outputRoots: ["/w/out"] }).effects.inputs, [], "append only");
  const trunc = open(1, "st.txt", "O_RDWR|O_TRUNC", `3<${hx("/w/st.txt")}>`);
  assert.deepEqual(run([trunc], { outputRoots: ["/w/out"] }).effects.inputs, [], "emptied first");
});

Deno.test("every traced blind syscall has a handler that can untrust the run", () => {
  for (const name of SYSCALL_GROUPS.blind) {
    const args = name.startsWith("mknod")
      ? (name === "mknodat" ? `${cwd}, ` : "") + `"${hx("/w/n")}", S_IFIFO|0600`
      : "0";
    const r = run([`1  ${name}(${args}) = 0`]);
    assert.equal(r.effects.trust.kind, "untrusted", name);
    assert.match((r.effects.trust as { reason: string }).reason, new RegExp(name), name);
  }
});

Deno.test("an open through /proc records the file its fd names", () => {
  const r = run([
    `1  openat(${cwd}, "${hx("/proc/self/fd/3")}", O_RDONLY) = 4<${hx("/w/data.txt")}>`,
    `1  openat(${cwd}, "${hx("/dev/stdin")}", O_RDONLY) = 5<${hx("/w/in.txt")}>`,
    `1  openat(${cwd}, "${hx("/proc/self/fd/0")}", O_RDONLY) = 6<pipe:[123]>`,
    `1  openat(${cwd}, "${hx("/proc/self/status")}", O_RDONLY) = 7<${hx("/proc/9/status")}>`,
    `1  openat(${cwd}, "${hx("/proc/self/fd/8")}", O_RDONLY) = 9<${hx("/memfd:jit")}>(deleted)`,
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/data.txt", kind: "file" },
    { path: "/w/in.txt", kind: "file" },
  ]);
});

Deno.test("/proc/<pid>/cwd and /root paths are recorded as what they name, probes included", () => {
  const r = run([
    `1  openat(${cwd}, "${hx("/proc/self/cwd/a.txt")}", O_RDONLY) = 3<${hx("/w/a.txt")}>`,
    `1  newfstatat(${cwd}, "${hx("/proc/1/cwd/b.txt")}", 0x7ffd, 0) = ${ENOENT}`,
    `1  access("${hx("/proc/thread-self/root/etc/c")}", R_OK) = ${ENOENT}`,
    `1  chdir("${hx("/w/sub")}") = 0`,
    `1  execve("${hx("/proc/self/cwd/tool")}", ["tool"], 0x7ffd /* 1 var */) = ${ENOENT}`,
    `1  openat(${cwd}, "${hx("/proc/99/cwd/x")}", O_RDONLY) = ${ENOENT}`,
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  const ins = r.effects.inputs.filter((i) => i.kind !== "meta");
  assert.deepEqual(ins, [
    { path: "/w/a.txt", kind: "file" },
    { path: "/w/b.txt", kind: "absent" },
    { path: "/etc/c", kind: "absent" },
    { path: "/w/sub/tool", kind: "absent" },
  ], "pid 99 is not the run's: left under /proc");
});

Deno.test("a directory opened through a symlink without O_DIRECTORY pins the links once used as one", () => {
  const fd = `3<${hx("/w/r1")}>`;
  const opened = open(1, "L", "O_RDONLY|O_CLOEXEC", fd);
  const entries = (lines: string[]) =>
    run(lines).effects.inputs.filter((i) => i.kind === "meta" && i.probe.kind === "entry")
      .map((i) => i.path);
  assert.deepEqual(entries([opened, `1  getdents64(${fd}, 0x55d0 /* 3 entries */, 32768) = 72`]), [
    "/w/L",
  ], "listed");
  assert.deepEqual(entries([opened, `1  openat(${fd}, "${hx("x")}", O_RDONLY) = ${ENOENT}`]), [
    "/w/L",
  ], "used as a dirfd");
  const fstat =
    `1  newfstatat(${fd}, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH) = 0`;
  assert.deepEqual(entries([opened, fstat]), ["/w/L"], "fstat'ed as a directory");
  const file = `3<${hx("/w/real.txt")}>`;
  const fileStat =
    `1  newfstatat(${file}, "", {st_mode=S_IFREG|0644, st_size=4, ...}, AT_EMPTY_PATH) = 0`;
  assert.deepEqual(entries([open(1, "link.txt", "O_RDONLY", file), fileStat]), [], "a file: no");
});

Deno.test("xattr reads are xattr/lxattr meta inputs whatever they found; ENOENT is absent", () => {
  const f = hx("/w/f");
  const r = run([
    `1  lgetxattr("${f}", "${
      hx("security.selinux")
    }", 0x5649, 255) = -1 ENODATA (No data available)`,
    `1  getxattr("${f}", "${
      hx("system.posix_acl_access")
    }", NULL, 0) = -1 ENODATA (No data available)`,
    `1  flistxattr(3<${hx("/w/g")}>, "${hx("user.a")}\\x00", 256) = 7`,
    `1  listxattr("${hx("/w/gone")}", 0x7ffd, 256) = ${ENOENT}`,
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/f", kind: "meta", probe: { kind: "lxattr" } },
    { path: "/w/f", kind: "meta", probe: { kind: "xattr" } },
    { path: "/w/g", kind: "meta", probe: { kind: "xattr" } },
    { path: "/w/gone", kind: "absent" },
  ]);
});

Deno.test("a file stat'ed, then replaced whole, keeps the size the stat showed as an input", () => {
  const r = run([
    `1  newfstatat(${cwd}, "${hx("f")}", {st_mode=S_IFREG|0644, st_size=0, ...}, 0) = 0`,
    open(1, "f", "O_WRONLY|O_CREAT|O_TRUNC", `3<${hx("/w/f")}>`),
  ]);
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/f", kind: "meta", probe: { kind: "size", size: 0 } },
    { path: "/w/f", kind: "meta", probe: { kind: "stat", mode: 0o100644 } },
  ]);
  const statx = `1  statx(${cwd}, "${hx("g")}", AT_STATX_SYNC_AS_STAT, STATX_ALL, ` +
    `{stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=7, ...}) = 0`;
  const g = run([statx, open(1, "g", "O_WRONLY|O_TRUNC", `3<${hx("/w/g")}>`)]);
  assert.deepEqual(g.effects.inputs[0], {
    path: "/w/g",
    kind: "meta",
    probe: { kind: "size", size: 7 },
  });
});

Deno.test("an fstat of an fd opened O_PATH makes the file, by the name it was opened by, an input", () => {
  const fd = `3<${hx("/w/real")}>`;
  const r = run([
    open(1, "L", "O_RDONLY|O_PATH|O_CLOEXEC", fd),
    `1  newfstatat(${fd}, "", {st_mode=S_IFREG|0644, st_size=6, ...}, AT_EMPTY_PATH) = 0`,
  ]);
  assert.ok(r.effects.inputs.some((i) => i.path === "/w/L" && i.kind === "file"), "by its name");
});

Deno.test("reading back a file appended to outside the output roots untrusts the run", () => {
  const append = open(1, "log", "O_WRONLY|O_CREAT|O_APPEND", `3<${hx("/w/log")}>`);
  const read = open(1, "log", "O_RDONLY", `4<${hx("/w/log")}>`);
  const r = run([append, read], { outputRoots: ["/w/out"] });
  assert.equal(r.effects.trust.kind, "untrusted");
  assert.match((r.effects.trust as { reason: string }).reason, /back after appending/);
  const rewritten = open(1, "log", "O_WRONLY|O_TRUNC", `5<${hx("/w/log")}>`);
  const fresh = run([append, rewritten, read], { outputRoots: ["/w/out"] });
  assert.deepEqual(fresh.effects.trust, { kind: "trusted" }, "replaced whole first: run's own");
  assert.deepEqual(run([append], { outputRoots: ["/w/out"] }).effects.trust, { kind: "trusted" });
});

Deno.test("readlink of /proc/self/fd/N pins the links on the way to the fd's file", () => {
  const fd = `3<${hx("/w/r1")}>`;
  const r = run([
    open(1, "L", "O_RDONLY", fd),
    `1  readlink("${hx("/proc/self/fd/3")}", "${hx("/w/r1")}", 4096) = 5`,
  ]);
  const entries = r.effects.inputs.filter((i) => i.kind === "meta" && i.probe.kind === "entry");
  assert.deepEqual(entries.map((i) => i.path), ["/w/L"]);
});

Deno.test("legacy getdents and the 32-bit stat64/fstatat64/truncate64 are classified", () => {
  const dfd = `3<${hx("/w/d")}>`;
  const r = run([
    `1  getdents(${dfd}, 0x55d0 /* 3 entries */, 32768) = 72`,
    `1  stat64("${hx("/w/s")}", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = 0`,
    `1  lstat64("${hx("/w/l")}", 0xffd0) = ${ENOENT}`,
    `1  fstatat64(${cwd}, "${hx("t")}", 0xffd0, 0) = ${ENOENT}`,
    `1  truncate64("${hx("/w/u")}", 0) = ${ENOENT}`,
  ]);
  assert.deepEqual(r.effects.trust, { kind: "trusted" });
  assert.deepEqual(r.effects.inputs.map((i) => `${i.kind} ${i.path}`), [
    "listing /w/d",
    "meta /w/s",
    "absent /w/l",
    "absent /w/t",
    "absent /w/u",
  ]);
});

Deno.test("a probe that printed no mode takes the mode a later probe of the path printed", () => {
  // mv: a failed rename and an O_DIRECTORY probe of the target first, its lstat after.
  const r = run([
    `1  renameat2(${cwd}, "${hx("b")}", ${cwd}, "${hx("log")}", RENAME_NOREPLACE) = -1 EEXIST (x)`,
    open(1, "log", "O_RDONLY|O_PATH|O_DIRECTORY", ENOTDIR),
    `1  newfstatat(${cwd}, "${
      hx("log")
    }", {st_mode=S_IFREG|0640, st_size=4, ...}, AT_SYMLINK_NOFOLLOW) = 0`,
  ]);
  const metas = r.effects.inputs.filter((i) => i.path === "/w/log" && i.kind === "meta");
  assert.deepEqual(metas.map((i) => i.kind === "meta" && i.probe), [
    { kind: "lstat", mode: 0o100640 },
    { kind: "stat", mode: 0o100640 },
  ], "not a link: its stat shows what its lstat shows");
  const link = run([
    `1  readlink("${hx("/w/k")}", 0x7ffd, 1023) = -1 EINVAL (x)`,
    `1  newfstatat(${cwd}, "${
      hx("k")
    }", {st_mode=S_IFLNK|0777, st_size=1, ...}, AT_SYMLINK_NOFOLLOW) = 0`,
    `1  newfstatat(${cwd}, "${hx("k")}", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0`,
  ]);
  const k = link.effects.inputs.filter((i) => i.kind === "meta").map((i) =>
    i.kind === "meta" && i.probe
  );
  assert.deepEqual(k, [
    { kind: "lstat", mode: 0o120777 },
    { kind: "stat", mode: 0o100644 },
  ], "a link's lstat never stands for its stat");
});
