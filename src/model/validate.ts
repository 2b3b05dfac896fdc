/**
 * Cross-object checks on a built model. Returns every problem found; the
 * translators skip what these errors describe (a route to a missing backend
 * loses that backend, a listener without its secret is not emitted).
 */
import { isIP } from 'node:net';
import { gatewayAttachmentErrors } from './gateway-api';
import { principalMtlsErrors, securityRouteTargetErrors } from './security-policy';
import type { MeshModel, ModelError } from './types';

export function validate(model: MeshModel): ModelError[] {
  return [...validateServices(model), ...validateReferences(model)];
}

/** Per-service checks: ports, ClusterIP, endpoints (the builder already reports these while building). */
export function validateServices(model: MeshModel): ModelError[] {
  const errors: ModelError[] = [];
  for (const [key, svc] of Object.entries(model.services)) {
    const names = new Set<string>();
    const ports = new Set<number>();
    svc.ports.forEach((p, i) => {
      if (names.has(p.name)) errors.push({ code: 'duplicate-port', source: svc.source, path: `spec.ports[${i}].name`, message: `duplicate port name "${p.name}"` });
      if (ports.has(p.port)) errors.push({ code: 'duplicate-port', source: svc.source, path: `spec.ports[${i}].port`, message: `duplicate port ${p.port}` });
      names.add(p.name);
      ports.add(p.port);
    });
    if (svc.clusterIP !== undefined && isIP(svc.clusterIP) === 0) errors.push({ code: 'invalid-object', source: svc.source, path: 'spec.clusterIP', message: `"${svc.clusterIP}" is not an IP address` });
    const eps = model.endpoints[key];
    if (eps) {
      for (const [portName, list] of Object.entries(eps.byPort)) {
        if (!names.has(portName)) errors.push({ code: 'unmatched-endpoint-port', source: eps.sources[0] ?? svc.source, path: 'ports', message: `no service port named "${portName}"` });
        list.forEach((ep, i) => {
          if (isIP(ep.address) === 0) errors.push({ code: 'invalid-endpoint', source: ep.source, path: `endpoints[${i}].addresses`, message: `"${ep.address}" is not an IP address` });
        });
      }
    }
  }
  return errors;
}

/** References between objects: route backends and parents, gateway certificates, the tracing collector. */
export function validateReferences(model: MeshModel): ModelError[] {
  const errors: ModelError[] = [];
  for (const route of model.routes) {
    route.rules.forEach((rule, i) => {
      const ri = rule.index ?? i;
      const check = (b: { namespace: string; name: string; port: number }, path: string, what: string): void => {
        const svc = model.services[`${b.namespace}/${b.name}`];
        if (!svc) errors.push({ code: 'missing-backend', source: route.source, path, message: `service ${b.namespace}/${b.name} does not exist; ${what}` });
        else if (!svc.ports.some((p) => p.port === b.port)) errors.push({ code: 'missing-backend', source: route.source, path: `${path}.port`, message: `service ${b.namespace}/${b.name} has no port ${b.port}; ${what}` });
      };
      const live = rule.backends.filter((b) => b.weight > 0 && model.services[`${b.namespace}/${b.name}`]?.ports.some((p) => p.port === b.port)).length;
      const noneLeft = !rule.filters?.redirect && live === 0 ? ' (no backend left: the rule answers 500)' : '';
      rule.backends.forEach((b, bi) => check(b, `spec.rules[${ri}].backendRefs[${bi}]`, `backend dropped${noneLeft}`));
      rule.filters?.mirrors?.forEach((m, mi) => check(m.backend, `spec.rules[${ri}].filters[${m.filterIndex ?? mi}].requestMirror.backendRef`, 'mirror dropped'));
    });
    route.parents.forEach((p, pi) => {
      if (p.kind === 'gateway' && !model.gateways.some((g) => g.namespace === p.gateway.namespace && g.name === p.gateway.name)) {
        errors.push({ code: 'invalid-route', source: route.source, path: `spec.parentRefs[${pi}]`, message: `gateway ${p.gateway.namespace}/${p.gateway.name} does not exist` });
      }
      if (p.kind === 'service') {
        const svc = model.services[`${p.service.namespace}/${p.service.name}`];
        if (!svc) errors.push({ code: 'invalid-route', source: route.source, path: `spec.parentRefs[${pi}]`, message: `service ${p.service.namespace}/${p.service.name} does not exist; parent ignored` });
        else if (p.port !== undefined && !svc.ports.some((sp) => sp.port === p.port)) errors.push({ code: 'invalid-route', source: route.source, path: `spec.parentRefs[${pi}].port`, message: `service ${p.service.namespace}/${p.service.name} has no port ${p.port}; parent ignored` });
      }
    });
  }
  for (const gw of model.gateways) {
    gw.listeners.forEach((l) =>
      l.certificateRefs.forEach((c, ci) => {
        if (!model.secrets[`${c.namespace}/${c.name}`]) {
          errors.push({ code: 'missing-secret', source: gw.source, path: `${l.path}.tls.certificateRefs[${ci}]`, message: `kubernetes.io/tls Secret ${c.namespace}/${c.name} does not exist or is invalid` });
        }
      }),
    );
  }
  for (const p of model.securityPolicies ?? []) {
    for (const t of p.targets) {
      const path = `spec.targetRefs[${t.index}]`;
      if (t.kind === 'gateway') {
        const gw = model.gateways.find((g) => g.namespace === t.gateway.namespace && g.name === t.gateway.name);
        if (!gw) errors.push({ code: 'missing-target', source: p.source, path, message: `gateway ${t.gateway.namespace}/${t.gateway.name} does not exist; the policy applies nowhere there` });
        else if (t.sectionName !== undefined && !gw.listeners.some((l) => l.name === t.sectionName || l.name.startsWith(`${t.sectionName}.`))) {
          errors.push({ code: 'missing-target', source: p.source, path: `${path}.sectionName`, message: `gateway ${t.gateway.namespace}/${t.gateway.name} has no listener "${t.sectionName}"` });
        }
      } else {
        const svc = model.services[`${t.service.namespace}/${t.service.name}`];
        if (!svc) errors.push({ code: 'missing-target', source: p.source, path, message: `service ${t.service.namespace}/${t.service.name} does not exist; the policy applies nowhere there` });
        else if (t.portName !== undefined && !svc.ports.some((sp) => sp.name === t.portName)) {
          errors.push({ code: 'missing-target', source: p.source, path: `${path}.sectionName`, message: `service ${t.service.namespace}/${t.service.name} has no port named "${t.portName}"` });
        }
      }
    }
  }
  const t = model.config.tracing;
  if (t) {
    const svc = model.services[`${t.collector.namespace}/${t.collector.name}`];
    if (!svc || !svc.ports.some((p) => p.port === t.collector.port)) {
      errors.push({ code: 'invalid-config', source: { kind: 'MeshConfig', name: 'tracing' }, path: 'tracing.collector', message: `collector service ${t.collector.namespace}/${t.collector.name} port ${t.collector.port} does not exist; tracing disabled` });
    }
  }
  errors.push(...securityRouteTargetErrors(model), ...gatewayAttachmentErrors(model), ...principalMtlsErrors(model));
  return errors;
}
