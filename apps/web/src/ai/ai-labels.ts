import type { AiAgentMode, AiAgentTool, AiProvider, MessageIntent } from '@orbitdesk/shared';

export const PROVIDER_LABELS: Record<AiProvider, string> = {
  local: 'Local (offline)',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  mistral: 'Mistral',
  deepseek: 'DeepSeek',
  xai: 'xAI',
};

export const LOCAL_PROVIDER_HINT =
  'Runs inside OrbitDesk with no API key and no network: simple, predictable answers for trying things out. ' +
  'Pick a hosted provider for real conversations.';

export const MODE_LABELS: Record<AiAgentMode, string> = { rag: 'Knowledge (RAG)', tools: 'Tool calling' };

export const MODE_DESCRIPTIONS: Record<AiAgentMode, string> = {
  rag: 'Answers from the chosen knowledge bases and cites its sources; says so when they do not hold the answer.',
  tools:
    'Can act in your workspace with the tools you allow (look up or update the contact, book, start a flow), ' +
    'one step at a time up to the iteration limit.',
};

export const TOOL_DESCRIPTIONS: Record<AiAgentTool, { label: string; description: string }> = {
  lookup_crm: {
    label: 'Look up the contact',
    description: 'Reads the contact’s fields, tags and custom fields.',
  },
  update_contact: {
    label: 'Update the contact',
    description: 'Changes the contact’s name, email, tags or custom fields.',
  },
  book_appointment: {
    label: 'Book an appointment',
    description: 'Adds an appointment for the contact at a time they agree to.',
  },
  trigger_flow: { label: 'Start a flow', description: 'Runs one of your flows for this contact by name.' },
  update_conversation: {
    label: 'Update the conversation',
    description: 'Changes its status or priority, or adds tags.',
  },
};

export const INTENT_LABELS: Record<MessageIntent, string> = {
  question: 'Question',
  complaint: 'Complaint',
  purchase: 'Purchase',
  support: 'Support',
  billing: 'Billing',
  feedback: 'Feedback',
  greeting: 'Greeting',
  spam: 'Spam',
  other: 'Other',
};

/** One colour per intent, for chips (Tailwind classes, light and dark) and charts (hex). */
export const INTENT_COLORS: Record<MessageIntent, { chip: string; hex: string }> = {
  question: { chip: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-200', hex: '#0ea5e9' },
  complaint: { chip: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200', hex: '#ef4444' },
  purchase: {
    chip: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
    hex: '#10b981',
  },
  support: { chip: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-200', hex: '#8b5cf6' },
  billing: { chip: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200', hex: '#f59e0b' },
  feedback: { chip: 'bg-teal-100 text-teal-800 dark:bg-teal-950 dark:text-teal-200', hex: '#14b8a6' },
  greeting: { chip: 'bg-pink-100 text-pink-800 dark:bg-pink-950 dark:text-pink-200', hex: '#ec4899' },
  spam: { chip: 'bg-slate-300 text-slate-800 dark:bg-slate-700 dark:text-slate-100', hex: '#64748b' },
  other: { chip: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300', hex: '#94a3b8' },
};
