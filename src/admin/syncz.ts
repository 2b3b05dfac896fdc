/** JSON views of connected clients for /debug/syncz and /debug/clients. */
import { shortTypeName } from '../envoy/type-urls';
import type { ClientStatus, TypeStatus } from '../observability/xds-contract';

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

function typeSync(t: TypeStatus): Record<string, unknown> {
  const synced = t.sentVersion !== undefined && t.sentVersion === t.ackedVersion;
  return {
    subscribed: t.subscribed,
    sent_version: t.sentVersion ?? null,
    sent_nonce: t.sentNonce ?? null,
    acked_version: t.ackedVersion ?? null,
    acked_at: iso(t.ackedAt) ?? null,
    // SYNCED: the last version sent was ACKed; NACKED: the last response was rejected;
    // STALE: a response is in flight (or nothing was sent yet).
    status: t.lastNack && t.lastNack.nonce === t.sentNonce ? 'NACKED' : synced ? 'SYNCED' : 'STALE',
    last_nack: t.lastNack
      ? { version: t.lastNack.version, nonce: t.lastNack.nonce, error_detail: { message: t.lastNack.message }, at: t.lastNack.at.toISOString() }
      : null,
  };
}

export function syncz(clients: readonly ClientStatus[], roleOf: (c: ClientStatus) => string): Record<string, unknown> {
  return {
    clients: clients.map((c) => ({
      node: c.node.id,
      cluster: c.node.cluster,
      role: roleOf(c),
      view: c.viewKey,
      variant: c.variant,
      stream_id: c.streamId,
      types: Object.fromEntries(Object.entries(c.types).map(([url, t]) => [shortTypeName(url), { type_url: url, ...typeSync(t) }])),
    })),
  };
}

export function clientList(clients: readonly ClientStatus[], roleOf: (c: ClientStatus) => string): Record<string, unknown> {
  return {
    clients: clients.map((c) => ({
      node: c.node,
      role: roleOf(c),
      view: c.viewKey,
      variant: c.variant,
      service: c.service,
      stream_id: c.streamId,
      connected_at: c.connectedAt.toISOString(),
      subscriptions: Object.fromEntries(Object.entries(c.types).map(([url, t]) => [shortTypeName(url), t.subscribed])),
    })),
  };
}
