/** Tower's CRD API (tower.dev/v1alpha1): schemas, inferred types, status helpers and the kinds registry. */
export * from './common';
export * from './refs';
export * from './status';
export * from './gateway';
export * from './route-match';
export * from './route-filters';
export * from './route-policy';
export * from './backend-policy';
export * from './security-policy';
export * from './kinds';
export * from './crd';
export * from './openapi-check';
