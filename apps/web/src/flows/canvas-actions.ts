import { useClientContext, type FreeLayoutPluginContext } from '@flowgram.ai/free-layout-editor';
import type { FlowNodeType } from '@orbitdesk/shared';
import { nextNodeId } from './graph-document';

const NODE_WIDTH = 256;
const GAP = 96;

/** Where a clicked palette item lands: right of the selected node, else right of the rightmost one. */
function nextPosition(ctx: FreeLayoutPluginContext, after: string | null) {
  const nodes = ctx.document.getAllNodes().filter((n) => n.id !== 'root');
  const anchor = (after && nodes.find((n) => n.id === after)) || undefined;
  const positions = nodes.map((n) => ctx.document.toNodeJSON(n).meta?.position ?? { x: 0, y: 0 });
  if (anchor) {
    const p = ctx.document.toNodeJSON(anchor).meta?.position ?? { x: 0, y: 0 };
    return { x: p.x + NODE_WIDTH + GAP, y: p.y };
  }
  if (!positions.length) return { x: 0, y: 0 };
  const right = positions.reduce((a, b) => (b.x > a.x ? b : a));
  return { x: right.x + NODE_WIDTH + GAP, y: right.y };
}

/** Canvas operations the palette and side panel use; they go through FlowGram's document, so undo works. */
export function useCanvasActions() {
  const ctx = useClientContext();
  return {
    /** `prepare` stores the new node's settings before the canvas draws it. */
    addNode(
      type: FlowNodeType,
      at: { x: number; y: number } | null,
      after: string | null,
      prepare: (id: string) => void,
    ) {
      const id = nextNodeId(
        type,
        ctx.document.getAllNodes().map((n) => n.id),
      );
      prepare(id);
      const node = ctx.document.createWorkflowNodeByType(type, at ?? nextPosition(ctx, after), { id });
      ctx.selection.selection = [node];
    },
    positionOf(event: { clientX: number; clientY: number }) {
      return ctx.playground.config.getPosFromMouseEvent(event);
    },
    connect(from: string, fromPort: string, to: string) {
      ctx.document.linesManager.createLine({ from, fromPort: fromPort || undefined, to });
    },
    disconnect(from: string, fromPort: string, to: string) {
      ctx.document.linesManager
        .getAllLines()
        .find((l) => l.from?.id === from && (l.info.fromPort ?? '') === fromPort && l.to?.id === to)
        ?.dispose();
    },
    deleteNode(id: string) {
      ctx.document.getNode(id)?.dispose();
    },
    fitView() {
      void ctx.tools.fitView(true);
    },
    select(id: string) {
      const node = ctx.document.getNode(id);
      if (node) ctx.selection.selection = [node];
    },
  };
}
