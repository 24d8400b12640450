// The counter console: sign-in, the office's queue, one registration and its decision, the citizen help
// desk and the feedback inbox. Plain ES modules, no build step; every text from i18n.js; data is only ever
// put into the page as text (textContent), never as HTML.

import {
  ApiError, NetworkError, SESSION_KEY, SessionEndedError, api, armExpiry, endSession, newIdempotencyKey, session,
  signIn, signOut, whenSessionEnds,
} from "./api.js";
import { date, dateTime, money, month, timeLeft } from "./format.js";
import { applyTexts, has, language, setLanguage, t, textIn } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const STATUSES = ["AWAITING_VERIFICATION", "APPROVED", "REJECTED", "EXPIRED"];
const SCHEMES = ["", "BHXH", "BHTN", "TNLD_BNN", "BHYT"];
const FEEDBACK_STATUSES = ["OPEN", "ANSWERED"];
const IMAGE_KINDS = ["id_front", "id_back", "portrait"];
const FORM_FIELDS = ["full_name", "date_of_birth", "gender", "nationality", "social_insurance_number", "id_type",
  "id_number", "id_issued_on", "id_issued_by", "phone", "email", "address", "notice_channels", "office_code",
  "commitment_accepted_at"];
const REGISTER_FIELDS = new Set(["full_name", "date_of_birth", "gender", "id_number", "phone"]);
const REASONS = ["reason.1", "reason.2", "reason.3", "reason.4", "reason.5", "reason.6"];
const PAGE_SIZE = 20;
const VIEWS = ["signin", "queue", "registration", "helpdesk", "feedback"];

const state = {
  view: null,
  queue: { status: "AWAITING_VERIFICATION", q: "", tokens: [null], page: 0, items: [], next: null, loaded: false },
  reg: { id: null, data: null, approveKey: null, rejectKey: null },
  help: { number: null, person: null, scheme: "", contributions: null, next: null },
  feedback: { status: "OPEN", items: [], next: null },
  officeName: "",
};

// ------------------------------------------------------------------------------------------- helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function notice(el, text, kind = "error") {
  if (!text) {
    el.hidden = true;
    el.textContent = "";
    return;
  }
  el.textContent = text;
  el.className = `notice ${kind}`;
  el.hidden = false;
}

function flash(text, kind = "success") {
  notice($("flash"), text, kind);
  $("flash").className = `flash ${kind}`;
}

// The message of an error, in the officer's language: known codes by our texts, others by the API's own.
function describe(error) {
  if (error instanceof NetworkError) return t("error.network");
  if (error instanceof ApiError) {
    if (has(`conflict.${error.code}`)) return t(`conflict.${error.code}`);
    if (error.status === 503 || error.status >= 500) return t("error.unavailable");
    const own = language() === "vi" ? error.messageVi || error.message : error.message;
    const fields = Object.values(error.fields || {}).join("; ");
    return t("error.generic", { message: fields ? `${own} (${fields})` : own });
  }
  return t("error.generic", { message: String(error && error.message ? error.message : error) });
}

// Runs an action; a lost session has already sent the officer to sign-in, anything else is shown in `el`.
async function guarded(el, action) {
  try {
    return await action();
  } catch (error) {
    if (error instanceof SessionEndedError) return undefined;
    notice(el, describe(error));
    return undefined;
  }
}

function busy(button, on, text) {
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = text;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  } else {
    if (button.dataset.label) button.textContent = button.dataset.label;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

function statusBadge(status) {
  return h("span", { class: `badge status-${status.toLowerCase()}`, text: t(`status.${status}`) });
}

function genderText(value) {
  return value ? t(`gender.${value}`) : t("none");
}

function fieldText(name, value) {
  if (value === null || value === undefined || value === "") return t("none");
  if (name === "gender") return genderText(value);
  if (Array.isArray(value)) return value.map((v) => (has(`channel.${v}`) ? t(`channel.${v}`) : String(v))).join(", ");
  if (name === "id_type" && has(`idtype.${value}`)) return t(`idtype.${value}`);
  if (name.endsWith("_at")) return dateTime(value);
  if (name === "date_of_birth" || name === "id_issued_on" || name.endsWith("_from") || name.endsWith("_to")) {
    return date(value);
  }
  return String(value);
}

// Tabs with arrow-key movement (WAI-ARIA tabs pattern); `choose` loads the chosen one.
function renderTabs(container, values, label, current, choose) {
  container.replaceChildren(...values.map((value) => h("button", {
    type: "button", role: "tab", id: `${container.id}-${value || "all"}`,
    "aria-selected": value === current ? "true" : "false", tabindex: value === current ? "0" : "-1",
    "data-value": value, text: label(value), onclick: () => choose(value),
  })));
  container.onkeydown = (event) => {
    const tabs = [...container.querySelectorAll("[role=tab]")];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(index + moves[event.key] + tabs.length) % tabs.length];
    next.focus();
    next.click();
  };
}

