import { useState } from 'react';
import { inputClass, primaryButton, secondaryButton } from '../ui/classes';
import { Popover } from '../ui/popover';

/** `datetime-local` value for a Date, in local time. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function presets(now: Date): { label: string; at: Date }[] {
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return [
    { label: 'In 1 hour', at: new Date(now.getTime() + 3_600_000) },
    { label: 'In 4 hours', at: new Date(now.getTime() + 4 * 3_600_000) },
    { label: 'Tomorrow 9:00', at: tomorrow },
  ];
}

export function SnoozeControl({ onSnooze }: { onSnooze: (until: Date) => void }) {
  const [value, setValue] = useState(() => localInput(new Date(Date.now() + 3_600_000)));
  return (
    <Popover label="Snooze">
      {(close) => (
        <form
          className="flex flex-col gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            onSnooze(new Date(value));
            close();
          }}
        >
          {presets(new Date()).map((p) => (
            <button
              key={p.label}
              type="button"
              className={secondaryButton}
              onClick={() => {
                onSnooze(p.at);
                close();
              }}
            >
              {p.label}
            </button>
          ))}
          <label className="text-xs font-medium text-slate-600 dark:text-slate-400" htmlFor="snooze-until">
            Until
          </label>
          <input
            id="snooze-until"
            type="datetime-local"
            className={inputClass}
            value={value}
            min={localInput(new Date())}
            onChange={(e) => setValue(e.target.value)}
            required
          />
          <button type="submit" className={primaryButton}>
            Snooze
          </button>
        </form>
      )}
    </Popover>
  );
}
