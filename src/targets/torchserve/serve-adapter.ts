import { gpuSummary, launchPreview } from "../../runtime/preview.js";
import { formatDuration } from "../../ui/format.js";
import { fields } from "../../ui/view.js";
import type { ServeAdapter } from "../target.js";
import { planServe, startServe } from "./serve.js";

/** `serve --target torchserve`: config.properties, `torchserve --foreground`, /ping. */
export const torchserveServe: ServeAdapter = {
  defaultName: "torchserve",
  async plan(request, hooks, dryRun) {
    const options = {
      name: request.name,
      runtime: request.runtime,
      modelStore: request.modelStore,
      ports: request.ports,
      image: request.image,
      tokenAuth: !request.options.disableTokenAuth,
      gpus: request.gpus,
    };
    const plan = await planServe(options, hooks, { dryRun });
    return {
      preview: launchPreview(plan, request.gpus),
      async start(startHooks) {
        const started = await startServe(
          plan,
          { ...options, wait: request.wait, timeoutMs: request.timeoutMs, onDebug: request.onDebug },
          { env: startHooks.env, cwd: startHooks.cwd, signal: startHooks.signal },
        );
        const { record } = started;
        return {
          data: {
            ...record,
            ready: started.readyMs !== undefined,
            readyMs: started.readyMs,
            gpuChoice: gpuSummary(request.gpus),
          },
          notes: started.notes,
          summary:
            started.readyMs === undefined
              ? `Started ${record.name} (not waiting for /ping)`
              : `TorchServe ${record.name} is healthy after ${formatDuration(started.readyMs)}`,
          view: {
            quiet: record.name,
            blocks: [
              fields(
                `${record.name}  ${record.runtime}  ${record.pid ? `pid ${record.pid}` : `container ${record.containerId?.slice(0, 12)}`}`,
                [
                  ["inference", record.urls.inference ?? ""],
                  ["management", record.urls.management ?? ""],
                  ["metrics", record.urls.metrics ?? ""],
                  ["model store", record.modelStore],
                  ["gpus", request.gpus.note],
                  ["token auth", record.tokenAuth ? `on (keys in ${record.keyFile}, never printed)` : "off"],
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
