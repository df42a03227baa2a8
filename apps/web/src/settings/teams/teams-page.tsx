import type { TTeam } from '@orbitdesk/shared';
import { useState, type FormEvent } from 'react';
import { useTeams, useUsers } from '../../inbox/queries';
import { cardClass, ghostButton, inputClass, primaryButton, secondaryButton } from '../../ui/classes';
import { EmptyState, ErrorState, Spinner } from '../../ui/states';
import { ConfirmButton } from '../confirm-button';
import { DataTable, MutationError, SectionHeader, tdClass } from '../settings-ui';
import { useCreateTeam, useDeleteTeam, useRenameTeam, useSetTeamMembers } from './team-queries';

/** A team's row: its name (renamed in place), its members (chosen among the active users), delete. */
function TeamRow({ team }: { team: TTeam }) {
  const users = useUsers();
  const rename = useRenameTeam();
  const setMembers = useSetTeamMembers();
  const remove = useDeleteTeam();
  const [name, setName] = useState<string | null>(null);
  const [members, setMembersDraft] = useState<Set<string> | null>(null);
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const memberNames = team.memberIds.map((id) => byId.get(id)?.name ?? 'Unknown user').sort();

  const saveName = (e: FormEvent) => {
    e.preventDefault();
    if (name === null) return;
    rename.mutate({ id: team.id, name }, { onSuccess: () => setName(null) });
  };

  return (
    <tr data-testid="team-row">
      <td className={tdClass}>
        {name === null ? (
          <p className="font-medium" data-testid="team-name">
            {team.name}
          </p>
        ) : (
          <form onSubmit={saveName} className="flex gap-2" aria-label={`Rename ${team.name}`}>
            <input
              className={inputClass}
              aria-label="Team name"
              value={name}
              autoFocus
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" className={primaryButton} disabled={rename.isPending}>
              Save
            </button>
            <button type="button" className={ghostButton} onClick={() => setName(null)}>
              Cancel
            </button>
          </form>
        )}
        <MutationError error={rename.error ?? setMembers.error ?? remove.error} />
      </td>
      <td className={tdClass}>
        {members === null ? (
          <p data-testid="team-members">{memberNames.length ? memberNames.join(', ') : 'Nobody yet'}</p>
        ) : (
          <fieldset className="flex flex-col gap-1" aria-label={`Members of ${team.name}`}>
            {(users.data ?? [])
              .filter((u) => u.isActive || members.has(u.id))
              .map((u) => (
                <label key={u.id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={members.has(u.id)}
                    onChange={(e) => {
                      const next = new Set(members);
                      if (e.target.checked) next.add(u.id);
                      else next.delete(u.id);
                      setMembersDraft(next);
                    }}
                  />
                  {u.name}
                </label>
              ))}
            <span className="mt-1 flex gap-2">
              <button
                type="button"
                className={primaryButton}
                disabled={setMembers.isPending}
                onClick={() =>
                  setMembers.mutate(
                    { id: team.id, userIds: [...members] },
                    { onSuccess: () => setMembersDraft(null) },
                  )
                }
              >
                Save members
              </button>
              <button type="button" className={ghostButton} onClick={() => setMembersDraft(null)}>
                Cancel
              </button>
            </span>
          </fieldset>
        )}
      </td>
      <td className={`${tdClass} text-right whitespace-nowrap`}>
        {name === null && members === null && (
          <span className="inline-flex gap-2">
            <button type="button" className={secondaryButton} onClick={() => setName(team.name)}>
              Rename
            </button>
            <button
              type="button"
              className={secondaryButton}
              onClick={() => setMembersDraft(new Set(team.memberIds))}
            >
              Members
            </button>
            <ConfirmButton
              label="Delete"
              question="Its conversations keep their assignee and lose the team."
              confirmLabel="Delete team"
              pending={remove.isPending}
              onConfirm={() => remove.mutate(team.id)}
            />
          </span>
        )}
      </td>
    </tr>
  );
}

/** Teams: named groups of agents that conversations are assigned to (and flows hand over to). */
export function TeamsPage() {
  const teams = useTeams();
  const create = useCreateTeam();
  const [name, setName] = useState('');

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name, { onSuccess: () => setName('') });
  };

  return (
    <section className="flex flex-col gap-4" aria-label="Teams">
      <SectionHeader title="Teams" />
      <form onSubmit={onCreate} className={`${cardClass} flex flex-col gap-2 p-4`} aria-label="Create a team">
        <div className="flex gap-2">
          <input
            className={inputClass}
            aria-label="New team name"
            placeholder="Team name, e.g. Billing"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button
            type="submit"
            className={`${primaryButton} shrink-0 whitespace-nowrap`}
            disabled={create.isPending || !name.trim()}
          >
            Create team
          </button>
        </div>
        <MutationError error={create.error} />
      </form>
      <div className={cardClass}>
        {teams.isPending ? (
          <div className="p-6">
            <Spinner label="Loading teams" />
          </div>
        ) : teams.isError ? (
          <ErrorState error={teams.error} onRetry={() => void teams.refetch()} />
        ) : teams.data.length === 0 ? (
          <EmptyState title="No teams yet">
            <p>Create one to assign conversations to a group, or to hand them over from a flow.</p>
          </EmptyState>
        ) : (
          <DataTable columns={['Team', 'Members', { label: 'Actions', hidden: true }]}>
            {[...teams.data]
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((t) => (
                <TeamRow key={t.id} team={t} />
              ))}
          </DataTable>
        )}
      </div>
    </section>
  );
}
