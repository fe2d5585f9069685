import Foundation

/// What `bench/snapshot` prints: every line starts with `snapshot bench:` (the script keeps only those), and is
/// written at once, not buffered, so a run that stops half way still shows how far it got.
extension SnapshotBench {
    /// The ratio Slipway may take over the same tools by hand: the tools themselves are the limit.
    static let targetRatio = 1.15

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data(("snapshot bench: " + line + "\n").utf8))
    }

    static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 30
            ? String(format: "%.2f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", duration / .seconds(1))
    }

    static func laps(_ laps: SnapshotBenchLaps) -> String {
        laps.laps.map { "\($0.name) \(seconds($0.duration))" }.joined(separator: ", ")
    }

    static func report(
        database: (bytes: Int, rows: Int), filestore: (bytes: Int, files: Int), rounds: [Round],
        extraWork: SnapshotBenchLaps
    ) {
        say("")
        say(
            "data: database \(mebibytes(database.bytes)) (pg_database_size; \(database.rows) rows), "
                + "filestore \(mebibytes(filestore.bytes)) in \(filestore.files) files")
        for (index, round) in rounds.enumerated() {
            let sizes = round.sizes
            say(
                "round \(index + 1) files: dump \(mebibytes(sizes.slipwayDump)) (by hand \(mebibytes(sizes.handDump))), "
                    + "archive \(mebibytes(sizes.slipwayArchive)) (by hand \(mebibytes(sizes.handArchive)))")
        }
        say("")
        say("                      Slipway    by hand    ratio (target <= \(String(format: "%.2f", targetRatio)))")
        func row(_ label: String, _ slipway: Duration, _ hand: Duration) {
            let ratio = slipway / hand
            let verdict = ratio <= targetRatio ? "" : "  over the target"
            say(
                label.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + seconds(slipway).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + seconds(hand).padding(toLength: 11, withPad: " ", startingAt: 0)
                    + String(format: "%.2f", ratio) + verdict)
        }
        for (index, round) in rounds.enumerated() {
            let first = round.handFirst ? "by hand first" : "Slipway first"
            row("snapshot, round \(index + 1)", round.slipwaySnapshot, round.handSnapshot.total)
            say("  (\(first))")
        }
        row(
            "snapshot, all rounds", rounds.reduce(.zero) { $0 + $1.slipwaySnapshot },
            rounds.reduce(.zero) { $0 + $1.handSnapshot.total })
        for (index, round) in rounds.enumerated() {
            row("restore, round \(index + 1)", round.slipwayRestore.total, round.handRestore.total)
        }
        row(
            "restore, all rounds", rounds.reduce(.zero) { $0 + $1.slipwayRestore.total },
            rounds.reduce(.zero) { $0 + $1.handRestore.total })
        say("")
        say("where the time goes, all rounds added up:")
        say("  by hand, snapshot: " + laps(.sum(rounds.map(\.handSnapshot))))
        say("  by hand, restore: " + laps(.sum(rounds.map(\.handRestore))))
        say("  Slipway, restore stages: " + laps(.sum(rounds.map(\.slipwayRestore))))
        say("  Slipway's checks, each timed once by hand: " + laps(extraWork))
        say("restores round by round (the noise of a shared machine shows here):")
        for (index, round) in rounds.enumerated() {
            say("  round \(index + 1), by hand: " + laps(round.handRestore))
            say("  round \(index + 1), Slipway: " + laps(round.slipwayRestore))
        }
        say("")
        say("work done beyond the tools by hand:")
        say(
            "  Slipway's snapshot: its record updated twice, the database service checked (inspect, SELECT 1), "
                + "`pg_restore --list` of the dump, `stat` of each file; the sha256 of each file is on both sides.")
        say(
            "  Slipway's restore: the dump's sha256 checked first and the archive's while the dump restores, the "
                + "instance stopped and started again (health check), the fresh database swapped in (two renames, "
                + "the old one dropped), the filestore emptied and unpacked in two one-off containers.")
        say(
            "  by hand's restore: no checksum check, no stop or start, no swap (the fresh database stays beside the "
                + "old one), the filestore emptied and unpacked in one one-off container.")
    }
}
