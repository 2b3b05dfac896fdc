/**
 * What metrics and the admin server need from the xDS server
 * (src/xds/server.ts). Kept structural so they type-check against any
 * server honouring the contract.
 */
import type { ResourceTable } from '../xds/resource';
import type { ClientStatus, XdsServerEvents } from '../xds/types';

export type { NodeInfo } from '../xds/node-info';
export type { AckEvent, ClientStatus, DebounceEvent, NackEvent, PushEvent, TypeStatus, XdsServerEvents } from '../xds/types';

export interface ObservedXdsServer {
  on<E extends keyof XdsServerEvents>(event: E, listener: (...args: XdsServerEvents[E]) => void): unknown;
  off<E extends keyof XdsServerEvents>(event: E, listener: (...args: XdsServerEvents[E]) => void): unknown;
  view(viewKey: string): ResourceTable | undefined;
  clients(): ClientStatus[];
}
