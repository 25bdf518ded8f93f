"""
A real browser for the console's end-to-end test: Debian's chromium driven
by selenium through /usr/bin/chromedriver, headless, with a private profile
under the test's folder, and the screenshots each step saves.

The `browser` fixture gives a started webdriver and quits it at teardown,
also when the test failed.  When chromium or its driver cannot start, the
test fails and says why: it never skips (scripts/install-deps installs
chromium, chromium-driver and python3-selenium).

Every wait is bounded (WAIT seconds) and a failed wait names what it waited
for, the page's address and the start of its text.
"""
import os
import shutil
from pathlib import Path

import pytest

from conftest import BUILD

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 10               # seconds for any one wait on the page
PAGE_LOAD = 20          # seconds for one page to load
# The screenshots: NN-step-WIDTHxHEIGHT.png, emptied when a test starts.
SHOTS = BUILD / "test-output" / "web"
DESKTOP = (1280, 800)
PHONE = (390, 844)

try:
    from selenium import webdriver
    from selenium.common.exceptions import (TimeoutException,
                                            WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    SELENIUM_ERROR = None
except ImportError as e:        # reported by the fixture, as a failure
    SELENIUM_ERROR = e
    webdriver = Service = By = Select = WebDriverWait = None
    TimeoutException = WebDriverException = Exception


def start_chrome(profile):
    """A headless chromium with its profile in the folder profile; fails the
    test with the reason when it cannot start."""
    if SELENIUM_ERROR is not None:
        pytest.fail(f"python3-selenium is missing ({SELENIUM_ERROR}): "
                    "run scripts/install-deps and use /usr/bin/python3")
    for prog in (CHROMIUM, CHROMEDRIVER):
        if not os.access(prog, os.X_OK):
            pytest.fail(f"{prog} is missing: run scripts/install-deps "
                        "(Debian's chromium and chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                "--lang=fr-BE", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--force-device-scale-factor=1",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        opts.add_argument(arg)
    # the page's console (script errors, CSP refusals, failed loads)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {
        "intl.accept_languages": "fr-BE,fr",
        "credentials_enable_service": False,
        "profile.password_manager_enabled": False})
    log = Path(profile).parent / "chromedriver.log"
    service = Service(str(CHROMEDRIVER), log_path=str(log))
    try:
        driver = webdriver.Chrome(service=service, options=opts)
    except WebDriverException as e:
        pytest.fail(f"chromium did not start through {CHROMEDRIVER}: "
                    f"{e.msg or e} (its log: {log})")
    driver.set_page_load_timeout(PAGE_LOAD)
    driver.set_script_timeout(WAIT)
    return driver


@pytest.fixture
def browser(tmp_path):
    """A started headless chromium (selenium webdriver), quit at teardown."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    driver = start_chrome(profile)
    try:
        yield driver
    finally:
        try:
            driver.quit()
        except WebDriverException:
            pass


def viewport(driver, width, height):
    """Make the page's viewport width x height CSS pixels: the window's size
    is set, then grown by what the browser's own frame takes."""
    driver.set_window_size(width, height)
    for _ in range(3):
        inner = driver.execute_script(
            "return [window.innerWidth, window.innerHeight]")
        if inner == [width, height]:
            return
        size = driver.get_window_size()
        driver.set_window_size(size["width"] + width - inner[0],
                               size["height"] + height - inner[1])
    inner = driver.execute_script(
        "return [window.innerWidth, window.innerHeight]")
    assert inner == [width, height], \
        f"viewport {inner}, not {width}x{height}"


def page_text(driver, n=600):
    """The start of the page's visible text, for failure messages."""
    try:
        return driver.find_element(By.TAG_NAME, "body").text[:n]
    except WebDriverException:
        return "(no page)"


def wait_until(driver, cond, what, timeout=WAIT):
    """Wait (bounded) until cond(driver) is true; its value.  Fails naming
    what was awaited, the address and the page's text."""
    try:
        return WebDriverWait(driver, timeout).until(cond)
    except TimeoutException:
        pytest.fail(f"{what}: not after {timeout} s on {driver.current_url}"
                    f"\npage text:\n{page_text(driver)}")


def find(driver, css, what=None):
    """The first element matching css, waited for (bounded)."""
    return wait_until(
        driver, lambda d: (d.find_elements(By.CSS_SELECTOR, css) or
                           [None])[0], what or f"an element {css!r}")


