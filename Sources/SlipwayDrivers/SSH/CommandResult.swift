import Foundation

/// What a finished remote command left: its exit code and everything it wrote, byte for byte.
public struct CommandResult: Sendable, Equatable {
    /// The remote exit code; 128 + N when the remote process died from signal N.
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: Data

    public init(exitCode: Int32, stdout: Data, stderr: Data) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { exitCode == 0 }
    /// Standard output as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
