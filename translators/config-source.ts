/** ConfigSource pointing at the ADS stream the client already has. */
import type { Json } from './types';

export function adsConfigSource(): Json {
  return { ads: {}, resource_api_version: 'V3' };
}

/** A socket address in proto3 JSON. */
export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

/** Wraps a message as google.protobuf.Any in proto3 JSON form. */
export function any(typeName: string, fields: Json = {}): Json {
  return { '@type': `type.googleapis.com/${typeName}`, ...fields };
}
