/**
 * A Kubernetes API server for tests, on loopback over HTTPS (test CA in
 * tls-fixtures.ts; optional verified client certificates), for clients like
 * @kubernetes/client-node: discovery, list/get/create/update/
 * JSON/merge/strategic-merge patch/delete, the status subresource, watches (chunked JSON lines,
 * resourceVersion replay from a global counter, bookmarks, 410 Gone after
 * compaction), label/field selectors, optimistic concurrency (409), and test
 * levers: dropWatches(), compact(), setLatency(), sendBookmarks().
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { discoveryDocument } from './discovery';
import { applyJsonPatch, JsonPatchError } from './json-patch';
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors';
import { caCert, serverCert, serverKey } from './tls-fixtures';

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; namespace?: string } };

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  statusSubresource?: boolean;
}

interface HistoryEvent {
  rv: number;
  res: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
  old?: Obj;
}

interface Watcher {
  res: string;
  matches: (o: Obj) => boolean;
  bookmarks: boolean;
  response: http.ServerResponse;
  apiVersion: string;
  kind: string;
}

export const defaultResources: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
];

const clone = <T>(v: T): T => structuredClone(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function specPart(o: Obj): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

export class KubeApiServer {
  private readonly server: http.Server | https.Server;
  readonly tls: boolean;
  private readonly resources = new Map<string, ResourceDef>();
  private readonly objects = new Map<string, Map<string, Obj>>();
  private history: HistoryEvent[] = [];
  private rv = 100;
  private compactedRv = 0;
  private latencyMs = 0;
  private readonly watchers = new Set<Watcher>();
  /** Send HTTP 410 on a watch with a too-old resourceVersion instead of an ERROR event. */
  watchGoneAsHttp = false;
  /** Every request as 'METHOD path?query', for assertions. */
  readonly requests: string[] = [];
  /** The Authorization header of the last request. */
  lastAuthorization: string | undefined;
  /** Called with each request (after its body was read, before it is served): lets a test interleave a concurrent write. */
  requestHook: ((method: string, path: string) => void) | undefined;
  /** Subject CN of the verified client certificate of the last request (TLS only). */
  lastClientCertCN: string | undefined;

  private constructor(tls: boolean) {
    this.tls = tls;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    // As a real API server: TLS with a certificate from the test CA; client certificates are optional and verified.
    this.server = tls ? https.createServer({ key: serverKey, cert: serverCert, ca: caCert, requestCert: true, rejectUnauthorized: false }, handler) : http.createServer(handler);
    for (const r of defaultResources) this.registerResource(r);
  }

  /** Starts on 127.0.0.1, port 0. HTTPS by default (client-node refuses plain HTTP unless TLS checks are off). */
  static async start(opts: { tls?: boolean } = {}): Promise<KubeApiServer> {
    const s = new KubeApiServer(opts.tls ?? true);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  registerResource(def: ResourceDef): void {
    const key = `${def.group}/${def.plural}`;
    this.resources.set(key, def);
    if (!this.objects.has(key)) this.objects.set(key, new Map());
  }

  get resourceVersion(): number {
    return this.rv;
  }

  activeWatches(): number {
    return this.watchers.size;
  }

  /** Simulates an API server restart: every open watch connection is cut. */
  dropWatches(): void {
    for (const w of this.watchers) w.response.destroy();
    this.watchers.clear();
  }

  /** Forgets history: watches from a resourceVersion older than now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.write(w, { type: 'BOOKMARK', object: { apiVersion: w.apiVersion, kind: w.kind, metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Direct access for test setup (same semantics as the HTTP verbs). */
  put(apiVersion: string, kind: string, obj: Record<string, unknown>): Obj {
    const def = this.defFor(apiVersion, kind);
    const o = { apiVersion, kind, ...clone(obj) } as unknown as Obj;
    const existing = this.objects.get(`${def.group}/${def.plural}`)?.get(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    if (existing) {
      o.metadata.resourceVersion = undefined;
      return this.update(def, existing, o, false);
    }
    return this.create(def, o);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const def = this.defFor(apiVersion, kind);
    this.del(def, `${namespace ?? ''}/${name}`);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const def = this.defFor(apiVersion, kind);
    const o = this.objects.get(`${def.group}/${def.plural}`)?.get(`${namespace ?? ''}/${name}`);
    return o && clone(o);
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private defFor(apiVersion: string, kind: string): ResourceDef {
    for (const d of this.resources.values()) if ((d.group ? `${d.group}/${d.version}` : d.version) === apiVersion && d.kind === kind) return d;
    throw new Error(`kube-api-server: ${apiVersion} ${kind} is not registered`);
  }

  private apiVersionOf(d: ResourceDef): string {
    return d.group ? `${d.group}/${d.version}` : d.version;
  }

  private commit(def: ResourceDef, type: HistoryEvent['type'], object: Obj, old?: Obj): void {
    const ev: HistoryEvent = { rv: this.rv, res: `${def.group}/${def.plural}`, type, object: clone(object), old: old && clone(old) };
    this.history.push(ev);
    for (const w of this.watchers) if (w.res === ev.res) this.deliver(w, ev);
  }

  /** Field checks a real API server makes that clients get wrong: Lease MicroTimes need six fractional digits. */
  private validate(def: ResourceDef, o: Obj): void {
    if (def.kind !== 'Lease' || !isObj(o.spec)) return;
    for (const f of ['acquireTime', 'renewTime']) {
      const v = o.spec[f];
      if (v !== undefined && v !== null && (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/.test(v))) {
        throw new HttpError(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: spec.${f}: parsing time ${JSON.stringify(v)} as RFC3339 with microseconds failed`);
      }
    }
  }

  private create(def: ResourceDef, o: Obj): Obj {
    this.validate(def, o);
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const store = this.objects.get(`${def.group}/${def.plural}`) as Map<string, Obj>;
    if (store.has(key)) throw new HttpError(409, 'AlreadyExists', `${def.plural} "${o.metadata.name}" already exists`);
    this.rv++;
    o.apiVersion = this.apiVersionOf(def);
    o.kind = def.kind;
    o.metadata = { ...o.metadata, uid: randomUUID(), resourceVersion: String(this.rv), generation: 1, creationTimestamp: new Date().toISOString() };
    store.set(key, o);
    this.commit(def, 'ADDED', o);
    return clone(o);
  }

  private update(def: ResourceDef, old: Obj, next: Obj, statusOnly: boolean): Obj {
    this.validate(def, next);
    const sentRv = next.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== old.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural} "${old.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let o: Obj;
    if (statusOnly) o = { ...clone(old), status: clone(next.status) };
    else {
      o = { ...clone(next), metadata: { ...clone(next.metadata), uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp, name: old.metadata.name, namespace: old.metadata.namespace } };
      if (def.statusSubresource) {
        if (old.status === undefined) delete o.status;
        else o.status = clone(old.status);
      }
    }
    o.apiVersion = this.apiVersionOf(def);
    o.kind = def.kind;
    const generation = (old.metadata.generation as number | undefined) ?? 1;
    o.metadata.generation = specPart(o) !== specPart(old) ? generation + 1 : generation;
    if (JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '' } }) === JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: '' } })) {
      return clone(old); // no-op update: no new resourceVersion, no event (as the real server)
    }
    this.rv++;
    o.metadata.resourceVersion = String(this.rv);
    this.objects.get(`${def.group}/${def.plural}`)?.set(`${old.metadata.namespace ?? ''}/${old.metadata.name}`, o);
    this.commit(def, 'MODIFIED', o, old);
    return clone(o);
  }

  private del(def: ResourceDef, key: string): Obj {
    const store = this.objects.get(`${def.group}/${def.plural}`) as Map<string, Obj>;
    const old = store.get(key);
    if (!old) throw new HttpError(404, 'NotFound', `${def.plural} "${key.split('/')[1]}" not found`);
    store.delete(key);
    this.rv++;
    const gone = { ...clone(old), metadata: { ...clone(old.metadata), resourceVersion: String(this.rv) } };
    this.commit(def, 'DELETED', gone, old);
    return gone;
  }

  private deliver(w: Watcher, ev: HistoryEvent): void {
    const now = w.matches(ev.object);
    const before = ev.old ? w.matches(ev.old) : false;
    let type: string | undefined;
    if (ev.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (ev.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
    if (type) this.write(w, { type, object: ev.object });
  }

  private write(w: Watcher, ev: unknown): void {
    if (!w.response.destroyed) w.response.write(`${JSON.stringify(ev)}\n`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    this.lastAuthorization = req.headers.authorization;
    const sock = req.socket as Partial<TLSSocket>;
    this.lastClientCertCN = sock.authorized ? String(sock.getPeerCertificate?.()?.subject?.CN ?? '') || undefined : undefined;
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      this.requestHook?.(req.method ?? 'GET', url.pathname);
      let body: Obj | undefined;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj) : undefined;
      } catch (e) {
        throw new HttpError(400, 'BadRequest', `request body is not JSON: ${(e as Error).message}`);
      }
      this.route(req, res, url, body);
    } catch (e) {
      const he =
        e instanceof HttpError
          ? e
          : e instanceof SelectorError || e instanceof JsonPatchError
            ? new HttpError(e instanceof JsonPatchError ? 422 : 400, e instanceof JsonPatchError ? 'Invalid' : 'BadRequest', e.message)
            : new HttpError(500, 'InternalError', String(e));
      if (!res.headersSent) sendStatus(res, he.code, he.reason, he.message);
      else res.destroy();
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Obj | undefined): void {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const doc = req.method === 'GET' ? discoveryDocument([...this.resources.values()], parts) : undefined;
    if (doc) return sendJson(res, 200, doc);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1]) [group, rest] = ['', parts.slice(2)];
    else if (parts[0] === 'apis' && parts[1] && parts[2]) [group, rest] = [parts[1], parts.slice(3)];
    else throw new HttpError(404, 'NotFound', `the server could not find the requested resource ${url.pathname}`);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest as [string, string | undefined, string | undefined];
    const def = this.resources.get(`${group}/${plural}`);
    if (!def) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${group}/${plural})`);
    if (sub !== undefined && (sub !== 'status' || !def.statusSubresource)) throw new HttpError(404, 'NotFound', `no subresource ${sub} on ${plural}`);
    const store = this.objects.get(`${group}/${plural}`) as Map<string, Obj>;
    const key = `${def.namespaced ? namespace ?? '' : ''}/${name ?? ''}`;
    const q = url.searchParams;
    const method = req.method ?? 'GET';

    if (method === 'GET' && !name) {
      const nsMatch = (o: Obj) => !namespace || o.metadata.namespace === namespace;
      const label = parseLabelSelector(q.get('labelSelector'));
      const field = parseFieldSelector(q.get('fieldSelector'));
      const matches = (o: Obj) => nsMatch(o) && label(o) && field(o);
      const watch = q.get('watch');
      if (watch === 'true' || watch === '1') return this.startWatch(res, def, matches, q);
      const rvParam = q.get('resourceVersion');
      if (rvParam && q.get('resourceVersionMatch') === 'Exact' && Number(rvParam) < this.compactedRv) {
        throw new HttpError(410, 'Expired', `too old resource version: ${rvParam} (${this.compactedRv})`);
      }
      // List items carry no apiVersion/kind, as on a real API server.
      const items = [...store.values()].filter(matches).map((o) => {
        const { apiVersion: _a, kind: _k, ...item } = clone(o);
        return item;
      });
      return sendJson(res, 200, { apiVersion: this.apiVersionOf(def), kind: `${def.kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (method === 'POST' && !name) {
      if (!body?.metadata?.name) throw new HttpError(422, 'Invalid', `${def.kind}: metadata.name: Required value`);
      const o = { ...body, metadata: { ...body.metadata, namespace: def.namespaced ? namespace : undefined } } as Obj;
      return sendJson(res, 201, this.create(def, o));
    }
    if (!name) throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed on a collection`);
    const existing = store.get(key);
    if (method === 'GET') {
      if (!existing) throw new HttpError(404, 'NotFound', `${plural} "${name}" not found`);
      return sendJson(res, 200, existing);
    }
    if (method === 'DELETE') return sendJson(res, 200, this.del(def, key));
    if (!existing) throw new HttpError(404, 'NotFound', `${plural} "${name}" not found`);
    if (!body) throw new HttpError(400, 'BadRequest', 'request body required');
    if (method === 'PUT') return sendJson(res, 200, this.update(def, existing, body, sub === 'status'));
    if (method === 'PATCH') {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
      let patched: Obj;
      if (ct === 'application/json-patch+json') {
        // JSON Patch carries its own resourceVersion only if it replaces metadata.resourceVersion (then it is checked).
        patched = applyJsonPatch(existing, body) as Obj;
        if (patched.metadata?.resourceVersion === existing.metadata.resourceVersion) patched.metadata.resourceVersion = undefined;
      } else if (ct === 'application/merge-patch+json' || ct === 'application/strategic-merge-patch+json') {
        // Strategic merge is served as a JSON merge patch (no per-field list merge keys).
        patched = mergePatch(existing, body) as Obj;
        if (!(body.metadata as Record<string, unknown> | undefined)?.resourceVersion) patched.metadata.resourceVersion = undefined;
      } else {
        throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${ct})`);
      }
      if (!isObj(patched) || !isObj(patched.metadata)) throw new HttpError(422, 'Invalid', 'patch removed metadata');
      return sendJson(res, 200, this.update(def, existing, patched, sub === 'status'));
    }
    throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`);
  }

  private startWatch(res: http.ServerResponse, def: ResourceDef, matches: (o: Obj) => boolean, q: URLSearchParams): void {
    const rvParam = q.get('resourceVersion');
    const from = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
    if (from !== undefined && from < this.compactedRv && this.watchGoneAsHttp) {
      throw new HttpError(410, 'Expired', `too old resource version: ${from} (${this.compactedRv})`);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { res: `${def.group}/${def.plural}`, matches, bookmarks: q.get('allowWatchBookmarks') === 'true', response: res, apiVersion: this.apiVersionOf(def), kind: def.kind };
    if (from !== undefined && from < this.compactedRv) {
      this.write(w, { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.compactedRv})`, reason: 'Expired', code: 410 } });
      res.end();
      return;
    }
    if (from === undefined) {
      for (const o of this.objects.get(w.res)?.values() ?? []) if (matches(o)) this.write(w, { type: 'ADDED', object: o });
    } else {
      for (const ev of this.history) if (ev.res === w.res && ev.rv > from) this.deliver(w, ev);
    }
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: http.ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
