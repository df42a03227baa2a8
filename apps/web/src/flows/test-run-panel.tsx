import type { TFlowSessionDetail } from '@orbitdesk/shared';
import { useState } from 'react';
import { inputClass, primaryButton } from '../ui/classes';

export interface TestRunInput {
  contactName: string;
  message: string;
}

const show = (value: unknown) =>
  value === undefined || value === null ? '' : JSON.stringify(value, null, 2);

/** Runs the draft for a made-up contact (nothing is sent) and lists each step with its output or error. */
export function TestRunPanel({
  running,
  result,
  error,
  onRun,
  onShowNode,
}: {
  running: boolean;
  result: TFlowSessionDetail | null;
  error: string | null;
  onRun: (input: TestRunInput) => void;
  onShowNode: (nodeId: string) => void;
}) {
  const [input, setInput] = useState<TestRunInput>({ contactName: 'Test Contact', message: '' });
  return (
    <section className="flex flex-col gap-2" aria-label="Test run">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Test run</h3>
      <form
        className="flex flex-col gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          onRun(input);
        }}
      >
        <input
          aria-label="Test contact name"
          className={inputClass}
          value={input.contactName}
          onChange={(e) => setInput({ ...input, contactName: e.target.value })}
        />
        <input
          aria-label="Test message"
          placeholder="The message the contact sends"
          className={inputClass}
          value={input.message}
          onChange={(e) => setInput({ ...input, message: e.target.value })}
        />
        <button type="submit" className={primaryButton} disabled={running} data-testid="run-test">
          {running ? 'Running…' : 'Save and test'}
        </button>
      </form>
      {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      {result && (
        <div className="flex flex-col gap-1" data-testid="test-result">
          <p className="text-xs">
            Session <strong data-testid="test-status">{result.status}</strong>
            {result.error && <span className="text-red-600 dark:text-red-400">: {result.error}</span>}
          </p>
          <ol className="flex flex-col gap-1">
            {result.log.map((step) => (
              <li
                key={step.step}
                data-testid="test-step"
                className="rounded border border-slate-200 p-1.5 text-xs dark:border-slate-700"
              >
                <button
                  type="button"
                  className="font-medium text-brand-600 hover:underline"
                  onClick={() => onShowNode(step.nodeId)}
                >
                  #{step.step} {step.nodeId}
                </button>{' '}
                <span className="text-slate-500">
                  {step.nodeType} · {step.durationMs} ms
                </span>
                {step.error ? (
                  <p className="text-red-600 dark:text-red-400">{step.error}</p>
                ) : (
                  show(step.output) && (
                    <pre className="mt-1 max-h-32 overflow-auto whitespace-pre-wrap text-[11px]">
                      {show(step.output)}
                    </pre>
                  )
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
