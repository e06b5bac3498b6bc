import assert from "node:assert/strict";
import { CpuPlacement } from "../../lib/trace/cpu_placement.ts";

/** A placement over CPUs 0-3 packing onto 3, recording every affinity change. */
function recorded() {
  const calls: [number, number[]][] = [];
  const p = new CpuPlacement({
    all: [0, 1, 2, 3],
    home: 3,
    set: (tid, cpus) => (calls.push([tid, [...cpus]]), true),
  });
  return { p, calls };
}

Deno.test("a serial run stays packed: a parent waiting on its child is not a second leaf", () => {
  const { p, calls } = recorded();
  p.tracer(99);
  p.task(10); // gcc
  p.task(11); // cc1's first lines arrive before gcc's vfork returns
  p.cloned(10, 11, { thread: false });
  p.ended(11);
  p.cloned(10, 12, { thread: false }); // as
  p.ended(12);
  p.ended(10);
  assert.equal(p.packed, true);
  assert.deepEqual(calls, [], "no move, no affinity call");
});

Deno.test("two running processes spread tasks and strace over all CPUs; one leaf packs again", () => {
  const { p, calls } = recorded();
  p.tracer(99);
  p.task(10); // make -j2
  p.cloned(10, 11, { thread: false });
  p.cloned(10, 12, { thread: false });
  assert.equal(p.packed, false);
  assert.deepEqual(calls.map(([t]) => t).sort(), [10, 11, 12, 99]);
  assert.ok(calls.every(([, cpus]) => cpus.join() === "0,1,2,3"));
  calls.length = 0;
  p.ended(12);
  assert.equal(p.packed, true);
  assert.deepEqual(calls.map(([t, c]) => [t, c.join()]).sort(), [[10, "3"], [11, "3"], [99, "3"]]);
});

Deno.test("a new thread runs beside its creator: the run spreads", () => {
  const { p } = recorded();
  p.task(10);
  p.cloned(10, 20, { thread: true });
  assert.equal(p.packed, false);
  p.ended(20);
  assert.equal(p.packed, true);
});

Deno.test("a task first seen after a move gets the current CPUs, not the ones it inherited", () => {
  const { p, calls } = recorded();
  p.task(10);
  p.cloned(10, 11, { thread: false });
  p.cloned(10, 12, { thread: false }); // spread
  p.ended(11); // packed again
  calls.length = 0;
  p.task(30); // created by 12 before the pack reached it
  assert.deepEqual(calls, [[30, [3]]]);
});

Deno.test("CpuPlacement.start picks a home CPU this process may use, or none with one CPU", () => {
  const p = CpuPlacement.start();
  if (p === null) return; // one CPU, or no FFI: nothing to place
  let ran = false;
  const got = p.spawnPacked(() => (ran = true, 7));
  assert.equal(got, 7);
  assert.ok(ran);
});
