// pattern: Imperative Shell
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`packetwalk: not yet: ${argv.join(' ')}\n`);
  return 2;
}
