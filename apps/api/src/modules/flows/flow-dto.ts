import type {
  TFlow,
  TFlowSession,
  TFlowSessionLogEntry,
  TFlowTrigger,
  TFlowVersion,
} from '@orbitdesk/shared';
import { API_PREFIX } from '../../openapi/route-table.js';
import type { FlowVersionRow, FlowWithVersion } from './flows.repository.js';
import type { FlowSessionLogRow, FlowSessionRow } from './flow-sessions.repository.js';

/** The public URL outside systems POST to, for a flow with a webhook token. */
export const flowWebhookUrl = (publicUrl: string, token: string): string =>
  `${publicUrl.replace(/\/+$/, '')}/${API_PREFIX}/webhooks/${token}`;

export const toFlowDto = (r: FlowWithVersion, publicUrl: string): TFlow => ({
  id: r.id,
  name: r.name,
  description: r.description,
  status: r.status,
  // Stored from a parsed ZFlowTrigger: type and settings always agree.
  trigger: { type: r.triggerType, settings: r.triggerSettings } as TFlowTrigger,
  priority: r.priority,
  graph: r.graph,
  publishedVersionId: r.publishedVersionId,
  publishedVersion: r.publishedVersion,
  webhookUrl:
    r.triggerType === 'webhook' && r.webhookToken ? flowWebhookUrl(publicUrl, r.webhookToken) : null,
  webhookSecretSet: r.webhookSecret !== null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export const toFlowVersionDto = (r: FlowVersionRow): TFlowVersion => ({
  id: r.id,
  version: r.version,
  graph: r.graph,
  createdAt: r.createdAt.toISOString(),
});

export const toFlowSessionDto = (r: FlowSessionRow): TFlowSession => ({
  id: r.id,
  flowId: r.flowId,
  versionId: r.versionId,
  contactId: r.contactId,
  conversationId: r.conversationId,
  currentNodeId: r.currentNodeId,
  variables: r.variables,
  status: r.status,
  waitingKind: r.waitingKind,
  waitingUntil: r.waitingUntil?.toISOString() ?? null,
  error: r.error,
  handedOff: r.handedOff,
  testMode: r.testMode,
  startedAt: r.startedAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  endedAt: r.endedAt?.toISOString() ?? null,
});

export const toFlowLogDto = (r: FlowSessionLogRow): TFlowSessionLogEntry => ({
  step: r.step,
  nodeId: r.nodeId,
  nodeType: r.nodeType,
  input: r.input ?? null,
  output: r.output ?? null,
  error: r.error,
  durationMs: r.durationMs,
  at: r.at.toISOString(),
});
