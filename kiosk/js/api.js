// Loket API client: a small fetch wrapper for /api/v1.
//
//   const list = await api('/services', {query: {q: 'eid', lang: 'nl'}});
//   await api('/tickets', {method: 'POST', token, body: {location, service}});
//
// JSON in and out. Problem details (application/problem+json) and every other failure are thrown
// as ApiError with .status (0 = no answer: network down or timeout), .code, .title, .detail,
// .fields ({name: message}) and .problem (the whole problem object, for extra members such as
// nextOpening). A 204 answer resolves to null.

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor({status = 0, code = 'network', title = '', detail = '', fields = null, problem = null} = {}) {
    super(detail || title || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.fields = fields;
    this.problem = problem || {};
  }
}

/** True when the server could not be reached at all (network error, timeout). */
export function isNetworkError(e) {
  return e instanceof ApiError && e.status === 0 && e.code !== 'aborted';
}

/** True when the caller aborted the request itself (a newer search replaced it, ...). */
export function isAborted(e) {
  return e instanceof ApiError && e.code === 'aborted';
}

/** True when the server is unreachable or answers as if it were (gateway errors). */
export function isOutage(e) {
  return isNetworkError(e) || (e instanceof ApiError && [502, 503, 504].includes(e.status));
}

/** A same-origin URL for an API path ('/services' or a full '/api/v1/...'), with query params. */
export function apiUrl(path, query) {
  const url = new URL(path.startsWith('/api/') ? path : API_BASE + path, location.origin);
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    }
  }
  return url.pathname + url.search;
}

/** Encodes one path segment (ids, references). */
export const seg = (s) => encodeURIComponent(String(s));

export async function api(path, {method = 'GET', query, body, token, timeout = 10000, signal} = {}) {
  const headers = {Accept: 'application/json, application/problem+json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, timeout);
  const onAbort = () => ctrl.abort();
  if (signal) {
    if (signal.aborted) ctrl.abort();
    else signal.addEventListener('abort', onAbort, {once: true});
  }

  try {
    let res;
    let text = '';
    try {
      res = await fetch(apiUrl(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctrl.signal,
        cache: 'no-store',
        credentials: 'same-origin',
      });
      text = res.status === 204 ? '' : await res.text();
    } catch (err) {
      if (signal?.aborted && !timedOut) throw new ApiError({code: 'aborted', detail: 'aborted'});
      throw new ApiError({code: timedOut ? 'timeout' : 'network', detail: timedOut ? 'timeout' : String(err?.message || err)});
    }

    const type = res.headers.get('Content-Type') || '';
    let data = null;
    if (text && /json/i.test(type)) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      const p = data && typeof data === 'object' && !Array.isArray(data) ? data : {};
      throw new ApiError({
        status: res.status,
        code: typeof p.code === 'string' ? p.code : `http_${res.status}`,
        title: typeof p.title === 'string' ? p.title : res.statusText,
        detail: typeof p.detail === 'string' ? p.detail : '',
        fields: p.fields && typeof p.fields === 'object' ? p.fields : null,
        problem: p,
      });
    }
    if (res.status === 204 || !text) return null;
    if (data === null && /json/i.test(type)) throw new ApiError({status: res.status, code: 'bad_response', detail: 'invalid JSON'});
    return data ?? text;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
