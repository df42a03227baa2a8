import type { FlowNodeType } from '@orbitdesk/shared';
import { NODE_KINDS, PALETTE } from './node-catalog';

export const DRAG_TYPE = 'application/x-orbitdesk-flow-node';

/** Every node type: click to add it after the selected node, or drag it onto the canvas. A flow has one trigger. */
export function NodePalette({
  onAdd,
  hasTrigger,
}: {
  onAdd: (type: FlowNodeType) => void;
  hasTrigger: boolean;
}) {
  return (
    <nav aria-label="Node types" className="flex flex-col gap-1 overflow-y-auto p-2">
      <h2 className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Add a step</h2>
      {PALETTE.map((type) => (
        <button
          key={type}
          type="button"
          draggable={!(type === 'trigger' && hasTrigger)}
          disabled={type === 'trigger' && hasTrigger}
          data-testid={`palette-${type}`}
          onDragStart={(e) => {
            e.dataTransfer.setData(DRAG_TYPE, type);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => onAdd(type)}
          className="flex items-start gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-slate-100 focus:outline-none focus:ring-2 focus:ring-brand-500/40 disabled:opacity-40 dark:hover:bg-slate-800"
        >
          <span className={`mt-1.5 size-2 shrink-0 rounded-full ${NODE_KINDS[type].accent}`} />
          <span className="flex flex-col">
            <span className="font-medium">{NODE_KINDS[type].label}</span>
            <span className="text-xs text-slate-500 dark:text-slate-400">{NODE_KINDS[type].hint}</span>
          </span>
        </button>
      ))}
    </nav>
  );
}
