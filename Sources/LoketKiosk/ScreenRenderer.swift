// Lays out the kiosk's screens as rows of text for a terminal of any size from 80x24 up: a title
// bar with the location and language, then the start screen (numbered services by category with
// their jump keys, in two columns from 100 columns up, paged, with the check-in prompt), the
// ticket (number in block letters when there is room), a message, or "out of service" in all
// four languages. Pure: a model and a size in, rows out.
import LoketCore

/// Turns the kiosk's state into screen rows.
public enum ScreenRenderer {
    /// Rows the start screen has for the service list at `size` (title, instructions, page line,
    /// check-in hint, notice, prompt and key help take the other ten).
    public static func listRows(for size: TerminalSize) -> Int {
        max(2, size.rows - 10)
    }

    /// Narrowest terminal that shows the service list in two columns. At 100 columns each column
    /// keeps 49, which leaves about 40 characters for a name after its number: most names fit
    /// whole. At 80 two columns would cut nearly every name, so 80x24 keeps one column.
    public static let twoColumnWidth = 100

    /// Columns of the service list at `size`: 2 from ``twoColumnWidth`` up, else 1.
    public static func listColumns(for size: TerminalSize) -> Int {
        size.columns >= twoColumnWidth ? 2 : 1
    }

    /// Exactly `model.size.rows` rows for the current state.
    public static func render(_ model: KioskModel, style: TerminalStyle) -> [ScreenLine] {
        let size = model.size
        var rows: [ScreenLine]
        switch model.screen {
        case .start:
            switch model.connection {
            case .online: rows = startScreen(model)
            case .starting: rows = titleBar(model) + centred([ScreenLine(KioskText(model.language).loading)], size: size)
            case .outage: rows = outOfService(model, { $0.outOfService }, apology: true)
            case .notConfigured: rows = outOfService(model, { $0.notConfigured }, apology: false)
            }
        case let .ticket(view):
            rows = ticketScreen(model, view, style: style)
        case let .message(view):
            rows = messageScreen(model, view)
        }
        return fit(rows, size: size)
    }

    // MARK: pieces

    private static func titleBar(_ model: KioskModel) -> [ScreenLine] {
        let width = model.size.columns
        let right = KioskText(model.language).languageName
        let name = PlainText.printable(model.location?.name ?? "Loket")
        let left = PlainText.truncate(name, to: max(1, width - right.count - 4))
        let gap = max(1, width - 2 - left.count - right.count)
        return [ScreenLine(" " + left + String(repeating: " ", count: gap) + right + " ", .title)]
    }

