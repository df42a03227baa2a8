import { zodResolver } from '@hookform/resolvers/zod';
import { ZAcceptInviteRequest } from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router';
import { publicApi } from '../api/client';
import { primaryButton, secondaryButton } from '../ui/classes';
import { Field } from '../ui/field';
import { AuthLayout, FormAlert } from './auth-layout';
import { applyServerErrors } from './form-errors';

const FIELDS = ['password'] as const;

/** The invitation link's page: the invited user sets a password, then logs in. */
export function AcceptInvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const form = useForm({
    resolver: zodResolver(ZAcceptInviteRequest),
    defaultValues: { token, password: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      await publicApi('/auth/accept-invite', values);
      setDone(true);
    } catch (err) {
      setFormError(applyServerErrors(err, FIELDS, form.setError));
    }
  });

  if (done) {
    return (
      <AuthLayout title="Password set">
        <div className="flex flex-col gap-4 text-sm" data-testid="invite-accepted">
          <p>Your password is set. Log in with your email address and the new password.</p>
          <Link to="/login" className={primaryButton}>
            Log in
          </Link>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Join your team">
      <form onSubmit={(e) => void onSubmit(e)} className="flex flex-col gap-4" noValidate>
        <FormAlert
          message={
            formError ??
            (token ? null : 'This link has no invitation token: open the link from the invitation.')
          }
        />
        <Field
          label="Choose a password"
          type="password"
          autoComplete="new-password"
          autoFocus
          error={errors.password?.message ?? errors.token?.message}
          {...form.register('password')}
        />
        <button type="submit" className={primaryButton} disabled={isSubmitting || !token}>
          Set password
        </button>
        <Link to="/login" className={secondaryButton}>
          Back to log in
        </Link>
      </form>
    </AuthLayout>
  );
}
