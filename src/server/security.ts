/**
 * What keeps the web UI from being a door into the machine: it binds to loopback unless told otherwise in so
 * many words, and every response carries a Content-Security-Policy that allows no inline script and no eval.
 */
import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';

export const DEFAULT_HOST = '127.0.0.1';

/**
 * The app's pages: scripts and styles from the app's own files only. Vega runs its expressions through
 * vega-interpreter (no `new Function`), so no 'unsafe-eval'. Reports (run folders' report.html) load in a
 * sandboxed frame with their own, stricter policy (REPORT_CSP).
 */
export const APP_CSP = [
  "default-src 'none'",
  // 'wasm-unsafe-eval' lets the playground compile the engine's WebAssembly kernels; it allows no JS eval.
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** report.html is self-contained (inline CSS and SVG, no script): it may style itself and show its PNGs. */
export const REPORT_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox',
].join('; ');

/** The host name of a Host header: without its port, IPv6 brackets kept off. */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(header);
  return bracketed ? bracketed[1] : header.replace(/:\d+$/, '');
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/**
 * The address to bind: loopback by default. Any other address only when the user named it (`--host`), with a
 * warning, since the runs folder's contents are then served to the network without authentication.
 */
export function bindAddress(host: string | undefined, explicit: boolean): { host: string; warning?: string } {
  const chosen = host ?? DEFAULT_HOST;
  if (isLoopback(chosen)) return { host: chosen };
  if (!explicit)
    throw new UsageError(
      `serve: refusing to bind ${chosen}, which is not a loopback address; pass --host ${chosen} to mean it`,
    );
  return {
    host: chosen,
    warning: `serving on ${chosen}: anyone who can reach this address can read the runs folder (no authentication)`,
  };
}