// ------------------------------------------------------------------------------------------- routing

function show(view) {
  state.view = view;
  for (const name of VIEWS) $(`view-${name}`).hidden = name !== view;
  const signedIn = view !== "signin";
  $("nav").hidden = !signedIn;
  $("who").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  for (const link of document.querySelectorAll("#nav a")) {
    const active = link.dataset.view === view || (view === "registration" && link.dataset.view === "queue");
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function focusHeading(id) {
  const heading = $(id);
  if (heading) heading.focus({ preventScroll: false });
}

function route() {
  const current = session();
  if (!current) {
    if (sessionStorage.getItem(SESSION_KEY) !== null) endSession("expired"); // kept past its end: say so
    else showSignIn();
    return;
  }
  renderWho(current);
  const match = /^#\/(queue|helpdesk|feedback|registration)(?:\/([0-9a-f]{32}))?$/.exec(location.hash);
  const view = match ? match[1] : "queue";
  if (view === "registration" && match[2]) {
    openRegistration(match[2]);
  } else if (view === "helpdesk") {
    show("helpdesk");
    focusHeading("help-title");
  } else if (view === "feedback") {
    show("feedback");
    focusHeading("fb-title");
    loadFeedback(true);
  } else {
    if (location.hash !== "#/queue") history.replaceState(null, "", "#/queue");
    show("queue");
    loadQueue();
    $("scan-input").focus();
  }
}

// ------------------------------------------------------------------------------------------- sign-in

function showSignIn(message, kind = "info") {
  show("signin");
  notice($("signin-message"), message, kind);
  $("flash").hidden = true;
  $("office-name").textContent = t("app.subtitle");
  const username = $("signin-username");
  (username.value ? $("signin-totp") : username).focus();
}

function renderWho(current) {
  $("who").textContent = current.username;
  $("office-name").textContent = state.officeName || current.office_code;
  if (!state.officeName) loadOfficeName(current.office_code);
}

async function loadOfficeName(code) {
  try {
    const me = await api("GET", "v1/admin/me");
    if (me.office_name) {
      state.officeName = `${me.office_name} (${code})`;
      $("office-name").textContent = state.officeName;
    }
    if (me.full_name) $("who").title = me.full_name;
  } catch {
    // the code alone is shown; a lost session has already sent the officer to sign-in
  }
}

async function submitSignIn(event) {
  event.preventDefault();
  const username = $("signin-username").value.trim();
  const password = $("signin-password").value;
  const totp = $("signin-totp").value.replace(/\s/g, "");
  if (!username || !password || !/^\d{6}$/.test(totp)) {
    notice($("signin-message"), t("signin.missing"));
    return;
  }
  const button = $("signin-submit");
  busy(button, true, t("signin.busy"));
  try {
    await signIn(username, password, totp);
    $("signin-password").value = "";
    $("signin-totp").value = "";
    notice($("signin-message"), "");
    state.officeName = "";
    if (!/^#\/(queue|helpdesk|feedback|registration)/.test(location.hash)) history.replaceState(null, "", "#/queue");
    route();
  } catch (error) {
    $("signin-totp").value = "";
    let text = describe(error);
    if (error instanceof ApiError) {
      if (error.code === "INVALID_CREDENTIALS") text = t("signin.failed");
      else if (error.code === "ACCOUNT_LOCKED") {
        text = t("signin.locked", { minutes: Math.max(1, Math.ceil((error.retryAfter || 900) / 60)) });
      } else if (error.code === "TOO_MANY_REQUESTS") text = t("signin.throttled");
      else if (error.code === "VALIDATION_FAILED") text = t("signin.missing");
    }
    notice($("signin-message"), text);
    $("signin-totp").focus();
  } finally {
    busy(button, false);
  }
}

// ------------------------------------------------------------------------------------------- queue

function renderStatusTabs() {
  renderTabs($("status-tabs"), STATUSES, (s) => t(`status.${s}`), state.queue.status, (status) => {
    Object.assign(state.queue, { status, tokens: [null], page: 0 });
    renderStatusTabs();
    loadQueue();
  });
}

async function loadQueue() {
  const q = state.queue;
  renderStatusTabs();
  $("queue-rows").replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "loading", text: t("queue.loading") })));
  $("queue-empty").hidden = true;
  await guarded($("scan-message"), async () => {
    const page = await api("GET", "v1/admin/registrations", {
      query: { status: q.status, limit: PAGE_SIZE, next_token: q.tokens[q.page], q: q.q || undefined },
    });
    q.items = page.items || [];
    q.next = page.next_token || null;
    q.loaded = true;
    renderQueue();
  });
}

