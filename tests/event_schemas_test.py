#!/usr/bin/env python3
"""Every event type has a JSON Schema in docs/schemas/, and every event this test makes the real
server write validates against it.

Starts helpdeskd on the embedded log, runs commands that produce each of the event types
(docs/events.md), stops it, exports the log with `helpdeskd export-events`, and validates every
line. The events the server's own timer writes (a task's overdue reminder, a task schedule's
occurrence) are waited for: the schedule is set to occur at the next minute, so the test takes
up to about 70 s. Fails on an event without a schema, an event that does not validate, a schema
no event exercised, or a schema file that is not a valid schema.

usage: event_schemas_test.py HELPDESKD SCHEMAS_DIR EVENT_HEADER
EVENT_HEADER is domain/event.h: every event type it names must have a schema.
"""
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import jsonschema

TOKEN = "schema-test-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, body=None, token=TOKEN, expect=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status not in expect:
            raise AssertionError(f"{method} {path} -> {status}: {text}")
        return json.loads(text) if text else None

    def upload(self, data, content_type, name, token=TOKEN):
        req = urllib.request.Request(f"{self.base}/api/v1/attachments?name={name}", data=data,
                                     method="POST")
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())


def produce_every_event(api):
    api.call("POST", "/api/v1/teams", {"id": "t1", "name": "Support"})
    api.call("POST", "/api/v1/teams", {"id": "t2", "name": "Sales"})
    ana = api.call("POST", "/api/v1/users", {"id": "ana", "name": "Ana", "email": "ana@x.co",
                                             "role": "agent", "teams": ["t1"]})["token"]
    bea = api.call("POST", "/api/v1/users", {"id": "bea", "name": "Bea", "email": "bea@x.co",
                                             "role": "supervisor"})["token"]
    api.call("POST", "/api/v1/teams/t2/members", {"user_id": "bea"})
    api.call("PATCH", "/api/v1/users/bea", {"teams": ["t1", "t2"]})
    api.call("DELETE", "/api/v1/teams/t1/members/bea")
    api.call("PUT", "/api/v1/users/ana/presence", {"status": "online"}, token=ana)
    api.call("PATCH", "/api/v1/users/bea", {"name": "Bea S", "avatar_url": "https://x.co/b.png"})
    api.call("PATCH", "/api/v1/settings", {"agent_visibility": "teams"})
    api.call("PATCH", "/api/v1/settings", {"agent_visibility": "all"})
    api.call("PUT", "/api/v1/settings/close-reasons", {"reasons": ["resolvido", "spam"]})
    api.call("PUT", "/api/v1/settings/close-reasons", {"reasons": []})
    later = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    extra = api.call("POST", "/api/v1/users/ana/tokens", {"name": "ci", "expires_at": later},
                     token=ana)
    api.call("POST", "/api/v1/users/ana/tokens", {"name": "laptop"}, token=ana)
    api.call("DELETE", f"/api/v1/users/ana/tokens/{extra['token_id']}", token=ana)
    api.call("POST", "/api/v1/channels", {"id": "wa", "type": "whatsapp", "name": "WA",
                                          "address": "+5511900000000"})
    first = api.call("POST", "/api/v1/channels/wa/inbound",
                     {"external_id": "m1", "from": {"phone": "+55 11 98888-0001", "name": "Rui"},
                      "text": "Hello"})
    conv = f"/api/v1/conversations/{first['conversation_id']}"
    api.call("POST", conv + "/take", token=ana)
    api.call("POST", conv + "/protocol", token=ana)
    api.call("POST", "/api/v1/quick-replies", {"id": "hi", "shortcut": "/hi", "text": "Hi!"},
             token=ana)
    api.call("PUT", "/api/v1/quick-replies/hi", {"text": "Hello!", "visibility": "private"},
             token=ana)
    api.call("POST", conv + "/messages", {"quick_reply_id": "hi"}, token=ana)
    api.call("DELETE", "/api/v1/quick-replies/hi", token=ana)
    api.call("POST", "/api/v1/channels/wa/inbound",
             {"external_id": "m1b", "from": {"phone": "+55 11 98888-0001"}, "text": "Thanks"})
    api.call("POST", conv + "/read", token=ana)
    api.call("POST", conv + "/participants", {"user_id": "bea"}, token=ana)
    api.call("DELETE", conv + "/participants/bea")
    api.call("POST", conv + "/messages", {"text": "On it", "await_reply": True}, token=ana)
    api.call("POST", conv + "/messages", {"text": "@bea please look", "private": True},
             token=ana)
    photo = api.upload(b"\x89PNG fake bytes", "image/png", "photo.png", token=ana)
    voice = api.upload(b"OggS voice", "audio/ogg; codecs=opus", "voice.ogg", token=ana)
    api.call("POST", conv + "/messages", {"attachments": [photo["sha256"]]}, token=ana)
    api.call("POST", conv + "/messages",
             {"text": "listen", "private": True,
              "attachments": [{"sha256": voice["sha256"], "name": "note.ogg"}]}, token=ana)
    api.call("POST", conv + "/tags", {"tag": "vip"}, token=ana)
    api.call("PATCH", conv, {"subject": "Pedido", "type": "troca"}, token=ana)
    api.call("PATCH", conv, {"type": None}, token=ana)
    api.call("DELETE", conv + "/tags/vip", token=ana)
    until = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    api.call("POST", conv + "/postpone", {"until": until}, token=ana)
    api.call("POST", "/api/v1/channels/wa/inbound",
             {"external_id": "m2", "from": {"phone": "+55 11 98888-0001"}, "text": "Any news?"})
    api.call("POST", conv + "/transfer", {"team_id": "t2"}, token=ana)
    api.call("POST", conv + "/close", {"reason": "solved"})
    api.call("POST", conv + "/reopen")
    api.call("PUT", f"/api/v1/contacts/{first['contact_id']}/stage", {"stage_id": "qualified"})
    api.call("POST", "/api/v1/funnels",
             {"id": "b2b", "name": "B2B", "stages": [
                 {"id": "new", "name": "New"}, {"id": "demo", "name": "Demo"},
                 {"id": "signed", "name": "Signed", "kind": "won"},
                 {"id": "dropped", "name": "Dropped", "kind": "lost"}]})
    api.call("PUT", f"/api/v1/contacts/{first['contact_id']}/stage",
             {"funnel_id": "b2b", "stage_id": "demo"})
    deal = api.call("POST", "/api/v1/deals",
                    {"title": "Plano anual", "contact_id": first["contact_id"], "value": 1200.5,
                     "currency": "BRL", "owner_id": "ana", "conversation_id": first["conversation_id"],
                     "expected_close_on": "2026-12-31"}, token=ana)
    deal_path = f"/api/v1/deals/{deal['id']}"
    api.call("PATCH", deal_path, {"value": 1500, "expected_close_on": None}, token=ana)
    api.call("POST", deal_path + "/move", {"stage_id": "proposal"}, token=ana)
    api.call("POST", deal_path + "/move", {"stage_id": "lost", "reason": "price"}, token=ana)
    api.call("POST", deal_path + "/reopen", {"stage_id": "qualified"}, token=ana)
    spam = api.call("POST", "/api/v1/channels/wa/inbound",
                    {"external_id": "s1", "from": {"phone": "+55 11 97777-0001"}, "text": "spam"})
    api.call("POST", f"/api/v1/conversations/{spam['conversation_id']}/ignore", token=ana)
    api.call("DELETE", f"/api/v1/conversations/{spam['conversation_id']}", {"reason": "spam"})
    api.call("POST", f"/api/v1/contacts/{spam['contact_id']}/block", {"reason": "spam"})
    api.call("POST", "/api/v1/channels/wa/inbound",
             {"external_id": "s2", "from": {"phone": "+55 11 97777-0001"}, "text": "spam again"})
    api.call("POST", f"/api/v1/contacts/{spam['contact_id']}/unblock")
    api.call("POST", "/api/v1/channels/wa/templates",
             {"id": "hello", "name": "hello", "body": "Hello {{1}}!"})
    api.call("POST", f"/api/v1/contacts/{spam['contact_id']}/opt-in",
             {"channel_id": "wa", "source": "form"})
    started = api.call("POST", "/api/v1/conversations",
                       {"contact_id": spam["contact_id"], "channel_id": "wa",
                        "template_id": "hello", "params": ["Rui"]}, token=ana)
    api.call("POST", f"/api/v1/conversations/{started['id']}/messages",
             {"template_id": "hello", "params": ["again"]}, token=ana)
    api.call("POST", f"/api/v1/contacts/{spam['contact_id']}/opt-out", {"channel_id": "wa"})
    api.call("POST", "/api/v1/notifications/read", {"all": True}, token=ana)
    produce_channel_events(api, ana)
    api.call("POST", "/api/v1/contact-attributes", {"key": "cpf", "label": "CPF", "type": "text"})
    api.call("POST", "/api/v1/contact-attributes",
             {"key": "plan", "label": "Plan", "type": "list", "options": ["gold", "silver"]})
    api.call("POST", "/api/v1/contacts",
             {"id": "rui", "name": "Rui", "phone": "+55 11 95555-0001", "owner_id": "ana",
              "tags": ["vip"], "attributes": {"cpf": "123", "plan": "gold"},
              "social": {"instagram": "@rui"}}, token=ana)
    api.call("PATCH", "/api/v1/contacts/rui",
             {"name": "Rui Costa", "phone": None, "email": "rui@x.co", "tags": [],
              "attributes": {"cpf": None}, "social": {"site": "https://rui.example"}}, token=ana)
    api.call("PUT", "/api/v1/contacts/rui/owner", {"user_id": None}, token=ana)
    api.call("POST", "/api/v1/contacts/rui/notes", {"text": "@bea call him back"}, token=ana)
    api.call("POST", "/api/v1/contacts", {"id": "rui2", "name": "Rui C", "phone": "+55 11 95555-0002",
                                          "tags": ["b2b"]}, token=ana)
    api.call("PUT", "/api/v1/contacts/rui2/orders/shop-1",
             {"number": "1001", "kind": "order", "status": "paid", "total": 10.5, "currency": "BRL",
              "url": "https://shop.example/o/1", "placed_at": "2026-11-20T10:00:00Z",
              "items": [{"sku": "T-1", "name": "Shirt", "quantity": 2, "price": 5.25}]}, token=ana)
    api.call("PUT", "/api/v1/contacts/rui2/orders/shop-r1",
             {"number": "R1", "kind": "return", "status": "requested"}, token=ana)
    api.call("POST", "/api/v1/contacts/rui/merge", {"from": "rui2"})
    # An import that reports progress once, however quick: its first 2,000 rows are bad, and
    # that many row errors are recorded without waiting for the progress interval.
    rows = "".join(f"Bad {i},no phone\r\n" for i in range(2000))
    rows += "".join(f"Imported {i},+55 31 9{10000000 + i}\r\n" for i in range(500))
    req = urllib.request.Request(f"{api.base}/api/v1/contacts/import",
                                 data=("name,phone\r\n" + rows + "Bad,no phone\r\n").encode(),
                                 method="POST")
    req.add_header("Authorization", f"Bearer {TOKEN}")
    req.add_header("Content-Type", "text/csv")
    with urllib.request.urlopen(req, timeout=10) as r:
        import_id = json.loads(r.read().decode())["import_id"]
    for _ in range(600):
        if api.call("GET", f"/api/v1/contacts/imports/{import_id}")["status"] != "running":
            break
        time.sleep(0.05)
    produce_task_events(api, ana, bea, first, deal["id"])
    api.call("POST", "/api/v1/contacts/rui/erase")
    api.call("POST", f"/api/v1/contacts/{spam['contact_id']}/erase")


