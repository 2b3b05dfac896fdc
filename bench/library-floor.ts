/**
 * The least protobufjs itself needs for a resource table: the same messages
 * the table holds, built from plain objects and encoded (`fromObject` +
 * `encode`, no translation, no validation), and decoded back from their bytes
 * (a plain decode: strict decoding and validate.rules read at least this
 * much). Tower's cold translation also builds the model, translates, checks
 * every field against validate.rules and cross-references, hashes and
 * assembles the encodings clients share, so this is a floor, not a target.
 * Pass 1 is as cold as Tower's first translation (fromObject has not run
 * yet); the best of the later passes is the library's steady state.
 */
import type * as protobuf from 'protobufjs';
import { typeForUrl } from '../src/envoy/proto-root';
import type { ResourceTable } from '../src/xds/resource';
import { nowMs } from './clock';

export interface LibraryFloor {
  readonly resources: number;
  readonly encodeFirstMs: number;
  readonly encodeBestMs: number;
  readonly decodeFirstMs: number;
  readonly decodeBestMs: number;
}

export function libraryFloor(tables: Iterable<ResourceTable>, passes = 4): LibraryFloor {
  const items: { type: protobuf.Type; body: Uint8Array; plain: Record<string, unknown> }[] = [];
  const seen = new Set<Uint8Array>();
  for (const table of tables) {
    for (const [typeUrl, byName] of table) {
      const type = typeForUrl(typeUrl);
      if (!type) continue;
      for (const r of byName.values()) {
        if (seen.has(r.body)) continue;
        seen.add(r.body);
        items.push({ type, body: r.body, plain: type.toObject(type.decode(r.body), { defaults: false }) });
      }
    }
  }
  const encode: number[] = [];
  const decode: number[] = [];
  let bytes = 0;
  for (let p = 0; p < passes; p++) {
    let t = nowMs();
    for (const x of items) bytes += x.type.encode(x.type.fromObject(x.plain)).finish().length;
    encode.push(nowMs() - t);
    t = nowMs();
    for (const x of items) x.type.decode(x.body);
    decode.push(nowMs() - t);
  }
  if (bytes === 0 && items.length > 0) throw new Error('library floor: nothing was encoded');
  return {
    resources: items.length,
    encodeFirstMs: encode[0] ?? NaN,
    encodeBestMs: Math.min(...encode.slice(1)),
    decodeFirstMs: decode[0] ?? NaN,
    decodeBestMs: Math.min(...decode.slice(1)),
  };
}
