#pragma once
// The web UI (server/web/*), built into the binary by server/web/embed.cmake, which writes
// server/src/web_assets.cc (regenerate it after editing server/web/: see server/web/README.md).
#include <cstddef>
#include <string_view>

namespace sondeo::server {

struct Asset {
  std::string_view name;          // file name under server/web/, e.g. "login.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

extern const Asset kWebAssets[];
extern const size_t kWebAssetCount;

// The asset served at URL path `path`: "/" is login.html, "/agente" agente.html,
// "/supervisor" supervisor.html, "/static/NAME" the file NAME. nullptr when none.
const Asset* FindAsset(std::string_view path);

}  // namespace sondeo::server
