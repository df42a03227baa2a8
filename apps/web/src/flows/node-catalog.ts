import {
  CONDITION_ELSE_PORT,
  FLOW_NODE_DATA_SCHEMAS,
  FLOW_NODE_TYPES,
  LOOP_PORTS,
  WAIT_TIMEOUT_PORT,
  type FlowNodeType,
} from '@orbitdesk/shared';
import { defaultValue } from './schema-fields';

/** An output port as the canvas draws it; `id` '' is the node's default output (no sourcePortID). */
export interface NodePort {
  id: string;
  label: string;
}

interface NodeKind {
  label: string;
  hint: string;
  /** Tailwind classes of the node's accent stripe and palette dot. */
  accent: string;
  /** Whether edges may come in (the trigger starts the flow, so nothing does). */
  input: boolean;
  /** Output ports from the node's settings; an empty list means the flow stops there. */
  outputs: (data: Record<string, unknown>) => NodePort[];
  /** The settings a new node starts with. */
  initialData: () => Record<string, unknown>;
}

const DEFAULT_OUT: NodePort[] = [{ id: '', label: 'next' }];
const next = () => DEFAULT_OUT;
const fromSchema = (type: FlowNodeType) => () =>
  defaultValue(FLOW_NODE_DATA_SCHEMAS[type]) as Record<string, unknown>;

/** Condition: one port per branch id (shown with its label), then `else`; a branch without an id has none yet. */
function conditionPorts(data: Record<string, unknown>): NodePort[] {
  const branches = Array.isArray(data.branches) ? (data.branches as unknown[]) : [];
  const ports: NodePort[] = [];
  for (const branch of branches) {
    const raw = (branch ?? {}) as { id?: unknown; label?: unknown };
    const id = typeof raw.id === 'string' ? raw.id.trim() : '';
    if (!id || ports.some((p) => p.id === id)) continue;
    ports.push({ id, label: typeof raw.label === 'string' && raw.label ? raw.label : id });
  }
  return [...ports, { id: CONDITION_ELSE_PORT, label: 'else' }];
}

export const NODE_KINDS: Record<FlowNodeType, NodeKind> = {
  trigger: {
    label: 'Trigger',
    hint: 'Where the flow starts',
    accent: 'bg-emerald-500',
    input: false,
    outputs: next,
    initialData: () => ({}),
  },
  send_message: {
    label: 'Send Message',
    hint: 'Text, template or media',
    accent: 'bg-sky-500',
    input: true,
    outputs: next,
    initialData: () => ({ messageType: 'text', text: '' }),
  },
  condition: {
    label: 'Condition',
    hint: 'Branch on rules',
    accent: 'bg-amber-500',
    input: true,
    outputs: conditionPorts,
    initialData: () => ({
      branches: [
        {
          id: 'yes',
          label: 'Yes',
          combinator: 'AND',
          rules: [{ left: '{{message.text}}', operator: 'contains', right: '', caseSensitive: false }],
        },
      ],
    }),
  },
  delay: {
    label: 'Delay',
    hint: 'Wait some time',
    accent: 'bg-violet-500',
    input: true,
    outputs: next,
    initialData: () => ({ amount: 5, unit: 'minutes' }),
  },
  ai_response: {
    label: 'AI Response',
    hint: 'Answer with the AI agent',
    accent: 'bg-fuchsia-500',
    input: true,
    outputs: next,
    initialData: fromSchema('ai_response'),
  },
  http_request: {
    label: 'HTTP Request',
    hint: 'Call an outside API',
    accent: 'bg-cyan-600',
    input: true,
    outputs: () => [...DEFAULT_OUT, { id: 'error', label: 'error' }],
    initialData: fromSchema('http_request'),
  },
  set_variable: {
    label: 'Set Variable',
    hint: 'Store values in vars',
    accent: 'bg-slate-500',
    input: true,
    outputs: next,
    initialData: fromSchema('set_variable'),
  },
  send_email: {
    label: 'Send Email',
    hint: 'Through an email inbox',
    accent: 'bg-blue-600',
    input: true,
    outputs: next,
    initialData: fromSchema('send_email'),
  },
  send_sms: {
    label: 'Send SMS',
    hint: 'Through Twilio',
    accent: 'bg-rose-500',
    input: true,
    outputs: next,
    initialData: fromSchema('send_sms'),
  },
  voice_call: {
    label: 'Voice Call',
    hint: 'Call and speak a text',
    accent: 'bg-orange-500',
    input: true,
    outputs: next,
    initialData: fromSchema('voice_call'),
  },
  google_sheets: {
    label: 'Google Sheets',
    hint: 'Append a row',
    accent: 'bg-green-600',
    input: true,
    outputs: next,
    initialData: fromSchema('google_sheets'),
  },
  loop: {
    label: 'Loop',
    hint: 'Repeat over a list',
    accent: 'bg-indigo-500',
    input: true,
    outputs: () => [
      { id: LOOP_PORTS.item, label: 'each item' },
      { id: LOOP_PORTS.done, label: 'done' },
    ],
    initialData: fromSchema('loop'),
  },
  end: {
    label: 'End',
    hint: 'Stop the flow',
    accent: 'bg-red-500',
    input: true,
    outputs: () => [],
    initialData: () => ({}),
  },
  wait_for_reply: {
    label: 'Wait for Reply',
    hint: 'Pause until the contact answers',
    accent: 'bg-teal-500',
    input: true,
    outputs: () => [
      { id: '', label: 'reply' },
      { id: WAIT_TIMEOUT_PORT, label: 'timeout' },
    ],
    initialData: () => ({ saveAs: 'reply', timeout: { amount: 1, unit: 'days' } }),
  },
  human_handoff: {
    label: 'Human Handoff',
    hint: 'Assign to people, stop the bot',
    accent: 'bg-pink-600',
    input: true,
    outputs: () => [],
    initialData: fromSchema('human_handoff'),
  },
};

export const PALETTE: readonly FlowNodeType[] = FLOW_NODE_TYPES;

export const isNodeType = (type: unknown): type is FlowNodeType =>
  typeof type === 'string' && (FLOW_NODE_TYPES as readonly string[]).includes(type);
