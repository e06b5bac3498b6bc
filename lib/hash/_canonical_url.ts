/**
 * `file:` URL to {@link BytePath}, byte-exact: percent escapes become raw bytes, so a
 * URL naming a non-UTF-8 path round-trips (unlike `fileURLToPath`, which decodes as text).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { posix } from "node:path";
import type { BytePath } from "../path/byte_path.ts";

/**
 * The path a `file:` URL names, as a normalized byte path. Throws TypeError for other
 * schemes and for a remote host.
 *
 * @example
 * ```ts
 * import { fileUrlPath } from "./_canonical_url.ts";
 * fileUrlPath(new URL("file:///tmp/a%20b")); // "/tmp/a b"
 * fileUrlPath(new URL("file:///tmp/%FF")); // "/tmp/\xff"
 * ```
 */
export function fileUrlPath(url: URL): BytePath {
  if (url.protocol !== "file:") throw new TypeError(`${url.href} is not a file: URL`);
  if (url.hostname !== "" && url.hostname !== "localhost") {
    throw new TypeError(`${url.href} names a remote host: only local file: URLs are paths`);
  }
  const p = url.pathname;
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(p)) {
    // A URL pathname is ASCII with %XX escapes: each escape is one raw byte.
    return posix.normalize(
      p.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
    );
  }
  const bytes: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(p.slice(i + 1, i + 3))) {
      bytes.push(parseInt(p.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, "utf8")) bytes.push(b);
    }
  }
  return posix.normalize(Buffer.from(bytes).toString("latin1"));
}
