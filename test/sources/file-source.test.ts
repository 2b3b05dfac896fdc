import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSource } from '../../src/sources/files/file-source';
import type { SourceEvent } from '../../src/sources/source';
import { Collector } from './collect';

const svc = (name: string, port = 80, ns?: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}${ns ? `\n  namespace: ${ns}` : ''}
spec:
  ports:
  - port: ${port}
`;

const has = (type: SourceEvent['type'], key: string) => (evs: SourceEvent[]) =>
  evs.find((e) => e.type === type && 'key' in e && e.key === key);

describe('file source', () => {
  let dir: string;
  let source: FileSource;
  const c = new Collector();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tower-files-'));
    await writeFile(path.join(dir, 'multi.yaml'), `${svc('a')}---\n${svc('b', 81, 'shop')}---\n`);
    await mkdir(path.join(dir, 'nested', 'deeper'), { recursive: true });
    await writeFile(
      path.join(dir, 'nested', 'deeper', 'list.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'a' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 8080 }] },
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'not-ours' } },
        ],
      }),
    );
    await writeFile(path.join(dir, 'broken.yaml'), `${svc('ok-in-broken')}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  labels: [unclosed\n`);
    await writeFile(path.join(dir, 'invalid.yml'), svc('wrong-port', 70000));
    await writeFile(path.join(dir, 'notes.txt'), 'not yaml: [');
    source = new FileSource(dir, { debounceMs: 20 });
    await source.start(c.listener);
  });

  after(async () => {
    await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads multi-document YAML, List items in nested dirs, and syncs', () => {
    const keys = c.events.filter((e) => e.type === 'upsert').map((e) => (e.type === 'upsert' ? e.key : '')).sort();
    assert.deepEqual(keys, ['EndpointSlice/default/a-1', 'Service/default/a', 'Service/default/ok-in-broken', 'Service/shop/b']);
    assert.equal(c.events.at(-1)?.type, 'synced');
    const a1 = c.events.find((e) => e.type === 'upsert' && e.key === 'EndpointSlice/default/a-1');
    assert.ok(a1 && a1.type === 'upsert');
    assert.deepEqual(a1.origin, { source: 'file', file: path.join(dir, 'nested', 'deeper', 'list.json'), document: 0, item: 0 });
    const b = c.events.find((e) => e.type === 'upsert' && e.key === 'Service/shop/b');
    assert.ok(b && b.type === 'upsert' && b.origin.source === 'file' && b.origin.document === 1);
  });

  it('reports a YAML syntax error naming the file, document and line, and serves the rest of the file', () => {
    const err = c.events.find((e) => e.type === 'error' && e.error.message.includes('broken.yaml'));
    assert.ok(err && err.type === 'error', 'no error for broken.yaml');
    assert.match(err.error.message, /broken\.yaml:\d+:\d+ document 1: YAML syntax error/);
    assert.ok(err.error.line && err.error.line >= 10, `line ${err.error.line}`);
  });

  it('reports an invalid field with its path and skips only that object', () => {
    const inv = c.events.find((e) => e.type === 'invalid');
    assert.ok(inv && inv.type === 'invalid');
    assert.equal(inv.key, 'Service/default/wrong-port');
    assert.equal(inv.error.field, 'spec.ports[0].port');
    assert.match(inv.error.message, /invalid\.yml document 0: Service\/default\/wrong-port: field spec\.ports\[0\]\.port/);
  });

  it('turns an edit into an update, and a now-invalid edit into an error that deletes nothing', async () => {
    let m = c.mark();
    await writeFile(path.join(dir, 'multi.yaml'), `${svc('a', 90)}---\n${svc('b', 81, 'shop')}`);
    const up = await c.waitFor(has('upsert', 'Service/default/a'), 'update of a', m);
    assert.ok(up.type === 'upsert');
    assert.equal((up.object as unknown as { spec: { ports: { port: number }[] } }).spec.ports[0]?.port, 90);
    assert.equal(c.events.slice(m).filter((e) => e.type === 'upsert' && e.key === 'Service/shop/b').length, 0, 'unchanged b re-sent');

    m = c.mark();
    await writeFile(path.join(dir, 'multi.yaml'), `${svc('a', 0)}---\n${svc('b', 81, 'shop')}`);
    const inv = await c.waitFor(has('invalid', 'Service/default/a'), 'invalid a', m);
    assert.ok(inv.type === 'invalid' && inv.error.field === 'spec.ports[0].port');
    await source.rescan();
    assert.equal(c.events.slice(m).filter((e) => e.type === 'delete').length, 0);
  });

  it('deletes the objects of a deleted file, and moves objects on rename', async () => {
    let m = c.mark();
    await rename(path.join(dir, 'nested', 'deeper', 'list.json'), path.join(dir, 'moved.json'));
    const moved = await c.waitFor(has('upsert', 'EndpointSlice/default/a-1'), 'renamed file re-read', m);
    assert.ok(moved.type === 'upsert' && moved.origin.source === 'file' && moved.origin.file === path.join(dir, 'moved.json'));
    assert.equal(c.events.slice(m).filter((e) => e.type === 'delete').length, 0, 'rename must not delete');

    m = c.mark();
    await rm(path.join(dir, 'moved.json'));
    await c.waitFor(has('delete', 'EndpointSlice/default/a-1'), 'delete after file removal', m);
  });

  it('picks up files in a newly created directory, and deletes them with the directory', async () => {
    let m = c.mark();
    await mkdir(path.join(dir, 'new-dir'));
    await writeFile(path.join(dir, 'new-dir', 'x.yaml'), svc('x'));
    await c.waitFor(has('upsert', 'Service/default/x'), 'object in new dir', m);
    m = c.mark();
    await rm(path.join(dir, 'new-dir'), { recursive: true });
    await c.waitFor(has('delete', 'Service/default/x'), 'delete with dir', m);
  });

  it('clears a never-valid object when its file goes away', async () => {
    const m = c.mark();
    await rm(path.join(dir, 'invalid.yml'));
    await c.waitFor(has('delete', 'Service/default/wrong-port'), 'delete of the rejected object', m);
  });

  it('keeps serving a broken file and recovers when it is fixed', async () => {
    const m = c.mark();
    await writeFile(path.join(dir, 'broken.yaml'), `${svc('ok-in-broken')}---\n${svc('bad')}`);
    await c.waitFor(has('upsert', 'Service/default/bad'), 'fixed document', m);
    assert.equal(c.events.slice(m).filter((e) => e.type === 'delete').length, 0);
  });
});

describe('file source start errors', () => {
  it('rejects a missing directory with a clear error', async () => {
    const s = new FileSource(path.join(tmpdir(), 'tower-does-not-exist-xyz'));
    await assert.rejects(s.start(() => {}), /cannot read directory .*tower-does-not-exist-xyz: ENOENT/);
    await s.stop();
  });
});
