import { ZChatAgentPreviewRequest } from '@orbitdesk/shared';
import { useState, type FormEvent } from 'react';
import { MutationError } from '../settings/settings-ui';
import { cardClass, inputClass, primaryButton } from '../ui/classes';
import { usePreviewChatAgent } from './chat-agent-queries';
import { citedSources } from './citations';

/** Try the saved agent on one message: its reply, the sources it cites, and whether it would hand off. */
export function ChatAgentPreview({ agentId }: { agentId: string }) {
  const preview = usePreviewChatAgent(agentId);
  const [message, setMessage] = useState('');
  const [asked, setAsked] = useState('');
  const [error, setError] = useState<string | null>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = ZChatAgentPreviewRequest.safeParse({ message });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Type a message');
      return;
    }
    setError(null);
    setAsked(parsed.data.message);
    preview.mutate(parsed.data.message);
  };
  const result = preview.data;
  const sources = result ? citedSources(result.citations) : [];

  return (
    <section
      className={`${cardClass} flex flex-col gap-3 p-4`}
      aria-label="Preview"
      data-testid="agent-preview"
    >
      <div>
        <h2 className="font-semibold">Preview</h2>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Runs the saved agent on one message. Nothing is sent and no tool runs; save changes first.
        </p>
      </div>
      <form onSubmit={onSubmit} className="flex flex-col gap-2" noValidate>
        <label htmlFor="preview-message" className="text-sm font-medium text-slate-700 dark:text-slate-300">
          Customer message
        </label>
        <textarea
          id="preview-message"
          rows={3}
          className={inputClass}
          value={message}
          placeholder="How long does shipping take?"
          aria-invalid={error ? true : undefined}
          onChange={(e) => setMessage(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) onSubmit(e);
          }}
        />
        {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
        <button type="submit" className={`${primaryButton} self-start`} disabled={preview.isPending}>
          {preview.isPending ? 'Thinking…' : 'Try it'}
        </button>
      </form>
      <MutationError error={preview.error} />
      {result && !preview.isPending && (
        <div
          className="flex flex-col gap-2 text-sm"
          data-testid="preview-result"
          data-handoff={result.handoff}
        >
          <p className="self-end rounded-2xl bg-slate-100 px-3 py-1.5 dark:bg-slate-800">{asked}</p>
          <p
            className="rounded-2xl bg-brand-600 px-3 py-2 whitespace-pre-wrap text-white"
            data-testid="preview-reply"
          >
            {result.reply}
          </p>
          {sources.length > 0 ? (
            <div>
              <p className="text-xs font-medium text-slate-500 dark:text-slate-400">Sources</p>
              <ul className="flex flex-wrap gap-1" data-testid="preview-citations">
                {sources.map(({ id, name }) => (
                  <li key={id} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">
                    {name}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="text-xs text-slate-500 dark:text-slate-400">No sources cited.</p>
          )}
          <p
            data-testid="preview-handoff"
            className={`rounded-md px-2 py-1 text-xs ${result.handoff ? 'bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200' : 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200'}`}
          >
            {result.handoff ? 'Would hand the conversation to a human' : 'Would answer by itself'}
          </p>
          {result.fallbackUsed && (
            <p className="text-xs text-amber-700 dark:text-amber-300">
              This is the fallback reply: the provider failed or the agent ran out of steps.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
