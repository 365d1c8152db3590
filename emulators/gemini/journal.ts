/** The request journal: a bounded ring of what each API request looked like and what it got. */
import type { IncomingMessage } from 'node:http';
import type { JournalEntry } from './types.ts';

const INTERESTING = [
  'x-goog-api-key',
  'authorization',
  'x-goog-api-client',
  'user-agent',
  'x-server-timeout',
  'content-type',
];

/** Keeps the last 4 characters of a secret, stars the rest. */
export const mask = (secret: string): string =>
  secret.length <= 4 ? '*'.repeat(secret.length) : '*'.repeat(secret.length - 4) + secret.slice(-4);

function pickHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of INTERESTING) {
    const v = req.headers[name];
    if (typeof v !== 'string') continue;
    if (name === 'x-goog-api-key') out[name] = mask(v);
    else if (name === 'authorization')
      out[name] = v.replace(
        /^(\S+\s+)?(.*)$/,
        (_m, scheme: string | undefined, rest: string) => `${scheme ?? ''}${mask(rest)}`,
      );
    else out[name] = v;
  }
  return out;
}

export function createJournal(limit: number) {
  let entries: JournalEntry[] = [];
  return {
    /** Records a request as it arrives; the returned entry is updated as the answer goes out. */
    start(req: IncomingMessage, url: URL): JournalEntry {
      const params = new URLSearchParams(url.search);
      const key = params.get('key');
      if (key !== null) params.set('key', mask(key));
      const entry: JournalEntry = {
        at: Date.now(),
        method: req.method ?? 'GET',
        path: url.pathname,
        query: params.toString(),
        headers: pickHeaders(req),
        body: undefined,
        status: 0,
      };
      entries.push(entry);
      if (entries.length > limit) entries = entries.slice(-limit);
      return entry;
    },
    list(): JournalEntry[] {
      return entries.map((e) => structuredClone(e));
    },
    clear(): void {
      entries = [];
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;
