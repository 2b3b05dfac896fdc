/**
 * A resource as the cache holds it: serialized once per version, with the
 * google.protobuf.Any and delta Resource encodings precomputed so every
 * client that receives it shares the same bytes.
 */
import { hash } from 'node:crypto';
import * as protobuf from 'protobufjs';

/** The model object a resource came from, so errors and NACKs can be traced back. */
export interface SourceRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** File the object was read from (file source only). */
  readonly file?: string;
}

export interface Resource {
  readonly typeUrl: string;
  readonly name: string;
  /** Content hash of the serialized message: identical content, identical version. */
  readonly version: string;
  /** The serialized message itself. */
  readonly body: Uint8Array;
  /** google.protobuf.Any { type_url, value: body }, encoded once. */
  readonly any: Uint8Array;
  /** envoy.service.discovery.v3.Resource { name, version, resource: any }, encoded once (delta xDS). */
  readonly deltaResource: Uint8Array;
  readonly sources: readonly SourceRef[];
}

/** Resources of one client view, keyed by type URL, then by resource name. */
export type ResourceTable = ReadonlyMap<string, ReadonlyMap<string, Resource>>;

export function contentVersion(body: Uint8Array): string {
  // crypto.hash (one-shot) is ~2.5x faster than createHash for small buffers.
  return hash('sha256', body, 'base64url').slice(0, 16);
}

export function makeResource(typeUrl: string, name: string, body: Uint8Array, sources: readonly SourceRef[] = []): Resource {
  const version = contentVersion(body);
  // google.protobuf.Any: 1 type_url (string), 2 value (bytes)
  const any = protobuf.Writer.create().uint32(10).string(typeUrl).uint32(18).bytes(body).finish();
  // envoy.service.discovery.v3.Resource: 3 name, 1 version, 2 resource (Any)
  const deltaResource = protobuf.Writer.create().uint32(26).string(name).uint32(10).string(version).uint32(18).bytes(any).finish();
  return { typeUrl, name, version, body, any, deltaResource, sources };
}

/** Builds a table from a flat list; later duplicates of (type, name) are an error. */
export function tableOf(resources: Iterable<Resource>): Map<string, Map<string, Resource>> {
  const table = new Map<string, Map<string, Resource>>();
  for (const r of resources) {
    let byName = table.get(r.typeUrl);
    if (!byName) table.set(r.typeUrl, (byName = new Map()));
    if (byName.has(r.name)) throw new Error(`duplicate resource ${r.typeUrl} ${r.name}`);
    byName.set(r.name, r);
  }
  return table;
}
