// The blocks a citizen mail is made of, and how they read as plain text and as HTML.
//
// The HTML is for every mail client and every reader: one column, no layout tables, inline
// styles only (clients drop <style>), 16px text with high contrast, real headings, a data table
// with row headers for what/where/when, underlined links whose text says what they do, and the
// only image (the QR code) has alt text and repeats what the text already says.
import LoketCore

extension MailComposer {
    /// A piece of a message.
    enum Block {
        /// The one h1.
        case title(String)
        /// An h2.
        case heading(String)
        case paragraph(String)
        case list([String])
        /// The table of what, where and when.
        case details([Row])
        /// A link with a text saying where it leads.
        case link(String, String)
        /// An inline image (`cid:`), `size` pixels square.
        case image(contentID: String, alt: String, size: Int)
        /// Closing words and who signs.
        case signature(String, String)
        /// Small print at the end.
        case footer([String])
    }

    /// A row of the details table: a label and one or more lines.
    struct Row {
        var label: String
        var lines: [String]
        /// Shown in bold (the time, the reference).
        var strong: Bool

        init(_ label: String, _ lines: [String], strong: Bool = false) {
            self.label = label
            self.lines = lines
            self.strong = strong
        }
    }

    /// The plain-text alternative: setext headings, aligned labels, each link on its own line.
    static func text(_ blocks: [Block], colon: String = ":") -> String {
        var paragraphs: [String] = []
        for block in blocks {
            switch block {
            case .title(let t):
                paragraphs.append(t + "\n" + String(repeating: "=", count: t.count))
            case .heading(let t):
                paragraphs.append(t + "\n" + String(repeating: "-", count: t.count))
            case .paragraph(let t):
                paragraphs.append(t)
            case .list(let items):
                paragraphs.append(items.map { "- " + $0 }.joined(separator: "\n"))
            case .details(let rows):
                let width = (rows.map { $0.label.count }.max() ?? 0) + colon.count + 1
                paragraphs.append(rows.map { row in
                    let label = row.label + colon + String(repeating: " ", count: width - row.label.count - colon.count)
                    let indent = String(repeating: " ", count: width)
                    return row.lines.enumerated().map { ($0 == 0 ? label : indent) + $1 }.joined(separator: "\n")
                }.joined(separator: "\n"))
            case .link(let text, let url):
                paragraphs.append(text + colon + "\n" + url)
            case .image:
                continue  // the text says the same (the reference)
            case .signature(let closing, let signer):
                paragraphs.append(closing + "\n" + signer)
            case .footer(let lines):
                paragraphs.append("-- \n" + lines.joined(separator: "\n"))
            }
        }
        return paragraphs.joined(separator: "\n\n") + "\n"
    }

    /// The HTML alternative, a complete document in `language`.
    static func html(_ blocks: [Block], language: Language, title: String) -> String {
        let font = "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a"
        var body: [String] = []
        for block in blocks {
            switch block {
            case .title(let t):
                body.append("<h1 style=\"font-size:24px;line-height:1.3;margin:0 0 16px\">\(escape(t))</h1>")
            case .heading(let t):
                body.append("<h2 style=\"font-size:19px;line-height:1.3;margin:28px 0 8px\">\(escape(t))</h2>")
            case .paragraph(let t):
                body.append("<p style=\"margin:0 0 12px\">\(escape(t))</p>")
            case .list(let items):
                body.append("<ul style=\"margin:0 0 12px;padding-left:24px\">"
                            + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
            case .details(let rows):
                var table = "<table style=\"border-collapse:collapse;margin:0 0 12px\">"
                for row in rows {
                    var value = row.lines.map(escape).joined(separator: "<br>")
                    if row.strong { value = "<strong>\(value)</strong>" }
                    table += "\n<tr><th scope=\"row\" style=\"text-align:left;vertical-align:top;padding:4px 16px 4px 0;font-weight:normal;"
                        + "color:#444\">\(escape(row.label))</th><td style=\"vertical-align:top;padding:4px 0\">\(value)</td></tr>"
                }
                body.append(table + "\n</table>")
            case .link(let text, let url):
                body.append("<p style=\"margin:0 0 12px\"><a href=\"\(escape(url))\" style=\"color:#0b57a4;font-weight:bold;"
                            + "text-decoration:underline\">\(escape(text))</a></p>")
            case .image(let id, let alt, let size):
                body.append("<p style=\"margin:0 0 12px\"><img src=\"cid:\(escape(id))\" alt=\"\(escape(alt))\" width=\"\(size)\" "
                            + "height=\"\(size)\" style=\"display:block;border:0\"></p>")
            case .signature(let closing, let signer):
                body.append("<p style=\"margin:24px 0 12px\">\(escape(closing))<br>\(escape(signer))</p>")
            case .footer(let lines):
                body.append("<p style=\"margin:24px 0 0;padding-top:12px;border-top:1px solid #ccc;font-size:14px;color:#555\">"
                            + lines.map(escape).joined(separator: "<br>") + "</p>")
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        </head>
        <body style="margin:0;padding:0;background:#ffffff">
        <div style="max-width:40em;margin:0 auto;padding:16px;\(font)">
        \(body.joined(separator: "\n"))
        </div>
        </body>
        </html>

        """
    }

    /// `s` safe as HTML text and attribute value.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
