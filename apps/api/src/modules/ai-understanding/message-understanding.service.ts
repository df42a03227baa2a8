import { Injectable } from '@nestjs/common';
import type { TAiProviderConfig, TMessageUnderstanding } from '@orbitdesk/shared';
import { AiServiceClient } from '../../common/ai/ai-service.client.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { Database } from '../../db/database.js';
import { AiProviderResolver } from '../ai-settings/ai-provider.resolver.js';
import { toMessageDto, type MessageRow } from '../conversations/conversation-dto.js';
import type { FlowMessageInput } from '../flows/engine/node-handler.js';
import { FlowMessageUnderstanding } from '../flows/nodes/flow-message-understanding.js';
import { MessageUnderstandingRepository } from './message-understanding.repository.js';
import { understandableText } from './understandable-text.js';

export type UnderstandingOutcome =
  { kind: 'stored' | 'found'; understanding: TMessageUnderstanding } | { kind: 'skipped'; reason: string };

type ToClassify = { kind: 'classify'; text: string; provider: TAiProviderConfig };

const understandingOf = (row: MessageRow): TMessageUnderstanding | null => toMessageDto(row).understanding;

/**
 * Classifies inbound messages (intent, sentiment, language) through the AI service and stores the result on the
 * message. No transaction is held while the AI service thinks: the message is read in one, the result written
 * in another, only if the message is still unclassified.
 */
@Injectable()
export class MessageUnderstandingService extends FlowMessageUnderstanding {
  constructor(
    private readonly db: Database,
    private readonly repo: MessageUnderstandingRepository,
    private readonly resolver: AiProviderResolver,
    private readonly ai: AiServiceClient,
    private readonly events: DomainEvents,
  ) {
    super();
  }

  /**
   * Classifies a stored message unless it is classified already or is not the contact's words (outbound, a
   * note, no text). Stores the result and publishes `message.updated`. AI service failures are thrown (the job
   * retries them); the message itself is never touched by a failure.
   */
  async classifyStored(
    tenantId: string,
    messageId: string,
    signal?: AbortSignal,
  ): Promise<UnderstandingOutcome> {
    const loaded = await this.db.tenantTransaction(
      tenantId,
      async (tx): Promise<UnderstandingOutcome | ToClassify> => {
        const row = await this.repo.find(tx, messageId);
        if (!row) return { kind: 'skipped', reason: 'the message no longer exists' };
        const found = understandingOf(row);
        if (found) return { kind: 'found', understanding: found };
        if (row.direction !== 'in') return { kind: 'skipped', reason: 'outbound message' };
        if (row.isPrivate) return { kind: 'skipped', reason: 'private note' };
        const text = understandableText(row.content);
        if (!text) return { kind: 'skipped', reason: `a ${row.type} message without text` };
        return { kind: 'classify', text, provider: await this.resolver.chatConfig(tx, tenantId) };
      },
    );
    if (loaded.kind !== 'classify') return loaded;

    const result = await this.ai.classify(tenantId, { provider: loaded.provider, text: loaded.text }, signal);
    const { stored, row } = await this.db.tenantTransaction(tenantId, async (tx) => {
      const updated = await this.repo.store(tx, messageId, result);
      return { stored: !!updated, row: updated ?? (await this.repo.find(tx, messageId)) };
    });
    const understanding = row && understandingOf(row);
    if (!row || !understanding) return { kind: 'skipped', reason: 'the message no longer exists' };
    if (stored) this.events.publish('message.updated', { tenantId, message: toMessageDto(row) });
    return { kind: stored ? 'stored' : 'found', understanding };
  }

  async understand(
    tenantId: string,
    message: FlowMessageInput,
    opts: { testMode: boolean; signal: AbortSignal },
  ): Promise<TMessageUnderstanding | null> {
    if (!opts.testMode) {
      const outcome = await this.classifyStored(tenantId, message.id, opts.signal);
      return outcome.kind === 'skipped' ? null : outcome.understanding;
    }
    // A test run's message is made up and never stored: classify its words, write nothing.
    const text = understandableText(message.content);
    if (!text) return null;
    const provider = await this.resolver.chatConfigFor(tenantId);
    const result = await this.ai.classify(tenantId, { provider, text }, opts.signal);
    return {
      intent: result.intent,
      confidence: result.confidence,
      sentiment: result.sentiment,
      language: result.language,
      model: result.model,
    };
  }
}
