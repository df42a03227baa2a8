import { EditorRenderer, FreeLayoutEditorProvider } from '@flowgram.ai/free-layout-editor';
import '@flowgram.ai/free-layout-editor/index.css';
import {
  FLOW_NODE_DATA_SCHEMAS,
  validateFlowGraph,
  ZFlowTrigger,
  type FlowNodeType,
  type TFlow,
  type TFlowGraph,
  type TFlowGraphProblem,
  type TFlowSessionDetail,
  type TFlowSessionLogEntry,
} from '@orbitdesk/shared';
import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ghostButton, primaryButton, secondaryButton } from '../ui/classes';
import { BuilderViewContext, type BuilderView } from './builder-context';
import { useCanvasActions } from './canvas-actions';
import { useFlowEditorProps } from './flow-editor-props';
import { usePublishFlow, useTestFlow, useUpdateFlow } from './flow-queries';
import { FlowStatusBadge } from './flow-status-badge';
import { fromFlowGraph, toFlowGraph, type CanvasJson, type NodeDataMap } from './graph-document';
import { problemsByNode, problemsFromError } from './graph-problems';
import { isNodeType, NODE_KINDS } from './node-catalog';
import { NodeConnections } from './node-connections';
import { DRAG_TYPE, NodePalette } from './node-palette';
import { SchemaForm } from './schema-form';
import { TestRunPanel, type TestRunInput } from './test-run-panel';
import { TriggerSettings } from './trigger-settings';
import { WebhookPanel } from './webhook-panel';

/** A new flow's canvas starts with its trigger, the one node every flow has. */
function withTrigger(graph: TFlowGraph): TFlowGraph {
  if (graph.nodes.some((n) => n.type === 'trigger')) return graph;
  return {
    ...graph,
    nodes: [{ id: 'trigger', type: 'trigger', meta: { position: { x: 0, y: 0 } }, data: {} }, ...graph.nodes],
  };
}

interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

/** The builder for one flow: palette, FlowGram canvas, the selected node's settings, save, publish, test. */
export function FlowBuilder({ flow }: { flow: TFlow }) {
  // The canvas owns the document after loading; saving does not reload it.
  const [start] = useState(() => fromFlowGraph(withTrigger(flow.graph)));
  const [canvas, setCanvas] = useState<CanvasJson>(start.canvas);
  const [data, setData] = useState<NodeDataMap>(start.data);
  const [selected, setSelected] = useState<string | null>(null);
  const [serverProblems, setServerProblems] = useState<TFlowGraphProblem[]>([]);
  const editorProps = useFlowEditorProps(
    start.canvas,
    useCallback((json: CanvasJson) => {
      setCanvas(json);
      setServerProblems([]);
    }, []),
    setSelected,
  );

  const editData = useCallback((update: (data: NodeDataMap) => NodeDataMap) => {
    setData(update);
    setServerProblems([]);
  }, []);

  const graph = useMemo(() => toFlowGraph(canvas, data), [canvas, data]);
  const problems = useMemo(
    () => problemsByNode([...validateFlowGraph(graph), ...serverProblems]),
    [graph, serverProblems],
  );

  return (
    <FreeLayoutEditorProvider {...editorProps}>
      <BuilderBody
        flow={flow}
        canvas={canvas}
        data={data}
        setData={editData}
        graph={graph}
        problems={problems}
        onServerProblems={setServerProblems}
        selected={selected}
      />
    </FreeLayoutEditorProvider>
  );
}

interface BodyProps {
  flow: TFlow;
  canvas: CanvasJson;
  data: NodeDataMap;
  setData: (update: (data: NodeDataMap) => NodeDataMap) => void;
  graph: TFlowGraph;
  problems: Map<string | null, string[]>;
  onServerProblems: (problems: TFlowGraphProblem[]) => void;
  selected: string | null;
}