function renderQueue() {
  const q = state.queue;
  const now = Date.now();
  const awaiting = q.status === "AWAITING_VERIFICATION";
  const rows = q.items.map((item) => {
    const left = awaiting ? timeLeft(item.deadline_at, now) : { text: t(`status.${item.status}`), urgent: false };
    const href = `#/registration/${item.registration_id}`;
    return h("tr", { class: "clickable", onclick: (event) => {
      if (event.target.tagName !== "A") location.hash = href;
    } },
    h("th", { scope: "row" }, h("a", { href, class: "ref", text: item.reference || item.registration_id.slice(0, 8).toUpperCase() })),
    h("td", { text: item.full_name }),
    h("td", { class: "mono", text: item.social_insurance_number }),
    h("td", { text: dateTime(item.submitted_at) }),
    h("td", { text: dateTime(item.deadline_at) }),
    h("td", { class: left.urgent ? "urgent" : "" }, left.urgent ? h("span", { class: "dot", "aria-hidden": "true" }) : null,
      left.text),
    h("td", { class: "num", text: item.attempt || "1" }));
  });
  $("queue-rows").replaceChildren(...rows);
  const empty = $("queue-empty");
  empty.hidden = rows.length > 0;
  empty.textContent = t("queue.empty");
  $("queue-table").hidden = rows.length === 0;
  const status = t(`status.${q.status}`);
  $("queue-caption").textContent = q.q ? `${t("search.results", { q: q.q })} · ${status}`
    : t("queue.caption", { status, page: q.page + 1 });
  $("page-number").textContent = `${q.page + 1}`;
  $("page-prev").disabled = q.page === 0;
  $("page-next").disabled = !q.next;
  $("page-next").textContent = q.q ? t("page.more") : t("page.next");
  $("search-clear").hidden = !q.q;
}

function pageBy(step) {
  const q = state.queue;
  if (step > 0 && q.next) {
    q.tokens[q.page + 1] = q.next;
    q.page += 1;
  } else if (step < 0 && q.page > 0) {
    q.page -= 1;
  } else {
    return;
  }
  loadQueue();
}

function search(text) {
  Object.assign(state.queue, { q: text.trim(), tokens: [null], page: 0 });
  loadQueue();
}

// What a scanner or a person typed: the QR holds the 32-character registration id; Form 01 prints its
// first 8 characters as the reference. Anything else is searched for.
async function scan(raw) {
  const message = $("scan-message");
  notice(message, "");
  const compact = raw.trim().replace(/[\s-]/g, "").toLowerCase();
  if (!compact) {
    notice(message, t("scan.empty"), "info");
    return;
  }
  const full = /[0-9a-f]{32}/.exec(compact);
  if (full) {
    $("scan-input").value = "";
    location.hash = `#/registration/${full[0]}`;
    return;
  }
  if (!/^[0-9a-f]{8}$/.test(compact)) {
    $("search-input").value = raw.trim();
    search(raw);
    return;
  }
  const ref = compact.toUpperCase();
  await guarded(message, async () => {
    const found = [];
    for (const status of STATUSES) {
      const page = await api("GET", "v1/admin/registrations", { query: { status, q: compact, limit: 10 } });
      found.push(...(page.items || []).filter((item) => item.registration_id.startsWith(compact)));
      if (found.length && status === "AWAITING_VERIFICATION") break; // the person at the counter is waiting
    }
    if (found.length === 1) {
      $("scan-input").value = "";
      location.hash = `#/registration/${found[0].registration_id}`;
    } else if (found.length === 0) {
      notice(message, t("scan.notfound", { ref }));
    } else {
      Object.assign(state.queue, { status: found[0].status, q: ref, tokens: [null], page: 0, items: found, next: null });
      renderStatusTabs();
      renderQueue();
      notice(message, t("scan.many", { ref }), "info");
    }
  });
}

// The camera, where the browser can read QR codes itself (BarcodeDetector); a USB scanner works everywhere.
let cameraStream = null;

function stopCamera() {
  if (cameraStream) cameraStream.getTracks().forEach((track) => track.stop());
  cameraStream = null;
  const dialog = $("camera-dialog");
  if (dialog.open) dialog.close();
}

