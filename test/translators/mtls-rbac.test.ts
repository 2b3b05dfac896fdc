/** SecurityPolicy principals and mesh mTLS: enforced through verified certificates, reported when they cannot be. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseYamlObjects } from '../../src/model/inputs';
import { buildModel, defaultMeshConfig } from '../../src/model/model-builder';
import { roleFromNode } from '../../src/model/roles';
import { principalMtlsErrors } from '../../src/model/security-policy';
import { dumpConfig } from '../../src/pipeline/dump-config';

const policy = (svc: string) => `---
apiVersion: tower.dev/v1alpha1
kind: SecurityPolicy
metadata: { name: only-api-${svc}, namespace: shop }
spec:
  targetRefs: [{ group: "", kind: Service, name: ${svc} }]
  authorization:
    defaultAction: Deny
    rules:
      - name: api-posts
        action: Allow
        from: { principals: [{ namespace: shop, serviceAccount: api }] }
        to: { methods: [POST] }
`;
const service = (name: string, mode?: string) => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop${mode ? `, annotations: { tower.dev/mtls: ${mode} }` : ''} }
spec: { selector: { app: ${name} }, ports: [{ name: http, port: 80, targetPort: 8080 }] }
`;

test('principals on a Service with mTLS disabled are reported (fail closed); permissive and strict Services are not', () => {
  const text = service('plain', 'disabled') + policy('plain') + service('meshed', 'permissive') + policy('meshed') + service('locked', 'strict') + policy('locked');
  const { model } = buildModel(parseYamlObjects(text, 'p.yaml').objects, defaultMeshConfig);
  const errors = principalMtlsErrors(model);
  assert.deepEqual(
    errors.map((e) => `${e.source.name} ${e.path}: ${e.message}`),
    ['only-api-plain spec.authorization.rules[0].from.principals: Service shop/plain has mTLS disabled, so no caller\'s identity can be verified: rule "api-posts" matches no request (fail closed); enable mTLS (tower.dev/mtls: permissive or strict)'],
  );
  // The mesh-wide mode counts too: with the mesh permissive, an unannotated Service verifies callers.
  const meshOn = buildModel(parseYamlObjects(service('plain') + policy('plain'), 'p.yaml').objects, { ...defaultMeshConfig, mtls: { mode: 'permissive' } });
  assert.deepEqual(principalMtlsErrors(meshOn.model), []);
});

test('on a strict Service the RBAC principal is the caller certificate SPIFFE id, on the mTLS-only chain', () => {
  const text = service('locked', 'strict') + policy('locked');
  const role = roleFromNode({ id: 'locked-0', metadata: { TOWER_ROLE: 'sidecar', NAMESPACE: 'shop', SERVICE_ACCOUNT: 'locked', LABELS: 'app=locked', INTERCEPTION_MODE: 'transparent' } });
  const d = dumpConfig(parseYamlObjects(text, 'p.yaml').objects, role);
  const inbound = (d.resources.LDS ?? []).find((l) => (l as { name: string }).name === 'virtualInbound') as { filter_chains: { name: string; transport_socket?: unknown; filters: { typed_config: { http_filters?: { name: string; typed_config: unknown }[] } }[] }[] };
  const chain = inbound.filter_chains.find((c) => c.name === 'inbound|8080')!;
  assert.ok(chain.transport_socket, 'the chain requires mesh mTLS');
  const rbac = chain.filters[0]!.typed_config.http_filters!.find((f) => f.name === 'envoy.filters.http.rbac')!;
  assert.match(JSON.stringify(rbac.typed_config), /"authenticated":\{"principal_name":\{"exact":"spiffe:\/\/cluster.local\/ns\/shop\/sa\/api"\}\}/);
});
