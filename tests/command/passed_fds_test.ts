import assert from "node:assert/strict";
import { movedFiles, planFds } from "../../lib/command/passed_fds.ts";
import type { InheritedFd } from "../../lib/runtime/mod.ts";

const file: InheritedFd = { fd: 3, kind: "file", link: "/w/log", pos: 10 };
const pipe: InheritedFd = { fd: 5, kind: "pipe", link: "pipe:[77]", pos: null };
const sock: InheritedFd = { fd: 6, kind: "socket", link: "socket:[78]", pos: null };
const dev: InheritedFd = { fd: 9, kind: "device", link: "/dev/null", pos: null };

Deno.test("files and devices pass and are keyed; stray pipes and sockets are closed", () => {
  const plan = planFds([file, pipe, sock, dev], { argv: ["cc", "x.c"], env: {} });
  assert.deepEqual(plan.pass.map((f) => f.fd), [3, 9]);
  assert.deepEqual(plan.block.map((f) => f.fd), [5, 6]);
  assert.deepEqual(plan.keyed, ["3:file", "9:device"]);
  assert.equal(plan.uncacheable, null);
});

Deno.test("a pipe the argv names (/dev/fd/N, /proc/self/fd/N) passes and makes the run uncached", () => {
  for (const arg of ["/dev/fd/5", "--in=/proc/self/fd/5"]) {
    const plan = planFds([pipe], { argv: ["diff", arg], env: {} });
    assert.deepEqual(plan.pass, [pipe], arg);
    assert.match(plan.uncacheable ?? "", /\/dev\/fd\/5 \(pipe:\[77\]/, arg);
  }
  // Another number named: this pipe is still a stray.
  assert.deepEqual(planFds([pipe], { argv: ["cat", "/dev/fd/50"], env: {} }).block, [pipe]);
});

Deno.test("make's jobserver descriptors pass, keyed as the jobserver, in both flag spellings", () => {
  const r = { ...pipe, fd: 3 };
  const w = { ...pipe, fd: 4 };
  for (const flag of ["--jobserver-auth=3,4", "--jobserver-fds=3,4"]) {
    const plan = planFds([r, w], { argv: ["make"], env: { MAKEFLAGS: ` -j2 ${flag}` } });
    assert.deepEqual(plan.pass, [r, w], flag);
    assert.deepEqual(plan.keyed, ["3:jobserver", "4:jobserver"], flag);
  }
  // make 4.4's named-FIFO jobserver passes no descriptor.
  const fifo = planFds([r], { argv: ["make"], env: { MAKEFLAGS: "--jobserver-auth=fifo:/tmp/j" } });
  assert.deepEqual(fifo.block, [r]);
});

Deno.test("movedFiles names a passed file whose shared offset moved, and only that", () => {
  const other = { ...file, fd: 4, link: "/w/in", pos: 0 };
  const moved = movedFiles([file, other, dev], { position: (fd) => (fd === 3 ? 16 : 0) });
  assert.equal(moved.length, 1);
  assert.match(moved[0], /inherited fd 3 \(\/w\/log\)/);
  assert.deepEqual(movedFiles([file], { position: () => 10 }), []);
});
