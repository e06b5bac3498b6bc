/**
 * Can casher pass the command its argv, environment and working directory exactly? The
 * JS runtime decodes them as UTF-8 and silently replaces bytes that are not (so
 * `casher -- echo $'\xff'` would print U+FFFD); such input must not be run, let alone
 * cached, as if it were the user's. The raw bytes come from `/proc/self`.
 *
 * @module
 */
import { rawCwd, rawProcSelf, splitNul } from "./proc_self.ts";

const strict = new TextDecoder("utf-8", { fatal: true });
const lossy = new TextDecoder("utf-8");

/** What casher would not pass on exactly. */
export type InexactInput =
  | { readonly kind: "exact" }
  | { readonly kind: "inexact"; readonly message: string };

/**
 * Checks casher's arguments (`args`: what the runtime gave, program name excluded; the
 * command is its last `commandLength` words), the environment and the working directory.
 *
 * @example
 * ```ts ignore
 * const check = checkExactInput(["--", "echo", "hi"], { commandLength: 2 });
 * if (check.kind === "inexact") console.error(`casher: ${check.message}`);
 * ```
 */
export function checkExactInput(
  args: readonly string[],
  options: { commandLength: number },
): InexactInput {
  const advice = "casher cannot pass it on exactly; run the command without casher";
  // NUL is ASCII, so a NUL-separated list is valid UTF-8 exactly when every item is: one
  // check of the whole file settles the common case.
  const cmdline = rawProcSelf("cmdline");
  const argv = cmdline === null || isUtf8(cmdline) ? null : splitNul(cmdline);
  // The runtime's argv ends with casher's arguments; a cmdline that does not line up
  // (rewritten by the runtime) tells nothing.
  const tail = argv !== null && argv.length >= args.length
    ? argv.slice(argv.length - args.length)
    : null;
  if (tail !== null && tail.every((raw, i) => !isUtf8(raw) || lossy.decode(raw) === args[i])) {
    const bad = tail.findIndex((raw) => !isUtf8(raw));
    if (bad >= 0) {
      const first = args.length - options.commandLength;
      const which = bad >= first
        ? `argument ${bad - first + 1} of the command`
        : `casher argument ${bad + 1}`;
      return inexact(`${which} (${shellQuote(tail[bad])}) is not valid UTF-8: ${advice}`);
    }
  }
  const cwd = rawCwd();
  if (cwd.kind === "not-utf8" || (cwd.kind === "bytes" && !isUtf8(cwd.bytes))) {
    const shown = cwd.kind === "bytes" ? ` ${shellQuote(cwd.bytes)}` : "";
    return inexact(`the working directory${shown} is not valid UTF-8: ${advice}`);
  }
  const environ = rawProcSelf("environ");
  const entries = environ === null || isUtf8(environ) ? [] : splitNul(environ);
  for (const entry of entries) {
    if (isUtf8(entry)) continue;
    const eq = entry.indexOf(0x3d);
    const name = eq > 0 ? entry.subarray(0, eq) : entry;
    return inexact(
      `environment variable ${shellQuote(name)} is not valid UTF-8 (${
        shellQuote(entry)
      }): ${advice}`,
    );
  }
  return { kind: "exact" };
}

function inexact(message: string): InexactInput {
  return { kind: "inexact", message };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Bytes as a shell word: plain when safe, else `$'...'` with `\xNN` escapes.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./exact_input.ts";
 * shellQuote(new Uint8Array([0x64, 0xff])); // "$'d\\xff'"
 * ```
 */
export function shellQuote(bytes: Uint8Array): string {
  let plain = bytes.length > 0;
  let out = "";
  for (const b of bytes) {
    if (/[A-Za-z0-9_./=:,+-]/.test(String.fromCharCode(b))) {
      out += String.fromCharCode(b);
      continue;
    }
    plain = false;
    out += b === 0x27 || b === 0x5c
      ? `\\${String.fromCharCode(b)}`
      : b >= 0x20 && b < 0x7f
      ? String.fromCharCode(b)
      : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return plain ? out : `$'${out}'`;
}
