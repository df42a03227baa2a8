import { zodResolver } from '@hookform/resolvers/zod';
import { TENANT_ROLES, ZCreateUserRequest, type TCreateUserResponse } from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormAlert } from '../../auth/auth-layout';
import { applyServerErrors } from '../../auth/form-errors';
import { cardClass, ghostButton, primaryButton, selectClass } from '../../ui/classes';
import { Field } from '../../ui/field';
import { useCreateUser } from './user-queries';

/**
 * Invites a user: no password is sent, so the API answers with a one-time link the admin passes on (there is
 * no invitation email yet).
 */
export function InviteUserForm({
  onInvited,
  onCancel,
}: {
  onInvited: (result: TCreateUserResponse) => void;
  onCancel: () => void;
}) {
  const create = useCreateUser();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    resolver: zodResolver(ZCreateUserRequest.omit({ password: true })),
    defaultValues: { email: '', name: '', role: 'AGENT' as const },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      onInvited(await create.mutateAsync(values));
    } catch (err) {
      setFormError(applyServerErrors(err, ['email', 'name', 'role'], form.setError));
    }
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className={`${cardClass} flex flex-col gap-4 p-4`}
      noValidate
      aria-label="Invite a user"
    >
      <FormAlert message={formError} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field
          label="Name"
          id="invite-name"
          autoFocus
          error={errors.name?.message}
          {...form.register('name')}
        />
        <Field
          label="Email"
          id="invite-email"
          type="email"
          error={errors.email?.message}
          {...form.register('email')}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor="invite-role" className="text-sm font-medium text-slate-700 dark:text-slate-300">
            Role
          </label>
          <select id="invite-role" className={selectClass} {...form.register('role')}>
            {TENANT_ROLES.map((r) => (
              <option key={r} value={r}>
                {r.charAt(0) + r.slice(1).toLowerCase()}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Inviting…' : 'Invite'}
        </button>
        <button type="button" className={ghostButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
