"""Schemathesis hooks for scripts/check-contract: what a spec cannot say about valid requests.

Some values are valid only against the server's state, which no OpenAPI schema can state:
tokens the server issued (list cursors, event-feed positions, a stream's event ids), ids of
other resources named in a body, uploads, defined contact attributes, IANA time zone names,
ranges of days, times that must lie in the future, a CSV's header. Made-up values of these are
refused with a documented 400 (docs/openapi.yaml says so for each), which Schemathesis would
count as a valid request refused. So before a request is sent, these hooks drop the
server-issued tokens and put the seeded resources (tests/contract/seed.py) and valid times in
place of generated ones. Everything else goes as generated. The API tests cover the refused
cases (tests/api_bad_input_test.cc and each resource's tests).
"""
import os
from datetime import datetime, timedelta, timezone

import schemathesis

SERVER_ISSUED_QUERY = ("cursor", "after")
FUTURE_FIELDS = ("until", "expires_at")
ZONE = "America/Sao_Paulo"
# Body fields that name another resource, and the seeded one they name.
REFERENCES = {
    "contact_id": "rui",
    "channel_id": "wa",
    "template_id": "welcome",
    "deal_id": "d1",
    "user_id": "bia",
    "owner_id": "ana",
    "assignee_id": "ana",
    "team_id": "support",
    "funnel_id": "default",
    "quick_reply_id": "qr1",
    "conversation_id": "c1",
    "stage_id": "qualified",
}
CLOSE_REASON = "Resolvido"
TASK_TYPE = "call"  # built in
IMPORT_CSV = "name,phone,email,attr.plan\r\nRui Costa,+55 11 98888-7777,rui@cliente.com,ouro\r\n"


def _path(ctx):
    return ctx.operation.path if ctx.operation is not None else ""


def _method(ctx):
    return ctx.operation.method.upper() if ctx.operation is not None else ""


# Operations whose path names a seeded resource (no earlier answer in the run names one they
# can use), with the parameters bound. Destructive ones (delete, erase, merge) are left to
# the ids the run made itself.
PATH_BINDINGS = {
    ("PATCH", "/api/v1/users/{user_id}"): {"user_id": "bia"},
    ("PATCH", "/api/v1/contacts/{contact_id}"): {"contact_id": "rui"},
    ("PATCH", "/api/v1/conversations/{conversation_id}"): {"conversation_id": "c1"},
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): {"conversation_id": "c1"},
    ("POST", "/api/v1/conversations/{conversation_id}/postpone"): {"conversation_id": "c1"},
    ("POST", "/api/v1/conversations/{conversation_id}/participants"): {"conversation_id": "c1"},
    ("GET", "/webhooks/whatsapp/{channel_id}"): {"channel_id": "wa"},
    ("POST", "/webhooks/whatsapp/{channel_id}"): {"channel_id": "wa"},
    ("PUT", "/api/v1/channels/{channel_id}/integration"): {"channel_id": "wa"},
    # The default funnel keeps its stages, which the seeded deal and REFERENCES name.
    ("PUT", "/api/v1/funnels/{funnel_id}"): {"funnel_id": "contract"},
}


def _bind_references(fields):
    """Puts the seeded resource in every field of `fields` that names one (REFERENCES)."""
    for name, seeded in REFERENCES.items():
        if isinstance(fields.get(name), str):
            fields[name] = seeded


