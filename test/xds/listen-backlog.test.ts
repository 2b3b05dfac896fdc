/**
 * The xDS port's accept queue (XdsServerOptions.listenBacklog): read back
 * from the kernel with `ss`, which shows a listening socket's backlog in its
 * Send-Q column.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { XdsServer } from '../../src/xds/server';

function backlogOf(port: number): number {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  const cols = out.split(/\s+/);
  assert.ok(cols.length >= 4, `ss printed: ${out}`);
  return Number(cols[2]);
}

const somaxconn = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));

describe('xDS listening socket', () => {
  for (const [label, backlog, want] of [['default', undefined, Math.min(4096, somaxconn)], ['configured', 1000, Math.min(1000, somaxconn)]] as const) {
    it(`accept queue: ${label} (${want}, not node's 511)`, async () => {
      const xds = new XdsServer({ selectView: () => 'v', ...(backlog !== undefined ? { listenBacklog: backlog } : {}) });
      try {
        const port = await xds.listen(0, '127.0.0.1');
        assert.equal(backlogOf(port), want);
      } finally {
        await xds.close();
      }
    });
  }

  it('listens on an IPv6 address given with or without brackets', async () => {
    for (const host of ['::1', '[::1]']) {
      const xds = new XdsServer({ selectView: () => 'v' });
      try {
        const port = await xds.listen(0, host);
        assert.ok(port > 0, host);
      } finally {
        await xds.close();
      }
    }
  });
});
