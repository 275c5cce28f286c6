// Sends a citizen notification back to the chat its filing came from, so a
// citizen who filed by chat hears about status changes and the pickup notice
// where they filed, not through an app they may never open.
//
// Plugged into the Notifier as its chat_route: for a chat filing it enqueues
// the notification on the ChatSender (durable, with its own retries) and
// answers true, so the Notifier acks the job without calling the webhook; for
// any other filing it answers false and the webhook gets it as before.
#ifndef CDKV_SERVICES_CHAT_CHAT_NOTICE_ROUTE_H_
#define CDKV_SERVICES_CHAT_CHAT_NOTICE_ROUTE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "services/chat/chat_sender.h"
#include "services/chat/chat_store.h"
#include "services/records/records.h"

namespace cdkv::chat {

class ChatNoticeRoute {
 public:
  // Both must outlive every copy of the route.
  ChatNoticeRoute(ChatStore& store, ChatSender& sender)
      : store_(&store), sender_(&sender) {}

  // True when the notification was enqueued to the filing's chat (or already
  // had been: the dedupe key is "notification:<id>"); false when the filing
  // did not come from a chat. A notification carrying pickup details goes as
  // the pickup template; any other as a text, cut to the OA's limit.
  // INVALID_ARGUMENT for pickup details that cannot be read.
  absl::StatusOr<bool> operator()(const records::NotificationRow& row) const;

 private:
  ChatStore* store_;
  ChatSender* sender_;
};

// The pickup notice from a PickupDetails message in proto JSON
// (lowerCamelCase: pickupCode, deskName, address, openingHours, bring,
// readyFrom). Dates are shown in Vietnam's time (UTC+7).
absl::StatusOr<PickupNotice> PickupNoticeFromDetails(
    std::string_view filing_id, std::string_view pickup_json);

// `text` cut at a character boundary to at most `max_chars` characters, the
// last being "…" when something was cut.
std::string CutToChars(std::string_view text, size_t max_chars);

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_CHAT_NOTICE_ROUTE_H_
