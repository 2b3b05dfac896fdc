export function main(argv: string[]): void {
  console.error(`tower: not yet implemented (${argv.join(' ')})`);
  process.exitCode = 1;
}
