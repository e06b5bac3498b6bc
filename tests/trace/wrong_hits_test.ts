// Tracer rules that once let a changed tree replay a stale run (found by review).
import assert from "node:assert/strict";
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
  assert.deepEqual(r.effects.inputs, [
    { path: "/w/l", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/real", kind: "meta", probe: { kind: "stat" } },
    { path: "/w/real", kind: "meta", probe: { kind: "entry" } },
    { path: "/w/l", kind: "meta", probe: { kind: "entry" } },
  ]);
});
