import { CONTACT_SORTS } from '@orbitdesk/shared';

export type ContactSort = (typeof CONTACT_SORTS)[number];

/** The list's filters; kept in the URL so a reload or a shared link shows the same contacts. */
export interface ContactFilters {
  q: string;
  tags: string[];
  sort: ContactSort;
}

/** "vip, lead ,," → ["vip", "lead"]: how tags are typed in the filter and in the form. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()))].filter(Boolean);
}

export function readFilters(params: URLSearchParams): ContactFilters {
  const sort = params.get('sort');
  return {
    q: params.get('q') ?? '',
    tags: splitTags(params.get('tags') ?? ''),
    sort: CONTACT_SORTS.some((s) => s === sort) ? (sort as ContactSort) : 'createdAt',
  };
}

export function writeFilters(filters: ContactFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.tags.length) params.set('tags', filters.tags.join(','));
  if (filters.sort !== 'createdAt') params.set('sort', filters.sort);
  return params;
}

/** The query string of GET /contacts and GET /contacts/export for these filters. */
export function listQuery(filters: ContactFilters): Record<string, string | undefined> {
  return {
    q: filters.q.trim() || undefined,
    tags: filters.tags.length ? filters.tags.join(',') : undefined,
    sort: filters.sort,
  };
}
