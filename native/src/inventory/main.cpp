// hilt-inventory: one long-lived connection to the audio server for hilt's inventory, instead of
// a pactl and a pw-dump spawned per snapshot. It holds a PipeWire registry (nodes, ports, clients
// and links bound, each one's latest info kept, dropped on global_remove) and a Pulse context.
//
//   hilt-inventory      (the server from the environment: PIPEWIRE_RUNTIME_DIR, PULSE_SERVER)
//
// stdin, one request a line:
//   snapshot -> {"pactl":{"modules":[...],"sinks":[...],"sources":[...],"sink_inputs":[...],
//                "source_outputs":[...]},"dump":[{"id":..,"type":"PipeWire:Interface:Node","info":{"props":{..}}},..]}
//               shaped like `pactl -f json list` and `pw-dump`, with the fields hilt's parsers read
// stdin closed or SIGTERM: exit 0. The server gone (or refusing): {"error":"..."} and exit 1.
#include <pipewire/pipewire.h>
#include <pulse/pulseaudio.h>
#include <signal.h>
#include <spa/utils/dict.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "json_out.h"

namespace {

using hilt_inventory::appendPwValue;
using hilt_inventory::appendString;

// Rounds of sync a snapshot makes at most while binds still wait for their info (a bind the
// server refused never gets one).
constexpr int MAX_SYNC_ROUNDS = 20;

struct PwObject {
  uint32_t id = 0;
  std::string type;
  pw_proxy* proxy = nullptr;
  spa_hook objectListener{};
  bool hasInfo = false;
  std::vector<std::pair<std::string, std::string>> props;
  bool isLink = false;
  uint32_t outNode = 0, outPort = 0, inNode = 0, inPort = 0;
};

struct PwState {
  pw_thread_loop* loop = nullptr;
  pw_context* context = nullptr;
  pw_core* core = nullptr;
  pw_registry* registry = nullptr;
  spa_hook coreListener{};
  spa_hook registryListener{};
  std::map<uint32_t, std::unique_ptr<PwObject>> objects;  // by id: pw-dump's order
  int waitSeq = -1;
  bool synced = false;
  std::string error;
};

void keepProps(PwObject* o, const spa_dict* dict) {
  o->props.clear();
  if (!dict) return;
  const spa_dict_item* item;
  spa_dict_for_each(item, dict) o->props.emplace_back(item->key, item->value ? item->value : "");
}

// Each type's info carries its props under a change-mask bit; the first info carries them all.
void onNodeInfo(void* data, const pw_node_info* info) {
  auto* o = static_cast<PwObject*>(data);
  if (!o->hasInfo || (info->change_mask & PW_NODE_CHANGE_MASK_PROPS)) keepProps(o, info->props);
  o->hasInfo = true;
}
void onPortInfo(void* data, const pw_port_info* info) {
  auto* o = static_cast<PwObject*>(data);
  if (!o->hasInfo || (info->change_mask & PW_PORT_CHANGE_MASK_PROPS)) keepProps(o, info->props);
  o->hasInfo = true;
}
void onClientInfo(void* data, const pw_client_info* info) {
  auto* o = static_cast<PwObject*>(data);
  if (!o->hasInfo || (info->change_mask & PW_CLIENT_CHANGE_MASK_PROPS)) keepProps(o, info->props);
  o->hasInfo = true;
}
void onLinkInfo(void* data, const pw_link_info* info) {
  auto* o = static_cast<PwObject*>(data);
  if (!o->hasInfo || (info->change_mask & PW_LINK_CHANGE_MASK_PROPS)) keepProps(o, info->props);
  o->outNode = info->output_node_id;
  o->outPort = info->output_port_id;
  o->inNode = info->input_node_id;
  o->inPort = info->input_port_id;
  o->hasInfo = true;
}

pw_node_events nodeEvents() {
  pw_node_events e{};
  e.version = PW_VERSION_NODE_EVENTS;
  e.info = onNodeInfo;
  return e;
}
pw_port_events portEvents() {
  pw_port_events e{};
  e.version = PW_VERSION_PORT_EVENTS;
  e.info = onPortInfo;
  return e;
}
pw_client_events clientEvents() {
  pw_client_events e{};
  e.version = PW_VERSION_CLIENT_EVENTS;
  e.info = onClientInfo;
  return e;
}
pw_link_events linkEvents() {
  pw_link_events e{};
  e.version = PW_VERSION_LINK_EVENTS;
  e.info = onLinkInfo;
  return e;
}
const pw_node_events NODE_EVENTS = nodeEvents();
const pw_port_events PORT_EVENTS = portEvents();
const pw_client_events CLIENT_EVENTS = clientEvents();
const pw_link_events LINK_EVENTS = linkEvents();

void dropObject(PwState* s, uint32_t id) {
  auto it = s->objects.find(id);
  if (it == s->objects.end()) return;
  spa_hook_remove(&it->second->objectListener);
  pw_proxy_destroy(it->second->proxy);
  s->objects.erase(it);
}

void onGlobal(void* data, uint32_t id, uint32_t, const char* type, uint32_t, const spa_dict*) {
  auto* s = static_cast<PwState*>(data);
  const bool node = std::strcmp(type, PW_TYPE_INTERFACE_Node) == 0;
  const bool port = std::strcmp(type, PW_TYPE_INTERFACE_Port) == 0;
  const bool client = std::strcmp(type, PW_TYPE_INTERFACE_Client) == 0;
  const bool link = std::strcmp(type, PW_TYPE_INTERFACE_Link) == 0;
  if (!node && !port && !client && !link) return;
  dropObject(s, id);  // an id the server reuses is a new object
  auto o = std::make_unique<PwObject>();
  o->id = id;
  o->type = type;
  o->isLink = link;
  const uint32_t version = node ? PW_VERSION_NODE : port ? PW_VERSION_PORT : client ? PW_VERSION_CLIENT : PW_VERSION_LINK;
  o->proxy = static_cast<pw_proxy*>(pw_registry_bind(s->registry, id, type, version, 0));
  if (!o->proxy) return;
  // The proxy's methods are the typed interface's: add the typed listener for its info.
  if (node) pw_node_add_listener(reinterpret_cast<pw_node*>(o->proxy), &o->objectListener, &NODE_EVENTS, o.get());
  if (port) pw_port_add_listener(reinterpret_cast<pw_port*>(o->proxy), &o->objectListener, &PORT_EVENTS, o.get());
  if (client) pw_client_add_listener(reinterpret_cast<pw_client*>(o->proxy), &o->objectListener, &CLIENT_EVENTS, o.get());
  if (link) pw_link_add_listener(reinterpret_cast<pw_link*>(o->proxy), &o->objectListener, &LINK_EVENTS, o.get());
  s->objects[id] = std::move(o);
}

void onGlobalRemove(void* data, uint32_t id) { dropObject(static_cast<PwState*>(data), id); }

void onCoreDone(void* data, uint32_t id, int seq) {
  auto* s = static_cast<PwState*>(data);
  if (id != PW_ID_CORE || seq != s->waitSeq) return;
  s->synced = true;
  pw_thread_loop_signal(s->loop, false);
}

void onCoreError(void* data, uint32_t id, int, int res, const char* message) {
  auto* s = static_cast<PwState*>(data);
  if (id == PW_ID_CORE && res == -EPIPE) {
    // The connection itself: the server went away.
    s->error = std::string("PipeWire: the connection ended: ") + (message ? message : "") + " (" + std::strerror(-res) + ")";
    pw_thread_loop_signal(s->loop, false);
    return;
  }
  // Anything else is about one object (a bind to a global removed meanwhile, a proxy the server
  // has already dropped): not the connection. A bind refused gets no info: stop waiting for it.
  std::fprintf(stderr, "hilt-inventory: PipeWire error on %u: %s (%s)\n", id, message ? message : "", std::strerror(-res));
  for (auto& [gid, o] : s->objects)
    if (pw_proxy_get_id(o->proxy) == id) o->hasInfo = true;
}

pw_core_events coreEvents() {
  pw_core_events e{};
  e.version = PW_VERSION_CORE_EVENTS;
  e.done = onCoreDone;
  e.error = onCoreError;
  return e;
}
pw_registry_events registryEvents() {
  pw_registry_events e{};
  e.version = PW_VERSION_REGISTRY_EVENTS;
  e.global = onGlobal;
  e.global_remove = onGlobalRemove;
  return e;
}
const pw_core_events CORE_EVENTS = coreEvents();
const pw_registry_events REGISTRY_EVENTS = registryEvents();

bool pwConnect(PwState& s) {
  s.loop = pw_thread_loop_new("hilt-inventory", nullptr);
  if (!s.loop) return (s.error = "PipeWire: cannot make a loop", false);
  s.context = pw_context_new(pw_thread_loop_get_loop(s.loop), nullptr, 0);
  if (!s.context) return (s.error = "PipeWire: cannot make a context", false);
  if (pw_thread_loop_start(s.loop) < 0) return (s.error = "PipeWire: cannot start its loop", false);
  pw_thread_loop_lock(s.loop);
  s.core = pw_context_connect(s.context, nullptr, 0);
  if (!s.core) {
    s.error = std::string("PipeWire: cannot connect (") + std::strerror(errno) + ")";
    pw_thread_loop_unlock(s.loop);
    return false;
  }
  pw_core_add_listener(s.core, &s.coreListener, &CORE_EVENTS, &s);
  s.registry = pw_core_get_registry(s.core, PW_VERSION_REGISTRY, 0);
  pw_registry_add_listener(s.registry, &s.registryListener, &REGISTRY_EVENTS, &s);
  pw_thread_loop_unlock(s.loop);
  return true;
}

// Round trips until every bound object has its info (new globals arrive with each round).
bool pwSync(PwState& s) {
  pw_thread_loop_lock(s.loop);
  for (int round = 0; round < MAX_SYNC_ROUNDS && s.error.empty(); ++round) {
    s.synced = false;
    s.waitSeq = pw_core_sync(s.core, PW_ID_CORE, 0);
    while (!s.synced && s.error.empty()) pw_thread_loop_wait(s.loop);
    bool waiting = false;
    for (auto& [id, o] : s.objects) waiting = waiting || !o->hasInfo;
    if (!waiting) break;
  }
  const bool ok = s.error.empty();
  pw_thread_loop_unlock(s.loop);
  return ok;
}

// pw-dump's shape for the four types, with the fields hilt reads.
void pwDump(PwState& s, std::string& out) {
  pw_thread_loop_lock(s.loop);
  out += '[';
  bool first = true;
  for (auto& [id, o] : s.objects) {
    if (!o->hasInfo) continue;
    if (!first) out += ',';
    first = false;
    out += "{\"id\":" + std::to_string(id) + ",\"type\":";
    appendString(out, o->type.c_str());
    out += ",\"info\":{";
    if (o->isLink) {
      out += "\"output-node-id\":" + std::to_string(o->outNode) + ",\"output-port-id\":" + std::to_string(o->outPort);
      out += ",\"input-node-id\":" + std::to_string(o->inNode) + ",\"input-port-id\":" + std::to_string(o->inPort) + ',';
    }
    out += "\"props\":{";
    for (size_t i = 0; i < o->props.size(); ++i) {
      if (i) out += ',';
      appendString(out, o->props[i].first.c_str());
      out += ':';
      appendPwValue(out, o->props[i].second.c_str());
    }
    out += "}}}";
  }
  out += ']';
  pw_thread_loop_unlock(s.loop);
}

void pwDisconnect(PwState& s) {
  if (!s.loop) return;
  pw_thread_loop_stop(s.loop);
  while (!s.objects.empty()) dropObject(&s, s.objects.begin()->first);
  if (s.registry) pw_proxy_destroy(reinterpret_cast<pw_proxy*>(s.registry));
  if (s.core) pw_core_disconnect(s.core);
  if (s.context) pw_context_destroy(s.context);
  pw_thread_loop_destroy(s.loop);
  s.loop = nullptr;
}

// --- Pulse -----------------------------------------------------------------------------------

struct PaState {
  pa_threaded_mainloop* loop = nullptr;
  pa_context* context = nullptr;
  int pending = 0;
  std::string error;
  // One JSON array body per list, in pactl's key order.
  std::string modules, sinks, sources, sinkInputs, sourceOutputs;
};

void appendProplist(std::string& out, const pa_proplist* pl) {
  out += "\"properties\":{";
  void* it = nullptr;
  bool first = true;
  while (const char* key = pa_proplist_iterate(const_cast<pa_proplist*>(pl), &it)) {
    const char* value = pa_proplist_gets(pl, key);
    if (!value) continue;  // a binary value: pactl prints only strings too
    if (!first) out += ',';
    first = false;
    appendString(out, key);
    out += ':';
    appendString(out, value);
  }
  out += '}';
}

void separate(std::string& list) {
  if (!list.empty()) list += ',';
}

// Every list ends with eol (1, or negative on a failure): one pending list done.
bool listEnded(PaState* s, int eol) {
  if (eol == 0) return false;
  if (eol < 0 && s->error.empty()) s->error = std::string("Pulse: a list failed: ") + pa_strerror(pa_context_errno(s->context));
  --s->pending;
  pa_threaded_mainloop_signal(s->loop, 0);
  return true;
}

void onModule(pa_context*, const pa_module_info* i, int eol, void* data) {
  auto* s = static_cast<PaState*>(data);
  if (listEnded(s, eol)) return;
  separate(s->modules);
  s->modules += "{\"name\":";
  appendString(s->modules, i->name);
  s->modules += ",\"argument\":";
  appendString(s->modules, i->argument ? i->argument : "");
  s->modules += ',';
  appendProplist(s->modules, i->proplist);
  s->modules += '}';
}

void appendDevice(std::string& list, uint32_t index, const char* name, uint32_t ownerModule, const pa_proplist* pl) {
  separate(list);
  list += "{\"index\":" + std::to_string(index) + ",\"name\":";
  appendString(list, name);
  list += ",\"owner_module\":" + std::to_string(ownerModule) + ',';  // PA_INVALID_INDEX as pactl prints it
  appendProplist(list, pl);
  list += '}';
}

void onSink(pa_context*, const pa_sink_info* i, int eol, void* data) {
  auto* s = static_cast<PaState*>(data);
  if (!listEnded(s, eol)) appendDevice(s->sinks, i->index, i->name, i->owner_module, i->proplist);
}

void onSource(pa_context*, const pa_source_info* i, int eol, void* data) {
  auto* s = static_cast<PaState*>(data);
  if (!listEnded(s, eol)) appendDevice(s->sources, i->index, i->name, i->owner_module, i->proplist);
}

void appendStream(std::string& list, uint32_t index, const pa_proplist* pl) {
  separate(list);
  list += "{\"index\":" + std::to_string(index) + ',';
  appendProplist(list, pl);
  list += '}';
}

void onSinkInput(pa_context*, const pa_sink_input_info* i, int eol, void* data) {
  auto* s = static_cast<PaState*>(data);
  if (!listEnded(s, eol)) appendStream(s->sinkInputs, i->index, i->proplist);
}

void onSourceOutput(pa_context*, const pa_source_output_info* i, int eol, void* data) {
  auto* s = static_cast<PaState*>(data);
  if (!listEnded(s, eol)) appendStream(s->sourceOutputs, i->index, i->proplist);
}

void onPaState(pa_context* c, void* data) {
  auto* s = static_cast<PaState*>(data);
  const pa_context_state_t st = pa_context_get_state(c);
  if ((st == PA_CONTEXT_FAILED || st == PA_CONTEXT_TERMINATED) && s->error.empty())
    s->error = std::string("Pulse: the connection ended: ") + pa_strerror(pa_context_errno(c));
  pa_threaded_mainloop_signal(s->loop, 0);
}

bool paConnect(PaState& s) {
  s.loop = pa_threaded_mainloop_new();
  if (!s.loop) return (s.error = "Pulse: cannot make a loop", false);
  s.context = pa_context_new(pa_threaded_mainloop_get_api(s.loop), "hilt-inventory");
  if (!s.context) return (s.error = "Pulse: cannot make a context", false);
  pa_context_set_state_callback(s.context, onPaState, &s);
  // NOAUTOSPAWN: never start a server of our own; the rig's is the one asked.
  if (pa_context_connect(s.context, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
    return (s.error = std::string("Pulse: cannot connect: ") + pa_strerror(pa_context_errno(s.context)), false);
  if (pa_threaded_mainloop_start(s.loop) < 0) return (s.error = "Pulse: cannot start its loop", false);
  pa_threaded_mainloop_lock(s.loop);
  while (s.error.empty() && pa_context_get_state(s.context) != PA_CONTEXT_READY) pa_threaded_mainloop_wait(s.loop);
  pa_threaded_mainloop_unlock(s.loop);
  return s.error.empty();
}

// Starts the five lists; paFinish waits for them (PipeWire is asked in between).
void paStart(PaState& s) {
  pa_threaded_mainloop_lock(s.loop);
  s.modules.clear(), s.sinks.clear(), s.sources.clear(), s.sinkInputs.clear(), s.sourceOutputs.clear();
  pa_operation* ops[] = {
      pa_context_get_module_info_list(s.context, onModule, &s),
      pa_context_get_sink_info_list(s.context, onSink, &s),
      pa_context_get_source_info_list(s.context, onSource, &s),
      pa_context_get_sink_input_info_list(s.context, onSinkInput, &s),
      pa_context_get_source_output_info_list(s.context, onSourceOutput, &s),
  };
  for (pa_operation* op : ops) {
    if (op) {
      ++s.pending;
      pa_operation_unref(op);
    } else if (s.error.empty()) {
      s.error = std::string("Pulse: a list was refused: ") + pa_strerror(pa_context_errno(s.context));
    }
  }
  pa_threaded_mainloop_unlock(s.loop);
}

bool paFinish(PaState& s, std::string& out) {
  pa_threaded_mainloop_lock(s.loop);
  while (s.pending > 0 && s.error.empty()) pa_threaded_mainloop_wait(s.loop);
  const bool ok = s.error.empty();
  if (ok) {
    out += "{\"modules\":[" + s.modules + "],\"sinks\":[" + s.sinks + "],\"sources\":[" + s.sources;
    out += "],\"sink_inputs\":[" + s.sinkInputs + "],\"source_outputs\":[" + s.sourceOutputs + "]}";
  }
  pa_threaded_mainloop_unlock(s.loop);
  return ok;
}

void paDisconnect(PaState& s) {
  if (!s.loop) return;
  pa_threaded_mainloop_stop(s.loop);
  if (s.context) {
    pa_context_disconnect(s.context);
    pa_context_unref(s.context);
  }
  pa_threaded_mainloop_free(s.loop);
  s.loop = nullptr;
}

int fail(const std::string& why) {
  std::string line = "{\"error\":";
  appendString(line, why.c_str());
  line += "}\n";
  std::fputs(line.c_str(), stdout);
  std::fflush(stdout);
  return 1;
}

}  // namespace

int main() {
  // A reader that went away is seen at the next write, not as a signal that kills us mid-line.
  signal(SIGPIPE, SIG_IGN);
  pw_init(nullptr, nullptr);
  PwState pw;
  PaState pa;
  int rc = 0;
  if (!pwConnect(pw) || !pwSync(pw)) {
    rc = fail(pw.error);
  } else if (!paConnect(pa)) {
    rc = fail(pa.error);
  } else {
    std::string request;
    while (std::getline(std::cin, request)) {
      if (request != "snapshot") {
        rc = fail("unknown request: " + request);
        break;
      }
      paStart(pa);
      std::string line = "{\"pactl\":";
      const bool pwOk = pwSync(pw);
      const bool paOk = paFinish(pa, line);
      if (!pwOk || !paOk) {
        rc = fail(!pwOk ? pw.error : pa.error);
        break;
      }
      line += ",\"dump\":";
      pwDump(pw, line);
      line += "}\n";
      std::fputs(line.c_str(), stdout);
      if (std::fflush(stdout) != 0) break;  // the reader is gone
    }
  }
  paDisconnect(pa);
  pwDisconnect(pw);
  pw_deinit();
  return rc;
}
