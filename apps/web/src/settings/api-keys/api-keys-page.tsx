import type { TApiKey, TCreateApiKeyResponse } from '@orbitdesk/shared';
import { useState } from 'react';
import { cardClass, primaryButton } from '../../ui/classes';
import { fullTime } from '../../ui/format';
import { EmptyState, QueryStates } from '../../ui/states';
import { ConfirmButton } from '../confirm-button';
import { SecretOnce } from '../secret-once';
import { Badge, DataTable, MutationError, SectionHeader, tdClass } from '../settings-ui';
import { useApiKeys, useRevokeApiKey } from './api-key-queries';
import { CreateApiKeyForm } from './create-api-key-form';

function keyState(key: TApiKey): { tone: 'green' | 'red' | 'slate'; label: string } {
  if (key.revokedAt) return { tone: 'red', label: 'Revoked' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return { tone: 'slate', label: 'Expired' };
  return { tone: 'green', label: 'Active' };
}

/** API keys: the raw key of a new one is shown once, here, and never again. */
export function ApiKeysPage() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TCreateApiKeyResponse | null>(null);

  return (
    <section className="flex flex-col gap-4" aria-label="API keys">
      <SectionHeader title="API keys">
        {!creating && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New API key
          </button>
        )}
      </SectionHeader>
      {created && (
        <SecretOnce
          title={`Your new key "${created.name}"`}
          secret={created.key}
          testId="raw-api-key"
          onDismiss={() => setCreated(null)}
        />
      )}
      {creating && (
        <CreateApiKeyForm
          onCancel={() => setCreating(false)}
          onCreated={(key) => {
            setCreated(key);
            setCreating(false);
          }}
        />
      )}
      <MutationError error={revoke.error} />
      <div className={cardClass}>
        <QueryStates
          query={keys}
          loadingLabel="Loading API keys"
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState title="No API keys yet">
              <p>Keys let your own systems call the API with the scopes you choose.</p>
            </EmptyState>
          }
        >
          {(data) => (
            <DataTable
              columns={['Name', 'Key', 'Scopes', 'Last used', 'State', { label: 'Actions', hidden: true }]}
            >
              {data.map((key) => {
                const state = keyState(key);
                return (
                  <tr key={key.id} data-testid="api-key-row">
                    <td className={tdClass}>
                      <p className="font-medium">{key.name}</p>
                      <p className="text-xs text-slate-500">Created {fullTime(key.createdAt)}</p>
                    </td>
                    <td className={`${tdClass} font-mono text-xs`}>{key.prefix}…</td>
                    <td className={tdClass}>
                      <ul className="flex flex-wrap gap-1">
                        {key.scopes.map((s) => (
                          <li
                            key={s}
                            className="rounded bg-slate-100 px-1.5 font-mono text-xs dark:bg-slate-800"
                          >
                            {s}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td className={tdClass}>{key.lastUsedAt ? fullTime(key.lastUsedAt) : 'Never'}</td>
                    <td className={tdClass}>
                      <Badge tone={state.tone}>{state.label}</Badge>
                    </td>
                    <td className={`${tdClass} text-right`}>
                      {!key.revokedAt && (
                        <ConfirmButton
                          label="Revoke"
                          question="Calls with this key will fail at once."
                          confirmLabel="Revoke key"
                          pending={revoke.isPending}
                          onConfirm={() => revoke.mutate(key.id)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )}
        </QueryStates>
      </div>
    </section>
  );
}
