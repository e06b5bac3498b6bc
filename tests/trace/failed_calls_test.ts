// A failed call is a result too: what its errno depends on is an input (failed_calls.ts).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hx, runTraceText } from "./_helpers.ts";

const W = "/w";
const cwd = `AT_FDCWD<${hx(W)}>`;
const err = (e: string) => `-1 ${e} (x)`;
const run = (lines: string[], opts = {}) =>
  runTraceText(lines.join("\n") + "\n", { cwd: W, ...opts });
const inputs = (lines: string[], opts = {}) => run(lines, opts).effects.inputs;

Deno.test("EEXIST from mkdir, O_EXCL, symlink and link is the path's lstat meta input", () => {
  const lstat = (p: string) => ({ path: p, kind: "meta", probe: { kind: "lstat" } });
  assert.deepEqual(inputs([`1  mkdir("${hx("lock")}", 0777) = ${err("EEXIST")}`]), [
    lstat("/w/lock"),
  ]);
  const excl = `1  openat(${cwd}, "${hx("l2")}", O_WRONLY|O_CREAT|O_EXCL, 0666) = ${err("EEXIST")}`;
  assert.deepEqual(inputs([excl]), [lstat("/w/l2")]);
  const sym = `1  symlink("${hx("t")}", "${hx("/w/s")}") = ${err("EEXIST")}`;
  assert.deepEqual(inputs([sym]), [lstat("/w/s")]);
  const link = `1  link("${hx("/w/a")}", "${hx("/w/b")}") = ${err("EEXIST")}`;
  assert.deepEqual(inputs([link]), [lstat("/w/b")]);
});

Deno.test("ENOENT from a call that creates also records the parent as absent", () => {
  assert.deepEqual(inputs([`1  mkdir("${hx("a/b")}", 0777) = ${err("ENOENT")}`]), [
    { path: "/w/a/b", kind: "absent" },
    { path: "/w/a", kind: "absent" },
  ]);
  const creat = `1  openat(${cwd}, "${hx("a/f")}", O_WRONLY|O_CREAT|O_TRUNC, 0666) = ${
    err("ENOENT")
  }`;
  assert.deepEqual(inputs([creat]).map((i) => i.path), ["/w/a/f", "/w/a"]);
  const plain = `1  openat(${cwd}, "${hx("a/g")}", O_RDONLY) = ${err("ENOENT")}`;
  assert.deepEqual(inputs([plain]).map((i) => i.path), ["/w/a/g"], "a read creates nothing");
});

Deno.test("ENOTEMPTY is the directory's listing; EISDIR from unlink is its lstat meta", () => {
  assert.deepEqual(inputs([`1  rmdir("${hx("d")}") = ${err("ENOTEMPTY")}`]), [
    { path: "/w/d", kind: "listing" },
  ]);
  const ren = `1  rename("${hx("a")}", "${hx("b")}") = ${err("ENOTEMPTY")}`;
  assert.deepEqual(inputs([ren]), [{ path: "/w/b", kind: "listing" }]);
  const unl = `1  unlinkat(${cwd}, "${hx("d")}", 0) = ${err("EISDIR")}`;
  assert.deepEqual(inputs([unl]), [{ path: "/w/d", kind: "meta", probe: { kind: "lstat" } }]);
});

Deno.test("a failed chdir or exec depends on the target: absent, or its type and bits", () => {
  assert.deepEqual(inputs([`1  chdir("${hx("d")}") = ${err("ENOENT")}`]), [
    { path: "/w/d", kind: "absent" },
  ]);
  assert.deepEqual(inputs([`1  chdir("${hx("f")}") = ${err("ENOTDIR")}`]), [
    { path: "/w/f", kind: "meta", probe: { kind: "stat" } },
  ], "f itself is not a directory: not an absence");
  const exec = `1  execve("${hx("/w/s")}", ["./s"], 0x7ffd /* 1 var */) = ${err("EACCES")}`;
  assert.deepEqual(inputs([exec]), [{ path: "/w/s", kind: "meta", probe: { kind: "stat" } }]);
  const noexec = `1  execve("${hx("/w/t")}", ["./t"], 0x7ffd /* 1 var */) = ${err("ENOEXEC")}`;
  assert.deepEqual(inputs([noexec]), [{ path: "/w/t", kind: "file" }]);
});

