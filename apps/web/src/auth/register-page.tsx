import { zodResolver } from '@hookform/resolvers/zod';
import { ZRegisterRequest, type TRegisterResponse } from '@orbitdesk/shared';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { publicApi } from '../api/client';
import { primaryButton, secondaryButton } from '../ui/classes';
import { Field } from '../ui/field';
import { AuthLayout, FormAlert } from './auth-layout';
import { applyServerErrors } from './form-errors';

const FIELDS = ['companyName', 'name', 'email', 'password'] as const;

/** Tenant sign-up. The new workspace waits for a superadmin, so success shows that state instead of logging in. */
export function RegisterPage() {
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<TRegisterResponse | null>(null);
  const form = useForm({
    resolver: zodResolver(ZRegisterRequest),
    defaultValues: { companyName: '', name: '', email: '', password: '' },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    try {
      setCreated(await publicApi<TRegisterResponse>('/auth/register', values));
    } catch (err) {
      setFormError(applyServerErrors(err, FIELDS, form.setError));
    }
  });

  if (created) {
    return (
      <AuthLayout title="Waiting for approval">
        <div className="flex flex-col gap-4 text-sm" data-testid="waiting-for-approval">
          <p>
            <strong>{created.tenant.name}</strong> is registered and waiting for approval by the OrbitDesk
            team.
          </p>
          <p className="text-slate-600 dark:text-slate-400">{created.message}</p>
          <p className="text-slate-600 dark:text-slate-400">
            You will log in as <strong>{created.user.email}</strong>.
          </p>
          <Link to="/login" className={secondaryButton}>
            Back to log in
          </Link>
        </div>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Create a workspace">
      <form onSubmit={(e) => void onSubmit(e)} className="flex flex-col gap-4" noValidate>
        <FormAlert message={formError} />
        <Field
          label="Company"
          autoComplete="organization"
          autoFocus
          error={errors.companyName?.message}
          {...form.register('companyName')}
        />
        <Field
          label="Your name"
          autoComplete="name"
          error={errors.name?.message}
          {...form.register('name')}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="email"
          error={errors.email?.message}
          {...form.register('email')}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          error={errors.password?.message}
          {...form.register('password')}
        />
        <button type="submit" className={primaryButton} disabled={isSubmitting}>
          {isSubmitting ? 'Creating…' : 'Create workspace'}
        </button>
        <p className="text-center text-sm text-slate-500 dark:text-slate-400">
          Already registered?{' '}
          <Link to="/login" className="font-medium text-brand-600 hover:underline dark:text-brand-500">
            Log in
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
