/** Header names whose values are credentials: shown in run logs and test output as their last 4 characters. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

export const maskSecret = (value: string) => (value.length > 8 ? `…${value.slice(-4)}` : '…');

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? maskSecret(v) : v]),
  );
}
