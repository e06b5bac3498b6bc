/**
 * Converts a path argument as user code passes it to a file API (string, Buffer,
 * Uint8Array, `file:` URL) into an absolute, normalized {@link BytePath}. File
 * descriptors, FileHandles and anything else yield `undefined` (not a path).
 *
 * @module
 */
import process from "node:process";
import { type BytePath, bytePath, bytePathFromBytes, resolveBytePath } from "../path/byte_path.ts";
import { fileUrlPath } from "../hash/_canonical_url.ts";

/**
 * The absolute byte path named by `raw`, or `undefined` when `raw` is not a path.
 *
 * @example
 * ```ts
 * import { pathArg } from "./_path_arg.ts";
 * pathArg("/tmp/./a"); // "/tmp/a"
 * pathArg(3); // undefined (a file descriptor)
 * ```
 */
export function pathArg(raw: unknown): BytePath | undefined {
  let p: BytePath;
  if (typeof raw === "string") p = bytePath(raw);
  else if (raw instanceof Uint8Array) p = bytePathFromBytes(raw);
  else if (raw instanceof URL) {
    if (raw.protocol !== "file:") return undefined;
    p = fileUrlPath(raw);
  } else return undefined;
  if (p === "") return undefined;
  return resolveBytePath(bytePath(process.cwd()), p);
}
