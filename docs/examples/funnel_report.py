#!/usr/bin/env python3
"""The funnel report from the event log: per stage, deals entered, moved on, won, lost.

Computes what GET /api/v1/reports/funnel answers, from the NDJSON export or the Kafka topic:

    helpdeskd export-events --data ./data | python3 funnel_report.py --funnel default \
        --from 2026-09-01T03:00:00Z --to 2026-12-01T03:00:00Z
    kcat -C -b 127.0.0.1:9092 -t helpdesk.events -e -q | python3 funnel_report.py

The rules, as the API applies them (domain/funnel.h StepOf):
  - a deal *enters* the stage it is created in, moved to, or reopened into;
  - leaving an open stage for a later stage of the funnel (not a lost one) *moves it on*, as
    the move was decided (DealMoved's `moved_on`);
  - a move whose status is won (lost) counts *won* (*lost*) on the stage it left; a deal
    created straight into a won stage adds to the won value, like any win (summed in
    thousandths of the currency unit);
  - the time in a stage is measured when the deal leaves it, in whole seconds; the median is
    taken on the API's histogram (exact below 64 s, then 32 buckets per power of two, the middle
    of the bucket);
  - each count lands at the event's time; like the API, the range is taken in 15-minute slots:
    an event counts when its slot starts at or after the slot of --from and before --to;
  - the stages are the funnel's, as defined when each move happened; the answer lists them as
    the funnel is defined at the end of the log.
Prints {"funnel_id", "won_value", "stages": [{stage_id, entered, moved_on, won, lost,
conversion, median_time_in_stage_s}]}. Needs only Python 3.9+.
"""
import argparse
import json
import math
import sys
from datetime import datetime, timezone

SLOT_MS = 15 * 60 * 1000
DEFAULT_STAGES = [
    {"id": "lead", "name": "Lead", "kind": "open"},
    {"id": "contacted", "name": "Contacted", "kind": "open"},
    {"id": "qualified", "name": "Qualified", "kind": "open"},
    {"id": "proposal", "name": "Proposal", "kind": "open"},
    {"id": "won", "name": "Won", "kind": "won"},
    {"id": "lost", "name": "Lost", "kind": "lost"},
]


def millis(text):
    t = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    return round(t.timestamp() * 1000)


def bucket_of(seconds):
    if seconds < 64:
        return max(seconds, 0)
    exponent = seconds.bit_length() - 1
    sub = (seconds >> (exponent - 5)) - 32
    return 64 + (exponent - 6) * 32 + sub


def middle_of(index):
    if index < 64:
        return index
    above = index - 64
    exponent = 6 + (above >> 5)
    sub = above & 31
    width = 1 << (exponent - 5)
    return (32 + sub) * width + (width - 1) // 2


def median(buckets):
    total = sum(buckets.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(0.5 * total))
    seen = 0
    for index in sorted(buckets):
        seen += buckets[index]
        if seen >= rank:
            return middle_of(index)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--funnel", default="default")
    parser.add_argument("--from", dest="start")
    parser.add_argument("--to", dest="end")
    args = parser.parse_args()
    first_slot = millis(args.start) // SLOT_MS if args.start else None
    end_slot = (millis(args.end) - 1) // SLOT_MS + 1 if args.end else None

    funnels = {"default": DEFAULT_STAGES}
    deals = {}  # deal id -> {funnel, stage, entered_ms, value}
    counts = {}  # stage id -> {entered, moved_on, won, lost, buckets}
    won_thousandths = 0  # the API sums won values in thousandths, exactly

    def cell(stage):
        return counts.setdefault(stage, {"entered": 0, "moved_on": 0, "won": 0, "lost": 0,
                                         "buckets": {}})

    for line in sys.stdin:
        if not line.strip():
            continue
        event = json.loads(line)
        data, kind = event.get("data", {}), event.get("type")
        if kind == "FunnelDefined":
            funnels[data["funnel_id"]] = data["stages"]
            continue
        if kind not in ("DealCreated", "DealUpdated", "DealMoved", "DealReopened"):
            continue
        at = millis(event["at"])
        deal_id = data["deal_id"]
        if kind == "DealCreated":
            deals[deal_id] = {"funnel": data["funnel_id"], "stage": data["stage_id"],
                              "entered": at, "value": data.get("value", 0)}
        deal = deals.get(deal_id)
        if deal is None:
            continue
        if kind == "DealUpdated":
            if "value" in data:
                deal["value"] = data["value"]
            continue
        source = None if kind == "DealCreated" else data["from"]
        target = data["stage_id"] if kind == "DealCreated" else data["to"]
        # What the events say, as the API reads them: the status, and moved_on as decided.
        won = data.get("status") == "won"
        lost = data.get("status") == "lost"
        moved_on = kind == "DealMoved" and data.get("moved_on", False)
        counted = (deal["funnel"] == args.funnel
                   and (first_slot is None or at // SLOT_MS >= first_slot)
                   and (end_slot is None or at // SLOT_MS < end_slot))
        if counted:
            cell(target)["entered"] += 1
            if source is not None:
                c = cell(source)
                c["moved_on"] += moved_on
                c["won"] += won
                c["lost"] += lost
                b = bucket_of(int((at - deal["entered"]) / 1000))
                c["buckets"][b] = c["buckets"].get(b, 0) + 1
            if won:
                won_thousandths += math.floor(deal["value"] * 1000 + 0.5)  # as llround
        deal["stage"], deal["entered"] = target, at

    report = []
    for stage in funnels.get(args.funnel, []):
        c = cell(stage["id"])
        report.append({
            "stage_id": stage["id"],
            "entered": c["entered"],
            "moved_on": c["moved_on"],
            "won": c["won"],
            "lost": c["lost"],
            "conversion": c["moved_on"] / c["entered"] if c["entered"] else None,
            "median_time_in_stage_s": median(c["buckets"]),
        })
    json.dump({"funnel_id": args.funnel, "won_value": won_thousandths / 1000, "stages": report},
              sys.stdout)
    print()


if __name__ == "__main__":
    main()
