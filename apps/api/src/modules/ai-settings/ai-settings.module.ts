import { Module } from '@nestjs/common';

/** The workspace's AI settings (API). */
@Module({})
export class AiSettingsModule {}
