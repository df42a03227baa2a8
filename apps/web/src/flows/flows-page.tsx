import { FLOW_TRIGGER_TYPES, type FlowTriggerType } from '@orbitdesk/shared';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { cardClass, inputClass, primaryButton, secondaryButton, selectClass } from '../ui/classes';
import { fullTime, shortTime } from '../ui/format';
import { EmptyState, QueryStates } from '../ui/states';
import { useCreateFlow, useFlowList } from './flow-queries';
import { FlowStatusBadge } from './flow-status-badge';
import { parseLines } from './schema-form';
import { TRIGGER_LABELS, triggerOfType } from './trigger-settings';

/** /flows: every flow with its status, trigger and last change; a new one is made here and opened. */
export function FlowsPage() {
  const flows = useFlowList();
  const [creating, setCreating] = useState(false);
  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-4 p-6">
      <div className="flex items-center justify-between">
        <h1 className="text-xl font-semibold">Flows</h1>
        <button type="button" className={primaryButton} onClick={() => setCreating(true)} disabled={creating}>
          New flow
        </button>
      </div>
      {creating && <CreateFlowForm onCancel={() => setCreating(false)} />}
      <div className={cardClass}>
        <QueryStates
          query={flows}
          loadingLabel="Loading flows"
          isEmpty={(d) => d.items.length === 0}
          empty={
            <EmptyState title="No flows yet">
              Create one to answer messages, route them or call other systems.
            </EmptyState>
          }
        >
          {(data) => (
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-4 py-2 font-medium">Name</th>
                  <th className="px-4 py-2 font-medium">Status</th>
                  <th className="px-4 py-2 font-medium">Trigger</th>
                  <th className="px-4 py-2 font-medium">Updated</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((flow) => (
                  <tr
                    key={flow.id}
                    data-testid="flow-row"
                    className="border-t border-slate-100 dark:border-slate-800"
                  >
                    <td className="px-4 py-2">
                      <Link
                        to={`/flows/${flow.id}`}
                        className="font-medium text-brand-600 hover:underline dark:text-brand-500"
                      >
                        {flow.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <FlowStatusBadge status={flow.status} />
                    </td>
                    <td className="px-4 py-2 text-slate-600 dark:text-slate-300">
                      {TRIGGER_LABELS[flow.trigger.type]}
                      {flow.trigger.type === 'keyword' && (
                        <span className="text-slate-400"> · {flow.trigger.settings.keywords.join(', ')}</span>
                      )}
                    </td>
                    <td className="px-4 py-2 text-slate-500" title={fullTime(flow.updatedAt)}>
                      {shortTime(flow.updatedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryStates>
      </div>
    </div>
  );
}

/** Name and trigger, the two things a flow needs before its canvas opens. */
function CreateFlowForm({ onCancel }: { onCancel: () => void }) {
  const create = useCreateFlow();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [type, setType] = useState<FlowTriggerType>('keyword');
  const [list, setList] = useState('');
  const [error, setError] = useState<string | null>(null);

  const onSubmit = async () => {
    setError(null);
    const items = parseLines(list.replace(/,/g, '\n'), false) as string[];
    const trigger = triggerOfType(type);
    if (trigger.type === 'keyword') trigger.settings.keywords = items;
    if (trigger.type === 'tag_added') trigger.settings.tags = items;
    try {
      const flow = await create.mutateAsync({ name, trigger, priority: 0 });
      await navigate(`/flows/${flow.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not create the flow');
    }
  };

  return (
    <form
      className={`${cardClass} flex flex-wrap items-end gap-3 p-4`}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      <div className="flex min-w-48 flex-1 flex-col gap-1">
        <label htmlFor="flow-name" className="text-sm font-medium">
          Name
        </label>
        <input
          id="flow-name"
          className={inputClass}
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoFocus
          required
        />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="flow-trigger" className="text-sm font-medium">
          Trigger
        </label>
        <select
          id="flow-trigger"
          className={selectClass}
          value={type}
          onChange={(e) => setType(e.target.value as FlowTriggerType)}
        >
          {FLOW_TRIGGER_TYPES.map((t) => (
            <option key={t} value={t}>
              {TRIGGER_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      {(type === 'keyword' || type === 'tag_added') && (
        <div className="flex min-w-48 flex-1 flex-col gap-1">
          <label htmlFor="flow-keywords" className="text-sm font-medium">
            {type === 'keyword' ? 'Keywords' : 'Tags'}{' '}
            <span className="font-normal text-slate-400">(comma separated)</span>
          </label>
          <input
            id="flow-keywords"
            className={inputClass}
            value={list}
            onChange={(e) => setList(e.target.value)}
          />
        </div>
      )}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          Create
        </button>
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p role="alert" data-testid="form-error" className="w-full text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
