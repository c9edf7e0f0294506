"""Steps that many browser tests take: a page that axe can run in, signing in, joining by code."""

from __future__ import annotations

from playwright.sync_api import expect

PASSWORD = "correct horse battery"
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def new_page(browser, device=LAPTOP, context=None):
    """A page in a new context (or in ``context``, to share a login)."""
    # axe is injected as a script tag; the pages' Content-Security-Policy would refuse it.
    return (context or browser.new_context(bypass_csp=True, **device)).new_page()


def log_in(page, url, username="fien"):
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{url}/")


def join(page, url, code, name, partner):
    page.goto(f"{url}/j/{code}")
    page.fill("#name", name)
    page.select_option("#partner", partner)
    page.get_by_role("button", name="Meedoen").click()
    expect(page.locator("#connection-status")).to_have_text("Verbonden")


def open_meanings(page):
    """A phone folds the meanings (only the one with your own definition is open): open them all,
    as a person does who wants to react to other partners' definitions."""
    closed = page.locator("details.meaning:not([open]) > summary")
    for _meaning in range(closed.count()):
        closed.first.click()  # each click leaves one fewer closed, so always the first
