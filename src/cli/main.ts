import { parseArgs } from 'node:util';
import { type Command, CommandContext, GLOBAL_HELP, GLOBAL_OPTIONS, type OptionValues } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliFailure, UsageError } from './errors.js';
import { type CliIo, processIo } from './io.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `usage: circlemaker <command> [options]

Operates a circlemaker service through its REST API.

commands:
${lines.join('\n')}

${GLOBAL_HELP}
circlemaker <command> --help shows a command's own options.
`;
}

export function usageOf(command: Command): string {
  return `usage: circlemaker ${command.name} ${command.help}\n${GLOBAL_HELP}`;
}

/** Global options that take a value, so the word after them is not taken for a command word. */
const VALUE_OPTIONS = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);

/** The command named by the first words of `argv` (global options may come before them), and the rest of `argv`. */
function selectCommand(argv: readonly string[]): { command: Command; rest: string[] } | { words: string[] } {
  const wordAt: number[] = [];
  for (let index = 0; index < argv.length && wordAt.length < 2; index += 1) {
    const token = argv[index] ?? '';
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (VALUE_OPTIONS.has(token)) index += 1;
      continue;
    }
    wordAt.push(index);
  }
  const words = wordAt.map((index) => argv[index] ?? '');
  for (const taken of [2, 1]) {
    const name = words.slice(0, taken).join(' ');
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command && words.length >= taken) {
      const skip = new Set(wordAt.slice(0, taken));
      return { command, rest: argv.filter((_, index) => !skip.has(index)) };
    }
  }
  return { words };
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const selected = selectCommand(argv);
  if (!('command' in selected)) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (wantsHelp && selected.words.length === 0) {
      io.stdout(overview());
      return 0;
    }
    const group = COMMANDS.filter((command) => command.name.startsWith(`${selected.words[0]} `));
    const known = group.length ? group.map((command) => command.name).join(', ') : 'circlemaker --help lists them';
    throw new UsageError(`unknown command ${JSON.stringify(selected.words.join(' '))} (${known})`);
  }
  const { command, rest } = selected;
  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...GLOBAL_OPTIONS, ...command.options },
    }));
  } catch (error) {
    // parseArgs' own messages name the option ("Unknown option '--acount'").
    throw new UsageError(error instanceof Error ? error.message : String(error), command.name);
  }
  if (values.help === true) {
    io.stdout(usageOf(command));
    return 0;
  }
  if (positionals.length > command.maxPositionals) {
    throw new UsageError(`unexpected ${JSON.stringify(positionals[command.maxPositionals])}`, command.name);
  }
  return command.run(new CommandContext(command, values, positionals, io));
}

/** One line on stderr and an exit status; the usage too for a usage error. */
function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`circlemaker: ${error.message}\n`);
    const command = COMMANDS.find((candidate) => candidate.name === error.command);
    io.stderr(command ? usageOf(command) : 'circlemaker --help lists the commands\n');
    return EXIT_USAGE;
  }
  if (error instanceof CliFailure) {
    io.stderr(`circlemaker: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  // Not expected: still one line (a stack helps a developer, who can run it under node --inspect).
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr(`circlemaker: ${message.split('\n')[0]}\n`);
  return EXIT_FAILURE;
}

/** Runs the command line `argv` (without node and the script) and answers its exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io);
  }
}
