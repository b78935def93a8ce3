/**
 * Shell completion scripts generated from a plain description of the command
 * tree, so they never drift from the real flags.
 */

export interface OptionSpec {
  long?: string | undefined;
  short?: string | undefined;
  description: string;
  takesValue: boolean;
  choices?: readonly string[] | undefined;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  /** Values for the first positional argument, when it is an enumeration. */
  argChoices?: readonly string[] | undefined;
}

export type Shell = "bash" | "zsh" | "fish";

const flagsOf = (o: OptionSpec) => [o.long, o.short].filter((f): f is string => Boolean(f));
const quote = (s: string) => s.replace(/'/g, "'\\''");

function bash(program: string, globals: OptionSpec[], commands: CommandSpec[]): string {
  const fn = `_${program.replace(/\W/g, "_")}`;
  const cases = commands
    .map((c) => {
      const opts = c.options.flatMap(flagsOf).join(" ");
      const valueCases = c.options
        .filter((o) => o.choices)
        .map(
          (o) =>
            `        ${flagsOf(o).join("|")}) COMPREPLY=($(compgen -W "${o.choices?.join(" ")}" -- "$cur")); return ;;`,
        )
        .join("\n");
      const args = c.argChoices
        ? `COMPREPLY=($(compgen -W "${c.argChoices.join(" ")}" -- "$cur"))`
        : `COMPREPLY=($(compgen -f -- "$cur"))`;
      const valueSwitch = valueCases ? `      case "$prev" in\n${valueCases}\n      esac\n` : "";
      return `    ${c.name})\n${valueSwitch}      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${opts}" -- "$cur")); else ${args}; fi ;;`;
    })
    .join("\n");
  return `# bash completion for ${program}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(" ")} ${globals.flatMap(flagsOf).join(" ")} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
}
complete -o default -F ${fn} ${program}
`;
}

function zshOption(o: OptionSpec): string {
  const desc = quote(o.description).replace(/[[\]:]/g, "\\$&");
  const value = o.takesValue ? `:value:${o.choices ? `(${o.choices.join(" ")})` : "_files"}` : "";
  const flags = flagsOf(o);
  if (flags.length > 1) return `'(${flags.join(" ")})'{${flags.join(",")}}'[${desc}]${value}'`;
  return `'${flags[0]}[${desc}]${value}'`;
}

function zsh(program: string, globals: OptionSpec[], commands: CommandSpec[]): string {
  const list = commands.map((c) => `    '${c.name}:${quote(c.description).replace(/:/g, "\\:")}'`).join("\n");
  const cases = commands
    .map((c) => {
      const args = c.options.map((o) => `        ${zshOption(o)}`);
      args.push(
        c.argChoices ? `        '1:argument:(${c.argChoices.join(" ")})'` : "        '*:file:_files'",
      );
      return `    ${c.name})\n      _arguments \\\n${args.join(" \\\n")} ;;`;
    })
    .join("\n");
  return `#compdef ${program}
_${program}() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    if [[ $words[2] == -* ]]; then
      compadd -- ${globals.flatMap(flagsOf).join(" ")} --help
    else
      _describe 'command' commands
    fi
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
compdef _${program} ${program}
`;
}

function fish(program: string, globals: OptionSpec[], commands: CommandSpec[]): string {
  const lines = [`# fish completion for ${program}`, `complete -c ${program} -f`];
  for (const o of globals) {
    const flags = [
      o.long && `-l ${o.long.replace(/^--/, "")}`,
      o.short && `-s ${o.short.replace(/^-/, "")}`,
    ].filter(Boolean);
    lines.push(
      `complete -c ${program} -n __fish_use_subcommand ${flags.join(" ")} -d '${quote(o.description)}'`,
    );
  }
  for (const c of commands) {
    lines.push(`complete -c ${program} -n __fish_use_subcommand -a ${c.name} -d '${quote(c.description)}'`);
  }
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    if (c.argChoices) lines.push(`complete -c ${program} ${when} -a '${c.argChoices.join(" ")}'`);
    else lines.push(`complete -c ${program} ${when} -F`);
    for (const o of c.options) {
      const parts = [`complete -c ${program} ${when}`];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, "")}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, "")}`);
      if (o.takesValue) parts.push(o.choices ? `-x -a '${o.choices.join(" ")}'` : "-r");
      parts.push(`-d '${quote(o.description)}'`);
      lines.push(parts.join(" "));
    }
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(
  shell: Shell,
  program: string,
  globals: OptionSpec[],
  commands: CommandSpec[],
): string {
  const generators = { bash, zsh, fish };
  return generators[shell](program, globals, commands);
}
