#include "common/text.h"

#include <gtest/gtest.h>

namespace sondeo {
namespace {

TEST(EscapeMarkup, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(EscapeMarkup(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
}

TEST(EscapeMarkup, KeepsUtf8TabAndNewlineDropsOtherControls) {
  EXPECT_EQ(EscapeMarkup("Colosó\tSucre\n"), "Colosó\tSucre\n");
  EXPECT_EQ(EscapeMarkup(std::string("a\x01"
                                     "b\r"
                                     "c\x1f")),
            "abc");
  EXPECT_EQ(EscapeMarkup(""), "");
}

TEST(AppendJsonEscaped, EscapesWhatJsonRequiresAndKeepsUtf8) {
  std::string out = "[";
  AppendJsonEscaped(out, "Peña \"la 10\"\\ sur\n\t\b\f\r\x01");
  EXPECT_EQ(out, "[Peña \\\"la 10\\\"\\\\ sur\\n\\t\\b\\f\\r\\u0001");
  out.clear();
  AppendJsonEscaped(out, "");
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace sondeo
