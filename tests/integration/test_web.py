"""The web UI through the in-process client, on SQLite and PostgreSQL: logging in and out,
the login rate limit, CSRF, who may see and change what, escaping, and the `next` redirect.

Pages are read with a small HTML tree builder, so the assertions are about elements and their
text (is there a change form? is there an <img> element?) rather than about substrings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from ninefold.app import create_app
from ninefold.auth import audit
from ninefold.auth.model import Role
from ninefold.auth.tables import WebSession
from ninefold.catalog import service as catalog
from ninefold.catalog.schemas import ServiceOut
from ninefold.catalog.tables import Service, Team
from ninefold.conventions import CSRF_FORM_FIELD, CSRF_HEADER, SESSION_COOKIE
from ninefold.db import make_session_factory, unit_of_work
from ninefold.settings import Settings
from tests.factories import PASSWORD, make_user
from tests.support.clock import FrozenClock

ORIGIN = "http://testserver"

# --- reading pages ----------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text as a browser would show it: entities decoded, spaces collapsed."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join("".join(parts).split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in wanted.items())
        ]

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(response: httpx.Response) -> Node:
    assert response.headers["content-type"].startswith("text/html"), response.headers
    builder = _TreeBuilder()
    builder.feed(response.text)
    builder.close()
    return builder.root


def main(response: httpx.Response) -> Node:
    return parse(response).one("main")


# --- acting as a user -------------------------------------------------------------------


def log_in(
    client: TestClient, name: str, password: str = PASSWORD, next_: str | None = None
) -> httpx.Response:
    """Logs in as a browser does: fetch the form (its login CSRF cookie and field), post it."""
    page = parse(client.get("/login"))
    token = page.one("input", name=CSRF_FORM_FIELD).attrs["value"]
    form = {"username": name, "password": password, CSRF_FORM_FIELD: token}
    if next_ is not None:
        form["next"] = next_
    return client.post("/login", data=form, follow_redirects=False)


def csrf_token(client: TestClient, path: str = "/") -> str:
    """The token a logged-in page carries in its forms (the logout form is on every page)."""
    page = parse(client.get(path))
    return page.find_all("input", name=CSRF_FORM_FIELD)[0].attrs["value"]


def change_form(page: Node, name: str) -> Node | None:
    forms = page.find_all("form", method="post", action=f"/services/{quote(name, safe='')}")
    return forms[0] if forms else None


def post_change(
    client: TestClient, name: str, token: str | None, **fields: str | int
) -> httpx.Response:
    svc = service_now(client, name)
    form = {"tier": svc.tier, "owner": svc.owner, "lifecycle": svc.lifecycle, **fields}
    if token is not None:
        form[CSRF_FORM_FIELD] = token
    return client.post(
        f"/services/{quote(name, safe='')}",
        data={k: str(v) for k, v in form.items()},
        follow_redirects=False,
    )


def _engine(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def service_now(client: TestClient, name: str) -> ServiceOut:
    """What the database holds now, read outside any request."""
    with unit_of_work(make_session_factory(_engine(client))) as session:
        return catalog.service_out(catalog.get_service_row(session, name))


def audited_updates(client: TestClient, name: str) -> list[tuple[str, str]]:
    with unit_of_work(make_session_factory(_engine(client))) as session:
        entries = audit.list_entries(session, kind="service", name=name).items
    return [(e.actor, e.via) for e in entries if e.action == "update"]


def assert_redirects_to_login(response: httpx.Response) -> None:
    assert response.status_code == 303, response.text
    assert urlsplit(response.headers["location"]).path == "/login"


def as_browser_resolves(location: str) -> str:
    """Where a browser goes for a Location header (WHATWG URL parsing, for http pages):
    leading and trailing spaces and controls dropped, tabs and newlines removed anywhere,
    and a backslash read as a slash."""
    cleaned = location.strip("".join(map(chr, range(33))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return urljoin(f"{ORIGIN}/login", cleaned)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def admin(engine: Engine, clock: FrozenClock) -> str:
    """An admin with a password; tests that need the example shop ask for `shop` too."""
    make_user(engine, "ada", Role.ADMIN, now=clock())
    return "ada"


@pytest.fixture
def viewer(shop: Engine, clock: FrozenClock) -> str:
    make_user(shop, "vera", Role.VIEWER, now=clock())
    return "vera"


@pytest.fixture
def responder(shop: Engine, clock: FrozenClock) -> str:
    """A responder of the payments team: may change payments' services, nobody else's."""
    make_user(shop, "pat", Role.RESPONDER, scope=["payments"], now=clock())
    return "pat"


# --- logging in -------------------------------------------------------------------------


def test_login_sets_an_http_only_same_site_session_cookie(
    client: TestClient, settings: Settings, engine: Engine, admin: str, clock: FrozenClock
) -> None:
    response = log_in(client, admin)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookies = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        cookies.load(header)
    session = cookies[SESSION_COOKIE]
    assert len(session.value) >= 32
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    assert session["path"] == "/"
    assert int(session["max-age"]) == settings.session_hours * 3600
    assert not session["secure"]  # plain HTTP by default; see the next lines for HTTPS

    home = client.get("/")
    assert home.status_code == 200
    assert parse(home).one(data_testid="whoami").text == "ada (admin)"

    behind_https = settings.model_copy(update={"cookie_secure": True})
    with TestClient(
        create_app(behind_https, engine, clock), base_url="https://testserver"
    ) as secure_client:
        header = log_in(secure_client, admin).headers["set-cookie"]
    secure = SimpleCookie()
    secure.load(header)
    assert secure[SESSION_COOKIE]["secure"] is True


@pytest.mark.parametrize(
    ("name", "password"),
    [("ada", "not the password"), ("nobody", PASSWORD)],
    ids=["a wrong password", "an unknown user name"],
)
def test_a_failed_login_gives_401_and_the_form_again_with_an_error(
    client: TestClient, admin: str, name: str, password: str
) -> None:
    response = log_in(client, name, password, next_="/teams")
    assert response.status_code == 401
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    page = main(response)
    # The same words for both, so the form does not tell which user names exist.
    assert page.one(role="alert").text == "wrong user name or password"
    form = page.one("form", action="/login")
    assert form.one("input", name="username").attrs["value"] == name
    assert "value" not in form.one("input", name="password").attrs
    assert form.one("input", name="next").attrs["value"] == "/teams"
    assert_redirects_to_login(client.get("/", follow_redirects=False))


def test_logins_are_refused_after_too_many_failures_from_one_client(
    client: TestClient, settings: Settings, admin: str, engine: Engine, clock: FrozenClock
) -> None:
    limit = settings.login_max_failures
    for _ in range(limit):
        assert log_in(client, admin, "guess").status_code == 401

    refused = log_in(client, admin)  # the right password, too late
    assert refused.status_code == 429
    assert "set-cookie" not in refused.headers
    assert "too many failed logins" in main(refused).one(role="alert").text
    assert_redirects_to_login(client.get("/", follow_redirects=False))

    # Counted per user name and client: another user on that client is not locked out...
    make_user(engine, "bob", Role.VIEWER, now=clock())
    assert log_in(client, "bob").status_code == 303
    # ...nor the same user elsewhere, where one failure short of the limit still lets them in.
    with TestClient(client.app, client=("203.0.113.7", 40000)) as elsewhere:
        for _ in range(limit - 1):
            assert log_in(elsewhere, admin, "guess").status_code == 401
        assert log_in(elsewhere, admin).status_code == 303
    # Failures older than the window no longer count.
    clock.advance(minutes=settings.login_window_minutes, seconds=1)
    assert log_in(client, admin).status_code == 303


def test_a_session_ends_when_its_lifetime_is_over(
    client: TestClient, settings: Settings, admin: str, clock: FrozenClock
) -> None:
    assert log_in(client, admin).status_code == 303
    clock.advance(hours=settings.session_hours, seconds=-1)
    assert client.get("/").status_code == 200
    clock.advance(seconds=1)
    assert_redirects_to_login(client.get("/", follow_redirects=False))


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.usefixtures("shop")
def test_a_form_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, admin: str
) -> None:
    with TestClient(client.app) as other_browser:
        log_in(other_browser, admin)
        token_of_another_session = csrf_token(other_browser)
    log_in(client, admin)
    token = csrf_token(client, "/services/checkout")
    assert token != token_of_another_session

    for sent in (None, "", "forged", token_of_another_session):
        refused = post_change(client, "checkout", sent, tier=2)
        assert refused.status_code == 403, sent
        assert "CSRF token" in main(refused).one(role="alert").text
    assert service_now(client, "checkout").tier == 0
    assert audited_updates(client, "checkout") == []

    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/").status_code == 200  # still logged in

    accepted = post_change(client, "checkout", token, tier=2)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/services/checkout?saved=1"
    assert service_now(client, "checkout").tier == 2
    assert audited_updates(client, "checkout") == [("ada", "web")]


@pytest.mark.usefixtures("shop")
def test_a_cookie_authenticated_api_change_needs_the_csrf_header(
    client: TestClient, admin: str
) -> None:
    log_in(client, admin)
    refused = client.patch("/api/v1/services/web", json={"tier": 0})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert service_now(client, "web").tier == 1

    headers = {CSRF_HEADER: csrf_token(client)}
    accepted = client.patch("/api/v1/services/web", json={"tier": 0}, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert service_now(client, "web").tier == 0


class _AtResponseStart:
    """Wraps the app and runs `probe` when a response starts, before its first byte is sent."""

    def __init__(self, app: Any, probe: Callable[[], None]) -> None:
        self.app = app
        self.state = app.state
        self.probe = probe

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def spy(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.probe()
            await send(message)

        await self.app(scope, receive, spy)


@pytest.mark.usefixtures("shop")
def test_a_login_and_a_change_are_committed_before_their_redirect_is_sent(
    client: TestClient, admin: str, engine: Engine
) -> None:
    """A browser follows a redirect at once: the next page must find the session and the
    change, so the transaction has to end before the response starts, not after it."""
    seen: list[tuple[int, int]] = []

    def probe() -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            sessions = session.scalar(select(func.count()).select_from(WebSession)) or 0
            tier = session.scalars(select(Service.tier).where(Service.name == "checkout")).one()
        seen.append((sessions, tier))

    with TestClient(_AtResponseStart(client.app, probe)) as browser:
        assert log_in(browser, admin).status_code == 303
        assert seen[-1] == (1, 0)  # seen as the login's redirect starts (after the form's GET)
        token = csrf_token(browser)
        seen.clear()
        assert post_change(browser, "checkout", token, tier=2).status_code == 303
        assert seen == [(1, 2)]


# --- who sees and changes what ----------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/services", "/services/checkout", "/teams", "/teams/payments", "/audit"]
)
def test_pages_send_visitors_who_are_not_logged_in_to_the_login_form(
    client: TestClient, path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={quote(path)}"

    client.cookies.set(SESSION_COOKIE, "a-session-that-never-existed")
    assert client.get(path, follow_redirects=False).headers["location"].startswith("/login?")

    login_page = client.get(response.headers["location"])
    assert login_page.status_code == 200
    assert main(login_page).one("input", name="next").attrs["value"] == path


def test_a_form_post_without_a_session_changes_nothing(client: TestClient, shop: Engine) -> None:
    response = client.post(
        "/services/checkout",
        data={"tier": "3", "owner": "payments", "lifecycle": "production"},
        follow_redirects=False,
    )
    assert_redirects_to_login(response)
    assert service_now(client, "checkout").tier == 0


def test_a_viewer_sees_no_change_form_and_may_not_post_one(client: TestClient, viewer: str) -> None:
    log_in(client, viewer)
    page = main(client.get("/services/checkout"))
    assert page.one(data_testid="tier").text == "Tier 0"
    assert change_form(page, "checkout") is None
    assert page.find_all("select", name="tier") == []

    refused = post_change(client, "checkout", csrf_token(client), tier=3)
    assert refused.status_code == 403
    assert "role viewer cannot change service 'checkout'" in main(refused).text
    assert service_now(client, "checkout").tier == 0
    assert audited_updates(client, "checkout") == []


def test_a_scoped_responder_changes_only_the_services_of_their_team(
    client: TestClient, responder: str
) -> None:
    log_in(client, responder)
    token = csrf_token(client)

    # storefront's service: not theirs.
    refused = post_change(client, "web", token, tier=3)
    assert refused.status_code == 403
    assert "pat may change objects of teams ['payments'] only" in main(refused).text
    assert service_now(client, "web").tier == 1

    # Their own service, handed to another team: that team is not theirs either.
    refused = post_change(client, "checkout", token, owner="storefront")
    assert refused.status_code == 403
    assert service_now(client, "checkout").owner == "payments"
    assert audited_updates(client, "checkout") == []

    # Their own service, kept in the team: allowed.
    accepted = post_change(client, "checkout", token, tier=1)
    assert accepted.status_code == 303
    assert service_now(client, "checkout").tier == 1
    assert audited_updates(client, "checkout") == [("pat", "web")]
    assert audited_updates(client, "web") == []


def test_the_audit_page_is_for_admins_only(
    client: TestClient, admin: str, viewer: str, responder: str
) -> None:
    for name in (viewer, responder):
        with TestClient(client.app) as browser:
            log_in(browser, name)
            nav = parse(browser.get("/")).one("nav")
            assert [a.text for a in nav.find_all("a")] == [
                "Ninefold",
                "Home",
                "Services",
                "Readiness",
                "SLOs",
                "Alerts",
                "Incidents",
                "Action items",
                "Runbooks",
                "Changes",
                "DORA",
                "Schedules",
                "Escalation",
                "My shifts",
                "Toil",
                "DR",
                "Capacity",
                "Risks",
                "KPIs",
                "Reports",
                "Teams",
            ]
            refused = browser.get("/audit")
            assert refused.status_code == 403
            assert "only an admin may read the audit log" in main(refused).text
            assert main(refused).find_all("table") == []

    log_in(client, admin)
    post_change(client, "cart", csrf_token(client), tier=2)
    page = parse(client.get("/audit"))
    assert "Audit log" in [a.text for a in page.one("nav").find_all("a")]
    newest = page.find_all("tr", data_testid="audit-entry")[0]
    assert newest.one(data_testid="actor").text == "ada"
    assert newest.one(data_testid="object").text == "service cart"
    assert newest.one(data_testid="change").text == "tier: 1 → 2"


def test_an_entry_that_records_no_fields_leaves_the_audit_page_readable(
    client: TestClient, admin: str, viewer: str, clock: FrozenClock
) -> None:
    """Any user, a viewer too, may renew their calendar token; its entry has neither a
    before nor an after, and once made the audit page failed for every admin (issue 12)."""
    with TestClient(client.app) as browser:
        log_in(browser, viewer)
        made = browser.post(
            "/api/v1/users/me/calendar-token", headers={CSRF_HEADER: csrf_token(browser)}
        )
        assert made.status_code == 200, made.text
    log_in(client, admin)
    response = client.get("/audit")
    assert response.status_code == 200
    newest = parse(response).find_all("tr", data_testid="audit-entry")[0]
    assert newest.one(data_testid="object").text == "calendar_token vera"
    assert newest.one(data_testid="change").text == "no fields recorded"


@pytest.mark.parametrize(
    "path", ["/audit?offset=", "/services?offset=", "/alerts?offset=", "/alerts/"]
)
def test_a_page_refuses_a_number_past_the_database_range(
    client: TestClient, admin: str, shop: Engine, path: str
) -> None:
    log_in(client, admin)
    response = client.get(f"{path}{2**63}")
    assert response.status_code == 422
    assert "less than or equal to 2147483647" in main(response).text


# --- what users type ----------------------------------------------------------------------

TEAM = "Robert'); DROP TABLE teams;--"
TEAM_DISPLAY = '<b>Bobby</b> & "Tables"'
TEAM_DESCRIPTION = "<script>alert('team')</script>"
SERVICE = "<img src=x onerror=alert(1)>"
SERVICE_DISPLAY = "' OR '1'='1"
SERVICE_DESCRIPTION = '"; DELETE FROM services; -- <svg onload=alert(2)>'
MARKUP = {"b", "i", "svg", "img", "iframe"}


def test_html_and_sql_typed_by_users_are_stored_as_typed_and_shown_as_text(
    client: TestClient, admin_headers: dict[str, str], admin: str, engine: Engine
) -> None:
    team = {"name": TEAM, "display_name": TEAM_DISPLAY, "description": TEAM_DESCRIPTION}
    assert client.post("/api/v1/teams", json=team, headers=admin_headers).status_code == 201
    svc = {
        "name": SERVICE,
        "display_name": SERVICE_DISPLAY,
        "description": SERVICE_DESCRIPTION,
        "tier": 3,
        "owner": TEAM,
        "labels": {"app": "<i>x</i>"},
    }
    created = client.post("/api/v1/services", json=svc, headers=admin_headers)
    assert created.status_code == 201, created.text

    # Stored exactly as typed, and the SQL did nothing.
    with unit_of_work(make_session_factory(engine)) as session:
        row = session.scalars(select(Service).where(Service.name == SERVICE)).one()
        assert (row.display_name, row.description) == (SERVICE_DISPLAY, SERVICE_DESCRIPTION)
        assert row.owner.name == TEAM
        assert session.scalar(select(func.count()).select_from(Service)) == 15
        assert session.scalar(select(func.count()).select_from(Team)) == 4

    log_in(client, admin)
    href = f"/services/{quote(SERVICE, safe='')}"

    listing = parse(client.get("/services", params={"team": TEAM}))
    links = [a for a in listing.one("main").find_all("a") if a.attrs["href"] == href]
    assert [a.text for a in links] == [SERVICE]
    assert len(listing.one("tbody").find_all("tr")) == 1  # the team filter is a value, not SQL
    partial = parse(client.get("/services", params={"team": TEAM}, headers={"HX-Request": "1"}))
    assert [a.text for a in partial.find_all("a", href=href)] == [SERVICE]

    page = parse(client.get(links[0].attrs["href"]))
    assert page.one("title").text == f"{SERVICE} · Ninefold"
    assert page.one("h1").text == f"{SERVICE_DISPLAY} Tier 3"
    assert page.one(data_testid="name").text == SERVICE
    assert SERVICE_DESCRIPTION in [p.text for p in page.one("main").find_all("p")]
    assert page.one("main").find_all("code")[0].text == 'app="<i>x</i>"'
    assert change_form(page, SERVICE) is not None

    team_page = parse(client.get(f"/teams/{quote(TEAM, safe='')}"))
    assert team_page.one("h1").text == TEAM_DISPLAY
    assert TEAM_DESCRIPTION in [p.text for p in team_page.one("main").find_all("p")]
    teams = parse(client.get("/teams"))
    assert TEAM_DISPLAY in [a.text for a in teams.one("main").find_all("a")]
    home = parse(client.get("/"))
    assert SERVICE_DISPLAY in [a.text for a in home.one("main").find_all("a", href=href)]

    audit_page = parse(client.get("/audit", params={"kind": "service", "name": SERVICE}))
    assert audit_page.one(data_testid="object").text == f"service {SERVICE}"

    missing = client.get(f"/services/{quote('<svg onload=alert(3)>', safe='')}")
    assert missing.status_code == 404
    assert main(missing).one(role="alert").text == "no service named '<svg onload=alert(3)>'"

    for shown in (listing, partial, page, team_page, teams, home, audit_page, parse(missing)):
        assert not MARKUP & {n.tag for n in shown.iter()}
        assert [s.attrs.get("src") for s in shown.find_all("script")] in (
            [],  # the HTMX partial
            ["/static/htmx-2.0.11.min.js"],
        )


def test_html_typed_into_the_login_form_is_echoed_as_text(client: TestClient) -> None:
    typed = '"><img src=x onerror=alert(1)>'
    response = log_in(client, typed, "whatever", next_='/"><script>alert(1)</script>')
    assert response.status_code == 401
    page = parse(response)
    assert page.one("input", name="username").attrs["value"] == typed
    assert page.one("input", name="next").attrs["value"] == '/"><script>alert(1)</script>'
    assert page.find_all("img") == []
    assert len(page.find_all("script")) == 1


def test_a_repository_that_is_not_a_web_address_is_refused(
    client: TestClient, admin_headers: dict[str, str], admin: str
) -> None:
    svc = {"name": "sneaky", "tier": 3, "owner": "storefront"}
    svc["repository"] = "javascript:fetch('/logout',{method:'POST'})"
    refused = client.post("/api/v1/services", json=svc, headers=admin_headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "repository"
    assert client.get("/api/v1/services/sneaky", headers=admin_headers).status_code == 404

    log_in(client, admin)
    web = main(client.get("/services/web"))
    assert web.find_all("a", href="https://git.shop.example/storefront/web")


# --- logging out, and where a login leads -----------------------------------------------


@pytest.mark.usefixtures("shop")
def test_logging_out_ends_the_session_on_the_server(client: TestClient, admin: str) -> None:
    log_in(client, admin)
    old_session = client.cookies[SESSION_COOKIE]
    token = csrf_token(client)

    response = client.post("/logout", data={CSRF_FORM_FIELD: token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cleared = SimpleCookie()
    cleared.load(response.headers["set-cookie"])
    assert cleared[SESSION_COOKIE].value in ("", '""')
    assert int(cleared[SESSION_COOKIE]["max-age"]) == 0
    assert_redirects_to_login(client.get("/", follow_redirects=False))

    # A copy of the old cookie is worth nothing now, and neither is its CSRF token.
    client.cookies.set(SESSION_COOKIE, old_session)
    assert_redirects_to_login(client.get("/", follow_redirects=False))
    assert_redirects_to_login(post_change(client, "checkout", token, tier=3))
    assert service_now(client, "checkout").tier == 0


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        " //evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_the_next_parameter_cannot_lead_off_site(
    client: TestClient, admin: str, target: str
) -> None:
    form = main(client.get("/login", params={"next": target}))
    assert form.one("input", name="next").attrs["value"] == "/"

    response = log_in(client, admin, next_=target)
    assert response.status_code == 303
    landing = as_browser_resolves(response.headers["location"])
    assert urlsplit(landing)[:2] == ("http", "testserver"), landing
    assert response.headers["location"] == "/"  # not even a 404 on this site: home instead


def test_the_next_parameter_leads_back_to_the_page_asked_for(
    client: TestClient, admin: str
) -> None:
    response = log_in(client, admin, next_="/services?team=payments&tier=0")
    assert response.headers["location"] == "/services?team=payments&tier=0"


def test_a_login_post_without_the_forms_csrf_token_is_refused(
    client: TestClient, shop: Engine, admin: str
) -> None:
    """Login CSRF: another site cannot log the visitor into an account of its choosing."""
    forged = client.post(
        "/login", data={"username": admin, "password": PASSWORD}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in forged.cookies
    assert "stale" in main(forged).one("p", role="alert").text
    client.cookies.clear()
    client.get("/login")
    cross_site = client.post(
        "/login",
        data={"username": admin, "password": PASSWORD, CSRF_FORM_FIELD: "guessed"},
        follow_redirects=False,
    )
    assert cross_site.status_code == 403
    assert log_in(client, admin).status_code == 303


def test_the_login_redirect_keeps_the_query(client: TestClient, shop: Engine) -> None:
    response = client.get("/services?team=payments&tier=0", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/services%3Fteam%3Dpayments%26tier%3D0"
