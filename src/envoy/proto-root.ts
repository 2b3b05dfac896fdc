/**
 * Loads Envoy's own API protos at run time from the maintained npm package
 * @grpc/grpc-js-xds (deps/: envoy-api, xds, udpa, validate, googleapis), with
 * protobufjs supplying google/protobuf/*. Tower never copies Envoy protos:
 * proto/envoy-files.txt lists which shipped files are loaded.
 *
 * Field names are kept exactly as declared (snake_case), which is also the
 * form Envoy prints in its config dumps and YAML bootstraps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

const depsDir = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(depsDir, d));
const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));

/** Location of proto/envoy-files.txt, both from src/ and from dist/src/. */
function envoyFileList(): string {
  for (const rel of ['../../proto/envoy-files.txt', '../../../proto/envoy-files.txt']) {
    const p = path.resolve(__dirname, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error('proto/envoy-files.txt not found next to Tower sources');
}

export function listEnvoyFiles(): string[] {
  return fs
    .readFileSync(envoyFileList(), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function resolveImport(target: string): string {
  for (const dir of [...includeDirs, protobufjsDir]) {
    const p = path.join(dir, target);
    if (fs.existsSync(p)) return p;
  }
  return target; // protobufjs resolves its bundled well-known types by name
}

let cached: protobuf.Root | undefined;

/** The one protobufjs Root holding every Envoy message Tower can send or receive. */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => resolveImport(target);
  root.loadSync(listEnvoyFiles(), { keepCase: true });
  root.resolveAll();
  cached = root;
  return root;
}

/** Whether the protos have been parsed yet (they are parsed on first use). */
export function envoyRootLoaded(): boolean {
  return cached !== undefined;
}

/** Looks up a message type by fully-qualified name (no leading dot). */
export function messageType(fullName: string): protobuf.Type {
  return envoyRoot().lookupType(fullName);
}

/** Looks up a message type from a type URL, or undefined if Envoy's API has no such message. */
export function typeForUrl(typeUrl: string): protobuf.Type | undefined {
  const slash = typeUrl.lastIndexOf('/');
  const name = slash >= 0 ? typeUrl.slice(slash + 1) : typeUrl;
  const found = envoyRoot().lookup(name);
  return found instanceof protobuf.Type ? found : undefined;
}
