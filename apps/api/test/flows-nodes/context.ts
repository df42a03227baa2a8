import { randomUUID } from 'node:crypto';
import type { TContact } from '@orbitdesk/shared';
import type { FlowNode, FlowRunContext } from '../../src/modules/flows/engine/node-handler.js';

/** A contact as the executor hands it to a node; override any field. */
export function makeFlowContact(overrides: Partial<TContact> = {}): TContact {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    phone: '+15551230000',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    tags: [],
    customFields: {},
    optedIn: true,
    isOnDncList: false,
    avatarUrl: null,
    identities: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A run context for calling a handler directly, as the executor would. */
export function makeRunContext(overrides: Partial<FlowRunContext> = {}): FlowRunContext {
  return {
    tenantId: randomUUID(),
    flowId: randomUUID(),
    versionId: randomUUID(),
    sessionId: randomUUID(),
    contact: makeFlowContact(),
    conversationId: randomUUID(),
    message: null,
    webhook: null,
    vars: {},
    testMode: false,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export function makeNode<D>(type: string, data: D, id = `${type}_1`): FlowNode<D> {
  return { id, type, data };
}
