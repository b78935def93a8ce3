import { gpuSummary, launchPreview } from "../../runtime/preview.js";
import { formatDuration } from "../../ui/format.js";
import { fields } from "../../ui/view.js";
import type { ServeAdapter } from "../target.js";
import { planTritonServe, startTritonServe } from "./serve.js";

/** `serve --target triton`: tritonserver in explicit model-control mode, HTTP on 127.0.0.1. */
export const tritonServe: ServeAdapter = {
  defaultName: "triton",
  async plan(request, hooks, dryRun) {
    const options = {
      name: request.name,
      runtime: request.runtime,
      repository: (request.options.repository as string | undefined) ?? request.modelStore,
      ports: request.ports,
      image: request.image,
      gpus: request.gpus,
    };
    const plan = await planTritonServe(options, hooks.env, hooks.cwd, { dryRun });
    return {
      preview: launchPreview(plan, request.gpus),
      async start(startHooks) {
        const started = await startTritonServe(
          plan,
          {
            ...options,
            wait: request.wait,
            timeoutMs: request.timeoutMs,
            signal: startHooks.signal,
            onDebug: request.onDebug,
          },
          startHooks.env,
        );
        const { record } = started;
        return {
          data: {
            ...record,
            ready: started.readyMs !== undefined,
            readyMs: started.readyMs,
            gpuChoice: gpuSummary(request.gpus),
          },
          summary:
            started.readyMs === undefined
              ? `Started ${record.name}`
              : `Triton ${record.name} is live after ${formatDuration(started.readyMs)}`,
          view: {
            quiet: record.name,
            blocks: [
              fields(
                `${record.name}  triton  ${record.runtime}  ${record.pid ? `pid ${record.pid}` : `container ${record.containerId?.slice(0, 12)}`}`,
                [
                  ["http", `${record.urls.http}  (v2 inference and repository API)`],
                  ["metrics", record.urls.metrics ?? ""],
                  [
                    "repository",
                    `${record.modelStore}  (explicit model control: mserve deploy loads models)`,
                  ],
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
