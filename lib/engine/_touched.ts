/**
 * What a run changed, as the input recorder sees it after the run: the paths it wrote or
 * removed, the directories whose entries it changed, and the stats taken after it; and the
 * verdict of recording one input.
 *
 * @module
 */
import { posix } from "node:path";
import { type BytePath, displayPath } from "../path/byte_path.ts";
import type { RecordedInput } from "../store/types.ts";
import type { Effects } from "../trace/effects.ts";
import { nearestAncestorIn } from "./_ancestor.ts";
import type { PostRunStats } from "./_post_run_stats.ts";

/** One input's recording: the input (`null`: nothing to record), or why the run is unstorable. */
export type RecordOne =
  | { readonly kind: "ok"; readonly input: RecordedInput | null }
  | { readonly kind: "unstorable"; readonly reason: string };

/** What the run changed. */
export interface Touched {
  /** Paths the run wrote or removed. */
  readonly paths: Set<BytePath>;
  /** Stats of paths as they are after the run (not part of what the run touched). */
  readonly stats: PostRunStats;
  /** Directories whose entries the run added or removed. */
  readonly dirs: Set<BytePath>;
}

/** Collects what `effects` changed. */
export function touchedByRun(effects: Effects, stats: PostRunStats): Touched {
  const paths = new Set<BytePath>();
  const dirs = new Set<BytePath>();
  for (const p of [...effects.outputs.map((o) => o.path), ...effects.deletions]) {
    paths.add(p);
    dirs.add(posix.dirname(p));
  }
  return { paths, dirs, stats };
}

/** The nearest proper ancestor of `path` that the run wrote or removed, or `null`. */
export function touchedAncestor(path: BytePath, touched: Touched): BytePath | null {
  return nearestAncestorIn(path, touched.paths);
}

/** The run is unstorable: it changed `ancestor`, on the way to the input `path`. */
export function underChanged(path: BytePath, ancestor: BytePath): RecordOne {
  return {
    kind: "unstorable",
    reason: `the run changed a directory or link on the path of ${displayPath(path)} (${
      displayPath(ancestor)
    })`,
  };
}
