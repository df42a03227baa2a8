import { useState, type KeyboardEvent } from 'react';
import { addChips } from './chips';

/**
 * A list of short values typed one at a time: Enter or a comma adds what was typed, Backspace in an empty
 * input takes the last one back, each chip has its own remove button.
 */
export function ChipsInput({
  id,
  label,
  value,
  onChange,
  placeholder,
  error,
  disabled,
}: {
  id: string;
  label: string;
  value: string[];
  onChange: (next: string[]) => void;
  placeholder?: string;
  error?: string;
  disabled?: boolean;
}) {
  const [draft, setDraft] = useState('');
  const commit = () => {
    if (!draft.trim()) return;
    onChange(addChips(value, draft));
    setDraft('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      commit();
    } else if (e.key === 'Backspace' && !draft && value.length) {
      onChange(value.slice(0, -1));
    }
  };
  const errorId = `${id}-error`;

  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      <div
        className={`flex flex-wrap items-center gap-1.5 rounded-md border bg-white px-2 py-1.5 shadow-sm focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-500/30 dark:bg-slate-900 ${error ? 'border-red-400 dark:border-red-700' : 'border-slate-300 dark:border-slate-700'}`}
      >
        <ul className="contents">
          {value.map((chip) => (
            <li
              key={chip}
              className="flex items-center gap-1 rounded-full bg-brand-50 px-2 py-0.5 text-xs text-brand-700 dark:bg-slate-800 dark:text-brand-100"
            >
              {chip}
              {!disabled && (
                <button
                  type="button"
                  aria-label={`Remove ${chip}`}
                  onClick={() => onChange(value.filter((c) => c !== chip))}
                >
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
        <input
          id={id}
          className="min-w-32 flex-1 bg-transparent px-1 py-0.5 text-sm placeholder:text-slate-400 focus:outline-none dark:placeholder:text-slate-500"
          value={draft}
          placeholder={placeholder}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={commit}
        />
      </div>
      {error && (
        <p id={errorId} className="text-xs text-red-600 dark:text-red-400" data-testid={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
