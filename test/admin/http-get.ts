/** Minimal HTTP GET for tests: no keep-alive, so nothing stays open. */
import * as http from 'node:http';

export interface Got { status: number; headers: http.IncomingHttpHeaders; text: string; json<T = any>(): T }

export function get(port: number, path: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Value of one Prometheus sample, e.g. metric('tower_xds_pushes_total{type="CDS"}'); undefined when absent. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