def utc(delta):
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def produce_task_events(api, ana, bea, first, deal_id):
    # A schedule that occurs at the next minute (UTC): the server's timer makes its task then.
    # Too close to the minute's end, wait for the next one, so that the schedule is defined
    # before its occurrence.
    now = datetime.now(timezone.utc)
    if now.second >= 50:
        time.sleep(61 - now.second)
        now = datetime.now(timezone.utc)
    at = (now + timedelta(minutes=1)).strftime("%H:%M")
    api.call("POST", "/api/v1/task-schedules",
             {"id": "daily", "every": "day", "at": at, "tz": "UTC",
              "task": {"type": "call", "title": "Daily check", "team_id": "t1",
                       "due_in_minutes": 60}}, token=bea)
    # Two more, stopped at once (they never occur).
    api.call("POST", "/api/v1/task-schedules",
             {"id": "weekly", "every": "week", "weekday": 1, "at": "09:00",
              "tz": "America/Sao_Paulo",
              "task": {"type": "email", "title": "Weekly report", "description": None,
                       "user_id": "ana", "contact_id": first["contact_id"],
                       "email_template": "weekly"}}, token=bea)
    api.call("POST", "/api/v1/task-schedules",
             {"every": "month", "day": 31, "at": "23:30", "tz": "UTC",
              "task": {"type": "custom", "title": "Close the month", "user_id": "bea",
                       "deal_id": deal_id, "due_in_minutes": 0}})
    for schedule in api.call("GET", "/api/v1/task-schedules")["items"]:
        if schedule["id"] != "daily":
            api.call("DELETE", f"/api/v1/task-schedules/{schedule['id']}", token=bea)
    api.call("POST", "/api/v1/task-types", {"id": "visit", "name": "Visit"})
    # A task queued for a team, taken, edited, sent to another team's queue, given to a user,
    # started, finished, reopened, archived.
    task = api.call("POST", "/api/v1/tasks",
                    {"type": "visit", "title": "Visit the store",
                     "description": "Bring the catalog", "team_id": "t1",
                     "contact_id": first["contact_id"], "due_at": utc(timedelta(days=2))})
    path = f"/api/v1/tasks/{task['id']}"
    api.call("POST", path + "/take", token=ana)
    api.call("PATCH", path, {"title": "Visit the new store", "description": None,
                             "due_at": utc(timedelta(days=3))}, token=ana)
    api.call("POST", path + "/transfer", {"team_id": "t2"}, token=ana)
    api.call("POST", path + "/transfer", {"user_id": "ana"}, token=bea)
    api.call("POST", path + "/start", token=ana)
    api.call("POST", path + "/finish", {"outcome": "Catalog delivered"}, token=ana)
    api.call("POST", path + "/reopen", token=ana)
    api.call("POST", path + "/archive", {"reason": "Duplicate"}, token=ana)
    # Ana's own task with every link, finished without an outcome.
    linked = api.call("POST", "/api/v1/tasks",
                      {"id": "send-proposal", "type": "email", "title": "Send the proposal",
                       "conversation_id": first["conversation_id"], "deal_id": deal_id,
                       "email_template": "proposal"}, token=ana)
    api.call("POST", f"/api/v1/tasks/{linked['id']}/finish", token=ana)
    # A task due a minute ago: the timer reminds Ana at once that it is overdue.
    late = api.call("POST", "/api/v1/tasks",
                    {"type": "call", "title": "Call Rui back", "user_id": "ana",
                     "due_at": utc(timedelta(minutes=-1))}, token=bea)
    for _ in range(200):
        if api.call("GET", "/api/v1/events?type=TaskReminded")["items"]:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the overdue reminder was not recorded within 10 s")
    api.call("POST", f"/api/v1/tasks/{late['id']}/finish", {"outcome": ""}, token=ana)
    # The schedule's occurrence, when its minute comes.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if api.call("GET", "/api/v1/task-schedules/daily")["last_occurrence_at"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"the schedule due at {at} UTC did not occur within 90 s")


