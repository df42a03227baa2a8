import type { StatusUpdate } from '../channel-pipeline.service.js';

/** What the SDK throws when Twilio answers with an error (RestException, or TwilioServiceException). */
export interface TwilioApiError {
  status: number;
  code?: number;
  message: string;
}

/** Twilio's error answer as thrown by the SDK; undefined for anything else (network errors, bugs). */
export function asTwilioApiError(err: unknown): TwilioApiError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, code, detail } = err as Error & { status?: unknown; code?: unknown; detail?: unknown };
  if (typeof status !== 'number') return undefined;
  return {
    status,
    code: typeof code === 'number' && code > 0 ? code : undefined,
    message: typeof detail === 'string' && detail ? detail : err.message,
  };
}

/** The code Twilio sends for a wrong Account SID or Auth Token. */
export const TWILIO_AUTH_FAILED = 20003;

/** `<code>: <message>`, the form an admin can search Twilio's error dictionary with. */
export const describeApiError = (e: TwilioApiError): string =>
  e.code === TWILIO_AUTH_FAILED
    ? `${e.code}: Twilio rejected the Account SID / Auth Token`
    : `${e.code ?? `HTTP ${e.status}`}: ${e.message}`;

/** Rate limits and Twilio's own outages pass; any other refusal will be refused again. */
export const isTransient = (e: TwilioApiError): boolean => e.status === 429 || e.status >= 500;

/** Plain words for the delivery errors agents meet most; others link to Twilio's error dictionary. */
const DELIVERY_ERRORS: Record<string, string> = {
  '21610': 'the recipient opted out (replied STOP) and must reply START before they can receive messages',
  '30003': 'the phone is unreachable (switched off or out of coverage)',
  '30004': 'the message was blocked by the recipient or their carrier',
  '30005': 'the number does not exist or is no longer in service',
  '30006': 'the number is a landline or its carrier cannot receive SMS',
  '30007': 'the carrier filtered the message as spam or unregistered traffic',
  '30008': 'the carrier reported an unknown error',
  '30034': 'the sending number is not registered for A2P 10DLC messaging in the US',
};

export function describeDeliveryError(status: string, errorCode: string | undefined): string {
  if (!errorCode) return `Twilio reported the message ${status}`;
  const known = DELIVERY_ERRORS[errorCode];
  return known
    ? `Error ${errorCode}: ${known}`
    : `Error ${errorCode} (see https://www.twilio.com/docs/errors/${errorCode})`;
}

/**
 * A StatusCallback's MessageStatus as a status change; null when it changes nothing here (queued, accepted,
 * sending and sent: the message is already `sent` once Twilio accepted it).
 */
export function statusUpdateFor(messageStatus: string, errorCode: string | undefined): StatusUpdate | null {
  switch (messageStatus) {
    case 'delivered':
      return { status: 'delivered' };
    case 'read':
      return { status: 'read' };
    case 'undelivered':
    case 'failed':
      return { status: 'failed', reason: describeDeliveryError(messageStatus, errorCode) };
    case 'canceled':
      return { status: 'failed', reason: 'The message was canceled at Twilio before it was sent' };
    default:
      return null;
  }
}
