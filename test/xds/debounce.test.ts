/** Debounce with a fake clock (like Istio's TestDebounce), then through the server's setView. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import { Debouncer } from '../../src/xds/debounce';
import { FakeClock } from '../fixtures/fake-clock';
import { table } from '../fixtures/resources';
import { startServer } from '../fixtures/server';
import { SotwClient } from '../fixtures/xds-client';

function setup(quietMs = 100, maxWaitMs = 1000, endpointQuietMs = 10) {
  const clock = new FakeClock();
  const fired: { at: number; waitedMs: number; merged: number }[] = [];
  const d = new Debouncer({ quietMs, maxWaitMs, endpointQuietMs, clock, onFire: (i) => fired.push({ at: clock.now(), ...i }) });
  return { clock, fired, d };
}

test('debounce: fires after the quiet period, merging the changes that arrived', () => {
  const { clock, fired, d } = setup();
  d.trigger(false);
  clock.advance(50);
  d.trigger(false);
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, [{ at: 150, waitedMs: 150, merged: 2 }]);
  clock.advance(1000);
  assert.equal(fired.length, 1, 'nothing pending, nothing fires');
  assert.equal(clock.pendingTimers(), 0);
});

test('debounce: a steady stream of changes still fires at maxWait', () => {
  const { clock, fired, d } = setup();
  for (let i = 0; i < 30; i++) { d.trigger(false); clock.advance(50); }
  assert.deepEqual(fired.map((f) => f.at), [1000]);
  assert.equal(fired[0].merged, 20);
  assert.equal(fired[0].waitedMs, 1000);
});

test('debounce: endpoint-only changes take the short path; one full change makes the batch full', () => {
  const { clock, fired, d } = setup();
  d.trigger(true);
  clock.advance(10);
  assert.deepEqual(fired, [{ at: 10, waitedMs: 10, merged: 1 }]);
  d.trigger(true);
  clock.advance(5);
  d.trigger(false);
  clock.advance(10);
  assert.equal(fired.length, 1);
  clock.advance(90);
  assert.deepEqual(fired[1], { at: 115, waitedMs: 105, merged: 2 });
});

test('debounce: flush fires at once; close frees the timer; a change during a push is not lost', () => {
  const { clock, fired, d } = setup();
  d.trigger(false);
  d.flush();
  assert.equal(fired.length, 1);
  assert.equal(clock.pendingTimers(), 0);
  const clock2 = new FakeClock();
  let reentered = false;
  const d2: Debouncer = new Debouncer({ quietMs: 100, maxWaitMs: 1000, endpointQuietMs: 10, clock: clock2, onFire: () => { if (!reentered) { reentered = true; d2.trigger(false); } fired.push({ at: clock2.now(), waitedMs: 0, merged: 0 }); } });
  d2.trigger(false);
  clock2.advance(100);
  clock2.advance(100);
  assert.equal(fired.length, 3, 'the change made during the push fired afterwards');
  d2.trigger(false);
  d2.close();
  assert.equal(clock2.pendingTimers(), 0);
});

test('server setView is debounced with the injected clock and merges views into one push per client', async () => {
  const clock = new FakeClock();
  const { server, port } = await startServer({ clock, debounce: { quietMs: 100, maxWaitMs: 1000, endpointQuietMs: 10 }, limits: { firstRequestTimeoutMs: 1e9 } });
  const events: { waitedMs: number; merged: number }[] = [];
  server.on('debounce', (e) => events.push(e));
  const c = new SotwClient(port);
  try {
    server.setView('default', table().cluster('a').build());
    clock.advance(100);
    c.subscribe(TypeUrl.Cluster);
    c.ack(await c.expect(TypeUrl.Cluster));
    server.setView('default', table().cluster('a').cluster('b').build());
    clock.advance(60);
    server.setView('default', table().cluster('a').cluster('b').cluster('c').build());
    assert.equal(server.view('default')!.get(TypeUrl.Cluster)!.size, 1, 'not published before the quiet period');
    clock.advance(100);
    assert.equal(server.view('default')!.get(TypeUrl.Cluster)!.size, 3);
    assert.deepEqual(events.at(-1), { waitedMs: 160, merged: 2 });
    const r = await c.expect(TypeUrl.Cluster);
    assert.deepEqual(r.names.sort(), ['a', 'b', 'c']);
    c.ack(r);
    assert.deepEqual(await c.barrier(), [], 'one push for the merged changes');
  } finally {
    c.close();
    await server.close();
  }
});
