/** A real redis-server for the queue tests: on a free loopback port, its files in a folder the test owns. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server on `port` with its files in `dir` (append-only persistence if asked) and waits for PONG. */
export async function startRedis(port: number, dir: string, { appendOnly = false } = {}): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  const server = spawn(REDIS_SERVER, [...args, '--appendonly', appendOnly ? 'yes' : 'no'], { stdio: 'ignore' });
  const answers = () =>
    spawnSync('redis-cli', ['-p', String(port), 'ping'])
      .stdout?.toString()
      .trim() === 'PONG';
  for (let i = 0; i < 50 && !answers(); i++) await sleep(100);
  return server;
}
