import { applyDecorators, HttpCode, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/**
 * The contract of one route, from the zod schemas in @orbitdesk/shared: validated at runtime (requests and
 * responses) and turned into the OpenAPI document.
 */
export interface RouteContract {
  summary: string;
  description?: string;
  tags?: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** A multipart/form-data upload: the file field's name and what it holds (streamed by the handler itself). */
  upload?: { field: string; description: string };
  /** Omit for routes that answer without a body (204) or with a non-JSON body. */
  response?: z.ZodType;
  status?: number;
  /** Additional documented error statuses with a one-line reason. */
  errors?: Record<number, string>;
}

export const CONTRACT_KEY = 'od:contract';

export function Contract(contract: RouteContract): MethodDecorator {
  const decorators: MethodDecorator[] = [SetMetadata(CONTRACT_KEY, contract)];
  if (contract.status) decorators.push(HttpCode(contract.status));
  return applyDecorators(...decorators);
}
