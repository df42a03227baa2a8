import { z } from 'zod';
import { ROLES, TENANT_STATUSES } from '../constants/roles.js';

export const ZEmail = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());
export const ZPassword = z.string().min(10, 'must be at least 10 characters').max(200);

export const ZRegisterRequest = z.strictObject({
  companyName: z.string().trim().min(2).max(120),
  name: z.string().trim().min(1).max(120),
  email: ZEmail,
  password: ZPassword,
});
export type TRegisterRequest = z.infer<typeof ZRegisterRequest>;

export const ZRegisterResponse = z.object({
  tenant: z.object({ id: z.uuid(), name: z.string(), slug: z.string(), status: z.enum(TENANT_STATUSES) }),
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
  message: z.string(),
});
export type TRegisterResponse = z.infer<typeof ZRegisterResponse>;

export const ZLoginRequest = z.strictObject({
  email: ZEmail,
  password: z.string().min(1).max(200),
});
export type TLoginRequest = z.infer<typeof ZLoginRequest>;

export const ZAcceptInviteRequest = z.strictObject({
  token: z.string().min(20).max(200),
  password: ZPassword,
});
export type TAcceptInviteRequest = z.infer<typeof ZAcceptInviteRequest>;

export const ZMeResponse = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  tenant: z
    .object({ id: z.uuid(), name: z.string(), slug: z.string(), status: z.enum(TENANT_STATUSES) })
    .nullable(),
});
export type TMeResponse = z.infer<typeof ZMeResponse>;

/** The refresh token never appears here: it travels only in an httpOnly cookie. */
export const ZTokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  user: ZMeResponse,
});
export type TTokenResponse = z.infer<typeof ZTokenResponse>;
