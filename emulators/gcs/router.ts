/**
 * Maps a request to a handler. JSON routes are served under `/storage/v1/b/...` (apiEndpoint) and
 * bare `/b/...` (STORAGE_EMULATOR_HOST), uploads under `/upload/storage/v1/b/...`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import type { GcsRoute } from './faults.ts';
import {
  handleCompose,
  handleDelete,
  handleDownload,
  handleList,
  handleMetadata,
} from './objects.ts';
import { handleUploadPost, handleUploadPut } from './uploads.ts';

export interface Matched {
  route: GcsRoute;
  run(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/** What the emulator serves; the 501 answer lists it so gaps are visible. */
export const SUPPORTED = [
  'POST /upload/storage/v1/b/B/o?uploadType=resumable|multipart|media',
  'PUT  /upload/storage/v1/b/B/o?upload_id=ID (Content-Range chunks, bytes */* status)',
  'GET  [/storage/v1]/b/B/o?prefix&delimiter&maxResults&pageToken',
  'GET  [/storage/v1]/b/B/o/NAME[?alt=media][&generation] (Range on media)',
  'DELETE [/storage/v1]/b/B/o/NAME',
  'POST [/storage/v1]/b/B/o/NAME/compose',
];

function decode(segments: string[]): string[] | undefined {
  try {
    return segments.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Finds the handler for a request, or undefined (→ 501). */
export function match(method: string, url: URL): Matched | undefined {
  const path = url.pathname;
  const query = url.searchParams;
  const upload = path.startsWith('/upload/storage/v1/b/');
  const download = path.startsWith('/download/storage/v1/b/');
  let rest: string | undefined;
  if (upload) rest = path.slice('/upload/storage/v1/b/'.length);
  else if (download) rest = path.slice('/download/storage/v1/b/'.length);
  else if (path.startsWith('/storage/v1/b/')) rest = path.slice('/storage/v1/b/'.length);
  else if (path.startsWith('/b/')) rest = path.slice('/b/'.length);
  if (rest === undefined) return undefined;
  const parts = decode(rest.split('/'));
  if (!parts || parts.length < 2 || parts[1] !== 'o' || !parts[0]) return undefined;
  const bucket = parts[0];
  // The client encodes '/' in names as %2F; a raw '/' is accepted too, except before `/compose`.
  const compose = method === 'POST' && parts.length >= 4 && parts[parts.length - 1] === 'compose';
  const name = parts.length > 2 ? parts.slice(2, compose ? -1 : undefined).join('/') : undefined;

  if (upload) {
    if (parts.length !== 2) return undefined;
    if (method === 'POST')
      return { route: 'upload', run: (c, q, s) => handleUploadPost(c, q, s, bucket, query) };
    if (method === 'PUT')
      return { route: 'upload', run: (c, q, s) => handleUploadPut(c, q, s, query) };
    return undefined;
  }
  if (name === undefined) {
    return method === 'GET' && !download
      ? { route: 'list', run: (c, _q, s) => handleList(c, s, bucket, query) }
      : undefined;
  }
  if (!name) return undefined;
  if (compose && !download) {
    return { route: 'compose', run: (c, q, s) => handleCompose(c, q, s, bucket, name, query) };
  }
  if (method === 'GET' && (download || query.get('alt') === 'media')) {
    return { route: 'download', run: (c, q, s) => handleDownload(c, q, s, bucket, name, query) };
  }
  if (method === 'GET' && !download)
    return { route: 'metadata', run: (c, _q, s) => handleMetadata(c, s, bucket, name, query) };
  if (method === 'DELETE' && !download)
    return { route: 'delete', run: (c, _q, s) => handleDelete(c, s, bucket, name, query) };
  return undefined;
}
