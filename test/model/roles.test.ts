import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { roleFromFlag, roleFromNode, viewKey } from '../../src/model/roles';

test('gateway role from plain JSON metadata, with TOWER_GATEWAY', () => {
  const r = roleFromNode({ id: 'gw-1', metadata: { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'infra/edge' } });
  assert.equal(r.kind, 'gateway');
  assert.deepEqual(r.kind === 'gateway' && r.gateway, { namespace: 'infra', name: 'edge' });
  assert.equal(viewKey(r), 'gateway|infra/edge');
  assert.equal(viewKey(roleFromNode({ metadata: { TOWER_ROLE: 'gateway' } })), 'gateway|default');
});

test('sidecar role from a protobufjs Struct (snake_case *_value), all fields', () => {
  const node = {
    id: 'sidecar~10.0.0.1~web-1.shop',
    user_agent_name: 'envoy',
    metadata: {
      fields: {
        TOWER_ROLE: { string_value: 'sidecar' },
        NAMESPACE: { string_value: 'shop' },
        SERVICE_ACCOUNT: { string_value: 'web' },
        INTERCEPTION_MODE: { string_value: 'transparent' },
        LABELS: { struct_value: { fields: { app: { string_value: 'web' }, version: { string_value: 'v1' } } } },
        INSTANCE_IPS: { list_value: { values: [{ string_value: '10.0.0.1' }] } },
      },
    },
  };
  const r = roleFromNode(node);
  assert.deepEqual(r, {
    kind: 'sidecar',
    nodeId: 'sidecar~10.0.0.1~web-1.shop',
    mode: 'transparent',
    namespace: 'shop',
    serviceAccount: 'web',
    labels: { app: 'web', version: 'v1' },
    instanceIps: ['10.0.0.1'],
    reason: 'metadata TOWER_ROLE=sidecar',
  });
  assert.equal(viewKey(r), 'sidecar|transparent|shop|app=web,version=v1');
});

test('camelCase Struct values and comma-separated INSTANCE_IPS are accepted', () => {
  const r = roleFromNode({ metadata: { fields: { TOWER_ROLE: { stringValue: 'sidecar' }, INSTANCE_IPS: { stringValue: '10.0.0.1, 10.0.0.2' } } } });
  assert.equal(r.kind, 'sidecar');
  assert.deepEqual(r.kind === 'sidecar' && r.instanceIps, ['10.0.0.1', '10.0.0.2']);
  assert.equal(r.kind === 'sidecar' && r.mode, 'explicit');
});

test('gRPC user agents are proxyless without metadata; other or missing nodes default to explicit sidecar in "default"', () => {
  for (const agent of ['grpc-node-js', 'grpc-java', 'grpc-go', 'grpc-c++']) {
    assert.equal(roleFromNode({ id: 'x', user_agent_name: agent }).kind, 'proxyless', agent);
  }
  for (const node of [undefined, null, 42, 'str', {}, { user_agent_name: 'envoy' }, { metadata: { TOWER_ROLE: 'bogus' } }]) {
    const r = roleFromNode(node);
    assert.equal(r.kind, 'sidecar', JSON.stringify(node));
    assert.equal(r.kind === 'sidecar' && r.mode, 'explicit');
    assert.equal(r.kind === 'sidecar' && r.namespace, 'default');
  }
  assert.match(roleFromNode({ metadata: { TOWER_ROLE: 'bogus' } }).reason, /unknown TOWER_ROLE "bogus"/);
  const p = roleFromNode({ metadata: { TOWER_ROLE: 'proxyless', NAMESPACE: 'shop' } });
  assert.equal(viewKey(p), 'proxyless|shop');
});

test('malformed TOWER_GATEWAY falls back to the default gateway with a reason', () => {
  const r = roleFromNode({ metadata: { TOWER_ROLE: 'gateway', TOWER_GATEWAY: 'a/b/c' } });
  assert.equal(r.kind === 'gateway' && r.gateway, undefined);
  assert.match(r.reason, /not "ns\/name"/);
});

test('roleFromFlag builds roles for tower dump and rejects unknown flags', () => {
  assert.equal(viewKey(roleFromFlag('sidecar-transparent', { namespace: 'shop', labels: { app: 'web' } })), 'sidecar|transparent|shop|app=web');
  assert.equal(viewKey(roleFromFlag('gateway=infra/edge')), 'gateway|infra/edge');
  assert.throws(() => roleFromFlag('router'), /unknown role "router"/);
});
