import {
  FlowNodeEntity,
  WorkflowLineEntity,
  type FreeLayoutPluginContext,
  type FreeLayoutProps,
  type WorkflowNodeRegistry,
} from '@flowgram.ai/free-layout-editor';
import { useMemo, useRef } from 'react';
import { FlowNodeCard } from './flow-node-card';
import type { CanvasJson } from './graph-document';
import { NODE_KINDS, PALETTE } from './node-catalog';

/**
 * Every type takes edges on FlowGram's static input port (except the trigger) and draws its outputs as dynamic
 * ports (see FlowNodeCard), so ports always follow the node's settings.
 */
const NODE_REGISTRIES: WorkflowNodeRegistry[] = PALETTE.map((type) => ({
  type,
  meta: {
    useDynamicPort: true,
    defaultPorts: NODE_KINDS[type].input ? [{ type: 'input' }] : [],
    deleteDisable: type === 'trigger',
  },
}));

const isTyping = () => {
  const el = document.activeElement;
  return (
    el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement
  );
};

/** Deletes the selected edges and nodes (never the trigger: a flow has exactly one). */
function deleteSelection(ctx: FreeLayoutPluginContext) {
  for (const entity of ctx.selection.selection) {
    if (entity instanceof WorkflowLineEntity) entity.dispose();
    else if (entity instanceof FlowNodeEntity && entity.flowNodeType !== 'trigger') entity.dispose();
  }
  ctx.selection.selection = [];
}

/**
 * The FlowGram editor's configuration. Settings live in the builder's own state (NodeDataMap), so the document
 * holds only positions and edges; `onChange` gets its JSON after every change.
 */
export function useFlowEditorProps(
  initial: CanvasJson,
  onChange: (json: CanvasJson) => void,
  onSelect: (nodeId: string | null) => void,
): FreeLayoutProps {
  const handlers = useRef({ onChange, onSelect });
  handlers.current = { onChange, onSelect };

  return useMemo<FreeLayoutProps>(
    () => ({
      background: true,
      readonly: false,
      initialData: initial,
      nodeRegistries: NODE_REGISTRIES,
      materials: { renderDefaultNode: FlowNodeCard },
      nodeEngine: { enable: false },
      history: { enable: true },
      twoWayConnection: false,
      onContentChange: (ctx) => handlers.current.onChange(ctx.document.toJSON()),
      canAddLine: (_ctx, fromPort, toPort) => fromPort.node !== toPort.node,
      canDeleteNode: (_ctx, node) => node.flowNodeType !== 'trigger',
      shortcuts: (registry, ctx) => {
        registry.addHandlers({
          commandId: 'orbitdesk.flow.delete-selection',
          shortcuts: ['backspace', 'delete'],
          isEnabled: () => !isTyping(),
          execute: () => deleteSelection(ctx),
        });
      },
      onInit: (ctx) => {
        ctx.selection.onSelectionChanged(() => {
          const node = ctx.selection.selection.find((e) => e instanceof FlowNodeEntity);
          handlers.current.onSelect(node ? node.id : null);
        });
      },
      onAllLayersRendered: (ctx) => {
        void ctx.tools.fitView(false);
      },
    }),
    // The editor is created once per flow (the page is keyed by it); later changes go through the document.
    [initial],
  );
}
