import assert from "node:assert/strict";
import { isSystemPath, PathFilter } from "../../lib/trace/path_filter.ts";

Deno.test("kernel and device trees are excluded; /dev/shm, a real tmpfs, is not", () => {
  const f = new PathFilter({ exclude: ["/cache/"], outputRoots: ["/w"] });
  for (const p of ["/proc/self/maps", "/sys/kernel", "/dev/null", "/dev/pts/0", "/cache/v1/x"]) {
    assert.equal(f.excluded(p), true, p);
  }
  for (const p of ["/dev/shm/data", "/dev/shm", "/w/dev/x", "/w/proc", "/devices/a", "/cachex"]) {
    assert.equal(f.excluded(p), false, p);
  }
  assert.equal(isSystemPath("/dev/shm/x"), false);
  assert.equal(isSystemPath("/dev/shmx"), true, "whole components only");
});
