import { z } from 'zod';
import { TENANT_ROLES } from '../constants/roles.js';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';
import { ZEmail, ZPassword } from './auth.js';

export const ZUser = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(TENANT_ROLES),
  isActive: z.boolean(),
  invitePending: z.boolean(),
  lastLoginAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
});
export type TUser = z.infer<typeof ZUser>;

/** Without a password the user is invited: the response carries a one-time link to set one. */
export const ZCreateUserRequest = z.strictObject({
  email: ZEmail,
  name: z.string().trim().min(1).max(120),
  role: z.enum(TENANT_ROLES),
  password: ZPassword.optional(),
});
export type TCreateUserRequest = z.infer<typeof ZCreateUserRequest>;

export const ZCreateUserResponse = z.object({ user: ZUser, inviteUrl: z.string().nullable() });
export type TCreateUserResponse = z.infer<typeof ZCreateUserResponse>;

export const ZUpdateUserRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(120).optional(),
    role: z.enum(TENANT_ROLES).optional(),
    isActive: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type TUpdateUserRequest = z.infer<typeof ZUpdateUserRequest>;

export const ZListUsersQuery = ZCursorQuery.extend({
  search: z.string().trim().min(1).max(100).optional(),
  role: z.enum(TENANT_ROLES).optional(),
});
export type TListUsersQuery = z.infer<typeof ZListUsersQuery>;

export const ZUserPage = ZPage(ZUser);
export type TUserPage = z.infer<typeof ZUserPage>;
