import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { httpFilterChain } from '../../translators/route-configuration';

const names = (fs: readonly { name?: unknown }[]) => fs.map((f) => f.name);

test('HTTP filter order: fault, CORS before authentication, security, then local rate limit', () => {
  const routeUsing = (...filters: string[]) => ({ routes: [{ typed_per_filter_config: Object.fromEntries(filters.map((f) => [f, {}])) }] });
  const vhosts = [routeUsing('envoy.filters.http.local_ratelimit'), routeUsing('envoy.filters.http.cors', 'envoy.filters.http.fault')];
  const security = [{ name: 'envoy.filters.http.jwt_authn' }, { name: 'envoy.filters.http.rbac' }];
  assert.deepEqual(names(httpFilterChain(security, vhosts)), [
    'envoy.filters.http.fault',
    'envoy.filters.http.cors',
    'envoy.filters.http.jwt_authn',
    'envoy.filters.http.rbac',
    'envoy.filters.http.local_ratelimit',
  ]);
  assert.deepEqual(names(httpFilterChain(security, [])), ['envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac']);
  assert.deepEqual(httpFilterChain([], [{ routes: [{}] }]), []);
});
