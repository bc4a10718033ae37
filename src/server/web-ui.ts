// The browser UI: the static files Vite builds into web/dist, served by the same server as
// the API. Hashed files under /assets/ are cached for a year; index.html (for `/` and every
// other page path: the app routes in the browser) is revalidated on every load, so a new
// build shows at the next reload. Every answer carries the UI's security headers: a CSP
// that allows no inline script or style and no framing, nosniff, same-origin referrers.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const uiSecurityHeaders = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const immutable = 'public, max-age=31536000, immutable';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The paths the UI does not answer: the API, git hosting, the registry, the health check, Prometheus' metrics. */
export function isUiPath(pathname: string): boolean {
  return !/^\/(?:api|git|v2|healthz|metrics)(?:\/|$)/.test(pathname);
}

/** The file under `root` a URL path names, or undefined if it names none safely (`..`, dot files, bad encoding). */
function fileFor(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch (err) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((p) => p.startsWith('.') || p.includes('\\') || p.includes('\0'))) return undefined;
  const file = resolve(root, ...parts);
  return file.startsWith(root + sep) ? file : undefined;
}

async function regularFile(file: string | undefined): Promise<{ file: string; size: number; mtimeMs: number } | undefined> {
  if (!file) return undefined;
  try {
    const s = await stat(file);
    return s.isFile() ? { file, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function missingBuild(res: ServerResponse, root: string, head: boolean): void {
  const page = `<!doctype html>\n<meta charset="utf-8">\n<title>Slipway: the web UI is not built</title>\n<h1>The web UI is not built</h1>\n<p>There is no <code>index.html</code> in <code>${root.replace(/[<>&"]/g, '')}</code>. <code>npm start</code> builds it; the API (<code>/api</code>), git hosting (<code>/git</code>) and the registry (<code>/v2</code>) work without it.</p>\n`;
  res.writeHead(503, { ...uiSecurityHeaders, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(page) });
  res.end(head ? undefined : page);
}

/** Serves the UI's GET and HEAD requests from `dir` (web/dist by default). */
export function webUi(dir: string) {
  const root = resolve(dir);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const head = req.method === 'HEAD';
    const isAsset = url.pathname.startsWith('/assets/');
    // A file the build put there (/assets/…, /favicon.ico), else the app's page for any other path.
    let found = await regularFile(fileFor(root, url.pathname));
    if (!found && isAsset) {
      const text = `no such asset: ${url.pathname}\n`;
      res.writeHead(404, { ...uiSecurityHeaders, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(text) });
      res.end(head ? undefined : text);
      return;
    }
    found ??= await regularFile(join(root, 'index.html'));
    if (!found) return missingBuild(res, root, head);
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    const headers = {
      ...uiSecurityHeaders,
      'content-type': contentTypes[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': isAsset ? immutable : 'no-cache',
      etag,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = head ? undefined : await readFile(found.file);
    res.writeHead(200, { ...headers, 'content-length': body?.length ?? found.size });
    res.end(body);
  };
}
