/**
 * What the adapter needs once it talks to a server (the HTTP client, the
 * management calls, the predictor), loaded as one piece on first use so that
 * packaging, validating and init do not load it.
 */
export { readiness } from "./client.js";
export { connect, selectionOf } from "./connect.js";
export { describeAll, describeModel, registerArchive, unregisterModel, waitForWorkers } from "./manage.js";
export { workerPlacement } from "./placement.js";
export { torchservePredictor } from "./predictor.js";
export { modelsView, unregisterView } from "./views.js";
