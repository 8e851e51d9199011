// The server's routes (serve-api.md). Every path is relative to the page's
// address, /<token>/, so the token goes with every request.

export const enc = (key) => encodeURIComponent(key);

export class ApiError extends Error {
  constructor(status, message, json = null) {
    super(message);
    this.status = status;
    // The refusal itself ({error, help, field}), when it was JSON.
    this.json = json;
  }
}

/** A JSON request; answers {status, json}. 409 (a conflict) is an answer,
 * other failures throw an ApiError with the server's own words. */
export async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
    else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "连不上 jianbao：它是不是已经关掉了？请重新运行 jianbao serve。");
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok || response.status === 409) return { status: response.status, json };
  const message = json && (json.error || json.message) ? [json.error || json.message, json.help].filter(Boolean).join("（") + (json.help ? "）" : "") : text || `HTTP ${response.status}`;
  throw new ApiError(response.status, message, json);
}

export const publication = () => call("GET", "api/publication");
export const newIssue = () => call("POST", "api/issues", {});
export const issue = (key) => call("GET", `api/issues/${enc(key)}`);
export const save = (key, request) => call("PUT", `api/issues/${enc(key)}`, request);
export const fix = (key, base) => call("POST", `api/issues/${enc(key)}/fix`, { base });
export const paste = (key, blocks) => call("POST", "api/paste", { key, blocks });
export const buildAll = () => call("POST", "api/build-all", {});
export const picture = (key, file) =>
  call("POST", `api/issues/${enc(key)}/pictures`, file, {
    "X-File-Name": encodeURIComponent(file.name || "图片"),
    "Content-Type": "application/octet-stream",
  });

export const pageUrl = (key, n, hash, kind = "svg") => `pages/${enc(key)}/${n}.${kind}?v=${enc(hash)}`;
export const downloadUrl = (key, kind) => `download/${enc(key)}.${kind}`;
