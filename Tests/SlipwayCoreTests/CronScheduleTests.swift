import Foundation
import SlipwayCore
import Testing

@Suite("Cron schedule")
struct CronScheduleTests {
    /// A UTC time written as `2025-01-31T23:30`.
    static func utc(_ text: String) throws -> Date {
        try Date(text + ":00Z", strategy: .iso8601)
    }

    /// The first `count` times after `start`.
    static func times(_ cron: String, after start: String, count: Int) throws -> [Date] {
        let schedule = try CronSchedule(cron)
        var times: [Date] = []
        var cursor = try utc(start)
        for _ in 0..<count {
            let next = try #require(schedule.next(after: cursor))
            times.append(next)
            cursor = next
        }
        return times
    }

    @Test(
        "presets expand to five fields",
        arguments: [
            ("hourly", "0 * * * *"), ("daily", "0 2 * * *"), ("daily at 02:00", "0 2 * * *"),
            ("Daily At 23:45", "45 23 * * *"), ("weekly", "0 2 * * 0"), ("monthly", "0 2 1 * *"),
            ("@daily", "0 0 * * *"), ("@weekly", "0 0 * * 0"), ("@yearly", "0 0 1 1 *"),
            ("  */5   1  * *  * ", "*/5 1 * * *"),
        ])
    func presets(text: String, expression: String) throws {
        #expect(try CronSchedule(text).expression == expression)
    }

