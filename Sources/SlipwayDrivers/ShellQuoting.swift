import Foundation

/// The one function in Slipway that turns an argv array into text a POSIX shell reads back as
/// exactly those arguments. Remote commands over SSH reach a shell whatever we do, so every
/// argument goes through here; nothing else in the code base builds shell text.
public enum ShellQuoting {
    /// Each argument in single quotes, with embedded single quotes written as `'\''`.
    /// NUL cannot be passed to a process at all, so an argument holding one is refused.
    public static func quote(_ argv: [String]) throws -> String {
        guard !argv.isEmpty else { throw ShellQuotingError.emptyCommand }
        return try argv.map(quote).joined(separator: " ")
    }

    public static func quote(_ argument: String) throws -> String {
        guard !argument.unicodeScalars.contains("\0") else { throw ShellQuotingError.nulByte }
        return "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

public enum ShellQuotingError: Error, Equatable, Sendable {
    case emptyCommand
    case nulByte
}
