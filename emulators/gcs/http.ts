/** Small HTTP helpers shared by the emulator's handlers: bodies, JSON replies, error envelopes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends a JSON body with the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The JSON API error envelope, which the client turns into `err.code` / `err.errors`. */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  message: string,
): void {
  sendJson(res, status, {
    error: { code: status, message, errors: [{ domain: 'global', reason, message }] },
  });
}

/** A request-level failure that handlers throw and the router turns into the envelope. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export const notFound = (what: string): HttpError =>
  new HttpError(404, 'notFound', `No such object: ${what}`);

export const preconditionFailed = (): HttpError =>
  new HttpError(
    412,
    'conditionNotMet',
    'At least one of the pre-conditions you specified did not hold.',
  );
