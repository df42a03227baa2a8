import type { ReactNode } from 'react';

export interface CheckboxOption {
  value: string;
  label: string;
  /** Shown under the label (a description, a warning). */
  hint?: ReactNode;
}

/** A multi-select as a list of labelled checkboxes: every option is reachable by keyboard and screen reader. */
export function CheckboxList({
  legend,
  options,
  value,
  onChange,
  error,
  empty,
  disabled,
  testId,
}: {
  legend: string;
  options: CheckboxOption[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  error?: string;
  /** Shown instead of the list when there is nothing to choose. */
  empty?: ReactNode;
  disabled?: boolean;
  testId?: string;
}) {
  const toggle = (option: string, on: boolean) =>
    onChange(on ? [...value, option] : value.filter((v) => v !== option));
  return (
    <fieldset className="flex flex-col gap-2" disabled={disabled} data-testid={testId}>
      <legend className="mb-1 text-sm font-medium text-slate-700 dark:text-slate-300">{legend}</legend>
      {options.length === 0 ? (
        <div className="text-sm text-slate-500 dark:text-slate-400">{empty}</div>
      ) : (
        <div className="grid gap-2 sm:grid-cols-2">
          {options.map((o) => (
            <label key={o.value} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-brand-600"
                checked={value.includes(o.value)}
                onChange={(e) => toggle(o.value, e.target.checked)}
              />
              <span>
                {o.label}
                {o.hint && <span className="block text-xs text-slate-500 dark:text-slate-400">{o.hint}</span>}
              </span>
            </label>
          ))}
        </div>
      )}
      {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
    </fieldset>
  );
}
