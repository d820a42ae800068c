/**
 * A read-only static server on a free localhost port for browser tests: URL prefixes mapped to folders, plus
 * fixed pages. Nothing outside the mapped folders is served.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.json': 'application/json',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** `folders`: URL prefix ('/engine/') → folder; `pages`: exact path ('/') → HTML. */
export async function serveStatic(
  folders: Readonly<Record<string, string>>,
  pages: Readonly<Record<string, string>> = {},
): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (urlPath === '/favicon.ico') {
      res.writeHead(204).end(); // browsers ask for one; a 404 would be a console error
      return;
    }
    const page = pages[urlPath];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const prefix = Object.keys(folders).find((p) => urlPath.startsWith(p));
    const root = prefix === undefined ? undefined : path.resolve(folders[prefix]);
    const file = root && path.join(root, urlPath.slice((prefix as string).length));
    if (!root || !file?.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
