import Foundation

/// A parsed schedule: five cron fields (minute hour day-of-month month day-of-week, UTC) with `*`, lists,
/// ranges, steps and month/day names, or a preset: `hourly`, `daily` (02:00), `daily at HH:MM`, `weekly`
/// (Sunday 02:00), `monthly` (the 1st, 02:00), and `@hourly`/`@daily`/`@weekly`/`@monthly` (at midnight).
/// As in cron, when both day fields are restricted a day matching either one matches.
public struct CronSchedule: Sendable, Equatable {
    /// The five-field form, after presets are expanded.
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    static let presets: [String: String] = [
        "hourly": "0 * * * *", "daily": "0 2 * * *", "weekly": "0 2 * * 0", "monthly": "0 2 1 * *",
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `text`; a bad one throws `SlipwayError.invalid(field, ...)` saying what is wrong.
    public init(_ text: String, field: String = "cron") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        var expression = Self.presets[trimmed] ?? trimmed
        if trimmed.hasPrefix("daily at ") {
            let time = trimmed.dropFirst("daily at ".count).split(separator: ":")
            guard time.count == 2, let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour),
                (0...59).contains(minute), time[1].count == 2
            else { throw SlipwayError.invalid(field, "'daily at' needs a time like 02:00 (HH:MM, UTC)") }
            expression = "\(minute) \(hour) * * *"
        }
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw SlipwayError.invalid(
                field,
                "must be five cron fields (minute hour day month weekday, UTC) or a preset: hourly, daily, "
                    + "'daily at 02:00', weekly, monthly (got \(fields.count) fields)")
        }
        self.expression = fields.joined(separator: " ")
        minutes = try Self.values(fields[0], 0...59, names: [], base: 0, name: "minute", field: field)
        hours = try Self.values(fields[1], 0...23, names: [], base: 0, name: "hour", field: field)
        daysOfMonth = try Self.values(fields[2], 1...31, names: [], base: 0, name: "day of month", field: field)
        months = try Self.values(fields[3], 1...12, names: Self.monthNames, base: 1, name: "month", field: field)
        let weekdays = try Self.values(fields[4], 0...7, names: Self.dayNames, base: 0, name: "weekday", field: field)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func values(
        _ text: String, _ range: ClosedRange<Int>, names: [String], base: Int, name: String, field: String
    ) throws -> Set<Int> {
        func number(_ token: Substring) throws -> Int {
            if let value = Int(token), range.contains(value) { return value }
            if let index = names.firstIndex(of: String(token)) { return index + base }
            throw SlipwayError.invalid(
                field, "\(name) '\(token)' is not a value from \(range.lowerBound) to \(range.upperBound)")
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count) else {
                throw SlipwayError.invalid(field, "\(name) '\(part)' is malformed")
            }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else {
                    throw SlipwayError.invalid(field, "\(name) step '\(pieces[1])' must be a positive number")
                }
                step = value
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try number(pieces[0][..<dash])
                let high = try number(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else {
                    throw SlipwayError.invalid(field, "\(name) range '\(pieces[0])' runs backwards")
                }
                span = low...high
            } else {
                let value = try number(pieces[0])
                span = pieces.count == 2 ? value...range.upperBound : value...value
            }
            result.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return result
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    func matches(day components: DateComponents) -> Bool {
        guard let month = components.month, months.contains(month), let day = components.day,
            let weekday = components.weekday
        else { return false }
        let byMonth = daysOfMonth.contains(day)
        let byWeek = daysOfWeek.contains(weekday - 1)
        if dayOfMonthRestricted && dayOfWeekRestricted { return byMonth || byWeek }
        return byMonth && byWeek
    }

    /// The first time after `date` the schedule names (to the minute); nil if none within five years.
    public func next(after date: Date) -> Date? {
        let calendar = Self.calendar
        let start = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: start))
        for _ in 0..<(366 * 5) {
            if matches(day: calendar.dateComponents([.month, .day, .weekday], from: day)) {
                for hour in hours.sorted() {
                    for minute in minutes.sorted() {
                        let candidate = day.addingTimeInterval(Double(hour * 3600 + minute * 60))
                        if candidate.timeIntervalSince1970 >= start { return candidate }
                    }
                }
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }

    /// The last time at or before `date` the schedule named; nil if none within five years.
    public func previous(atOrBefore date: Date) -> Date? {
        let calendar = Self.calendar
        let end = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: end))
        for _ in 0..<(366 * 5) {
            if matches(day: calendar.dateComponents([.month, .day, .weekday], from: day)) {
                for hour in hours.sorted().reversed() {
                    for minute in minutes.sorted().reversed() {
                        let candidate = day.addingTimeInterval(Double(hour * 3600 + minute * 60))
                        if candidate.timeIntervalSince1970 <= end { return candidate }
                    }
                }
            }
            guard let preceding = calendar.date(byAdding: .day, value: -1, to: day) else { return nil }
            day = preceding
        }
        return nil
    }
}