async function startCamera() {
  const dialog = $("camera-dialog");
  const video = $("camera-video");
  try {
    cameraStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch {
    notice($("scan-message"), t("camera.denied"));
    return;
  }
  dialog.showModal();
  video.srcObject = cameraStream;
  await video.play().catch(() => {});
  // eslint-disable-next-line no-undef
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  const look = async () => {
    if (!cameraStream) return;
    try {
      const codes = await detector.detect(video);
      if (codes.length) {
        stopCamera();
        scan(codes[0].rawValue);
        return;
      }
    } catch {
      // a frame that cannot be read yet
    }
    setTimeout(look, 250);
  };
  look();
}

// ------------------------------------------------------------------------------------------- registration

async function openRegistration(id, { keepMessage = false } = {}) {
  show("registration");
  const sameOne = state.reg.id === id;
  if (!sameOne) {
    state.reg = { id, data: null, approveKey: newIdempotencyKey(), rejectKey: newIdempotencyKey() };
    $("check-id").checked = false;
    $("check-form01").checked = false;
    $("reason-text").value = "";
    notice($("decide-result"), "");
    $("reg-title").textContent = t("reg.title", { ref: id.slice(0, 8).toUpperCase() });
    $("reg-summary").replaceChildren();
    $("reg-images").replaceChildren();
    $("reg-history").replaceChildren();
    $("reg-fields").querySelector("tbody").replaceChildren();
    $("approve-form").hidden = true;
    $("reject-form").hidden = true;
    $("decide-done").replaceChildren();
  }
  if (!keepMessage) notice($("reg-message"), "");
  try {
    state.reg.data = await api("GET", `v1/admin/registrations/${id}`);
  } catch (error) {
    if (error instanceof SessionEndedError) return;
    notice($("reg-message"), error instanceof ApiError && error.status === 404 ? t("notfound.registration")
      : describe(error));
    return;
  }
  renderRegistration();
  if (!sameOne) focusHeading("reg-title");
}

function renderRegistration() {
  const r = state.reg.data;
  if (!r) return;
  $("reg-title").textContent = `${t("reg.title", { ref: r.reference || r.registration_id.slice(0, 8).toUpperCase() })} · ${r.full_name}`;
  const awaiting = r.status === "AWAITING_VERIFICATION";
  const left = awaiting ? timeLeft(r.deadline_at) : null;
  $("reg-summary").replaceChildren(
    statusBadge(r.status),
    h("span", { class: "pill", text: t("reg.attempt", { n: r.attempt || 1 }) }),
    h("span", {}, h("span", { class: "label", text: `${t("reg.submitted")}: ` }), dateTime(r.submitted_at)),
    h("span", {}, h("span", { class: "label", text: `${t("reg.deadline")}: ` }), dateTime(r.deadline_at),
      left ? h("strong", { class: left.urgent ? "urgent left" : "left", text: ` · ${left.text}` }) : null),
    r.form01_url ? h("a", { href: r.form01_url, target: "_blank", rel: "noopener noreferrer", class: "pdf",
      text: t("reg.form01") }) : null,
  );
  $("images-hint").textContent = t("reg.images.hint", { n: r.images_expire_in || 120 });
  renderImages(r.images || {});
  renderFields(r);
  renderDecision(r);
  renderHistory(r);
}

function renderImages(images) {
  $("reg-images").replaceChildren(...IMAGE_KINDS.map((kind) => imageFigure(kind, images[kind])));
}

function imageFigure(kind, url) {
  const label = t(`img.${kind}`);
  const frame = h("div", { class: "frame" });
  const view = { zoom: 1, turn: 0 };
  let img = null;
  if (url) {
    img = h("img", { src: url, alt: label, "data-kind": kind, draggable: "false" });
    img.addEventListener("error", () => frame.replaceChildren(h("p", { class: "missing", text: t("img.failed") })));
    frame.append(img);
  } else {
    frame.append(h("p", { class: "missing", text: t("img.none") }));
  }
  const apply = () => {
    if (!img) return;
    // At 1× the whole photo fits the frame; zoomed, it grows and the frame scrolls.
    img.style.width = view.zoom > 1 ? `${view.zoom * 100}%` : "";
    img.style.transform = `rotate(${view.turn}deg)`;
    frame.classList.toggle("zoomed", view.zoom > 1);
  };
  const tool = (key, symbol, change) => h("button", {
    type: "button", class: "tool", "aria-label": `${t(key)}: ${label}`, title: t(key), disabled: !img,
    onclick: () => { change(); apply(); },
  }, symbol);
  return h("figure", { class: "image" },
    h("figcaption", { text: label }),
    frame,
    h("div", { class: "toolbar", role: "group", "aria-label": label },
      tool("img.zoomin", "+", () => { view.zoom = Math.min(4, view.zoom + 0.5); }),
      tool("img.zoomout", "−", () => { view.zoom = Math.max(1, view.zoom - 0.5); }),
      tool("img.rotate", "↻", () => { view.turn = (view.turn + 90) % 360; }),
      tool("img.reset", "⟲", () => { view.zoom = 1; view.turn = 0; })));
}

function renderFields(r) {
  const register = r.register || null;
  const person = (register && register.person) || {};
  const differing = new Set((register && register.differences) || []);
  const rows = FORM_FIELDS.map((name) => {
    const differs = differing.has(name);
    const registerValue = REGISTER_FIELDS.has(name) && register && register.found ? fieldText(name, person[name])
      : (name === "social_insurance_number" && register && register.found ? r.social_insurance_number : "");
    return h("tr", { class: differs ? "diff" : "" },
      h("th", { scope: "row", text: t(`field.${name}`) }),
      h("td", {}, fieldText(name, r[name]), differs ? h("span", { class: "tag", text: t("reg.differs") }) : null),
      h("td", { text: registerValue }));
  });
  $("reg-fields").querySelector("tbody").replaceChildren(...rows);
  const box = $("register-state");
  if (!register) {
    box.replaceChildren();
  } else if (!register.found) {
    box.replaceChildren(h("p", { class: "notice error", text: t("reg.register.missing") }));
  } else if (!register.matches) {
    box.replaceChildren(h("p", { class: "notice error", text: t("reg.register.mismatch") }));
  } else if (differing.size) {
    box.replaceChildren(h("p", { class: "notice warn", text: t("reg.register.diff", { n: differing.size }) }));
  } else {
    box.replaceChildren(h("p", { class: "notice success", text: t("reg.register.match") }));
  }
}

function renderDecision(r) {
  const awaiting = r.status === "AWAITING_VERIFICATION";
  $("approve-form").hidden = !awaiting;
  $("reject-form").hidden = !awaiting;
  updateApprove();
  const pick = $("reason-pick");
  const chosen = pick.value;
  pick.replaceChildren(h("option", { value: "", text: t("decide.reason.pick") }),
    ...REASONS.map((key) => h("option", { value: key, text: t(key) })),
    h("option", { value: "other", text: t("decide.reason.other") }));
  pick.value = chosen;
  const done = $("decide-done");
  if (awaiting) {
    done.replaceChildren();
    return;
  }
  const at = dateTime(r.decided_at || r.expired_at);
  const lines = [];
  if (r.status === "APPROVED") {
    lines.push(h("p", { text: t("decide.done.approved", { who: r.decided_by, at }) }));
    lines.push(h("ul", { class: "checks" },
      h("li", {}, `${t("decide.check.id")}: `, h("strong", { text: r.id_document_checked ? t("yes") : t("decide.check.unknown") })),
      h("li", {}, `${t("decide.check.form01")}: `, h("strong", { text: r.form01_received === true ? t("yes")
        : r.form01_received === false ? t("no") : t("decide.check.unknown") }))));
  } else if (r.status === "REJECTED") {
    lines.push(h("p", { text: t("decide.done.rejected", { who: r.decided_by, at, reason: r.rejection_reason || "" }) }));
  } else if (r.status === "EXPIRED") {
    lines.push(h("p", { text: t("decide.done.expired", { at }) }));
  } else {
    lines.push(h("p", { text: t("decide.done.draft") }));
  }
  done.replaceChildren(h("div", { class: `outcome status-${r.status.toLowerCase()}` }, statusBadge(r.status), ...lines));
}

function updateApprove() {
  $("approve").disabled = !($("check-id").checked && $("check-form01").checked);
}

function auditDetail(detail) {
  if (!detail) return "";
  const attempt = /^attempt (\d+)$/.exec(detail);
  if (attempt) return t("reg.attempt", { n: attempt[1] });
  return detail.split("; ").map((part) => (part === "original ID checked" ? t("decide.check.id")
    : part === "signed Form 01 received" ? t("decide.check.form01") : part)).join(" · ");
}

function renderHistory(r) {
  const events = [...(r.audit || [])];
  if (r.expired_at && !events.some((e) => e.action === "EXPIRE")) {
    events.push({ at: r.expired_at, actor: "workflow", action: "EXPIRE", from_status: "AWAITING_VERIFICATION",
      to_status: "EXPIRED" });
  }
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const items = events.map((e) => h("li", {},
    h("div", { class: "when", text: dateTime(e.at) }),
    h("div", {}, h("strong", { text: has(`action.${e.action}`) ? t(`action.${e.action}`) : e.action }), " · ",
      has(`actor.${e.actor}`) ? t(`actor.${e.actor}`) : e.actor, e.office ? ` (${e.office})` : ""),
    e.from_status && e.to_status ? h("div", { class: "move" },
      `${has(`status.${e.from_status}`) ? t(`status.${e.from_status}`) : e.from_status} → ${t(`status.${e.to_status}`)}`)
      : null,
    e.detail ? h("div", { class: "detail", text: auditDetail(e.detail) }) : null));
  $("reg-history").replaceChildren(...(items.length ? items : [h("li", { text: t("history.empty") })]));
}

async function decide(kind) {
  const r = state.reg.data;
  if (!r) return;
  const result = $("decide-result");
  notice(result, "");
  let body;
  let button;
  if (kind === "approve") {
    if (!($("check-id").checked && $("check-form01").checked)) return;
    body = { id_document_checked: true, form01_received: true };
    button = $("approve");
  } else {
    const reason = $("reason-text").value.trim();
    if (reason.length < 3 || reason.length > 500) {
      notice(result, t("decide.reason.short"), "error");
      $("reason-text").focus();
      return;
    }
    body = { reason };
    button = $("reject");
  }
  busy(button, true, t("decide.busy"));
  try {
    const answer = await api("POST", `v1/admin/registrations/${r.registration_id}/${kind}`, {
      body, idempotencyKey: kind === "approve" ? state.reg.approveKey : state.reg.rejectKey,
    });
    notice(result, kind === "approve" ? t("decide.approved", { user: answer.username })
      : t("decide.rejected", { reason: answer.rejection_reason }), "success");
    await openRegistration(r.registration_id, { keepMessage: true });
  } catch (error) {
    if (error instanceof SessionEndedError) return;
    notice(result, describe(error), "error");
    if (error instanceof ApiError && ["ALREADY_DECIDED", "DEADLINE_PASSED", "INVALID_STATE"].includes(error.code)) {
      await openRegistration(r.registration_id, { keepMessage: true });
    }
  } finally {
    busy(button, false);
    updateApprove();
  }
  result.focus();
}

// ------------------------------------------------------------------------------------------- help desk

async function lookUpCitizen(event) {
  event.preventDefault();
  const number = $("help-number").value.replace(/\s/g, "");
  const message = $("help-message");
  notice(message, "");
  if (!/^\d{10}$/.test(number)) {
    notice(message, t("help.invalid"));
    $("help-number").focus();
    return;
  }
  $("help-result").hidden = true;
  try {
    state.help = { number, person: await api("GET", `v1/admin/citizens/${number}`), scheme: "", contributions: null,
      next: null, tokens: [null] };
  } catch (error) {
    if (error instanceof SessionEndedError) return;
    notice(message, error instanceof ApiError && error.status === 404 ? t("help.notfound") : describe(error));
    return;
  }
  renderCitizen();
  $("help-result").hidden = false;
  await loadContributions(false);
}

function pairs(el, entries) {
  el.replaceChildren(...entries.flatMap(([label, value, cls]) => [h("dt", { text: label }),
    h("dd", { class: cls || "", text: value === null || value === undefined || value === "" ? t("none") : value })]));
}

function renderCitizen() {
  const p = state.help.person;
  if (!p) return;
  pairs($("help-profile"), [
    [t("field.full_name"), p.full_name],
    [t("field.social_insurance_number"), p.social_insurance_number, "mono"],
    [t("field.date_of_birth"), date(p.date_of_birth)],
    [t("field.gender"), genderText(p.gender)],
    [`${t("field.id_type")} / ${t("field.id_number")}`, `${p.id_type} ${p.id_number}`],
    [t("field.phone"), p.phone],
    [t("field.email"), p.email],
    [t("field.address"), p.address],
  ]);
  const a = p.account || {};
  pairs($("help-account"), [
    [t("help.account.created"), dateTime(a.created_at)],
    [t("help.account.change"), a.password_change_required ? t("yes") : t("no")],
    [t("help.account.initial"), a.initial_password_pending ? dateTime(a.initial_password_expires_at) : t("none")],
    [t("help.account.locked"), a.locked_until ? dateTime(a.locked_until) : t("no"), a.locked_until ? "urgent" : ""],
    [t("help.account.device"), a.device_name],
  ]);
  const card = p.health_card;
  if (card) {
    pairs($("help-card"), ["card_number", "valid_from", "valid_to", "initial_clinic", "five_year_continuous_from",
      "benefit_level"].map((name) => [t(`card.${name}`), fieldText(name, card[name]), name === "card_number" ? "mono" : ""]));
  } else {
    $("help-card").replaceChildren(h("dd", { text: t("help.card.none") }));
  }
}

function renderSchemeTabs() {
  renderTabs($("scheme-tabs"), SCHEMES, (s) => (s ? t(`scheme.${s}`) : t("help.scheme.all")), state.help.scheme,
    (scheme) => {
      Object.assign(state.help, { scheme, contributions: null, next: null });
      loadContributions(false);
    });
}

// Every call is a read the citizen sees in their access log: only on the officer's request, never to redraw.
async function loadContributions(more) {
  const help = state.help;
  renderSchemeTabs();
  await guarded($("help-message"), async () => {
    const page = await api("GET", `v1/admin/citizens/${help.number}/contributions`, {
      query: { scheme: help.scheme || undefined, limit: 50, next_token: more ? help.next : undefined },
    });
    help.contributions = more && help.contributions ? { ...page, items: [...help.contributions.items, ...page.items] } : page;
    help.next = page.next_token || null;
    renderContributions();
  });
}

function renderContributions() {
  const data = state.help.contributions;
  if (!data) return;
  const rows = data.items.map((c) => h("tr", { class: c.in_arrears ? "arrears" : "" },
    h("td", { text: t(`scheme.${c.scheme}`) }),
    h("td", { text: month(c.from_month) }),
    h("td", { text: month(c.to_month) }),
    h("td", { text: c.employer }),
    h("td", { text: [c.occupation, c.position].filter(Boolean).join(", ") }),
    h("td", { class: "num" }, money(c.contribution_base), c.in_arrears ? h("span", { class: "tag", text: t("contrib.arrears") }) : null)));
  $("help-contrib").querySelector("tbody").replaceChildren(...rows);
  $("help-contrib").hidden = rows.length === 0;
  $("help-contrib-empty").hidden = rows.length > 0;
  $("help-totals").textContent = (data.totals || []).map((total) => t("contrib.totals", {
    scheme: t(`scheme.${total.scheme}`), months: total.total_months, arrears: total.months_in_arrears || 0,
  })).join(" · ");
  $("contrib-more").hidden = !state.help.next;
}

// ------------------------------------------------------------------------------------------- feedback

function renderFeedbackTabs() {
  renderTabs($("fb-tabs"), FEEDBACK_STATUSES, (s) => t(`fb.status.${s}`), state.feedback.status, (status) => {
    Object.assign(state.feedback, { status, items: [], next: null });
    loadFeedback(true);
  });
}

async function loadFeedback(fresh) {
  const fb = state.feedback;
  renderFeedbackTabs();
  notice($("fb-message"), "");
  await guarded($("fb-message"), async () => {
    const page = await api("GET", "v1/admin/feedback", {
      query: { status: fb.status, limit: PAGE_SIZE, next_token: fresh ? undefined : fb.next },
    });
    fb.items = fresh ? page.items : [...fb.items, ...page.items];
    fb.next = page.next_token || null;
    renderFeedback();
  });
}

function renderFeedback() {
  const fb = state.feedback;
  $("fb-list").replaceChildren(...fb.items.map(feedbackCard));
  $("fb-empty").hidden = fb.items.length > 0;
  $("fb-more").hidden = !fb.next;
}

function feedbackCard(item) {
  const contact = item.contact || {};
  const card = h("article", { class: "card feedback", "aria-labelledby": `fb-${item.feedback_id}` },
    h("h2", { id: `fb-${item.feedback_id}`, text: has(`cat.${item.category}`) ? t(`cat.${item.category}`) : item.category }),
    h("p", { class: "meta" }, `${t("fb.received")}: ${dateTime(item.created_at)} · ${t("fb.from")}: `,
      [contact.name, contact.phone, contact.email].filter(Boolean).join(", ")),
    h("p", { class: "message", lang: "vi", text: item.message }));
  if (item.status === "ANSWERED") {
    card.append(h("div", { class: "answer" },
      h("p", { class: "meta", text: t("fb.answered", { who: item.answered_by, at: dateTime(item.answered_at) }) }),
      h("p", { class: "message", lang: "vi", text: item.answer })));
    return card;
  }
  const areaId = `answer-${item.feedback_id}`;
  const area = h("textarea", { id: areaId, rows: 3, maxlength: 2000, lang: "vi" });
  const status = h("p", { class: "notice", role: "alert", hidden: true });
  const key = newIdempotencyKey();
  const button = h("button", { type: "submit", class: "primary", text: t("fb.send") });
  const form = h("form", { class: "stack", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (text.length < 5 || text.length > 2000) {
      notice(status, t("fb.short"));
      area.focus();
      return;
    }
    busy(button, true, t("decide.busy"));
    try {
      await api("POST", `v1/admin/feedback/${item.feedback_id}/answer`, { body: { answer: text }, idempotencyKey: key });
      state.feedback.items = state.feedback.items.filter((other) => other.feedback_id !== item.feedback_id);
      renderFeedback();
      flash(t("fb.sent"));
      $("fb-title").focus();
    } catch (error) {
      if (error instanceof SessionEndedError) return;
      notice(status, error instanceof ApiError && error.code === "ALREADY_ANSWERED" ? t("fb.conflict") : describe(error));
    } finally {
      busy(button, false);
    }
  } }, h("label", { for: areaId, text: t("fb.answer") }), area, status, h("div", { class: "row end" }, button));
  card.append(form);
  return card;
}

