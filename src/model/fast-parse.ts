/**
 * A fast path for the two kinds that arrive by the ten thousand (Service,
 * EndpointSlice): a hand-written check of exactly the rules of the zod
 * schemas in src/k8s/types.ts, producing the same output (defaults applied,
 * unknown fields kept). It only ever accepts: anything it is unsure about
 * returns undefined and the caller runs the zod schema, which produces the
 * error messages. test/model/fast-parse.test.ts compares both on valid and
 * invalid variants.
 */
import type { EndpointSlice, Service } from '../k8s/types';

type Obj = Record<string, unknown>;

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function isObj(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function optString(v: unknown, max = Infinity, min = 0): boolean {
  return v === undefined || (typeof v === 'string' && v.length <= max && v.length >= min);
}

function nullishString(v: unknown, max = Infinity): boolean {
  return v === null || optString(v, max);
}

function isPort(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** record(string, string): a copy, or undefined if not one. */
function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (typeof x !== 'string' || k === '__proto__') return undefined;
    out[k] = x;
  }
  return out;
}

/** ObjectMeta; `false` when not certainly valid. */
function meta(v: unknown): Obj | false {
  if (!isObj(v)) return false;
  const { name, namespace, labels, annotations, generation } = v;
  if (typeof name !== 'string' || name.length < 1 || name.length > 253 || !dns1123Subdomain.test(name)) return false;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 63 || !dns1123Label.test(namespace))) return false;
  if (!optString(v.uid) || !optString(v.resourceVersion) || !optString(v.creationTimestamp)) return false;
  if (generation !== undefined && !Number.isSafeInteger(generation)) return false;
  const out: Obj = { ...v };
  if (labels !== undefined) {
    const l = stringRecord(labels);
    if (!l) return false;
    out.labels = l;
  }
  if (annotations !== undefined) {
    const a = stringRecord(annotations);
    if (!a) return false;
    out.annotations = a;
  }
  return out;
}

const protocols = new Set(['TCP', 'UDP', 'SCTP']);
const serviceTypes = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);
const addressTypes = new Set(['IPv4', 'IPv6', 'FQDN']);

function servicePort(v: unknown): Obj | false {
  if (!isObj(v)) return false;
  const { protocol, targetPort } = v;
  if (!optString(v.name, 63) || !optString(v.appProtocol, 253) || !isPort(v.port)) return false;
  if (protocol !== undefined && !(typeof protocol === 'string' && protocols.has(protocol))) return false;
  if (targetPort !== undefined && !isPort(targetPort) && !(typeof targetPort === 'string' && targetPort.length >= 1 && targetPort.length <= 15)) return false;
  return { ...v, protocol: protocol ?? 'TCP' };
}

/** A Service as the zod schema would parse it, or undefined (then run the schema). */
export function fastParseService(o: unknown): Service | undefined {
  if (!isObj(o) || o.apiVersion !== 'v1' || o.kind !== 'Service') return undefined;
  const metadata = meta(o.metadata);
  const spec = o.spec;
  if (!metadata || !isObj(spec)) return undefined;
  const { type, clusterIPs, selector, ports } = spec;
  if (type !== undefined && !(typeof type === 'string' && serviceTypes.has(type))) return undefined;
  if (!optString(spec.clusterIP) || !optString(spec.externalName)) return undefined;
  const outSpec: Obj = { ...spec, type: type ?? 'ClusterIP' };
  if (clusterIPs !== undefined) {
    if (!Array.isArray(clusterIPs)) return undefined;
    for (const x of clusterIPs as unknown[]) if (typeof x !== 'string') return undefined; // for-of sees holes, every() skips them
    outSpec.clusterIPs = [...(clusterIPs as string[])];
  }
  if (selector !== undefined) {
    const s = stringRecord(selector);
    if (!s) return undefined;
    outSpec.selector = s;
  }
  if (ports === undefined) outSpec.ports = [];
  else {
    if (!Array.isArray(ports)) return undefined;
    const out: Obj[] = [];
    for (const p of ports) {
      const sp = servicePort(p);
      if (!sp) return undefined;
      out.push(sp);
    }
    outSpec.ports = out;
  }
  return { ...o, metadata, spec: outSpec } as Service;
}

const conditionKeys = ['ready', 'serving', 'terminating'] as const;

function endpoint(v: unknown): Obj | false {
  if (!isObj(v)) return false;
  const { addresses, conditions, targetRef } = v;
  if (!Array.isArray(addresses) || addresses.length < 1 || addresses.length > 100) return false;
  for (const a of addresses) if (typeof a !== 'string' || a.length < 1) return false;
  if (!optString(v.hostname) || !optString(v.nodeName) || !optString(v.zone)) return false;
  const out: Obj = { ...v, addresses: [...(addresses as string[])] };
  if (conditions === undefined) out.conditions = {};
  else {
    if (!isObj(conditions)) return false;
    for (const k of conditionKeys) {
      const c = conditions[k];
      if (c !== undefined && c !== null && typeof c !== 'boolean') return false;
    }
    out.conditions = { ...conditions };
  }
  if (targetRef !== undefined) {
    if (!isObj(targetRef) || !optString(targetRef.kind) || !optString(targetRef.name) || !optString(targetRef.namespace)) return false;
    out.targetRef = { ...targetRef };
  }
  return out;
}

function endpointPort(v: unknown): Obj | false {
  if (!isObj(v)) return false;
  const { port, protocol } = v;
  if (!nullishString(v.name) || !nullishString(v.appProtocol)) return false;
  if (port !== undefined && port !== null && !isPort(port)) return false;
  if (protocol !== undefined && protocol !== null && !(typeof protocol === 'string' && protocols.has(protocol))) return false;
  return { ...v };
}

/** An EndpointSlice as the zod schema would parse it, or undefined (then run the schema). */
export function fastParseEndpointSlice(o: unknown): EndpointSlice | undefined {
  if (!isObj(o) || o.apiVersion !== 'discovery.k8s.io/v1' || o.kind !== 'EndpointSlice') return undefined;
  const metadata = meta(o.metadata);
  if (!metadata) return undefined;
  const { addressType, endpoints, ports } = o;
  if (!(typeof addressType === 'string' && addressTypes.has(addressType))) return undefined;
  const out: Obj = { ...o, metadata };
  if (endpoints === undefined) out.endpoints = [];
  else {
    if (!Array.isArray(endpoints)) return undefined;
    const eps: Obj[] = [];
    for (const e of endpoints) {
      const x = endpoint(e);
      if (!x) return undefined;
      eps.push(x);
    }
    out.endpoints = eps;
  }
  if (ports !== undefined && ports !== null) {
    if (!Array.isArray(ports)) return undefined;
    const ps: Obj[] = [];
    for (const p of ports) {
      const x = endpointPort(p);
      if (!x) return undefined;
      ps.push(x);
    }
    out.ports = ps;
  }
  return out as EndpointSlice;
}
