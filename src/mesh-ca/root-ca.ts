/**
 * The mesh root: an ECDSA P-256 self-signed CA certificate and its key.
 * Generated at start (one replica, dev) or loaded from PEM files (several
 * replicas sharing one root; see load-root-ca.ts and docs/mtls.md).
 */
import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { ecdsaP256, privateKeyPem, subtle, x509, type CryptoKey } from './x509';

export interface RootCa {
  /** PEM of the CA certificate (what sidecars trust: the "ROOTCA" SDS secret). */
  readonly certPem: string;
  /** PKCS#8 PEM of the CA key (never served). */
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly signingKey: CryptoKey;
  readonly notAfter: Date;
}

export interface GenerateRootOptions {
  readonly trustDomain: string;
  /** Default 10 years. */
  readonly lifetimeMs?: number;
  readonly now?: Date;
}

const tenYearsMs = 10 * 365 * 24 * 3600 * 1000;

export async function generateRootCa(opts: GenerateRootOptions): Promise<RootCa> {
  const now = opts.now ?? new Date();
  const keys = (await subtle.generateKey(ecdsaP256, true, ['sign', 'verify']));
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + (opts.lifetimeMs ?? tenYearsMs));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `O=Tower, CN=Tower mesh CA ${opts.trustDomain}`,
    keys,
    notBefore,
    notAfter,
    signingAlgorithm: ecdsaP256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), cert, signingKey: keys.privateKey, notAfter };
}

/** A root from PEM text; `what` names where it came from, for errors. Checks that the key matches the certificate and that it is a CA. */
export async function rootCaFromPem(certPem: string, keyPem: string, what: string): Promise<RootCa> {
  let nodeCert: NodeX509;
  try {
    nodeCert = new NodeX509(certPem);
  } catch (e) {
    throw new Error(`${what}: the CA certificate is not a PEM X.509 certificate (${(e as Error).message})`);
  }
  if (!nodeCert.ca) throw new Error(`${what}: the certificate is not a CA certificate (basicConstraints CA:TRUE is required)`);
  let signingKey: CryptoKey;
  try {
    const der = x509.PemConverter.decodeFirst(keyPem);
    signingKey = (await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']));
  } catch (e) {
    throw new Error(`${what}: the CA key is not a PKCS#8 PEM ECDSA P-256 private key (${(e as Error).message})`);
  }
  if (!nodeCert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`${what}: the CA key does not match the CA certificate`);
  const cert = new x509.X509Certificate(certPem);
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(signingKey), cert, signingKey, notAfter: cert.notAfter };
}
