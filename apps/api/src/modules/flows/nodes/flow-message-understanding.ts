import type { TMessageUnderstanding } from '@orbitdesk/shared';
import type { FlowMessageInput } from '../engine/node-handler.js';

/**
 * Intent, sentiment and language of the message a run started or resumed with, for Condition rules on
 * `{{message.intent}}`, `{{message.sentiment}}` and `{{message.language}}`. Classification is normally a job that
 * may not have run yet when the flow gets there, so this classifies the message on the spot when needed (and
 * stores the result, so the job later finds it done). Provided by the AI understanding module; absent where it is
 * not loaded, and then those placeholders are empty.
 */
export abstract class FlowMessageUnderstanding {
  /**
   * The stored understanding, or a fresh one. In test mode the message is not stored: it is classified and
   * nothing is written. Null when the message has no words; throws when the AI service fails.
   */
  abstract understand(
    tenantId: string,
    message: FlowMessageInput,
    opts: { testMode: boolean; signal: AbortSignal },
  ): Promise<TMessageUnderstanding | null>;
}
