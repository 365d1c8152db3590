/** The API request pipeline: route → auth → body → rpm → fault → model → JSON or SSE. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as E from './errors.ts';
import { markerFault, rateFault, type FaultKind, type createFaultState } from './faults.ts';
import type { Journal } from './journal.ts';
import { answer } from './model.ts';
import { isGoogleError, parseRequest } from './request.ts';
import {
  blockedBody,
  envelope,
  responseBody,
  responseId,
  sendJson,
  sendSse,
  usageMetadata,
} from './respond.ts';
import { isUnknownModel, matchRoute } from './routes.ts';
import type { Sandbox } from './sandbox.ts';
import type { FaultConfig } from './types.ts';

export interface HandlerContext {
  journal: Journal;
  state: ReturnType<typeof createFaultState>;
  sandbox: Sandbox;
  faults(): FaultConfig;
  maxCodeRetries: number;
  codeTimeoutMs: number;
  /** Responses deliberately left unanswered; destroyed on close. */
  hanging: Set<ServerResponse>;
}

const ERROR_FAULTS: Partial<Record<FaultKind, (model: string, cfg: FaultConfig) => E.GoogleError>> =
  {
    '429': (model, cfg) => E.resourceExhausted(model, cfg.rpm ?? 60, cfg.retryDelaySeconds ?? 1),
    '500': () => E.internal(),
    '503': () => E.unavailable(),
    '504': () => E.deadlineExceeded(),
    '400': () => E.invalidArgument('', 'Request contains an invalid argument.'),
    '403': () => E.permissionDenied(),
  };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** Missing/invalid credentials → the error the real surface returns, else undefined. */
function authError(
  req: IncomingMessage,
  url: URL,
  api: 'developer' | 'vertex',
): E.GoogleError | undefined {
  const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key') ?? undefined;
  const bearer = /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
  if (key === 'invalid') return E.invalidApiKey();
  if (api === 'developer') return key ? undefined : E.missingApiKey();
  return key || bearer ? undefined : E.unauthenticated();
}

export async function handleApi(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const entry = ctx.journal.start(req, url);
  res.on('finish', () => (entry.status = res.statusCode));
  const raw = await readBody(req);
  try {
    entry.body = JSON.parse(raw);
  } catch {
    entry.body = raw;
  }
  const route = req.method === 'POST' ? matchRoute(url.pathname) : undefined;
  if (!route) return E.sendGoogleError(res, E.routeNotFound(req.method ?? 'GET', url.pathname));
  const auth = authError(req, url, route.api);
  if (auth) return E.sendGoogleError(res, auth);
  if (isUnknownModel(route.model))
    return E.sendGoogleError(res, E.modelNotFound(route.api, route.resource, route.version));
  const parsed = parseRequest(raw, route);
  if (isGoogleError(parsed)) return E.sendGoogleError(res, parsed);

  const cfg = ctx.faults();
  const attempt = ctx.state.next(parsed.allText);
  if (!ctx.state.admit(Date.now(), cfg.rpm)) {
    entry.fault = 'rpm';
    return E.sendGoogleError(
      res,
      E.resourceExhausted(parsed.model, cfg.rpm ?? 0, cfg.retryDelaySeconds ?? 1),
    );
  }
  const decision =
    markerFault(parsed.allText, attempt) ?? rateFault(cfg, parsed.allText, attempt, parsed.stream);
  const kind = decision.kind;
  if (kind) entry.fault = kind;
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  if (decision.latencyMs > 0) await sleep(decision.latencyMs, gone.signal);
  if (gone.signal.aborted) return;

  if (kind === 'hang') {
    ctx.hanging.add(res);
    res.on('close', () => ctx.hanging.delete(res));
    return;
  }
  if (kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (kind === '404')
    return E.sendGoogleError(res, E.modelNotFound(parsed.api, parsed.resource, parsed.version));
  const errorFault = kind ? ERROR_FAULTS[kind] : undefined;
  if (errorFault) return E.sendGoogleError(res, errorFault(parsed.model, cfg));

  const env = envelope(parsed, responseId(url.pathname, raw, attempt));
  const truncate = kind === 'truncate';
  if (kind === 'blocked') {
    const body = blockedBody(env, parsed);
    return parsed.stream
      ? sendSse(res, [body], truncate ? 'truncate' : undefined)
      : sendJson(res, body, false);
  }
  const { parts, toolText } = await answer(
    parsed,
    ctx.sandbox,
    { maxCodeRetries: ctx.maxCodeRetries, timeoutMs: ctx.codeTimeoutMs },
    gone.signal,
  );
  if (gone.signal.aborted) return;
  const usage = usageMetadata(parsed, parts, toolText);
  const tooLong =
    parsed.maxOutputTokens !== undefined &&
    (usage.candidatesTokenCount as number) > parsed.maxOutputTokens;
  const finish = {
    reason: kind === 'maxtokens' || tooLong ? ('MAX_TOKENS' as const) : ('STOP' as const),
    usage,
  };
  if (!parsed.stream) return sendJson(res, responseBody(env, parts, finish), truncate);
  const bodies = parts.map((p, i) =>
    responseBody(env, [p], i === parts.length - 1 ? finish : undefined),
  );
  sendSse(res, bodies, truncate ? 'truncate' : kind === 'midstream' ? 'midstream' : undefined);
}
