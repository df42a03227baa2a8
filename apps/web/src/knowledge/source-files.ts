import {
  KNOWLEDGE_FILE_TYPES,
  KNOWLEDGE_MAX_FILE_BYTES,
  type KnowledgeSourceStatus,
  type TKnowledgeSource,
} from '@orbitdesk/shared';

const EXTENSIONS = Object.keys(KNOWLEDGE_FILE_TYPES);

/** For the file picker's `accept`: the same list the API accepts. */
export const KNOWLEDGE_ACCEPT = EXTENSIONS.map((ext) => `.${ext}`).join(',');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Why a file cannot be uploaded, or null when it can. Checked in the browser so a 50 MB file is refused at
 * once instead of after its upload; the API checks the same again.
 */
export function checkKnowledgeFile(file: { name: string; size: number }): string | null {
  const ext = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : '';
  if (!EXTENSIONS.includes(ext))
    return `${file.name}: only ${EXTENSIONS.map((e) => e.toUpperCase()).join(', ')} files can be added`;
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > KNOWLEDGE_MAX_FILE_BYTES)
    return `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(KNOWLEDGE_MAX_FILE_BYTES)}`;
  return null;
}

export const isSettled = (status: KnowledgeSourceStatus): boolean =>
  status === 'ready' || status === 'failed';

/** True while any source is still waiting or being indexed: the page keeps asking until all are settled. */
export function anyInProgress(sources: readonly Pick<TKnowledgeSource, 'status'>[]): boolean {
  return sources.some((s) => !isSettled(s.status));
}

/** The bar's fill: a waiting source shows an empty bar, a settled one a full one. */
export function progressOf(source: Pick<TKnowledgeSource, 'status' | 'progress'>): number {
  switch (source.status) {
    case 'pending':
      return 0;
    case 'processing':
      return Math.max(0, Math.min(100, source.progress));
    case 'ready':
    case 'failed':
      return 100;
  }
}
