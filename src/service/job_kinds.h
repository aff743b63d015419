// The kinds of job the service puts on the queue, and their payloads.
#pragma once

#include <string_view>

namespace eventface::service {

// Analyse one uploaded photo: renditions, faces, then match its faces
// against the selfies of its event's members. Bulk lane.
// Payload: {"photo_id": N}.
inline constexpr std::string_view kIndexPhotoJob = "index_photo";

// Embed one attendee's selfie, then search every event the attendee is a
// member of. Interactive lane. Payload: {"user_id": N}.
inline constexpr std::string_view kMatchSelfieJob = "match_selfie";

// Recompute every match of one event, keeping "not me" marks. Coalesced
// per event ("rematch_event:N"). Bulk lane. Payload: {"event_id": N}.
inline constexpr std::string_view kRematchEventJob = "rematch_event";

// Erase the selfies, and every vector and match made from them, of the
// members of events whose retention period has passed. Payload: {}.
inline constexpr std::string_view kEraseExpiredJob = "erase_expired_selfies";

}  // namespace eventface::service
