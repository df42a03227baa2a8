import { HttpException, HttpStatus } from '@nestjs/common';
import type { z } from 'zod';

/** An error whose message is safe to show the caller; `details` carries structured context (field errors, ...). */
export class AppError extends HttpException {
  constructor(
    status: number,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message, status);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(HttpStatus.BAD_REQUEST, message, details);
export const unauthorized = (message = 'Authentication required') =>
  new AppError(HttpStatus.UNAUTHORIZED, message);
export const forbidden = (message: string) => new AppError(HttpStatus.FORBIDDEN, message);
/** Another tenant's record answers exactly like a missing one. */
export const notFound = (what: string) => new AppError(HttpStatus.NOT_FOUND, `${what} not found`);
export const conflict = (message: string, details?: unknown) =>
  new AppError(HttpStatus.CONFLICT, message, details);
export const unprocessable = (message: string, details?: unknown) =>
  new AppError(HttpStatus.UNPROCESSABLE_ENTITY, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(
    HttpStatus.TOO_MANY_REQUESTS,
    message,
    { retryAfterSeconds },
    { 'retry-after': String(retryAfterSeconds) },
  );

export interface FieldIssue {
  path: string;
  message: string;
}

/** Turns zod issues into `where: what` lines; unknown properties are named. */
export function describeIssues(where: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return {
        path,
        message: `unknown propert${issue.keys.length > 1 ? 'ies' : 'y'}: ${issue.keys.join(', ')}`,
      };
    }
    return { path, message: issue.message };
  });
}

export function validationError(issues: FieldIssue[]): AppError {
  const message = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return badRequest(`Validation failed: ${message}`, { issues });
}
