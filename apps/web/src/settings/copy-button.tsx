import { useEffect, useState } from 'react';
import { secondaryButton } from '../ui/classes';

/** Copies a value to the clipboard and says so for two seconds (announced to screen readers). */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    // The clipboard needs a secure context; on plain http the user can still select the text by hand.
    navigator.clipboard.writeText(value).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };

  return (
    <button type="button" className={`${secondaryButton} shrink-0 py-1`} onClick={copy} aria-live="polite">
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy by hand' : label}
    </button>
  );
}

/** A value shown in a monospace box with a copy button (webhook URLs, tokens, snippets). */
export function CopyValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <div className="flex items-start gap-2">
      <code
        className="min-w-0 flex-1 rounded-md bg-slate-100 px-3 py-1.5 font-mono text-xs break-all whitespace-pre-wrap dark:bg-slate-800"
        aria-label={label}
        data-testid={testId}
      >
        {value}
      </code>
      <CopyButton value={value} />
    </div>
  );
}
