/**
 * A raw state-of-the-world ADS client for tests: speaks gRPC to the real
 * server with Envoy's DiscoveryRequest/DiscoveryResponse protos, and lets the
 * test decide when to ACK or NACK.
 */
import * as grpc from '@grpc/grpc-js';
import { messageType } from '../../src/envoy/proto-root';

const method = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

export interface DiscoveryResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: Array<{ type_url: string; value: Uint8Array }>;
}

export interface RequestFields {
  type_url: string;
  resource_names?: string[];
  version_info?: string;
  response_nonce?: string;
  error_detail?: { code: number; message: string };
}

export class AdsTestClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Uint8Array, DiscoveryResponse>;
  private readonly queue: DiscoveryResponse[] = [];
  private waiters: Array<{ resolve: (r: DiscoveryResponse) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  private first = true;

  constructor(
    port: number,
    private readonly node: { id: string; cluster?: string; metadata?: Record<string, string> },
  ) {
    const reqType = messageType('envoy.service.discovery.v3.DiscoveryRequest');
    const respType = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.call = this.client.makeBidiStreamRequest(
      method,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => respType.toObject(respType.decode(b), { defaults: true }) as DiscoveryResponse,
    );
    this.encode = (m) => reqType.encode(reqType.fromObject(m)).finish();
    this.call.on('data', (r: DiscoveryResponse) => {
      const w = this.waiters.shift();
      if (w) w.resolve(r);
      else this.queue.push(r);
    });
    this.call.on('error', (e: Error) => this.fail(e));
    this.call.on('end', () => this.fail(new Error('stream ended')));
  }

  private readonly encode: (m: Record<string, unknown>) => Uint8Array;

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters) w.reject(e);
    this.waiters = [];
  }

  send(req: RequestFields): void {
    const msg: Record<string, unknown> = { ...req };
    if (this.first) {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(this.node.metadata ?? {})) fields[k] = { string_value: v };
      msg.node = { id: this.node.id, cluster: this.node.cluster ?? 'test', metadata: { fields }, user_agent_name: 'tower-test' };
      this.first = false;
    }
    this.call.write(this.encode(msg));
  }

  /** The next response, in arrival order. */
  next(): Promise<DiscoveryResponse> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  ack(r: DiscoveryResponse, resourceNames?: string[]): void {
    this.send({ type_url: r.type_url, version_info: r.version_info, response_nonce: r.nonce, ...(resourceNames ? { resource_names: resourceNames } : {}) });
  }

  /** NACK: echoes the nonce, keeps the previously accepted version, sets error_detail. */
  nack(r: DiscoveryResponse, acceptedVersion: string, message: string, resourceNames?: string[]): void {
    this.send({
      type_url: r.type_url,
      version_info: acceptedVersion,
      response_nonce: r.nonce,
      error_detail: { code: 3, message },
      ...(resourceNames ? { resource_names: resourceNames } : {}),
    });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

export interface DeltaResponse {
  system_version_info: string;
  type_url: string;
  nonce: string;
  resources: Array<{ name: string; version: string }>;
  removed_resources: string[];
}

/** A raw delta ADS client: subscribes, reads responses, ACKs by nonce. */
export class DeltaTestClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Uint8Array, DeltaResponse>;
  private readonly queue: DeltaResponse[] = [];
  private waiters: Array<{ resolve: (r: DeltaResponse) => void; reject: (e: Error) => void }> = [];
  private failure: Error | undefined;
  private readonly encode: (m: Record<string, unknown>) => Uint8Array;
  private first = true;

  constructor(port: number, private readonly node: { id: string }) {
    const reqType = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
    const respType = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    this.encode = (m) => reqType.encode(reqType.fromObject(m)).finish();
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.call = this.client.makeBidiStreamRequest(
      '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => respType.toObject(respType.decode(b), { defaults: true }) as DeltaResponse,
    );
    this.call.on('data', (r: DeltaResponse) => {
      const w = this.waiters.shift();
      if (w) w.resolve(r);
      else this.queue.push(r);
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const w of this.waiters) w.reject(e);
      this.waiters = [];
    };
    this.call.on('error', fail);
    this.call.on('end', () => fail(new Error('stream ended')));
  }

  send(req: { type_url: string; resource_names_subscribe?: string[]; response_nonce?: string; error_detail?: { code: number; message: string } }): void {
    const msg: Record<string, unknown> = { ...req };
    if (this.first) {
      msg.node = { id: this.node.id, cluster: 'test', user_agent_name: 'tower-test' };
      this.first = false;
    }
    this.call.write(this.encode(msg));
  }

  next(): Promise<DeltaResponse> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