    private static func startScreen(_ model: KioskModel) -> [ScreenLine] {
        let text = KioskText(model.language)
        let width = model.size.columns
        let listHeight = listRows(for: model.size)
        var rows = titleBar(model)
        rows.append(ScreenLine())
        rows.append(ScreenLine(" " + PlainText.truncate(text.chooseService, to: width - 2)))
        rows.append(ScreenLine())

        let pager = model.pager
        var list: [ScreenLine] = []
        if model.services.isEmpty {
            list = PlainText.wrap(text.noServicesOpen, width: width - 4).map { ScreenLine("  " + $0) }
        } else {
            let page = pager.pages[min(model.page, pager.pageCount - 1)]
            let digits = max(2, String(model.services.count).count)
            if page.count <= 1 {
                for row in page.first ?? [] {
                    let line = cell(row, width: width, digits: digits, pager: pager)
                    list.append(ScreenLine(line, isHeading(row) ? .heading : .normal))
                }
            } else {
                // Two columns side by side; the left one padded to half the width. A row is bold
                // only when all its cells are headings (a row has one style); the key in brackets
                // marks a heading in a mixed row.
                let half = width / 2
                for index in 0..<(page.map(\.count).max() ?? 0) {
                    let cells = page.map { index < $0.count ? $0[index] : nil }
                    let left = cells[0].map { cell($0, width: half, digits: digits, pager: pager) } ?? ""
                    let right = cells[1].map { cell($0, width: width - half, digits: digits, pager: pager) } ?? ""
                    let line = right.isEmpty ? left : left + String(repeating: " ", count: max(0, half - left.count)) + right
                    let bold = cells.allSatisfy { $0.map(isHeading) ?? true }
                    list.append(ScreenLine(line, bold ? .heading : .normal))
                }
            }
        }
        rows += list.prefix(listHeight)
        rows += Array(repeating: ScreenLine(), count: max(0, listHeight - list.count))

        if pager.pageCount > 1 {
            let line = text.page(model.page + 1, of: pager.pageCount) + "    " + text.keysMoreHelp
            rows.append(ScreenLine(" " + PlainText.truncate(line, to: width - 2), .heading))
        } else {
            rows.append(ScreenLine())
        }
        if pager.pageCount > 1, let example = pager.categories.first?.key {
            rows.append(ScreenLine(" " + PlainText.truncate(text.categoryHint(example), to: width - 2)))
        } else {
            rows.append(ScreenLine())
        }
        rows.append(ScreenLine(" " + PlainText.truncate(text.checkInHint, to: width - 2)))
        switch model.notice {
        case let .noSuchNumber(n)?: rows.append(ScreenLine(" " + PlainText.truncate(text.noSuchNumber(n), to: width - 2), .error))
        case .invalidReference?: rows.append(ScreenLine(" " + PlainText.truncate(text.invalidReference, to: width - 2), .error))
        case let .noSuchCategory(key)?: rows.append(ScreenLine(" " + PlainText.truncate(text.noSuchCategory(key), to: width - 2), .error))
        case nil: rows.append(ScreenLine(model.busy ? " " + text.loading : ""))
        }
        let prompt = " " + text.prompt + " "
        let shown = String(model.input.suffix(max(1, width - prompt.count - 2)))
        rows.append(ScreenLine(prompt + shown + "_", .heading))
        rows.append(ScreenLine(" " + PlainText.truncate(text.keysHelp, to: width - 2), .dim))
        return rows
    }

    private static func isHeading(_ row: ServicePager.Row) -> Bool {
        if case .heading = row { return true } else { return false }
    }

    /// One row of a list column `width` wide, at most `width - 1` characters (a space stays between
    /// columns and at the right edge): a heading with its key, or a number and a name, cut with `…`.
    private static func cell(_ row: ServicePager.Row, width: Int, digits: Int, pager: ServicePager) -> String {
        switch row {
        case let .heading(name):
            let key = pager.key(of: name).map { "[\($0)] " } ?? ""
            return " " + PlainText.truncate(key + PlainText.printable(name), to: width - 2)
        case let .entry(n, name):
            let number = String(n)
            let prefix = "  " + String(repeating: " ", count: max(0, digits - number.count)) + number + "  "
            return PlainText.truncate(prefix + PlainText.truncate(PlainText.printable(name), to: width - prefix.count - 1), to: width - 1)
        }
    }

    private static func outOfService(_ model: KioskModel, _ sentence: (KioskText) -> String, apology: Bool) -> [ScreenLine] {
        let current = KioskText(model.language)
        var body: [ScreenLine] = [ScreenLine(sentence(current), .error)]
        if apology { body.append(ScreenLine(current.apology)) }
        body.append(ScreenLine())
        for language in Language.allCases where language != model.language {
            body.append(ScreenLine(sentence(KioskText(language)), .dim))
        }
        return titleBar(model) + centred(body, size: model.size)
    }

