/**
 * The admin HTTP server: health, readiness, Prometheus metrics and the debug
 * pages (config dump, sync status, clients). Every response but /metrics is
 * JSON. It only reads state; nothing here changes what clients are sent.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TypeUrl } from '../envoy/type-urls';
import type { Logger } from '../observability/logger';
import type { TowerMetrics } from '../observability/metrics';
import type { ClientStatus, ObservedXdsServer } from '../observability/xds-contract';
import { configDump } from './config-dump';
import type { Readiness } from './readiness';
import { statusFilter, statusPage, type StatusFilter } from './status-page';
import type { ObjectStatus } from '../app/status-reporter';
import { clientList, syncz } from './syncz';

export interface AdminServerOptions {
  readonly xds: ObservedXdsServer;
  readonly metrics: TowerMetrics;
  readonly readiness: Readiness;
  readonly logger?: Logger;
  /** Role shown for a client on the debug pages; the view key when unset. */
  readonly roleOf?: (client: ClientStatus) => string;
  /** Status of Tower's objects for /debug/status (absent: the page answers 404). */
  readonly objectStatus?: (filter: StatusFilter) => ObjectStatus[];
}

const shortTypes: Record<string, string> = {
  cds: TypeUrl.Cluster,
  eds: TypeUrl.ClusterLoadAssignment,
  lds: TypeUrl.Listener,
  rds: TypeUrl.RouteConfiguration,
  sds: TypeUrl.Secret,
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const endpoints = {
  '/healthz': 'process liveness',
  '/readyz': 'ready once the first configuration snapshot is served',
  '/metrics': 'Prometheus metrics',
  '/debug/config_dump?node=ID | ?view=KEY [&type=cds|eds|lds|rds|sds]': 'resources a client is sent, as an Envoy config dump',
  '/debug/syncz': 'per client and type: version sent, version ACKed, last NACK',
  '/debug/clients': 'connected xDS clients',
  '/debug/status[?kind=&namespace=&name=]': 'conditions of every Tower object: Accepted, ResolvedRefs, Programmed (ACKed by N of M proxies, NACKs)',
};

export class AdminServer {
  private readonly server: http.Server;
  private readonly roleOf: (client: ClientStatus) => string;

  constructor(private readonly opts: AdminServerOptions) {
    this.roleOf = opts.roleOf ?? ((c) => c.viewKey);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`admin server cannot listen on ${host}:${port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get port(): number | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body, null, 2) + '\n';
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(text);
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    if (err instanceof HttpError) return this.send(res, err.status, { error: err.message });
    this.opts.logger?.error({ err }, 'admin request failed');
    if (!res.headersSent) this.send(res, 500, { error: `internal error: ${(err as Error)?.message ?? String(err)}` });
    else res.destroy();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `method ${req.method} not allowed on ${url.pathname}; the admin server is read-only`);
    }
    switch (url.pathname) {
      case '/':
        return this.send(res, 200, { endpoints });
      case '/healthz':
        return this.send(res, 200, { status: 'ok' });
      case '/readyz': {
        const s = this.opts.readiness.status();
        return this.send(res, s.ready ? 200 : 503, s);
      }
      case '/metrics': {
        const text = await this.opts.metrics.text();
        res.writeHead(200, { 'content-type': this.opts.metrics.contentType });
        res.end(text);
        return;
      }
      case '/debug/config_dump':
        return this.configDump(url.searchParams, res);
      case '/debug/syncz':
        return this.send(res, 200, syncz(this.opts.xds.clients(), this.roleOf));
      case '/debug/clients':
        return this.send(res, 200, clientList(this.opts.xds.clients(), this.roleOf));
      case '/debug/status': {
        if (!this.opts.objectStatus) throw new HttpError(404, 'object status is not available on this server');
        let filter: StatusFilter;
        try {
          filter = statusFilter(url.searchParams);
        } catch (e) {
          throw new HttpError(400, (e as Error).message);
        }
        return this.send(res, 200, statusPage(this.opts.objectStatus(filter)));
      }
      default:
        throw new HttpError(404, `no such page ${url.pathname}; see / for the list`);
    }
  }

  private configDump(q: URLSearchParams, res: http.ServerResponse): void {
    const node = q.get('node');
    const view = q.get('view');
    const typeParam = q.get('type');
    let typeUrls: string[] | undefined;
    if (typeParam !== null) {
      typeUrls = typeParam.split(',').map((t) => {
        const url = shortTypes[t.trim().toLowerCase()];
        if (!url) throw new HttpError(400, `unknown type ${JSON.stringify(t)} in ?type=; expected cds, eds, lds, rds or sds`);
        return url;
      });
    }
    if ((node === null) === (view === null)) {
      throw new HttpError(400, 'config_dump needs exactly one of ?node=NODE_ID (a connected client) or ?view=VIEW_KEY');
    }
    if (node !== null) {
      // The most recent stream of that node: after a reconnect the old one may linger briefly.
      const matches = this.opts.xds.clients().filter((c) => c.node.id === node);
      if (matches.length === 0) throw new HttpError(404, `no connected client with node id ${JSON.stringify(node)}; see /debug/clients`);
      const client = matches.reduce((a, b) => (b.connectedAt > a.connectedAt ? b : a));
      const table = this.opts.xds.view(client.viewKey);
      if (!table) throw new HttpError(404, `client ${JSON.stringify(node)} is on view ${JSON.stringify(client.viewKey)}, which has no configuration yet`);
      return this.send(res, 200, configDump(table, { client, ...(typeUrls ? { typeUrls } : {}) }), { 'x-tower-view': encodeURIComponent(client.viewKey) });
    }
    const table = this.opts.xds.view(view!);
    if (!table) throw new HttpError(404, `no view ${JSON.stringify(view)}; connected clients' views are listed at /debug/clients`);
    return this.send(res, 200, configDump(table, typeUrls ? { typeUrls } : {}), { 'x-tower-view': encodeURIComponent(view!) });
  }
}
