/**
 * dumpConfig: the exact resources a client of a role would receive, per type,
 * in Envoy's JSON form (sorted by name), plus every error. Private keys are
 * redacted (as Envoy's own config dump does).
 */
import { TypeUrl, shortTypeName } from '../envoy/type-urls';
import { buildModel } from '../model/model-builder';
import type { InputObject } from '../model/inputs';
import type { ClientRole } from '../model/roles';
import { formatModelError, type MeshConfig } from '../model/types';
import { translate } from '../../translators/registry';
import type { Compiler } from './compiler';
import { defaultCompiler } from './default-compiler';
import { translateAll } from './translate-all';

export interface ConfigDump {
  /** Keyed by short type name: CDS, EDS, LDS, RDS, SDS. */
  readonly resources: Readonly<Record<string, readonly unknown[]>>;
  readonly modelErrors: readonly string[];
  readonly translationErrors: readonly { typeUrl: string; name: string; reason: string; sources: string[]; errors: string[] }[];
}

function redact(typeUrl: string, json: unknown): unknown {
  if (typeUrl !== TypeUrl.Secret || typeof json !== 'object' || json === null) return json;
  const s = json as { tls_certificate?: Record<string, unknown> };
  if (!s.tls_certificate) return json;
  return { ...s, tls_certificate: { ...s.tls_certificate, private_key: { inline_string: '[redacted]' } } };
}

export function dumpConfig(objects: readonly InputObject[], role: ClientRole, opts: { config?: MeshConfig; compiler?: Compiler; redactSecrets?: boolean } = {}): ConfigDump {
  const { model, errors } = buildModel(objects, opts.config);
  const compiler = opts.compiler ?? defaultCompiler();
  const view = [...translateAll(model, [role], compiler).values()][0];
  const specs = new Map(translate(model, role).map((s) => [`${s.typeUrl}\u0000${s.name}`, s.json]));
  const resources: Record<string, unknown[]> = {};
  for (const typeUrl of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Secret]) {
    const m = view?.table.get(typeUrl);
    if (!m || m.size === 0) continue;
    resources[shortTypeName(typeUrl)] = [...m.keys()].sort().map((name) => {
      const json = specs.get(`${typeUrl}\u0000${name}`);
      return opts.redactSecrets === false ? json : redact(typeUrl, json);
    });
  }
  return {
    resources,
    modelErrors: errors.map(formatModelError),
    translationErrors: (view?.errors ?? []).map((e) => ({
      typeUrl: e.typeUrl,
      name: e.name,
      reason: e.reason,
      sources: e.sources.map((s) => `${s.kind} ${s.namespace ? s.namespace + '/' : ''}${s.name}${s.file ? ` (${s.file})` : ''}`),
      errors: e.errors.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)),
    })),
  };
}
