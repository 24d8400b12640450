"""The counter console in a real browser: headless Chromium (Debian's package) driven by Playwright, against
the real local server (`make run` on free ports, with a 40-second verification window).

One play, in order, as the day goes at the counter of BHXH cơ sở Hoàn Kiếm (and one at Ba Đình):
a wrong authenticator code is refused → the officer signs in → the queue shows a registration filed a
moment ago → its reference typed into the scan box opens it → both ticks → approve → the citizen's SMS
→ another registration, found by name, is rejected with a common reason → the SMS carries it → the help
desk reads a citizen's records, and the citizen's own access log shows it → feedback is answered →
English and a tablet → at Ba Đình, approving after the deadline is a plain message → a session ended on
the server sends the officer back to sign-in → sign-out. Throughout: no CSP violation, no script error,
no token in any URL, text contrast at WCAG AA. The queue, registration and decision screens are saved to
docs/console/ for the README when VSSID_UPDATE_SCREENSHOTS=1 (to the temp directory otherwise).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.chromium import CHROMIUM, chromium_missing

_missing = chromium_missing()
if _missing:
    pytest.skip(_missing, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.browser.world import (  # noqa: E402
    APPLICANT,
    DEMO_CITIZEN,
    LATECOMER,
    MISMATCHED,
    Filed,
    file_form01,
    sms,
    staff_member,
    totp_now,
    wait_for,
    wrong_totp,
)
from tests.support.local_server import running_local_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# The README's pictures are refreshed on request (VSSID_UPDATE_SCREENSHOTS=1), so a test run leaves the
# tracked PNGs alone; otherwise they go to the temp directory, to look at after a run.
SHOTS = (ROOT / "docs" / "console" if os.environ.get("VSSID_UPDATE_SCREENSHOTS") == "1"
         else Path(tempfile.gettempdir()) / "vssid-console-screenshots")
DEADLINE_SECONDS = 40
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}  # a 10.9" tablet upright
SESSION_KEY = "vssid.console.session"
expect.set_options(timeout=10_000)

# Runs in the page before any of its scripts: CSP violations are collected where the test can read them.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""

# WCAG 2.2 AA text contrast of every visible text node against its effective background
# (4.5:1, or 3:1 for large text); disabled controls are exempt, as WCAG says.
CONTRAST = """
() => {
  const parse = (c) => { const m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ({r, g, b}) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.checkVisibility() || el.closest(':disabled')) continue;
    const style = getComputedStyle(el);
    const a = lum(parse(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    if (ratio < (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5)) {
      bad.push(`${node.textContent.trim().slice(0, 40)} (${ratio.toFixed(2)}:1)`);
    }
  }
  return bad;
}
"""


@dataclass
class Counter:
    base: str
    browser: Browser
    hk: Page  # Hoàn Kiếm's officer
    bd: Page  # Ba Đình's officer
    late: Filed  # filed at Ba Đình, open in `bd` before its deadline
    tokens: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    filed: dict[str, Filed] = field(default_factory=dict)
    printed: str = ""  # what `make run` printed at start


def _page(counter_urls: list[str], errors: list[str], browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("request", lambda request: counter_urls.append(request.url))
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    # Chromium reports every CSP refusal on the console too (this survives page loads; window.__csp does not).
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return page


def sign_in(counter: Counter, page: Page, office_code: str) -> None:
    staff = staff_member(counter.base, office_code)
    page.goto(f"{counter.base}/console")
    page.fill("#signin-username", staff["username"])
    page.fill("#signin-password", staff["password"])
    page.fill("#signin-totp", totp_now(staff["totp_secret"]))
    page.click("#signin-submit")
    expect(page.locator("#view-queue")).to_be_visible()
    counter.tokens.append(page.evaluate(f"JSON.parse(sessionStorage.getItem('{SESSION_KEY}')).staff_token"))


def scan(page: Page, text: str) -> None:
    """As a USB barcode scanner does: characters typed into the focused box, then Enter."""
    page.click("#nav a[data-view=queue]")
    page.locator("#scan-input").press_sequentially(text, delay=5)
    page.keyboard.press("Enter")


def images_loaded(page: Page) -> None:
    page.wait_for_function("""() => { const imgs = [...document.querySelectorAll('#reg-images img')];
        return imgs.length === 3 && imgs.every((img) => img.complete && img.naturalWidth > 0); }""")


def shot(page: Page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, DESKTOP["height"] - 1)  # no hover highlight in the picture
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / name), full_page=full_page)


def low_contrast(page: Page) -> list[str]:
    return page.evaluate(CONTRAST)


@pytest.fixture(scope="module")
def counter():
    with running_local_server({"VSSID_DEADLINE_SECONDS": str(DEADLINE_SECONDS)}) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            urls: list[str] = []
            errors: list[str] = []
            late = file_form01(server.base, LATECOMER, seed=7)
            world = Counter(server.base, browser, _page(urls, errors, browser), _page(urls, errors, browser), late,
                            urls=urls, errors=errors, printed=server.output())
            # Ba Đình's officer opens the latecomer's registration now, while it is still awaiting.
            sign_in(world, world.bd, "HN-BD")
            scan(world.bd, late.reference)
            expect(world.bd.locator("#approve-form")).to_be_visible()
            yield world
        finally:
            browser.close()


def test_make_run_prints_the_console_address(counter):
    assert f"counter console {counter.base}/console" in counter.printed


def test_a_wrong_authenticator_code_is_refused(counter):
    page = counter.hk
    staff = staff_member(counter.base, "HN-HK")
    page.goto(f"{counter.base}/console")
    expect(page.locator("#signin-title")).to_have_text("Đăng nhập cán bộ")
    page.fill("#signin-username", staff["username"])
    page.fill("#signin-password", staff["password"])
    page.fill("#signin-totp", wrong_totp(staff["totp_secret"]))
    page.click("#signin-submit")
    expect(page.locator("#signin-message")).to_contain_text("mã xác thực không đúng")
    expect(page.locator("#view-queue")).to_be_hidden()
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None


def test_the_officer_opens_a_fresh_registration_by_its_reference_and_approves_it(counter):
    page = counter.hk
    filed = counter.filed["approved"] = file_form01(counter.base, APPLICANT, seed=1)
    counter.filed["rejected"] = file_form01(counter.base, MISMATCHED, seed=4)  # decided in the next test
    sign_in(counter, page, "HN-HK")
    row = page.locator("#queue-rows tr", has_text=filed.reference)
    expect(row).to_contain_text("Nguyễn Văn An")
    expect(row).to_contain_text("0102345678")
    expect(row.locator("td.urgent")).to_be_visible()  # under a day left: red, with the words saying so
    expect(page.locator("#queue-rows tr")).to_have_count(2)
    expect(page.locator("#office-name")).to_contain_text("BHXH cơ sở Hoàn Kiếm")
    assert low_contrast(page) == []
    shot(page, "queue.png")

    scan(page, filed.reference)
    expect(page).to_have_url(f"{counter.base}/console#/registration/{filed.registration_id}")
    expect(page.locator("#reg-title")).to_contain_text(f"Tờ khai {filed.reference} · Nguyễn Văn An")
    expect(page.locator("#reg-summary")).to_contain_text("Lần nộp thứ 1")
    expect(page.locator("#reg-fields")).to_contain_text("001090054321")
    expect(page.locator("#reg-fields")).to_contain_text("Số 8 phố Hàng Trống")
    expect(page.locator("#register-state")).to_contain_text("Khớp với cơ sở dữ liệu BHXH")
    expect(page.locator("#reg-history")).to_contain_text("Gửi tờ khai")
    images_loaded(page)
    page.click("button[aria-label='Xoay 90°: Ảnh chân dung']")
    assert "rotate(90deg)" in page.locator("img[data-kind=portrait]").get_attribute("style")
    page.click("button[aria-label='Xoay 90°: Ảnh chân dung']")
    page.click("button[aria-label='Xoay 90°: Ảnh chân dung']")
    page.click("button[aria-label='Xoay 90°: Ảnh chân dung']")  # full turn: upright again

    approve = page.locator("#approve")
    expect(approve).to_be_disabled()
    page.check("#check-id")
    expect(approve).to_be_disabled()  # "signed Form 01 received" is still missing
    assert low_contrast(page) == []
    shot(page, "registration.png")
    # the keyboard alone: the second tick, then Tab to the button and Enter
    page.focus("#check-form01")
    page.keyboard.press("Space")
    expect(approve).to_be_enabled()
    page.keyboard.press("Tab")
    expect(approve).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#decide-result")).to_contain_text("Đã duyệt. Tài khoản 0102345678 đã được kích hoạt")
    expect(page.locator("#reg-summary")).to_contain_text("Đã duyệt")
    outcome = page.locator("#decide-done")
    expect(outcome).to_contain_text("Đã kiểm tra giấy tờ gốc: Có")
    expect(outcome).to_contain_text("Đã nhận Tờ khai 01 có chữ ký: Có")
    expect(page.locator("#reg-history")).to_contain_text("Đã kiểm tra giấy tờ gốc · Đã nhận Tờ khai 01 có chữ ký")
    images_loaded(page)
    shot(page, "decision.png")
    texts = wait_for(lambda: [s for s in sms(counter.base, filed.phone) if "Mat khau khoi tao" in s],
                     what="password SMS")
    assert "TK VssID 0102345678 da kich hoat" in texts[0]


def test_another_registration_found_by_name_is_rejected_with_a_common_reason(counter):
    page = counter.hk
    filed = counter.filed["rejected"]
    page.click("#nav a[data-view=queue]")
    page.fill("#search-input", "pham duc thang")  # as typed at the counter: no diacritics
    page.keyboard.press("Enter")
    expect(page.locator("#queue-caption")).to_contain_text("Kết quả tìm “pham duc thang”")
    page.click(f"#queue-rows a:text('{filed.reference}')")
    expect(page.locator("#reg-title")).to_contain_text("Phạm Đức Thắng")
    expect(page.locator("#register-state")).to_contain_text("Có 1 thông tin khác với cơ sở dữ liệu BHXH")
    expect(page.locator("#reg-fields tr.diff")).to_contain_text("Giới tính")
    expect(page.locator("#reg-fields tr.diff")).to_contain_text("Khác")

    page.select_option("#reason-pick", "reason.4")
    expect(page.locator("#reason-text")).to_have_value("Thông tin trên tờ khai không khớp với cơ sở dữ liệu BHXH")
    page.click("#reject")
    expect(page.locator("#decide-result")).to_contain_text(
        "Đã từ chối. Lý do đã gửi cho người dân qua SMS: “Thông tin trên tờ khai không khớp với cơ sở dữ liệu BHXH”")
    expect(page.locator("#decide-done")).to_contain_text("Đã từ chối bởi canbo.hn-hk")
    texts = wait_for(lambda: [s for s in sms(counter.base, filed.phone) if "chua duoc duyet" in s],
                     what="rejection SMS")
    assert "Ly do: Thong tin tren to khai khong khop voi co so du lieu BHXH" in texts[0]


def test_on_a_tablet_the_registration_fits_the_width(counter):
    page = counter.hk
    page.set_viewport_size(TABLET)
    try:
        page.click("#reg-refresh")
        images_loaded(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "tablet.png")
    finally:
        page.set_viewport_size(DESKTOP)


def test_a_help_desk_read_appears_in_the_citizens_access_log(counter):
    page = counter.hk
    page.click("#nav a[data-view=helpdesk]")
    page.fill("#help-number", "7901234568")  # a citizen of Quận 1, Hồ Chí Minh City
    page.keyboard.press("Enter")
    expect(page.locator("#help-message")).to_contain_text("Không có người tham gia có tài khoản với mã số BHXH này")
    page.fill("#help-number", DEMO_CITIZEN)
    page.keyboard.press("Enter")
    expect(page.locator("#help-profile")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("#help-card")).to_contain_text("DN4010101234567")
    first_period = page.locator("#help-contrib tbody tr").first
    expect(first_period).to_contain_text("Công ty Cổ phần Thương mại Hồ Gươm (minh hoạ)")
    expect(page.locator("#help-totals")).to_contain_text("tháng")
    page.click("#scheme-tabs-BHYT")
    expect(page.locator("#help-contrib tbody tr").first).to_contain_text("BHYT")
    assert low_contrast(page) == []
    shot(page, "helpdesk.png", full_page=True)

    demo = requests.get(f"{counter.base}/_local/demo", timeout=10).json()["citizens"]
    password = next(c["password"] for c in demo if c["username"] == DEMO_CITIZEN)
    from tests.browser.world import citizen_access_log

    entries = citizen_access_log(counter.base, DEMO_CITIZEN, password)
    seen = [e for e in entries if e["actor"] == "canbo.hn-hk" and e["office_code"] == "HN-HK"]
    assert any("contributions" in e["what"] for e in seen), entries
    assert any("profile" in e["what"] for e in seen), entries
    assert datetime.fromisoformat(seen[0]["at"]).utcoffset().total_seconds() == 7 * 3600


def test_feedback_of_the_office_is_answered_and_the_citizen_told(counter):
    page = counter.hk
    sent = requests.post(f"{counter.base}/v1/feedback", timeout=10, json={
        "category": "HEALTH_INSURANCE", "office_code": "HN-HK",
        "message": "Thẻ BHYT trên ứng dụng vẫn ghi nơi khám ban đầu cũ dù tôi đã đổi sang Bệnh viện Xanh Pôn.",
        "contact": {"name": "Trần Văn Bảo", "phone": "0912 000 777"}})
    assert sent.status_code == 201, sent.text
    page.click("#nav a[data-view=feedback]")
    card = page.locator("article.feedback", has_text="Trần Văn Bảo")
    expect(card).to_contain_text("Thẻ BHYT và khám chữa bệnh BHYT")
    card.locator("textarea").fill("BHXH quận Hoàn Kiếm đã cập nhật nơi đăng ký khám chữa bệnh ban đầu mới của ông.")
    card.locator("button[type=submit]").click()
    expect(page.locator("#flash")).to_contain_text("Đã gửi trả lời cho người dân.")
    expect(card).to_have_count(0)
    texts = wait_for(lambda: sms(counter.base, "+84912000777"), what="answer SMS")
    assert texts[-1].startswith("BHXH VN tra loi phan anh cua ban: BHXH quan Hoan Kiem da cap nhat")


def test_the_console_switches_to_english_and_back(counter):
    page = counter.hk
    page.click("#nav a[data-view=queue]")
    page.click("#lang")
    expect(page.locator("#queue-title")).to_have_text("Registration queue")
    expect(page.locator("#status-tabs")).to_contain_text("Awaiting verification")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#lang")
    expect(page.locator("#queue-title")).to_have_text("Hàng chờ tờ khai")


def test_approving_after_the_deadline_is_a_plain_message(counter):
    page = counter.bd
    deadline = datetime.fromisoformat(counter.late.deadline_at).timestamp()
    time.sleep(max(0.0, deadline - time.time() + 1.0))  # the window closes while the page is open
    page.check("#check-id")
    page.check("#check-form01")
    page.click("#approve")
    expect(page.locator("#decide-result")).to_contain_text("Tờ khai đã quá hạn 10 ngày đối chiếu")
    body = page.locator("body").inner_text()
    assert "DEADLINE_PASSED" not in body and "410" not in body


def test_a_session_past_its_end_sends_the_officer_back_to_sign_in(counter):
    page = counter.bd
    kept = page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")
    page.evaluate(f"""sessionStorage.setItem('{SESSION_KEY}', JSON.stringify(
        {{...JSON.parse(sessionStorage.getItem('{SESSION_KEY}')), expires_at: '2020-01-01T00:00:00+07:00'}}))""")
    page.reload()
    expect(page.locator("#signin-message")).to_have_text("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
    page.evaluate(f"(kept) => sessionStorage.setItem('{SESSION_KEY}', kept)", kept)  # the same tab, its token
    page.reload()
    expect(page.locator("#view-registration")).to_be_visible()


def test_a_session_ended_on_the_server_sends_the_officer_back_to_sign_in(counter):
    page = counter.bd
    token = page.evaluate(f"JSON.parse(sessionStorage.getItem('{SESSION_KEY}')).staff_token")
    ended = requests.post(f"{counter.base}/v1/admin/auth/logout", json={}, timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert ended.status_code == 204, ended.text
    page.click("#reg-refresh")
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#signin-message")).to_have_text("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None


def test_sign_out_ends_the_session(counter):
    page = counter.hk
    token = page.evaluate(f"JSON.parse(sessionStorage.getItem('{SESSION_KEY}')).staff_token")
    page.click("#sign-out")
    expect(page.locator("#signin-message")).to_have_text("Bạn đã đăng xuất.")
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None
    refused = requests.get(f"{counter.base}/v1/admin/registrations", timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_no_token_in_any_url_no_csp_violation_no_script_error(counter):
    assert counter.tokens and counter.urls
    assert [url for url in counter.urls for token in counter.tokens if token in url] == []
    violations: list[Any] = counter.hk.evaluate("window.__csp") + counter.bd.evaluate("window.__csp")
    assert violations == []
    assert counter.errors == []
