import { selectClass, ghostButton } from '../ui/classes';
import type { CanvasJson } from './graph-document';
import { isNodeType, NODE_KINDS, type NodePort } from './node-catalog';

/**
 * The selected node's outgoing edges, port by port, with a picker to add one: the keyboard's way to wire a
 * flow (dragging between ports on the canvas does the same).
 */
export function NodeConnections({
  nodeId,
  ports,
  canvas,
  onConnect,
  onDisconnect,
}: {
  nodeId: string;
  ports: NodePort[];
  canvas: CanvasJson;
  onConnect: (port: string, target: string) => void;
  onDisconnect: (port: string, target: string) => void;
}) {
  const targets = canvas.nodes.filter((n) => n.id !== nodeId && n.type !== 'trigger');
  const labelOf = (id: string) => {
    const node = canvas.nodes.find((n) => n.id === id);
    const type = String(node?.type);
    return `${isNodeType(type) ? NODE_KINDS[type].label : type} (${id})`;
  };
  if (!ports.length) return null;
  return (
    <section className="flex flex-col gap-2" aria-label="Connections">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Goes to</h3>
      {ports.map((port) => {
        const linked = canvas.edges
          .filter((e) => e.sourceNodeID === nodeId && String(e.sourcePortID ?? '') === port.id)
          .map((e) => e.targetNodeID);
        return (
          <div key={port.id} className="flex flex-col gap-1 text-sm">
            <span className="text-xs font-medium text-slate-600 dark:text-slate-300">{port.label}</span>
            {linked.map((target) => (
              <div key={target} className="flex items-center justify-between gap-2 text-xs">
                <span>→ {labelOf(target)}</span>
                <button
                  type="button"
                  className={ghostButton}
                  onClick={() => onDisconnect(port.id, target)}
                  aria-label={`Remove the ${port.label} edge to ${target}`}
                >
                  Remove
                </button>
              </div>
            ))}
            <select
              aria-label={`Connect ${port.label} to`}
              data-testid={`connect-${port.id || 'next'}`}
              className={selectClass}
              value=""
              onChange={(e) => e.target.value && onConnect(port.id, e.target.value)}
            >
              <option value="">Connect to…</option>
              {targets
                .filter((n) => !linked.includes(n.id))
                .map((n) => (
                  <option key={n.id} value={n.id}>
                    {labelOf(n.id)}
                  </option>
                ))}
            </select>
          </div>
        );
      })}
    </section>
  );
}
