import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LeaderElector } from '../../src/sources/kubernetes/lease';
import { StatusWriter, type Condition } from '../../src/sources/kubernetes/status-writer';
import { kubeApiFor } from '../support/kube-api-server/kube-config';
import { KubeApiServer } from '../support/kube-api-server/server';

async function until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const timing = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };
const gateway = { group: 'tower.dev', version: 'v1alpha1', plural: 'gateways', namespace: 'infra', name: 'edge' };

describe('leader election and status writing', () => {
  let api: KubeApiServer;
  const electors: LeaderElector[] = [];

  const replica = (identity: string) => {
    const kube = kubeApiFor(api.url);
    const e = new LeaderElector({ api: kube, namespace: 'tower-system', name: 'tower-leader', identity, ...timing });
    electors.push(e);
    const w = new StatusWriter(kube, e);
    return { e, w, kube };
  };

  before(async () => {
    api = await KubeApiServer.start();
    api.registerResource({ group: 'tower.dev', version: 'v1alpha1', plural: 'gateways', kind: 'Gateway', namespaced: true, statusSubresource: true });
    api.put('tower.dev/v1alpha1', 'Gateway', { metadata: { name: 'edge', namespace: 'infra' }, spec: { listeners: [{ port: 443 }] } });
  });

  after(async () => {
    for (const e of electors) await e.stop({ release: false });
    await api.close();
  });

  it('elects exactly one leader; only it writes status; the other takes over when renewals stop', async () => {
    const a = replica('tower-a');
    const b = replica('tower-b');
    a.e.start();
    b.e.start();
    await until(() => a.e.isLeader || b.e.isLeader, 'a leader');
    // Through several renewals, never two leaders at once.
    const rvOf = () => Number(api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'tower-leader')?.metadata.resourceVersion);
    let lastRv = rvOf();
    let renewals = 0;
    await until(() => {
      assert.ok(!(a.e.isLeader && b.e.isLeader), 'two leaders at once');
      if (rvOf() !== lastRv) {
        lastRv = rvOf();
        renewals++;
      }
      return renewals >= 3;
    }, 'three renewals');
    assert.notEqual(a.e.isLeader, b.e.isLeader, 'exactly one leader');
    const [leader, follower] = a.e.isLeader ? [a, b] : [b, a];
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'tower-leader') as unknown as { spec: { holderIdentity: string; leaseDurationSeconds: number } };
    assert.equal(lease.spec.holderIdentity, leader.e.identity);
    assert.equal(lease.spec.leaseDurationSeconds, 1);

    const conditions: Condition[] = [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok', observedGeneration: 1 }];
    assert.equal(await follower.w.setConditions(gateway, conditions), 'not-leader');
    assert.equal(api.get('tower.dev/v1alpha1', 'Gateway', 'infra', 'edge')?.status, undefined);
    const statusPatches = () => api.requests.filter((r) => r === 'PATCH /apis/tower.dev/v1alpha1/namespaces/infra/gateways/edge/status').length;
    assert.equal(statusPatches(), 0, 'the follower wrote nothing');
    assert.equal(await leader.w.setConditions(gateway, conditions), 'written');
    assert.equal(statusPatches(), 1, 'one merge patch to the status subresource');

    // Visible through GET, spec untouched.
    const got = (await leader.kube.custom.getNamespacedCustomObject({ group: 'tower.dev', version: 'v1alpha1', plural: 'gateways', namespace: 'infra', name: 'edge' })) as {
      spec: unknown;
      status: { conditions: Condition[] };
    };
    assert.deepEqual(got.spec, { listeners: [{ port: 443 }] });
    assert.equal(got.status.conditions.length, 1);
    assert.equal(got.status.conditions[0]?.type, 'Accepted');
    assert.equal(got.status.conditions[0]?.observedGeneration, 1);
    assert.match(got.status.conditions[0]?.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // Same conditions again: skipped, no new resourceVersion.
    const rv = api.get('tower.dev/v1alpha1', 'Gateway', 'infra', 'edge')?.metadata.resourceVersion;
    assert.equal(await leader.w.setConditions(gateway, conditions.map((c) => ({ ...c }))), 'unchanged');
    assert.equal(api.get('tower.dev/v1alpha1', 'Gateway', 'infra', 'edge')?.metadata.resourceVersion, rv);

    // The leader stops renewing (crash: no release): the follower takes over after the lease expires.
    await leader.e.stop({ release: false });
    await until(() => follower.e.isLeader, 'takeover');
    const after = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'tower-leader') as unknown as { spec: { holderIdentity: string; leaseTransitions: number } };
    assert.equal(after.spec.holderIdentity, follower.e.identity);
    assert.ok(after.spec.leaseTransitions >= 1);

    // The new leader's remembered status is already live: nothing rewritten. A changed condition is written,
    // and its lastTransitionTime moves because its status changed.
    await until(() => follower.w.stats.unchanged + follower.w.stats.written > 0, 'resync on takeover');
    assert.equal(api.get('tower.dev/v1alpha1', 'Gateway', 'infra', 'edge')?.metadata.resourceVersion, rv);
    const changed: Condition[] = [{ type: 'Accepted', status: 'False', reason: 'Invalid', message: 'listener 0: bad port', observedGeneration: 2 }];
    assert.equal(await follower.w.setConditions(gateway, changed), 'written');
    const st = api.get('tower.dev/v1alpha1', 'Gateway', 'infra', 'edge')?.status as { conditions: Condition[] };
    assert.equal(st.conditions[0]?.status, 'False');
    assert.equal(st.conditions[0]?.message, 'listener 0: bad port');
  });

  it('hands the lease over on a clean stop (release), without waiting for expiry', async () => {
    const long = { ...timing, leaseDurationMs: 60_000, renewDeadlineMs: 30_000 };
    const mk = (identity: string) => {
      const e = new LeaderElector({ api: kubeApiFor(api.url), namespace: 'tower-system', name: 'handover', identity, ...long });
      electors.push(e);
      return e;
    };
    const c = mk('tower-c');
    const d = mk('tower-d');
    c.start();
    await until(() => c.isLeader, 'c leads');
    d.start();
    await c.stop(); // releases: holderIdentity ''
    assert.equal(c.isLeader, false);
    // A 60 s lease: d can only lead within the wait below because c released it.
    await until(() => d.isLeader, 'd takes over after release');
    const lease = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'handover') as unknown as { spec: { holderIdentity: string; leaseTransitions: number } };
    assert.equal(lease.spec.holderIdentity, 'tower-d');
  });

  it('optimistic concurrency: a Lease update racing with another writer gets 409 and is retried from a fresh read', async () => {
    const micro = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');
    const leasePath = '/apis/coordination.k8s.io/v1/namespaces/tower-system/leases/race';
    // A released lease: the elector reads it, then PUTs to acquire it ...
    api.put('coordination.k8s.io/v1', 'Lease', { metadata: { name: 'race', namespace: 'tower-system' }, spec: { holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(Date.now()) } });
    let raced = false;
    api.requestHook = (method, path) => {
      if (raced || method !== 'PUT' || path !== leasePath) return;
      raced = true;
      // ... but another replica's update lands first (new resourceVersion): the elector's PUT carries a stale one.
      const cur = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'race') as unknown as { spec: Record<string, unknown> };
      api.put('coordination.k8s.io/v1', 'Lease', { ...cur, spec: { ...cur.spec, holderIdentity: 'intruder', leaseDurationSeconds: 1, renewTime: micro(Date.now()) } });
    };
    const errors: Error[] = [];
    const e = new LeaderElector({ api: kubeApiFor(api.url), namespace: 'tower-system', name: 'race', identity: 'tower-e', ...timing, onError: (err) => errors.push(err) });
    electors.push(e);
    let leadWhileIntruderHeld = false;
    e.onLeadershipChange((l) => {
      const holder = (api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'race') as unknown as { spec: { holderIdentity: string } }).spec.holderIdentity;
      if (l && holder === 'intruder') leadWhileIntruderHeld = true;
    });
    try {
      e.start();
      await until(() => raced, 'the racing PUT');
      // The conflict is not an error and not leadership: the elector re-reads and sees the intruder.
      await until(() => e.observedLeader === 'intruder', 'intruder observed after the 409');
      assert.equal(e.isLeader, false);
      // The intruder never renews: after its 1 s lease the elector takes over.
      await until(() => e.isLeader, 'takeover after the intruder expired');
      const lease = api.get('coordination.k8s.io/v1', 'Lease', 'tower-system', 'race') as unknown as { spec: { holderIdentity: string; leaseTransitions: number; renewTime: string } };
      assert.equal(lease.spec.holderIdentity, 'tower-e');
      assert.match(lease.spec.renewTime, /\.\d{6}Z$/, 'MicroTime with microseconds');
      assert.equal(leadWhileIntruderHeld, false);
      assert.deepEqual(errors.map((x) => x.message), [], 'a 409 is expected, not reported');
    } finally {
      api.requestHook = undefined;
      await e.stop();
    }
  });
});
