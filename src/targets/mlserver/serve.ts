import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { V2Client } from "../../protocols/v2/client.js";
import { describeChoice } from "../../runtime/gpus.js";
import { serverWorkDir, validateServerName } from "../../runtime/home.js";
import { chooseNamedPorts } from "../../runtime/ports.js";
import { gpuSummary, launchPreview } from "../../runtime/preview.js";
import { startRecorded } from "../../runtime/start-recorded.js";
import { formatDuration } from "../../ui/format.js";
import { fields } from "../../ui/view.js";
import type { ServeAdapter } from "../target.js";
import { locateMlserver, requireMlserver } from "./locate.js";
import {
  DEFAULT_MLSERVER_PORTS,
  dockerMlserverPlan,
  localMlserverPlan,
  type MlserverLaunchPlan,
} from "./runtime.js";

/** `serve --target mlserver`: `mlserver start` on a repository folder, HTTP on 127.0.0.1. */
export const mlserverServe: ServeAdapter = {
  defaultName: "mlserver",
  async plan(request, hooks, dryRun) {
    validateServerName(request.name);
    const workDir = serverWorkDir(hooks.env, request.name);
    const folder = (request.options.repository as string | undefined) ?? request.modelStore;
    const inputs = {
      name: request.name,
      repository: folder ? resolve(hooks.cwd, folder) : `${workDir}/model-repository`,
      workDir,
      ports: await chooseNamedPorts(request.ports, DEFAULT_MLSERVER_PORTS, "MLServer"),
      parallelWorkers: request.options.parallelWorkers as number | undefined,
      gpus: request.gpus.choice,
    };
    let plan: MlserverLaunchPlan;
    if (request.runtime === "docker") plan = dockerMlserverPlan(inputs, request.image);
    else {
      const install = dryRun
        ? (locateMlserver(hooks.env, hooks.cwd) ?? { bin: "mlserver" })
        : requireMlserver(hooks.env, hooks.cwd);
      plan = localMlserverPlan(inputs, install);
    }
    return {
      preview: launchPreview(plan, request.gpus),
      async start(startHooks) {
        for (const folder of plan.folders) await mkdir(folder, { recursive: true });
        const client = new V2Client(plan.urls.http, {
          server: "MLServer",
          timeoutMs: 2_000,
          signal: startHooks.signal,
          onDebug: request.onDebug,
        });
        let started: Awaited<ReturnType<typeof startRecorded>>;
        try {
          started = await startRecorded(
            {
              record: {
                name: request.name,
                target: "mlserver",
                runtime: plan.runtime,
                urls: plan.urls,
                ports: { ...plan.ports },
                workDir: plan.cwd,
                logFile: plan.logFile,
                configFile: "",
                modelStore: plan.repository,
                tokenAuth: false,
                gpus: describeChoice(request.gpus.choice),
                command: [plan.file, ...plan.args],
              },
              runtime: plan.runtime,
              file: plan.file,
              args: plan.args,
              cwd: plan.cwd,
              env: { ...startHooks.env, ...plan.env },
              logFile: plan.logFile,
              ports: { ...plan.ports },
              probe: () => client.live(),
              what: `MLServer ${request.name} to answer /v2/health/live`,
              label: "mlserver",
            },
            {
              env: startHooks.env,
              wait: request.wait,
              timeoutMs: request.timeoutMs,
              signal: startHooks.signal,
            },
          );
        } finally {
          await client.close();
        }
        const { record, readyMs } = started;
        return {
          data: { ...record, ready: readyMs !== undefined, readyMs, gpuChoice: gpuSummary(request.gpus) },
          summary:
            readyMs === undefined
              ? `Started ${record.name}`
              : `MLServer ${record.name} is live after ${formatDuration(readyMs)}`,
          view: {
            quiet: record.name,
            blocks: [
              fields(
                `${record.name}  mlserver  ${record.runtime}  ${record.pid ? `pid ${record.pid}` : `container ${record.containerId?.slice(0, 12)}`}`,
                [
                  ["http", `${record.urls.http}  (v2 inference and repository API)`],
                  ["metrics", `${record.urls.metrics}/metrics`],
                  ["repository", `${record.modelStore}  (mserve deploy loads models)`],
                  ["gpus", request.gpus.note],
                  ["logs", `mserve logs ${record.name}`],
                ],
              ),
            ],
          },
        };
      },
    };
  },
};