class Receiver(http.server.BaseHTTPRequestHandler):
    """A channel provider on 127.0.0.1: takes the first delivery, refuses the next ones."""
    answers = [200]

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(Receiver.answers.pop(0) if Receiver.answers else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def produce_channel_events(api, ana):
    receiver = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        api.call("PUT", "/api/v1/channels/wa/integration",
                 {"verify_token": "verify-token-1", "app_secret": "app-secret-1",
                  "outbound_url": f"http://127.0.0.1:{receiver.server_port}/deliver",
                  "outbound_secret": "outbound-secret-1"})
        notification = json.dumps({
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "messages", "value": {
                "contacts": [{"wa_id": "5511966660001", "profile": {"name": "Ida"}}],
                "messages": [{"from": "5511966660001", "id": "wamid.S1",
                              "timestamp": str(int(time.time())), "type": "text",
                              "text": {"body": "Oi"}}]}}]}]}).encode()
        signature = hmac.new(b"app-secret-1", notification, hashlib.sha256).hexdigest()
        req = urllib.request.Request(api.base + "/webhooks/whatsapp/wa", data=notification,
                                     method="POST")
        req.add_header("X-Hub-Signature-256", f"sha256={signature}")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200, r.status
        convs = []
        for _ in range(100):
            convs = [c for c in api.call("GET", "/api/v1/conversations?view=all&limit=100")["items"]
                     if c["contact"].get("phone") == "+5511966660001"]
            if convs:
                break
            time.sleep(0.05)
        conv = f"/api/v1/conversations/{convs[0]['id']}"
        api.call("POST", conv + "/take", token=ana)
        api.call("POST", conv + "/messages", {"text": "Delivered"}, token=ana)
        api.call("POST", conv + "/messages", {"text": "Refused"}, token=ana)
        for _ in range(200):
            done = [api.call("GET", f"/api/v1/events?type={t}")["items"]
                    for t in ("MessageDelivered", "MessageFailed")]
            if all(done):
                return
            time.sleep(0.05)
        raise AssertionError("the deliveries were not recorded within 10 s")
    finally:
        receiver.shutdown()


