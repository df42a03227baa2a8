import { lazy, Suspense } from 'react';
import { useParams } from 'react-router';
import { ErrorState, Spinner } from '../ui/states';
import { useFlow } from './flow-queries';

// The FlowGram editor is most of the app's weight: only people who open a flow download it.
const FlowBuilder = lazy(() => import('./flow-builder').then((m) => ({ default: m.FlowBuilder })));

const Loading = ({ label }: { label: string }) => (
  <div className="p-8">
    <Spinner label={label} />
  </div>
);

/** /flows/:flowId: loads the flow, then the builder (keyed by the flow, so switching flows starts afresh). */
export function FlowBuilderPage() {
  const { flowId = '' } = useParams();
  const flow = useFlow(flowId);
  if (flow.isPending) return <Loading label="Loading the flow" />;
  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  return (
    <Suspense fallback={<Loading label="Loading the builder" />}>
      <FlowBuilder key={flow.data.id} flow={flow.data} />
    </Suspense>
  );
}