    private static func ticketScreen(_ model: KioskModel, _ view: KioskModel.TicketView, style: TerminalStyle) -> [ScreenLine] {
        let text = KioskText(model.language)
        let size = model.size
        let ticket = view.ticket
        let number = PlainText.printable(ticket.number)
        var body: [ScreenLine] = []
        body.append(ScreenLine((view.checkIn ? text.checkedInHeading : text.ticketHeading) + ": " + number, .heading))
        body.append(ScreenLine())
        if size.rows >= 22, BigFont.width(of: number) <= size.columns - 2 {
            body += BigFont.render(number, ink: style.unicode ? "█" : "#").map { ScreenLine($0, .big) }
            body.append(ScreenLine())
        }
        if !view.serviceName.isEmpty { body.append(ScreenLine(text.serviceLabel + ": " + view.serviceName)) }
        if let position = ticket.position, position > 0 { body.append(ScreenLine(text.position(position))) }
        if let wait = text.waitLine(ticket) { body.append(ScreenLine(wait)) }
        body.append(ScreenLine())
        body.append(ScreenLine(text.followOnPhone))
        for part in PlainText.wrap(ticket.statusLink(server: model.settings.server), width: size.columns - 2) {
            body.append(ScreenLine(part))
        }
        body.append(ScreenLine())
        switch view.print {
        case .none: body.append(ScreenLine(text.rememberNumber, .ok))
        case .printing: body.append(ScreenLine(text.printing))
        case .printed: body.append(ScreenLine(text.takeTicket, .ok))
        case .failed: body.append(ScreenLine(text.printerFailed, .error))
        }
        body.append(ScreenLine(text.waitForCall))
        return titleBar(model) + centred(body, size: size, footer: countdown(model))
    }

    private static func messageScreen(_ model: KioskModel, _ view: KioskModel.MessageView) -> [ScreenLine] {
        let text = KioskText(model.language)
        let width = model.size.columns
        var body: [ScreenLine] = [ScreenLine(view.title, .error), ScreenLine()]
        for line in view.lines {
            body += PlainText.wrap(PlainText.printable(line), width: max(10, width - 6)).map { ScreenLine($0) }
        }
        body.append(ScreenLine())
        body.append(ScreenLine(text.continueHint, .dim))
        return titleBar(model) + centred(body, size: model.size, footer: countdown(model))
    }

    private static func countdown(_ model: KioskModel) -> ScreenLine? {
        guard let deadline = model.screenDeadline else { return nil }
        let seconds = max(0, Int((deadline - model.now).rounded(.up)))
        return ScreenLine(KioskText(model.language).backToStart(in: seconds), .dim)
    }

    /// `body` centred horizontally, a little above the middle vertically, below a one-row title;
    /// `footer` on the last row.
    private static func centred(_ body: [ScreenLine], size: TerminalSize, footer: ScreenLine? = nil) -> [ScreenLine] {
        let available = max(0, size.rows - 1 - (footer == nil ? 0 : 1))
        let top = max(1, (available - body.count) / 3)
        var rows = Array(repeating: ScreenLine(), count: top)
        for line in body {
            let text = PlainText.truncate(line.text, to: size.columns - 2)
            let pad = max(0, (size.columns - text.count) / 2)
            rows.append(ScreenLine(String(repeating: " ", count: pad) + text, line.style))
        }
        if let footer {
            rows = Array(rows.prefix(available))
            rows += Array(repeating: ScreenLine(), count: max(0, available - rows.count))
            let text = PlainText.truncate(footer.text, to: size.columns - 2)
            rows.append(ScreenLine(String(repeating: " ", count: max(0, (size.columns - text.count) / 2)) + text, footer.style))
        }
        return rows
    }

    /// Exactly `size.rows` rows, none wider than the screen.
    private static func fit(_ rows: [ScreenLine], size: TerminalSize) -> [ScreenLine] {
        var out = rows.prefix(size.rows).map { line in
            ScreenLine(line.text.count > size.columns ? String(line.text.prefix(size.columns)) : line.text, line.style)
        }
        out += Array(repeating: ScreenLine(), count: max(0, size.rows - out.count))
        return out
    }
}
