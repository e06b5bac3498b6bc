/**
 * Byte-exact directory entry names. Deno's `node:fs` `readdirSync(..., {encoding:
 * "buffer"})` decodes names as UTF-8 and re-encodes them, so invalid bytes come back as
 * U+FFFD (EF BF BD): two different names could read alike, which for a listing digest
 * could mean a wrong hit. When any name contains U+FFFD the listing is re-read byte-exact
 * with `find` over `/proc/<pid>/fd/<fd>` (a directory fd opened here), which works for
 * non-UTF-8 directory paths too. Bun returns exact bytes, so the fallback never runs there
 * unless a name really contains U+FFFD.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readdirSync } from "node:fs";
import process from "node:process";
import { type BytePath, fsPath } from "../path/byte_path.ts";

const REPLACEMENT = "\xef\xbf\xbd";

/**
 * The entry names of a directory as byte paths (`.`/`..` excluded, nothing else).
 *
 * @example
 * ```ts
 * import { readDirNames } from "./_read_dir_names.ts";
 * readDirNames("/etc").includes("hostname");
 * ```
 */
export function readDirNames(dir: BytePath): BytePath[] {
  const names = readdirSync(fsPath(dir), { encoding: "buffer" }).map((n) => n.toString("latin1"));
  if (!names.some((n) => n.includes(REPLACEMENT))) return names;
  return readDirNamesExact(dir);
}

function readDirNamesExact(dir: BytePath): BytePath[] {
  const fd = openSync(fsPath(dir), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const out = execFileSync(
      "find",
      [`/proc/${process.pid}/fd/${fd}/`, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"],
      { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 },
    );
    const text = out.toString("latin1");
    return text === "" ? [] : text.slice(0, -1).split("\0");
  } finally {
    closeSync(fd);
  }
}
