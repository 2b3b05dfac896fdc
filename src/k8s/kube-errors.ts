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

/** The Kubernetes Status of an ApiException (client-node leaves the body as text when it cannot type it). */
export function kubeStatusOf(err: unknown): { code: number; reason?: string; message?: string } | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const raw: unknown = err.body;
  let body = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      return { code: err.code, message: raw.slice(0, 200) || undefined };
    }
  }
  const b = (typeof body === 'object' && body !== null ? body : {}) as { reason?: unknown; message?: unknown };
  return { code: err.code, reason: typeof b.reason === 'string' ? b.reason : undefined, message: typeof b.message === 'string' ? b.message : undefined };
}

/** One line: 'HTTP 409 Conflict: the object has been modified ...' or the network error and its cause. */
export function describeKubeError(err: unknown): string {
  const st = kubeStatusOf(err);
  if (st) return `HTTP ${st.code}${st.reason ? ` ${st.reason}` : ''}${st.message ? `: ${st.message}` : ''}`;
  if (!(err instanceof Error)) return String(err);
  const status = httpStatusOf(err);
  if (status !== undefined) return `HTTP ${status} ${err.message}`;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