Deno.test("ELOOP: with O_NOFOLLOW the final link is an lstat meta input, else the run is untrusted", () => {
  const nf = `1  openat(${cwd}, "${hx("f")}", O_RDONLY|O_NOFOLLOW) = ${err("ELOOP")}`;
  assert.deepEqual(inputs([nf]), [{ path: "/w/f", kind: "meta", probe: { kind: "lstat" } }]);
  const loop = run([`1  newfstatat(${cwd}, "${hx("loop")}", 0x7ffd, 0) = ${err("ELOOP")}`]);
  assert.equal(loop.effects.trust.kind, "untrusted");
  assert.match((loop.effects.trust as { reason: string }).reason, /symlink loop/);
});

Deno.test("EACCES creating a file: the directory's bits, and the file absent or present now", () => {
  const dir = mkdtempSync(join(tmpdir(), "casher-failed-"));
  try {
    writeFileSync(join(dir, "there"), "");
    const at = `AT_FDCWD<${hx(dir)}>`;
    const creat = (n: string) =>
      `1  openat(${at}, "${hx(n)}", O_WRONLY|O_CREAT, 0666) = -1 EACCES (x)`;
    const r = runTraceText([creat("gone"), creat("there")].join("\n") + "\n", { cwd: dir });
    assert.deepEqual(r.effects.trust, { kind: "trusted" });
    assert.deepEqual(r.effects.inputs, [
      { path: dir, kind: "meta", probe: { kind: "stat" } },
      { path: join(dir, "gone"), kind: "absent" },
      { path: join(dir, "there"), kind: "meta", probe: { kind: "stat" } },
    ]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("errors about arguments or mounts record nothing", () => {
  const lines = ["EXDEV", "EINVAL", "EROFS", "ENAMETOOLONG", "ETXTBSY", "EBUSY"].map((e) =>
    `1  rename("${hx("a")}", "${hx("b")}") = ${err(e)}`
  );
  assert.deepEqual(inputs(lines), []);
});

Deno.test("a removal nothing looked at first records what it needed: a non-directory, an empty one", () => {
  assert.deepEqual(inputs([`1  unlink("${hx("/w/g")}") = 0`, `1  rmdir("${hx("/w/e")}") = 0`]), [
    { path: "/w/g", kind: "meta", probe: { kind: "removed", dir: false } },
    { path: "/w/e", kind: "meta", probe: { kind: "removed", dir: true } },
  ]);
  const seen = `1  newfstatat(${cwd}, "${
    hx("h")
  }", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_SYMLINK_NOFOLLOW) = 0`;
  const r = inputs([seen, `1  unlink("${hx("/w/h")}") = 0`]);
  assert.ok(!r.some((i) => i.kind === "meta" && i.probe.kind === "removed"), "the stat said it");
});

Deno.test("EEXIST, then a removal, is what the removal needed (tar xf over its old files)", () => {
  const fd = `4<${hx("/w/dst")}>`;
  const r = inputs([
    `1  openat(${fd}, "${hx("a.c")}", O_WRONLY|O_CREAT|O_EXCL, 0600) = ${err("EEXIST")}`,
    `1  unlinkat(${fd}, "${hx("a.c")}", 0) = 0`,
    `1  openat(${fd}, "${hx("a.c")}", O_WRONLY|O_CREAT|O_EXCL, 0600) = 5<${hx("/w/dst/a.c")}>`,
  ]);
  assert.deepEqual(r, [
    { path: "/w/dst/a.c", kind: "meta", probe: { kind: "removed", dir: false } },
  ]);
});
