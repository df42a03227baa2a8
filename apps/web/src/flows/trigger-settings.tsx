import { FLOW_TRIGGER_TYPES, type FlowTriggerType, type TFlowTrigger } from '@orbitdesk/shared';
import { useState } from 'react';
import { inputClass, selectClass } from '../ui/classes';
import { parseLines } from './schema-form';

export const TRIGGER_LABELS: Record<FlowTriggerType, string> = {
  keyword: 'Keyword in a message',
  message_received: 'Any message (catch-all)',
  contact_created: 'Contact created',
  tag_added: 'Tag added',
  manual: 'Started by hand or API',
  webhook: 'Webhook call',
};

/** A trigger of the given type with empty settings, keeping what the previous one had in common. */
export function triggerOfType(type: FlowTriggerType, previous?: TFlowTrigger): TFlowTrigger {
  switch (type) {
    case 'keyword':
      return {
        type,
        settings: {
          keywords: previous?.type === 'keyword' ? previous.settings.keywords : [],
          match: 'exact',
        },
      };
    case 'tag_added':
      return { type, settings: { tags: [] } };
    case 'message_received':
    case 'contact_created':
    case 'manual':
    case 'webhook':
      return { type, settings: {} };
  }
}

const labelClass = 'text-xs font-medium text-slate-600 dark:text-slate-300';

/** The flow's trigger (stored on the flow, not in the graph) and its priority among keyword flows. */
export function TriggerSettings({
  trigger,
  priority,
  errors,
  onChange,
}: {
  trigger: TFlowTrigger;
  priority: number;
  errors: Record<string, string>;
  onChange: (trigger: TFlowTrigger, priority: number) => void;
}) {
  const [listText, setListText] = useState(() =>
    trigger.type === 'keyword'
      ? trigger.settings.keywords.join('\n')
      : trigger.type === 'tag_added'
        ? trigger.settings.tags.join('\n')
        : '',
  );
  const setList = (text: string) => {
    setListText(text);
    const items = parseLines(text, false) as string[];
    if (trigger.type === 'keyword')
      onChange({ ...trigger, settings: { ...trigger.settings, keywords: items } }, priority);
    if (trigger.type === 'tag_added') onChange({ ...trigger, settings: { tags: items } }, priority);
  };
  const listError = errors['settings.keywords'] ?? errors['settings.tags'];

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-1">
        <label htmlFor="trigger-type" className={labelClass}>
          Starts when
        </label>
        <select
          id="trigger-type"
          data-testid="trigger-type"
          className={selectClass}
          value={trigger.type}
          onChange={(e) => {
            setListText('');
            onChange(triggerOfType(e.target.value as FlowTriggerType, trigger), priority);
          }}
        >
          {FLOW_TRIGGER_TYPES.map((t) => (
            <option key={t} value={t}>
              {TRIGGER_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      {(trigger.type === 'keyword' || trigger.type === 'tag_added') && (
        <div className="flex flex-col gap-1">
          <label htmlFor="trigger-list" className={labelClass}>
            {trigger.type === 'keyword' ? 'Keywords' : 'Tags'}{' '}
            <span className="font-normal text-slate-400">(one per line)</span>
          </label>
          <textarea
            id="trigger-list"
            data-testid="trigger-keywords"
            rows={3}
            className={inputClass}
            value={listText}
            aria-invalid={listError ? true : undefined}
            onChange={(e) => setList(e.target.value)}
          />
          {listError && <p className="text-xs text-red-600 dark:text-red-400">{listError}</p>}
        </div>
      )}
      {trigger.type === 'keyword' && (
        <div className="flex flex-col gap-1">
          <label htmlFor="trigger-match" className={labelClass}>
            Match
          </label>
          <select
            id="trigger-match"
            className={selectClass}
            value={trigger.settings.match}
            onChange={(e) =>
              onChange(
                {
                  ...trigger,
                  settings: { ...trigger.settings, match: e.target.value as 'exact' | 'contains' },
                },
                priority,
              )
            }
          >
            <option value="exact">The whole message is a keyword</option>
            <option value="contains">The message contains a keyword</option>
          </select>
        </div>
      )}
      {(trigger.type === 'keyword' || trigger.type === 'message_received') && (
        <div className="flex flex-col gap-1">
          <label htmlFor="trigger-priority" className={labelClass}>
            Priority{' '}
            <span className="font-normal text-slate-400">(higher wins when several flows match)</span>
          </label>
          <input
            id="trigger-priority"
            type="number"
            className={inputClass}
            value={priority}
            onChange={(e) =>
              onChange(
                trigger,
                Number.isFinite(e.target.valueAsNumber) ? Math.trunc(e.target.valueAsNumber) : 0,
              )
            }
          />
          {errors.priority && <p className="text-xs text-red-600 dark:text-red-400">{errors.priority}</p>}
        </div>
      )}
    </div>
  );
}
