// E-mail bodies as agents read them: the customer's new text apart from the quoted history
// below it (both kept), and HTML formatting kept as markdown. Pure functions of the text.
#pragma once

#include <string>

namespace helpdesk {

struct EmailText {
  std::string visible;  // what the customer wrote this time
  std::string quoted;   // the history their mail program quoted below it ("" when none)
};

// Splits a plain-text e-mail where its quoted history starts: at the first line that is
//  - an attribution: "On … wrote:", "Em … escreveu:", "El … escribió:", "Le … a écrit :"
//    (also wrapped over two lines);
//  - a separator: "-----Original Message-----", "-----Mensagem original-----",
//    "-----Mensaje original-----", or a line of underscores (Outlook);
//  - a header block of a forwarded or replied mail: "From:"/"De:" followed by "Sent:"/"Enviado:"/
//    "Date:"/"Data:" on the next lines;
//  - a quote: a line starting with ">" after which every non-blank line is quoted too.
// Blank lines at the end of the visible part are dropped. No marker: everything is visible.
EmailText SplitQuotedEmail(const std::string& text);

// HTML to markdown: <b>/<strong> → **bold**, <i>/<em> → _italic_, <s>/<strike>/<del> →
// ~~struck~~, <ul>/<ol> items → "- " / "1. " lines, <br> and <p>/<div> → line breaks, <a> →
// its text and "(url)", <blockquote> lines → "> ". Other tags are dropped with their
// attributes (<script> and <style> with their content); the common entities are decoded.
std::string HtmlToMarkdown(const std::string& html);

}  // namespace helpdesk