    @Test("daily at 02:00 runs at two in the morning UTC, the next day once it has passed")
    func dailyAt() throws {
        #expect(
            try Self.times("daily at 02:00", after: "2025-01-01T01:59", count: 2) == [
                try Self.utc("2025-01-01T02:00"), try Self.utc("2025-01-02T02:00"),
            ])
        let schedule = try CronSchedule("daily at 02:00")
        #expect(schedule.next(after: try Self.utc("2025-01-01T02:00")) == (try Self.utc("2025-01-02T02:00")))
    }

    @Test("steps, ranges and lists")
    func stepsRangesLists() throws {
        #expect(
            try Self.times("*/15 * * * *", after: "2025-01-01T10:07", count: 4) == [
                try Self.utc("2025-01-01T10:15"), try Self.utc("2025-01-01T10:30"), try Self.utc("2025-01-01T10:45"),
                try Self.utc("2025-01-01T11:00"),
            ])
        // A step from a single value runs to the field's end: 5, 25, 45.
        #expect(
            try Self.times("5/20 3 * * *", after: "2025-01-01T00:00", count: 4) == [
                try Self.utc("2025-01-01T03:05"), try Self.utc("2025-01-01T03:25"), try Self.utc("2025-01-01T03:45"),
                try Self.utc("2025-01-02T03:05"),
            ])
        #expect(
            try Self.times("30 9-17/4,20 * * *", after: "2025-01-01T00:00", count: 5) == [
                try Self.utc("2025-01-01T09:30"), try Self.utc("2025-01-01T13:30"), try Self.utc("2025-01-01T17:30"),
                try Self.utc("2025-01-01T20:30"), try Self.utc("2025-01-02T09:30"),
            ])
    }

    @Test("month and day names, in any case; weekday 7 is Sunday")
    func names() throws {
        // 2025-01-01 is a Wednesday.
        #expect(
            try Self.times("0 8 * JAN,jul Mon-Wed", after: "2025-01-29T09:00", count: 3) == [
                try Self.utc("2025-07-01T08:00"), try Self.utc("2025-07-02T08:00"), try Self.utc("2025-07-07T08:00"),
            ])
        #expect(
            try CronSchedule("0 0 * * 7").next(after: try Self.utc("2025-01-01T00:00"))
                == (try Self.utc("2025-01-05T00:00")))
        #expect(
            try Self.times("0 0 * * SUN", after: "2025-01-01T00:00", count: 1) == [try Self.utc("2025-01-05T00:00")])
        #expect(
            try Self.times("0 0 * * 5-7", after: "2025-01-01T00:00", count: 4) == [
                try Self.utc("2025-01-03T00:00"), try Self.utc("2025-01-04T00:00"), try Self.utc("2025-01-05T00:00"),
                try Self.utc("2025-01-10T00:00"),
            ])
    }

    @Test("with both day fields restricted, a day matching either runs")
    func dayOfMonthOrWeek() throws {
        // Fridays (Jan 3, 10, 17) or the 13th (a Monday).
        #expect(
            try Self.times("0 0 13 * fri", after: "2025-01-01T00:00", count: 4) == [
                try Self.utc("2025-01-03T00:00"), try Self.utc("2025-01-10T00:00"), try Self.utc("2025-01-13T00:00"),
                try Self.utc("2025-01-17T00:00"),
            ])
        // Only one restricted: that one alone decides.
        #expect(try Self.times("0 0 13 * *", after: "2025-01-01T00:00", count: 1) == [try Self.utc("2025-01-13T00:00")])
        #expect(
            try Self.times("0 0 * * fri", after: "2025-01-11T00:00", count: 1) == [try Self.utc("2025-01-17T00:00")])
    }

    @Test("next and previous across month and year ends and February 29")
    func calendarEdges() throws {
        #expect(
            try Self.times("30 23 31 12 *", after: "2025-06-01T00:00", count: 2) == [
                try Self.utc("2025-12-31T23:30"), try Self.utc("2026-12-31T23:30"),
            ])
        #expect(
            try Self.times("0 0 1 * *", after: "2025-01-31T12:00", count: 2) == [
                try Self.utc("2025-02-01T00:00"), try Self.utc("2025-03-01T00:00"),
            ])
        // April has no 31st.
        #expect(try Self.times("0 0 31 * *", after: "2025-03-31T12:00", count: 1) == [try Self.utc("2025-05-31T00:00")])
        let leap = try CronSchedule("0 12 29 2 *")
        #expect(leap.next(after: try Self.utc("2025-01-01T00:00")) == (try Self.utc("2028-02-29T12:00")))
        #expect(leap.previous(atOrBefore: try Self.utc("2028-02-29T11:59")) == (try Self.utc("2024-02-29T12:00")))
        #expect(try CronSchedule("0 0 31 2 *").next(after: try Self.utc("2025-01-01T00:00")) == nil)

        let daily = try CronSchedule("daily at 02:00")
        #expect(daily.previous(atOrBefore: try Self.utc("2025-03-01T01:59")) == (try Self.utc("2025-02-28T02:00")))
        #expect(
            daily.previous(atOrBefore: try Self.utc("2025-03-01T02:00").addingTimeInterval(30))
                == (try Self.utc("2025-03-01T02:00")))
        let yearly = try CronSchedule("@yearly")
        #expect(yearly.previous(atOrBefore: try Self.utc("2024-12-31T23:59")) == (try Self.utc("2024-01-01T00:00")))
        #expect(yearly.next(after: try Self.utc("2024-12-31T23:59")) == (try Self.utc("2025-01-01T00:00")))
    }

    @Test(
        "bad input is refused naming the field",
        arguments: [
            "61 * * * *", "* * *", "daily at 25:00", "daily at 2:5", "daily at", "", "*/0 * * * *", "0 0 * 13 *",
            "0 0 0 * *", "5-1 * * * *", "0 0 * * 8", "1,,2 * * * *", "0 0 * * funday", "* * * * * *",
        ])
    func refused(text: String) {
        #expect {
            _ = try CronSchedule(text)
        } throws: { error in
            let error = error as? SlipwayError
            return error?.kind == .invalid && error?.field == "cron"
        }
    }

    @Test("the field named in errors can be another")
    func fieldName() {
        #expect(throws: SlipwayError.invalid("schedule.cron", "minute '61' is not a value from 0 to 59")) {
            _ = try CronSchedule("61 * * * *", field: "schedule.cron")
        }
    }
}