def main(helpdeskd, schemas_dir, event_header):
    with open(event_header) as f:
        declared = set(re.findall(r'inline constexpr const char\* k\w+ = "(\w+)";', f.read()))
    schemas = {}
    for name in sorted(os.listdir(schemas_dir)):
        if name.endswith(".schema.json"):
            with open(os.path.join(schemas_dir, name)) as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            schemas[name[: -len(".schema.json")]] = schema
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        port = free_port()
        server = subprocess.Popen(
            [helpdeskd, "--listen", f"127.0.0.1:{port}", "--data", data, "--admin-token", TOKEN,
             "--log-level", "warn", "--rate-per-token", "0", "--rate-per-address", "0",
             "--allow-private-outbound"])
        try:
            api = Api(port)
            for _ in range(200):
                try:
                    urllib.request.urlopen(api.base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)
            produce_every_event(api)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        out = subprocess.run([helpdeskd, "export-events", "--data", data], check=True,
                             capture_output=True, text=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    failures, seen = [], set()
    for e in events:
        schema = schemas.get(e.get("type"))
        if schema is None:
            failures.append(f"no schema for {e.get('type')}")
            continue
        seen.add(e["type"])
        for error in jsonschema.Draft202012Validator(schema).iter_errors(e):
            failures.append(f"{e['type']} at position {e['position']}: {error.message}")
    for missing in sorted(declared - set(schemas)):
        failures.append(f"event type {missing} (domain/event.h) has no schema")
    for missing in sorted(set(schemas) - seen):
        failures.append(f"no event exercised the schema of {missing}")
    print(f"{len(events)} events of {len(seen)} types checked against {len(schemas)} schemas")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures or not events else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