def submit(driver, element):
    """Click a submit button or link and wait (bounded) until the page it
    leads to has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    what = f"the page after clicking {element_name(element)}"
    element.click()

    def gone(d):
        try:
            old.is_enabled()        # raises once the old page is gone
            return False
        except WebDriverException:
            return d.execute_script("return document.readyState") == \
                "complete"
    wait_until(driver, gone, what)


def element_name(element):
    """What a person reads on element, for failure messages."""
    try:
        return repr(element.text or element.get_attribute("value") or
                    element.get_attribute("outerHTML")[:80])
    except WebDriverException:
        return "(gone)"


def show(driver, element, block="center"):
    """Scroll the page so that element is in the middle of the window (or
    at its bottom, block "end"), for the screenshot that follows."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: arguments[1]})", element, block)


def no_page_scroll(driver):
    """The whole document does not scroll sideways at the window's width
    (tables may, inside their .table-wrap).  A failure names the innermost
    elements that stick out, with the start of their text."""
    width, inner = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    if width <= inner:
        return
    wide = driver.execute_script("""
        const w = window.innerWidth, out = [];
        const field = e => ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName);
        const sticks = e => {
            const wrap = e.closest('.table-wrap');
            if (wrap !== null && wrap !== e) return false;
            const r = e.getBoundingClientRect();
            return Math.max(r.right, field(e) ? 0 : r.left + e.scrollWidth)
                > w + 0.5;
        };
        const all = [...document.querySelectorAll('body *')].filter(sticks);
        for (const e of all) {
            if (all.some(o => o !== e && e.contains(o))) continue;
            out.push(e.tagName.toLowerCase() +
                (e.className ? '.' + e.className.replace(/ /g, '.') : '') +
                ' "' + (e.textContent || e.value || '').trim().slice(0, 30) +
                '"');
            if (out.length >= 5) break;
        }
        return out;""")
    pytest.fail(f"{driver.current_url}: the page is {width} px wide in a "
                f"{inner} px window; sticking out: {wide}")


def console_errors(driver):
    """The errors the pages' console logged since the last call: a script
    error, a refusal by the Content-Security-Policy, a resource that did
    not load.  Not counted: the status of the page itself (a form sent
    back with its errors answers 400, which the test checks on its own) and
    the icon a browser asks for by itself (the console has none)."""
    page = driver.current_url.split("#")[0]
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and
            not e["message"].startswith(f"{page} - Failed to load") and
            "/favicon.ico - " not in e["message"]]


class Shots:
    """The screenshots of one test, numbered in the order taken."""

    def __init__(self, folder=SHOTS):
        self.folder = Path(folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.paths = []
        self.problems = []      # the layout's, kept to the end of the test

    def check(self, driver, test, *args):
        """Run test(driver, *args), a check of the layout; its failure is
        kept (see no_problems) so that the walk goes on to its end."""
        try:
            test(driver, *args)
        except (AssertionError, pytest.fail.Exception) as e:
            where = self.paths[-1].name if self.paths else "-"
            self.problems.append(f"{driver.current_url} (see {where}): "
                                 f"{str(e).splitlines()[0]}")

    def no_problems(self):
        """Fail with every layout problem kept, if any."""
        assert self.problems == [], "the layout:\n" + "\n".join(
            self.problems)

    def take(self, driver, step):
        """Save the viewport as NN-step-WIDTHxHEIGHT.png; its path.  The
        page must have logged no error (console_errors) since the last
        look, and at a phone's width it must not scroll sideways (kept as
        a problem of the layout)."""
        w, h = driver.execute_script(
            "return [window.innerWidth, window.innerHeight]")
        path = self.folder / f"{len(self.paths) + 1:02d}-{step}-{w}x{h}.png"
        assert driver.save_screenshot(str(path)), f"no screenshot {path}"
        assert path.stat().st_size > 1000, f"{path}: an empty screenshot"
        self.paths.append(path)
        if w <= PHONE[0]:
            self.check(driver, no_page_scroll)
        errors = console_errors(driver)
        assert errors == [], f"{driver.current_url} ({path.name}): {errors}"
        return path

    def report(self):
        """Print the screenshots' paths (pytest -s shows them; they are in
        the failure report otherwise)."""
        print("\nscreenshots:")
        for p in self.paths:
            print(f"  {p}")
