import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import {
  ZAiSettings,
  ZAiSettingsTestResponse,
  ZUpdateAiSettingsRequest,
  type TUpdateAiSettingsRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { AiSettingsService } from './ai-settings.service.js';

@Controller('ai/settings')
@Roles('ADMIN')
export class AiSettingsController {
  constructor(private readonly settings: AiSettingsService) {}

  @Get()
  @Roles('AGENT')
  @Contract({
    summary:
      "The workspace's AI provider, model and message understanding switch (the key only as its last 4)",
    tags: ['AI'],
    response: ZAiSettings,
  })
  get() {
    return this.settings.get();
  }

  @Put()
  @Contract({
    summary: "Set the workspace's AI provider, model, key and message understanding",
    tags: ['AI'],
    body: ZUpdateAiSettingsRequest,
    response: ZAiSettings,
    errors: { 400: 'A provider other than local without an API key, or a base URL that is not allowed' },
  })
  update(@Body() body: TUpdateAiSettingsRequest) {
    return this.settings.update(body);
  }

  @Post('test')
  @Contract({
    summary:
      'Ask the configured provider for one tiny completion (a refusal answers ok: false with its reason)',
    tags: ['AI'],
    response: ZAiSettingsTestResponse,
    status: 200,
  })
  test() {
    return this.settings.test();
  }
}
