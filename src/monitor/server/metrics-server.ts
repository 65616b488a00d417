/** Serves a run's Prometheus metrics at GET /metrics (`--metrics-port`), with fastify. */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { Registry } from 'prom-client';
import { FerryError, messageOf } from '../../errors.js';
import { redact } from '../../secrets.js';

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** `http://127.0.0.1:9464/metrics`. */
  url: string;
  /** The port it listens on (the one picked when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0 picks a free one). Throws a FerryError naming the port when it
 * is taken or may not be opened, before the run has written anything.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
}): Promise<MetricsServer> {
  const { host, port, registry } = options;
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    // Labels hold table names only, but nothing Ferry serves may show a password.
    return redact(await registry.metrics());
  });
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => {});
    throw listenError(error, host, port);
  }
  const address = app.server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    port: address.port,
    close: () => app.close(),
  };
}

function listenError(error: unknown, host: string, port: number): FerryError {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return new FerryError(
      'METRICS_PORT_IN_USE',
      `--metrics-port ${port}: ${host}:${port} is already in use; choose another port (0 picks a free one).`,
      { cause: error },
    );
  }
  return new FerryError(
    'METRICS_LISTEN_FAILED',
    `--metrics-port ${port}: cannot listen on ${host}:${port} (${messageOf(error)}); choose another port or --metrics-host.`,
    { cause: error },
  );
}
