#include "server/src/assets.h"

namespace sondeo::server {

const Asset* FindAsset(std::string_view path) {
  std::string_view name;
  if (path == "/" || path == "/login") {
    name = "login.html";
  } else if (path == "/agente") {
    name = "agente.html";
  } else if (path == "/supervisor") {
    name = "supervisor.html";
  } else if (path.rfind("/static/", 0) == 0) {
    name = path.substr(8);
    if (name.find('/') != std::string_view::npos || name.find("..") != std::string_view::npos ||
        name.find(".html") != std::string_view::npos) {
      return nullptr;
    }
  } else {
    return nullptr;
  }
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (kWebAssets[i].name == name) return &kWebAssets[i];
  }
  return nullptr;
}

}  // namespace sondeo::server
