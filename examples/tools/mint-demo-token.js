#!/usr/bin/env node
/**
 * DEMO ONLY. Mints a JWT that the shop demo's gateway accepts (SecurityPolicy
 * shop/api-jwt in examples/shop/security.yaml), signed ES256 with the
 * committed demo key examples/shop/demo-jwt-key.pem. That key is public:
 * anyone can mint these tokens, so never trust it outside a local demo.
 *
 *   node examples/tools/mint-demo-token.js [--sub alice] [--ttl 3600] [--aud shop-api]
 *
 * Prints the token on stdout. No dependencies beyond Node's crypto.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'demo-user' },
    ttl: { type: 'string', default: '3600' },
    aud: { type: 'string', default: 'shop-api' },
    iss: { type: 'string', default: 'https://auth.shop.example.com' },
    key: { type: 'string', default: path.join(__dirname, '..', 'shop', 'demo-jwt-key.pem') },
  },
});
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  process.stderr.write(`mint-demo-token: --ttl ${JSON.stringify(values.ttl)}: expected a positive number of seconds\n`);
  process.exit(2);
}
const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const header = { alg: 'ES256', typ: 'JWT', kid: 'tower-demo-1' };
const payload = { iss: values.iss, aud: values.aud, sub: values.sub, iat: now, exp: now + ttl };
const signingInput = `${b64url(header)}.${b64url(payload)}`;
const key = crypto.createPrivateKey(fs.readFileSync(values.key));
// JWS ES256 signatures are r||s (IEEE P1363), not DER.
const sig = crypto.sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
process.stdout.write(`${signingInput}.${sig.toString('base64url')}\n`);
