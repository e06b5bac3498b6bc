/**
 * The command's stdin as key material. A pipe or a regular file is read fully into a
 * spool file (hashed, then fed to the command); a TTY means an interactive run, which is
 * never cached; a missing stdin or /dev/null is "none".
 *
 * @module
 */
import { createReadStream, createWriteStream, fstatSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { isatty } from "node:tty";
import { digestFile } from "../hash/digest.ts";
import { bytePath } from "../path/byte_path.ts";

/** How the command's stdin takes part in the key. */
export type StdinSource =
  | { readonly kind: "none" }
  | { readonly kind: "tty" }
  | { readonly kind: "data"; readonly spool: string; readonly digest: string };

const DEV_NULL_RDEV = 0x103; // makedev(1, 3)

/**
 * Classifies fd 0 and, for data, spools it into `tmpDir`.
 *
 * @example
 * ```ts ignore
 * const stdin = await captureStdin({ tmpDir: "/tmp" });
 * if (stdin.kind === "data") console.log(stdin.digest);
 * ```
 */
export async function captureStdin(options: { tmpDir: string }): Promise<StdinSource> {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return { kind: "none" };
  }
  if (isatty(0)) return { kind: "tty" };
  if (st.isCharacterDevice() && st.rdev === DEV_NULL_RDEV) return { kind: "none" };
  const spool = join(
    options.tmpDir,
    `stdin-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(spool, { mode: 0o600 });
    const input = createReadStream("", { fd: 0, autoClose: false });
    input.on("error", reject);
    out.on("error", reject);
    out.on("finish", () => resolve());
    input.pipe(out);
  });
  const { digest } = await digestFile(bytePath(spool));
  return { kind: "data", spool, digest };
}

/**
 * Removes a spool file, if any.
 *
 * @example
 * ```ts ignore
 * releaseStdin(stdin);
 * ```
 */
export function releaseStdin(stdin: StdinSource): void {
  if (stdin.kind !== "data") return;
  try {
    unlinkSync(stdin.spool);
  } catch { /* already gone */ }
}
