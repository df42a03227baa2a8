import { ZTenantDecisionRequest, type TTenant } from '@orbitdesk/shared';
import { useState } from 'react';
import { ghostButton, inputClass, primaryButton, secondaryButton } from '../ui/classes';
import { useTenantDecision, type TenantDecision } from './queries';

/** The decisions each status allows, as the API's transitions define them. */
const ACTIONS: Record<TTenant['status'], TenantDecision[]> = {
  PENDING: ['approve', 'reject'],
  ACTIVE: ['suspend'],
  SUSPENDED: ['reactivate'],
  REJECTED: ['reactivate'],
};

const LABEL: Record<TenantDecision, string> = {
  approve: 'Approve',
  reject: 'Reject',
  suspend: 'Suspend',
  reactivate: 'Reactivate',
};

/** Decisions that take away access ask for an optional reason, which the tenant's users see at login. */
const ASKS_REASON = new Set<TenantDecision>(['reject', 'suspend']);

export function TenantActions({ tenant }: { tenant: TTenant }) {
  const decide = useTenantDecision();
  const [asking, setAsking] = useState<TenantDecision | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  const run = async (decision: TenantDecision) => {
    setError(null);
    const parsed = ZTenantDecisionRequest.safeParse(reason.trim() ? { reason } : {});
    if (!parsed.success) {
      setError(`Reason: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    try {
      await decide.mutateAsync({ id: tenant.id, decision, reason: parsed.data.reason });
      setAsking(null);
      setReason('');
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The decision failed');
    }
  };

  return (
    <div className="flex flex-col gap-1">
      {asking ? (
        <form
          className="flex flex-wrap items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            void run(asking);
          }}
          onKeyDown={(e) => e.key === 'Escape' && setAsking(null)}
        >
          <input
            aria-label={`Reason to ${asking} ${tenant.name}`}
            placeholder="Reason (optional)"
            className={`${inputClass} max-w-48 py-1`}
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="submit" className={primaryButton} disabled={decide.isPending}>
            {LABEL[asking]}
          </button>
          <button type="button" className={ghostButton} onClick={() => setAsking(null)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="flex gap-1">
          {ACTIONS[tenant.status].map((decision) => (
            <button
              key={decision}
              type="button"
              className={decision === 'approve' ? primaryButton : secondaryButton}
              disabled={decide.isPending}
              aria-label={`${LABEL[decision]} ${tenant.name}`}
              onClick={() => (ASKS_REASON.has(decision) ? setAsking(decision) : void run(decision))}
            >
              {LABEL[decision]}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