// ------------------------------------------------------------------------------------------- start

function rerender() {
  applyTexts(document);
  $("lang").lang = language() === "vi" ? "en" : "vi"; // the button names the other language, in that language
  document.title = `${t("app.title")} · VssID`;
  if (state.view === "queue" && state.queue.loaded) {
    renderStatusTabs();
    renderQueue();
  } else if (state.view === "registration") {
    renderRegistration();
  } else if (state.view === "helpdesk" && state.help.person) {
    renderCitizen();
    renderSchemeTabs();
    renderContributions();
  } else if (state.view === "feedback") {
    renderFeedbackTabs();
    renderFeedback();
  }
  const current = session();
  if (current) renderWho(current);
}

function start() {
  document.documentElement.lang = language();
  applyTexts(document);
  $("lang").lang = language() === "vi" ? "en" : "vi";
  document.title = `${t("app.title")} · VssID`;
  whenSessionEnds((reason) => {
    state.reg = { id: null, data: null };
    state.officeName = "";
    state.help = { number: null, person: null, scheme: "", contributions: null, next: null };
    state.queue = { status: "AWAITING_VERIFICATION", q: "", tokens: [null], page: 0, items: [], next: null, loaded: false };
    $("help-result").hidden = true;
    $("help-number").value = "";
    showSignIn(reason === "expired" ? t("signin.expired") : t("signin.signedout"), reason === "expired" ? "warn" : "info");
  });
  $("skip").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  $("lang").addEventListener("click", () => {
    setLanguage(language() === "vi" ? "en" : "vi");
    rerender();
  });
  $("sign-out").addEventListener("click", () => signOut());
  $("signin-form").addEventListener("submit", submitSignIn);
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    scan($("scan-input").value);
  });
  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $("scan-camera").hidden = false;
    $("scan-camera").addEventListener("click", startCamera);
  }
  $("camera-close").addEventListener("click", stopCamera);
  $("camera-dialog").addEventListener("close", stopCamera);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("search-input").value);
  });
  $("search-clear").addEventListener("click", () => {
    $("search-input").value = "";
    search("");
  });
  $("queue-refresh").addEventListener("click", () => loadQueue());
  $("page-prev").addEventListener("click", () => pageBy(-1));
  $("page-next").addEventListener("click", () => pageBy(1));
  $("reg-refresh").addEventListener("click", () => state.reg.id && openRegistration(state.reg.id));
  $("check-id").addEventListener("change", updateApprove);
  $("check-form01").addEventListener("change", updateApprove);
  $("approve-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide("approve");
  });
  $("reject-form").addEventListener("submit", (event) => {
    event.preventDefault();
    decide("reject");
  });
  $("reason-pick").addEventListener("change", () => {
    const key = $("reason-pick").value;
    // The citizen reads the reason in Vietnamese, whatever language the console is in.
    if (key && key !== "other") $("reason-text").value = textIn("vi", key);
    if (key === "other") {
      $("reason-text").value = "";
      $("reason-text").focus();
    }
  });
  $("help-form").addEventListener("submit", lookUpCitizen);
  $("contrib-more").addEventListener("click", () => loadContributions(true));
  $("fb-refresh").addEventListener("click", () => loadFeedback(true));
  $("fb-more").addEventListener("click", () => loadFeedback(false));
  window.addEventListener("hashchange", route);
  armExpiry();
  route();
}

start();
