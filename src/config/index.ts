export { ConfigError } from './errors';
export { parseServeConfig, serveSettings, defaultXdsPort, defaultAdminPort, defaultHost } from './serve-config';
export type { ServeConfig, SourceConfig, DebounceConfig } from './serve-config';
export { parseDumpConfig, dumpSettings, dumpRoles, dumpTypes } from './dump-config';
export type { DumpConfig, DumpRole, DumpType, DumpFormat } from './dump-config';
export { describeSettings, logLevels } from './settings';
export type { LogLevel, Setting } from './settings';
export { mtlsSettings, mtlsSettingsOf, defaultMtlsMode, mtlsModes, type MtlsSettings } from './mtls-settings';
