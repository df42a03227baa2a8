import { useState } from 'react';
import { ghostButton, secondaryButton } from '../ui/classes';

const dangerButton =
  'inline-flex items-center justify-center gap-1.5 rounded-md bg-red-600 px-3 py-2 text-sm font-medium text-white ' +
  'hover:bg-red-700 disabled:cursor-not-allowed disabled:opacity-50';

/**
 * A destructive action asked twice: the first click shows what will happen and a confirm button, so a stray
 * click (or Enter) never deletes anything.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  pending,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className={secondaryButton} onClick={() => setAsking(true)} disabled={pending}>
        {label}
      </button>
    );
  return (
    <span className="inline-flex flex-wrap items-center gap-2" role="group" aria-label={question}>
      <span className="text-sm text-slate-600 dark:text-slate-300">{question}</span>
      <button
        type="button"
        className={dangerButton}
        disabled={pending}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className={ghostButton} onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
    </span>
  );
}