def fixed_query(ctx, query):
    if query is None:
        query = {}
    for name in SERVER_ISSUED_QUERY:
        query.pop(name, None)
    if _path(ctx) == "/api/v1/stream":
        # From the start of the log, every type: the stream has events to send at once, and
        # Schemathesis reads the first one (max-stream-events) instead of waiting for new ones.
        query["after"] = "0"
        query.pop("type", None)
    now = datetime.now(timezone.utc)
    if "tz" in query:
        query["tz"] = ZONE
    if "as_of" in query:
        query["as_of"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    # A report's range: at most 366 days, `from` before `to`.
    if "from" in query:
        query["from"] = (now - timedelta(days=30)).strftime("%Y-%m-%d")
    if "to" in query:
        query["to"] = (now + timedelta(days=1)).strftime("%Y-%m-%d")
    return query


def fixed_headers(ctx, headers):
    if headers:
        headers.pop("Last-Event-ID", None)
    return headers


def fixed_body(ctx, body):
    if _path(ctx).endswith("/contacts/import"):
        return IMPORT_CSV
    if _path(ctx) == "/api/v1/attachments" and not body:
        return "a file's bytes"
    if not isinstance(body, dict):
        return body
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    for name in FUTURE_FIELDS:
        if isinstance(body.get(name), str):
            body[name] = tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ")
    _bind_references(body)
    if isinstance(body.get("tz"), str):
        body["tz"] = ZONE
    if "order_ref" in body:
        body["order_ref"] = None
    if isinstance(body.get("attributes"), dict):
        body["attributes"] = {"plan": "ouro"}
    if "template_id" in body:
        # The seeded template has no parameters.
        body["params"] = []
    if body.get("attachments"):
        body["attachments"] = [os.environ["CONTRACT_UPLOAD_SHA256"]]
    if body.get("outbound_url"):
        body["outbound_url"] = "https://gateway.example.com/helpdesk/deliver"
    if _path(ctx).endswith("/inbound") and isinstance(body.get("from"), dict):
        # Every channel kind finds its contact by phone or e-mail.
        body["from"]["phone"] = "+55 11 97777-0000"
        body["from"]["email"] = "cliente@example.com"
    if isinstance(body.get("task"), dict):
        # A schedule's task: the same references, and a built-in type.
        _bind_references(body["task"])
        body["task"]["type"] = TASK_TYPE
    if _path(ctx).endswith("/close-reasons") and isinstance(body.get("reasons"), list):
        # The catalog keeps the reason closes name.
        if CLOSE_REASON not in body["reasons"]:
            body["reasons"] = body["reasons"][:99] + [CLOSE_REASON]
    if _path(ctx).endswith("/close") and isinstance(body.get("reason"), str):
        body["reason"] = CLOSE_REASON
    if _path(ctx).endswith("/stage") and isinstance(body.get("stage"), str):
        # The body's older form names a stage too: one of the funnel's.
        body["stage"] = REFERENCES["stage_id"]
    if _path(ctx).endswith("/move"):
        # A reason goes with a move to a lost stage only.
        body["stage_id"] = "lost" if "reason" in body else "qualified"
    if _path(ctx) in ("/api/v1/funnels", "/api/v1/funnels/{funnel_id}"):
        # Stage ids distinct, and at least one open stage.
        stages = [stage for stage in body.get("stages") or [] if isinstance(stage, dict)]
        for i, stage in enumerate(stages):
            stage["id"] = f"s{i}"
        if stages and all(stage.get("kind", "open") != "open" for stage in stages):
            stages[0]["kind"] = "open"
    if _path(ctx) == "/api/v1/tasks" and _method(ctx) == "POST":
        body["type"] = TASK_TYPE
    return body


@schemathesis.hook
def before_call(ctx, case, kwargs):
    # Right before sending, in every phase (the examples phase takes no map_* hooks), and after
    # Schemathesis put ids it saw in earlier answers into the path.
    case.query = fixed_query(ctx, case.query)
    case.headers = fixed_headers(ctx, case.headers)
    case.body = fixed_body(ctx, case.body)
    # The seeded resources some operations need, and a merge takes another contact than the
    # one in the path.
    binding = PATH_BINDINGS.get((_method(ctx), _path(ctx)))
    if case.path_parameters is not None and binding:
        case.path_parameters.update(binding)
    if case.path_parameters is not None and _path(ctx) == "/api/v1/attachments/{sha256}":
        case.path_parameters["sha256"] = os.environ["CONTRACT_UPLOAD_SHA256"]
    if _path(ctx).endswith("/merge") and isinstance(case.body, dict) and case.path_parameters:
        if case.body.get("from") == case.path_parameters.get("contact_id"):
            case.path_parameters["contact_id"] = REFERENCES["contact_id"]
            case.body["from"] = "rui-dup"
