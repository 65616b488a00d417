import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../../src/errors.js';
import { RunMetrics } from '../../../../src/monitor/metrics.js';
import { startMetricsServer } from '../../../../src/monitor/server/metrics-server.js';

describe('startMetricsServer', () => {
  it('serves the run registry at GET /metrics on a free port, and closes', async () => {
    const metrics = new RunMetrics();
    metrics.onChunkDone({ table: 'orders', rows: 42, bytes: 420, seconds: 0.1 });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/^ferry_rows_copied_total\{table="orders"\} 42$/m);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('names the port when it is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const started = startMetricsServer({ host: '127.0.0.1', port, registry: new RunMetrics().registry });
      await expect(started).rejects.toThrow(FerryError);
      await expect(started).rejects.toThrow(`--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
    } finally {
      taken.close();
    }
  });
});
