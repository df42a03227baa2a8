// The public API as the demo scripts (demo-ai.mjs, demo-flows.mjs) use it: JSON in and out, a bearer token, and a
// thrown error that says which call failed and why.

/** `call(method, path, token?, body?)` against `${apiBase}/api/v1`, and the demo admin's login. */
export function demoApi(apiBase) {
  const base = `${apiBase}/api/v1`;
  const call = async (method, path, token, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        // Only with a body: Fastify refuses an empty one declared as JSON.
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${json?.message ?? text}`);
    return json;
  };
  /** The seed's Acme admin (apps/api/src/db/seed.ts). */
  const adminToken = async () =>
    (await call('POST', '/auth/login', undefined, { email: 'admin@acme.test', password: 'OrbitDesk!demo1' }))
      .accessToken;
  return { call, adminToken };
}
