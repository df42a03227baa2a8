import { createContext, useContext } from 'react';
import type { TFlowSessionLogEntry } from '@orbitdesk/shared';
import type { NodeDataMap } from './graph-document';

/** What the canvas nodes draw besides their position: settings, problems and the last test run's steps. */
export interface BuilderView {
  data: NodeDataMap;
  problems: Map<string | null, string[]>;
  /** The test run's steps by node id, in the order they ran. */
  steps: Map<string, TFlowSessionLogEntry[]>;
}

export const BuilderViewContext = createContext<BuilderView>({
  data: {},
  problems: new Map(),
  steps: new Map(),
});

export const useBuilderView = () => useContext(BuilderViewContext);
