import assert from "node:assert/strict";
import { nearestAncestorIn } from "../../lib/engine/_ancestor.ts";

/** The definition: walk the ancestors of `path`, nearest first. */
function reference(path: string, set: ReadonlySet<string>): string | null {
  for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) {
    if (set.has(path.slice(0, at))) return path.slice(0, at);
  }
  return null;
}

Deno.test("the nearest proper ancestor is found, never the path itself or a name prefix", () => {
  const set = new Set(["/a", "/a/b", "/x/y"]);
  assert.equal(nearestAncestorIn("/a/b/c", set), "/a/b");
  assert.equal(nearestAncestorIn("/a/bc", set), "/a");
  assert.equal(nearestAncestorIn("/a/b", set), "/a");
  assert.equal(nearestAncestorIn("/a", set), null);
  assert.equal(nearestAncestorIn("/x/yz/w", set), null);
  assert.equal(nearestAncestorIn("/q", new Set()), null);
});

Deno.test("a small and a large set give what the ancestor walk gives", () => {
  const parts = ["a", "b", "ab", "c"];
  const paths: string[] = [];
  const grow = (prefix: string, depth: number) => {
    if (depth === 0) return;
    for (const p of parts) {
      paths.push(`${prefix}/${p}`);
      grow(`${prefix}/${p}`, depth - 1);
    }
  };
  grow("", 3);
  paths.push("/", "//a", "/a//b");
  let seed = 7;
  const pick = () => paths[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % paths.length];
  for (const size of [1, 3, 8, 9, 30]) {
    for (let round = 0; round < 20; round++) {
      const set = new Set(Array.from({ length: size }, pick));
      for (const path of paths) {
        assert.equal(nearestAncestorIn(path, set), reference(path, set), `${path} in ${[...set]}`);
      }
    }
  }
});
