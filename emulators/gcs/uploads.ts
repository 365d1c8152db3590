/**
 * Upload routes as @google-cloud/storage 8.4.0 drives them: resumable sessions (POST, then PUTs
 * with `Content-Range`, chunked with 308 + `Range`), multipart/related and plain media uploads.
 * Preconditions are checked when the session opens and again at finalize, like GCS.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import { checkPreconditions, commitObject, queryPreconditions } from './context.ts';
import { crc32cBase64 } from './crc32c.ts';
import { HttpError, readBody, sendJson } from './http.ts';
import type { Preconditions } from './state.ts';
import { objectResource } from './state.ts';

interface Session {
  bucket: string;
  name: string;
  preconditions: Preconditions;
  metadata: ObjectMetadata;
  chunks: Buffer[];
  received: number;
  /** The resource once finalized, so a status query after completion answers 200. */
  done?: Record<string, unknown>;
}

interface ObjectMetadata {
  name?: string;
  contentType?: string;
  contentEncoding?: string;
  metadata?: Record<string, string>;
}

const sessions = new WeakMap<EmulatorContext, Map<string, Session>>();

function sessionsOf(ctx: EmulatorContext): Map<string, Session> {
  let map = sessions.get(ctx);
  if (!map) sessions.set(ctx, (map = new Map<string, Session>()));
  return map;
}

function parseMetadata(body: Buffer): ObjectMetadata {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through to the 400 below
  }
  throw new HttpError(400, 'invalid', 'Object metadata must be a JSON object.');
}

function objectName(query: URLSearchParams, metadata: ObjectMetadata): string {
  const name = query.get('name') ?? metadata.name;
  if (!name) throw new HttpError(400, 'required', 'Required parameter: name (query or metadata).');
  return name;
}

/** Rejects a finalized body whose `X-Goog-Hash: crc32c=` disagrees with the bytes received. */
function checkClientHash(req: IncomingMessage, data: Buffer): void {
  const header = req.headers['x-goog-hash'];
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const given = /crc32c=([^,\s]+)/.exec(text)?.[1];
  if (given && given !== crc32cBase64(data)) {
    throw new HttpError(400, 'invalid', `Provided CRC32C "${given}" doesn't match calculated.`);
  }
}

/** POST /upload/storage/v1/b/B/o?uploadType=resumable|multipart|media */
export async function handleUploadPost(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  query: URLSearchParams,
): Promise<void> {
  const type = query.get('uploadType');
  const preconditions = queryPreconditions(query);
  const body = await readBody(req);
  if (type === 'resumable') {
    const metadata = parseMetadata(body);
    const headerType = req.headers['x-upload-content-type'];
    if (typeof headerType === 'string' && !metadata.contentType) metadata.contentType = headerType;
    const name = objectName(query, metadata);
    checkPreconditions(ctx, bucket, name, preconditions);
    const id = randomUUID();
    sessionsOf(ctx).set(id, { bucket, name, preconditions, metadata, chunks: [], received: 0 });
    const location = new URL(`${ctx.baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`);
    location.search = new URLSearchParams({
      uploadType: 'resumable',
      name,
      upload_id: id,
    }).toString();
    sendJson(res, 200, {}, { Location: location.toString() });
    return;
  }
  let metadata: ObjectMetadata;
  let data: Buffer;
  if (type === 'multipart') {
    ({ metadata, data } = parseMultipart(req.headers['content-type'] ?? '', body));
  } else if (type === 'media') {
    metadata = { contentType: req.headers['content-type'] };
    data = body;
  } else {
    throw new HttpError(
      400,
      'invalid',
      `Unsupported uploadType "${type}"; use resumable, multipart or media.`,
    );
  }
  checkClientHash(req, data);
  const stored = commitObject(ctx, bucket, objectName(query, metadata), preconditions, {
    data,
    contentType: metadata.contentType,
    contentEncoding: metadata.contentEncoding,
    metadata: metadata.metadata,
  });
  sendJson(res, 200, objectResource(stored, ctx.baseUrl));
}

/** Splits a multipart/related body into its JSON metadata part and its media part. */
function parseMultipart(
  contentType: string,
  body: Buffer,
): { metadata: ObjectMetadata; data: Buffer } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new HttpError(400, 'invalid', 'multipart upload without a boundary.');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next === -1) break;
    parts.push(body.subarray(start + 2, next)); // skip the CRLF after the delimiter
    at = next + 2;
  }
  const contents = parts.map((part) => {
    const split = part.indexOf('\r\n\r\n');
    return split === -1 ? part : part.subarray(split + 4);
  });
  const [meta, data] = contents;
  if (!meta || !data)
    throw new HttpError(400, 'invalid', 'multipart upload needs a metadata part and a media part.');
  return { metadata: parseMetadata(meta), data };
}

/** PUT <Location>: one chunk, the whole object, or a status query (`bytes *\/*`). */
export async function handleUploadPut(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const session = sessionsOf(ctx).get(query.get('upload_id') ?? '');
  if (!session) throw new HttpError(404, 'notFound', 'No such upload session (upload_id).');
  const body = await readBody(req);
  if (session.done) return sendJson(res, 200, session.done);
  const range = String(req.headers['content-range'] ?? `bytes 0-*/${body.length}`);
  const status = /^bytes \*\/(\*|\d+)$/.exec(range);
  const chunk = /^bytes (\d+)-(\d+|\*)\/(\*|\d+)$/.exec(range);
  if (status) return incomplete(res, session);
  if (!chunk) throw new HttpError(400, 'invalid', `Bad Content-Range "${range}".`);
  const first = Number(chunk[1]);
  if (first > session.received) {
    throw new HttpError(
      400,
      'invalid',
      `Chunk starts at ${first} but only ${session.received} bytes were received.`,
    );
  }
  // A retried chunk may overlap what is already stored; keep only the new tail.
  const fresh = body.subarray(session.received - first);
  session.chunks.push(fresh);
  session.received += fresh.length;
  const total = chunk[3] === '*' ? undefined : Number(chunk[3]);
  const final = total !== undefined ? session.received >= total : chunk[2] === '*';
  if (!final) return incomplete(res, session);
  const data = Buffer.concat(session.chunks);
  checkClientHash(req, data);
  const stored = commitObject(ctx, session.bucket, session.name, session.preconditions, {
    data,
    contentType: session.metadata.contentType,
    contentEncoding: session.metadata.contentEncoding,
    metadata: session.metadata.metadata,
  });
  session.chunks = [];
  session.done = objectResource(stored, ctx.baseUrl);
  sendJson(res, 200, session.done);
}

function incomplete(res: ServerResponse, session: Session): void {
  const headers: Record<string, string | number> = { 'Content-Length': 0 };
  if (session.received > 0) headers.Range = `bytes=0-${session.received - 1}`;
  res.writeHead(308, headers);
  res.end();
}
