import type { ComponentProps } from 'react';
import { inputClass } from './classes';

interface FieldProps extends ComponentProps<'input'> {
  label: string;
  error?: string;
}

/** A labelled input with its error underneath, linked for screen readers. */
export function Field({ label, error, id, ...input }: FieldProps) {
  const fieldId = id ?? input.name;
  const errorId = `${fieldId}-error`;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={fieldId} className="text-sm font-medium text-slate-700 dark:text-slate-300">
        {label}
      </label>
      <input
        id={fieldId}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
      />
      {error && (
        <p id={errorId} className="text-xs text-red-600 dark:text-red-400" data-testid={`${fieldId}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
