import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseTowerObject, towerKind, towerKinds } from '../../src/api/kinds';
import { Condition, ConditionReason, findCondition, setCondition } from '../../src/api/status';
import { RoutePolicy } from '../../src/api/route-policy';
import type { z } from 'zod';
import type { KubeObject } from '../../src/sources/kinds';
import { assertIssue, assertParses } from './assert-issue';
import { routePolicySample } from './samples';

test('setCondition keeps lastTransitionTime while the status value is unchanged', () => {
  const t0 = new Date('2026-01-01T00:00:00.123Z');
  const t1 = new Date('2026-01-01T00:05:00Z');
  let cs = setCondition([], { type: 'Programmed', status: 'False', reason: ConditionReason.Pending, message: 'waiting', observedGeneration: 1 }, t0);
  cs = setCondition(cs, { type: 'Accepted', status: 'True', reason: ConditionReason.Accepted, message: '', observedGeneration: 1 }, t0);
  assert.deepEqual(cs.map((c) => c.type), ['Accepted', 'Programmed']);
  assert.equal(cs[0].lastTransitionTime, '2026-01-01T00:00:00Z');
  const again = setCondition(cs, { type: 'Accepted', status: 'True', reason: ConditionReason.Accepted, message: 'ok', observedGeneration: 2 }, t1);
  assert.equal(findCondition(again, 'Accepted')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(findCondition(again, 'Accepted')?.observedGeneration, 2);
  const flipped = setCondition(again, { type: 'Programmed', status: 'True', reason: ConditionReason.Programmed, message: '' }, t1);
  assert.equal(findCondition(flipped, 'Programmed')?.lastTransitionTime, '2026-01-01T00:05:00Z');
  assert.equal(flipped.length, 2);
  for (const c of flipped) assertParses(Condition, c);
});

test('route status with per-parent conditions parses; bad condition fields are named', () => {
  const o: Record<string, unknown> = routePolicySample();
  const cond = { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };
  o.status = { parents: [{ parentRef: { name: 'edge', namespace: 'ingress' }, controllerName: 'tower.dev/controller', conditions: [cond] }] };
  assertParses(RoutePolicy, o);
  o.status = { parents: [{ parentRef: { name: 'edge' }, controllerName: 'tower.dev/controller', conditions: [{ ...cond, status: 'Yes' }] }] };
  assertIssue(RoutePolicy, o, 'status.parents[0].conditions[0].status', /True/);
});

test('parseTowerObject dispatches by kind and labels every error', () => {
  assert.deepEqual(towerKinds.map((k) => k.plural), ['gateways', 'routepolicies', 'backendpolicies', 'securitypolicies']);
  assert.equal(towerKind('RoutePolicy')?.shortNames[0], 'trp');
  const ok = parseTowerObject(routePolicySample(), 'routes.yaml');
  assert.equal(ok.ok, true);
  const bad = routePolicySample();
  (bad.spec.rules[0] as Record<string, unknown>).weight = 3;
  const r = parseTowerObject(bad, 'routes.yaml');
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.errors, ['RoutePolicy shop/shop (routes.yaml): spec.rules[0].weight: unknown field']);
  const k = parseTowerObject({ apiVersion: 'tower.dev/v1alpha1', kind: 'Widget', metadata: { name: 'w' } });
  assert.match(!k.ok ? k.errors[0] : '', /^Widget \/w: kind: must be one of Gateway, RoutePolicy, BackendPolicy, SecurityPolicy$/);
  const v = parseTowerObject(null);
  assert.match(!v.ok ? v.errors[0] : '', /apiVersion: must be tower.dev\/v1alpha1/);
});

test('towerKinds entries fit the sources kinds registry (compile-time contract with src/sources/kinds.ts)', () => {
  const schemas: z.ZodType<KubeObject>[] = towerKinds.map((k) => k.schema);
  assert.equal(schemas.length, 4);
  for (const k of towerKinds) assert.equal(k.apiVersion, 'tower.dev/v1alpha1');
});
