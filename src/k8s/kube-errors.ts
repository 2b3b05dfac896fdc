/**
 * Errors from @kubernetes/client-node, made readable: the typed APIs throw
 * ApiException (code + Status body), the Watch class fails with an Error
 * carrying statusCode, and undici fails with 'fetch failed' and a cause.
 */
import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed Kubernetes call, if there was an answer. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const s = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** One line: 'HTTP 409 Conflict: the object has been modified ...' or the network error and its cause. */
export function describeKubeError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = (typeof err.body === 'object' && err.body !== null ? err.body : {}) as { reason?: unknown; message?: unknown };
    const reason = typeof body.reason === 'string' ? ` ${body.reason}` : '';
    const msg = typeof body.message === 'string' ? `: ${body.message}` : typeof err.body === 'string' && err.body ? `: ${err.body.slice(0, 200)}` : '';
    return `HTTP ${err.code}${reason}${msg}`;
  }
  if (!(err instanceof Error)) return String(err);
  const status = httpStatusOf(err);
  if (status !== undefined) return `HTTP ${status} ${err.message}`;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
