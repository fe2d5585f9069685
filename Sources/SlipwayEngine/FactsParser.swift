import Foundation
import SlipwayCore

/// Reads server facts out of what standard commands print. Pure: tested with many inputs.
public enum FactsParser {
    /// The commands whose output `parse` reads, in order. Fixed argv, no user input.
    public static let commands: [[String]] = [
        ["cat", "/etc/os-release"],
        ["uname", "-r"],
        ["uname", "-m"],
        ["nproc"],
        ["cat", "/proc/meminfo"],
        ["df", "-P", "-B1", "/"],
    ]

    public static func parse(
        osRelease: String, kernel: String, machine: String, nproc: String, meminfo: String, df: String
    )
        -> ServerFacts
    {
        ServerFacts(
            os: osReleaseValue("PRETTY_NAME", in: osRelease) ?? osReleaseValue("NAME", in: osRelease) ?? "unknown",
            kernel: kernel.trimmingCharacters(in: .whitespacesAndNewlines),
            architecture: machine.trimmingCharacters(in: .whitespacesAndNewlines),
            cpus: Int(nproc.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            memoryBytes: memTotal(meminfo),
            diskBytes: disk(df).total, diskFreeBytes: disk(df).free,
            dockerVersion: nil, dockerRunning: false)
    }

    /// A value of /etc/os-release, with its quotes removed.
    public static func osReleaseValue(_ key: String, in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix(key + "=") {
            var value = line.dropFirst(key.count + 1)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            return String(value)
        }
        return nil
    }

    static func memTotal(_ meminfo: String) -> Int {
        for line in meminfo.split(whereSeparator: \.isNewline) where line.hasPrefix("MemTotal:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kilobytes = Int(parts[1]) { return kilobytes * 1024 }
        }
        return 0
    }

    /// `df -P -B1 /`: a header, then "filesystem size used available capacity mount".
    static func disk(_ df: String) -> (total: Int, free: Int) {
        let lines = df.split(whereSeparator: \.isNewline)
        guard lines.count >= 2 else { return (0, 0) }
        let fields = lines[lines.count - 1].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4, let total = Int(fields[1]), let free = Int(fields[3]) else { return (0, 0) }
        return (total, free)
    }
}
