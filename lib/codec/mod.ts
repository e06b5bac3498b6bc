/**
 * Portable value encoding for cached return values (see `encode_value.ts`).
 *
 * @module
 */
export { type EncodeResult, encodeValue } from "./encode_value.ts";
export { decodeValue } from "./decode_value.ts";
