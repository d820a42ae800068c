/** Starts the web UI's server: the app (app.ts) on a loopback address unless told otherwise (security.ts). */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from './app.js';
import { bindAddress, isLoopback } from './security.js';

export interface ServeOptions extends AppOptions {
  readonly host?: string;
  /** Whether the user named the host (`--host`): only then may it be a non-loopback address. */
  readonly hostExplicit?: boolean;
  /** 0: any free port. */
  readonly port: number;
}

export interface RunningServer {
  readonly url: string;
  /** Said once at start when the address is not loopback. */
  readonly warning?: string;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host, warning } = bindAddress(options.host, options.hostExplicit ?? false);
  const app = createApp({ ...options, loopbackOnly: isLoopback(host) });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    ...(warning ? { warning } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        // Open event streams would hold the server open: end them.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
