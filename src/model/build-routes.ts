/** Routes and gateways: default per-service routes, HTTPRoutes and Gateways as model data. */
import { allowedRoutesModel, type Gateway, type HTTPRoute } from './gateway-api';
import { isHttpFamily } from './protocol';
import type { GatewayListenerModel, GatewayModel, ModelError, RouteModel, ServiceModel, SourceRef } from './types';

/** The mesh's implicit routing: one route per HTTP-family service port, Host = service FQDN, path "/". */
export function defaultRoutes(svc: ServiceModel): RouteModel[] {
  return svc.ports
    .filter((p) => isHttpFamily(p.protocol))
    .map((p) => ({
      key: `default/${svc.namespace}/${svc.name}/${p.port}`,
      parents: [{ kind: 'service-default', service: { namespace: svc.namespace, name: svc.name }, port: p.port }],
      hostnames: [svc.hostname],
      rules: [{ matches: [{ path: { type: 'prefix', value: '/' } }], backends: [{ namespace: svc.namespace, name: svc.name, port: p.port, weight: 1 }] }],
      source: svc.source,
    }));
}

export function routeFromHttpRoute(r: HTTPRoute, source: SourceRef): RouteModel {
  const ns = r.metadata.namespace ?? 'default';
  return {
    key: `httproute/${ns}/${r.metadata.name}`,
    parents: r.spec.parentRefs.map((p) => ({
      kind: 'gateway' as const,
      gateway: { namespace: p.namespace ?? ns, name: p.name },
      ...(p.sectionName ? { sectionName: p.sectionName } : {}),
    })),
    hostnames: [...r.spec.hostnames],
    rules: r.spec.rules.map((rule) => ({
      matches: rule.matches.length === 0 ? [{ path: { type: 'prefix' as const, value: '/' } }] : rule.matches.map((m) => ({ path: { type: m.path?.type === 'Exact' ? ('exact' as const) : ('prefix' as const), value: m.path?.value ?? '/' } })),
      backends: rule.backendRefs.map((b) => ({ namespace: b.namespace ?? ns, name: b.name, port: b.port, weight: b.weight })),
    })),
    source,
  };
}

export function gatewayFromObject(g: Gateway, source: SourceRef): { gateway?: GatewayModel; errors: ModelError[] } {
  const errors: ModelError[] = [];
  const ns = g.metadata.namespace ?? 'default';
  const listeners: GatewayListenerModel[] = [];
  const names = new Set<string>();
  const protoByPort = new Map<number, string>();
  g.spec.listeners.forEach((l, i) => {
    const path = `spec.listeners[${l.specIndex ?? i}]`;
    if (names.has(l.name)) {
      errors.push({ code: 'invalid-gateway', source, path: `${path}.name`, message: `duplicate listener name "${l.name}"; listener skipped` });
      return;
    }
    const other = protoByPort.get(l.port);
    if (other !== undefined && other !== l.protocol) {
      errors.push({ code: 'invalid-gateway', source, path: `${path}.protocol`, message: `port ${l.port} is already used with protocol ${other}; listener skipped` });
      return;
    }
    const refs = l.protocol === 'HTTPS' ? (l.tls?.certificateRefs ?? []).map((c) => ({ namespace: c.namespace ?? ns, name: c.name })) : [];
    if (l.protocol === 'HTTPS' && refs.length === 0) {
      errors.push({ code: 'invalid-gateway', source, path: `${path}.tls.certificateRefs`, message: 'HTTPS listener needs at least one certificate; listener skipped' });
      return;
    }
    names.add(l.name);
    protoByPort.set(l.port, l.protocol);
    listeners.push({ name: l.name, port: l.port, protocol: l.protocol, ...(l.hostname ? { hostname: l.hostname } : {}), certificateRefs: refs, ...allowedRoutesModel(l), path });
  });
  return { gateway: { namespace: ns, name: g.metadata.name, listeners, source }, errors };
}
