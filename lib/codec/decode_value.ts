/**
 * Decodes what `encode_value.ts` wrote. Malformed or foreign bytes raise `blob-corrupt`.
 *
 * @module
 */
import { Unpackr } from "msgpackr";
import { CasherError } from "../errors/casher_error.ts";
import { MAGIC } from "./_tags.ts";
import { fromTree } from "./_from_tree.ts";
import { tablesFromIpc } from "./_arrow.ts";

const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  mapsAsObjects: true,
});

/**
 * Decodes an encoded value (Arrow tables come back as `apache-arrow` `Table`s).
 *
 * @example
 * ```ts
 * import { encodeValue } from "./encode_value.ts";
 * import { decodeValue } from "./decode_value.ts";
 * const r = await encodeValue(new Map([[1, -0]]));
 * if (r.kind === "ok") console.log(await decodeValue(r.bytes)); // Map { 1 => -0 }
 * ```
 */
export async function decodeValue(bytes: Uint8Array): Promise<unknown> {
  if (bytes.byteLength < MAGIC.byteLength || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new CasherError(
      "blob-corrupt",
      "Stored return value has no casher value header (wrong format or version); the entry will be treated as a miss",
    );
  }
  let envelope: unknown;
  try {
    envelope = unpackr.unpack(bytes.subarray(MAGIC.byteLength));
  } catch (e) {
    throw new CasherError(
      "blob-corrupt",
      `Stored return value is not valid msgpack (${String(e)}); treated as a miss`,
      {
        cause: e,
      },
    );
  }
  if (!Array.isArray(envelope) || envelope.length !== 2 || !Array.isArray(envelope[1])) {
    throw new CasherError(
      "blob-corrupt",
      "Stored return value has a malformed envelope; treated as a miss",
    );
  }
  const ipc = envelope[1] as unknown[];
  if (!ipc.every((b) => b instanceof Uint8Array)) {
    throw new CasherError("blob-corrupt", "Stored Arrow table is not bytes; treated as a miss");
  }
  let tables: unknown[];
  try {
    tables = await tablesFromIpc(ipc as Uint8Array[]);
  } catch (e) {
    throw new CasherError(
      "blob-corrupt",
      `Stored Arrow table is unreadable (${String(e)}); treated as a miss`,
      { cause: e },
    );
  }
  return fromTree(envelope[0], tables);
}
