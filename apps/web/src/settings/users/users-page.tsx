import { TENANT_ROLES, type TCreateUserResponse, type TUser } from '@orbitdesk/shared';
import { useState } from 'react';
import { useCurrentUser } from '../../auth/use-session';
import { cardClass, compactSelectClass, primaryButton, secondaryButton } from '../../ui/classes';
import { fullTime } from '../../ui/format';
import { EmptyState, ErrorState, Spinner } from '../../ui/states';
import { ConfirmButton } from '../confirm-button';
import { SecretOnce } from '../secret-once';
import { Badge, DataTable, MutationError, SectionHeader, tdClass } from '../settings-ui';
import { InviteUserForm } from './invite-user-form';
import { useDeactivateUser, useUpdateUser, useWorkspaceUsers } from './user-queries';

const roleLabel = (role: string) => role.charAt(0) + role.slice(1).toLowerCase();

function UserRow({ user, isMe }: { user: TUser; isMe: boolean }) {
  const update = useUpdateUser();
  const deactivate = useDeactivateUser();
  return (
    <tr data-testid="user-row">
      <td className={tdClass}>
        <p className="font-medium">
          {user.name}
          {isMe && <span className="ml-1 text-xs text-slate-500">(you)</span>}
        </p>
        <p className="text-xs text-slate-500">{user.email}</p>
        <MutationError error={update.error ?? deactivate.error} />
      </td>
      <td className={tdClass}>
        <select
          className={compactSelectClass}
          aria-label={`Role of ${user.name}`}
          value={user.role}
          disabled={isMe || update.isPending}
          title={isMe ? 'You cannot change your own role' : undefined}
          onChange={(e) =>
            update.mutate({ id: user.id, body: { role: e.target.value as (typeof TENANT_ROLES)[number] } })
          }
        >
          {TENANT_ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </td>
      <td className={tdClass}>
        {!user.isActive ? (
          <Badge tone="slate">Deactivated</Badge>
        ) : user.invitePending ? (
          <Badge tone="amber">Invited</Badge>
        ) : (
          <Badge tone="green">Active</Badge>
        )}
      </td>
      <td className={tdClass}>{user.lastLoginAt ? fullTime(user.lastLoginAt) : 'Never'}</td>
      <td className={`${tdClass} text-right`}>
        {isMe ? null : user.isActive ? (
          <ConfirmButton
            label="Deactivate"
            question={`${user.name} is signed out everywhere.`}
            confirmLabel="Deactivate"
            pending={deactivate.isPending}
            onConfirm={() => deactivate.mutate(user.id)}
          />
        ) : (
          <button
            type="button"
            className={secondaryButton}
            disabled={update.isPending}
            onClick={() => update.mutate({ id: user.id, body: { isActive: true } })}
          >
            Reactivate
          </button>
        )}
      </td>
    </tr>
  );
}

/** The workspace's people: invite, change roles, deactivate. */
export function UsersPage() {
  const me = useCurrentUser();
  const users = useWorkspaceUsers();
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<TCreateUserResponse | null>(null);
  const items = users.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="flex flex-col gap-4" aria-label="Users and roles">
      <SectionHeader title="Users and roles">
        {!inviting && (
          <button type="button" className={primaryButton} onClick={() => setInviting(true)}>
            Invite a user
          </button>
        )}
      </SectionHeader>
      {invited?.inviteUrl && (
        <SecretOnce
          title={`Invitation link for ${invited.user.email}`}
          secret={invited.inviteUrl}
          onDismiss={() => setInvited(null)}
        />
      )}
      {inviting && (
        <InviteUserForm
          onCancel={() => setInviting(false)}
          onInvited={(result) => {
            setInvited(result);
            setInviting(false);
          }}
        />
      )}
      <div className={cardClass}>
        {users.isPending ? (
          <div className="p-6">
            <Spinner label="Loading users" />
          </div>
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title="No users yet" />
        ) : (
          <DataTable columns={['User', 'Role', 'State', 'Last login', { label: 'Actions', hidden: true }]}>
            {items.map((u) => (
              <UserRow key={u.id} user={u} isMe={u.id === me.id} />
            ))}
          </DataTable>
        )}
        {users.hasNextPage && (
          <div className="border-t border-slate-100 p-3 text-center dark:border-slate-800">
            <button
              type="button"
              className={secondaryButton}
              disabled={users.isFetchingNextPage}
              onClick={() => void users.fetchNextPage()}
            >
              {users.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
