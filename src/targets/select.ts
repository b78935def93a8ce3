import { projectTargetHint } from "../config/find-project.js";
import { MserveError, usageError } from "../errors.js";
import { listRecords, readRecord, recordState } from "../runtime/records.js";
import type { ServerRecord } from "../runtime/types.js";
import { descriptorOf, isTargetId, TARGET_IDS, TARGETS, type TargetId } from "./table.js";
import type { TargetDescriptor, Verb } from "./target.js";

export interface TargetChoice {
  verb: Verb;
  /** --target */
  target?: string;
  /** --server: a recorded server, whose kind it is. */
  server?: string;
  /** --url: an address mserve did not start; TorchServe's when nothing else says. */
  url?: string;
  /** The kind a registry version was made for, when the command names one. */
  modelTarget?: string;
  /** --config: the project file to read `target:` from. */
  config?: string;
  /** Whether the verb talks to a running server, so that the running ones may decide. */
  needsServer: boolean;
}

export interface Chosen {
  id: TargetId;
  descriptor: TargetDescriptor;
  /** How it was chosen, for --debug. */
  reason: string;
}

const urlOf = (r: ServerRecord) =>
  r.urls.management ?? r.urls.http ?? r.urls.rest ?? Object.values(r.urls)[0] ?? "";

/** Servers `mserve serve` started whose process is alive. */
export async function runningServers(env: NodeJS.ProcessEnv): Promise<ServerRecord[]> {
  const running: ServerRecord[] = [];
  for (const record of (await listRecords(env)).records)
    if ((await recordState(record)) === "running") running.push(record);
  return running;
}

function checkId(id: string, from: string): TargetId {
  if (isTargetId(id)) return id;
  throw usageError(`unknown target "${id}" (${from})`, `Targets: ${TARGET_IDS.join(", ")}.`);
}

/**
 * Which target a command goes to, decided once: --target, else the kind of
 * --server, else the registry version's kind, else MSERVE_TARGET, else
 * mserve.yaml's `target:`, else the kind of the servers running. Several running kinds and nothing to choose by is
 * exit 2 with the list: a command never guesses which server to reach.
 */
export async function chooseTarget(
  choice: TargetChoice,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Chosen> {
  const pick = (id: string, reason: string): Chosen => {
    const checked = checkId(id, reason);
    return { id: checked, descriptor: descriptorOf(checked), reason };
  };
  if (choice.target) return pick(choice.target, "--target");
  const server = choice.server ?? (choice.url ? undefined : env.MSERVE_SERVER);
  if (server && choice.needsServer) {
    const record = await readRecord(env, server);
    return pick(record.target, `the kind of server ${server}`);
  }
  if (choice.modelTarget && isTargetId(choice.modelTarget))
    return pick(choice.modelTarget, "the registry version's target");
  if (env.MSERVE_TARGET) return pick(env.MSERVE_TARGET, "MSERVE_TARGET");
  const hint = await projectTargetHint(choice.config, cwd);
  if (hint?.target) return pick(hint.target, `target: in ${hint.file}`);
  if (choice.needsServer && !choice.url) {
    const running = await runningServers(env);
    const kinds = [...new Set(running.map((r) => r.target))];
    if (kinds.length === 1) return pick(kinds[0] as string, "the kind of the servers running");
    if (kinds.length > 1) {
      throw new MserveError(
        "USAGE",
        `${running.length} servers of ${kinds.length} kinds are running; say which one \`${choice.verb}\` is for`,
        {
          hint: `Pass --target or --server:\n${running.map((r) => `    ${r.name.padEnd(12)} ${r.target.padEnd(10)} ${urlOf(r)}`).join("\n")}`,
          details: { servers: running.map((r) => ({ name: r.name, target: r.target, url: urlOf(r) })) },
        },
      );
    }
  }
  return pick("torchserve", "the default");
}

/** A verb the target cannot do is exit 2, with what to do instead; it never falls through to another server. */
export function requireVerb(chosen: Chosen, verb: Verb): void {
  const { descriptor } = chosen;
  if ((descriptor.capabilities as readonly string[]).includes(verb)) return;
  const able = Object.values(TARGETS)
    .filter((d) => (d.capabilities as readonly string[]).includes(verb))
    .map((d) => d.id);
  const instead = descriptor.unavailable?.[verb];
  throw new MserveError("USAGE", `\`${verb}\` is not available for ${descriptor.id}`, {
    hint: `${instead ? `${instead} ` : ""}(\`${verb}\` works with: ${able.join(", ") || "no target"}.)`,
  });
}
