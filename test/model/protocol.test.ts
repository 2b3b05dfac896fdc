import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { detectProtocol } from '../../src/model/protocol';

test('port protocol: appProtocol wins, then Istio-style port name prefixes, else tcp', () => {
  const cases: [Parameters<typeof detectProtocol>[0], string][] = [
    [{ appProtocol: 'kubernetes.io/h2c' }, 'http2'],
    [{ appProtocol: 'h2c', name: 'tcp-x' }, 'http2'],
    [{ appProtocol: 'grpc' }, 'grpc'],
    [{ appProtocol: 'http2' }, 'http2'],
    [{ appProtocol: 'HTTP' }, 'http'],
    [{ name: 'grpc-api' }, 'grpc'],
    [{ name: 'grpc' }, 'grpc'],
    [{ name: 'grpc-web' }, 'http'],
    [{ name: 'http2-stream' }, 'http2'],
    [{ name: 'http-web' }, 'http'],
    [{ name: 'http' }, 'http'],
    [{ name: 'httpx' }, 'tcp'],
    [{ name: 'grpcfoo' }, 'tcp'],
    [{ name: 'postgres' }, 'tcp'],
    [{}, 'tcp'],
    [{ appProtocol: 'unknown.io/thing', name: 'http-a' }, 'http'],
  ];
  for (const [input, want] of cases) assert.equal(detectProtocol(input), want, JSON.stringify(input));
});
