/** Maps a request path onto a Gemini method: which API surface, version, model and streaming. */

export interface Route {
  api: 'developer' | 'vertex';
  version: string;
  model: string;
  /** Resource name as the real service spells it in messages. */
  resource: string;
  stream: boolean;
}

const METHOD = '(generateContent|streamGenerateContent)';
const DEVELOPER = new RegExp(`^/(v1|v1beta)/models/([^/:]+):${METHOD}$`);
const VERTEX_FULL = new RegExp(
  `^/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+):${METHOD}$`,
);
const VERTEX_SHORT = new RegExp(`^/(v1|v1beta1)/publishers/google/models/([^/:]+):${METHOD}$`);

/** Returns the route for a POST path, or undefined when nothing matches (→ 404). */
export function matchRoute(path: string): Route | undefined {
  let p: string;
  try {
    p = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  let m = DEVELOPER.exec(p);
  if (m) {
    const [, version = '', model = '', method] = m;
    return {
      api: 'developer',
      version,
      model,
      resource: `models/${model}`,
      stream: method !== 'generateContent',
    };
  }
  m = VERTEX_FULL.exec(p);
  if (m) {
    const [, version = '', project, location, model = '', method] = m;
    const resource = `projects/${project}/locations/${location}/publishers/google/models/${model}`;
    return { api: 'vertex', version, model, resource, stream: method !== 'generateContent' };
  }
  m = VERTEX_SHORT.exec(p);
  if (m) {
    const [, version = '', model = '', method] = m;
    const resource = `publishers/google/models/${model}`;
    return { api: 'vertex', version, model, resource, stream: method !== 'generateContent' };
  }
  return undefined;
}

/** Model ids the emulator treats as unknown, to exercise the 404 path. */
export const isUnknownModel = (model: string): boolean => /not-found|nonexistent/i.test(model);
