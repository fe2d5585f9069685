import Foundation
import SlipwayDrivers
import Testing

@Suite("Shell quoting")
struct ShellQuotingTests {
    static let hostile: [String] = [
        "plain", "", " ", "it's", "'", "''", "\"double\"", "$(touch /tmp/pwned)", "`id`", "a; rm -rf /",
        "a | cat /etc/passwd",
        "line1\nline2", "*", "?", "[a-z]", "~", "-rf", "--help", "$HOME", "${PATH}", "\\", "a\\'b", "\t tab",
        "é ünï 中文 🚀",
        String(repeating: "x'y\"z$", count: 5000), "!event", "#comment", "&background", "a>b", "<in", "(sub)", "{a,b}",
    ]

    /// What /bin/sh reads back from the quoted text is exactly the argv we sent, NUL-separated by printf.
    @Test("a real shell reads back exactly the argv sent", arguments: hostile)
    func roundTrip(argument: String) throws {
        let argv = ["printf", "%s\\0", argument, "second"]
        let script = try ShellQuoting.quote(argv)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let received = data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(received == [argument, "second"])
    }

    @Test("NUL and empty commands are refused")
    func refused() {
        #expect(throws: ShellQuotingError.nulByte) { try ShellQuoting.quote(["echo", "a\0b"]) }
        #expect(throws: ShellQuotingError.emptyCommand) { try ShellQuoting.quote([]) }
    }
}
