/**
 * The parsed Envoy protos as a protobufjs JSON descriptor, written at build
 * time (scripts/build-descriptor-cache.ts, run by `npm run build`) from the
 * .proto files of the installed @grpc/grpc-js-xds, and read back at start
 * instead of parsing ~340 .proto files: about half the time (0.2–0.27 s
 * instead of 0.42–0.49 s on the 2-core machine, several seconds less when a
 * restarted Tower shares the cores with thousands of reconnecting clients).
 *
 * protobufjs' JSON form drops `parsedOptions`, which the validator reads
 * (validate.rules, envoy.annotations), so they are stored beside it by full
 * name and put back. The key names the exact inputs (package versions and
 * the file list); any mismatch, or an unreadable file, means the protos are
 * parsed as before. test/envoy/descriptor-cache.test.ts compares a root read
 * from the cache with one parsed from the protos, object by object.
 */
import * as protobuf from 'protobufjs';

interface CacheFile {
  readonly key: string;
  readonly root: protobuf.INamespace;
  readonly parsedOptions: [string, ParsedOptions][];
}

type ParsedOptions = protobuf.ReflectionObject['parsedOptions'];
type WithOptions = protobuf.ReflectionObject;

/** Every reflection object that can carry parsedOptions: namespaces, types, enums, services, fields, oneofs, methods. */
function* reflectionObjects(ns: protobuf.NamespaceBase): Generator<WithOptions> {
  for (const o of ns.nestedArray) {
    yield o as WithOptions;
    if (o instanceof protobuf.Type) {
      for (const f of o.fieldsArray) yield f as unknown as WithOptions;
      for (const one of o.oneofsArray) yield one as unknown as WithOptions;
    }
    if (o instanceof protobuf.Service) for (const m of o.methodsArray) yield m as unknown as WithOptions;
    if (o instanceof protobuf.Namespace) yield* reflectionObjects(o);
  }
}

/** A kind prefix keeps a field and a nested type of the same full name apart. */
function idOf(o: WithOptions): string {
  return `${o.constructor.name}:${o.fullName}`;
}

export function serializeDescriptor(root: protobuf.Root, key: string): string {
  const parsedOptions: [string, ParsedOptions][] = [];
  for (const o of reflectionObjects(root)) {
    if (Array.isArray(o.parsedOptions) && o.parsedOptions.length > 0) parsedOptions.push([idOf(o), o.parsedOptions]);
  }
  const file: CacheFile = { key, root: root.toJSON(), parsedOptions };
  return JSON.stringify(file);
}

/** The resolved Root from a cache file's text, or undefined when it is for other inputs or malformed. */
export function deserializeDescriptor(text: string, key: string): protobuf.Root | undefined {
  let file: CacheFile;
  try {
    file = JSON.parse(text) as CacheFile;
  } catch {
    return undefined;
  }
  if (file?.key !== key || !Array.isArray(file.parsedOptions)) return undefined;
  try {
    const root = protobuf.Root.fromJSON(file.root);
    const options = new Map(file.parsedOptions);
    for (const o of reflectionObjects(root)) {
      const p = options.get(idOf(o));
      if (p !== undefined) o.parsedOptions = p;
    }
    root.resolveAll();
    return root;
  } catch {
    return undefined; // a damaged descriptor: the caller parses the protos
  }
}
