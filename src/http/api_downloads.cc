// The attendee's ZIP download and the live event streams.
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "http/api_attendees.h"
#include "http/api_json.h"
#include "http/zip_writer.h"

namespace eventface::http {
namespace {

struct ZipItem {
  std::string name;
  Timestamp modified;
  std::filesystem::path path;
};

// The files of `photos`, each checked against `principal` as a single
// download would be.
Result<std::vector<ZipItem>> ZipItems(
    const Api& api, const service::Principal& principal,
    const std::vector<service::MyPhoto>& photos) {
  std::vector<ZipItem> items;
  for (const service::MyPhoto& mine : photos) {
    auto path = api.attendees.PhotoFile(principal, mine.photo.id,
                                        service::PhotoFileKind::kOriginal);
    if (!path) return path.error();
    items.push_back({"photo-" + std::to_string(mine.photo.id) + "." +
                         ImageTypeOfFile(*path).extension,
                     mine.photo.uploaded_at, *path});
  }
  return items;
}

// New photos of one attendee in one event.
class MyPhotosSource : public EventSource {
 public:
  MyPhotosSource(const Api& api, service::Principal attendee, int64_t event_id)
      : api_(api), attendee_(std::move(attendee)), event_id_(event_id) {}

  Result<std::vector<ServerEvent>> Poll() override {
    auto photos = api_.attendees.MyPhotos(attendee_, event_id_);
    if (!photos) return photos.error();
    std::vector<ServerEvent> events;
    for (const service::MyPhoto& mine : *photos) {
      if (!seen_.insert(mine.photo.id).second) continue;
      events.push_back(
          {"photo", MyPhotoJson(mine).dump(), std::to_string(mine.photo.id)});
    }
    return events;
  }

 private:
  const Api& api_;
  service::Principal attendee_;
  int64_t event_id_;
  std::set<int64_t> seen_;
};

// How many photos of an event are in each state, and their faces.
class ProgressSource : public EventSource {
 public:
  ProgressSource(const Api& api, service::Principal manager, int64_t event_id)
      : api_(api), manager_(std::move(manager)), event_id_(event_id) {}

  Result<std::vector<ServerEvent>> Poll() override {
    auto photos = api_.photos.List(manager_, event_id_);
    if (!photos) return photos.error();
    nlohmann::json progress = {
        {"queued", 0}, {"indexed", 0}, {"failed", 0}, {"faces", 0}};
    for (const store::Photo& photo : *photos) {
      progress["faces"] = progress["faces"].get<int>() + photo.face_count;
      std::string state = PhotoJson(photo)["state"];
      progress[state] = progress[state].get<int>() + 1;
    }
    std::string data = progress.dump();
    if (data == last_) return std::vector<ServerEvent>();
    last_ = data;
    return std::vector<ServerEvent>{{"progress", data, ""}};
  }

 private:
  const Api& api_;
  service::Principal manager_;
  int64_t event_id_;
  std::string last_;
};

}  // namespace

StreamHandler MyPhotosZipRoute(const Api& api) {
  return [&api](const Request& request) -> Result<StreamReply> {
    auto principal = Authenticate(api, request);
    if (!principal) return principal.error();
    auto id = IdParam(request);
    if (!id) return id.error();
    auto photos = api.attendees.MyPhotos(*principal, *id);
    if (!photos) return photos.error();
    auto items = ZipItems(api, *principal, *photos);
    if (!items) return items.error();
    StreamReply reply;
    reply.content_type = "application/zip";
    reply.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"event-" +
                                   std::to_string(*id) + "-photos.zip\"");
    std::string request_id(request.request_id());
    reply.write_body = [items = std::move(*items),
                        request_id](ResponseStream& out) -> Status {
      ZipWriter zip(
          [&out](std::string_view bytes) { return out.Write(bytes); });
      for (const ZipItem& item : items) {
        auto added = zip.AddFile(item.name, item.modified, item.path);
        if (added) continue;
        // A photo deleted since the listing is left out, not fatal.
        if (added.error().code != ErrorCode::kNotFound) return added.error();
        spdlog::warn("[req:{}] zip: {} left out: {}", request_id, item.name,
                     added.error().message);
      }
      return zip.Finish();
    };
    return reply;
  };
}

EventsHandler MyPhotosLiveRoute(const Api& api) {
  return
      [&api](const Request& request) -> Result<std::shared_ptr<EventSource>> {
        auto principal = Authenticate(api, request);
        if (!principal) return principal.error();
        auto id = IdParam(request);
        if (!id) return id.error();
        // Refuse non-members before the stream starts.
        auto first = api.attendees.MyPhotos(*principal, *id);
        if (!first) return first.error();
        return std::shared_ptr<EventSource>(
            std::make_shared<MyPhotosSource>(api, *principal, *id));
      };
}

EventsHandler EventProgressLiveRoute(const Api& api) {
  return
      [&api](const Request& request) -> Result<std::shared_ptr<EventSource>> {
        auto principal = Authenticate(api, request);
        if (!principal) return principal.error();
        auto id = IdParam(request);
        if (!id) return id.error();
        auto first = api.photos.List(*principal, *id);
        if (!first) return first.error();
        return std::shared_ptr<EventSource>(
            std::make_shared<ProgressSource>(api, *principal, *id));
      };
}

}  // namespace eventface::http
