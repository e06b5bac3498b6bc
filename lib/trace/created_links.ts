/**
 * The symlinks the run itself created, for the `PathBook` (path_book.ts): each one's target
 * as the symlink call printed it, and the following of paths through them (the
 * link itself, or a prefix of the path, mapped to the target resolved against the
 * link's directory), through chains of such links up to {@link MAX_LINK_HOPS}.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import { displayPath } from "../path/byte_path.ts";
import { PathNormalizer } from "./path_normalizer.ts";

/** How many symlinks the run made are followed in a row, like the kernel's limit on nesting. */
export const MAX_LINK_HOPS = 8;

/** A symlink target: `"unknown"` when the trace did not print it in full. */
export type LinkTarget = BytePath | "unknown";

/** Options of {@link CreatedLinks}. */
export interface CreatedLinksOptions {
  /** Marks the run untrusted with a reason. */
  readonly untrust: (reason: string) => void;
  /**
   * Resolves a symlink target against the link's directory, as traced paths are
   * normalized (default: a {@link PathNormalizer} of its own).
   */
  readonly resolve?: (base: BytePath, p: BytePath) => BytePath;
}

type Step = { kind: "path"; path: BytePath } | { kind: "unknown"; link: BytePath };

/**
 * The symlinks the run made, by path, while they remain such.
 *
 * @example
 * ```ts
 * import { CreatedLinks } from "./created_links.ts";
 * const links = new CreatedLinks({ untrust: () => {} });
 * links.made("/w/q", { target: "/src" });
 * links.through("/w/q/x.c", { final: true }); // "/src/x.c"
 * ```
 */
export class CreatedLinks {
  readonly #targets = new Map<BytePath, LinkTarget>();
  readonly #untrust: (reason: string) => void;
  readonly #resolve: (base: BytePath, p: BytePath) => BytePath;
  /** Whether the run made any symlink (until then no path needs {@link through}). */
  #madeLinks = false;

  constructor(opts: CreatedLinksOptions) {
    this.#untrust = opts.untrust;
    if (opts.resolve !== undefined) this.#resolve = opts.resolve;
    else {
      const n = new PathNormalizer();
      this.#resolve = (base, p) => n.resolve(base, p);
    }
  }

  /** The run made a symlink at `p` with `target` (`null`: not printed in full). */
  made(p: BytePath, opts: { readonly target?: BytePath | null } = {}): void {
    this.#targets.set(p, opts.target ?? "unknown");
    this.#madeLinks = true;
  }

  /** The target of the run's symlink at `p`, or `null` when `p` is not one. */
  target(p: BytePath): LinkTarget | null {
    return this.#targets.get(p) ?? null;
  }

  /** Sets (or, with `null`, clears) what is at `p`: a symlink moved there, or none. */
  set(p: BytePath, target: LinkTarget | null): void {
    if (target === null) this.#targets.delete(p);
    else this.#targets.set(p, target);
  }

  /**
   * The path `p` names once the symlinks the run made on its way are followed (the last
   * component too when `final`), or `null` when that cannot be known (the run is then
   * untrusted).
   */
  through(p: BytePath, opts: { readonly final: boolean }): BytePath | null {
    if (!this.#madeLinks) return p;
    let cur = p;
    for (let hops = 0;; hops++) {
      const step = this.#linkStep(cur, opts);
      if (step === null) return cur;
      if (step.kind === "unknown") {
        this.#untrust(
          `read through symlink ${displayPath(step.link)} made by the run, target not printed`,
        );
        return null;
      }
      if (hops === MAX_LINK_HOPS) {
        this.#untrust(`too many levels of symlinks made by the run at ${displayPath(p)}`);
        return null;
      }
      cur = step.path;
    }
  }

  /** The first symlink the run made on the way to `p` (leftmost), followed once. */
  #linkStep(p: BytePath, opts: { readonly final: boolean }): Step | null {
    for (let at = p.indexOf("/", 1); at > 0; at = p.indexOf("/", at + 1)) {
      const link = p.slice(0, at);
      const target = this.#targets.get(link);
      if (target) return this.#follow(link, { target, rest: p.slice(at) });
    }
    const target = opts.final ? this.#targets.get(p) : null;
    return target ? this.#follow(p, { target, rest: "" }) : null;
  }

  #follow(link: BytePath, opts: { readonly target: LinkTarget; readonly rest: string }): Step {
    if (opts.target === "unknown") return { kind: "unknown", link };
    const dir = link.slice(0, link.lastIndexOf("/")) || "/";
    return { kind: "path", path: this.#resolve(dir, opts.target + opts.rest) };
  }
}
