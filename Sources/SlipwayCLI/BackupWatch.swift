import ArgumentParser
import Foundation
import SlipwayCore

/// Watches backups by polling the API: until each has ended (`completed` or `failed`), or until a
/// backup's restore drill has its verdict; then reports how they ended.
struct BackupWatch: Sendable {
    var session: Session
    var environmentId: String
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    /// Polls until `done` holds for every backup; throws a `timeout` error after `timeout` seconds.
    func wait(for backups: [Backup], until done: (Backup) -> Bool = BackupWatch.ended) async throws -> [Backup] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var current = backups
        var announced: [String: String] = [:]
        while true {
            for (index, backup) in current.enumerated() where !done(backup) {
                current[index] = try await BackupCommand.explaining(environment: environmentId, id: backup.id) {
                    try await session.client.get(
                        APIClient.path("environments", environmentId, "backups", backup.id), as: Backup.self
                    ).value
                }
            }
            let waiting = current.filter { !done($0) }
            if waiting.isEmpty { return current }
            for backup in waiting where !session.json && announced[backup.id] != Self.state(backup) {
                announced[backup.id] = Self.state(backup)
                session.note("backup \(backup.id) of instance \(backup.instanceId): \(Self.state(backup))...")
            }
            guard ContinuousClock.now < deadline else {
                let states = waiting.map { "\($0.id) \(Self.state($0))" }.joined(separator: ", ")
                throw CLIError(
                    code: "timeout", message: "still waiting after \(timeout) s: \(states)",
                    hint: "the work goes on without you: watch it with "
                        + "`slipway backup list --environment \(environmentId)`, or wait longer with --timeout")
            }
            try await Task.sleep(for: interval)
        }
    }

    static func ended(_ backup: Backup) -> Bool {
        backup.status == .completed || backup.status == .failed
    }

    static func drilled(_ backup: Backup) -> Bool {
        backup.drillStatus != .running
    }

    /// `running`, or `drill running` once the copy is done.
    static func state(_ backup: Backup) -> String {
        backup.drillStatus == .running ? "drill running" : backup.status.rawValue
    }

    /// Prints how each backup ended; throws exit code 1 when one failed.
    func report(_ backups: [Backup]) throws {
        if session.json {
            struct Items: Encodable { var items: [Backup] }
            session.printJSON(try JSONCoding.encoder().encode(Items(items: backups)))
        } else {
            for backup in backups {
                var line = "backup \(backup.id) of instance \(backup.instanceId) \(backup.status.rawValue)"
                if backup.status == .completed {
                    line += ": \(Backup.bytes(backup.sizeBytes))"
                    if let location = backup.location { line += " at \(location)" }
                } else if let reason = backup.statusReason {
                    line += ": " + Sanitized.line(reason)
                }
                session.print(line)
            }
        }
        if backups.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
    }

    /// Prints a backup's drill verdict and report; throws exit code 1 when the drill failed.
    func reportDrill(_ backup: Backup) throws {
        if session.json {
            session.printJSON(try JSONCoding.encoder().encode(backup))
        } else {
            session.print("drill of backup \(backup.id): \(backup.drillStatus?.rawValue ?? "not run")")
            for line in (backup.drillReport ?? "").split(separator: "\n") {
                session.print("  " + Sanitized.line(String(line)))
            }
        }
        if backup.drillStatus == .failed { throw ExitCode(1) }
    }
}
