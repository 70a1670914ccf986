"""Seeds a fresh server for scripts/check-contract and prints shell assignments of the ids made.

Reads CONTRACT_BASE_URL and CONTRACT_ADMIN_TOKEN. Every write goes through the public API, so a
failure here is a failure of the contract too: it stops the run with the status and body.
"""
import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ["CONTRACT_BASE_URL"]
TOKEN = os.environ["CONTRACT_ADMIN_TOKEN"]


def call(method, path, body=None, content_type="application/json", token=TOKEN):
    data = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null"), response.headers.get("X-Position")
    except urllib.error.HTTPError as error:
        sys.exit(f"seeding {method} {path}: {error.code} {error.read().decode(errors='replace')}")


call("POST", "/api/v1/channels",
     {"id": "wa", "type": "whatsapp", "name": "WhatsApp", "address": "+5511900000000"})
call("POST", "/api/v1/teams", {"id": "support", "name": "Support"})
# Schemathesis acts as an admin user: the bootstrap admin is not a user, and the routes that
# act as the caller ("for oneself") refuse it.
root, _ = call("POST", "/api/v1/users", {"id": "root", "name": "Root", "email": "root@example.com",
                                         "role": "admin", "teams": ["support"]})
call("PUT", "/api/v1/settings/close-reasons", {"reasons": ["Resolvido", "Sem resposta"]})
for user_id, name in (("ana", "Ana"), ("bia", "Bia")):
    call("POST", "/api/v1/users", {"id": user_id, "name": name, "email": f"{user_id}@example.com",
                                   "role": "agent", "teams": ["support"]})
# The ids the spec's examples name (contact `rui`, deal `d1`), so that its examples run as written.
call("POST", "/api/v1/contacts", {"id": "rui", "name": "Rui Costa", "phone": "+55 11 98888-7777"})
call("POST", "/api/v1/contacts/rui/opt-in", {"channel_id": "wa"})
call("POST", "/api/v1/channels/wa/templates", {"id": "welcome", "name": "Boas-vindas", "body": "Olá!"})
call("POST", "/api/v1/deals", {"id": "d1", "title": "Plano anual", "contact_id": "rui", "value": 1200,
                               "currency": "BRL", "owner_id": "ana"})
call("POST", "/api/v1/funnels", {"id": "contract", "name": "Contract", "stages": [
    {"id": "new", "name": "New"}, {"id": "done", "name": "Done", "kind": "won"}]})
call("POST", "/api/v1/contact-attributes", {"key": "plan", "label": "Plano", "type": "text"})
call("POST", "/api/v1/quick-replies", {"id": "qr1", "shortcut": "oi", "text": "Olá! Como posso ajudar?"})
upload, _ = call("POST", "/api/v1/attachments?name=nota.txt", b"nota fiscal 1001", "text/plain")
# Rui's conversation `c1`, started by a user with the template.
call("POST", "/api/v1/conversations",
     {"id": "c1", "contact_id": "rui", "channel_id": "wa", "template_id": "welcome"}, token=root["token"])
call("POST", "/api/v1/contacts", {"id": "rui-dup", "name": "Rui C.", "email": "rui.costa@cliente.com"})
_, position = call("POST", "/api/v1/channels/wa/inbound",
                   {"external_id": "wamid.seed-1", "from": {"name": "Maria", "phone": "+5511988887777"},
                    "text": "Oi, preciso de ajuda com meu pedido"})

assignments = {
    "CONTRACT_POSITION": position,
    "CONTRACT_UPLOAD_SHA256": upload["sha256"],
    "CONTRACT_USER_TOKEN": root["token"],
}
for name, value in assignments.items():
    print(f"export {name}='{value}'")
