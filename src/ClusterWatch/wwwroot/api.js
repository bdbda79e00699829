// The JSON API (docs/api.md). Same origin only; the token, if any, travels in the HttpOnly cookie.

export async function get(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== '') q.set(k, String(v));
  const url = q.toString() ? `${path}?${q}` : path;
  const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${url}: ${res.status} ${body.error || res.statusText}`);
  return body;
}
