import type { TContactImport } from '@orbitdesk/shared';
import type { Redis } from 'ioredis';

const STATE_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Tenant-scoped, so another tenant's import id simply is not found. */
export const importStateKey = (tenantId: string, id: string) => `contacts:import:${tenantId}:${id}`;

/**
 * What Redis holds for an import: the progress clients read, plus the resume point of the worker. The counts
 * and errors always cover exactly the CSV lines up to `committedLine`, so a retried job that skips those lines
 * neither imports nor counts anything twice.
 */
export interface StoredImport extends TContactImport {
  /** The last CSV line (1-based, the header is line 1) whose outcome is committed and counted. */
  committedLine: number;
}

export function newImportState(id: string): StoredImport {
  return {
    id,
    status: 'running',
    processed: 0,
    created: 0,
    updated: 0,
    failed: 0,
    errors: [],
    message: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    committedLine: 0,
  };
}

export async function loadImportState(
  redis: Redis,
  tenantId: string,
  id: string,
): Promise<StoredImport | null> {
  const raw = await redis.get(importStateKey(tenantId, id));
  if (!raw) return null;
  const state = JSON.parse(raw) as StoredImport;
  return { ...state, committedLine: state.committedLine ?? 0 };
}

export async function saveImportState(redis: Redis, tenantId: string, state: StoredImport): Promise<void> {
  // Parse errors can be reported ahead of the rows before them.
  state.errors.sort((a, b) => a.row - b.row);
  await redis.set(importStateKey(tenantId, state.id), JSON.stringify(state), 'EX', STATE_TTL_SECONDS);
}

/** The public view: the resume point is the worker's business. */
export function publicImportState({ committedLine: _, ...state }: StoredImport): TContactImport {
  return state;
}
