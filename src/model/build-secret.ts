/** kubernetes.io/tls Secret → TlsSecretModel (other Secret types are not TLS material and are ignored). */
import type { Secret } from '../k8s/types';
import type { CaBundleModel, ModelError, SourceRef, TlsSecretModel } from './types';

function pemField(secret: Secret, key: string, source: SourceRef, errors: ModelError[]): string | undefined {
  const fromData = secret.data?.[key];
  const fromString = secret.stringData?.[key];
  const b64 = fromData ?? (fromString !== undefined ? Buffer.from(fromString, 'utf8').toString('base64') : undefined);
  const path = fromData !== undefined ? `data["${key}"]` : `stringData["${key}"]`;
  if (b64 === undefined || b64 === '') {
    errors.push({ code: 'invalid-secret', source, path: `data["${key}"]`, message: `kubernetes.io/tls Secret has no ${key}` });
    return undefined;
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    errors.push({ code: 'invalid-secret', source, path, message: 'is not valid base64' });
    return undefined;
  }
  if (!Buffer.from(b64, 'base64').toString('utf8').includes('-----BEGIN ')) {
    errors.push({ code: 'invalid-secret', source, path, message: 'is not PEM (no "-----BEGIN" line)' });
    return undefined;
  }
  return b64;
}

export function isTlsSecret(secret: Secret): boolean {
  return secret.type === 'kubernetes.io/tls';
}

export function buildTlsSecret(secret: Secret, source: SourceRef): { secret?: TlsSecretModel; errors: ModelError[] } {
  const errors: ModelError[] = [];
  const certificateChain = pemField(secret, 'tls.crt', source, errors);
  const privateKey = pemField(secret, 'tls.key', source, errors);
  if (certificateChain === undefined || privateKey === undefined) return { errors };
  return { secret: { namespace: secret.metadata.namespace ?? 'default', name: secret.metadata.name, certificateChain, privateKey, source }, errors };
}

/** The CA bundle (key ca.crt) of a Secret of any type, for BackendPolicy upstream TLS; undefined when it has none. */
export function buildCaBundle(secret: Secret, source: SourceRef): { bundle?: CaBundleModel; errors: ModelError[] } {
  const has = secret.data?.['ca.crt'] !== undefined || secret.stringData?.['ca.crt'] !== undefined;
  if (!has) return { errors: [] };
  const errors: ModelError[] = [];
  const caCertificates = pemField(secret, 'ca.crt', source, errors);
  if (caCertificates === undefined) return { errors };
  return { bundle: { namespace: secret.metadata.namespace ?? 'default', name: secret.metadata.name, caCertificates, source }, errors };
}
