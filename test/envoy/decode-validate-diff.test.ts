/**
 * Differential test: the fused decoder (strict decode + validate.rules +
 * Envoy's semantic checks in one generated pass) against the reference
 * (decoder, then the separate validation walk) over every golden output,
 * the codec fixtures, and seeded random mutations of them. Both must decode
 * the same message (same bytes) and report the same errors in the same order.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as protobuf from 'protobufjs';
import { parse } from 'yaml';
import { checkMessage } from '../../src/envoy/compile';
import { messageType } from '../../src/envoy/proto-root';
import * as fixtures from './fixtures/resources';

const root = join(__dirname, '..', '..', '..');
const typeByExt: Record<string, string> = {
  cds: 'envoy.config.cluster.v3.Cluster',
  eds: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  lds: 'envoy.config.listener.v3.Listener',
  rds: 'envoy.config.route.v3.RouteConfiguration',
  sds: 'envoy.extensions.transport_sockets.tls.v3.Secret',
};

interface Sample { readonly type: protobuf.Type; readonly json: unknown; readonly label: string }

function goldenSamples(): Sample[] {
  const dir = join(root, 'testdata', 'out');
  const out: Sample[] = [];
  for (const f of readdirSync(dir).sort()) {
    const ext = /\.([a-z]+)\.yaml$/.exec(f)?.[1];
    const typeName = ext && typeByExt[ext];
    if (!typeName) continue;
    const docs = parse(readFileSync(join(dir, f), 'utf8')) as unknown;
    if (!Array.isArray(docs)) continue;
    docs.forEach((json, i) => out.push({ type: messageType(typeName), json, label: `${f}[${i}]` }));
  }
  return out;
}

function fixtureSamples(): Sample[] {
  return [
    { type: messageType('envoy.config.cluster.v3.Cluster'), json: fixtures.edsCluster, label: 'fixture edsCluster' },
    { type: messageType('envoy.config.listener.v3.Listener'), json: fixtures.listener, label: 'fixture listener' },
    { type: messageType('envoy.config.route.v3.RouteConfiguration'), json: fixtures.routeConfiguration, label: 'fixture routeConfiguration' },
    { type: messageType('envoy.config.endpoint.v3.ClusterLoadAssignment'), json: fixtures.assignment('c', 3), label: 'fixture assignment' },
    { type: messageType('envoy.extensions.transport_sockets.tls.v3.Secret'), json: fixtures.secret, label: 'fixture secret' },
  ];
}

/** Both paths; returns a comparable summary. */
function both(s: Sample): { ref: unknown; fused: unknown } {
  const summary = (r: ReturnType<typeof checkMessage>) => ({
    errors: r.errors,
    bytes: r.message === undefined ? undefined : Buffer.from(s.type.encode(r.message).finish()).toString('base64'),
  });
  return { ref: summary(checkMessage(s.type, s.json, { reference: true })), fused: summary(checkMessage(s.type, s.json)) };
}

/** mulberry32: a small seeded PRNG, so every run mutates the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;
type Container = Record<string, Json> | Json[];

/** Every (container, key) slot in a JSON tree. */
function slots(json: Json, out: [Container, string | number][] = []): [Container, string | number][] {
  if (Array.isArray(json)) json.forEach((v, i) => { out.push([json, i]); slots(v, out); });
  else if (json !== null && typeof json === 'object') for (const [k, v] of Object.entries(json)) { out.push([json as Record<string, Json>, k]); slots(v, out); }
  return out;
}

function objects(json: Json, out: Record<string, Json>[] = []): Record<string, Json>[] {
  if (Array.isArray(json)) json.forEach((v) => objects(v, out));
  else if (json !== null && typeof json === 'object') { out.push(json as Record<string, Json>); Object.values(json).forEach((v) => objects(v, out)); }
  return out;
}

