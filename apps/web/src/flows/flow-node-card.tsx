import {
  useNodeRender,
  WorkflowNodePortsData,
  WorkflowNodeRenderer,
  type WorkflowNodeEntity,
} from '@flowgram.ai/free-layout-editor';
import { useEffect } from 'react';
import { useBuilderView } from './builder-context';
import { isNodeType, NODE_KINDS } from './node-catalog';
import { nodeSummary } from './node-summary';

/**
 * One node on the canvas. Its output ports are the `data-port-id` rows below (FlowGram's dynamic ports), so a
 * Condition grows a port per branch as branches are added; the input port is FlowGram's static one on the left.
 */
export function FlowNodeCard({ node }: { node: WorkflowNodeEntity }) {
  const { selected } = useNodeRender();
  const view = useBuilderView();
  const type = String(node.flowNodeType);
  const kind = isNodeType(type) ? NODE_KINDS[type] : undefined;
  const data = view.data[node.id] ?? {};
  const ports = kind?.outputs(data) ?? [];
  const problems = view.problems.get(node.id) ?? [];
  const steps = view.steps.get(node.id) ?? [];
  const failed = steps.some((s) => s.error);
  const portKey = ports.map((p) => p.id).join('\n');

  // Re-read the port elements when branches come and go (FlowGram only does it when the size changes).
  useEffect(() => {
    node.getData(WorkflowNodePortsData).updateDynamicPorts();
  }, [node, portKey]);

  const ring = problems.length
    ? 'ring-2 ring-red-500'
    : failed
      ? 'ring-2 ring-red-500'
      : steps.length
        ? 'ring-2 ring-emerald-500'
        : selected
          ? 'ring-2 ring-brand-500'
          : 'ring-1 ring-slate-300 dark:ring-slate-700';

  return (
    <WorkflowNodeRenderer
      node={node}
      className={`w-64 rounded-lg bg-white text-slate-800 shadow-sm dark:bg-slate-900 dark:text-slate-100 ${ring}`}
      portPrimaryColor="#4f46e5"
      portSecondaryColor="#94a3b8"
      portErrorColor="#ef4444"
      portBackgroundColor="#ffffff"
    >
      <div
        data-testid="flow-node"
        data-node-id={node.id}
        data-node-type={type}
        data-invalid={problems.length ? 'true' : undefined}
        data-passed={steps.length ? (failed ? 'failed' : 'ok') : undefined}
        className="flex flex-col"
      >
        <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-2 dark:border-slate-800">
          <span className={`size-2.5 shrink-0 rounded-full ${kind?.accent ?? 'bg-slate-400'}`} />
          <span className="truncate text-sm font-semibold">{kind?.label ?? type}</span>
          {steps.length > 0 && (
            <span
              className={`ml-auto rounded px-1.5 text-xs font-medium ${failed ? 'bg-red-100 text-red-700 dark:bg-red-950 dark:text-red-300' : 'bg-emerald-100 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300'}`}
              title="Test run steps"
            >
              #{steps.map((s) => s.step).join(', #')}
            </span>
          )}
        </div>
        <p className="truncate px-3 py-1.5 text-xs text-slate-500 dark:text-slate-400">
          {nodeSummary(type, data) || kind?.hint}
        </p>
        {problems.length > 0 && (
          <ul
            data-testid="node-problems"
            className="border-t border-red-100 px-3 py-1.5 text-xs text-red-600 dark:border-red-900 dark:text-red-400"
          >
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {ports.length > 0 && (
          <div className="flex flex-col border-t border-slate-100 py-1 dark:border-slate-800">
            {ports.map((port) => (
              <div
                key={port.id}
                className="relative flex h-6 items-center justify-end pr-4 text-xs text-slate-500"
              >
                {port.label}
                <span
                  className="absolute right-0 top-1/2 size-0"
                  data-port-id={port.id}
                  data-port-type="output"
                  data-port-location="right"
                />
              </div>
            ))}
          </div>
        )}
      </div>
    </WorkflowNodeRenderer>
  );
}
