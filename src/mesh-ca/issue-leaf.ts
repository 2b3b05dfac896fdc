/**
 * Workload identity certificates: an ECDSA P-256 key and a certificate signed
 * by the mesh root whose only identity is the URI SAN
 * spiffe://<trustDomain>/ns/<ns>/sa/<sa> (empty subject, as SPIFFE X.509-SVIDs).
 */
import type { RootCa } from './root-ca';
import { ecdsaP256, privateKeyPem, subtle, x509 } from './x509';

export interface IssuedIdentity {
  readonly spiffeId: string;
  /** Leaf certificate PEM (the chain Envoy presents: the root is trusted, not sent). */
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Default identity certificate lifetime: 24 h. */
export const defaultLeafLifetimeMs = 24 * 3600 * 1000;
/** Clock skew allowance: certificates are valid from one minute before issuance. */
const backdateMs = 60_000;

/** The authority key identifier of a root, computed once (hashing its key costs about as much as signing). */
const akiByRoot = new WeakMap<RootCa, Promise<x509.AuthorityKeyIdentifierExtension>>();

function authorityKeyId(root: RootCa): Promise<x509.AuthorityKeyIdentifierExtension> {
  let p = akiByRoot.get(root);
  if (!p) akiByRoot.set(root, (p = x509.AuthorityKeyIdentifierExtension.create(root.cert.publicKey)));
  return p;
}

export async function issueLeaf(root: RootCa, spiffeId: string, opts: { lifetimeMs?: number; now?: Date } = {}): Promise<IssuedIdentity> {
  const now = (opts.now ?? new Date()).getTime();
  const keys = (await subtle.generateKey(ecdsaP256, true, ['sign', 'verify']));
  const notBefore = new Date(now - backdateMs);
  const notAfter = new Date(Math.min(now + (opts.lifetimeMs ?? defaultLeafLifetimeMs), root.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    subject: '',
    issuer: root.cert.subject,
    publicKey: keys.publicKey,
    signingKey: root.signingKey,
    notBefore,
    notAfter,
    signingAlgorithm: ecdsaP256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      // Critical because the subject is empty (RFC 5280 4.2.1.6).
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
      await authorityKeyId(root),
    ],
  });
  return { spiffeId, certChainPem: cert.toString('pem'), privateKeyPem: await privateKeyPem(keys.privateKey), notBefore, notAfter };
}
