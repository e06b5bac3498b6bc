/**
 * One open {@link Store} per cache directory per process, opened lazily on the first
 * call that needs it, plus the outputs learned per function (kept in the store's notes and
 * memoized here). `closeAll()` forgets everything (tests, or before deleting a cache dir).
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { BytePath } from "../path/byte_path.ts";
import { Notes } from "../store/notes.ts";
import { openStore, type Store } from "../store/store.ts";

interface Opened {
  readonly store: Store;
  readonly notes: Notes;
  /** Learned output paths per function-identity note name. */
  readonly learned: Map<string, Set<BytePath>>;
}

/**
 * Open stores by cache directory.
 *
 * @example
 * ```ts ignore
 * const registry = new StoreRegistry();
 * const store = registry.store(getConfig());
 * registry.closeAll();
 * ```
 */
export class StoreRegistry {
  readonly #open = new Map<string, Opened>();

  /** The store of `config.cacheDir` (which must not be null), opening it on first use. */
  store(config: Config): Store {
    return this.#get(config).store;
  }

  /** Output paths learned for the function noted as `fnId` (read from the index once). */
  learned(config: Config, fnId: string): ReadonlySet<BytePath> {
    const o = this.#get(config);
    let set = o.learned.get(fnId);
    if (set === undefined) {
      set = new Set(parseList(o.notes.get(noteName(fnId))));
      o.learned.set(fnId, set);
    }
    return set;
  }

  /** Remembers `paths` as outputs of `fnId`; returns whether anything new was learned. */
  learn(config: Config, fnId: string, opts: { readonly paths: readonly BytePath[] }): boolean {
    const { paths } = opts;
    const known = this.learned(config, fnId) as Set<BytePath>;
    const fresh = paths.filter((p) => !known.has(p));
    if (fresh.length === 0) return false;
    for (const p of fresh) known.add(p);
    const o = this.#get(config);
    const merged = new Set([...parseList(o.notes.get(noteName(fnId))), ...known]);
    o.notes.put(noteName(fnId), JSON.stringify([...merged].sort()));
    return true;
  }

  /** Closes every store and forgets learned outputs. */
  closeAll(): void {
    for (const o of this.#open.values()) {
      o.notes.close();
      o.store.close();
    }
    this.#open.clear();
  }

  #get(config: Config): Opened {
    const dir = config.cacheDir;
    if (dir === null) throw new TypeError("StoreRegistry: no cache directory configured");
    let o = this.#open.get(dir);
    if (o === undefined) {
      const store = openStore(dir, {
        maxCacheBytes: config.maxCacheBytes,
        maxCandidates: config.maxCandidates,
      });
      o = { store, notes: new Notes(store.layout), learned: new Map() };
      this.#open.set(dir, o);
    }
    return o;
  }
}

function noteName(fnId: string): string {
  return `function-outputs:${fnId}`;
}

function parseList(text: string | null): BytePath[] {
  if (text === null) return [];
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v.filter((p) => typeof p === "string") : [];
  } catch {
    return [];
  }
}
