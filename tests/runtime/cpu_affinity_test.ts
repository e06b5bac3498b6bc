import assert from "node:assert/strict";
import { test } from "../function/_shim.ts";
import { currentCpu, getAffinity, setAffinity } from "../../lib/runtime/cpu_affinity.ts";

test("this thread's CPUs can be narrowed to one and restored", () => {
  const all = getAffinity(0);
  if (all === null) return; // no FFI in this runtime
  assert.ok(all.length >= 1);
  assert.ok(all.includes(currentCpu() ?? all[0]));
  try {
    assert.equal(setAffinity(0, [all[all.length - 1]]), true);
    assert.deepEqual(getAffinity(0), [all[all.length - 1]]);
    assert.equal(currentCpu(), all[all.length - 1]);
  } finally {
    setAffinity(0, all);
  }
  assert.deepEqual(getAffinity(0), all);
  assert.equal(setAffinity(0, []), false, "an empty set is refused, not applied");
  assert.equal(getAffinity(2 ** 30), null, "a thread that does not exist");
});
