/**
 * The Redis behind a sweep's BullMQ queue: `--queue redis://[user:password@]host:port[/db]`. A bad URL or a Redis
 * that does not answer is a usage error (exit 2) within a few seconds, never a hang.
 */
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../../core/errors.js';

export const DEFAULT_QUEUE = 'collapse-lab';
/** How long to wait for the first answer from Redis before giving up. */
const CONNECT_MS = 4000;

/** ioredis options for a `redis://` or `rediss://` URL; BullMQ's workers need maxRetriesPerRequest: null. */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--queue: '${url}' is not a URL; give redis://HOST:PORT (e.g. redis://127.0.0.1:6379)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new UsageError(`--queue: '${url}' is not a redis:// URL; give redis://HOST:PORT`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(`--queue: database '${parsed.pathname.slice(1)}' must be a number`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL without its credentials, for sweep.json and messages. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** Checks that Redis answers (and keeps its data: BullMQ needs maxmemory-policy noeviction), or throws a UsageError. */
export async function checkRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis'); // only a fleet pays for the client
  const redis = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    connectTimeout: CONNECT_MS,
    retryStrategy: () => null,
  });
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error; // the socket's own reason (ECONNREFUSED...), reported below
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CONNECT_MS / 1000} s`)), CONNECT_MS);
      }),
    ]);
  } catch (error) {
    throw new UsageError(
      `--queue: cannot reach Redis at ${displayUrl(url)} (${(cause ?? (error as Error)).message}); start redis-server there or fix the URL`,
    );
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
