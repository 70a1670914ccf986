#!/usr/bin/env python3
"""Peak hours from the event log: customer messages by local hour of the day.

Computes what GET /api/v1/reports/peak-hours answers, from the NDJSON export or the Kafka topic:

    helpdeskd export-events --data ./data | python3 peak_hours.py --tz America/Sao_Paulo \
        --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z
    kcat -C -b 127.0.0.1:9092 -t helpdesk.events -e -q | python3 peak_hours.py --tz Asia/Kolkata

A message counts at the time the customer sent it (`sent_at`), in the local hour of `--tz`. Like
the API, the range is taken in 15-minute slots: a message counts when its slot starts at or after
the slot of --from and before --to. Prints {"buckets": [{"hour": 0..23, "received": n}]}.
Needs only Python 3.9+ and the system's tz database.
"""
import argparse
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

SLOT_SECONDS = 15 * 60


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def slot_start(t):
    seconds = int(t.timestamp()) // SLOT_SECONDS * SLOT_SECONDS
    return datetime.fromtimestamp(seconds, timezone.utc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tz", default="UTC")
    parser.add_argument("--from", dest="start")
    parser.add_argument("--to", dest="end")
    parser.add_argument("--channel-id")
    args = parser.parse_args()
    zone = ZoneInfo(args.tz)
    start = slot_start(parse_time(args.start)) if args.start else None
    end = parse_time(args.end) if args.end else None

    channel_of = {}  # conversation stream -> channel id
    received = [0] * 24
    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        data = event.get("data", {})
        if event["type"] == "ConversationOpened":
            channel_of[event["stream"]] = data.get("channel_id")
        if event["type"] != "MessageReceived":
            continue
        if args.channel_id and channel_of.get(event["stream"]) != args.channel_id:
            continue
        slot = slot_start(parse_time(data.get("sent_at") or event["at"]))
        if (start and slot < start) or (end and slot >= end):
            continue
        received[slot.astimezone(zone).hour] += 1

    json.dump({"buckets": [{"hour": h, "received": n} for h, n in enumerate(received)]},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
