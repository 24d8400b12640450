// The staff API, same origin as the page. The session token lives in this tab's sessionStorage only (never
// localStorage, never a cookie, never a URL) and travels as a bearer header, so no other site can make the
// browser send it (no CSRF).

export const SESSION_KEY = "vssid.console.session";
// This file is served at <root>/console/api.js; the API is at <root>/v1/… (<root> is "" locally and the
// stage, "/v1", on API Gateway's own URL).
const API_ROOT = new URL("../", import.meta.url);

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || (status >= 500 ? "UNAVAILABLE" : "ERROR");
    this.messageVi = error.message_vi || "";
    this.fields = error.fields || {};
    this.retryAfter = null;
  }
}

export class NetworkError extends Error {}

export class SessionEndedError extends Error {}

let onSessionEnded = () => {};
let expiryTimer = null;

export function whenSessionEnds(callback) {
  onSessionEnded = callback;
}

export function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (stored && Date.parse(stored.expires_at) > Date.now()) return stored;
  } catch {
    // a damaged entry is no session
  }
  return null;
}

function keepSession(value) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  armExpiry(value);
}

export function armExpiry(value = session()) {
  clearTimeout(expiryTimer);
  if (!value) return;
  const left = Date.parse(value.expires_at) - Date.now();
  // setTimeout holds at most ~24.8 days; a staff session lasts hours.
  expiryTimer = setTimeout(() => endSession("expired"), Math.max(0, Math.min(left, 2 ** 31 - 1)));
}

export function endSession(reason) {
  clearTimeout(expiryTimer);
  const had = sessionStorage.getItem(SESSION_KEY) !== null;
  sessionStorage.removeItem(SESSION_KEY);
  if (had || reason === "expired") onSessionEnded(reason);
}

function url(path, query) {
  const target = new URL(path.replace(/^\//, ""), API_ROOT);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
  }
  return target;
}

export async function api(method, path, { body, query, idempotencyKey, signedIn = true } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  if (signedIn) {
    const current = session();
    if (!current) {
      endSession("expired");
      throw new SessionEndedError();
    }
    headers.Authorization = `Bearer ${current.staff_token}`;
  }
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new NetworkError();
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (response.status === 401 && signedIn) {
    endSession("expired");
    throw new SessionEndedError();
  }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed);
    error.retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw error;
  }
  return parsed;
}

export async function signIn(username, password, totp) {
  const answer = await api("POST", "v1/admin/auth/login", { body: { username, password, totp }, signedIn: false });
  keepSession({
    staff_token: answer.staff_token,
    expires_at: answer.expires_at,
    username: answer.username || username,
    office_code: answer.office_code || "",
  });
  return session();
}

export async function signOut() {
  const current = session();
  if (current) {
    try {
      await fetch(url("v1/admin/auth/logout"), {
        method: "POST",
        headers: { Authorization: `Bearer ${current.staff_token}`, "Content-Type": "application/json" },
        body: "{}",
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      // signed out here whatever the server heard; the token expires by itself
    }
  }
  endSession("signedout");
}

export function newIdempotencyKey() {
  return `console-${crypto.randomUUID()}`;
}
