/**
 * Object routes of the JSON API: metadata, media download (with `Range`), list, delete, compose.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import { commitObject, queryPreconditions } from './context.ts';
import { HttpError, notFound, preconditionFailed, readBody, sendJson } from './http.ts';
import type { StoredObject } from './state.ts';
import { compareNames, objectResource, preconditionsHold } from './state.ts';

/** The live object, honouring a `generation` pin and read preconditions. */
function lookup(
  ctx: EmulatorContext,
  bucket: string,
  name: string,
  query: URLSearchParams,
): StoredObject {
  if (!ctx.state.hasBucket(bucket))
    throw new HttpError(404, 'notFound', `The specified bucket does not exist: ${bucket}`);
  const object = ctx.state.get(bucket, name);
  const generation = query.get('generation');
  if (!object || (generation !== null && generation !== String(object.generation))) {
    throw notFound(`${bucket}/${name}${generation ? `#${generation}` : ''}`);
  }
  if (!preconditionsHold(object, queryPreconditions(query))) throw preconditionFailed();
  return object;
}

/** GET .../o/NAME (metadata) */
export function handleMetadata(
  ctx: EmulatorContext,
  res: ServerResponse,
  bucket: string,
  name: string,
  query: URLSearchParams,
): void {
  sendJson(res, 200, objectResource(lookup(ctx, bucket, name, query), ctx.baseUrl));
}

/** GET .../o/NAME?alt=media, with `Range: bytes=a-b | a- | -n` → 206 + Content-Range. */
export function handleDownload(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  name: string,
  query: URLSearchParams,
): void {
  const object = lookup(ctx, bucket, name, query);
  const size = object.data.length;
  const headers: Record<string, string | number> = {
    'Content-Type': object.contentType,
    'x-goog-generation': String(object.generation),
    'x-goog-metageneration': String(object.metageneration),
    'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
    'x-goog-stored-content-length': size,
    ETag: `"${object.md5Hash}"`,
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range || (range[1] === '' && range[2] === '')) {
    headers['x-goog-hash'] = `crc32c=${object.crc32c},md5=${object.md5Hash}`;
    res.writeHead(200, { ...headers, 'Content-Length': size });
    res.end(object.data);
    return;
  }
  let first: number;
  let last: number;
  if (range[1] === '') {
    first = Math.max(0, size - Number(range[2]));
    last = size - 1;
  } else {
    first = Number(range[1]);
    last = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
  }
  if (first >= size || last < first) {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  headers['Content-Range'] = `bytes ${first}-${last}/${size}`;
  res.writeHead(206, { ...headers, 'Content-Length': last - first + 1 });
  res.end(object.data.subarray(first, last + 1));
}

/** DELETE .../o/NAME → 204; 404 when missing; honours generation and preconditions. */
export function handleDelete(
  ctx: EmulatorContext,
  res: ServerResponse,
  bucket: string,
  name: string,
  query: URLSearchParams,
): void {
  lookup(ctx, bucket, name, query);
  ctx.state.remove(bucket, name);
  res.writeHead(204, { 'Content-Length': 0 });
  res.end();
}

interface PageToken {
  /** Last key handed out (an object name or a collapsed prefix). */
  k: string;
}

/** GET .../o?prefix=&delimiter=&maxResults=&pageToken= (items sorted by name, opaque tokens). */
export function handleList(
  ctx: EmulatorContext,
  res: ServerResponse,
  bucket: string,
  query: URLSearchParams,
): void {
  if (!ctx.state.hasBucket(bucket))
    throw new HttpError(404, 'notFound', `The specified bucket does not exist: ${bucket}`);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const max = Math.min(Math.max(Number(query.get('maxResults') ?? 1000) || 1000, 1), 1000);
  const token = query.get('pageToken');
  let after: string | undefined;
  if (token) {
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken).k;
    } catch {
      throw new HttpError(400, 'invalid', 'Invalid pageToken.');
    }
  }
  const items: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let lastKey: string | undefined;
  let more = false;
  for (const object of ctx.state.sorted(bucket)) {
    if (!object.name.startsWith(prefix)) continue;
    const cut = delimiter ? object.name.indexOf(delimiter, prefix.length) : -1;
    const key = cut === -1 ? object.name : object.name.slice(0, cut + delimiter.length);
    if (after !== undefined && (compareNames(key, after) <= 0 || key === lastKey)) continue;
    if (key === lastKey) continue; // more names under a prefix already handed out
    if (items.length + prefixes.length >= max) {
      more = true;
      break;
    }
    if (cut === -1) items.push(objectResource(object, ctx.baseUrl));
    else prefixes.push(key);
    lastKey = key;
  }
  const body: Record<string, unknown> = { kind: 'storage#objects' };
  if (items.length) body.items = items;
  if (prefixes.length) body.prefixes = prefixes;
  if (more && lastKey !== undefined) {
    body.nextPageToken = Buffer.from(JSON.stringify({ k: lastKey } satisfies PageToken)).toString(
      'base64url',
    );
  }
  sendJson(res, 200, body);
}

interface ComposeRequest {
  sourceObjects?: Array<{ name?: string; generation?: string | number }>;
  destination?: {
    contentType?: string;
    contentEncoding?: string;
    metadata?: Record<string, string>;
  };
}

/** POST .../o/DEST/compose: 1–32 sources of the same bucket, concatenated in order. */
export async function handleCompose(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  name: string,
  query: URLSearchParams,
): Promise<void> {
  let request: ComposeRequest;
  try {
    request = JSON.parse((await readBody(req)).toString('utf8')) as ComposeRequest;
  } catch {
    throw new HttpError(400, 'invalid', 'compose body must be JSON {sourceObjects, destination}.');
  }
  const sources = request.sourceObjects ?? [];
  if (sources.length < 1 || sources.length > 32) {
    throw new HttpError(
      400,
      'invalid',
      `The number of source components provided (${sources.length}) must be between 1 and 32.`,
    );
  }
  const parts = sources.map((source, i) => {
    if (!source.name) throw new HttpError(400, 'required', `sourceObjects[${i}].name is required.`);
    const pin = new URLSearchParams(
      source.generation !== undefined ? { generation: String(source.generation) } : {},
    );
    return lookup(ctx, bucket, source.name, pin);
  });
  const stored = commitObject(ctx, bucket, name, queryPreconditions(query), {
    data: Buffer.concat(parts.map((p) => p.data)),
    contentType: request.destination?.contentType,
    contentEncoding: request.destination?.contentEncoding,
    metadata: request.destination?.metadata,
    componentCount: parts.reduce((sum, p) => sum + (p.componentCount ?? 1), 0),
  });
  sendJson(res, 200, objectResource(stored, ctx.baseUrl));
}
