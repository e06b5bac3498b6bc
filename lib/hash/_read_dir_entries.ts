/**
 * Byte-exact directory entries with their types. Names are read with `latin1` decoding,
 * which keeps every byte in Bun. Deno's `node:fs` decodes names as UTF-8 and re-encodes
 * them, so invalid bytes come back as U+FFFD (EF BF BD): two different names could read
 * alike, which for a listing digest could mean a wrong hit. When any name contains U+FFFD
 * the listing is re-read byte-exact with `find -printf '%y%f\0'` over `/proc/<pid>/fd/<fd>`
 * (a directory fd opened here), which gives each entry's type without following links and
 * works for non-UTF-8 directory paths too. Bun never needs the fallback unless a name
 * really contains U+FFFD.
 *
 * @module
 */
import { closeSync, constants, type Dirent, lstatSync, openSync, readdirSync } from "node:fs";
import process from "node:process";
import { type BytePath, fsPath } from "../path/byte_path.ts";

const REPLACEMENT = "\xef\xbf\xbd";

/**
 * The type of a directory entry as `find -printf %y` spells it: regular file, directory,
 * symlink, block/char device, FIFO, socket.
 */
export type EntryType = "f" | "d" | "l" | "b" | "c" | "p" | "s";

/** One directory entry: its byte-exact name and its type (links are not followed). */
export interface DirEntry {
  readonly name: BytePath;
  readonly type: EntryType;
}

/**
 * The entries of a directory (`.`/`..` excluded, nothing else), with their types.
 *
 * @example
 * ```ts
 * import { readDirEntries } from "./_read_dir_entries.ts";
 * readDirEntries("/etc").some((e) => e.name === "hostname" && e.type === "f");
 * ```
 */
export function readDirEntries(dir: BytePath): DirEntry[] {
  const dirents = readdirSync(fsPath(dir), {
    withFileTypes: true,
    encoding: "latin1",
  }) as unknown as Dirent[];
  if (dirents.some((d) => d.name.includes(REPLACEMENT))) return readDirEntriesExact(dir);
  return dirents.map((d) => ({ name: d.name, type: direntType(d, dir) }));
}

function direntType(d: Dirent, dir: BytePath): EntryType {
  if (d.isFile()) return "f";
  if (d.isDirectory()) return "d";
  if (d.isSymbolicLink()) return "l";
  if (d.isFIFO()) return "p";
  if (d.isSocket()) return "s";
  if (d.isCharacterDevice()) return "c";
  if (d.isBlockDevice()) return "b";
  // DT_UNKNOWN (some file systems): ask lstat; a vanished entry throws, which makes the
  // listing unreadable (changed while it was read) rather than a guess.
  const s = lstatSync(fsPath(dir + "/" + d.name));
  if (s.isFile()) return "f";
  if (s.isDirectory()) return "d";
  if (s.isSymbolicLink()) return "l";
  if (s.isFIFO()) return "p";
  if (s.isSocket()) return "s";
  return s.isCharacterDevice() ? "c" : "b";
}

function readDirEntriesExact(dir: BytePath): DirEntry[] {
  const fd = openSync(fsPath(dir), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    // Rare (Deno, a name that is not valid UTF-8): child_process is loaded only then.
    const { execFileSync } = process.getBuiltinModule(
      "node:child_process",
    ) as typeof import("node:child_process");
    const out = execFileSync(
      "find",
      [`/proc/${process.pid}/fd/${fd}/`, "-mindepth", "1", "-maxdepth", "1", "-printf", "%y%f\\0"],
      { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 },
    );
    const text = out.toString("latin1");
    if (text === "") return [];
    return text.slice(0, -1).split("\0").map((e) => {
      const type = e[0];
      if (!"fdlbcps".includes(type)) throw new Error(`find printed an unknown file type ${type}`);
      return { name: e.slice(1), type: type as EntryType };
    });
  } finally {
    closeSync(fd);
  }
}
