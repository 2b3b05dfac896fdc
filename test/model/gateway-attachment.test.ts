/** Gateway attachment: sectionName, port, allowedRoutes, host name intersection; errors naming spec.parentRefs[i]; the translator follows it. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Gateway as TowerGateway } from '../../src/api/gateway';
import { TypeUrl } from '../../src/envoy/type-urls';
import { allowedRoutesModel, gatewayAttachmentErrors, hostIntersection, namespaceAllowed, parentAttachment } from '../../src/model/gateway-api';
import { buildModel } from '../../src/model/model-builder';
import { roleFromFlag } from '../../src/model/roles';
import type { GatewayListenerModel, GatewayModel, MeshModel, RouteModel } from '../../src/model/types';
import { translate } from '../../translators/registry';
import type { Json } from '../../translators/types';
import { inputs, service } from './fixtures';

function tower(kind: string, name: string, ns: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'tower.dev/v1alpha1', kind, metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' }, spec };
}
const svc = service('shop', 'api', [{ name: 'http', port: 80 }]);
const gw = tower('Gateway', 'edge', 'shop', {
  listeners: [
    { name: 'web', port: 8080, protocol: 'HTTP', hostnames: ['*.example.com'] },
    { name: 'api', port: 8080, protocol: 'HTTP', hostnames: ['api.example.com'] },
    { name: 'admin', port: 9000, protocol: 'HTTP' },
  ],
});
const backend = [{ name: 'api', port: 80 }];
const route = (name: string, spec: Record<string, unknown>) => tower('RoutePolicy', name, 'shop', { rules: [{ matches: [{ path: { value: `/${name}` } }], backendRefs: backend }], ...spec });

function hostsOf(model: MeshModel, rds: string): Record<string, string[]> {
  const out = translate(model, roleFromFlag('gateway=shop/edge'));
  const rc = out.find((r) => r.typeUrl === TypeUrl.RouteConfiguration && r.name === rds);
  assert.ok(rc, `${rds} missing`);
  return Object.fromEntries((rc.json.virtual_hosts as Json[]).map((v) => [v.name as string, (v.routes as Json[]).map((r) => { const m = r.match as Json; return (m.path_separated_prefix ?? m.prefix) as string; })]));
}

test('hostIntersection: exact, listener wildcard, route wildcard, both wildcards, none', () => {
  assert.equal(hostIntersection(undefined, '*.a.com'), '*.a.com');
  assert.equal(hostIntersection('x.a.com', 'x.a.com'), 'x.a.com');
  assert.equal(hostIntersection('*.a.com', 'x.y.a.com'), 'x.y.a.com');
  assert.equal(hostIntersection('x.a.com', '*.a.com'), 'x.a.com');
  assert.equal(hostIntersection('*.a.com', '*.b.a.com'), '*.b.a.com');
  assert.equal(hostIntersection('*.b.a.com', '*.a.com'), '*.b.a.com');
  assert.equal(hostIntersection('*.a.com', 'a.com'), undefined, 'a wildcard needs at least one label in front');
  assert.equal(hostIntersection('x.a.com', 'y.a.com'), undefined);
});

test('port and sectionName narrow attachment; host names intersect into virtual hosts', () => {
  const { model, errors } = buildModel(
    inputs(
      svc,
      gw,
      route('by-port', { parentRefs: [{ name: 'edge', port: 8080 }], hostnames: ['shop.example.com', 'other.org'] }),
      route('wild', { parentRefs: [{ name: 'edge', sectionName: 'api' }], hostnames: ['*.example.com'] }),
      route('anyhost', { parentRefs: [{ name: 'edge', port: 9000 }] }),
    ),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(gatewayAttachmentErrors(model), []);
  assert.deepEqual(hostsOf(model, 'http.8080'), { 'api.example.com': ['/wild'], 'shop.example.com': ['/by-port'] }, 'by-port is not on 9000; wild only on listener api');
  assert.deepEqual(hostsOf(model, 'http.9000'), { '*': ['/anyhost'] });
});

test('a parentRef attaching nowhere is an invalid-route error at spec.parentRefs[i] saying why; other parentRefs still attach', () => {
  const { model } = buildModel(
    inputs(
      svc,
      gw,
      route('mis', { parentRefs: [{ name: 'edge', sectionName: 'admin', port: 8080 }, { name: 'edge', sectionName: 'admin' }, { name: 'edge', sectionName: 'nope' }] }),
      route('nohost', { parentRefs: [{ name: 'edge', port: 8080 }], hostnames: ['shop.example.org'] }),
    ),
  );
  const errors = gatewayAttachmentErrors(model);
  assert.deepEqual(
    errors.map((e) => [e.code, e.source.name, e.path]),
    [
      ['invalid-route', 'mis', 'spec.parentRefs[0]'],
      ['invalid-route', 'mis', 'spec.parentRefs[2]'],
      ['invalid-route', 'nohost', 'spec.parentRefs[0]'],
    ],
  );
  assert.match(errors[0]?.message ?? '', /Gateway shop\/edge has no listener "admin" on port 8080/);
  assert.match(errors[1]?.message ?? '', /no listener named "nope"/);
  assert.match(errors[2]?.message ?? '', /shop\.example\.org.*overlaps.*web \(\*\.example\.com\), api \(api\.example\.com\)/);
  assert.deepEqual(hostsOf(model, 'http.9000'), { '*': ['/mis'] }, 'parentRefs[1] attaches');
  assert.deepEqual(hostsOf(model, 'http.8080'), {});
});

function listenerModel(from: 'Same' | 'All' | 'Selector', matchLabels?: Record<string, string>): GatewayListenerModel {
  return { name: from.toLowerCase(), port: 8080, protocol: 'HTTP', certificateRefs: [], path: 'spec.listeners[0]', ...(from === 'Same' ? {} : { allowedRoutes: { from, ...(matchLabels ? { matchLabels } : {}) } }) };
}

test('allowedRoutes: Same (default) admits the Gateway namespace only, All any, Selector by kubernetes.io/metadata.name', () => {
  assert.equal(namespaceAllowed(listenerModel('Same'), 'shop', 'shop'), true);
  assert.equal(namespaceAllowed(listenerModel('Same'), 'shop', 'team'), false);
  assert.equal(namespaceAllowed(listenerModel('All'), 'shop', 'team'), true);
  const sel = listenerModel('Selector', { 'kubernetes.io/metadata.name': 'team' });
  assert.equal(namespaceAllowed(sel, 'shop', 'team'), true);
  assert.equal(namespaceAllowed(sel, 'shop', 'shop'), false, 'the Gateway namespace is not special under Selector');
  assert.equal(namespaceAllowed(listenerModel('Selector', { env: 'prod' }), 'shop', 'team'), false, 'labels Tower cannot see never match');
  assert.deepEqual(allowedRoutesModel({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { a: 'b' } } } } }), { allowedRoutes: { from: 'Selector', matchLabels: { a: 'b' } } });
  assert.deepEqual(allowedRoutesModel({ allowedRoutes: { namespaces: { from: 'Same' } } }), {});
});

test('allowedRoutes on a literal model: a route from another namespace attaches only where admitted, else an error; unknown selector labels are a Gateway error', () => {
  const source = { kind: 'Gateway', namespace: 'shop', name: 'edge' };
  const gateway: GatewayModel = {
    namespace: 'shop',
    name: 'edge',
    source,
    listeners: [{ ...listenerModel('Same'), name: 'same' }, { ...listenerModel('All'), name: 'all', port: 9000 }, { ...listenerModel('Selector', { env: 'prod' }), name: 'sel', port: 9100 }],
  };
  const r: RouteModel = {
    key: 'routepolicy/team/r',
    parents: [{ kind: 'gateway', gateway: { namespace: 'shop', name: 'edge' } }, { kind: 'gateway', gateway: { namespace: 'shop', name: 'edge' }, sectionName: 'same' }],
    hostnames: [],
    rules: [],
    source: { kind: 'RoutePolicy', namespace: 'team', name: 'r' },
  };
  assert.deepEqual(parentAttachment(r, r.parents[0] as never, gateway).attached.map((a) => a.listener.name), ['all']);
  const model = { config: { clusterDomain: 'cluster.local' }, services: {}, endpoints: {}, secrets: {}, gateways: [gateway], routes: [r] } satisfies MeshModel;
  assert.deepEqual(
    gatewayAttachmentErrors(model).map((e) => [e.source.kind, e.path]),
    [
      ['RoutePolicy', 'spec.parentRefs[1]'],
      ['Gateway', 'spec.listeners[2].allowedRoutes.namespaces.selector.matchLabels["env"]'],
    ],
  );
  assert.match(gatewayAttachmentErrors(model)[0]?.message ?? '', /do not allow routes from namespace team/);
});

test('the tower.dev Gateway schema: Selector needs a selector, and a selector needs Selector', () => {
  const base = { apiVersion: 'tower.dev/v1alpha1', kind: 'Gateway', metadata: { name: 'g', namespace: 'shop' } };
  const parse = (allowedRoutes: unknown) => TowerGateway.safeParse({ ...base, spec: { listeners: [{ name: 'l', port: 80, protocol: 'HTTP', allowedRoutes }] } });
  assert.equal(parse({ namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } } }).success, true);
  const noSel = parse({ namespaces: { from: 'Selector' } });
  assert.equal(noSel.success, false);
  assert.deepEqual(noSel.error?.issues.map((i) => i.path.join('.')), ['spec.listeners.0.allowedRoutes.namespaces.selector']);
  assert.equal(parse({ namespaces: { from: 'All', selector: { matchLabels: { a: 'b' } } } }).success, false);
});
