/**
 * A configuration or usage error: the message names the flag, environment
 * variable or file at fault; the CLI prints it and exits with `exitCode`
 * (2, the conventional code for bad usage).
 */
export class ConfigError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'ConfigError';
    this.exitCode = exitCode;
  }
}
