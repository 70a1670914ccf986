// The event envelope as JSON, the one wire and storage format of events (docs/events.md):
// {position, id, stream, stream_version, type, at, actor: {type, id}, data, schema_version}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "domain/event.h"
#include "domain/result.h"

namespace helpdesk {

nlohmann::json ActorToJson(const Actor& actor);
// ActorToJson(actor).dump() and json(s).dump(), written directly (hot paths: every event).
std::string ActorJsonText(const Actor& actor);
void AppendActorJson(std::string& out, const Actor& actor);  // out += ActorJsonText(actor)
// out += the event's data as AppendJson writes it (its data_text when the command layer kept it).
void AppendEventData(std::string& out, const NewEvent& e);
// An event carried as data_text (NewEvent) with its data as a tree again, data_text emptied.
void TakeDataText(NewEvent& e);
std::string QuoteJson(const std::string& s);
// {type, id} back to an actor; an unknown type reads as a system actor.
Actor ActorFromJson(const nlohmann::json& j);
nlohmann::json EnvelopeToJson(const RecordedEvent& e);
std::string EncodeEnvelope(const RecordedEvent& e);
// kInternal when the bytes are not a valid envelope (a corrupt log).
Result<RecordedEvent> DecodeEnvelope(const std::string& bytes);

}  // namespace helpdesk
