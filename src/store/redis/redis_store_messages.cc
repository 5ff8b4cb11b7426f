// RedisStore: messages (timestamps, paging, readers, reactions) and file records (see
// redis_store.h).
//
// A message is a hash under its room's tag, {room:<r>}:msg:<id>, with its readers (hash user ->
// "<seq>,<read_at>") and reactions (zset "<user>\0<emoji>" by sequence) beside it; the room's
// timeline zset orders the non-deleted ones by timestamp and {room:<r>}:last holds the newest
// timestamp. msg:<id> -> room id (its own slot) answers find_message_room and makes ids unique.
#include <algorithm>

#include "store/redis/records.h"
#include "store/redis/redis_store.h"
#include "store/redis/scripts.h"

namespace parley::store::redis {

namespace {

std::string num(int64_t v) {
  return std::to_string(v);
}

}  // namespace

// Two writes: claim the id (SET msg:<id> <room> NX), then the append script in the room's slot.
// The claim comes first so a duplicate id is refused before a timestamp is taken; if the script
// fails the claim is released. A claim whose message is missing (the release failed too) only
// makes find_message_room name a room where get_message then finds nothing, which callers
// already handle as "unknown message".
asio::awaitable<Result<chat::Message>> RedisStore::append_message(chat::Message m) {
  const std::string claim_key = keys_.message_room(m.id);
  Command claim{"SET", claim_key, m.room_id, "NX"};
  auto claimed = co_await exec(claim_key, std::move(claim), write_ack_);
  if (!claimed) co_return claimed.error();
  if (claimed->is_nil()) co_return Error::conflict("message " + m.id + " exists");

  std::vector<std::string> keys{keys_.last_ts(m.room_id), keys_.timeline(m.room_id),
                                keys_.message(m.room_id, m.id)};
  std::vector<std::string> args{num(m.timestamp),
                                m.id,
                                m.room_id,
                                m.content,
                                m.sender_id,
                                chat::to_string(m.type),
                                m.file_id,
                                m.ai_type,
                                m.metadata_json,
                                mentions_to_json(m.mentions),
                                m.is_deleted ? "1" : "0",
                                num(static_cast<int64_t>(m.readers.size()))};
  for (const chat::Reader& r : m.readers) {
    args.push_back(r.user_id);
    args.push_back(num(r.read_at));
  }
  for (const auto& [emoji, users] : m.reactions) {
    for (const Id& u : users) {
      args.push_back(u);
      args.push_back(emoji);
    }
  }
  auto stored =
      co_await run_script(scripts::append_message(), std::move(keys), std::move(args), write_ack_);
  if (!stored || stored->integer < 0) {
    (void)co_await script1(scripts::del_if_equal(), claim_key, m.room_id, write_ack_);
    if (!stored) co_return stored.error();
    co_return Error::conflict("message " + m.id + " exists");
  }
  m.timestamp = stored->integer;
  // What is stored: the first read of each reader, each reaction once.
  if (!m.readers.empty()) {
    std::vector<chat::Reader> unique;
    for (chat::Reader& r : m.readers) {
      auto same = [&](const chat::Reader& u) { return u.user_id == r.user_id; };
      if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(std::move(r));
    }
    m.readers = std::move(unique);
  }
  for (auto& [emoji, users] : m.reactions) {
    std::vector<Id> unique;
    for (Id& u : users) {
      if (std::find(unique.begin(), unique.end(), u) == unique.end())
        unique.push_back(std::move(u));
    }
    users = std::move(unique);
  }
  if (m.type == chat::MessageType::file && !m.file_id.empty() && !m.is_deleted) {
    // rooms_referencing_file: the room, scored by its first file message (ZADD NX keeps it).
    std::string key = keys_.file_rooms(m.file_id);
    Command ref{"ZADD", key, "NX", num(m.timestamp), m.room_id};
    auto referenced = co_await exec(std::move(key), std::move(ref), write_ack_);
    if (!referenced) co_return referenced.error();
  }
  co_return std::move(m);
}

asio::awaitable<Result<std::optional<Id>>> RedisStore::find_message_room(Id message_id) {
  std::string key = keys_.message_room(message_id);
  Command get{"GET", key};
  auto r = co_await exec(std::move(key), std::move(get), Ack::master);
  if (!r) co_return r.error();
  if (r->is_nil()) co_return std::optional<Id>{};
  co_return std::optional<Id>{r->str};
}

asio::awaitable<Result<std::optional<chat::Message>>> RedisStore::get_message(Id room_id, Id id) {
  std::string key = keys_.message(room_id, id);
  std::vector<Command> cmds{{"HGETALL", key},
                            {"HGETALL", keys_.readers(room_id, id)},
                            {"ZRANGE", keys_.reactions(room_id, id), "0", "-1"}};
  auto r = co_await exec_pipeline(std::move(key), std::move(cmds), Ack::master);
  if (!r) co_return r.error();
  auto m = message_from((*r)[0], (*r)[1], (*r)[2]);
  if (m && m->room_id != room_id) co_return std::optional<chat::Message>{};
  co_return m;
}

asio::awaitable<Result<MessagePage>> RedisStore::fetch_messages(Id room_id, Millis before,
                                                                int limit, Id reader, Millis now) {
  limit = std::max(limit, 0);
  MessagePage page;
  if (limit == 0) {
    // Only whether anything older exists.
    std::string key = keys_.timeline(room_id);
    Command any{"ZCOUNT", key, "-inf", "(" + num(before)};
    auto r = co_await exec(std::move(key), std::move(any), Ack::master);
    if (!r) co_return r.error();
    page.has_more = r->integer > 0;
    co_return page;
  }
  std::vector<std::string> keys{keys_.timeline(room_id)};
  std::vector<std::string> args{num(before), num(static_cast<int64_t>(limit) + 1), reader,
                                num(now),    keys_.message_base(room_id),          num(limit)};
  // With a reader the script writes (readers), so it waits for replicas like any write.
  auto r = co_await run_script(scripts::fetch_messages(), std::move(keys), std::move(args),
                               reader.empty() ? Ack::master : write_ack_);
  if (!r) co_return r.error();
  if (!r->is_array()) co_return Error::internal("redis store: bad fetch reply");
  for (const Reply& e : r->elements) {
    if (!e.is_array() || e.elements.size() != 3) continue;
    if (auto m = message_from(e.elements[0], e.elements[1], e.elements[2]))
      page.messages.push_back(std::move(*m));
  }
  if (page.messages.size() > static_cast<size_t>(limit)) {
    page.has_more = true;
    page.messages.resize(static_cast<size_t>(limit));
  }
  std::reverse(page.messages.begin(), page.messages.end());
  co_return page;
}

asio::awaitable<Result<void>> RedisStore::mark_read(Id room_id, std::vector<Id> message_ids,
                                                    Id user_id, Millis now) {
  if (message_ids.empty()) co_return Result<void>{};
  std::vector<std::string> keys{keys_.timeline(room_id)};
  std::vector<std::string> args{keys_.message_base(room_id), user_id, num(now)};
  for (Id& id : message_ids)
    args.push_back(std::move(id));
  auto r = co_await run_script(scripts::mark_read(), std::move(keys), std::move(args), write_ack_);
  if (!r) co_return r.error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> RedisStore::update_reaction(
    Id room_id, Id message_id, std::string emoji, Id user_id, bool add) {
  std::vector<std::string> keys{keys_.message(room_id, message_id),
                                keys_.reactions(room_id, message_id)};
  std::vector<std::string> args{user_id, emoji, add ? "1" : "0"};
  auto r =
      co_await run_script(scripts::update_reaction(), std::move(keys), std::move(args), write_ack_);
  if (!r) co_return r.error();
  if (r->is_nil()) co_return Error::not_found("message " + message_id);
  co_return reactions_from(r.value());
}

// ---- files: {file:<id>} hash, filename:<name> -> id (claimed first, like an email)

asio::awaitable<Result<void>> RedisStore::create_file(chat::FileRecord f) {
  const std::string name_key = keys_.filename(f.filename);
  Command claim{"SET", name_key, f.id, "NX"};
  auto claimed = co_await exec(name_key, std::move(claim), write_ack_);
  if (!claimed) co_return claimed.error();
  if (claimed->is_nil()) co_return Error::conflict("filename " + f.filename + " exists");
  std::vector<std::string> keys{keys_.file(f.id)};
  std::vector<std::string> args{f.id,        f.filename, f.originalname, f.mimetype,
                                num(f.size), f.path,     f.user_id,      num(f.upload_date)};
  auto created =
      co_await run_script(scripts::create_file(), std::move(keys), std::move(args), write_ack_);
  if (!created || created->integer != 1) {
    (void)co_await script1(scripts::del_if_equal(), name_key, f.id, write_ack_);
    if (!created) co_return created.error();
    co_return Error::conflict("file " + f.id + " exists");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> RedisStore::get_file(Id id) {
  std::string key = keys_.file(id);
  Command get{"HGETALL", key};
  auto r = co_await exec(std::move(key), std::move(get), Ack::master);
  if (!r) co_return r.error();
  co_return file_from(fields_of(r.value()));
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> RedisStore::get_file_by_filename(
    std::string filename) {
  std::string key = keys_.filename(filename);
  Command get{"GET", key};
  auto id = co_await exec(std::move(key), std::move(get), Ack::master);
  if (!id) co_return id.error();
  if (id->is_nil()) co_return std::optional<chat::FileRecord>{};
  auto f = co_await get_file(id->str);
  if (!f) co_return f.error();
  if (f.value() && f.value()->filename != filename) co_return std::optional<chat::FileRecord>{};
  co_return f;
}

// The record first, then the filename (a filename left behind points at no record: readers
// treat it as unknown, and create_file of that name is refused only while it is there).
asio::awaitable<Result<void>> RedisStore::delete_file(Id id) {
  auto f = co_await get_file(id);
  if (!f) co_return f.error();
  if (!f.value()) co_return Result<void>{};
  std::string key = keys_.file(id);
  Command del{"DEL", key};
  auto r = co_await exec(std::move(key), std::move(del), write_ack_);
  if (!r) co_return r.error();
  std::string name_key = keys_.filename(f.value()->filename);
  auto released = co_await script1(scripts::del_if_equal(), std::move(name_key), id, write_ack_);
  if (!released) co_return released.error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::vector<Id>>> RedisStore::rooms_referencing_file(Id file_id) {
  if (file_id.empty()) co_return std::vector<Id>{};
  std::string key = keys_.file_rooms(file_id);
  Command range{"ZRANGE", key, "0", "-1"};
  auto r = co_await exec(std::move(key), std::move(range), Ack::master);
  if (!r) co_return r.error();
  co_return strings_of(r.value());
}

}  // namespace parley::store::redis
