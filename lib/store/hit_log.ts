/**
 * The hit log: hit counts appended to a plain file, folded into the index later.
 *
 * A hit otherwise reads only. Counting it in the index was a write transaction, and the
 * first write of a process into an index whose WAL the last process removed costs fsyncs
 * of the WAL header and of its directory, then the checkpoint's when the connection
 * closes: milliseconds, more than the rest of a small hit. Appending one line to this file
 * costs one `write`, with no fsync.
 *
 * Whoever next reads or changes the counts (stats, ls, a store, eviction, rm, gc) folds the
 * log into the index first: the file is renamed aside (so appends go to a new one), read,
 * applied in one transaction, and removed. Counts are statistics and LRU order, never a
 * result: a crash may lose the lines of an append in flight, or count a fold twice.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";

/** Hits on one entry: how many, the time they saved, and when the last one was. */
export interface LoggedHits {
  readonly entryId: number;
  readonly count: number;
  readonly savedMs: number;
  readonly now: number;
}

const FOLD_SUFFIX = ".fold";

/**
 * Appends `hits` to the log at `path` in one `write` (O_APPEND: concurrent appenders do not
 * interleave within a line) and returns the log's size after it. Throws the `node:fs` error
 * when the file cannot be written.
 *
 * @example
 * ```ts
 * import { appendHits } from "./hit_log.ts";
 * appendHits("/tmp/casher-example-hits.log", [{ entryId: 1, count: 1, savedMs: 120, now: Date.now() }]);
 * ```
 */
export function appendHits(path: string, hits: readonly LoggedHits[]): number {
  if (hits.length === 0) return 0;
  const text = hits.map((h) => `${h.entryId} ${h.count} ${h.savedMs} ${h.now}\n`).join("");
  const bytes = Buffer.from(text);
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Hits taken out of the log; `done()` removes them once they are applied. */
export interface TakenHits {
  readonly hits: readonly LoggedHits[];
  /** Lines that could not be parsed (a torn append), skipped. */
  readonly skipped: number;
  done(): void;
}

/**
 * Takes every hit logged at `path` so far (and the fold files of folders that died),
 * summed per entry. Nothing is removed until `done()`.
 *
 * @example
 * ```ts
 * import { takeHits } from "./hit_log.ts";
 * const taken = takeHits("/tmp/casher-example-hits.log");
 * // ... apply taken.hits in one transaction, then:
 * taken.done();
 * ```
 */
export function takeHits(path: string): TakenHits {
  const files: string[] = [];
  const mine = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}${FOLD_SUFFIX}`;
  try {
    renameSync(path, mine);
    files.push(mine);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  files.push(...orphans(path));
  const sums = new Map<number, { count: number; savedMs: number; now: number }>();
  let skipped = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "latin1");
    } catch {
      continue; // another folder took it over first
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const hit = parseLine(line);
      if (hit === null) {
        skipped++;
        continue;
      }
      const s = sums.get(hit.entryId) ?? { count: 0, savedMs: 0, now: 0 };
      s.count += hit.count;
      s.savedMs += hit.savedMs;
      s.now = Math.max(s.now, hit.now);
      sums.set(hit.entryId, s);
    }
  }
  return {
    hits: [...sums].map(([entryId, s]) => ({ entryId, ...s })),
    skipped,
    done: () => {
      for (const file of files) {
        try {
          unlinkSync(file);
        } catch { /* already taken over and removed */ }
      }
    },
  };
}

const LINE = /^(\d{1,15}) (\d{1,9}) (\d+(?:\.\d+)?(?:e[+-]?\d+)?) (\d{1,15})$/;

function parseLine(line: string): LoggedHits | null {
  const m = LINE.exec(line);
  if (m === null) return null;
  return { entryId: Number(m[1]), count: Number(m[2]), savedMs: Number(m[3]), now: Number(m[4]) };
}

/** Fold files of `path` whose folder is no longer alive: it died before `done()`. */
function orphans(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(FOLD_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) out.push(join(dir, name));
  }
  return out;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}
