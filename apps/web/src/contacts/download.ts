import { ApiError } from '../api/client';
import { getAccessToken, pendingRefresh, refreshSession } from '../api/session';

function get(url: string, token: string | null): Promise<Response> {
  return fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    credentials: 'same-origin',
  });
}

/**
 * Saves an API answer as a file. The export needs the bearer token, so a plain link cannot fetch it; the
 * answer is read as a blob and handed to the browser through an object URL. A 401 gets the same single
 * refresh-and-retry as every other request.
 */
export async function downloadFile(
  path: string,
  query: Record<string, string | undefined>,
  filename: string,
): Promise<void> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const url = `/api/v1${path}${params.size ? `?${params.toString()}` : ''}`;
  await pendingRefresh();
  let res = await get(url, getAccessToken());
  if (res.status === 401) {
    const token = await refreshSession();
    if (token) res = await get(url, token);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
    throw new ApiError(res.status, typeof body?.message === 'string' ? body.message : 'Download failed');
  }
  const href = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is no longer needed once it has been read.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
