/**
 * Loads Envoy's own API protos at run time from the maintained npm package
 * @grpc/grpc-js-xds (deps/: envoy-api, xds, udpa, validate, googleapis), with
 * protobufjs supplying google/protobuf/*. Tower never copies Envoy protos:
 * proto/envoy-files.txt lists which shipped files are loaded.
 *
 * Field names are kept exactly as declared (snake_case), which is also the
 * form Envoy prints in its config dumps and YAML bootstraps.
 *
 * `npm run build` also writes the parsed result to dist/envoy-descriptor.json;
 * envoyRoot() reads that instead while it matches the installed packages
 * (descriptor-cache.ts), and parses the .proto files otherwise.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { deserializeDescriptor, serializeDescriptor } from './descriptor-cache';

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
let loadedFrom: 'descriptor-cache' | 'protos' | undefined;

/** Parses Envoy's .proto files from the npm package into a fresh Root (no cache). */
export function parseEnvoyProtos(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => resolveImport(target);
  root.loadSync(listEnvoyFiles(), { keepCase: true });
  root.resolveAll();
  return root;
}

/** Where `npm run build` writes the parsed protos (dist/envoy-descriptor.json); see descriptor-cache.ts. */
export const envoyDescriptorCachePath = path.resolve(__dirname, '..', '..', 'envoy-descriptor.json');

/** What the cache must have been built from: the package versions and the list of files. */
export function envoyDescriptorKey(): string {
  const version = (pkg: string) => (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  return createHash('sha256').update(JSON.stringify([version('@grpc/grpc-js-xds'), version('protobufjs'), listEnvoyFiles()])).digest('hex');
}

/** Parses the protos and writes the descriptor cache (build step). Returns the file written. */
export function writeEnvoyDescriptorCache(file = envoyDescriptorCachePath): string {
  fs.writeFileSync(file, serializeDescriptor(parseEnvoyProtos(), envoyDescriptorKey()));
  return file;
}

function readEnvoyDescriptorCache(): protobuf.Root | undefined {
  let text: string;
  try {
    text = fs.readFileSync(envoyDescriptorCachePath, 'utf8');
  } catch {
    return undefined; // not built (e.g. another outDir): parse the protos
  }
  return deserializeDescriptor(text, envoyDescriptorKey());
}

/** The one protobufjs Root holding every Envoy message Tower can send or receive. */
export function envoyRoot(): protobuf.Root {
  if (cached) return cached;
  const fromCache = readEnvoyDescriptorCache();
  cached = fromCache ?? parseEnvoyProtos();
  loadedFrom = fromCache ? 'descriptor-cache' : 'protos';
  return cached;
}

/** How the protos were loaded: from the build's descriptor cache, or parsed from the .proto files; undefined before first use. */
export function envoyRootLoadedFrom(): 'descriptor-cache' | 'protos' | undefined {
  return loadedFrom;
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
