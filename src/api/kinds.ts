/**
 * The registry of Tower's custom resource kinds (tower.dev/v1alpha1): what the
 * sources need to watch and parse them, and what scripts/generate-crds.ts
 * needs to write their CustomResourceDefinitions.
 */
import { z } from 'zod';
import { BackendPolicy } from './backend-policy';
import { towerApiVersion, towerGroup, towerVersion } from './common';
import { Gateway } from './gateway';
import { RoutePolicy } from './route-policy';
import { SecurityPolicy } from './security-policy';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface TowerKind {
  apiVersion: typeof towerApiVersion;
  group: typeof towerGroup;
  version: typeof towerVersion;
  kind: 'Gateway' | 'RoutePolicy' | 'BackendPolicy' | 'SecurityPolicy';
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: true;
  /** The zod schema of the whole object (apiVersion, kind, metadata, spec, status). */
  schema: z.ZodType<TowerObject>;
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const cond = (base: string, type: string): PrinterColumn => ({
  name: type,
  type: 'string',
  jsonPath: `${base}.conditions[?(@.type=="${type}")].status`,
});

function kind(k: TowerKind['kind'], plural: string, shortNames: string[], schema: z.ZodType<TowerObject>, printerColumns: PrinterColumn[]): TowerKind {
  return {
    apiVersion: towerApiVersion,
    group: towerGroup,
    version: towerVersion,
    kind: k,
    listKind: `${k}List`,
    plural,
    singular: k.toLowerCase(),
    shortNames,
    categories: ['tower'],
    namespaced: true,
    schema,
    printerColumns,
  };
}

export const towerKinds: readonly TowerKind[] = [
  kind('Gateway', 'gateways', ['tgw'], Gateway, [cond('.status', 'Accepted'), cond('.status', 'Programmed'), age]),
  kind('RoutePolicy', 'routepolicies', ['trp'], RoutePolicy, [
    { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
    cond('.status', 'Accepted'),
    cond('.status', 'Programmed'),
    age,
  ]),
  kind('BackendPolicy', 'backendpolicies', ['tbp'], BackendPolicy, [cond('.status', 'Accepted'), cond('.status', 'Programmed'), age]),
  kind('SecurityPolicy', 'securitypolicies', ['tsp'], SecurityPolicy, [cond('.status', 'Accepted'), cond('.status', 'Programmed'), age]),
];

/** The registry entry for a kind name, if Tower defines it. */
export function towerKind(kindName: string): TowerKind | undefined {
  return towerKinds.find((k) => k.kind === kindName);
}

/** "spec.rules[0].matches[1].path.value" from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

/** One line per issue: "<path>: <message>", with unknown fields named by their full path. */
export function formatIssues(err: z.ZodError): string[] {
  return err.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => `${formatIssuePath([...i.path, k])}: unknown field`).join('; ');
    }
    return `${formatIssuePath(i.path)}: ${i.message}`;
  });
}

/** Any object of one of Tower's kinds, after parsing (defaults applied). */
export type TowerObject = Gateway | RoutePolicy | BackendPolicy | SecurityPolicy;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Parses an object of one of Tower's kinds. Errors are prefixed with
 * "<Kind> <namespace>/<name>" (and `source`, e.g. a file name, when given).
 */
export function parseTowerObject(obj: unknown, source?: string): ParseResult<TowerObject> {
  const o = (obj ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const label = `${String(o.kind ?? '<no kind>')} ${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name ?? '<no name>')}${source ? ` (${source})` : ''}`;
  if (o.apiVersion !== towerApiVersion) return { ok: false, errors: [`${label}: apiVersion: must be ${towerApiVersion}`] };
  const k = towerKind(String(o.kind));
  if (!k) return { ok: false, errors: [`${label}: kind: must be one of ${towerKinds.map((x) => x.kind).join(', ')}`] };
  const r = k.schema.safeParse(obj);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: formatIssues(r.error).map((e) => `${label}: ${e}`) };
}
