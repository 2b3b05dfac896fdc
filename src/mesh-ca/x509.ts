/**
 * @peculiar/x509 bound to node's WebCrypto. reflect-metadata must be loaded
 * before @peculiar/x509 (its dependency injection uses decorators); every
 * mesh-ca module imports x509 from here so the order is always right.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/** Node's WebCrypto key types (the project compiles without lib.dom). */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export { x509 };
export const subtle = webcrypto.subtle;

/** ECDSA P-256 with SHA-256: the algorithm of every key and signature the mesh CA makes. */
export const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** PKCS#8 PEM of a private CryptoKey. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}