/** Inside the editor provider, so the palette and the side panel can act on the canvas. */
function BuilderBody({
  flow,
  canvas,
  data,
  setData,
  graph,
  problems,
  onServerProblems,
  selected,
}: BodyProps) {
  const actions = useCanvasActions();
  const update = useUpdateFlow(flow.id);
  const publish = usePublishFlow(flow.id);
  const test = useTestFlow(flow.id);
  const [trigger, setTrigger] = useState(flow.trigger);
  const [priority, setPriority] = useState(flow.priority);
  const [triggerErrors, setTriggerErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [testRun, setTestRun] = useState<TFlowSessionDetail | null>(null);
  const [testError, setTestError] = useState<string | null>(null);

  const steps = useMemo(() => {
    const byNode = new Map<string, TFlowSessionLogEntry[]>();
    for (const step of testRun?.log ?? [])
      byNode.set(step.nodeId, [...(byNode.get(step.nodeId) ?? []), step]);
    return byNode;
  }, [testRun]);
  const view = useMemo<BuilderView>(() => ({ data, problems, steps }), [data, problems, steps]);
  const triggerNode = canvas.nodes.find((n) => n.type === 'trigger');

  const addNode = (type: FlowNodeType, at: { x: number; y: number } | null) =>
    actions.addNode(type, at, selected, (id) =>
      setData((d) => ({ ...d, [id]: NODE_KINDS[type].initialData() })),
    );

  /** Saves the draft with the trigger; a graph the server refuses marks its nodes. */
  const save = async (): Promise<boolean> => {
    setNotice(null);
    const parsed = ZFlowTrigger.safeParse(trigger);
    if (!parsed.success) {
      setTriggerErrors(Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])));
      setNotice({ kind: 'error', text: 'The trigger is not complete' });
      if (triggerNode) actions.select(triggerNode.id);
      return false;
    }
    setTriggerErrors({});
    try {
      await update.mutateAsync({ graph, trigger: parsed.data, priority });
      return true;
    } catch (err) {
      onServerProblems(problemsFromError(err) ?? []);
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : 'Could not save' });
      return false;
    }
  };

  const onSave = async () => {
    if (await save()) setNotice({ kind: 'ok', text: 'Draft saved' });
  };
  const onPublish = async () => {
    if (!(await save())) return;
    try {
      const published = await publish.mutateAsync(undefined);
      setNotice({ kind: 'ok', text: `Published version ${published.publishedVersion ?? ''}` });
    } catch (err) {
      onServerProblems(problemsFromError(err) ?? []);
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : 'Could not publish' });
    }
  };
  const onTest = async (input: TestRunInput) => {
    setTestError(null);
    if (!(await save())) return;
    try {
      setTestRun(
        await test.mutateAsync({
          contact: { name: input.contactName || undefined },
          message: input.message || undefined,
          useDraft: true,
        }),
      );
    } catch (err) {
      onServerProblems(problemsFromError(err) ?? []);
      setTestError(err instanceof Error ? err.message : 'The test run failed');
    }
  };

  const selectedNode = canvas.nodes.find((n) => n.id === selected);
  const selectedType = selectedNode ? String(selectedNode.type) : '';
  const busy = update.isPending || publish.isPending || test.isPending;
  const graphProblems = problems.get(null) ?? [];

  return (
    <BuilderViewContext.Provider value={view}>
      <div className="flex h-full flex-col">
        <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-800 dark:bg-slate-900">
          <Link to="/flows" className={ghostButton}>
            ← Flows
          </Link>
          <h1 className="font-semibold" data-testid="flow-name">
            {flow.name}
          </h1>
          <FlowStatusBadge status={flow.status} />
          {flow.publishedVersion !== null && (
            <span className="text-xs text-slate-500">v{flow.publishedVersion}</span>
          )}
          {notice && (
            <span
              role={notice.kind === 'error' ? 'alert' : 'status'}
              data-testid="builder-notice"
              className={`text-sm ${notice.kind === 'error' ? 'text-red-600 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}
            >
              {notice.text}
            </span>
          )}
          <div className="ml-auto flex gap-2">
            <button type="button" className={ghostButton} onClick={() => actions.fitView()}>
              Fit to screen
            </button>
            <button
              type="button"
              className={secondaryButton}
              onClick={() => void onSave()}
              disabled={busy}
              data-testid="save-draft"
            >
              Save draft
            </button>
            <button
              type="button"
              className={primaryButton}
              onClick={() => void onPublish()}
              disabled={busy}
              data-testid="publish"
            >
              Publish
            </button>
          </div>
        </header>
        <div className="flex min-h-0 flex-1">
          <aside className="w-56 shrink-0 overflow-y-auto border-r border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <NodePalette onAdd={(type) => addNode(type, null)} hasTrigger={triggerNode !== undefined} />
          </aside>
          <div
            // FlowGram paints its background from this variable; follow the app's theme.
            className="relative min-w-0 flex-1 [--g-editor-background:#f1f5f9] dark:[--g-editor-background:#020617]"
            data-testid="flow-canvas"
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
            }}
            onDrop={(e) => {
              const type = e.dataTransfer.getData(DRAG_TYPE);
              if (!isNodeType(type)) return;
              e.preventDefault();
              addNode(type, actions.positionOf(e));
            }}
          >
            <EditorRenderer className="absolute inset-0" />
          </div>
          <aside
            className="flex w-80 shrink-0 flex-col gap-4 overflow-y-auto border-l border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
            aria-label="Settings"
          >
            {graphProblems.length > 0 && (
              <ul
                role="alert"
                className="rounded-md bg-red-50 p-2 text-xs text-red-700 dark:bg-red-950 dark:text-red-300"
              >
                {graphProblems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
            {selectedNode && isNodeType(selectedType) ? (
              <section className="flex flex-col gap-3" aria-label="Selected step" data-testid="node-settings">
                <div className="flex items-center justify-between">
                  <h2 className="text-sm font-semibold">
                    {NODE_KINDS[selectedType].label}{' '}
                    <span className="font-normal text-slate-500">{selectedNode.id}</span>
                  </h2>
                  {selectedType !== 'trigger' && (
                    <button
                      type="button"
                      className={ghostButton}
                      onClick={() => actions.deleteNode(selectedNode.id)}
                    >
                      Delete
                    </button>
                  )}
                </div>
                {(problems.get(selectedNode.id) ?? []).length > 0 && (
                  <ul className="text-xs text-red-600 dark:text-red-400">
                    {problems.get(selectedNode.id)?.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                  </ul>
                )}
                {selectedType === 'trigger' ? (
                  <>
                    <TriggerSettings
                      trigger={trigger}
                      priority={priority}
                      errors={triggerErrors}
                      onChange={(t, p) => {
                        setTrigger(t);
                        setPriority(p);
                      }}
                    />
                    {trigger.type === 'webhook' && <WebhookPanel flow={flow} />}
                  </>
                ) : (
                  <NodeForm
                    key={selectedNode.id}
                    id={selectedNode.id}
                    type={selectedType}
                    data={data}
                    setData={setData}
                  />
                )}
                <NodeConnections
                  nodeId={selectedNode.id}
                  ports={NODE_KINDS[selectedType].outputs(data[selectedNode.id] ?? {})}
                  canvas={canvas}
                  onConnect={(port, target) => actions.connect(selectedNode.id, port, target)}
                  onDisconnect={(port, target) => actions.disconnect(selectedNode.id, port, target)}
                />
              </section>
            ) : (
              <p className="text-sm text-slate-500">
                Select a step to change its settings, or add one from the left.
              </p>
            )}
            <TestRunPanel
              running={test.isPending}
              result={testRun}
              error={testError}
              onRun={(input) => void onTest(input)}
              onShowNode={(id) => actions.select(id)}
            />
          </aside>
        </div>
      </div>
    </BuilderViewContext.Provider>
  );
}

function NodeForm({
  id,
  type,
  data,
  setData,
}: {
  id: string;
  type: FlowNodeType;
  data: NodeDataMap;
  setData: (update: (data: NodeDataMap) => NodeDataMap) => void;
}) {
  const onChange = useCallback(
    (value: Record<string, unknown>) => setData((d) => ({ ...d, [id]: value })),
    [id, setData],
  );
  return <SchemaForm schema={FLOW_NODE_DATA_SCHEMAS[type]} value={data[id] ?? {}} onChange={onChange} />;
}
