// Dates, deadlines and money as an officer in Viet Nam reads them (Vietnam time, UTC+7, whatever the PC says).

import { language, t } from "./i18n.js";

const ZONE = "Asia/Ho_Chi_Minh";
const DAY = 86400000;

function locale() {
  return language() === "en" ? "en-GB" : "vi-VN";
}

export function dateTime(iso) {
  if (!iso) return t("none");
  return new Intl.DateTimeFormat(locale(), {
    timeZone: ZONE, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

export function date(value) {
  if (!value) return t("none");
  // API dates (YYYY-MM-DD) are calendar dates: shown as they are, never shifted by a time zone.
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return `${match[3]}/${match[2]}/${match[1]}`;
  return dateTime(value);
}

export function month(value) {
  const match = /^(\d{4})-(\d{2})$/.exec(value || "");
  return match ? `${match[2]}/${match[1]}` : value || t("none");
}

export function money(value) {
  if (value === null || value === undefined || value === "") return t("none");
  return new Intl.NumberFormat("vi-VN").format(Number(value));
}

function vietnamDay(ms) {
  // Whole days since the epoch in Vietnam time.
  return Math.floor((ms + 7 * 3600000) / DAY);
}

// How long until a deadline: {text, urgent}. Urgent (shown red) when 1 day or less is left.
export function timeLeft(iso, now = Date.now()) {
  if (!iso) return { text: t("none"), urgent: false };
  const deadline = Date.parse(iso);
  const left = deadline - now;
  if (left <= 0) return { text: t("left.passed"), urgent: true };
  const days = vietnamDay(deadline) - vietnamDay(now);
  if (days >= 1) return { text: t("left.days", { n: days }), urgent: days <= 1 };
  if (left >= 3600000) return { text: `${t("left.today")} · ${t("left.hours", { n: Math.floor(left / 3600000) })}`, urgent: true };
  return { text: `${t("left.today")} · ${t("left.minutes", { n: Math.max(1, Math.ceil(left / 60000)) })}`, urgent: true };
}
