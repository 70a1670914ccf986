// The attachment rules (domain/attachment.h): kinds, hashes, names and content types.
#include "domain/attachment.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

TEST(AttachmentRules, KindComesFromTheContentTypesTopLevel) {
  EXPECT_EQ(AttachmentKind("image/png"), "image");
  EXPECT_EQ(AttachmentKind("Audio/OGG; codecs=opus"), "audio");
  EXPECT_EQ(AttachmentKind("video/mp4"), "video");
  EXPECT_EQ(AttachmentKind("application/pdf"), "file");
  EXPECT_EQ(AttachmentKind("imagery/x"), "file");
}

TEST(AttachmentRules, OnlyLowerCaseSha256HexNamesAFile) {
  const std::string ok(64, 'a');
  EXPECT_TRUE(IsSha256Hex(ok));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(62, 'a') + "/."));
}

TEST(AttachmentRules, NamesAreFileNamesNotPaths) {
  EXPECT_TRUE(CheckAttachmentName("nota fiscal (1).pdf").ok());
  EXPECT_TRUE(CheckAttachmentName("áudio.ogg").ok());
  EXPECT_FALSE(CheckAttachmentName("").ok());
  EXPECT_FALSE(CheckAttachmentName("../x").ok());
  EXPECT_FALSE(CheckAttachmentName("a\\b").ok());
  EXPECT_FALSE(CheckAttachmentName("..").ok());
  EXPECT_FALSE(CheckAttachmentName("line\nbreak").ok());
  EXPECT_FALSE(CheckAttachmentName(std::string(256, 'a')).ok());
}

TEST(AttachmentRules, ContentTypesAreMimeTypes) {
  EXPECT_TRUE(CheckContentType("image/png").ok());
  EXPECT_TRUE(CheckContentType("audio/ogg; codecs=opus").ok());
  EXPECT_FALSE(CheckContentType("").ok());
  EXPECT_FALSE(CheckContentType("png").ok());
  EXPECT_FALSE(CheckContentType("/png").ok());
  EXPECT_FALSE(CheckContentType("image/").ok());
  EXPECT_FALSE(CheckContentType("image/;x").ok());
}

TEST(AttachmentRules, NamesAreUtf8AndContentTypesAscii) {
  EXPECT_TRUE(CheckAttachmentName("relatório – março.pdf").ok());
  EXPECT_TRUE(CheckAttachmentName("😀.png").ok());
  EXPECT_FALSE(CheckAttachmentName("\xff.png").ok());
  EXPECT_FALSE(CheckAttachmentName("a\xc3").ok());             // cut short
  EXPECT_FALSE(CheckAttachmentName("\xc0\xaf.png").ok());      // overlong '/'
  EXPECT_FALSE(CheckAttachmentName("\xed\xa0\x80.png").ok());  // a surrogate
  EXPECT_FALSE(CheckContentType("image/p\xc3\xa9ng").ok());
}

}  // namespace
}  // namespace helpdesk
