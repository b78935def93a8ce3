export { createHttpClient, HTTP_DEFAULTS } from "./client.js";
export { redactCredential, redactUrl, safeUrl } from "./errors.js";
export type { HttpClient, HttpClientOptions, HttpMethod, HttpRequest, HttpResponse } from "./types.js";