const replacements: Json[] = [
  null, true, false, 0, -1, 1, 0.5, -2147483649, 4294967296, 1e20, '', 'x', '10s', '-1s', 'NaN', '0.000000001s', 'ROUND_ROBIN', 'NOT_AN_ENUM',
  '12345678901234567890', [], [null], [1], {}, { '@type': 'type.googleapis.com/nope.Nope' }, { unknown_field: 1 }, 'a'.repeat(300), '(?<bad', '[', '*',
];

/** One random mutation, applied in place. */
function mutate(json: Json, r: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const kind = r();
  if (kind < 0.15) {
    const objs = objects(json);
    if (objs.length) pick(objs)[pick(['unknown_field', 'typo', '@type', 'nameX'])] = structuredClone(pick(replacements));
    return;
  }
  const all = slots(json);
  if (all.length === 0) return;
  const [c, k] = pick(all);
  if (kind < 0.3) {
    if (Array.isArray(c)) c.splice(k as number, 1);
    else delete c[k as string];
  } else if (kind < 0.38 && !Array.isArray(c) && typeof k === 'string' && k.includes('_')) {
    // the lowerCamelCase alias, alone or next to the snake_case name (given twice)
    const camel = k.replace(/_([a-z0-9])/g, (_m, x: string) => x.toUpperCase());
    c[camel] = c[k];
    if (r() < 0.5) delete c[k];
  } else if (kind < 0.45 && !Array.isArray(c) && k === '@type') {
    c[k] = pick(['type.googleapis.com/envoy.config.cluster.v3.Cluster', 'type.googleapis.com/google.protobuf.Duration', 'nope', '']);
  } else {
    (c as Record<string | number, Json>)[k] = structuredClone(pick(replacements));
  }
}

test('fused decode+validate equals the reference over every golden output and fixture', () => {
  const samples = [...goldenSamples(), ...fixtureSamples()];
  assert.ok(samples.length > 300, `expected the golden outputs, found ${samples.length} resources`);
  let withErrors = 0;
  for (const s of samples) {
    const { ref, fused } = both(s);
    assert.deepEqual(fused, ref, s.label);
    if ((ref as { errors: unknown[] }).errors.length) withErrors++;
  }
  // golden outputs are valid resources
  assert.equal(withErrors, 0);
});

test('fused decode+validate equals the reference over seeded random mutations', () => {
  const samples = [...goldenSamples(), ...fixtureSamples()];
  const r = rng(20261122);
  let invalid = 0;
  let valid = 0;
  const total = 4000;
  for (let i = 0; i < total; i++) {
    const base = samples[Math.floor(r() * samples.length)];
    const json = structuredClone(base.json);
    const count = 1 + Math.floor(r() * 3);
    for (let m = 0; m < count; m++) mutate(json, r);
    const s = { ...base, json, label: `${base.label} mutation #${i}` };
    const { ref, fused } = both(s);
    if (!isDeepStrictEqual(fused, ref)) assert.deepEqual(fused, ref, `${s.label}: ${JSON.stringify(json).slice(0, 600)}`);
    if ((ref as { errors: unknown[] }).errors.length) invalid++;
    else valid++;
  }
  // the mutations exercise both outcomes
  assert.ok(invalid > total / 4, `only ${invalid} mutations were invalid`);
  assert.ok(valid > 50, `only ${valid} mutations stayed valid`);
});

test('fused path reports rule violations (not only decode errors) in the reference order', () => {
  const Cla = messageType('envoy.config.endpoint.v3.ClusterLoadAssignment');
  const json = {
    cluster_name: '',
    endpoints: [{
      load_balancing_weight: 0,
      lb_endpoints: [{ endpoint: { address: { socket_address: { address: '', port_value: 70000 } } }, load_balancing_weight: 0 }],
      priority: 200,
    }],
  };
  const ref = checkMessage(Cla, json, { reference: true });
  const fused = checkMessage(Cla, json);
  assert.ok(fused.errors.length >= 3, JSON.stringify(fused.errors));
  assert.deepEqual(fused.errors, ref.errors);
});
