import { cardClass } from '../ui/classes';

export function KpiCard({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: number;
  hint?: string;
  testId: string;
}) {
  return (
    <div className={`${cardClass} p-4`} data-testid={testId}>
      <p className="text-sm text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`${testId}-value`}>
        {value.toLocaleString()}
      </p>
      {hint && <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </div>
  );
}
