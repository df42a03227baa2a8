import { ZFlowWebhookSecretRequest, type TFlow } from '@orbitdesk/shared';
import { useState } from 'react';
import { inputClass, secondaryButton } from '../ui/classes';
import { useRegenerateWebhookToken, useSetWebhookSecret } from './flow-queries';

/** The webhook trigger's URL (copy, regenerate) and its optional signing secret (set, clear). */
export function WebhookPanel({ flow }: { flow: TFlow }) {
  const regenerate = useRegenerateWebhookToken(flow.id);
  const setSecret = useSetWebhookSecret(flow.id);
  const [secret, setSecretText] = useState('');
  const [secretError, setSecretError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  // The clipboard API exists only on secure origins (https or localhost).
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  if (!flow.webhookUrl) {
    return <p className="text-xs text-slate-500">Save the draft to get this flow&apos;s webhook URL.</p>;
  }

  const saveSecret = (value: string | null) => {
    const parsed = ZFlowWebhookSecretRequest.safeParse({ secret: value });
    if (!parsed.success) {
      setSecretError(`Secret ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
      return;
    }
    setSecretError(null);
    setSecret.mutate(parsed.data.secret, {
      onSuccess: () => setSecretText(''),
      onError: (err) => setSecretError(err.message),
    });
  };

  return (
    <section className="flex flex-col gap-2" aria-label="Webhook">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Webhook</h3>
      <code
        data-testid="webhook-url"
        className="break-all rounded bg-slate-100 px-2 py-1 text-xs dark:bg-slate-800"
      >
        {flow.webhookUrl}
      </code>
      <div className="flex gap-2">
        <button type="button" className={secondaryButton} onClick={() => void copy(flow.webhookUrl ?? '')}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button
          type="button"
          className={secondaryButton}
          disabled={regenerate.isPending}
          onClick={() => {
            if (confirm('The current URL stops working at once. Make a new one?')) regenerate.mutate();
          }}
        >
          New URL
        </button>
      </div>
      {regenerate.error && <p className="text-xs text-red-600">{regenerate.error.message}</p>}
      <p className="text-xs text-slate-500" data-testid="webhook-secret-state">
        {flow.webhookSecretSet
          ? 'Calls must be signed (x-hub-signature-256: sha256=<hex>).'
          : 'Calls are not signed.'}
      </p>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          saveSecret(secret);
        }}
      >
        <input
          type="password"
          aria-label="Signing secret"
          placeholder="New signing secret"
          autoComplete="off"
          className={inputClass}
          value={secret}
          onChange={(e) => setSecretText(e.target.value)}
        />
        <button type="submit" className={secondaryButton} disabled={setSecret.isPending}>
          Set
        </button>
      </form>
      {flow.webhookSecretSet && (
        <button
          type="button"
          className={secondaryButton}
          onClick={() => saveSecret(null)}
          disabled={setSecret.isPending}
        >
          Stop requiring signatures
        </button>
      )}
      {secretError && <p className="text-xs text-red-600 dark:text-red-400">{secretError}</p>}
    </section>
  );
}
